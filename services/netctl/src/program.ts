/**
 * The netctl command tree: the root command, its global options and one
 * module per object under commands/ (later issues add service the same way).
 */
import type { BuildInfo, Env } from '@contiv/runtime';
import { buildInfo } from '@contiv/runtime';
import { Command, Option } from 'commander';
import { registerAppProfileCommand } from './commands/app-profile';
import type { CommandContext } from './commands/context';
import { registerEndpointCommand } from './commands/endpoint';
import { registerExternalContractsCommand } from './commands/external-contracts';
import { registerGlobalCommand } from './commands/global';
import { registerGroupCommand } from './commands/group';
import { registerNetprofileCommand } from './commands/netprofile';
import { registerNetworkCommand } from './commands/network';
import { registerPolicyCommand } from './commands/policy';
import { registerTenantCommand } from './commands/tenant';
import { formatVersion, registerVersionCommand } from './commands/version';
import { DEFAULT_NETMASTER, ENV_NETMASTER, loadConfig } from './options';
import type { Io } from './output/io';
import type { FetchFn } from './rest/client';
import { NetmasterClient } from './rest/client';

export interface ProgramDeps {
  io: Io;
  /** The environment to read NETMASTER from (default: the process environment). */
  env?: Env;
  fetch?: FetchFn;
  timeoutMs?: number;
  clientVersion?: BuildInfo;
  /** Fixed help width (the docs generator); default: the terminal's, else 80. */
  helpWidth?: number;
}

const ROOT_HELP = `
Environment:
  ${ENV_NETMASTER}     netmaster URL, used when --netmaster is not given (default ${DEFAULT_NETMASTER})

Exit codes:
  0  success
  1  usage error (bad arguments or flags); nothing was sent to netmaster
  3  the request failed (netmaster refused it, or could not be reached)

Examples:
  $ netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100
  $ netctl net ls
  $ netctl --netmaster http://10.0.0.5:9999 tenant ls
  $ NETMASTER=http://10.0.0.5:9999 netctl group create contiv-net web
`;

export function buildProgram(deps: ProgramDeps): Command {
  const clientVersion = deps.clientVersion ?? buildInfo();
  const { helpWidth } = deps;
  const program = new Command('netctl')
    .description('A command line client for Contiv netplugin: manages tenants, networks, endpoint groups, policies, network and application profiles, external contracts and global settings through netmaster\'s REST API')
    .addOption(new Option('--netmaster <url>', `netmaster URL, http://host:port or https://host:port (env ${ENV_NETMASTER}, default ${DEFAULT_NETMASTER})`))
    .version(`netctl\n${formatVersion(clientVersion)}`.trimEnd(), '--version', 'print netctl\'s version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.out(s),
      writeErr: (s) => deps.io.err(s),
      ...(helpWidth === undefined ? {} : { getOutHelpWidth: () => helpWidth, getErrHelpWidth: () => helpWidth }),
    })
    .addHelpText('after', ROOT_HELP);

  const ctx: CommandContext = {
    io: deps.io,
    clientVersion,
    client(cmd: Command): NetmasterClient {
      const { netmaster } = cmd.optsWithGlobals<{ netmaster?: string }>();
      const config = loadConfig({ netmaster, timeoutMs: deps.timeoutMs }, deps.env);
      return new NetmasterClient({ baseUrl: config.netmaster, timeoutMs: config.timeoutMs, fetch: deps.fetch });
    },
  };

  // Sorted by name, as Contiv's help lists them.
  registerAppProfileCommand(program, ctx);
  registerEndpointCommand(program, ctx);
  registerExternalContractsCommand(program, ctx);
  registerGlobalCommand(program, ctx);
  registerGroupCommand(program, ctx);
  registerNetprofileCommand(program, ctx);
  registerNetworkCommand(program, ctx);
  registerPolicyCommand(program, ctx);
  registerTenantCommand(program, ctx);
  registerVersionCommand(program, ctx);

  addUsageHints(program, 'netctl');
  return program;
}

// After each usage error commander prints this hint naming the failing command.
function addUsageHints(cmd: Command, path: string): void {
  cmd.showHelpAfterError(`(run '${path} --help' for usage)`);
  for (const sub of cmd.commands) addUsageHints(sub, `${path} ${sub.name()}`);
}
