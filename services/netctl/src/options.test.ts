import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from './errors';
import { DEFAULT_NETMASTER, loadConfig } from './options';

void test('--netmaster wins over NETMASTER, which wins over the default', () => {
  assert.equal(loadConfig({}, {}).netmaster, DEFAULT_NETMASTER);
  assert.equal(loadConfig({}, { NETMASTER: 'http://10.0.0.5:9999/' }).netmaster, 'http://10.0.0.5:9999');
  assert.equal(loadConfig({ netmaster: 'https://nm:443' }, { NETMASTER: 'http://10.0.0.5:9999' }).netmaster, 'https://nm:443');
  assert.equal(loadConfig({}, { NETMASTER: '  ' }).netmaster, DEFAULT_NETMASTER);
});

void test('a URL without http:// or https:// is a usage error that says what to type', () => {
  assert.throws(
    () => loadConfig({}, { NETMASTER: 'localhost:9999' }),
    (err: unknown) => err instanceof UsageError && /from NETMASTER/.test(err.message) && /http:\/\/localhost:9999/.test(err.message),
  );
  assert.throws(() => loadConfig({ netmaster: 'http://' }, {}), UsageError);
});
