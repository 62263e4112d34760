import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countOvsErrors, observeDatapathFailure, observeDatapathRun, registry } from './metrics';
import { loadConfig, UsageError } from './options';

const line = (text: string, series: RegExp): number => {
  const l = text.split('\n').find((x) => series.test(x));
  return l === undefined ? NaN : Number(l.slice(l.lastIndexOf(' ') + 1));
};

void describe('netplugin metrics', () => {
  void it('--metrics-listen (env metrics_listen): off by default, host:port when given, refused when malformed', () => {
    const base = ['--cluster-store', 'etcd://127.0.0.1:2379'];
    assert.equal(loadConfig(base, {}, () => '10.0.0.1').metricsListen, undefined);
    assert.deepEqual(loadConfig([...base, '--metrics-listen', '127.0.0.1:9091'], {}, () => '10.0.0.1').metricsListen, { host: '127.0.0.1', port: 9091 });
    assert.deepEqual(loadConfig(base, { metrics_listen: ':9100' }, () => '10.0.0.1').metricsListen, { host: '', port: 9100 });
    assert.throws(() => loadConfig([...base, '--metrics-listen', '9091'], {}, () => '10.0.0.1'), (err: unknown) => err instanceof UsageError && /--metrics-listen "9091" is not host:port/.test(err.message));
  });

  void it('a datapath run sets the endpoint and flow gauges and counts the run and its bundle', async () => {
    const before = await registry.metrics();
    const bundles0 = line(before, /^contiv_openflow_bundles_total\{/);
    observeDatapathRun({ seconds: 0.02, localEndpoints: 2, remoteEndpoints: 5, adds: 10, modifies: 0, deletes: 1, total: 77 });
    observeDatapathRun({ seconds: 0.001, localEndpoints: 2, remoteEndpoints: 5, adds: 0, modifies: 0, deletes: 0, total: 77 });
    observeDatapathFailure(0.5);
    const text = await registry.metrics();
    assert.equal(line(text, /^contiv_endpoints\{location="local"/), 2);
    assert.equal(line(text, /^contiv_endpoints\{location="remote"/), 5);
    assert.equal(line(text, /^contiv_flows\{/), 77);
    assert.equal(line(text, /^contiv_openflow_bundles_total\{/) - bundles0, 1, 'a run that changed nothing sends no bundle');
    assert.ok(line(text, /^contiv_datapath_reconcile_duration_seconds_count\{[^}]*result="ok"/) >= 2);
    assert.ok(line(text, /^contiv_datapath_reconcile_duration_seconds_count\{[^}]*result="error"/) >= 1);
    assert.ok(line(text, /^contiv_flow_changes_total\{op="add"/) >= 10);
  });

  void it('counts OVS failures by channel, operation and code', async () => {
    const client = countOvsErrors({ dumpFlows: async () => Promise.reject(Object.assign(new Error('gone'), { code: 'OF_DISCONNECTED' })) }, 'openflow');
    await assert.rejects(client.dumpFlows(), /gone/);
    const text = await registry.metrics();
    assert.equal(line(text, /^contiv_ovs_errors_total\{channel="openflow",op="dumpFlows",code="OF_DISCONNECTED"/), 1);
  });
});
