/**
 * The bridge the pipeline benchmarks program: a netdev bridge set up as the
 * agent's (OpenFlow13, fail_mode=secure) with internal ports for local
 * endpoints and one VXLAN port per remote host, so that what the reconciler
 * renders is what a real host would hold.
 */
import { OpenFlowBridge, bridgeMgmtEndpoint } from '@contiv/openflow';
import { eventually } from '../harness/eventually';
import type { Ovs } from '../harness/ovs';

/** The other hosts of the benchmarks' cluster (their VTEPs get a tunnel port each). */
export const REMOTE_HOSTS = [
  { host: 'h2', vtepIp: '192.168.250.12' },
  { host: 'h3', vtepIp: '192.168.250.13' },
] as const;

/** Ofports of a bench bridge's ports. */
export interface BenchPorts {
  /** Ofports of the internal ports the local endpoints sit on, in endpoint order. */
  readonly locals: readonly number[];
  /** Ofports of the VXLAN ports, in REMOTE_HOSTS order. */
  readonly tunnels: readonly number[];
}

export interface BenchBridge extends BenchPorts {
  readonly name: string;
  readonly bridge: OpenFlowBridge;
}

/** Creates the bridge with `localPorts` internal ports and waits until every port has its ofport. */
export async function createBenchBridge(ovs: Ovs, name: string, localPorts: number): Promise<BenchBridge> {
  const locals = Array.from({ length: localPorts }, (_, i) => `${name}l${i}`);
  const tunnels = REMOTE_HOSTS.map((_, i) => `${name}t${i}`);
  const args = ['add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure'];
  for (const p of locals) args.push('--', 'add-port', name, p, '--', 'set', 'interface', p, 'type=internal');
  tunnels.forEach((p, i) => args.push('--', 'add-port', name, p, '--', 'set', 'interface', p, 'type=vxlan', `options:remote_ip=${REMOTE_HOSTS[i]?.vtepIp ?? ''}`, 'options:key=flow'));
  await ovs.vsctl(...args);
  const bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, name), timeoutMs: 120_000 });
  const byName = await eventually(
    async () => {
      const found = new Map((await bridge.dumpPorts()).map((p) => [p.name, p.portNo]));
      const missing = [...locals, ...tunnels].filter((p) => !found.has(p));
      if (missing.length > 0) throw new Error(`${missing.length} ports have no ofport yet, e.g. ${missing[0] ?? ''}`);
      return found;
    },
    { timeoutMs: 60_000, what: `the ports of ${name} in PORT_DESC` },
  );
  const ofport = (p: string): number => byName.get(p) as number;
  return { name, bridge, locals: locals.map(ofport), tunnels: tunnels.map(ofport) };
}

export async function removeBenchBridge(ovs: Ovs, b: BenchBridge): Promise<void> {
  b.bridge.close();
  await ovs.vsctl('--if-exists', 'del-br', b.name);
}
