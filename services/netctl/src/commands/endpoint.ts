/** `netctl endpoint` (alias `ep`): inspect. */
import type { Command } from 'commander';
import { inspectPath } from '../rest/paths';
import type { CommandContext } from './context';
import { addExamples, guard, printJson } from './context';

export function registerEndpointCommand(program: Command, ctx: CommandContext): void {
  const endpoint = program.command('endpoint').alias('ep').description('Endpoint Inspection');
  addExamples(endpoint, ['netctl endpoint inspect c1']);

  const inspect = endpoint
    .command('inspect')
    .description('Show an endpoint (network, group, IP and MAC addresses, host, OVS port) as JSON')
    .argument('<epid>', 'endpoint id, container name, or (a prefix of) the container id')
    .action((id: string, _flags: unknown, cmd: Command) =>
      guard(cmd, async () => {
        printJson(ctx, await ctx.client(cmd).get(inspectPath('endpoints', id)));
      }),
    );
  addExamples(inspect, ['netctl endpoint inspect c1', 'netctl ep inspect 3f2a9c']);
}
