/** `netctl global`: info, inspect, set (the cluster-wide settings object `global`). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors';
import type { JsonObject } from '../rest/json';
import { omitEmpty, str } from '../rest/json';
import { inspectPath, listPath, objectPath } from '../rest/paths';
import { checkPrivateSubnet, checkVlanRange, checkVxlanRange } from '../validate';
import type { CommandContext } from './context';
import { addExamples, allOption, asObject, guard, jsonOption, objectList, printJson, tenantOption } from './context';

export const GLOBAL_KEY = 'global';

interface SetFlags {
  fabricMode?: string;
  vlanRange?: string;
  vxlanRange?: string;
  fwdMode?: string;
  arpMode?: string;
  privateSubnet?: string;
}

export function registerGlobalCommand(program: Command, ctx: CommandContext): void {
  const global = program.command('global').description('Global information');
  addExamples(global, ['netctl global info', 'netctl global set --fwd-mode routing']);

  const info = global
    .command('info')
    .description('Show the global settings: fabric, forwarding and ARP modes, VLAN/VXLAN ranges, private subnet')
    // Contiv declared these on `global info` without using them; kept so scripts still parse.
    .addOption(tenantOption().hideHelp())
    .addOption(allOption().hideHelp())
    .addOption(jsonOption())
    .action((flags: { json?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const list = objectList(await ctx.client(cmd).get(listPath('globals')), 'global settings');
        if (flags.json) {
          printJson(ctx, list);
          return;
        }
        ctx.io.out(list.map(formatInfo).join(''));
      }),
    );
  addExamples(info, ['netctl global info', 'netctl global info --json']);

  const inspect = global
    .command('inspect')
    .description('Show the global settings and their state (tags in use) as JSON')
    .action((_flags: unknown, cmd: Command) =>
      guard(cmd, async () => {
        printJson(ctx, await ctx.client(cmd).get(inspectPath('globals', GLOBAL_KEY)));
      }),
    );
  addExamples(inspect, ['netctl global inspect']);

  const set = global
    .command('set')
    .description('Change global settings: reads the current object, replaces the given fields and writes it back; prints nothing on success')
    .addOption(new Option('-f, --fabric-mode <mode>', 'fabric mode').choices(['default', 'aci', 'aci-opflex']))
    .addOption(new Option('-v, --vlan-range <range>', 'allowed VLAN id range, e.g. 1-4094'))
    .addOption(new Option('-x, --vxlan-range <range>', 'allowed VXLAN VNI range, e.g. 1-10000'))
    .addOption(new Option('-b, --fwd-mode <mode>', 'forwarding mode (only while no network exists)').choices(['bridge', 'routing']))
    .addOption(new Option('-a, --arp-mode <mode>', 'ARP mode').choices(['proxy', 'flood']))
    .addOption(new Option('-s, --private-subnet <cidr>', 'a /16 private subnet for host access (netmaster\'s default 172.19.0.0/16)'))
    .action((flags: SetFlags, cmd: Command) =>
      guard(cmd, async () => {
        if (flags.vlanRange !== undefined) checkVlanRange(flags.vlanRange);
        if (flags.vxlanRange !== undefined) checkVxlanRange(flags.vxlanRange);
        if (flags.privateSubnet !== undefined) checkPrivateSubnet(flags.privateSubnet);
        if (Object.values(flags).every((v) => v === undefined)) throw new UsageError('nothing to set: give at least one flag');
        const client = ctx.client(cmd);
        const current = asObject(await client.get(objectPath('globals', GLOBAL_KEY)), 'the global settings');
        const name = str(current, 'name') || GLOBAL_KEY;
        // The whole object goes back, in the Go client's field order.
        const body = omitEmpty({
          key: str(current, 'key'),
          arpMode: flags.arpMode ?? str(current, 'arpMode'),
          fwdMode: flags.fwdMode ?? str(current, 'fwdMode'),
          name,
          networkInfraType: flags.fabricMode ?? str(current, 'networkInfraType'),
          pvtSubnet: flags.privateSubnet ?? str(current, 'pvtSubnet'),
          vlans: flags.vlanRange ?? str(current, 'vlans'),
          vxlans: flags.vxlanRange ?? str(current, 'vxlans'),
        });
        await client.post(objectPath('globals', name), body);
      }),
    );
  addExamples(set, ['netctl global set --fwd-mode routing', 'netctl global set -v 100-200 -x 10000-20000']);
}

function formatInfo(g: JsonObject): string {
  return [
    `Fabric mode: ${str(g, 'networkInfraType')}`,
    `Forward mode: ${str(g, 'fwdMode')}`,
    `ARP mode: ${str(g, 'arpMode')}`,
    `Vlan Range: ${str(g, 'vlans')}`,
    `Vxlan range: ${str(g, 'vxlans')}`,
    `Private subnet: ${str(g, 'pvtSubnet')}`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}
