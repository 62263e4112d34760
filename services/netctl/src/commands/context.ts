/**
 * What every command module gets: where to write, how to reach netmaster,
 * and the small helpers that make all commands behave alike.
 */
import type { BuildInfo } from '@contiv/runtime';
import type { Command } from 'commander';
import { Option } from 'commander';
import { isNetctlError, RequestError } from '../errors';
import type { Io } from '../output/io';
import { formatJson } from '../output/json';
import { renderTable } from '../output/table';
import type { NetmasterClient } from '../rest/client';
import { objectPath } from '../rest/paths';
import type { JsonObject } from '../rest/json';
import { isJsonObject, str } from '../rest/json';

export interface CommandContext {
  readonly io: Io;
  /** netctl's own version (printed by `netctl version`). */
  readonly clientVersion: BuildInfo;
  /** A client for the netmaster chosen by --netmaster / NETMASTER (throws UsageError for a bad URL). */
  client(cmd: Command): NetmasterClient;
}

export const DEFAULT_TENANT = 'default';

export const tenantOption = (): Option => new Option('-t, --tenant <tenant>', 'name of the tenant').default(DEFAULT_TENANT);
export const allOption = (): Option => new Option('-a, --all', 'list the objects of all tenants');
export const jsonOption = (): Option => new Option('-j, --json', 'print the list as JSON (2-space indent)');
export const quietOption = (): Option => new Option('-q, --quiet', 'print names only, one per line');

export interface ListFlags {
  tenant: string;
  all?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/**
 * Runs an action body; a UsageError becomes commander's own error report (one
 * line plus the --help hint, exit 1), so every usage error looks the same.
 */
export async function guard(cmd: Command, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (isNetctlError(err, 'NETCTL_USAGE')) cmd.error(`error: ${err.message}`, { exitCode: 1, code: err.code });
    throw err;
  }
}

export function addExamples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.out(formatJson(value));
}

/** An array of objects from a list call, or a RequestError naming what was wrong. */
export function objectList(value: unknown, what: string): JsonObject[] {
  if (!Array.isArray(value)) throw new RequestError('NETCTL_BAD_RESPONSE', `netmaster sent ${what} that are not a JSON array`);
  return value.filter(isJsonObject);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new RequestError('NETCTL_BAD_RESPONSE', `netmaster sent ${what} that is not a JSON object`);
  return value;
}

/** As Contiv: every tenant-scoped `ls` first reads the tenant, failing if it does not exist. */
export async function requireTenant(client: NetmasterClient, tenant: string): Promise<void> {
  await client.get(objectPath('tenants', tenant));
}

/** Keeps the tenant's objects (or all with --all), ordered by tenant then name. */
export function filterByTenant(items: JsonObject[], flags: ListFlags, nameField: string): JsonObject[] {
  return items
    .filter((o) => flags.all === true || str(o, 'tenantName') === flags.tenant)
    .sort((a, b) => str(a, 'tenantName').localeCompare(str(b, 'tenantName')) || str(a, nameField).localeCompare(str(b, nameField)));
}

export interface ListView {
  headers: readonly string[];
  row(item: JsonObject): string[];
  nameField: string;
}

/** `--json` wins over `-q`, as in Contiv; the default is a table. */
export function printList(ctx: CommandContext, items: JsonObject[], flags: { json?: boolean; quiet?: boolean }, view: ListView): void {
  if (flags.json) {
    printJson(ctx, items);
  } else if (flags.quiet) {
    ctx.io.out(items.map((o) => `${str(o, view.nameField)}\n`).join(''));
  } else {
    ctx.io.out(renderTable(view.headers, items.map((o) => view.row(o))));
  }
}
