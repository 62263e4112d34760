/** `netctl netprofile`: create, rm|delete, inspect, ls|list (bandwidth and DSCP profiles of endpoint groups). */
import { formatBandwidth, MAX_BURST_KB, MAX_DSCP, validateNetProfile } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { int, omitEmpty, str } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import { parseIntFlag } from '../validate';
import type { CommandContext } from './context';
import { addExamples, guard, tenantOption } from './context';
import { checkWithModel } from './model-check';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

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

  const object = { collection: 'netprofiles', argument: ['<netprofile>', 'name of the profile'] } as const;
  addRemoveCommand(netprofile, ctx, {
    ...object,
    description: 'Delete a network profile (refused while an endpoint group uses it); prints nothing on success, as Contiv',
    examples: ['netctl netprofile rm gold'],
  });
  addInspectCommand(netprofile, ctx, {
    ...object,
    description: 'Show a network profile\'s configuration (and the groups using it) as JSON',
    examples: ['netctl netprofile inspect gold'],
  });
  addListCommand(netprofile, ctx, {
    collection: 'netprofiles',
    what: 'netprofiles',
    description: 'List network profiles of a tenant (columns: Name Tenant Bandwidth DSCP burst size; bandwidth shown as Kbps, Mbps or Gbps)',
    headers: ['Name', 'Tenant', 'Bandwidth', 'DSCP', 'burst size'],
    nameField: 'profileName',
    row: (o) => [str(o, 'profileName'), str(o, 'tenantName'), formatBandwidth(str(o, 'bandwidth')), String(int(o, 'DSCP')), String(int(o, 'burst'))],
    examples: ['netctl netprofile ls', 'netctl netprofile ls -a -q'],
  });
}
