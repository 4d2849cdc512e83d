import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { PotDriver } from '../../../src/drivers/pot/index.js';
import type { ImageProgress } from '../../../src/drivers/pot/index.js';
import { ensureDemoImages } from '../../../src/images/demo/index.js';
import { ImageStore } from '../../../src/images/index.js';
import { startRegistry } from '../../images/helpers.js';
import type { TestRegistry } from '../../images/helpers.js';
import { eventually, freePort, PotSandbox, rulesMentioning } from './helpers.js';

/**
 * The article's task, unchanged, end to end at the driver: the real image
 * store fetches the nginx-nomad demo image from a local registry through a
 * mirror of the article's URL, and the jail serves it on a mapped port.
 */
let box: PotSandbox;
let registry: TestRegistry;
let store: ImageStore;
before(async () => {
  box = new PotSandbox();
  registry = await startRegistry();
  const built = await ensureDemoImages(registry.dataDir, { only: ['nginx-nomad'] });
  assert.deepEqual(built.map((b) => [b.status, b.error]), [['built', undefined]]);
  store = await ImageStore.create({ cacheDir: `${box.root}/image-cache`, mirrors: [{ prefix: 'https://potluck.honeyguide.net/', replacement: `${registry.url}/` }] });
});
after(async () => {
  await box.cleanup();
  await registry.close();
});

test("the article's nginx job config runs in a jail: nginx answers on 127.0.0.1:<dynamic port>, logs flow, exec works", async () => {
  const driver = await PotDriver.create({ stateDir: box.stateDir, images: store, bridge: box.bridge, subnet: box.subnet, chainPrefix: box.chainPrefix, cgroupParent: box.cgroupParent });
  const hostPort = await freePort();
  const cfg = box.config(
    'www1',
    {
      image: 'https://potluck.honeyguide.net/nginx-nomad',
      pot: 'nginx-nomad-amd64-13_1',
      tag: '1.1.13',
      command: 'nginx',
      args: ['-g', "'daemon off;'"],
      port_map: { http: '80' },
    },
    { ports: [{ Label: 'http', Value: hostPort, To: 0, HostIP: '127.0.0.1' }], resources: { CPU: 200, MemoryMB: 64 } },
  );
  const progress: ImageProgress[] = [];
  await driver.startTask(cfg, { onProgress: (p) => progress.push(p) });
  assert.ok(progress.length > 0, 'image progress was reported');
  const res = await eventually(() => fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(2000) }), 15_000);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('server') ?? '', /nginx/);
  await res.text();
  assert.equal((await fetch(`http://${driver.jailAddress(cfg.id)}:80/`)).status, 200, 'the jail address answers too');
  await eventually(() => box.log(cfg, 'stdout').includes('GET / HTTP/1.1'), 5000);

  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const exec = await driver.execTask(cfg.id, { command: ['/bin/sh', '-c', 'ls /usr/sbin/nginx && hostname'], tty: false, stdout: out, stderr: out });
  assert.equal(exec.exitCode, 0, text);
  assert.equal(text, `/usr/sbin/nginx\nwww1-${cfg.allocId.slice(0, 8)}\n`);

  await driver.stopTask(cfg.id, 5000, 'SIGQUIT'); // nginx's graceful stop
  const exit = await driver.waitTask(cfg.id);
  assert.equal(exit.exitCode, 0, JSON.stringify(exit));
  await driver.destroyTask(cfg.id);
  assert.deepEqual(rulesMentioning(cfg.allocId), []);
  assert.deepEqual(store.list().flatMap((i) => i.holders), [], "the image is no longer held");
});
