import assert from 'node:assert/strict';
import test from 'node:test';
import { serviceLbKey } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { DnsNames, decodeServiceVip } from './dns-names';
import { lookupName } from './name-table';
import { endpoint } from './testing/frames';

void test('a stored serviceLB gives its tenant, name and VIP; anything else is refused with the key', () => {
  assert.deepEqual(decodeServiceVip(JSON.stringify({ tenantName: 'blue', serviceName: 'web-svc', networkName: 'net1', ipAddress: '10.1.1.200', ports: ['80:8080:TCP'] }), 'k'), {
    tenantName: 'blue',
    serviceName: 'web-svc',
    ipAddress: '10.1.1.200',
  });
  assert.equal(decodeServiceVip(JSON.stringify({ tenantName: 'blue', serviceName: 's' }), 'k').ipAddress, '');
  assert.throws(() => decodeServiceVip('[]', 'k1'), /k1: tenantName/);
  assert.throws(() => decodeServiceVip('null', 'k1'), /k1: not a JSON object/);
  assert.throws(() => decodeServiceVip(JSON.stringify({ tenantName: 'a/b', serviceName: 's' }), 'k2'), /tenantName/);
  assert.throws(() => decodeServiceVip(JSON.stringify({ tenantName: 'a', serviceName: 's', ipAddress: '10.1.1' }), 'k3'), /ipAddress/);
});

void test('follows the store: a serviceLB appears, changes VIP and goes; endpoint changes rebuild the table', async () => {
  const store = new MemoryStore();
  let endpoints = [endpoint({ endpointId: 'e1', ipAddress: '10.1.1.2', containerName: 'web' })];
  const listeners: Array<() => void> = [];
  const names = new DnsNames({ store, endpoints: () => endpoints, onEndpointsChange: (l) => listeners.push(l), log: noopLogger });
  names.start();
  const until = async (what: string, cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cond(), what);
  };
  try {
    const svc = (): readonly string[] | undefined => lookupName(names.current(), 'default/net', 'web-svc')?.addresses;
    assert.equal(svc(), undefined);
    await store.put(serviceLbKey('default', 'web-svc'), JSON.stringify({ tenantName: 'default', serviceName: 'web-svc', networkName: 'net', ipAddress: '10.1.1.200' }));
    await until('the service to resolve', () => svc()?.[0] === '10.1.1.200');
    await store.put(serviceLbKey('default', 'web-svc'), JSON.stringify({ tenantName: 'default', serviceName: 'web-svc', networkName: 'net', ipAddress: '10.1.1.201' }));
    await until('the new VIP', () => svc()?.[0] === '10.1.1.201');
    await store.delete(serviceLbKey('default', 'web-svc'));
    await until('the service to go', () => svc() === undefined);
    assert.deepEqual(lookupName(names.current(), 'default/net', 'web')?.addresses, ['10.1.1.2']);
    endpoints = [endpoint({ endpointId: 'e1', ipAddress: '10.1.1.3', containerName: 'web' })];
    assert.deepEqual(lookupName(names.current(), 'default/net', 'web')?.addresses, ['10.1.1.2'], 'kept until told');
    for (const l of listeners) l();
    assert.deepEqual(lookupName(names.current(), 'default/net', 'web')?.addresses, ['10.1.1.3']);
  } finally {
    await names.stop();
  }
});
