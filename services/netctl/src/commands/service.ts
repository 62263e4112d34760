/** `netctl service`: create, rm|delete, inspect, ls|list (serviceLB: a VIP balanced across labelled containers). */
import { validateServiceLb } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { AliasedOption } from '../argv';
import { omitEmpty, str, strList } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import { collect } from '../validate';
import type { CommandContext } from './context';
import { addExamples, guard, tenantOption } from './context';
import { checkWithModel } from './model-check';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

interface CreateFlags {
  tenant: string;
  network?: string;
  selector?: string[];
  port?: string[];
  preferredIp?: string;
}

export function registerServiceCommand(program: Command, ctx: CommandContext): void {
  const service = program.command('service').description('Service load balancer (serviceLB) manipulation tools');
  addExamples(service, [
    'netctl service create -t blue -network net1 -ip 10.1.1.200 -selector app=web -port 80:8080:TCP web-svc',
    'docker run -d -l app=web --net=net1/blue my-web-image',
    'netctl service ls -t blue',
    'netctl service inspect -t blue web-svc',
  ]);

  const create = service
    .command('create')
    .description(
      'Create or update a service: a virtual IP (VIP) on a network whose connections are balanced, on every host, across the containers of that network whose Docker labels match every selector. Updating changes selectors and ports; the network and VIP stay',
    )
    .argument('<service>', 'name of the service')
    .addOption(tenantOption())
    .addOption(new Option('-s, --network <network>', 'network of the VIP and of the providers (required)'))
    .addOption(new Option('-l, --selector <key=value>', 'container label a provider must carry (repeatable: all must match)').argParser(collect))
    .addOption(new Option('-p, --port <svcPort:provPort:proto>', 'service port, provider port and protocol TCP or UDP, e.g. 80:8080:TCP (repeatable)').argParser(collect))
    .addOption(new AliasedOption('--preferred-ip <ip>', 'the VIP: an unused address of the network (default: the next free one)', ['ip']))
    .action((name: string, flags: CreateFlags, cmd: Command) =>
      guard(cmd, async () => {
        // Field order and empty link members as Contiv's Go client sent them.
        const fields = omitEmpty({
          ipAddress: flags.preferredIp,
          networkName: flags.network,
          ports: flags.port,
          selectors: flags.selector,
          serviceName: name,
          tenantName: flags.tenant,
        });
        checkWithModel(() => validateServiceLb(fields));
        const client = ctx.client(cmd);
        await client.post(objectPath('serviceLBs', objectKey(flags.tenant, name)), { ...fields, 'link-sets': {}, links: { Network: {}, Tenant: {} } });
        ctx.io.out(`Creating ServiceLB ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, [
    'netctl service create -t blue -network net1 -ip 10.1.1.200 -selector app=web -port 80:8080:TCP web-svc',
    'netctl service create -s net1 -l app=dns -l tier=core -p 53:53:UDP -p 53:53:TCP dns-svc',
  ]);

  const object = { collection: 'serviceLBs', argument: ['<service>', 'name of the service'] } as const;
  addRemoveCommand(service, ctx, {
    ...object,
    description: 'Delete a service and free its VIP',
    says: (name, tenant) => `Deleting Service ${name},${tenant}\n`,
    examples: ['netctl service rm -t blue web-svc'],
  });
  addInspectCommand(service, ctx, {
    ...object,
    description: "Show a service's configuration and state (serviceVip, numProviders, providers) as JSON",
    examples: ['netctl service inspect -t blue web-svc'],
  });
  addListCommand(service, ctx, {
    collection: 'serviceLBs',
    what: 'services',
    description: 'List services of a tenant (columns: ServiceName Tenant Network Selectors IP Ports)',
    headers: ['ServiceName', 'Tenant', 'Network', 'Selectors', 'IP', 'Ports'],
    nameField: 'serviceName',
    row: (o) => [str(o, 'serviceName'), str(o, 'tenantName'), str(o, 'networkName'), strList(o, 'selectors').join(','), str(o, 'ipAddress'), strList(o, 'ports').join(',')],
    examples: ['netctl service ls -t blue', 'netctl service ls -a -j'],
  });
}
