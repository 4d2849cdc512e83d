/**
 * What the ACL guard costs per request: the same fastify route answered
 * without a guard, with a management token, with a client token of two
 * policies, and refused (anonymous), on a real SQLite store. In process
 * (fastify inject), so the figure is the guard's own work, not HTTP.
 *
 *   node dist/bench/acl-guard.bench.js [--requests 5000] [--runs 5] [--out bench/results]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { AgentAcl, AclStore } from '../src/acl/index.js';
import { silentLogger } from '../src/agent/index.js';
import { SqliteStore } from '../src/state/index.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '5000' }, runs: { type: 'string', default: '5' }, out: { type: 'string', default: 'bench/results' } } });
const requests = Number(values.requests);
const runs = Number(values.runs);

function app(acl?: AgentAcl): FastifyInstance {
  const a = Fastify({ logger: false });
  a.get('/v1/nodes', async () => []);
  acl?.protect(a, 'server');
  return a;
}

async function usPerRequest(a: FastifyInstance, headers: Record<string, string>, expect: number): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) {
      const res = await a.inject({ method: 'GET', url: '/v1/nodes', headers });
      if (res.statusCode !== expect) throw new Error(`expected ${expect}, got ${res.statusCode}: ${res.body}`);
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1e3 / requests);
  }
  return Number(samples.sort((x, y) => x - y)[Math.floor(samples.length / 2)]!.toFixed(1));
}

const dir = mkdtempSync(join(tmpdir(), 'kiln-acl-bench-'));
const store = await SqliteStore.open(join(dir, 'state.db'));
try {
  const acl = new AgentAcl({ enabled: true, dataDir: dir, logger: silentLogger, store, servers: [], rateLimit: { maxFailures: Number.MAX_SAFE_INTEGER } });
  const tokens = new AclStore(store);
  const root = await tokens.bootstrap(new Date());
  await tokens.putPolicy('nodes', '', 'node {\n  policy = "read"\n}\n');
  await tokens.putPolicy('jobs', '', 'namespace "default" {\n  policy = "read"\n}\n');
  const client = await tokens.createToken({ Name: 'bench', Policies: ['nodes', 'jobs'] }, new Date());
  const guarded = app(acl);
  const result = {
    requests,
    runs,
    loadavg1: Number(loadavg()[0]!.toFixed(2)),
    usPerRequest: {
      noGuard: await usPerRequest(app(), {}, 200),
      managementToken: await usPerRequest(guarded, { 'x-kiln-token': root.SecretID! }, 200),
      clientTokenTwoPolicies: await usPerRequest(guarded, { 'x-kiln-token': client.SecretID! }, 200),
      anonymousRefused: await usPerRequest(guarded, {}, 403),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(values.out!, { recursive: true });
  writeFileSync(join(values.out!, 'acl-guard.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
