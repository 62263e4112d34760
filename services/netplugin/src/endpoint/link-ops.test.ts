import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandFailure, type CommandRunner } from './command-runner';
import { IpLinkOps } from './link-ops';

function recorder(replies: Record<string, { stdout?: string; stderr?: string; fail?: boolean }> = {}): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runner: {
      run(cmd, args) {
        const line = [cmd, ...args].join(' ');
        calls.push(line);
        const r = Object.entries(replies).find(([k]) => line.startsWith(k))?.[1];
        if (r?.fail) return Promise.reject(new CommandFailure(cmd, args, r.stderr ?? '', 1));
        return Promise.resolve({ stdout: r?.stdout ?? '', stderr: '' });
      },
    },
  };
}

void test('one ip command creates the veth with MTU, peer MAC and the host side up', async () => {
  const { runner, calls } = recorder();
  await new IpLinkOps(runner).createVeth({ hostName: 'cvh0123', peerName: 'cvc0123', mtu: 1450, peerMac: '02:02:0a:00:00:02' });
  await new IpLinkOps(runner).disableTxChecksumOffload('cvc0123');
  assert.deepEqual(calls, ['ip link add cvh0123 mtu 1450 up type veth peer name cvc0123 mtu 1450 address 02:02:0a:00:00:02', 'ethtool -K cvc0123 tx off']);
});

void test('deleting a link that is gone is not an error; other failures carry stderr', async () => {
  const gone = recorder({ 'ip link del': { fail: true, stderr: 'Cannot find device "cvh0123"' } });
  assert.equal(await new IpLinkOps(gone.runner).deleteLink('cvh0123'), false);
  const busy = recorder({ 'ip link del': { fail: true, stderr: 'RTNETLINK answers: Operation not permitted' } });
  await assert.rejects(new IpLinkOps(busy.runner).deleteLink('cvh0123'), /ip link del cvh0123 failed: RTNETLINK answers: Operation not permitted/);
});

void test('MTU and default route from ip -j', async () => {
  const { runner } = recorder({
    'ip -j -4 route show default': { stdout: '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]}]' },
    'ip -j link show dev eth0': { stdout: '[{"ifindex":2,"ifname":"eth0","mtu":1460}]' },
    'ip -j link show dev nope': { fail: true, stderr: 'Device "nope" does not exist.' },
  });
  const ops = new IpLinkOps(runner);
  assert.equal(await ops.defaultRouteDevice(), 'eth0');
  assert.equal(await ops.linkMtu('eth0'), 1460);
  assert.equal(await ops.linkExists('nope'), false);
});
