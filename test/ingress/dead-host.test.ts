/**
 * A server whose host died drops connection attempts instead of refusing them. The ingress
 * gives up on the connect after connectTimeoutMs, retries an idempotent request on another
 * server, and passes the dead one over for ejectMs — so clients see answers, not a wait for
 * the backend timeout, in the seconds before the catalog marks the instance critical.
 * The dead host is a loopback address whose SYNs an iptables rule drops (root, as the pot tests).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { backendName, eventually, request, startBackend, startStack } from './harness.js';

/** A loopback address no other test uses, and the rule that makes it a black hole. */
const BLACKHOLE = '127.77.41.9';
const rule = ['OUTPUT', '-d', BLACKHOLE, '-p', 'tcp', '-j', 'DROP'];

function blackhole(): () => void {
  execFileSync('iptables', ['-w', '-I', ...rule]);
  return () => {
    try {
      execFileSync('iptables', ['-w', '-D', ...rule], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
}

test('a dead host (dropped SYNs): connect timeout, retry elsewhere, and the server is passed over', async (t) => {
  const removeRule = blackhole();
  // backendTimeoutMs far above the test's patience: only the connect timeout can save these requests.
  const s = await startStack({ timeouts: { connectTimeoutMs: 300, ejectMs: 60_000, backendTimeoutMs: 120_000 } });
  const live = await startBackend('live');
  t.after(async () => {
    await s.close();
    await live.close();
    removeRule();
  });
  await s.register({ Name: 'web', ID: 'web-dead', Address: BLACKHOLE, Port: 8080 });
  await s.register({ Name: 'web', ID: 'web-live', Address: '127.0.0.1', Port: live.port });
  await eventually(async () => s.ingress.config.services[0]?.servers.length === 2);

  const replies = [];
  for (let i = 0; i < 8; i++) replies.push(await request(s.entry, '/', { host: 'web.minipot' }));
  assert.deepEqual(replies.map((r) => r.status), Array(8).fill(200), 'every GET is answered by the live server');
  assert.ok(replies.every((r) => backendName(r) === 'live'));
  // One request met the dead server and was retried; the rest never went there again.
  assert.equal(s.ingress.metrics.retries, 1, 'the dead server was tried once, then passed over');
  assert.equal(live.hits, 8);

  // A POST is not replayed; it only reaches the dead server if nothing else is left.
  const post = await request(s.entry, '/', { host: 'web.minipot', method: 'POST', body: 'x' });
  assert.equal(post.status, 200, 'an ejected server gets no POSTs while another server is up');
});

test('when only the dead host is left, the client gets a 502 that names the connect timeout', async (t) => {
  const removeRule = blackhole();
  const s = await startStack({ timeouts: { connectTimeoutMs: 300, backendTimeoutMs: 120_000 } });
  t.after(async () => {
    await s.close();
    removeRule();
  });
  await s.register({ Name: 'gone', ID: 'gone-1', Address: BLACKHOLE, Port: 8081 });
  await eventually(async () => s.ingress.config.services.some((x) => x.name.startsWith('gone')));
  const r = await request(s.entry, '/', { host: 'gone.minipot' });
  assert.equal(r.status, 502);
  assert.match(r.body, /could not reach server 127\.77\.41\.9:8081 of service gone@consulcatalog \(ETIMEDOUT: no connection within 300 ms\)/);
});
