/** `netctl network` (alias `net`): create, rm|delete, inspect, ls|list. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { AliasedOption } from '../argv';
import { UsageError } from '../errors';
import { int, omitEmpty, str } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import { checkGateway, checkGatewayV6, checkSubnet, checkSubnetV6, MAX_PKT_TAG, parseIntFlag } from '../validate';
import type { CommandContext } from './context';
import { addExamples, guard, tenantOption } from './context';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

export const DEFAULT_ENCAP = 'vxlan';
export const DEFAULT_NW_TYPE = 'data';

interface CreateFlags {
  tenant: string;
  nwType: string;
  encap: string;
  pktTag?: number;
  subnet?: string;
  gateway?: string;
  subnetv6?: string;
  gatewayv6?: string;
  nwTag?: string;
}

export function registerNetworkCommand(program: Command, ctx: CommandContext): void {
  const network = program.command('network').alias('net').description('Network manipulation tools');
  addExamples(network, [
    'netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100',
    'netctl net ls -a',
    'netctl network inspect contiv-net',
    'netctl network rm contiv-net',
  ]);

  const create = network
    .command('create')
    .description('Create a network (the subnet may be given with a host address; netmaster stores the network address)')
    .argument('<network>', 'name of the new network')
    .addOption(tenantOption())
    .addOption(new Option('-n, --nw-type <type>', 'network type').choices(['data', 'infra']).default(DEFAULT_NW_TYPE))
    .addOption(new Option('-e, --encap <encap>', 'encapsulation').choices(['vxlan', 'vlan']).default(DEFAULT_ENCAP))
    .addOption(
      new Option('-p, --pkt-tag <tag>', 'VLAN id or VXLAN VNI (default: allocated from the global range)').argParser(parseIntFlag(0, MAX_PKT_TAG)),
    )
    .addOption(new Option('-s, --subnet <cidr>', 'IPv4 subnet, A.B.C.D/N or a range A.B.C.D-A.B.C.E/N (required)'))
    .addOption(new Option('-g, --gateway <ip>', 'IPv4 gateway address, inside the subnet (reserved from allocation)'))
    .addOption(new AliasedOption('--subnetv6 <cidr>', 'IPv6 subnet, X:X::X/N', ['s6']))
    .addOption(new AliasedOption('--gatewayv6 <ip>', 'IPv6 gateway address', ['g6']))
    .addOption(new AliasedOption('--nw-tag <tag>', 'network tag (Docker contiv-tag; default <network>.<tenant>)', ['tag']))
    .action((name: string, flags: CreateFlags, cmd: Command) =>
      guard(cmd, async () => {
        if (flags.subnet === undefined || flags.subnet === '') throw new UsageError('Subnet is required (-s, --subnet A.B.C.D/N)');
        checkSubnet(flags.subnet);
        if (flags.gateway) checkGateway(flags.gateway);
        if (flags.subnetv6) checkSubnetV6(flags.subnetv6);
        if (flags.gatewayv6) checkGatewayV6(flags.gatewayv6);
        const client = ctx.client(cmd);
        // Field order and empty link members as Contiv's Go client sent them. The
        // subnet goes as typed: netmaster canonicalises a host address.
        const body = {
          ...omitEmpty({
            cfgdTag: flags.nwTag,
            encap: flags.encap,
            gateway: flags.gateway,
            ipv6Gateway: flags.gatewayv6,
            ipv6Subnet: flags.subnetv6,
            networkName: name,
            nwType: flags.nwType,
            pktTag: flags.pktTag,
            subnet: flags.subnet,
            tenantName: flags.tenant,
          }),
          'link-sets': {},
          links: { Tenant: {} },
        };
        await client.post(objectPath('networks', objectKey(flags.tenant, name)), body);
        ctx.io.out(`Creating network ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, [
    'netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100',
    'netctl network create -t blue -e vlan -p 100 -s 10.1.1.0/24 -g 10.1.1.254 net1',
    'netctl network create net6 -s 10.2.0.0/16 -s6 2001:db8::/64 -g6 2001:db8::1',
  ]);

  const object = { collection: 'networks', argument: ['<network>', 'name of the network'] } as const;
  addRemoveCommand(network, ctx, {
    ...object,
    description: 'Delete a network (refused while it has endpoints or groups)',
    says: (name, tenant) => `Deleting network ${tenant}:${name}\n`,
    examples: ['netctl network rm contiv-net', 'netctl net delete -t blue net1'],
  });
  addInspectCommand(network, ctx, {
    ...object,
    description: 'Show a network\'s configuration and state (tags, allocated addresses, endpoints) as JSON',
    examples: ['netctl network inspect contiv-net', 'netctl net inspect -t blue net1'],
  });
  addListCommand(network, ctx, {
    collection: 'networks',
    what: 'networks',
    description: 'List networks of a tenant (columns: Tenant Network Nw Type Encap type Packet tag Subnet Gateway IPv6Subnet IPv6Gateway Cfgd Tag)',
    headers: ['Tenant', 'Network', 'Nw Type', 'Encap type', 'Packet tag', 'Subnet', 'Gateway', 'IPv6Subnet', 'IPv6Gateway', 'Cfgd Tag'],
    nameField: 'networkName',
    row: (o) => [
      str(o, 'tenantName'),
      str(o, 'networkName'),
      str(o, 'nwType'),
      str(o, 'encap'),
      String(int(o, 'pktTag')),
      str(o, 'subnet'),
      str(o, 'gateway'),
      str(o, 'ipv6Subnet'),
      str(o, 'ipv6Gateway'),
      str(o, 'cfgdTag'),
    ],
    examples: ['netctl network ls', 'netctl net ls -t blue -q', 'netctl net ls -a --json'],
  });
}
