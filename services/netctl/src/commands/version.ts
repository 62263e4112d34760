/** `netctl version`: client and server versions. */
import type { BuildInfo } from '@contiv/runtime';
import type { Command } from 'commander';
import type { JsonObject } from '../rest/json';
import { str } from '../rest/json';
import { VERSION_PATH } from '../rest/paths';
import type { CommandContext } from './context';
import { addExamples, asObject, guard } from './context';

export function registerVersionCommand(program: Command, ctx: CommandContext): void {
  const version = program
    .command('version')
    .description('Version Information: netctl\'s, then netmaster\'s (GET /version)')
    .action((_flags: unknown, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        ctx.io.out(`Client Version:\n${formatVersion(ctx.clientVersion)}\n`);
        const server = asObject(await client.get(VERSION_PATH), 'version information');
        ctx.io.out(`Server Version:\n${formatVersion(serverVersion(server))}`);
      }),
    );
  addExamples(version, ['netctl version', 'netctl --netmaster http://10.0.0.5:9999 version']);
}

export function formatVersion(v: BuildInfo): string {
  return `Version: ${v.version}\nGitCommit: ${v.gitCommit}\nBuildTime: ${v.buildTime}\n`;
}

// Ours answers {version, gitCommit, buildTime}; Contiv's answered {Version, GitCommit, BuildTime}.
function serverVersion(o: JsonObject): BuildInfo {
  return {
    version: str(o, 'version') || str(o, 'Version'),
    gitCommit: str(o, 'gitCommit') || str(o, 'GitCommit'),
    buildTime: str(o, 'buildTime') || str(o, 'BuildTime'),
  };
}
