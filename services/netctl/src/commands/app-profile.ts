/**
 * `netctl app-profile`: create, update, rm|delete, inspect, ls|list,
 * group-ls|group-list. An app profile names endpoint groups of a tenant
 * (Contiv pushed it to ACI; here it is bookkeeping only).
 */
import { validateAppProfile } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { omitEmpty, str, strList } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import type { CommandContext } from './context';
import { addExamples, asObject, guard, jsonOption, printJson, tenantOption } from './context';
import { checkWithModel } from './model-check';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

interface ProfileFlags {
  tenant: string;
  group?: string[];
}

/** `-g a,b -g c`: Contiv took one comma-separated list; repeating the flag works too. */
function collectGroups(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((g) => g.trim()).filter((g) => g !== '')];
}

export function registerAppProfileCommand(program: Command, ctx: CommandContext): void {
  const app = program.command('app-profile').description('Application Profile manipulation tools');
  addExamples(app, ['netctl app-profile create -g web,db app1', 'netctl app-profile update -g web app1', 'netctl app-profile ls']);

  const post = async (cmd: Command, name: string, flags: ProfileFlags): Promise<void> => {
    // Field order and empty link members as Contiv's Go client sent them.
    const fields = omitEmpty({ appProfileName: name, endpointGroups: flags.group, tenantName: flags.tenant });
    checkWithModel(() => validateAppProfile(fields));
    await ctx.client(cmd).post(objectPath('appProfiles', objectKey(flags.tenant, name)), { ...fields, 'link-sets': {}, links: { Tenant: {} } });
  };
  const groupOption = () => new Option('-g, --group <groups>', 'endpoint groups of the profile: a comma-separated list, or the flag repeated').argParser(collectGroups);

  const create = app
    .command('create')
    .description('Create an application profile naming endpoint groups (each must exist and be in no other profile)')
    .argument('<app-profile>', 'name of the profile')
    .addOption(tenantOption())
    .addOption(groupOption())
    .action((name: string, flags: ProfileFlags, cmd: Command) =>
      guard(cmd, async () => {
        await post(cmd, name, flags);
        ctx.io.out(`Creating AppProfile ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, ['netctl app-profile create -g web,db app1', 'netctl app-profile create -t blue -g web -g db app1']);

  const update = app
    .command('update')
    .description('Replace the endpoint groups of an application profile; prints nothing on success, as Contiv')
    .argument('<app-profile>', 'name of the profile')
    .addOption(tenantOption())
    .addOption(groupOption())
    .action((name: string, flags: ProfileFlags, cmd: Command) => guard(cmd, () => post(cmd, name, flags)));
  addExamples(update, ['netctl app-profile update -g web,db,cache app1']);

  const object = { collection: 'appProfiles', argument: ['<app-profile>', 'name of the profile'] } as const;
  addRemoveCommand(app, ctx, {
    ...object,
    description: 'Delete an application profile (its groups stay); prints nothing on success, as Contiv',
    examples: ['netctl app-profile rm app1'],
  });
  addInspectCommand(app, ctx, {
    ...object,
    description: 'Show an application profile\'s configuration as JSON',
    examples: ['netctl app-profile inspect app1'],
  });
  addListCommand(app, ctx, {
    collection: 'appProfiles',
    what: 'app profiles',
    description: 'List application profiles of a tenant (columns: Tenant AppProfile Groups)',
    headers: ['Tenant', 'AppProfile', 'Groups'],
    nameField: 'appProfileName',
    row: (o) => [str(o, 'tenantName'), str(o, 'appProfileName'), strList(o, 'endpointGroups').join(',')],
    examples: ['netctl app-profile ls', 'netctl app-profile ls -a'],
  });

  const groupLs = app
    .command('group-ls')
    .alias('group-list')
    .description('Print the endpoint groups of an application profile, comma-separated')
    .argument('<app-profile>', 'name of the profile')
    .addOption(tenantOption())
    .addOption(jsonOption())
    .action((name: string, flags: { tenant: string; json?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const profile = asObject(await ctx.client(cmd).get(objectPath('appProfiles', objectKey(flags.tenant, name))), 'an app profile');
        if (flags.json) printJson(ctx, profile);
        else ctx.io.out(`${strList(profile, 'endpointGroups').join(',')}\n`);
      }),
    );
  addExamples(groupLs, ['netctl app-profile group-ls app1']);
}
