import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShimError } from '../errors';
import {
  allocateNetworkRequest,
  createEndpointRequest,
  createEndpointResponse,
  createNetworkRequest,
  discoveryRequest,
  joinRequest,
  joinResponse,
} from './network-driver';

void test('CreateNetwork: generic options are unnested, booleans and IPv4Data converted', () => {
  const req = createNetworkRequest({
    NetworkID: 'n1',
    Options: {
      'com.docker.network.generic': { tenant: 'blue', network: 'net1', 'pkt-tag': 12 as unknown as string, odd: { a: 1 } },
      'com.docker.network.enable_ipv6': false,
      'com.docker.network.enable_ipv4': true,
      'com.docker.network.internal': true,
    },
    IPv4Data: [{ AddressSpace: 'contiv-local', Pool: '10.1.0.0/16', Gateway: '10.1.0.1/16', AuxAddresses: { x: '10.1.0.5/16' } }],
    IPv6Data: [],
  });
  assert.deepEqual(req, {
    networkId: 'n1',
    genericOptions: { tenant: 'blue', network: 'net1', 'pkt-tag': '12' },
    enableIpv6: false,
    internal: true,
    ipv4Data: [{ addressSpace: 'contiv-local', pool: '10.1.0.0/16', gateway: '10.1.0.1/16', auxAddresses: { x: '10.1.0.5/16' } }],
    ipv6Data: [],
  });
});

void test('CreateNetwork: the classic shape (null data, no internal flag) is accepted', () => {
  const req = createNetworkRequest({ NetworkID: 'n', Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': {} }, IPv4Data: null, IPv6Data: null });
  assert.equal(req.internal, false);
  assert.deepEqual(req.ipv4Data, []);
  assert.deepEqual(req.genericOptions, {});
});

void test('CreateNetwork: a missing NetworkID or a wrong type is a bad request naming the field', () => {
  assert.throws(() => createNetworkRequest({}), (e: unknown) => isShimError(e, 'SHIM_BAD_REQUEST') && /NetworkID/.test(e.message));
  assert.throws(() => createNetworkRequest({ NetworkID: 'n', IPv4Data: {} }), /IPv4Data must be an array/);
  assert.throws(() => createNetworkRequest({ NetworkID: 'n', IPv4Data: [{ Pool: 7 }] }), /IPv4Data\[0\]\.Pool must be a string/);
  assert.throws(() => createNetworkRequest([]), /body must be a JSON object/);
});

void test('AllocateNetwork: flat options, string values only', () => {
  const req = allocateNetworkRequest({ NetworkID: 'n', Options: { 'contiv-tag': 't', n: 1 }, IPv4Data: [{ Pool: '10.0.0.0/24' }] });
  assert.deepEqual(req.options, { 'contiv-tag': 't' });
  assert.equal(req.ipv4Data?.[0]?.pool, '10.0.0.0/24');
});

void test('CreateEndpoint: interface fields and string-valued options only', () => {
  const req = createEndpointRequest({
    NetworkID: 'n',
    EndpointID: 'e',
    Interface: { Address: '10.1.0.7/16', AddressIPv6: '', MacAddress: '' },
    Options: { 'com.docker.network.endpoint.exposedports': [{ Proto: 6, Port: 80 }], 'com.docker.network.portmap': [], foo: 'bar' },
  });
  assert.deepEqual(req, {
    networkId: 'n',
    endpointId: 'e',
    interface: { address: '10.1.0.7/16', addressIpv6: '', macAddress: '' },
    options: { foo: 'bar' },
  });
  assert.deepEqual(createEndpointRequest({ NetworkID: 'n', EndpointID: 'e', Interface: null }).interface, { address: '', addressIpv6: '', macAddress: '' });
});

void test('CreateEndpoint reply carries only the fields the agent filled in', () => {
  assert.deepEqual(createEndpointResponse({ interface: { address: '', addressIpv6: '', macAddress: '02:02:0a:01:00:07' } }), {
    Interface: { MacAddress: '02:02:0a:01:00:07' },
  });
  assert.deepEqual(createEndpointResponse({ interface: { address: '', addressIpv6: '', macAddress: '' } }), {});
  assert.deepEqual(createEndpointResponse({ interface: null }), {});
});

void test('Join: request and Go-style reply', () => {
  assert.deepEqual(joinRequest({ NetworkID: 'n', EndpointID: 'e', SandboxKey: '/var/run/docker/netns/x', Options: { a: 'b', c: 1 } }), {
    networkId: 'n',
    endpointId: 'e',
    sandboxKey: '/var/run/docker/netns/x',
    options: { a: 'b' },
  });
  assert.deepEqual(
    joinResponse({
      srcName: 'cp0123456789ab',
      dstPrefix: 'eth',
      gateway: '10.1.0.1',
      gatewayIpv6: '',
      staticRoutes: [{ destination: '169.254.1.1/32', routeType: 1, nextHop: '' }],
      disableGatewayService: false,
    }),
    {
      InterfaceName: { SrcName: 'cp0123456789ab', DstPrefix: 'eth' },
      Gateway: '10.1.0.1',
      GatewayIPv6: '',
      StaticRoutes: [{ Destination: '169.254.1.1/32', RouteType: 1, NextHop: '' }],
      DisableGatewayService: false,
    },
  );
});

void test('DiscoverNew: the capitalised Self of the untagged Go struct', () => {
  assert.deepEqual(discoveryRequest({ DiscoveryType: 1, DiscoveryData: { Address: '192.168.1.1', BindAddress: '', Self: true } }, '/NetworkDriver.DiscoverNew'), {
    discoveryType: 1,
    address: '192.168.1.1',
    bindAddress: '',
    self: true,
  });
});
