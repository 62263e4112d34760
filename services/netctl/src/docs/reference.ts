/**
 * The command reference in docs/netctl.md is netctl's own --help output for
 * every command; this renders it, and a unit test keeps the doc in step.
 */
import type { Command } from 'commander';
import { BufferIo } from '../output/io';
import { buildProgram } from '../program';
import { runNetctl } from '../run';

export const BEGIN_MARKER = '<!-- BEGIN GENERATED: netctl --help (pnpm --filter netctl docs) -->';
export const END_MARKER = '<!-- END GENERATED -->';
const HELP_WIDTH = 100;
const DOC_VERSION = { version: '(version)', gitCommit: '(commit)', buildTime: '(time)' };

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return [prefix, ...cmd.commands.flatMap((sub) => paths(sub, [...prefix, sub.name()]))];
}

export async function renderReference(): Promise<string> {
  const program = buildProgram({ io: new BufferIo(), helpWidth: HELP_WIDTH, clientVersion: DOC_VERSION });
  const sections: string[] = [];
  for (const path of paths(program)) {
    const io = new BufferIo();
    await runNetctl([...path, '--help'], { io, env: {}, helpWidth: HELP_WIDTH, clientVersion: DOC_VERSION });
    const title = ['netctl', ...path].join(' ');
    sections.push(`### \`${title}\`\n\n\`\`\`\n${io.stdout.trimEnd()}\n\`\`\`\n`);
  }
  return `${BEGIN_MARKER}\n\n${sections.join('\n')}\n${END_MARKER}`;
}

/** Replaces the generated block of a document (or appends it). */
export function spliceReference(doc: string, reference: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${reference}\n`;
  return doc.slice(0, begin) + reference + doc.slice(end + END_MARKER.length);
}
