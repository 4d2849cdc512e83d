import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePrometheusText, sampleValue, type ParsedMetrics } from '../../src/metrics/index.js';
import { eventually, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { api, jobAllocs, killRecorded, registerJob, sleeperJob, stopJob } from './jobs.js';

const tmp = tempDir('kiln-metrics-');
after(tmp.cleanup);

async function scrape(address: string): Promise<ParsedMetrics> {
  const res = await fetch(`http://${address}/v1/metrics?format=prometheus`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const atLeast = (parsed: ParsedMetrics, name: string, labels: Record<string, string>, min: number): true | undefined => ((sampleValue(parsed, name, labels) ?? -1) >= min ? true : undefined);

test('every role of a real agent serves Prometheus metrics: scheduler, store, heartbeats, allocations, leader, catalog, HTTP', async () => {
  const pidDir = join(tmp.dir, 'pids');
  mkdirSync(pidDir);
  const config = join(tmp.dir, 'net.hcl');
  writeFileSync(config, 'client {\n  jail_network {\n    bridge = "kmet0"\n    subnet = "10.238.0.0/16"\n    chain_prefix = "KMET"\n    cgroup_parent = "/kmet"\n  }\n}\n');
  let agent: AgentProcess | undefined;
  try {
    agent = await startDevAgent(join(tmp.dir, 'agent'), ['-config', config]);
    const server = agent.address.replace('http://', '');
    const catalog = /Catalog: http:\/\/([\d.]+:\d+)/.exec(agent.output())![1]!;
    const registry = /Registry: http:\/\/([\d.]+:\d+)/.exec(agent.output())![1]!;

    await registerJob(server, sleeperJob('metered', { pidDir, datacenters: ['minipot'] }));
    await eventually(async () => (await jobAllocs(server, 'metered')).find((a) => a.ClientStatus === 'running'), 30_000, 'the job running');
    await api(catalog, 'PUT', '/v1/catalog/register', { Node: 'n1', Address: '127.0.0.1', Service: { ID: 'web-1', Service: 'web', Port: 80 }, Check: { CheckID: 'web-ok', Name: 'ok', Status: 'passing', ServiceID: 'web-1' } });

    const s = await eventually(async () => {
      const m = await scrape(server);
      // Heartbeats come every TTL/2 (1-2 s with the defaults): wait for the first after registration.
      return atLeast(m, 'kiln_heartbeats_total', { outcome: 'ok' }, 1) && atLeast(m, 'kiln_client_allocations', { status: 'running' }, 1) ? m : undefined;
    }, 20_000, 'a heartbeat and the running allocation in the metrics');
    assert.equal(s.types.get('kiln_scheduler_plan_seconds'), 'histogram');
    assert.ok(sampleValue(s, 'kiln_scheduler_evals_processed_total', { type: 'service', triggered_by: 'job-register' })! >= 1);
    assert.ok(sampleValue(s, 'kiln_scheduler_plan_seconds_count', { type: 'service' })! >= 1);
    assert.ok(sampleValue(s, 'kiln_store_op_seconds_count', { backend: 'sqlite', op: 'txn' })! >= 1);
    assert.equal(sampleValue(s, 'kiln_allocations', { status: 'running' }), 1);
    assert.equal(sampleValue(s, 'kiln_nodes', { status: 'ready' }), 1);
    assert.equal(sampleValue(s, 'kiln_leader'), 1, 'a single server always leads');
    assert.ok(sampleValue(s, 'kiln_http_requests_total', { role: 'server', method: 'POST', route: '/v1/jobs', code: '200' })! >= 1);

    const c = await scrape(catalog);
    assert.ok(sampleValue(c, 'kiln_catalog_checks', { status: 'passing' })! >= 1);
    assert.ok(sampleValue(c, 'kiln_catalog_services')! >= 1);
    assert.ok(sampleValue(c, 'kiln_catalog_service_instances')! >= 1);
    assert.ok(sampleValue(c, 'kiln_http_requests_total', { role: 'catalog', method: 'PUT', route: '/v1/catalog/register', code: '200' })! >= 1);

    await scrape(registry);
    assert.ok(sampleValue(await scrape(registry), 'kiln_http_requests_total', { role: 'registry', route: '/v1/metrics', code: '200' })! >= 1);

    const json = (await (await fetch(`http://${server}/v1/metrics`)).json()) as Record<string, { type: string; values: Record<string, number> }>;
    assert.equal(json.kiln_leader?.type, 'gauge');
    assert.deepEqual(json.kiln_leader?.values, { '': 1 });

    await stopJob(server, 'metered');
  } finally {
    if (agent && agent.child.exitCode === null) await agent.interrupt();
    killRecorded(pidDir);
  }
});
