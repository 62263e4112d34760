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
import { registerServiceCommand } from './commands/service';
import { registerTenantCommand } from './commands/tenant';
import { formatVersion, registerVersionCommand } from './commands/version';
import { DEFAULT_NETMASTER, ENV_INSECURE, ENV_NETMASTER, ENV_TLS_CA_FILE, ENV_TOKEN, loadConfig } from './options';
import type { Io } from './output/io';
import type { ProgressFactory } from './output/progress';
import { terminalLine } from './output/terminal';
import type { FetchFn } from './rest/client';
import { NetmasterClient } from './rest/client';
import { tlsFetch } from './rest/tls-fetch';

export interface ProgramDeps {
  io: Io;
  /** The environment to read NETMASTER from (default: the process environment). */
  env?: Env;
  fetch?: FetchFn;
  timeoutMs?: number;
  clientVersion?: BuildInfo;
  /** Fixed help width (the docs generator); default: the terminal's, else 80. */
  helpWidth?: number;
  /** Shows waits for netmaster (main.ts: a spinner when stderr is a terminal); default: nothing. */
  progress?: ProgressFactory;
}

const ROOT_HELP = `
Environment:
  ${ENV_NETMASTER}           netmaster URL, used when --netmaster is not given (default ${DEFAULT_NETMASTER})
  ${ENV_TOKEN}        token, used when --token is not given (docs/security.md)
  ${ENV_TLS_CA_FILE}  CA file, used when --tls-ca-file is not given
  ${ENV_INSECURE}            true: as --insecure

Exit codes:
  0  success
  1  usage error (bad arguments or flags); nothing was sent to netmaster
  3  the request failed (netmaster refused it, or could not be reached)

Examples:
  $ netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100
  $ netctl net ls
  $ netctl --netmaster http://10.0.0.5:9999 tenant ls
  $ NETMASTER=http://10.0.0.5:9999 netctl group create contiv-net web
  $ NETCTL_TOKEN=$(cat token) netctl --netmaster https://10.0.0.5:9999 --tls-ca-file ca.pem net ls
`;

export function buildProgram(deps: ProgramDeps): Command {
  const clientVersion = deps.clientVersion ?? buildInfo();
  const { helpWidth } = deps;
  const program = new Command('netctl')
    .description('A command line client for Contiv netplugin: manages tenants, networks, endpoint groups, policies, network and application profiles, external contracts and global settings through netmaster\'s REST API')
    .addOption(new Option('--netmaster <url>', `netmaster URL, http://host:port or https://host:port (env ${ENV_NETMASTER}, default ${DEFAULT_NETMASTER})`))
    .addOption(new Option('--token <token>', `token netmaster requires, sent as header x-auth-token; over https only, or to localhost (env ${ENV_TOKEN}, which keeps it out of ps)`))
    .addOption(new Option('--tls-ca-file <file>', `PEM CA certificates that verify netmaster's https certificate instead of the system's (env ${ENV_TLS_CA_FILE})`))
    .addOption(new Option('--insecure', `do not verify netmaster's https certificate (env ${ENV_INSECURE}=true)`))
    .version(`netctl\n${formatVersion(clientVersion)}`.trimEnd(), '--version', 'print netctl\'s version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.out(s),
      writeErr: (s) => deps.io.err(s),
      // commander's "error: ..." line quotes what the user typed: one safe line (output/terminal.ts).
      outputError: (s, write) => write(`${terminalLine(s.replace(/\n$/, ''))}\n`),
      ...(helpWidth === undefined ? {} : { getOutHelpWidth: () => helpWidth, getErrHelpWidth: () => helpWidth }),
    })
    .addHelpText('after', ROOT_HELP);

  const ctx: CommandContext = {
    io: deps.io,
    clientVersion,
    client(cmd: Command): NetmasterClient {
      const { netmaster, token, tlsCaFile, insecure } = cmd.optsWithGlobals<{ netmaster?: string; token?: string; tlsCaFile?: string; insecure?: boolean }>();
      const config = loadConfig({ netmaster, timeoutMs: deps.timeoutMs, token, tlsCaFile, insecure }, deps.env);
      // Tests inject fetch; an https netmaster gets our own, which takes the CA file and --insecure.
      const fetchFn = deps.fetch ?? (config.tls ? tlsFetch(config.tls) : undefined);
      return new NetmasterClient({
        baseUrl: config.netmaster,
        timeoutMs: config.timeoutMs,
        ...(fetchFn ? { fetch: fetchFn } : {}),
        ...(config.token ? { token: config.token } : {}),
        progress: (s) => deps.io.err(s),
        ...(deps.progress ? { startProgress: deps.progress } : {}),
      });
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
  registerServiceCommand(program, ctx);
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
