import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PotDriver, PotTaskHandle } from '../../../src/drivers/pot/index.js';
import { KilnError } from '../../../src/structs/index.js';
import { eventually, freePort, linksOn, mountsUnder, netnsList, PotSandbox, rulesMentioning } from './helpers.js';

let box: PotSandbox;
let driver: PotDriver;
before(async () => {
  box = new PotSandbox();
  driver = await box.driver();
});
after(() => box.cleanup());

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.text();
}

test('fingerprint: detected and healthy with runc, cgroup layout and bridge attributes', async () => {
  const info = await driver.fingerprint();
  assert.equal(info.Detected, true);
  assert.equal(info.Healthy, true, info.HealthDescription);
  assert.equal(info.Attributes['driver.pot'], '1');
  assert.match(info.Attributes['driver.pot.runtime'] ?? '', /^runc \d+\.\d+\.\d+/);
  assert.match(info.Attributes['driver.pot.cgroups'] ?? '', /^(v1|hybrid|v2)$/);
  assert.equal(info.Attributes['driver.pot.bridge'], box.bridge);
});

test('httpd in a jail answers on 127.0.0.1:<host port> (port_map) and on the jail address; destroy leaves nothing', async () => {
  const hostPort = await freePort();
  const page = join(box.root, 'index.html');
  writeFileSync(page, 'hello from the jail\n');
  const cfg = box.config('web', { command: 'httpd', args: ['-f', '-p', '80', '-h', '/var/www'], port_map: { http: '80' }, copy: [`${page}:/var/www/index.html`] }, {
    ports: [{ Label: 'http', Value: hostPort, To: 0, HostIP: '127.0.0.1' }],
  });
  const handle = await driver.startTask(cfg);
  const ip = driver.jailAddress(cfg.id)!;
  assert.deepEqual((handle as PotTaskHandle).network, { IP: ip, PortMap: { http: 80 }, AutoAdvertise: false });
  assert.ok(ip.startsWith(box.subnet.split('.').slice(0, 3).join('.')), `jail address ${ip} is in ${box.subnet}`);
  assert.equal(await eventually(() => get(`http://127.0.0.1:${hostPort}/`)), 'hello from the jail\n');
  assert.equal(await get(`http://${ip}:80/`), 'hello from the jail\n');
  const redirections = await driver.portRedirections();
  assert.deepEqual(
    redirections.filter((r) => r.taskId === cfg.id).map((r) => [r.hostPort, r.jailIp, r.jailPort, r.label]),
    [[hostPort, ip, 80, 'http']],
  );

  const state = handle.state as { containerId: string; net: { netns: string; hostVeth: string } };
  await driver.stopTask(cfg.id, 2000, 'SIGTERM');
  await driver.destroyTask(cfg.id);
  await driver.destroyTask(cfg.id); // idempotent
  const runcList = spawnSync('runc', ['--root', join(box.stateDir, 'runc'), 'list', '-q']).stdout.toString();
  assert.ok(!runcList.includes(state.containerId), 'no runc container left');
  assert.deepEqual(mountsUnder(cfg.taskDir), [], 'no mount left');
  assert.ok(!netnsList().includes(state.net.netns), 'no netns left');
  assert.ok(!linksOn(box.bridge).includes(state.net.hostVeth), 'no veth left');
  assert.deepEqual(rulesMentioning(cfg.allocId), [], 'no iptables rule left');
  assert.deepEqual(Object.values(driver.network.leases()), [], 'no address lease left');
  assert.deepEqual(box.images.holders(), [], 'the image is released');
});

test('an unknown port_map label fails the start with the group\'s real labels, leaving nothing', async () => {
  const cfg = box.config('badport', { command: 'httpd', args: ['-f'], port_map: { web: '80' } }, { ports: [{ Label: 'http', Value: 20001, To: 0, HostIP: '' }] });
  await assert.rejects(driver.startTask(cfg), (e: unknown) => e instanceof KilnError && e.code === 'DRIVER_ERROR' && /port_map label "web".*its ports: http/.test(e.message));
  assert.deepEqual(rulesMentioning(cfg.allocId), []);
  assert.deepEqual(mountsUnder(cfg.taskDir), []);
});

test('network_mode "host": no netns, the jail sees the node\'s interfaces', async () => {
  const cfg = box.config('hostnet', { command: 'sh', args: ['-c', "'ip -o link show; sleep 1000'"], network_mode: 'host' });
  await driver.startTask(cfg);
  assert.equal(driver.jailAddress(cfg.id), undefined);
  const out = await eventually(() => (box.log(cfg, "stdout").includes(`${box.bridge}:`) ? box.log(cfg, "stdout") : ""));
  assert.match(out, new RegExp(box.bridge));
  await driver.destroyTask(cfg.id);
  assert.deepEqual(mountsUnder(cfg.taskDir), []);
});

test('a jail reaches another jail through the bridge and resolves extra_hosts', async () => {
  const page = join(box.root, 'srv.html');
  writeFileSync(page, 'backend\n');
  const server = box.config('srv', { command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'], copy: [`${page}:/var/www/index.html`] });
  await driver.startTask(server);
  const serverIp = driver.jailAddress(server.id)!;
  const client = box.config('cli', { command: 'sh', args: ['-c', "'while true; do wget -q -O - http://backend:8080/ >/dev/null 2>&1 && echo reached && break; sleep 0.2; done; sleep 1000'"], extra_hosts: [`backend:${serverIp}`] });
  await driver.startTask(client);
  await eventually(() => box.log(client, 'stdout').includes('reached'));
  await driver.destroyTask(client.id);
  await driver.destroyTask(server.id);
});

test('jails started in parallel get distinct addresses and each answers on its own mapped port', async () => {
  const jails = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const hostPort = await freePort();
      const cfg = box.config(`par${i}`, { command: 'sh', args: ['-c', `'echo jail-${i} > /var/www/index.html; exec httpd -f -p 80 -h /var/www'`], port_map: { http: '80' } }, {
        ports: [{ Label: 'http', Value: hostPort, To: 0, HostIP: '127.0.0.1' }],
      });
      return { cfg, hostPort };
    }),
  );
  await Promise.all(jails.map((j) => driver.startTask(j.cfg)));
  const ips = jails.map((j) => driver.jailAddress(j.cfg.id));
  assert.equal(new Set(ips).size, 4, `distinct addresses: ${ips.join(', ')}`);
  for (const [i, j] of jails.entries()) assert.equal(await eventually(() => get(`http://127.0.0.1:${j.hostPort}/`)), `jail-${i}\n`);
  await Promise.all(jails.map((j) => driver.destroyTask(j.cfg.id)));
  assert.deepEqual(Object.values(driver.network.leases()), []);
});
