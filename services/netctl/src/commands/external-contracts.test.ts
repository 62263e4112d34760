import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('external-contracts create sends Contiv’s body (link-sets, no links) and prints Contiv’s line', async () => {
  nm.on('POST', '/api/v1/extContractsGroups/blue:ext1/', { json: {} });
  const r = await run('external-contracts', 'create', '-t', 'blue', '-c', '-a', 'uni/tn-common/brc-default', '-a', 'uni/tn-common/brc-web', 'ext1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating ExternalContracts blue:ext1\n');
  assert.equal(
    nm.requests[0]?.body,
    '{"contracts":["uni/tn-common/brc-default","uni/tn-common/brc-web"],"contractsGroupName":"ext1","contractsType":"consumed","tenantName":"blue","link-sets":{}}',
  );
  nm.on('POST', '/api/v1/extContractsGroups/default:ext2/', { json: {} });
  assert.equal((await run('external-contracts', 'create', '--provided', '--contract', 'uni/tn-common/brc-default', 'ext2')).code, 0);
  assert.match(nm.requests[1]?.body ?? '', /"contractsType":"provided"/);
});

void test('external-contracts create: exactly one of -p/-c and at least one -a, else exit 1 and nothing sent', async () => {
  const cases: [string[], RegExp][] = [
    [['-p', '-c', '-a', 'x', 'e'], /Cannot use both provided and consumed/],
    [['-a', 'x', 'e'], /Either provided or consumed must be specified/],
    [['-c', 'e'], /Contracts not provided/],
    [['-c', '-a', 'a b', 'e'], /contracts\[0\] "a b" is not a contract name/],
    [['-c', '-a', 'x', 'e_1'], /contractsGroupName "e_1" is not a valid name/],
  ];
  for (const [args, re] of cases) {
    const r = await run('external-contracts', 'create', ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr.split('\n')[0] ?? '', re, args.join(' '));
  }
  assert.deepEqual(nm.calls(), []);
});

void test('external-contracts rm prints Contiv’s line; inspect prints JSON; ls shows the contracts', async () => {
  nm.on('DELETE', '/api/v1/extContractsGroups/default:ext1/', { json: 'default:ext1' });
  const rm = await run('external-contracts', 'rm', 'ext1');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'Deleting external contracts group ext1 in tenant default\n');
  const body = { Config: { key: 'default:ext1' } };
  nm.on('GET', '/api/v1/inspect/extContractsGroups/default:ext1/', { json: body });
  assert.equal((await run('external-contracts', 'inspect', 'ext1')).stdout, `${JSON.stringify(body, null, 2)}\n`);
  nm.on('GET', '/api/v1/tenants/default/', { json: { tenantName: 'default' } });
  nm.on('GET', '/api/v1/extContractsGroups/', {
    json: [
      { tenantName: 'default', contractsGroupName: 'ext1', contractsType: 'consumed', contracts: ['uni/a', 'uni/b'] },
      { tenantName: 'blue', contractsGroupName: 'ext9', contractsType: 'provided', contracts: ['uni/c'] },
    ],
  });
  const ls = await run('external-contracts', 'ls');
  assert.equal(ls.code, 0, ls.stderr);
  assert.equal(ls.stdout, ['Tenant   Name  Type      Contracts', '------   ----  ----      ---------', 'default  ext1  consumed  uni/a,uni/b', ''].join('\n'));
  assert.equal((await run('external-contracts', 'ls', '-a', '-q')).stdout, 'ext9\next1\n');
});
