/**
 * `netctl policy`: create, rm|delete, inspect, ls|list, the policy's rules:
 * rule-add, rule-rm, rule-ls, and trace (which rule decides a connection).
 */
import { isModelError, MAX_IP_PROTOCOL, MAX_PORT, MAX_RULE_PRIORITY, MIN_RULE_PRIORITY, validateRule } from '@contiv/model';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors';
import { renderTable } from '../output/table';
import type { JsonObject } from '../rest/json';
import { int, isJsonObject, omitEmpty, str } from '../rest/json';
import { listPath, objectKey, objectPath, policyTracePath } from '../rest/paths';
import { checkProtocol, checkRuleIp, parseIntFlag } from '../validate';
import type { CommandContext } from './context';
import { addExamples, asObject, guard, jsonOption, objectList, printJson, quietOption, tenantOption } from './context';
import { addInspectCommand, addListCommand, addRemoveCommand } from './object-commands';

interface RuleFlags {
  tenant: string;
  priority: number;
  direction: 'in' | 'out';
  fromGroup?: string;
  toGroup?: string;
  fromNetwork?: string;
  toNetwork?: string;
  fromIpAddress?: string;
  toIpAddress?: string;
  protocol?: string;
  port?: number;
  action: 'allow' | 'deny';
}

type MatchFlag = 'fromGroup' | 'toGroup' | 'fromNetwork' | 'toNetwork' | 'fromIpAddress' | 'toIpAddress';
const FLAG_NAMES: Record<MatchFlag, string> = {
  fromGroup: '--from-group',
  toGroup: '--to-group',
  fromNetwork: '--from-network',
  toNetwork: '--to-network',
  fromIpAddress: '--from-ip-address',
  toIpAddress: '--to-ip-address',
};

/** Contiv's client checks: which match flags go with which direction, and which exclude each other. */
function checkRuleFlags(f: RuleFlags): void {
  const given = (k: MatchFlag): boolean => f[k] !== undefined && f[k] !== '';
  const show = (k: MatchFlag): string => `${FLAG_NAMES[k]} ${f[k] ?? ''}`;
  const wrong: MatchFlag[] = f.direction === 'in' ? ['toGroup', 'toNetwork', 'toIpAddress'] : ['fromGroup', 'fromNetwork', 'fromIpAddress'];
  const bad = wrong.find(given);
  if (bad) {
    const [side, dir, other] = f.direction === 'in' ? ['to', 'incoming', 'out'] : ['from', 'outgoing', 'in'];
    throw new UsageError(`can not specify '${side}' parameters in ${dir} rule (${show(bad)}); use -d ${other} for those`);
  }
  const side = f.direction === 'in' ? 'from' : 'to';
  const net: MatchFlag = `${side}Network`;
  for (const other of [`${side}Group`, `${side}IpAddress`] as const) {
    if (given(net) && given(other)) throw new UsageError(`can not specify both ${FLAG_NAMES[net]} and ${FLAG_NAMES[other]}`);
  }
  if (given('fromIpAddress')) checkRuleIp(FLAG_NAMES.fromIpAddress, f.fromIpAddress ?? '');
  if (given('toIpAddress')) checkRuleIp(FLAG_NAMES.toIpAddress, f.toIpAddress ?? '');
  if (f.protocol !== undefined) checkProtocol(f.protocol);
}

/** Rules sorted as Contiv listed them: by priority, then (our addition) by id. */
function byPriority(a: JsonObject, b: JsonObject): number {
  return int(a, 'priority') - int(b, 'priority') || str(a, 'ruleId').localeCompare(str(b, 'ruleId'), undefined, { numeric: true });
}

function renderRules(rules: JsonObject[]): string {
  const incoming = rules.filter((r) => str(r, 'direction') === 'in');
  const outgoing = rules.filter((r) => str(r, 'direction') === 'out');
  const tail = (r: JsonObject): string[] => [str(r, 'protocol'), String(int(r, 'port')), str(r, 'action')];
  return [
    'Incoming Rules:\n',
    renderTable(
      ['Rule', 'Priority', 'From EndpointGroup', 'From Network', 'From IpAddress', 'To IpAddress', 'Protocol', 'Port', 'Action'],
      incoming.map((r) => [str(r, 'ruleId'), String(int(r, 'priority')), str(r, 'fromEndpointGroup'), str(r, 'fromNetwork'), str(r, 'fromIpAddress'), str(r, 'toIpAddress'), ...tail(r)]),
    ),
    'Outgoing Rules:\n',
    renderTable(
      ['Rule', 'Priority', 'To EndpointGroup', 'To Network', 'To IpAddress', 'Protocol', 'Port', 'Action'],
      outgoing.map((r) => [str(r, 'ruleId'), String(int(r, 'priority')), str(r, 'toEndpointGroup'), str(r, 'toNetwork'), str(r, 'toIpAddress'), ...tail(r)]),
    ),
  ].join('');
}

export function registerPolicyCommand(program: Command, ctx: CommandContext): void {
  const policy = program.command('policy').description('Policy manipulation tools');
  addExamples(policy, [
    'netctl policy create prod-web',
    'netctl policy rule-add -d in -l tcp -P 80 -j allow prod-web 1',
    'netctl policy rule-ls prod-web',
    'netctl group create -p prod-web contiv-net web',
    'netctl policy trace -P 80 client1 web1',
  ]);

  const create = policy
    .command('create')
    .description('Create a policy (a set of rules that endpoint groups apply with group create -p)')
    .argument('<policy>', 'name of the new policy')
    .addOption(tenantOption())
    .action((name: string, flags: { tenant: string }, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        const body = { policyName: name, tenantName: flags.tenant, 'link-sets': {}, links: { Tenant: {} } };
        await client.post(objectPath('policys', objectKey(flags.tenant, name)), body);
        ctx.io.out(`Creating policy ${flags.tenant}:${name}\n`);
      }),
    );
  addExamples(create, ['netctl policy create prod-web', 'netctl policy create -t blue prod-web']);

  const object = { collection: 'policys', argument: ['<policy>', 'name of the policy'] } as const;
  addRemoveCommand(policy, ctx, {
    ...object,
    description: 'Delete a policy and its rules (refused while an endpoint group uses it)',
    says: (name, tenant) => `Deleting policy ${tenant}:${name}\n`,
    examples: ['netctl policy rm prod-web', 'netctl policy delete -t blue prod-web'],
  });
  addInspectCommand(policy, ctx, {
    ...object,
    description: 'Show a policy\'s configuration (groups and rules linked) and state (endpoints of its groups) as JSON',
    examples: ['netctl policy inspect prod-web'],
  });
  addListCommand(policy, ctx, {
    collection: 'policys',
    what: 'policies',
    description: 'List policies of a tenant (columns: Tenant Policy)',
    headers: ['Tenant', 'Policy'],
    nameField: 'policyName',
    row: (o) => [str(o, 'tenantName'), str(o, 'policyName')],
    examples: ['netctl policy ls', 'netctl policy ls -a -q'],
  });

  const ruleAdd = policy
    .command('rule-add')
    .description('Add a rule to a policy; prints nothing on success, as Contiv. A rule id cannot be reused with other parameters (rule-rm it first)')
    .argument('<policy>', 'name of the policy')
    .argument('<ruleid>', 'id of the rule, unique within the policy')
    .addOption(tenantOption())
    .addOption(
      new Option('-p, --priority <n>', `priority, ${MIN_RULE_PRIORITY}-${MAX_RULE_PRIORITY}; the higher wins`)
        .argParser(parseIntFlag(MIN_RULE_PRIORITY, MAX_RULE_PRIORITY))
        .default(1),
    )
    .addOption(new Option('-d, --direction <dir>', 'direction of the traffic matched: in (into the groups using the policy) or out').choices(['in', 'out']).default('in'))
    .addOption(new Option('-g, --from-group <group>', 'match traffic from this endpoint group (in only)'))
    .addOption(new Option('-e, --to-group <group>', 'match traffic to this endpoint group (out only)'))
    .addOption(new Option('-n, --from-network <network>', 'match traffic from this network (in only)'))
    .addOption(new Option('-o, --to-network <network>', 'match traffic to this network (out only)'))
    .addOption(new Option('-i, --from-ip-address <ip>', 'match traffic from this address: A.B.C.D, A.B.C.D/N or A.B.C.D-E (in only)'))
    .addOption(new Option('-s, --to-ip-address <ip>', 'match traffic to this address: A.B.C.D, A.B.C.D/N or A.B.C.D-E (out only)'))
    .addOption(new Option('-l, --protocol <protocol>', 'tcp, udp, icmp or an IP protocol number (default: any)'))
    .addOption(new Option('-P, --port <port>', 'TCP/UDP destination port (needs -l tcp or udp; default: any)').argParser(parseIntFlag(0, MAX_PORT)))
    .addOption(new Option('-j, --action <action>', 'what to do with matching traffic').choices(['allow', 'deny']).default('allow'))
    .action((name: string, ruleId: string, flags: RuleFlags, cmd: Command) =>
      guard(cmd, async () => {
        checkRuleFlags(flags);
        // Field order and empty link members as Contiv's Go client sent them.
        const fields = omitEmpty({
          action: flags.action,
          direction: flags.direction,
          fromEndpointGroup: flags.fromGroup,
          fromIpAddress: flags.fromIpAddress,
          fromNetwork: flags.fromNetwork,
          policyName: name,
          port: flags.port,
          priority: flags.priority,
          protocol: flags.protocol,
          ruleId,
          tenantName: flags.tenant,
          toEndpointGroup: flags.toGroup,
          toIpAddress: flags.toIpAddress,
          toNetwork: flags.toNetwork,
        });
        // The model's own checks (names, port without tcp/udp, ...), so nothing bad is sent.
        try {
          validateRule(fields);
        } catch (err) {
          if (isModelError(err, 'MODEL_INVALID')) throw new UsageError(err.message);
          throw err;
        }
        const client = ctx.client(cmd);
        await client.post(objectPath('rules', objectKey(flags.tenant, name, ruleId)), { ...fields, 'link-sets': {}, links: { MatchEndpointGroup: {} } });
      }),
    );
  addExamples(ruleAdd, [
    'netctl policy rule-add -d in -l tcp -j deny prod-web 1',
    'netctl policy rule-add -d in -l tcp -P 80 -p 10 -j allow prod-web 2',
    'netctl policy rule-add -d in -g db -l tcp -P 5432 -p 10 prod-web 3',
    'netctl policy rule-add -t blue -d out -l udp -P 53 -s 10.2.0.0/16 -j allow prod-web 4',
  ]);

  const ruleRm = policy
    .command('rule-rm')
    .description('Delete a rule from a policy; prints nothing on success, as Contiv')
    .argument('<policy>', 'name of the policy')
    .argument('<ruleid>', 'id of the rule')
    .addOption(tenantOption())
    .action((name: string, ruleId: string, flags: { tenant: string }, cmd: Command) =>
      guard(cmd, async () => {
        await ctx.client(cmd).delete(objectPath('rules', objectKey(flags.tenant, name, ruleId)));
      }),
    );
  addExamples(ruleRm, ['netctl policy rule-rm prod-web 1']);

  const ruleLs = policy
    .command('rule-ls')
    .description('List the rules of a policy by priority, incoming and outgoing in two tables')
    .argument('<policy>', 'name of the policy')
    .addOption(tenantOption())
    .addOption(jsonOption())
    .addOption(quietOption())
    .action((name: string, flags: { tenant: string; json?: boolean; quiet?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const client = ctx.client(cmd);
        // Reading the policy first turns a typo into "policy ... not found" instead of an empty list.
        await client.get(objectPath('policys', objectKey(flags.tenant, name)));
        const rules = objectList(await client.get(listPath('rules')), 'rules')
          .filter((r) => str(r, 'tenantName') === flags.tenant && str(r, 'policyName') === name)
          .sort(byPriority);
        if (flags.json) printJson(ctx, rules);
        else if (flags.quiet) ctx.io.out(rules.map((r) => `${str(r, 'ruleId')}\n`).join(''));
        else ctx.io.out(renderRules(rules));
      }),
    );
  addExamples(ruleLs, ['netctl policy rule-ls prod-web', 'netctl policy rule-ls -t blue -j prod-web']);

  const trace = policy
    .command('trace')
    .summary('Which rule allows or denies a new connection from one endpoint to another')
    .description(
      'Say whether a new connection from one end to the other is allowed or denied and which rule decides, computed by netmaster from the ' +
        'records the agents program (out rules of the sender\'s group, then in rules of the receiver\'s; no match = allow). Ends on different ' +
        'networks are "unreachable": the datapath only bridges within a network. Exit 0 whatever the verdict',
    )
    .argument('<from>', 'sender: container name, container or endpoint id (or a unique prefix of at least 6 hex digits), or an IPv4 address')
    .argument('<to>', 'receiver, as <from>; an address no endpoint holds has no group (one end must be an endpoint)')
    .addOption(tenantOption())
    .addOption(new Option('-l, --protocol <protocol>', 'tcp, udp, icmp or an IP protocol number 1-255 (default: tcp with -P, else icmp)'))
    .addOption(new Option('-P, --port <port>', 'TCP/UDP destination port (required with tcp and udp)').argParser(parseIntFlag(1, MAX_PORT)))
    .addOption(new Option('-j, --json', 'print netmaster\'s answer as JSON (2-space indent): both ends with IP, MAC, network, group, host; each direction\'s deciding rule'))
    .action((from: string, to: string, flags: TraceFlags, cmd: Command) =>
      guard(cmd, async () => {
        checkTraceFlags(flags);
        const params: Record<string, string> = { tenant: flags.tenant, from, to };
        if (flags.protocol !== undefined) params.protocol = flags.protocol;
        if (flags.port !== undefined) params.port = String(flags.port);
        const answer = await ctx.client(cmd).get(policyTracePath(params));
        if (flags.json) printJson(ctx, answer);
        else ctx.io.out(renderTrace(asTraceAnswer(answer)));
      }),
    );
  addExamples(trace, [
    'netctl policy trace client1 web1',
    'netctl policy trace -t blue -P 80 client1 web1',
    'netctl policy trace -l udp -P 53 3f2a9c 10.1.1.200',
    'netctl policy trace -j client1 10.1.1.1',
  ]);
}

interface TraceFlags {
  tenant: string;
  protocol?: string;
  port?: number;
  json?: boolean;
}

const TRACE_PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** The checks netmaster makes too, so a typo fails before any request. */
function checkTraceFlags(f: TraceFlags): void {
  let proto = f.port !== undefined ? 6 : 1;
  if (f.protocol !== undefined) {
    const n = TRACE_PROTOCOLS[f.protocol] ?? (/^[0-9]{1,3}$/.test(f.protocol) ? Number(f.protocol) : NaN);
    if (!(n >= 1 && n <= MAX_IP_PROTOCOL)) throw new UsageError(`Invalid protocol '${f.protocol}' - Enter tcp, udp, icmp or an IP protocol number (1-${MAX_IP_PROTOCOL})`);
    proto = n;
  }
  const ports = proto === 6 || proto === 17;
  if (f.port !== undefined && !ports) throw new UsageError(`--port ${f.port} needs --protocol tcp or udp`);
  if (f.port === undefined && ports) throw new UsageError(`--protocol ${f.protocol ?? ''} needs --port: which port decides which rules match`);
}

interface TraceEndView {
  kind: string;
  label: string;
  ip: string;
  network: string;
  group: string;
}

interface TraceView {
  verdict: string;
  policyVerdict: string;
  reason: string;
  packet: string;
  from: TraceEndView;
  to: TraceEndView;
  steps: { direction: string; group: string; summary: string; action: string; rule: JsonObject | undefined }[];
}

/** netmaster's answer (core/policy-trace.ts PolicyTraceAnswer), checked field by field. */
function asTraceAnswer(value: unknown): TraceView {
  const a = asObject(value, 'a policy trace');
  const end = (key: string): TraceEndView => {
    const e = asObject(a[key], `a policy trace ${key}`);
    const id = str(e, 'endpointId');
    return { kind: str(e, 'kind'), label: str(e, 'containerName') || id.slice(0, 12) || str(e, 'ip'), ip: str(e, 'ip'), network: str(e, 'network'), group: str(e, 'group') };
  };
  const p = asObject(a.packet, 'a policy trace packet');
  const steps = Array.isArray(a.steps) ? a.steps.filter(isJsonObject) : [];
  return {
    verdict: str(a, 'verdict'),
    policyVerdict: str(a, 'policyVerdict'),
    reason: str(a, 'reason'),
    packet: int(p, 'port') !== 0 ? `${str(p, 'protocol')} port ${int(p, 'port')}` : str(p, 'protocol'),
    from: end('from'),
    to: end('to'),
    steps: steps.map((s) => ({
      direction: str(s, 'direction'),
      group: str(s, 'group'),
      summary: str(s, 'summary'),
      action: str(s, 'action'),
      rule: isJsonObject(s.rule) ? s.rule : undefined,
    })),
  };
}

function describeEnd(e: TraceEndView): string {
  if (e.kind === 'address') return `${e.ip} (no endpoint, ${e.network ? `network ${e.network}` : 'in no network of the tenant'})`;
  return `${e.label} (${e.ip}, ${e.group ? `group ${e.group}` : 'no group'})`;
}

/**
 * First line: the verdict and, for a deny, the rule that decided; then one
 * line per direction, as netmaster decided them.
 */
function renderTrace(t: TraceView): string {
  const traffic = `traffic from ${describeEnd(t.from)} to ${describeEnd(t.to)}, ${t.packet}`;
  const denied = t.steps.find((s) => s.action === 'deny');
  let head: string;
  if (t.verdict === 'unreachable') {
    head = `unreachable: ${traffic}: ${t.reason} (the policy alone would ${t.policyVerdict} it)`;
  } else if (t.verdict === 'deny' && denied?.rule) {
    const r = denied.rule;
    head = `deny: ${str(r, 'id').split('/').slice(0, 2).join('/')} rule ${str(r, 'ruleId')} (${str(r, 'direction')}, priority ${int(r, 'priority')}, ${str(r, 'action')}) decided ${traffic}`;
  } else {
    head = `${t.verdict}: ${traffic}`;
  }
  const lines = [head];
  for (const s of t.steps) lines.push(`  ${s.direction}${s.group ? ` of group ${s.group}` : ''}: ${s.summary}`);
  if (t.steps.length === 1 && t.steps[0]?.direction === 'out') lines.push('  in: not consulted (out already denied)');
  return `${lines.join('\n')}\n`;
}
