import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { CheckRunner, localExec, type CheckSpec, type CheckUpdate } from '../../src/catalog/index.js';
import { closedPort, eventually, tcpListener } from './support.js';

function spec(over: Partial<CheckSpec>): CheckSpec {
  return { id: 'c1', name: 'c1', notes: '', serviceId: 's1', kind: 'tcp', intervalMs: 50, timeoutMs: 1000, ttlMs: 0, successBeforePassing: 0, failuresBeforeCritical: 0, initialStatus: 'critical', ...over };
}

function recorder() {
  const updates: CheckUpdate[] = [];
  const runner = new CheckRunner({ onUpdate: (u) => void updates.push(u), exec: localExec, outputUpdateIntervalMs: 60_000 });
  return { updates, runner, last: () => updates[updates.length - 1] };
}

async function httpServer(status: number): Promise<{ url: string; close(): Promise<void>; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`status ${status}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

test('tcp: a listening port passes at the first run; a closed port stays critical with output', async (t) => {
  const l = await tcpListener();
  const { updates, runner } = recorder();
  t.after(async () => {
    runner.stop();
    await l.close();
  });
  runner.add(spec({ id: 'up', tcp: `127.0.0.1:${l.port}`, intervalMs: 60_000 }));
  runner.add(spec({ id: 'down', tcp: `127.0.0.1:${await closedPort()}`, intervalMs: 60_000 }));
  // interval is a minute: these results come from the run at registration.
  await eventually(async () => updates.length >= 2);
  assert.equal(updates.find((u) => u.checkId === 'up')?.status, 'passing');
  const down = updates.find((u) => u.checkId === 'down');
  assert.equal(down?.status, 'critical');
  assert.match(down!.output, /ECONNREFUSED/);
});

test('http: 200 passing, 429 warning, 500 critical; method and headers are sent', async (t) => {
  const servers = await Promise.all([httpServer(200), httpServer(429), httpServer(500)]);
  const { updates, runner } = recorder();
  t.after(async () => {
    runner.stop();
    await Promise.all(servers.map((s) => s.close()));
  });
  const [ok, limited, broken] = servers as [Awaited<ReturnType<typeof httpServer>>, Awaited<ReturnType<typeof httpServer>>, Awaited<ReturnType<typeof httpServer>>];
  runner.add(spec({ id: 'ok', kind: 'http', http: `${ok.url}/health`, method: 'POST', header: { 'X-Probe': ['kiln'] } }));
  runner.add(spec({ id: 'limited', kind: 'http', http: limited.url }));
  runner.add(spec({ id: 'broken', kind: 'http', http: broken.url }));
  await eventually(async () => updates.length >= 3);
  const by = (id: string) => updates.find((u) => u.checkId === id);
  assert.equal(by('ok')?.status, 'passing');
  assert.equal(by('limited')?.status, 'warning');
  assert.equal(by('broken')?.status, 'critical');
  assert.match(by('broken')!.output, /500/);
  assert.equal(ok.seen[0]?.['x-probe'], 'kiln');
});

test('script: exit 0 passing, 1 warning, 2 critical; a hanging command is killed at the timeout', async (t) => {
  const { updates, runner } = recorder();
  t.after(() => runner.stop());
  runner.add(spec({ id: 'zero', kind: 'script', args: ['sh', '-c', 'echo fine; exit 0'], intervalMs: 60_000, initialStatus: 'warning' }));
  runner.add(spec({ id: 'one', kind: 'script', args: ['sh', '-c', 'echo degraded; exit 1'], intervalMs: 60_000 }));
  runner.add(spec({ id: 'two', kind: 'script', args: ['sh', '-c', 'exit 2'], intervalMs: 60_000, initialStatus: 'passing' }));
  runner.add(spec({ id: 'hang', kind: 'script', args: ['sleep', '30'], intervalMs: 60_000, timeoutMs: 200, initialStatus: 'passing' }));
  await eventually(async () => updates.length >= 4);
  const by = (id: string) => updates.find((u) => u.checkId === id);
  assert.equal(by('zero')?.status, 'passing');
  assert.match(by('zero')!.output, /fine/);
  assert.equal(by('one')?.status, 'warning');
  assert.equal(by('two')?.status, 'critical');
  assert.equal(by('hang')?.status, 'critical');
  assert.match(by('hang')!.output, /Timed out/);
});

test('ttl: a heartbeat sets the status; no heartbeat within the TTL turns it critical', async (t) => {
  const { updates, runner } = recorder();
  t.after(() => runner.stop());
  runner.add(spec({ id: 'ttl', kind: 'ttl', intervalMs: 0, ttlMs: 150 }));
  assert.equal(runner.ttlUpdate('ttl', 'passing', 'alive'), true);
  assert.equal(runner.ttlUpdate('nope', 'passing', ''), false);
  await eventually(async () => updates.length >= 2);
  assert.deepEqual(updates[0], { checkId: 'ttl', status: 'passing', output: 'alive' });
  assert.equal(updates[1]?.status, 'critical');
  assert.match(updates[1]!.output, /TTL expired/);
});

test('success_before_passing and failures_before_critical need a streak before the status flips', async (t) => {
  const l = await tcpListener();
  const { updates, runner } = recorder();
  let runs = 0;
  const counting = new CheckRunner({
    onUpdate: (u) => void updates.push(u),
    exec: async () => {
      runs++;
      return { exitCode: runs <= 3 ? 0 : 2, output: `run ${runs}`, timedOut: false };
    },
  });
  t.after(async () => {
    runner.stop();
    counting.stop();
    await l.close();
  });
  counting.add(spec({ id: 'streak', kind: 'script', args: ['x'], intervalMs: 20, successBeforePassing: 3, failuresBeforeCritical: 2 }));
  // The first run's output is reported (status unchanged); after that only flips.
  const flips = () => updates.filter((u, i) => u.status !== (i === 0 ? 'critical' : updates[i - 1]!.status));
  await eventually(async () => flips().length >= 2);
  const changes = flips();
  // Passing only after the 3rd success; critical only after the 2nd failure (run 5).
  assert.deepEqual(changes[0], { checkId: 'streak', status: 'passing', output: 'run 3' });
  assert.deepEqual(changes[1], { checkId: 'streak', status: 'critical', output: 'run 5' });
});

test('only status changes are reported: a steady check reports once', async (t) => {
  const l = await tcpListener();
  const { updates, runner } = recorder();
  t.after(async () => {
    runner.stop();
    await l.close();
  });
  runner.add(spec({ id: 'steady', tcp: `127.0.0.1:${l.port}`, intervalMs: 10 }));
  await eventually(async () => runner.lag.count >= 10);
  assert.equal(updates.length, 1);
  assert.equal(updates[0]?.status, 'passing');
});

test('a check target that hangs is critical once the timeout passes', async (t) => {
  const sockets = new Set<net.Socket>();
  const hanging = http.createServer(() => {}); // never answers
  hanging.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
  const { updates, runner } = recorder();
  t.after(async () => {
    runner.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(() => r(undefined)));
  });
  runner.add(spec({ id: 'slow', kind: 'http', http: `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}/`, timeoutMs: 150, intervalMs: 60_000, initialStatus: 'passing' }));
  await eventually(async () => updates.length >= 1);
  assert.equal(updates[0]?.status, 'critical');
  assert.match(updates[0]!.output, /timeout after 150ms/);
});
