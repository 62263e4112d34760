/**
 * The v2plugin guide's swarm-mode workflow on the local cluster:
 * `cluster up --hosts 3 --mode swarm --plugin v2` builds the managed plugin,
 * pushes it to the hosts' registries and installs it on every host the way
 * users do (`docker plugin install ... plugin_role=master|worker ...`), in a
 * swarm of the three engines. Then, as the guide's §5.1 has it:
 *
 *   docker network create svc-net1 --subnet 100.1.1.0/24 --gateway 100.1.1.254 \
 *     -d contiv/v2plugin:V --ipam-driver contiv/v2plugin:V
 *   docker service create --name my-db --replicas 3 --network svc-net1 ...
 *
 * with `--endpoint-mode dnsrr` (no IPVS here: a VIP would be useless) and
 * `--no-resolve-image` (no registry lookup for busybox). Tasks get addresses of
 * svc-net1 and reach each other across hosts.
 *
 * The store is Consul unless CONTIV_E2E_STORE says otherwise (the plugins get
 * `cluster_store=consul://192.168.250.11:8500`), so each CI run covers the
 * guide's swarm workflows on Consul (docs/testing.md). The agents' DNS
 * responder answers the swarm service and task names (docs/dns.md "Swarm").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { storeUrl } from '../harness/cluster/store';
import { eventually } from '../harness/eventually';
import { e2eStore } from '../harness/store-kind';
import { underlayIp } from '../harness/underlay';
import { defaultPluginName } from '../harness/v2plugin';
import { nslookup, type Lookup } from './dns-support';
import { inSubnet } from './support';

const PLUGIN = defaultPluginName();
const HOSTS = ['h1', 'h2', 'h3'];
const SUBNET = '100.1.1.0/24';
const STORE = e2eStore('consul');

interface Task {
  host: string;
  container: string;
  ip: string;
}

/** The running containers of a service on every host, with their svc-net1 address. */
async function serviceTasks(c: LocalCluster, service: string, network = 'svc-net1'): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const host of HOSTS) {
    const ids = (await c.docker(host, 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`)).stdout.split(/\s+/).filter(Boolean);
    for (const id of ids) {
      const ip = (await c.docker(host, 'inspect', '-f', `{{with index .NetworkSettings.Networks "${network}"}}{{.IPAddress}}{{end}}`, id)).stdout.trim();
      tasks.push({ host, container: id, ip });
    }
  }
  return tasks;
}

/** Tails of each host's plugin logs (its own /var/log/contiv, read through exec), for failure messages. */
async function pluginLogs(c: LocalCluster): Promise<string> {
  const parts: string[] = [];
  for (const h of HOSTS) {
    const r = await c.exec(h, ['sh', '-c', 'tail -n 15 /var/log/contiv/plugin_bootup.log /var/log/contiv/netplugin.log /var/log/contiv/netmaster.log 2>&1'], { allowFail: true });
    parts.push(`=== ${h}\n${r.stdout}`);
  }
  return parts.join('\n');
}

async function withLogs<T>(c: LocalCluster, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n${await pluginLogs(c)}`);
  }
}

void describe('local cluster --mode swarm --plugin v2: the guide swarm-mode workflow', { timeout: 900_000 }, () => {
  const cluster = useCluster({ hosts: 3, mode: 'swarm', plugin: 'v2', store: STORE });

  void test('docker plugin ls: the plugin is enabled on every host, under the name users type', async () => {
    for (const h of HOSTS) {
      const r = await cluster().docker(h, 'plugin', 'ls', '--format', '{{.Name}} {{.Enabled}}');
      assert.equal(r.stdout.trim(), `${PLUGIN} true`, `${h}: ${r.stdout}`);
    }
  });

  void test('status: every host has the plugin enabled and is a Ready swarm node', async () => {
    const { code, status } = await cluster().status();
    assert.equal(code, 0, JSON.stringify(status, null, 2));
    assert.equal(status.plugin, PLUGIN);
    for (const h of status.hosts) {
      assert.equal(h.plugin, 'enabled', h.key);
      assert.equal(h.swarmNode, 'Ready', h.key);
    }
  });

  void test('cat /var/log/contiv/plugin_bootup.log: each host shows its own boot, h1 the master', async () => {
    const boot = (await cluster().exec('h1', ['cat', '/var/log/contiv/plugin_bootup.log'])).stdout;
    assert.ok(boot.includes(`args: plugin_role=master plugin_mode=swarm-mode cluster_store=${storeUrl(STORE, underlayIp(1))} `), boot);
    assert.match(boot, /ctrl_ip=192\.168\.250\.11 vtep_ip=192\.168\.250\.11 iflist=eth1/);
    assert.match(boot, new RegExp(`driver name=${PLUGIN.replace(/[.]/g, '\\.')}`));
    assert.match(boot, /started netmaster/);
    assert.match(boot, /all started \(role master\)/);
    const worker = (await cluster().exec('h2', ['cat', '/var/log/contiv/plugin_bootup.log'])).stdout;
    assert.match(worker, /args: plugin_role=worker plugin_mode=swarm-mode .*ctrl_ip=192\.168\.250\.12 /);
    assert.doesNotMatch(worker, /started netmaster/);
  });

  void test('docker node ls: 3 nodes Ready, h1 the leader', async () => {
    const r = await cluster().docker('h1', 'node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}');
    const lines = r.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 3, r.stdout);
    assert.ok(lines.every((l) => / Ready( |$)/.test(l)), r.stdout);
    assert.ok(lines.some((l) => l.startsWith(`${cluster().hostState('h1').netns} Ready Leader`)), r.stdout);
  });

  void test('guide 5.1: docker network create svc-net1 -d and --ipam-driver the plugin', async () => {
    await withLogs(cluster(), async () => {
      await cluster().docker('h1', 'network', 'create', 'svc-net1', '--subnet', SUBNET, '--gateway', '100.1.1.254', '-d', PLUGIN, '--ipam-driver', PLUGIN);
      // The manager allocates the network (through the plugin) after create returns:
      // until then inspect shows an empty driver and no IPAM config.
      await eventually(
        async () => {
          const r = await cluster().docker('h1', 'network', 'inspect', '-f', '{{.Driver}} {{.IPAM.Driver}} {{json .IPAM.Config}} {{.Scope}}', 'svc-net1');
          assert.equal(r.stdout.trim(), `${PLUGIN} ${PLUGIN} [{"Subnet":"${SUBNET}","Gateway":"100.1.1.254"}] swarm`);
        },
        { timeoutMs: 20_000, intervalMs: 250, what: 'the manager to allocate svc-net1' },
      );
    });
  });

  void test('guide 5.1: docker service create my-db, 3 replicas on svc-net1: tasks Running on several nodes in 100.1.1.0/24', async () => {
    await withLogs(cluster(), async () => {
      await cluster().docker('h1', 'service', 'create', '--detach', '--name', 'my-db', '--replicas', '3', '--network', 'svc-net1', '--endpoint-mode', 'dnsrr', '--no-resolve-image', 'busybox', 'sleep', '100000');
      const tasks = await eventually(
        async () => {
          const ps = await cluster().docker('h1', 'service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}} {{.Error}}', 'my-db');
          const lines = ps.stdout.trim().split('\n').filter(Boolean);
          assert.equal(lines.filter((l) => / Running /.test(l)).length, 3, `docker service ps my-db:\n${ps.stdout}`);
          const t = await serviceTasks(cluster(), 'my-db');
          assert.equal(t.length, 3, JSON.stringify(t));
          return t;
        },
        { timeoutMs: 90_000, intervalMs: 1_000, what: '3 my-db tasks Running' },
      );
      assert.ok(new Set(tasks.map((t) => t.host)).size >= 2, `tasks on several nodes: ${JSON.stringify(tasks)}`);
      for (const t of tasks) assert.ok(inSubnet(t.ip, SUBNET), `task on ${t.host} got "${t.ip}"`);
      assert.equal(new Set(tasks.map((t) => t.ip)).size, 3, `distinct addresses: ${JSON.stringify(tasks)}`);
    });
  });

  void test('a task pings a task on another host (docker exec on the node that runs it)', async () => {
    await withLogs(cluster(), async () => {
      const tasks = await serviceTasks(cluster(), 'my-db');
      const from = tasks[0];
      const to = tasks.find((t) => from !== undefined && t.host !== from.host);
      if (!from || !to) throw new Error(`need tasks on two hosts: ${JSON.stringify(tasks)}`);
      await eventually(
        async () => {
          const r = await cluster().docker(from.host, 'exec', from.container, 'ping', '-c', '2', '-W', '2', to.ip);
          assert.match(r.stdout, /2 packets transmitted, 2 packets received/);
        },
        { timeoutMs: 30_000, intervalMs: 1_000, what: `${from.host} task to ping ${to.ip} on ${to.host}` },
      );
    });
  });

  void test("DNS: the agent's responder answers the swarm service name, tasks.<service> and task names of other hosts, from every task", async () => {
    await withLogs(cluster(), async () => {
      const tasks = await serviceTasks(cluster(), 'my-db');
      const names = new Map<string, string>();
      for (const t of tasks) names.set(t.container, (await cluster().docker(t.host, 'inspect', '-f', '{{.Name}}', t.container)).stdout.trim().replace(/^\//, ''));
      const all = tasks.map((t) => t.ip).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      for (const from of tasks) {
        // Tasks route through docker_gwbridge (Join names no gateway on a swarm engine), so ask the
        // responder at svc-net1's gateway address: its ARP answer is the gateway MAC, which is punted.
        const ask = (name: string): Promise<Lookup> => nslookup(cluster(), from.host, from.container, name, '100.1.1.254');
        await eventually(
          async () => {
            assert.deepEqual((await ask('my-db')).addresses, all);
            assert.deepEqual((await ask('tasks.my-db')).addresses, all);
            for (const to of tasks.filter((t) => t.host !== from.host)) assert.deepEqual((await ask(names.get(to.container) ?? '')).addresses, [to.ip], `${names.get(to.container) ?? ''} from ${from.host}`);
          },
          { timeoutMs: 30_000, intervalMs: 1_000, what: `my-db names to resolve from the task on ${from.host}` },
        );
      }
    });
  });

  void test('TCP between services across hosts: my-web (busybox httpd, 2 replicas, port 8080 published mode=host) answers my-db tasks and the hosts', async () => {
    await withLogs(cluster(), async () => {
      // The guide's --publish 8080:80 needs the routing mesh (IPVS); mode=host publishes on the nodes that run a task.
      await cluster().docker('h1', 'service', 'create', '--detach', '--name', 'my-web', '--publish', 'mode=host,target=80,published=8080', '--network', 'svc-net1', '--replicas', '2', '--endpoint-mode', 'dnsrr', '--no-resolve-image', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/');
      const web = await eventually(
        async () => {
          const t = await serviceTasks(cluster(), 'my-web');
          assert.equal(t.filter((x) => x.ip !== '').length, 2, JSON.stringify(t));
          return t;
        },
        { timeoutMs: 90_000, intervalMs: 1_000, what: '2 my-web tasks running' },
      );
      const db = await serviceTasks(cluster(), 'my-db');
      for (const w of web) {
        const from = db.find((d) => d.host !== w.host) ?? db[0];
        if (!from) throw new Error('no my-db task');
        const r = await cluster().docker(from.host, 'exec', from.container, 'timeout', '15', 'wget', '-qO-', `http://${w.ip}/index.html`);
        assert.match(r.stdout, /hello from contiv busybox/, `${from.host} -> my-web on ${w.host}`);
        // And through the published port, from another host's network namespace.
        const other = HOSTS.find((h) => h !== w.host) ?? 'h1';
        const page = await cluster().exec(other, ['curl', '-fsS', '-m', '10', `http://${cluster().hostState(w.host).ip}:8080/index.html`]);
        assert.match(page.stdout, /hello from contiv busybox/, `${other} -> ${w.host}:8080`);
      }
    });
  });

  void test('guide 5.2: a network made with contiv-tag=policylabel puts the tasks of my-policy-db in group1 of contiv-net-1', async () => {
    await withLogs(cluster(), async () => {
      await cluster().netctl('h1', 'network', 'create', 'contiv-net-1', '-s', '200.1.1.1/24', '-g', '200.1.1.200');
      await cluster().netctl('h1', 'policy', 'create', 'p1');
      await cluster().netctl('h1', 'group', 'create', '-p', 'p1', '-tag', 'policylabel', 'contiv-net-1', 'group1');
      await cluster().docker('h1', 'network', 'create', 'svc-net2', '-o', 'contiv-tag=policylabel', '-d', PLUGIN, '--ipam-opt', 'contiv-tag=policylabel', '--ipam-driver', PLUGIN);
      await cluster().docker('h1', 'service', 'create', '--detach', '--name', 'my-policy-db', '--replicas', '3', '--network', 'svc-net2', '--endpoint-mode', 'dnsrr', '--no-resolve-image', 'busybox', 'sleep', '100000');
      const tasks = await eventually(
        async () => {
          const t = (await serviceTasks(cluster(), 'my-policy-db', 'svc-net2')).filter((x) => x.ip !== '');
          assert.equal(t.length, 3, JSON.stringify(t));
          return t;
        },
        { timeoutMs: 90_000, intervalMs: 1_000, what: '3 my-policy-db tasks running' },
      );
      for (const t of tasks) assert.ok(inSubnet(t.ip, '200.1.1.0/24'), `task on ${t.host} got "${t.ip}" from contiv-net-1`);
      const inspect = JSON.parse((await cluster().netctl('h1', 'group', 'inspect', 'group1')).stdout) as { Oper?: { endpoints?: Array<{ ipAddress?: string[] }> } };
      const inGroup = new Set((inspect.Oper?.endpoints ?? []).flatMap((e) => e.ipAddress ?? []));
      for (const t of tasks) assert.ok(inGroup.has(t.ip), `netctl group inspect group1 lists ${t.ip}: ${[...inGroup].join(', ')}`);
    });
  });

  void test('a dockerd restart on a worker: the plugin comes back enabled, swarm reschedules, tasks reach each other again', async () => {
    await withLogs(cluster(), async () => {
      const worker = 'h2';
      await cluster().restart(worker, 'dockerd');
      await eventually(
        async () => {
          const r = await cluster().docker(worker, 'plugin', 'ls', '--format', '{{.Name}} {{.Enabled}}');
          assert.equal(r.stdout.trim(), `${PLUGIN} true`);
        },
        { timeoutMs: 60_000, intervalMs: 1_000, what: `the plugin enabled again on ${worker}` },
      );
      const tasks = await eventually(
        async () => {
          const ps = await cluster().docker('h1', 'service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', 'my-db');
          assert.equal(ps.stdout.trim().split('\n').filter((l) => l.startsWith('Running')).length, 3, ps.stdout);
          const t = (await serviceTasks(cluster(), 'my-db')).filter((x) => x.ip !== '');
          assert.equal(t.length, 3, JSON.stringify(t));
          return t;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, what: '3 my-db tasks Running again' },
      );
      for (const from of tasks) {
        for (const to of tasks.filter((x) => x.host !== from.host)) {
          await eventually(
            async () => {
              const r = await cluster().docker(from.host, 'exec', from.container, 'ping', '-c', '1', '-W', '2', to.ip);
              assert.match(r.stdout, /1 packets received/);
            },
            { timeoutMs: 30_000, intervalMs: 1_000, what: `${from.host} task to reach ${to.ip} on ${to.host}` },
          );
        }
      }
    });
  });
});
