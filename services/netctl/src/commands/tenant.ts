/** `netctl tenant`: create, rm|delete, inspect, ls|list. */
import type { Command } from 'commander';
import { listPath, objectPath } from '../rest/paths';
import { str } from '../rest/json';
import type { CommandContext } from './context';
import { addExamples, guard, jsonOption, objectList, printList, quietOption } from './context';
import { addInspectCommand, addRemoveCommand } from './object-commands';

export function registerTenantCommand(program: Command, ctx: CommandContext): void {
  const tenant = program.command('tenant').description('Tenant manipulation tools');
  addExamples(tenant, ['netctl tenant create blue', 'netctl tenant ls', 'netctl tenant rm blue']);

  const create = tenant
    .command('create')
    .description('Create a tenant')
    .argument('<tenant>', 'name of the new tenant')
    .action((name: string, _opts: unknown, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        await client.post(objectPath('tenants', name), { tenantName: name, 'link-sets': {} });
        ctx.io.out(`Creating tenant: ${name}\n`);
      }),
    );
  addExamples(create, ['netctl tenant create blue']);

  const object = { collection: 'tenants', argument: ['<tenant>', 'name of the tenant'], inTenant: false } as const;
  addRemoveCommand(tenant, ctx, {
    ...object,
    description: 'Delete a tenant (refused while it still has networks, groups or policies)',
    says: (name) => `Deleting tenant ${name}\n`,
    examples: ['netctl tenant rm blue'],
  });
  addInspectCommand(tenant, ctx, {
    ...object,
    description: 'Show a tenant\'s configuration and state (networks, groups, endpoints) as JSON',
    examples: ['netctl tenant inspect default'],
  });

  const ls = tenant
    .command('ls')
    .alias('list')
    .description('List tenants (table with column Name)')
    .addOption(quietOption())
    .addOption(jsonOption())
    .action((opts: { json?: boolean; quiet?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const items = objectList(await ctx.client(cmd).get(listPath('tenants')), 'tenants').sort((a, b) =>
          str(a, 'tenantName').localeCompare(str(b, 'tenantName')),
        );
        printList(ctx, items, opts, { headers: ['Name'], nameField: 'tenantName', row: (o) => [str(o, 'tenantName')] });
      }),
    );
  addExamples(ls, ['netctl tenant ls', 'netctl tenant ls -q']);
}
