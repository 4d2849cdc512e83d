import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listLogIndexes } from '../../../src/client/logs/rotating-writer.js';
import { eventually, freePort, linksOn, mountsUnder, netnsList, PotSandbox, rulesMentioning } from './helpers.js';

let box: PotSandbox;
before(() => {
  box = new PotSandbox();
});
after(() => box.cleanup());

test("the article's args = [\"-g\", \"'daemon off;'\"] reach the program as two arguments", async () => {
  const driver = await box.driver();
  const fake = join(box.root, 'nginx');
  writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n');
  chmodSync(fake, 0o755);
  const cfg = box.config('nginx', { command: 'nginx', args: ['-g', "'daemon off;'"], copy: [`${fake}:/usr/sbin/nginx`] });
  await driver.startTask(cfg);
  assert.equal((await driver.waitTask(cfg.id)).exitCode, 0);
  assert.equal(box.log(cfg, 'stdout'), '[-g]\n[daemon off;]\n');
  await driver.destroyTask(cfg.id);
});

test('logs rotate while the agent runs: the live file keeps the highest index, at most MaxFiles remain', async () => {
  const driver = await box.driver();
  const cfg = box.config('chatty', { command: 'sh', args: ['-c', "'i=0; while [ $i -lt 400 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); sleep 0.005; done; sleep 1000'"] }, {
    logConfig: { MaxFiles: 3, MaxFileSizeMB: 2048 / (1024 * 1024) },
  });
  await driver.startTask(cfg);
  await eventually(() => box.log(cfg, 'stdout', Math.max(...listLogIndexes(cfg.logDir, 'chatty.stdout'))).includes('line-399-'), 20_000);
  const indexes = listLogIndexes(cfg.logDir, 'chatty.stdout');
  assert.ok(indexes.length <= 3 && indexes.length >= 2, `indexes ${indexes.join(',')}`);
  assert.ok(indexes[indexes.length - 1]! >= 3, 'rotated several times');
  const text = indexes.map((i) => box.log(cfg, 'stdout', i)).join('');
  const lines = text.split('\n').filter(Boolean);
  const numbers = lines.map((l) => Number(/^line-(\d+)-/.exec(l)?.[1]));
  assert.ok(numbers.every((n, k) => k === 0 || n > numbers[k - 1]!), 'lines stay in order across files');
  await driver.destroyTask(cfg.id);
});

test('a new driver instance (agent restart) re-attaches: the jail keeps running, serving and logging; stop and destroy clean up', async () => {
  const first = await box.driver();
  const hostPort = await freePort();
  const cfg = box.config('svc', { command: 'sh', args: ['-c', "'echo index > /var/www/index.html; httpd -p 80 -h /var/www; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.1; done'"], port_map: { http: '80' } }, {
    ports: [{ Label: 'http', Value: hostPort, To: 0, HostIP: '127.0.0.1' }],
  });
  const handle = await first.startTask(cfg);
  await eventually(() => box.log(cfg, 'stdout').includes('tick-1'));
  await first.close(); // the agent goes away; nothing of ours stays beside the jail
  const persisted = JSON.parse(JSON.stringify(handle)) as typeof handle;
  const sizeWhileDown = box.log(cfg, 'stdout').length;
  await eventually(() => box.log(cfg, 'stdout').length > sizeWhileDown, 5000);

  const second = await box.driver();
  assert.equal(await second.recoverTask(persisted), true);
  const text = await eventually(async () => (await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(2000) })).text());
  assert.equal(text, 'index\n');
  await second.stopTask(cfg.id, 1000, 'SIGTERM');
  const res = await second.waitTask(cfg.id);
  assert.equal(res.signal, 15, JSON.stringify(res));
  await second.destroyTask(cfg.id);

  const state = handle.state as { containerId: string; net: { netns: string; hostVeth: string } };
  assert.ok(!spawnSync('runc', ['--root', join(box.stateDir, 'runc'), 'list', '-q']).stdout.toString().includes(state.containerId));
  assert.deepEqual(mountsUnder(cfg.taskDir), []);
  assert.ok(!netnsList().includes(state.net.netns));
  assert.ok(!linksOn(box.bridge).includes(state.net.hostVeth));
  assert.deepEqual(rulesMentioning(cfg.allocId), []);
  assert.equal(await second.recoverTask(persisted), false, 'a destroyed jail cannot be recovered');
});

test('a jail that exited while the agent was down reports its exit status to the next agent', async () => {
  const first = await box.driver();
  const cfg = box.config('brief', { command: 'sh', args: ['-c', "'sleep 0.3; exit 7'"] });
  const handle = await first.startTask(cfg);
  await first.close();
  await new Promise((r) => setTimeout(r, 800));
  const second = await box.driver();
  assert.equal(await second.recoverTask(JSON.parse(JSON.stringify(handle)) as typeof handle), true);
  assert.equal((await second.waitTask(cfg.id)).exitCode, 7);
  await second.destroyTask(cfg.id);
  assert.deepEqual(rulesMentioning(cfg.allocId), []);
});

test('removeNode removes the bridge, kiln chains and parent cgroups once no jail is left', async () => {
  const driver = await box.driver();
  const cfg = box.config('cg', { command: 'true' });
  await driver.startTask(cfg);
  await driver.waitTask(cfg.id);
  await assert.rejects(driver.removeNode(), /still known to this agent/);
  await driver.destroyTask(cfg.id);
  const cgroupDir = join('/sys/fs/cgroup', driver.cgroupLayout === 'v2' ? '' : 'memory', box.cgroupParent);
  assert.ok(existsSync(cgroupDir), `${cgroupDir} was created by the jail`);
  await driver.removeNode();
  assert.equal(spawnSync('ip', ['link', 'show', box.bridge]).status !== 0, true, 'bridge removed');
  assert.deepEqual(rulesMentioning(box.chainPrefix), []);
  assert.equal(existsSync(cgroupDir), false, 'the empty parent cgroup is removed');
});

test('pruneOrphans removes a jail whose handle was lost (agent crash before persisting it), and keeps live ones', async () => {
  const first = await box.driver();
  const lost = box.config('lost', { command: 'sleep', args: ['1000'], port_map: { http: '80' } }, { ports: [{ Label: 'http', Value: await freePort(), To: 0, HostIP: '127.0.0.1' }] });
  const kept = box.config('kept', { command: 'sleep', args: ['1000'] });
  const lostHandle = await first.startTask(lost);
  const keptHandle = await first.startTask(kept);
  await first.close();
  const second = await box.driver();
  assert.equal(await second.recoverTask(JSON.parse(JSON.stringify(keptHandle)) as typeof keptHandle), true);
  const pruned = await second.pruneOrphans([kept.id]);
  assert.ok(pruned.includes((lostHandle.state as { containerId: string }).containerId) && pruned.includes(lost.id), pruned.join(', '));
  assert.deepEqual(rulesMentioning(lost.allocId), []);
  assert.deepEqual(mountsUnder(lost.taskDir), []);
  assert.ok(!netnsList().some((n) => n.includes(lost.allocId)));
  assert.deepEqual(Object.values(second.network.leases()), [kept.id]);
  await second.destroyTask(kept.id);
});
