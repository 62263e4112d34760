/**
 * The DNS responder's source of names: the endpoint records the agent
 * mirrors already (ClusterView) and the serviceLB records
 * (`obj/serviceLB/<tenant>:<service>`, which always carry the VIP), mirrored
 * here. The table is rebuilt on the first query after any change.
 */
import { isIPv4, serviceLbPrefix, type EndpointState } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { PrefixMirror } from '../controller/prefix-mirror';
import type { NameTable, ServiceVip } from './name-table';
import { buildNameTable } from './name-table';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,255}$/;

/** The fields of a stored serviceLB the responder needs, checked. */
export function decodeServiceVip(raw: string, key: string): ServiceVip {
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null) throw new Error(`${key}: not a JSON object`);
  const r = v as Record<string, unknown>;
  const tenantName = r['tenantName'];
  const serviceName = r['serviceName'];
  const ipAddress = r['ipAddress'] ?? '';
  if (typeof tenantName !== 'string' || !NAME.test(tenantName)) throw new Error(`${key}: tenantName is not a name`);
  if (typeof serviceName !== 'string' || !NAME.test(serviceName)) throw new Error(`${key}: serviceName is not a name`);
  if (typeof ipAddress !== 'string' || (ipAddress !== '' && !isIPv4(ipAddress))) throw new Error(`${key}: ipAddress is not an IPv4 address`);
  return { tenantName, serviceName, ipAddress };
}

export interface DnsNamesOptions {
  readonly store: Store;
  /** Every endpoint record of the cluster (ClusterView.endpoints). */
  readonly endpoints: () => readonly EndpointState[];
  /** Registers a listener for endpoint changes (ClusterView.onChange). */
  readonly onEndpointsChange: (listener: () => void) => void;
  readonly log: Logger;
}

export class DnsNames {
  private readonly services: PrefixMirror<ServiceVip>;
  private table: NameTable | undefined;

  constructor(private readonly o: DnsNamesOptions) {
    this.services = new PrefixMirror({ store: o.store, prefix: serviceLbPrefix(), what: 'serviceLBs (DNS)', decode: decodeServiceVip, log: o.log });
    const invalidate = (): void => {
      this.table = undefined;
    };
    this.services.onChange(invalidate);
    this.services.onSynced(invalidate);
    o.onEndpointsChange(invalidate);
  }

  start(): void {
    this.services.start();
  }

  stop(): Promise<void> {
    return this.services.stop();
  }

  /** The current table (built now if anything changed since the last call). */
  current(): NameTable {
    return (this.table ??= buildNameTable(this.o.endpoints(), [...this.services.entries.values()]));
  }
}
