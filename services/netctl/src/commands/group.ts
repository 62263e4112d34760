/** `netctl group`: create, rm|delete, inspect, ls|list (endpoint groups). */
import { NAME_DESCRIPTION, NAME_PATTERN, validateEndpointGroup } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { AliasedOption } from '../argv';
import { UsageError } from '../errors';
import { omitEmpty, str, strList } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import { checkIpPool, collect } from '../validate';
import type { CommandContext } from './context';
import { addExamples, guard, tenantOption } from './context';
import { checkWithModel } from './model-check';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

const NAME_RE = new RegExp(NAME_PATTERN);

interface CreateFlags {
  tenant: string;
  policy?: string[];
  networkprofile?: string;
  externalContract?: string[];
  ipPool?: string;
  epgTag?: string;
}

export function registerGroupCommand(program: Command, ctx: CommandContext): void {
  const group = program.command('group').description('Endpoint Group manipulation tools');
  addExamples(group, ['netctl group create contiv-net web', 'netctl group ls', 'netctl group rm web']);

  const create = group
    .command('create')
    .description('Create an endpoint group in a network (also the Docker network containers join by the group name)')
    .argument('<network>', 'name of the network the group belongs to')
    .argument('<group>', 'name of the new group')
    .addOption(tenantOption())
    .addOption(new Option('-p, --policy <policy>', 'policy to apply to the group (repeatable)').argParser(collect))
    .addOption(new Option('-n, --networkprofile <profile>', 'network profile (bandwidth, DSCP) for the group; it must exist (netctl netprofile create)'))
    .addOption(new Option('-e, --external-contract <group>', 'external contracts group (repeatable); each must exist (netctl external-contracts create)').argParser(collect))
    .addOption(new Option('-r, --ip-pool <range>', 'addresses of the network reserved for this group, e.g. 10.36.0.1-10.36.0.10'))
    .addOption(new AliasedOption('--epg-tag <tag>', 'group tag (Docker contiv-tag; default <group>.<tenant>)', ['tag']))
    .action((network: string, name: string, flags: CreateFlags, cmd: Command) =>
      guard(cmd, async () => {
        if (flags.ipPool) checkIpPool(flags.ipPool);
        // Netprofile names follow the name format (the group's own schema only limits their length).
        if (flags.networkprofile !== undefined && !NAME_RE.test(flags.networkprofile)) {
          throw new UsageError(`Invalid network profile '${flags.networkprofile}' - not ${NAME_DESCRIPTION}`);
        }
        // Field order and empty link members as Contiv's Go client sent them.
        const fields = omitEmpty({
          cfgdTag: flags.epgTag,
          extContractsGrps: flags.externalContract,
          groupName: name,
          ipPool: flags.ipPool,
          netProfile: flags.networkprofile,
          networkName: network,
          policies: flags.policy,
          tenantName: flags.tenant,
        });
        // The model's own checks (names of the group, network, policies, profile, contracts groups).
        checkWithModel(() => validateEndpointGroup(fields));
        const client = ctx.client(cmd);
        const body = { ...fields, 'link-sets': {}, links: { AppProfile: {}, NetProfile: {}, Network: {}, Tenant: {} } };
        await client.post(objectPath('endpointGroups', objectKey(flags.tenant, name)), body);
        ctx.io.out(`Creating EndpointGroup ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, [
    'netctl group create contiv-net web',
    'netctl group create -t blue -p prod-web -r 10.1.1.10-10.1.1.20 net1 web',
    'netctl group create -n gold -e ext1 contiv-net db',
  ]);

  const object = { collection: 'endpointGroups', argument: ['<group>', 'name of the group'] } as const;
  addRemoveCommand(group, ctx, {
    ...object,
    description: 'Delete an endpoint group (refused while it has endpoints); prints nothing on success, as Contiv',
    examples: ['netctl group rm web', 'netctl group delete -t blue web'],
  });
  addInspectCommand(group, ctx, {
    ...object,
    description: 'Show an endpoint group\'s configuration and state (tags, endpoints) as JSON',
    examples: ['netctl group inspect web'],
  });
  addListCommand(group, ctx, {
    collection: 'endpointGroups',
    what: 'endpoint groups',
    description: 'List endpoint groups of a tenant (columns: Tenant Group Network IP Pool CfgdTag Policies Network profile)',
    headers: ['Tenant', 'Group', 'Network', 'IP Pool', 'CfgdTag', 'Policies', 'Network profile'],
    nameField: 'groupName',
    row: (o) => [
      str(o, 'tenantName'),
      str(o, 'groupName'),
      str(o, 'networkName'),
      str(o, 'ipPool'),
      str(o, 'cfgdTag'),
      strList(o, 'policies').join(','),
      str(o, 'netProfile'),
    ],
    examples: ['netctl group ls', 'netctl group ls -a -q'],
  });
}
