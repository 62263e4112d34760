/**
 * Contiv's netctl parsed flags with Go's flag package, where `-name` and
 * `--name` are the same flag and names may be several characters long:
 * users type `-s6 2001:db8::/64`, `-g6 ...`, `--tag x`, `-tenant blue`.
 * commander only knows one-letter short flags and one long name per option,
 * so argv is rewritten to canonical `--long` spellings before parsing.
 */
import type { Command } from 'commander';
import { Option } from 'commander';

/** An option that also answers to extra names (`-s6`, `--tag`) typed with one or two dashes. */
export class AliasedOption extends Option {
  constructor(
    flags: string,
    description: string,
    readonly aliases: readonly string[],
  ) {
    super(flags, description);
    // Show the aliases in --help the way Contiv users know them.
    // Short-looking aliases (-s6) go first, long ones (--tag) after the long name.
    const short = aliases.filter((a) => a.length <= 2).map((a) => `-${a}`);
    const long = aliases.filter((a) => a.length > 2).map((a) => `--${a}`);
    const split = /^(.*?)(\s+[<[].*)?$/.exec(flags);
    this.flags = [...short, split?.[1] ?? flags, ...long].join(', ') + (split?.[2] ?? '');
  }
}

interface Resolved {
  /** The canonical token (`--subnetv6` or `--subnetv6=x`). */
  token: string;
  /** The option found, if any. */
  option?: Option;
}

function resolveToken(token: string, commands: readonly Command[]): Resolved {
  if (!token.startsWith('-') || token === '-' || token === '--') return { token };
  const doubleDash = token.startsWith('--');
  const body = token.slice(doubleDash ? 2 : 1);
  const eq = body.indexOf('=');
  const name = eq >= 0 ? body.slice(0, eq) : body;
  const suffix = eq >= 0 ? body.slice(eq) : '';
  if (!doubleDash && name.length === 1) {
    // A plain short flag: commander's own business.
    return { token, option: findOption(commands, (o) => o.short === `-${name}`) };
  }
  for (const cmd of commands) {
    for (const opt of cmd.options) {
      if (opt instanceof AliasedOption && opt.aliases.includes(name) && opt.long) {
        return { token: `${opt.long}${suffix}`, option: opt };
      }
    }
  }
  const long = findOption(commands, (o) => o.long === `--${name}`);
  if (long) return { token: `--${name}${suffix}`, option: long };
  // `-tblue` (short flag with its value attached) or an unknown flag: leave it.
  return { token };
}

function findOption(commands: readonly Command[], match: (o: Option) => boolean): Option | undefined {
  for (const cmd of commands) {
    const found = cmd.options.find(match);
    if (found) return found;
  }
  return undefined;
}

function findSubcommand(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/**
 * Rewrites user arguments (without node and script) into commander's
 * spellings. Walks down the command tree as command words appear; flags are
 * resolved against the current command and the root (whose options are
 * accepted anywhere). Values of value-taking options are never rewritten.
 */
export function normaliseArgv(root: Command, args: readonly string[]): string[] {
  const out: string[] = [];
  let current = root;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      const sub = findSubcommand(current, arg);
      if (sub) current = sub;
      out.push(arg);
      continue;
    }
    const scope = current === root ? [root] : [current, root];
    const { token, option } = resolveToken(arg, scope);
    out.push(token);
    // `-t value`: the value is copied as typed, even if it looks like a flag.
    if (option?.required && !token.includes('=') && i + 1 < args.length) {
      out.push(args[i + 1] ?? '');
      i++;
    }
  }
  return out;
}
