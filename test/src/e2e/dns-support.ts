/** DNS lookups from inside containers (busybox nslookup), for the DNS e2e tests. */
import type { LocalCluster } from '../harness/cluster/client';

export interface Lookup {
  /** IPv4 addresses of the answer, sorted numerically. */
  readonly addresses: string[];
  /** ok: an answer with addresses; else what nslookup reported. */
  readonly status: 'ok' | 'NXDOMAIN' | 'SERVFAIL' | 'no answer' | 'failed';
  readonly output: string;
}

const ipNum = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Parses busybox nslookup's output: `Address: a.b.c.d` lines after `Name:` (the server's own `Address: ip:53` line has a port). */
export function parseNslookup(output: string): Lookup {
  const addresses = [...output.matchAll(/^Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1] as string).sort((a, b) => ipNum(a) - ipNum(b));
  let status: Lookup['status'] = 'failed';
  if (addresses.length > 0) status = 'ok';
  else if (/NXDOMAIN/.test(output)) status = 'NXDOMAIN';
  else if (/SERVFAIL/.test(output)) status = 'SERVFAIL';
  else if (/No answer/i.test(output)) status = 'no answer';
  return { addresses, status, output };
}

/**
 * `nslookup -type=a NAME [SERVER]` in a running container on `host`: through
 * Docker's embedded DNS (127.0.0.11) when no server is given, which answers
 * the names of its own engine and forwards the rest out of the container's
 * default route (the Contiv gateway: the agent's responder); straight to the
 * agent with a server address off the subnet (or the gateway's address).
 */
export async function nslookup(c: LocalCluster, host: string, container: string, name: string, server?: string): Promise<Lookup> {
  const r = await c.exec(host, ['docker', 'exec', container, 'timeout', '10', 'nslookup', '-type=a', name, ...(server !== undefined ? [server] : [])], { allowFail: true });
  return parseNslookup(`${r.stdout}\n${r.stderr}`);
}
