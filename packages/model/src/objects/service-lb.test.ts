import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModelError } from '../errors';
import { serviceLbKey, serviceLbPrefix } from '../keys';
import { endpointStateCodec } from '../state-codec';
import type { EndpointState } from '../state';
import { parseSelectors, parseServicePort, serviceLbsEqual, serviceLbSpec, serviceProviders, servicePorts, validateServiceLb } from './service-lb';
import { applyRestKey } from './validate';
import { toWire } from './wire';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isModelError(err, 'MODEL_INVALID'), String(err));
    return err.message;
  }
  assert.fail('expected a validation error');
}

const ep = (id: string, labels: Record<string, string> | undefined, over: Partial<EndpointState> = {}): EndpointState => ({
  endpointId: id,
  tenantName: 'blue',
  networkName: 'net1',
  groupName: '',
  ipAddress: `10.1.1.${id.length + 1}`,
  ipv6Address: '',
  macAddress: '',
  homingHost: 'h1',
  intfName: '',
  vtepIp: '',
  containerId: '',
  containerName: '',
  createdAt: '',
  ...(labels ? { labels } : {}),
  ...over,
});

void describe('serviceLB', () => {
  // netctl service create -t blue -network net1 -ip 10.1.1.200 -selector app=web -port 80:8080:TCP web-svc
  const sent = { serviceName: 'web-svc', tenantName: 'blue', networkName: 'net1', ipAddress: '10.1.1.200', selectors: ['app=web'], ports: ['80:8080:TCP'], 'link-sets': {}, links: { Network: {}, Tenant: {} } };

  void it('accepts what netctl sends and writes it back in Contiv’s field order', () => {
    const cfg = validateServiceLb(applyRestKey(serviceLbSpec, sent, 'blue:web-svc'), 'blue:web-svc');
    assert.deepEqual(cfg, { serviceName: 'web-svc', tenantName: 'blue', networkName: 'net1', ipAddress: '10.1.1.200', selectors: ['app=web'], ports: ['80:8080:TCP'] });
    assert.equal(JSON.stringify(toWire('blue:web-svc', cfg)), '{"key":"blue:web-svc","ipAddress":"10.1.1.200","networkName":"net1","ports":["80:8080:TCP"],"selectors":["app=web"],"serviceName":"web-svc","tenantName":"blue"}');
    assert.deepEqual(validateServiceLb({ serviceName: 's', tenantName: 't', networkName: 'n', ipAddress: '' }), { serviceName: 's', tenantName: 't', networkName: 'n' });
  });

  void it('refuses bad ports, selectors, addresses and names, naming the field', () => {
    const base = { serviceName: 's', tenantName: 't', networkName: 'n' };
    assert.match(message(() => validateServiceLb({ ...base, ports: ['80:8080'] })), /serviceLB t:s: ports\[0\] "80:8080" is not a port mapping servicePort:providerPort:protocol/);
    assert.match(message(() => validateServiceLb({ ...base, ports: ['80:8080:SCTP'] })), /is not a port mapping/);
    assert.match(message(() => validateServiceLb({ ...base, ports: ['0:8080:TCP'] })), /ports "0:8080:TCP" has a port outside 1-65535/);
    assert.match(message(() => validateServiceLb({ ...base, ports: ['80:65536:tcp'] })), /has a port outside 1-65535/);
    assert.match(message(() => validateServiceLb({ ...base, ports: ['80:8080:TCP', '80:9090:tcp'] })), /both use service port 80\/TCP/);
    assert.doesNotThrow(() => validateServiceLb({ ...base, ports: ['80:8080:TCP', '80:8080:UDP'] }));
    assert.match(message(() => validateServiceLb({ ...base, selectors: ['app'] })), /selectors\[0\] "app" is not a selector of the form key=value/);
    assert.match(message(() => validateServiceLb({ ...base, selectors: ['app=a b'] })), /is not a selector/);
    assert.match(message(() => validateServiceLb({ ...base, selectors: ['app=web', 'app=db'] })), /two values \(web and db\)/);
    assert.match(message(() => validateServiceLb({ ...base, ipAddress: '10.1.1.300' })), /ipAddress "10.1.1.300" is not a valid IPv4 address/);
    assert.match(message(() => validateServiceLb({ ...base, networkName: '' })), /networkName is required/);
    assert.match(message(() => validateServiceLb({ ...base, ports: Array.from({ length: 33 }, (_, i) => `${i + 1}:1:TCP`) })), /at most 32/);
  });

  void it('parses ports and selectors', () => {
    assert.deepEqual(parseServicePort('80:8080:TCP'), { servicePort: 80, providerPort: 8080, protocol: 'tcp' });
    assert.deepEqual(parseServicePort('53:5353:udp'), { servicePort: 53, providerPort: 5353, protocol: 'udp' });
    assert.equal(parseServicePort('80:99999:TCP'), undefined);
    assert.deepEqual(servicePorts({ ports: ['1:2:UDP'] }), [{ servicePort: 1, providerPort: 2, protocol: 'udp' }]);
    assert.deepEqual(parseSelectors(['app=web', 'tier=a=b', 'empty=']), [['app', 'web'], ['tier', 'a=b'], ['empty', '']]);
  });

  void it('compares services field by field', () => {
    const a = validateServiceLb(sent);
    assert.ok(serviceLbsEqual(a, validateServiceLb({ ...sent })));
    assert.ok(!serviceLbsEqual(a, validateServiceLb({ ...sent, ports: ['81:8080:TCP'] })));
    assert.ok(!serviceLbsEqual(a, validateServiceLb({ ...sent, selectors: ['app=db'] })));
  });

  void it('picks providers: same tenant and network, every selector matched, sorted by endpoint id', () => {
    const svc = { tenantName: 'blue', networkName: 'net1', selectors: ['app=web', 'tier=front'] };
    const eps = [
      ep('c3', { app: 'web', tier: 'front', extra: 'x' }),
      ep('a1', { app: 'web', tier: 'front' }),
      ep('b2', { app: 'web' }),
      ep('d4', { app: 'web', tier: 'back' }),
      ep('e5', undefined),
      ep('f6', { app: 'web', tier: 'front' }, { networkName: 'net2' }),
      ep('g7', { app: 'web', tier: 'front' }, { tenantName: 'red' }),
      ep('h8', { app: 'web', tier: 'front' }, { ipAddress: '' }),
    ];
    assert.deepEqual(serviceProviders(svc, eps).map((e) => e.endpointId), ['a1', 'c3']);
    assert.deepEqual(serviceProviders({ ...svc, selectors: [] }, eps), []);
    assert.deepEqual(serviceProviders({ ...svc, selectors: ['toString=x'] }, [ep('z', {})]), []);
  });

  void it('has a store key in the config area, and endpoint records carry labels', () => {
    assert.equal(serviceLbKey('blue', 'web-svc'), '/contiv.io/v1/obj/serviceLB/blue:web-svc');
    assert.ok(serviceLbKey('blue', 'web-svc').startsWith(serviceLbPrefix()));
    const rec = ep('a1', { app: 'web' });
    assert.deepEqual(endpointStateCodec.decode(endpointStateCodec.encode(rec)).labels, { app: 'web' });
    const { labels: _omit, ...old } = rec;
    assert.equal(endpointStateCodec.decode(JSON.stringify(old)).labels, undefined);
    assert.throws(() => endpointStateCodec.decode(JSON.stringify({ ...old, labels: { app: 1 } })), /endpoint state/);
  });
});
