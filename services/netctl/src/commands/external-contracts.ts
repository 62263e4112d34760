/**
 * `netctl external-contracts`: create, rm|delete, inspect, ls|list. An
 * external contracts group lists ACI contracts that endpoint groups provide
 * or consume (group create -e); only an ACI fabric acts on them.
 */
import { validateExtContractsGroup } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors';
import { str, strList } from '../rest/json';
import { objectKey, objectPath } from '../rest/paths';
import { collect } from '../validate';
import type { CommandContext } from './context';
import { addExamples, guard, tenantOption } from './context';
import { checkWithModel } from './model-check';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

interface CreateFlags {
  tenant: string;
  consumed?: boolean;
  provided?: boolean;
  contract?: string[];
}

export function registerExternalContractsCommand(program: Command, ctx: CommandContext): void {
  const ext = program.command('external-contracts').description('External contracts');
  addExamples(ext, ['netctl external-contracts create -c -a uni/tn-common/brc-default ext1', 'netctl group create -e ext1 contiv-net web']);

  const create = ext
    .command('create')
    .description('Create an external contracts group (it cannot be changed afterwards: delete it and create it again)')
    .argument('<name>', 'name of the contracts group')
    .addOption(tenantOption())
    .addOption(new Option('-c, --consumed', 'the groups naming it consume the contracts'))
    .addOption(new Option('-p, --provided', 'the groups naming it provide the contracts'))
    .addOption(new Option('-a, --contract <dn>', 'a contract, e.g. uni/tn-common/brc-default (repeatable, at least one)').argParser(collect))
    .action((name: string, flags: CreateFlags, cmd: Command) =>
      guard(cmd, async () => {
        if (flags.provided && flags.consumed) throw new UsageError('Cannot use both provided and consumed (-p and -c)');
        if (!flags.provided && !flags.consumed) throw new UsageError('Either provided or consumed must be specified (-p or -c)');
        if (!flags.contract || flags.contract.length === 0) throw new UsageError('Contracts not provided (-a <contract>, at least one)');
        // Field order as Contiv's Go client sent it; this object has link-sets but no links.
        const fields = { contracts: flags.contract, contractsGroupName: name, contractsType: flags.provided ? 'provided' : 'consumed', tenantName: flags.tenant };
        checkWithModel(() => validateExtContractsGroup(fields));
        await ctx.client(cmd).post(objectPath('extContractsGroups', objectKey(flags.tenant, name)), { ...fields, 'link-sets': {} });
        ctx.io.out(`Creating ExternalContracts ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, ['netctl external-contracts create -c -a uni/tn-common/brc-default ext1', 'netctl external-contracts create -t blue -p -a uni/tn-blue/brc-web -a uni/tn-blue/brc-db ext2']);

  const object = { collection: 'extContractsGroups', argument: ['<name>', 'name of the contracts group'] } as const;
  addRemoveCommand(ext, ctx, {
    ...object,
    description: 'Delete an external contracts group (refused while an endpoint group names it)',
    says: (name, tenant) => `Deleting external contracts group ${name} in tenant ${tenant}\n`,
    examples: ['netctl external-contracts rm ext1'],
  });
  addInspectCommand(ext, ctx, {
    ...object,
    description: 'Show an external contracts group\'s configuration (and the groups naming it) as JSON',
    examples: ['netctl external-contracts inspect ext1'],
  });
  addListCommand(ext, ctx, {
    collection: 'extContractsGroups',
    what: 'external contracts groups',
    description: 'List external contracts groups of a tenant (columns: Tenant Name Type Contracts; contracts comma-separated)',
    headers: ['Tenant', 'Name', 'Type', 'Contracts'],
    nameField: 'contractsGroupName',
    row: (o) => [str(o, 'tenantName'), str(o, 'contractsGroupName'), str(o, 'contractsType'), strList(o, 'contracts').join(',')],
    examples: ['netctl external-contracts ls', 'netctl external-contracts ls -a'],
  });
}
