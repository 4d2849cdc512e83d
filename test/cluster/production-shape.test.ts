/**
 * The production shape as separate hosts (network namespaces on one
 * bridge): 3 etcd members, 3 servers, 3 clients, 2 ingress nodes. One
 * cluster for the whole file; scenarios run in order and each leaves the
 * cluster whole for the next (the crash of a client comes last). Numbers
 * follow the list; 6 is a fault these tests found (docs/cluster-testing.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Cluster } from '../support/cluster/cluster.js';
import { sleeperJob } from '../support/cluster/api.js';
import { KilnClient } from '../../src/api/index.js';
import type { Allocation } from '../../src/structs/index.js';
import { ApiWriter, catalogDump, countBy, KilnClientWriter, getThroughIngress, ingressServers, passingUrls, settled, upUrls } from '../support/cluster/checks.js';
import { LoadGenerator } from '../support/cluster/load.js';
import { CATALOG_PORT, catalogFor, INGRESS_PORT, repoRoot } from '../support/cluster/layout.js';
import { waitFor } from '../support/cluster/wait.js';

const JOB = 'nginx-minipot';
const SERVICE = 'hello-web';
const HOST_HEADER = 'hello-web.minipot';
const log = (msg: string): void => console.log(`# cluster: ${msg}`);

let cluster: Cluster;

before(async () => {
  const t0 = Date.now();
  cluster = await Cluster.start({});
  log(`3 etcd + 3 servers + 3 clients + 2 ingress up in ${Date.now() - t0} ms`);
});

after(async () => {
  await cluster?.stop();
});

const hostOfIp = (ip: string): string => cluster.hosts.find((h) => h.ip === ip)!.name;
const nodeIp = (name: string): string => cluster.host(name).ip;

/** The clients' last warnings and errors, for failure messages. */
const clientWarnings = (): string =>
  cluster
    .hostsOf('client')
    .map((h) => `--- ${h.name}\n${cluster.tail(h.name).split('\n').filter((l) => /\[(WARN|ERROR)\]/.test(l)).slice(-8).join('\n')}`)
    .join('\n');

/** Wait until every ingress routes to exactly the catalog's passing instances of the service, `count` of them. */
async function ingressesFollow(count: number, what: string): Promise<string[]> {
  const server = cluster.hostsOf('server')[0]!;
  let seen = '';
  return waitFor(
    async () => {
      const expected = await passingUrls(cluster.api, server, SERVICE);
      const routed = await Promise.all(cluster.hostsOf('ingress').map(async (ing) => (await upUrls(cluster.api, ing, SERVICE)).join()));
      const allocs = (await cluster.api.jobAllocs(JOB)).map((a) => `${a.NodeName}:${a.ID.slice(0, 8)}:${a.ClientStatus}/${a.DesiredStatus}`);
      seen = `catalog passing: ${expected.join()} | ingress UP: ${routed.join(' ; ')} | allocs: ${allocs.join(' ')} | catalog: ${await catalogDump(cluster.api, server, SERVICE)}`;
      return expected.length === count && routed.every((r) => r === expected.join()) ? expected : undefined;
    },
    60_000,
    what,
    () => `${seen}\n${clientWarnings()}`,
  );
}

test('1. the article job with count 3 spreads over the clients and both ingress nodes route to all three', async () => {
  const hcl = readFileSync(join(repoRoot(), 'test/fixtures/jobs/nginx-minipot.job'), 'utf8').replace(/count\s*=\s*1/, 'count = 3');
  await cluster.api.register(await cluster.api.parse(hcl));
  const allocs = await waitFor(() => settled(cluster.api, JOB, 3), 90_000, 'three nginx allocations running', () => cluster.tail('c1'));
  assert.deepEqual(Object.values(countBy(allocs, (a) => a.NodeID)), [1, 1, 1], 'one instance per client');
  const urls = await ingressesFollow(3, 'both ingress nodes to route to the three instances');
  assert.deepEqual(urls.map((u) => hostOfIp(new URL(u).hostname)).sort(), ['c1', 'c2', 'c3']);
  for (const ing of cluster.hostsOf('ingress')) {
    for (let i = 0; i < 6; i++) assert.equal(await getThroughIngress(ing, HOST_HEADER), 200, `request ${i} through ${ing.name}`);
  }
  for (const u of urls) assert.equal((await fetch(u, { signal: AbortSignal.timeout(5000) })).status, 200, `instance ${u} answers`);
});

/** The article job's running allocation IDs, sorted: unchanged across server failures means no client was declared down. */
const nginxAllocIds = async (): Promise<string[]> => (await waitFor(() => settled(cluster.api, JOB, 3), 60_000, 'three nginx allocations running')).map((a) => a.ID).sort();

test('2. SIGKILL of the leader: another leads within the lease, a job submitted right after runs, no acknowledged write is missing', async () => {
  const allocsBefore = await nginxAllocIds();
  const writer = new ApiWriter(cluster.api, 'ack');
  writer.start();
  await new Promise((r) => setTimeout(r, 1500));
  const old = (await cluster.api.agreedLeader())!;
  const victim = hostOfIp(old.split(':')[0]!);
  const others = cluster.hostsOf('server').filter((h) => h.name !== victim);
  const killedAt = Date.now();
  await cluster.kill9(victim);
  const next = await waitFor(async () => {
    const l = await cluster.api.agreedLeader(others);
    return l && l !== old ? l : undefined;
  }, 30_000, 'a new leader');
  const failoverMs = Date.now() - killedAt;
  log(`leader ${victim} killed; ${hostOfIp(next.split(':')[0]!)} leads after ${failoverMs} ms (lease_ttl 3s)`);
  await cluster.api.register(sleeperJob('after-failover', 2));
  await waitFor(() => settled(cluster.api, 'after-failover', 2), 60_000, 'the job submitted after the failover to run');
  await new Promise((r) => setTimeout(r, 500));
  await writer.stop();
  assert.ok(writer.acknowledged.length > 0, 'the writer got acknowledgements');
  assert.deepEqual(await writer.missing(), [], `acknowledged registrations missing after the failover (of ${writer.acknowledged.length})`);
  log(`${writer.acknowledged.length} registrations acknowledged around the kill, none missing; attempts retried: ${JSON.stringify(cluster.api.stats.retryReasons)}`);
  assert.deepEqual(await nginxAllocIds(), allocsBefore, 'the clients kept their allocations through the failover (none declared down)');
  await cluster.restart(victim, 'kill');
  await waitFor(() => cluster.api.agreedLeader(), 30_000, 'all three servers to agree on the leader again');
});

test('5. every server restarted one at a time under API load: no failed call beyond retried ones', async () => {
  const allocsBefore = await nginxAllocIds();
  cluster.api.resetStats();
  const writer = new ApiWriter(cluster.api, 'roll');
  const kilnWriter = new KilnClientWriter(new KilnClient({ addresses: cluster.serverUrls(), timeoutMs: 5000 }), 'roll-kc');
  writer.start();
  kilnWriter.start();
  for (const s of cluster.hostsOf('server')) {
    await cluster.restart(s.name, 'term');
    await waitFor(() => cluster.api.agreedLeader(), 30_000, `the servers to agree on a leader after restarting ${s.name}`);
  }
  await writer.stop();
  await kilnWriter.stop();
  const { ok, retried, retryReasons, failed, errors } = cluster.api.stats;
  log(`rolling restart through KilnClient (every server's address): ${kilnWriter.acknowledged.length} registrations ok, ${kilnWriter.failures.length} failed ${kilnWriter.failures.slice(0, 3).join('; ')}`);
  log(`rolling restart: ${ok} API calls ok, ${retried} attempts retried on another server ${JSON.stringify(retryReasons)}, ${failed} failed`);
  assert.deepEqual(await nginxAllocIds(), allocsBefore, 'the clients kept their allocations through the restarts (none declared down)');
  assert.equal(failed, 0, `failed API calls: ${errors.join('; ')}`);
  assert.deepEqual(await writer.missing(), [], 'acknowledged registrations missing after the rolling restart');
  assert.ok(writer.acknowledged.length > 10, `the load kept going (${writer.acknowledged.length} registrations)`);
  // KilnClient fails over on every failure that certainly did not reach a server; a write whose connection was reset
  // mid-request (a server shutting down) may have been applied, so it is reported to the caller instead (docs/cluster-testing.md).
  assert.deepEqual(kilnWriter.failures.filter((f) => !/may or may not have been applied/.test(f)), [], 'KilnClient failures other than writes of unknown outcome');
  const known = new Set(((await cluster.api.call('/v1/jobs')) as { ID: string }[]).map((j) => j.ID));
  assert.deepEqual(kilnWriter.acknowledged.filter((id) => !known.has(id)), [], 'registrations KilnClient saw acknowledged are missing');
});

test('4. a client cut off the network and brought back: its work is replaced, and no allocation is duplicated after it returns', async () => {
  const before = await waitFor(() => settled(cluster.api, JOB, 3), 60_000, 'three nginx allocations running');
  const victim = before[0]!.NodeName!;
  await cluster.linkDown(victim);
  try {
    await waitFor(async () => {
      const live = await settled(cluster.api, JOB, 3);
      return live && live.every((a) => a.NodeName !== victim) ? live : undefined;
    }, 90_000, `the allocation on ${victim} to be replaced on the other clients`);
  } finally {
    await cluster.linkUp(victim);
  }
  await waitFor(async () => (await cluster.api.readyNodes()).some((n) => n.Name === victim) || undefined, 60_000, `${victim} to be ready again`);
  // The returning client learns its allocation was replaced and stops it; the catalog then holds three instances again.
  const urls = await ingressesFollow(3, 'the catalog and both ingress nodes to settle on three instances');
  // Deregistration comes first when a task stops (shutdown_delay semantics), so the catalog can settle while the
  // returned client is still killing its replaced allocation: wait for the client to report that allocation finished.
  const describe = (allocs: Allocation[]): string => allocs.map((a) => `${a.NodeName}:${a.ClientStatus}/${a.DesiredStatus}`).join(' ');
  let last: Allocation[] = [];
  const allocs = await waitFor(async () => {
    last = await cluster.api.jobAllocs(JOB);
    return last.every((a) => a.NodeName !== victim || a.ClientStatus !== 'running') ? last : undefined;
  }, 30_000, `${victim} to stop the allocation that was replaced`, () => describe(last));
  assert.equal(allocs.filter((a) => a.DesiredStatus === 'run' && a.NodeName === victim).length, 0, `no allocation desired on ${victim} after it returned: ${describe(allocs)}`);
  const live = allocs.filter((a) => a.ClientStatus === 'running');
  assert.equal(live.length, 3, `running allocations after ${victim} returned: ${describe(allocs)}`);
  assert.equal(new Set(live.map((a) => `${a.TaskGroup}/${a.Name}`)).size, 3, 'each instance name runs once');
  assert.ok(!urls.some((u) => new URL(u).hostname === nodeIp(victim)), `no instance of ${victim} registered any more: ${urls.join(' ')}`);
  log(`${victim} cut off and back: ${live.length} running, catalog ${urls.length} instances`);
});

test('6. an allocation that starts while its client cannot reach the catalog is registered once the catalog is back', async () => {
  const client = cluster.host('c3');
  const catalogServer = cluster.hosts.find((h) => catalogFor(cluster.hosts, client) === `http://${h.ip}:${CATALOG_PORT}`)!;
  const probe = (count: number): string =>
    `job "probe" {\n  datacenters = ["minipot"]\n  group "g" {\n    count = ${count}\n    constraint {\n      attribute = "\${node.unique.name}"\n      value = "${client.name}"\n    }\n    network {\n      port "http" {}\n    }\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sleep"\n        args = ["3600"]\n      }\n      service {\n        name = "probe"\n        port = "http"\n      }\n    }\n  }\n}\n`;
  await cluster.kill9(catalogServer.name);
  await cluster.api.register(await cluster.api.parse(probe(1)));
  await waitFor(() => settled(cluster.api, 'probe', 1), 60_000, `the probe allocation to run on ${client.name}`);
  await cluster.restart(catalogServer.name, 'kill');
  const other = cluster.hostsOf('server').find((h) => h !== catalogServer)!;
  await waitFor(async () => (await passingUrls(cluster.api, other, 'probe')).length === 1 || undefined, 60_000, 'the probe service in the catalog', clientWarnings);
  await waitFor(() => cluster.api.agreedLeader(), 30_000, 'the servers to agree on a leader');
});

test('3. a client crashes: its allocations move, the ingress drops them, load sees errors only for requests in flight at the crash', async () => {
  const ingress = cluster.hostsOf('ingress')[0]!;
  const load = new LoadGenerator({ url: `http://${ingress.ip}:${INGRESS_PORT}/`, host: HOST_HEADER, workers: 4 });
  const before = await waitFor(() => settled(cluster.api, JOB, 3), 60_000, 'three nginx allocations running');
  const victim = before[0]!.NodeName!;
  load.start();
  await new Promise((r) => setTimeout(r, 1500));
  await cluster.crash(victim);
  await cluster.linkDown(victim); // a dead machine does not answer at all
  // Killing every process takes ~100 ms; requests sent before it is over count as in flight at the crash.
  const crashedAt = Date.now();
  await waitFor(async () => {
    const live = await settled(cluster.api, JOB, 3);
    return live && live.every((a) => a.NodeName !== victim) ? live : undefined;
  }, 90_000, `the allocations of ${victim} to be replaced`);
  const urls = await ingressesFollow(3, 'both ingress nodes to route to the three live instances only');
  const droppedAt = Date.now();
  for (const ing of cluster.hostsOf('ingress')) {
    const status = await ingressServers(cluster.api, ing, SERVICE);
    assert.ok(!Object.entries(status).some(([u, s]) => s === 'UP' && new URL(u).hostname === nodeIp(victim)), `${ing.name} still routes to ${victim}`);
  }
  await new Promise((r) => setTimeout(r, 1500));
  await load.stop();
  const r = load.report(crashedAt);
  const afterDrop = load.report(droppedAt, droppedAt);
  log(`crash of ${victim}: ${r.total} requests, ${r.failed} failed (${r.inFlightAt} in flight at the crash, ${r.failedAfter} sent after it) ${r.errors.join(', ')}; ingress dropped it after ${droppedAt - crashedAt} ms; failures: ${r.samples.join('; ')}`);
  assert.ok(urls.every((u) => new URL(u).hostname !== nodeIp(victim)));
  assert.equal(afterDrop.failed, 0, 'no errors once the ingress dropped the dead instances');
  assert.equal(r.failedAfter, 0, `requests sent after the crash failed (${r.errors.join(', ')}): the ingress sent them to the dead host's instance before the catalog marked it down`);
});
