import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { parseResolvConf, parseUpstream, parseUpstreamSetting, ResolvConfUpstreams, upstreamText } from './upstreams';

void test('upstream addresses: IP, IP:PORT, [IPv6]:PORT, bare IPv6', () => {
  assert.deepEqual(parseUpstream('10.0.0.2'), { address: '10.0.0.2', port: 53 });
  assert.deepEqual(parseUpstream(' 10.0.0.2:5353 '), { address: '10.0.0.2', port: 5353 });
  assert.deepEqual(parseUpstream('[fd00::1]:54'), { address: 'fd00::1', port: 54 });
  assert.deepEqual(parseUpstream('[fd00::1]'), { address: 'fd00::1', port: 53 });
  assert.deepEqual(parseUpstream('fd00::1'), { address: 'fd00::1', port: 53 });
  for (const bad of ['', 'dns.example', '10.0.0.256', '10.0.0.2:0', '10.0.0.2:65536', '10.0.0.2:x', '[10.0.0.2]:53x']) assert.equal(parseUpstream(bad), undefined, bad);
  assert.equal(upstreamText({ address: 'fd00::1', port: 53 }), '[fd00::1]:53');
  assert.equal(upstreamText({ address: '10.0.0.2', port: 53 }), '10.0.0.2:53');
});

void test('--dns-upstream: empty means resolv.conf, none turns forwarding off, a list is checked', () => {
  assert.deepEqual(parseUpstreamSetting(undefined), { ok: true, value: { kind: 'resolv.conf' } });
  assert.deepEqual(parseUpstreamSetting(' '), { ok: true, value: { kind: 'resolv.conf' } });
  assert.deepEqual(parseUpstreamSetting('none'), { ok: true, value: { kind: 'none' } });
  assert.deepEqual(parseUpstreamSetting('192.168.250.11:5353,10.0.0.2'), {
    ok: true,
    value: { kind: 'list', upstreams: [{ address: '192.168.250.11', port: 5353 }, { address: '10.0.0.2', port: 53 }] },
  });
  const bad = (text: string): string => {
    const r = parseUpstreamSetting(text);
    return r.ok ? '' : r.reason;
  };
  assert.match(bad('10.0.0.2,nope'), /"nope" is not IP/);
  assert.match(bad('127.0.0.11'), /embedded DNS/);
  assert.match(bad('0.0.0.0:53'), /unspecified/);
  assert.match(bad(','), /no server/);
});

void test('resolv.conf: nameserver lines only, zones dropped, no 127.0.0.11, no repeats, at most three', () => {
  const text = [
    '# generated',
    'search example.test',
    'options ndots:2',
    'nameserver 127.0.0.11',
    'nameserver 10.255.255.53',
    '  nameserver   fe80::1%eth0  # comment after',
    'nameserver 10.255.255.53',
    'nameserver not-an-address',
    'nameserver 127.0.0.53',
    'nameserver 10.0.0.9',
  ].join('\n');
  assert.deepEqual(parseResolvConf(text), [
    { address: '10.255.255.53', port: 53 },
    { address: 'fe80::1', port: 53 },
    { address: '127.0.0.53', port: 53 },
  ]);
  assert.deepEqual(parseResolvConf(''), []);
});

void test('the resolv.conf file is read again when it changes, and an unreadable one gives no upstream', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolv-'));
  const file = path.join(dir, 'resolv.conf');
  try {
    let now = 0;
    fs.writeFileSync(file, 'nameserver 10.0.0.1\n');
    const r = new ResolvConfUpstreams(file, 1_000, () => now);
    assert.deepEqual(r.current(), [{ address: '10.0.0.1', port: 53 }]);
    fs.writeFileSync(file, 'nameserver 10.0.0.2\nnameserver 10.0.0.3\n');
    assert.deepEqual(r.current(), [{ address: '10.0.0.1', port: 53 }], 'not checked again within recheckMs');
    now += 1_000;
    assert.deepEqual(r.current().map((u) => u.address), ['10.0.0.2', '10.0.0.3']);
    fs.rmSync(file);
    now += 1_000;
    assert.deepEqual(r.current(), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
