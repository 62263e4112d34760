/**
 * serviceLB (contivmodel/serviceLB.json): `/api/v1/serviceLBs/<tenantName>:<serviceName>/`.
 * A virtual IP and ports on one network; the endpoints of that network whose
 * container labels match every selector are its providers (backends), and
 * each agent balances connections to VIP:port across them (docs/service-lb.md).
 *
 * The record netmaster stores (serviceLbKey) always carries `ipAddress`: the
 * address given, or the one netmaster allocated from the network's pool when
 * none was. Agents and the DNS responder read the VIP from there.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import { IPV4 } from '../ip/ipv4';
import type { EndpointState } from '../state';
import type { EndpointOper } from './endpoint';
import { NAME_DESCRIPTION, NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

/** Most ports and selectors one service may carry (each port is flows on every host). */
export const MAX_SERVICE_PORTS = 32;
export const MAX_SERVICE_SELECTORS = 32;

/** `servicePort:providerPort:protocol`, e.g. `80:8080:TCP` (protocol in either case). */
export const SERVICE_PORT_PATTERN = '^[0-9]{1,5}:[0-9]{1,5}:(TCP|UDP|tcp|udp)$';
/** `key=value`: a Docker label name (no `=` or space) and a value (no space). */
export const SELECTOR_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}=[^\\s=]{0,253}$';

const Name = (maxLength: number) => Type.String({ maxLength, pattern: NAME_PATTERN, description: NAME_DESCRIPTION });

export const ServiceLbSchema = Type.Object({
  serviceName: Name(256),
  tenantName: Name(64),
  networkName: Name(64),
  ipAddress: Type.Optional(Type.String({ maxLength: 15, pattern: `^(${IPV4})?$`, description: 'a valid IPv4 address' })),
  selectors: Type.Optional(
    Type.Array(Type.String({ maxLength: 512, pattern: SELECTOR_PATTERN, description: 'a selector of the form key=value (a label name and its value, no spaces)' })),
  ),
  ports: Type.Optional(
    Type.Array(Type.String({ maxLength: 32, pattern: SERVICE_PORT_PATTERN, description: 'a port mapping servicePort:providerPort:protocol (e.g. 80:8080:TCP, protocol TCP or UDP)' })),
  ),
});
export type ServiceLbConfig = Static<typeof ServiceLbSchema>;

export type ServiceProtocol = 'tcp' | 'udp';

/** One parsed `ports` entry. */
export interface ServicePort {
  readonly servicePort: number;
  readonly providerPort: number;
  readonly protocol: ServiceProtocol;
}

/** Parses `80:8080:TCP`; undefined when malformed or a port is outside 1..65535. */
export function parseServicePort(text: string): ServicePort | undefined {
  const m = /^([0-9]{1,5}):([0-9]{1,5}):(tcp|udp)$/i.exec(text);
  if (!m) return undefined;
  const servicePort = Number(m[1]);
  const providerPort = Number(m[2]);
  if (servicePort < 1 || servicePort > 65535 || providerPort < 1 || providerPort > 65535) return undefined;
  return { servicePort, providerPort, protocol: (m[3] ?? '').toLowerCase() as ServiceProtocol };
}

/** The parsed ports of a (validated) service. */
export function servicePorts(svc: Pick<ServiceLbConfig, 'ports'>): ServicePort[] {
  return (svc.ports ?? []).map(parseServicePort).filter((p): p is ServicePort => p !== undefined);
}

/** Parses `key=value` selectors into pairs (the first `=` splits). */
export function parseSelectors(selectors: readonly string[] | undefined): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const s of selectors ?? []) {
    const i = s.indexOf('=');
    if (i > 0) out.push([s.slice(0, i), s.slice(i + 1)] as const);
  }
  return out;
}

function checkServiceLb(s: ServiceLbConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if ((s.ports ?? []).length > MAX_SERVICE_PORTS) issues.push({ field: 'ports', message: `ports lists ${s.ports?.length ?? 0} mappings; a service can have at most ${MAX_SERVICE_PORTS}` });
  if ((s.selectors ?? []).length > MAX_SERVICE_SELECTORS) issues.push({ field: 'selectors', message: `selectors lists ${s.selectors?.length ?? 0} selectors; a service can have at most ${MAX_SERVICE_SELECTORS}` });
  const seen = new Map<string, string>();
  for (const text of s.ports ?? []) {
    const p = parseServicePort(text);
    if (!p) {
      issues.push({ field: 'ports', message: `ports ${JSON.stringify(text)} has a port outside 1-65535` });
      continue;
    }
    const id = `${p.servicePort}/${p.protocol}`;
    const before = seen.get(id);
    if (before !== undefined) issues.push({ field: 'ports', message: `ports ${JSON.stringify(before)} and ${JSON.stringify(text)} both use service port ${p.servicePort}/${p.protocol.toUpperCase()}` });
    seen.set(id, text);
  }
  const keys = new Map<string, string>();
  for (const [k, v] of parseSelectors(s.selectors)) {
    const before = keys.get(k);
    if (before !== undefined && before !== v) issues.push({ field: 'selectors', message: `selectors give label ${k} two values (${before} and ${v}); no container could match` });
    keys.set(k, v);
  }
  return issues;
}

export const serviceLbSpec: ObjectSpec<typeof ServiceLbSchema> = {
  kind: 'serviceLB',
  schema: ServiceLbSchema,
  keyFields: ['tenantName', 'serviceName'],
  check: checkServiceLb,
};

/** REST key of a service: `tenant:service`. */
export const serviceLbRestKey = (tenantName: string, serviceName: string): string => `${tenantName}:${serviceName}`;

export const SERVICE_LB_LINKS = ['Network', 'Tenant'] as const;

export function validateServiceLb(input: unknown, key?: string): ServiceLbConfig {
  return validateObject(serviceLbSpec, input, key);
}

/** Services compare equal when every configured field does (order of selectors and ports included). */
export function serviceLbsEqual(a: ServiceLbConfig, b: ServiceLbConfig): boolean {
  const list = (x: readonly string[] | undefined) => (x ?? []).join('\n');
  return a.networkName === b.networkName && (a.ipAddress ?? '') === (b.ipAddress ?? '') && list(a.selectors) === list(b.selectors) && list(a.ports) === list(b.ports);
}

/** The endpoint fields provider selection and the data path need. */
export type ProviderCandidate = Pick<EndpointState, 'endpointId' | 'tenantName' | 'networkName' | 'ipAddress' | 'labels'>;

/**
 * The providers of a service: endpoints of its tenant and network with an
 * IPv4 address whose labels carry every selector's key with its value. A
 * service without selectors has no providers (Contiv's behaviour: it selects
 * nothing rather than everything). Sorted by endpoint id so every host and
 * netmaster list them in the same order.
 */
export function serviceProviders<E extends ProviderCandidate>(svc: Pick<ServiceLbConfig, 'tenantName' | 'networkName' | 'selectors'>, endpoints: Iterable<E>): E[] {
  const wanted = parseSelectors(svc.selectors);
  if (wanted.length === 0) return [];
  const out: E[] = [];
  for (const ep of endpoints) {
    if (ep.tenantName !== svc.tenantName || ep.networkName !== svc.networkName || !ep.ipAddress) continue;
    const labels = ep.labels ?? {};
    if (wanted.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v)) out.push(ep);
  }
  return out.sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
}

/** serviceLB inspect Oper (contivmodel serviceLB.json operProperties). */
export interface ServiceLbOper {
  numProviders?: number;
  providers?: EndpointOper[];
  serviceVip?: string;
}
