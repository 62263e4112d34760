/**
 * The `inspect`, `rm|delete` and `ls|list` subcommands of the object commands
 * (network, group, policy, ...): the same flags, requests and output for
 * every object, varying only in the collection, the words and the columns.
 */
import type { Command } from 'commander';
import { inspectPath, listPath, objectKey, objectPath } from '../rest/paths';
import type { Collection } from '../rest/paths';
import type { CommandContext, ListFlags, ListView } from './context';
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

/** The one object an `inspect` or `rm` acts on. */
export interface ObjectArgument {
  /** REST collection, e.g. 'networks'. */
  collection: Collection;
  /** The argument as help shows it, e.g. '<network>', and its description. */
  argument: readonly [name: string, description: string];
  /**
   * false for an object in no tenant (a tenant itself): no -t, and its name
   * alone is its key. Otherwise -t names the tenant and the key is tenant:name.
   */
  inTenant?: boolean;
}

interface HelpText {
  description: string;
  examples: readonly string[];
}

export type InspectSpec = ObjectArgument & HelpText;

export interface RemoveSpec extends ObjectArgument, HelpText {
  /**
   * The line printed before the request, as Contiv's netctl did for this
   * object (for some it printed nothing); tenant is '' for an object in no tenant.
   */
  says?: (name: string, tenant: string) => string;
}

export interface ListSpec extends ListView, HelpText {
  collection: Collection;
  /** The objects in an error message, e.g. 'endpoint groups'. */
  what: string;
}

/** -t has a default, so it is undefined exactly for objects in no tenant. */
interface ObjectFlags {
  tenant?: string;
}

function objectCommand(parent: Command, name: string, spec: ObjectArgument & HelpText): Command {
  const cmd = parent.command(name).description(spec.description).argument(...spec.argument);
  if (spec.inTenant !== false) cmd.addOption(tenantOption());
  return cmd;
}

function keyOf(name: string, flags: ObjectFlags): string {
  return flags.tenant === undefined ? name : objectKey(flags.tenant, name);
}

/** `inspect <object>`: netmaster's inspect answer (configuration and state) as JSON. */
export function addInspectCommand(parent: Command, ctx: CommandContext, spec: InspectSpec): Command {
  const inspect = objectCommand(parent, 'inspect', spec).action((name: string, flags: ObjectFlags, cmd: Command) =>
    guard(cmd, async () => {
      printJson(ctx, await ctx.client(cmd).get(inspectPath(spec.collection, keyOf(name, flags))));
    }),
  );
  return addExamples(inspect, spec.examples);
}

/** `rm|delete <object>`. */
export function addRemoveCommand(parent: Command, ctx: CommandContext, spec: RemoveSpec): Command {
  const rm = objectCommand(parent, 'rm', spec)
    .alias('delete')
    .action((name: string, flags: ObjectFlags, cmd: Command) =>
      guard(cmd, async () => {
        // The client first: a bad --netmaster fails before anything is printed.
        const client = ctx.client(cmd);
        if (spec.says) ctx.io.out(spec.says(name, flags.tenant ?? ''));
        await client.delete(objectPath(spec.collection, keyOf(name, flags)));
      }),
    );
  return addExamples(rm, spec.examples);
}

/** `ls|list` of a tenant's objects (or all with -a) as a table, names (-q) or JSON (-j). */
export function addListCommand(parent: Command, ctx: CommandContext, spec: ListSpec): Command {
  const ls = parent
    .command('ls')
    .alias('list')
    .description(spec.description)
    .addOption(tenantOption())
    .addOption(allOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .action((flags: ListFlags, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        await requireTenant(client, flags.tenant);
        const items = filterByTenant(objectList(await client.get(listPath(spec.collection)), spec.what), flags, spec.nameField);
        printList(ctx, items, flags, spec);
      }),
    );
  return addExamples(ls, spec.examples);
}
