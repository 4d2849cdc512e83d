import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendName, eventually, request, startBackend, startStack, type Backend } from './harness.js';

test('scaling 1 → 3 → 1 under a steady load gives zero failed requests, and every instance gets traffic', async (t) => {
  const s = await startStack();
  const backends: Backend[] = [];
  t.after(async () => {
    await s.close();
    for (const b of backends) await b.close();
  });
  backends.push(await startBackend('b0'));
  await s.register({ Name: 'web', ID: 'web-0', Address: '127.0.0.1', Port: backends[0]!.port });
  await eventually(async () => (await request(s.entry, '/', { host: 'web.minipot' })).status === 200);

  const failures: string[] = [];
  const served = new Map<string, number>();
  let running = true;
  const load = (async () => {
    const workers = [1, 2, 3, 4].map(async () => {
      while (running) {
        try {
          const r = await request(s.entry, '/', { host: 'web.minipot' });
          if (r.status !== 200) failures.push(`${r.status} ${r.body}`);
          else served.set(backendName(r)!, (served.get(backendName(r)!) ?? 0) + 1);
        } catch (e) {
          failures.push(String(e));
        }
      }
    });
    await Promise.all(workers);
  })();

  for (const i of [1, 2]) {
    const b = await startBackend(`b${i}`);
    backends.push(b);
    await s.register({ Name: 'web', ID: `web-${i}`, Address: '127.0.0.1', Port: b.port });
  }
  await eventually(async () => ['b0', 'b1', 'b2'].every((n) => (served.get(n) ?? 0) > 5));
  // Graceful scale-down: deregister first, then stop the process.
  await s.deregister('web-1');
  await eventually(async () => s.ingress.config.services[0]!.servers.length === 2);
  await backends[1]!.close();
  // A crash: the process dies before the catalog knows; GET retries cover the gap.
  await backends[2]!.close();
  await s.deregister('web-2');
  await eventually(async () => s.ingress.config.services[0]!.servers.length === 1);
  const before = served.get('b0') ?? 0;
  await eventually(async () => (served.get('b0') ?? 0) > before + 20);
  running = false;
  await load;
  assert.deepEqual(failures, []);
});
