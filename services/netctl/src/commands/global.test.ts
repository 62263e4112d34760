import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

const GLOBAL = {
  key: 'global',
  name: 'global',
  networkInfraType: 'default',
  fwdMode: 'bridge',
  arpMode: 'proxy',
  vlans: '1-4094',
  vxlans: '1-10000',
  pvtSubnet: '172.19.0.0/16',
  'link-sets': {},
};

void test('global info prints Contiv\'s lines; --json the list', async () => {
  nm.on('GET', '/api/v1/globals/', { json: [GLOBAL] });
  const r = await run('global', 'info');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    'Fabric mode: default\nForward mode: bridge\nARP mode: proxy\nVlan Range: 1-4094\nVxlan range: 1-10000\nPrivate subnet: 172.19.0.0/16\n',
  );
  assert.deepEqual(JSON.parse((await run('global', 'info', '-j')).stdout), [GLOBAL]);
  // Contiv accepted -t and -a here (unused); scripts that pass them still work.
  assert.equal((await run('global', 'info', '-t', 'x', '-a')).code, 0);
});

void test('global inspect', async () => {
  const body = { Config: GLOBAL, Oper: { numNetworks: 1, vxlansInUse: '1' } };
  nm.on('GET', '/api/v1/inspect/globals/global/', { json: body });
  const r = await run('global', 'inspect');
  assert.equal(r.stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('global set reads global, overlays the given flags and posts the whole object', async () => {
  nm.on('GET', '/api/v1/globals/global/', { json: GLOBAL });
  nm.on('POST', '/api/v1/globals/global/', { json: {} });
  const r = await run('global', 'set', '--fwd-mode', 'routing', '-v', '100-200', '-x', '5000-6000', '-a', 'flood', '-f', 'default', '-s', '172.20.0.0/16');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(nm.calls(), ['GET /api/v1/globals/global/', 'POST /api/v1/globals/global/']);
  assert.equal(
    nm.requests[1]?.body,
    '{"key":"global","arpMode":"flood","fwdMode":"routing","name":"global","networkInfraType":"default","pvtSubnet":"172.20.0.0/16","vlans":"100-200","vxlans":"5000-6000"}',
  );
});

void test('global set leaves fields it was not given (private subnet included) as they are', async () => {
  nm.on('GET', '/api/v1/globals/global/', { json: { ...GLOBAL, pvtSubnet: '172.30.0.0/16' } });
  nm.on('POST', '/api/v1/globals/global/', { json: {} });
  const r = await run('global', 'set', '-b', 'routing');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(nm.requests[1]?.body ?? ''), {
    key: 'global', arpMode: 'proxy', fwdMode: 'routing', name: 'global', networkInfraType: 'default', pvtSubnet: '172.30.0.0/16', vlans: '1-4094', vxlans: '1-10000',
  });
});

void test('global set usage errors send nothing', async () => {
  for (const args of [['global', 'set'], ['global', 'set', '-b', 'fast'], ['global', 'set', '-v', '1-2-3'], ['global', 'set', '-s', '10.0.0.0/8']]) {
    const r = await run(...args);
    assert.equal(r.code, 1, args.join(' '));
  }
  assert.deepEqual(nm.calls(), []);
});

void test('global set refused by netmaster: exit 3 with its message', async () => {
  nm.on('GET', '/api/v1/globals/global/', { json: GLOBAL });
  nm.on('POST', '/api/v1/globals/global/', {
    status: 500,
    text: 'Unable to update forwarding mode due to existing 0 vlans and 1 vxlans\n',
  });
  const r = await run('global', 'set', '-b', 'routing');
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'Unable to update forwarding mode due to existing 0 vlans and 1 vxlans\n');
});
