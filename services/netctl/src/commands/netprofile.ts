/** `netctl netprofile`: create, rm|delete, inspect, ls|list (bandwidth and DSCP profiles of endpoint groups). */
import { formatBandwidth, MAX_BURST_KB, MAX_DSCP, validateNetProfile } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { int, omitEmpty, str } from '../rest/json';
import { inspectPath, listPath, objectKey, objectPath } from '../rest/paths';
import { parseIntFlag } from '../validate';
import type { CommandContext, ListFlags } from './context';
import {
  addExamples,
  allOption,
  filterByTenant,
  guard,
  jsonOption,
  objectList,
  printJson,
  printList,
  quietOption,
  requireTenant,
  tenantOption,
} from './context';
import { checkWithModel } from './model-check';

interface CreateFlags {
  tenant: string;
  bandwidth?: string;
  dscp?: number;
  burst?: number;
}

export function registerNetprofileCommand(program: Command, ctx: CommandContext): void {
  const netprofile = program.command('netprofile').description('Network profile manipulation tools');
  addExamples(netprofile, ['netctl netprofile create -b 10Mbps -d 5 -s 100 gold', 'netctl group create -n gold contiv-net web', 'netctl netprofile ls']);

  const create = netprofile
    .command('create')
    .description(
      'Create or update a network profile: a rate limit and a DSCP mark for the endpoints of every group that names it (group create -n). Updating it reprograms those groups',
    )
    .argument('<netprofile>', 'name of the profile')
    .addOption(tenantOption())
    .addOption(new Option('-b, --bandwidth <rate>', 'rate limit of each endpoint: a number and k, m or g with an optional bps or b, e.g. 100kbps, 10Mbps, "10 Gbps", 4G (SI units)'))
    .addOption(new Option('-d, --dscp <n>', `DSCP mark of the endpoints' outgoing packets, 0-${MAX_DSCP}`).argParser(parseIntFlag(0, MAX_DSCP)))
    .addOption(new Option('-s, --burst <kb>', `burst size in kilobytes, 2-${MAX_BURST_KB} (0: the default)`).argParser(parseIntFlag(0, MAX_BURST_KB)))
    .action((name: string, flags: CreateFlags, cmd: Command) =>
      guard(cmd, async () => {
        // Field order and empty link members as Contiv's Go client sent them.
        const fields = omitEmpty({ DSCP: flags.dscp, bandwidth: flags.bandwidth, burst: flags.burst, profileName: name, tenantName: flags.tenant });
        checkWithModel(() => validateNetProfile(fields));
        const client = ctx.client(cmd);
        await client.post(objectPath('netprofiles', objectKey(flags.tenant, name)), { ...fields, 'link-sets': {}, links: { Tenant: {} } });
        ctx.io.out(`Creating netprofile ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, ['netctl netprofile create -b 10Mbps -d 5 -s 100 gold', 'netctl netprofile create -t blue -b "1 Gbps" silver']);

  const rm = netprofile
    .command('rm')
    .alias('delete')
    .description('Delete a network profile (refused while an endpoint group uses it); prints nothing on success, as Contiv')
    .argument('<netprofile>', 'name of the profile')
    .addOption(tenantOption())
    .action((name: string, flags: { tenant: string }, cmd: Command) =>
      guard(cmd, async () => {
        await ctx.client(cmd).delete(objectPath('netprofiles', objectKey(flags.tenant, name)));
      }),
    );
  addExamples(rm, ['netctl netprofile rm gold']);

  const inspect = netprofile
    .command('inspect')
    .description('Show a network profile\'s configuration (and the groups using it) as JSON')
    .argument('<netprofile>', 'name of the profile')
    .addOption(tenantOption())
    .action((name: string, flags: { tenant: string }, cmd: Command) =>
      guard(cmd, async () => {
        printJson(ctx, await ctx.client(cmd).get(inspectPath('netprofiles', objectKey(flags.tenant, name))));
      }),
    );
  addExamples(inspect, ['netctl netprofile inspect gold']);

  const ls = netprofile
    .command('ls')
    .alias('list')
    .description('List network profiles of a tenant (columns: Name Tenant Bandwidth DSCP burst size; bandwidth shown as Kbps, Mbps or Gbps)')
    .addOption(tenantOption())
    .addOption(allOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .action((flags: ListFlags, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        await requireTenant(client, flags.tenant);
        const items = filterByTenant(objectList(await client.get(listPath('netprofiles')), 'netprofiles'), flags, 'profileName');
        printList(ctx, items, flags, {
          headers: ['Name', 'Tenant', 'Bandwidth', 'DSCP', 'burst size'],
          nameField: 'profileName',
          row: (o) => [str(o, 'profileName'), str(o, 'tenantName'), formatBandwidth(str(o, 'bandwidth')), String(int(o, 'DSCP')), String(int(o, 'burst'))],
        });
      }),
    );
  addExamples(ls, ['netctl netprofile ls', 'netctl netprofile ls -a -q']);
}
