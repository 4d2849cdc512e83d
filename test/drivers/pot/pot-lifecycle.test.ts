import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { TaskConfig } from '../../../src/drivers/driver.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import type { PotDriver } from '../../../src/drivers/pot/index.js';
import { KilnError } from '../../../src/structs/index.js';
import { eventually, linksOn, mountsUnder, netnsList, PotSandbox, rulesMentioning } from './helpers.js';

let box: PotSandbox;
let driver: PotDriver;
before(async () => {
  box = new PotSandbox();
  driver = await box.driver();
});
after(() => box.cleanup());

/** Start a jail that is destroyed when the test ends, even when it fails. */
async function start(t: TestContext, cfg: TaskConfig): Promise<void> {
  t.after(() => driver.destroyTask(cfg.id));
  await driver.startTask(cfg);
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

test("pot's quoting: command and args are joined and run through the jail's shell; env and hostname reach the task", async (t) => {
  const cfg = box.config('quote', { command: 'sh', args: ['-c', "'echo hi $NOMAD_TASK_NAME; hostname; echo oops >&2; exit 3'"] });
  await start(t, cfg);
  const res = await driver.waitTask(cfg.id);
  assert.deepEqual({ code: res.exitCode, sig: res.signal, oom: res.oomKilled }, { code: 3, sig: 0, oom: false });
  assert.equal(box.log(cfg, 'stdout'), `hi quote\nquote-${cfg.allocId.slice(0, 8)}\n`);
  assert.equal(box.log(cfg, 'stderr'), 'oops\n');
  assert.equal((await driver.waitTask(cfg.id)).exitCode, 3, 'waitTask is safe to call again');
  await driver.destroyTask(cfg.id);
});

test('without a command the image default command runs', async (t) => {
  const cfg = box.config('default', {});
  await start(t, cfg);
  await eventually(() => box.log(cfg, 'stdout') === 'default command\n');
  await driver.destroyTask(cfg.id);
});

test('an image without a shell: the argv is exec\'d directly', async (t) => {
  const cfg = box.config('noshell', { pot: 'noshell', command: '/bin/echo', args: ['a', "'b c'"] });
  await start(t, cfg);
  assert.equal((await driver.waitTask(cfg.id)).exitCode, 0);
  assert.equal(box.log(cfg, 'stdout'), "a 'b c'\n");
  await driver.destroyTask(cfg.id);
});

test('a command missing in the image fails the start with its name, leaving nothing', async () => {
  const cfg = box.config('missing', { command: 'nginx', args: ['-g', "'daemon off;'"] });
  await assert.rejects(driver.startTask(cfg), (e: unknown) => e instanceof KilnError && e.code === 'DRIVER_ERROR' && /command "nginx" was not found in image busybox:1/.test(e.message));
  assert.deepEqual(readdirSync(cfg.taskDir).filter((n) => n === '.pot'), []);
  assert.deepEqual(box.images.holders(), []);
});

test('validateConfig: unknown keys, bad types and unsupported modes are DRIVER_ERRORs naming each problem', () => {
  assert.throws(
    () => driver.validateConfig({ image: 'u', pot: 'p', tag: 't', args: ['x'], network_mode: 'alias', volume: 'x', attributes: ['bogus:1'] }),
    (e: unknown) =>
      e instanceof KilnError &&
      e.code === 'DRIVER_ERROR' &&
      /config\.command is required when "args" is given/.test(e.message) &&
      /network_mode "alias" is not supported/.test(e.message) &&
      /config\.volume is not a pot option/.test(e.message) &&
      /attribute "bogus"/.test(e.message),
  );
  driver.validateConfig({ image: 'u', pot: 'p', tag: 't', command: 'nginx', args: ['-g', "'daemon off;'"], port_map: { http: '80' } });
});

test('memory limit is enforced and an OOM kill is reported as such', async (t) => {
  const cfg = box.config('oom', { command: 'sh', args: ['-c', "'x=a; while true; do x=$x$x; done'"] }, { resources: { CPU: 100, MemoryMB: 16 } });
  await start(t, cfg);
  const res = await driver.waitTask(cfg.id);
  assert.equal(res.oomKilled, true, JSON.stringify(res));
  assert.match(res.error ?? '', /out of memory.*16 MB/);
  await driver.destroyTask(cfg.id);
});

test('kill_signal reaches the task (a trap logs it) and the jail stops', async (t) => {
  const cfg = box.config('trap', { command: 'sh', args: ['-c', '\'trap "echo got INT; exit 0" INT; echo ready; while true; do sleep 0.1; done\''] });
  await start(t, cfg);
  await eventually(() => box.log(cfg, 'stdout').includes('ready'));
  await driver.stopTask(cfg.id, 10_000, 'SIGINT');
  const res = await driver.waitTask(cfg.id);
  assert.equal(box.log(cfg, 'stdout'), 'ready\ngot INT\n');
  assert.equal(res.exitCode, 0);
  await driver.destroyTask(cfg.id);
});

test('a task ignoring kill_signal gets SIGKILL after kill_timeout', async (t) => {
  const cfg = box.config('stubborn', { command: 'sh', args: ['-c', '\'trap "echo ignoring TERM" TERM; echo ready; while true; do sleep 0.1; done\''] });
  await start(t, cfg);
  await eventually(() => box.log(cfg, 'stdout').includes('ready'));
  await driver.stopTask(cfg.id, 300, 'SIGTERM');
  const res = await driver.waitTask(cfg.id);
  assert.equal(res.signal, 9, JSON.stringify(res));
  assert.equal(res.error, undefined, 'a kill after kill_timeout is expected, not an error');
  assert.match(box.log(cfg, 'stdout'), /ignoring TERM/);
  await driver.destroyTask(cfg.id);
});

test('signalTask delivers a signal; a stopped task refuses it', async (t) => {
  const cfg = box.config('hup', { command: 'sh', args: ['-c', '\'trap "echo got HUP" HUP; echo ready; while true; do sleep 0.1; done\''] });
  await start(t, cfg);
  await eventually(() => box.log(cfg, 'stdout').includes('ready'));
  await driver.signalTask(cfg.id, 'HUP');
  await eventually(() => box.log(cfg, 'stdout').includes('got HUP'));
  await driver.stopTask(cfg.id, 0, 'SIGKILL');
  await assert.rejects(driver.signalTask(cfg.id, 'HUP'), (e: unknown) => e instanceof KilnError && /not running/.test(e.message));
  await driver.destroyTask(cfg.id);
});

test('exec runs inside the jail (its hostname, the task env), with pipes and with a TTY', async (t) => {
  const cfg = box.config('exec', { command: 'sleep', args: ['1000'] });
  await start(t, cfg);
  const out = collect();
  const err = collect();
  const res = await driver.execTask(cfg.id, { command: ['sh', '-c', 'hostname; echo $NOMAD_TASK_NAME; echo e >&2; exit 4'], tty: false, stdout: out.stream, stderr: err.stream });
  assert.equal(res.exitCode, 4);
  assert.equal(out.text(), `exec-${cfg.allocId.slice(0, 8)}\nexec\n`);
  assert.notEqual(out.text().split('\n')[0], hostname());
  assert.equal(err.text(), 'e\n');

  const tty = collect();
  const stdin = new PassThrough();
  let resized = false;
  const done = driver.execTask(cfg.id, {
    command: ['sh'],
    tty: true,
    stdin,
    stdout: tty.stream,
    stderr: tty.stream,
    size: { cols: 100, rows: 30 },
    onStart: (s) => {
      s.resize(120, 40);
      resized = true;
    },
  });
  stdin.write('[ -t 0 ] && echo "is a tty"; stty size; exit 5\n');
  assert.equal((await done).exitCode, 5);
  assert.ok(resized);
  assert.match(tty.text(), /is a tty/);
  assert.match(tty.text(), /40 120/);

  // Ctrl-C through the terminal interrupts the foreground program, not the session.
  const ctrlc = collect();
  const keys = new PassThrough();
  const session = driver.execTask(cfg.id, { command: ['sh'], tty: true, stdin: keys, stdout: ctrlc.stream, stderr: ctrlc.stream });
  // The prompt: the shell reads its terminal. On a loaded machine the first prompt can be drawn
  // before the terminal settles; an empty line asks for another.
  const nudge = setTimeout(() => keys.write('\n'), 5_000);
  await eventually(() => ctrlc.text().includes('# '), 20_000).catch((err: unknown) => {
    throw new Error(`no shell prompt on the exec terminal; it showed ${JSON.stringify(ctrlc.text())}`, { cause: err });
  });
  clearTimeout(nudge);
  keys.write('echo started; sleep 100\n');
  const shown = (what: string) => (err: unknown) => {
    throw new Error(`${what}; the exec terminal showed ${JSON.stringify(ctrlc.text())}`, { cause: err });
  };
  // The output line, not the echoed command ("started;"). Busybox may re-apply terminal settings read before runc
  // cleared ONLCR, doubling the CR ("started\r\r\n"); a terminal shows the same line either way.
  await eventually(() => /started\r+\n/.test(ctrlc.text()), 20_000).catch(shown('no "started" after typing a command'));
  // Ctrl-C reaches the foreground process group: wait until the shell has made `sleep 100` that group
  // (it does so before exec), or a Ctrl-C typed in between only interrupts the shell's wait.
  await eventually(() => jailRuns(cfg.id, 'sleep 100'), 20_000).catch(shown('sleep 100 never ran in the jail'));
  keys.write('\x03');
  keys.write('echo "status $?"\n');
  await eventually(() => /status 130/.test(ctrlc.text()), 20_000).catch(shown('Ctrl-C did not end the foreground sleep with status 130'));
  keys.write('exit 6\n');
  assert.equal((await session).exitCode, 6);

  const killed = await driver.execTask(cfg.id, { command: ['sleep', '100'], tty: false, stdout: out.stream, stderr: err.stream, timeoutMs: 200 });
  assert.notEqual(killed.exitCode, 0, 'a timed-out exec is killed');
  await driver.destroyTask(cfg.id);
});

test('mount and mount_read_only bind host dirs into the jail; the read-only one refuses writes', async (t) => {
  const rw = join(box.root, 'rw');
  const ro = join(box.root, 'ro');
  mkdirSync(rw);
  mkdirSync(ro);
  writeFileSync(join(ro, 'config'), 'from host\n');
  const cfg = box.config('mounts', { command: 'sh', args: ['-c', "'cat /etc/app/config; echo written > /data/out; echo x > /etc/app/new || echo read-only'"], mount: [`${rw}:/data`], mount_read_only: [`${ro}:/etc/app`] });
  await start(t, cfg);
  assert.equal((await driver.waitTask(cfg.id)).exitCode, 0);
  assert.equal(readFileSync(join(rw, 'out'), 'utf8'), 'written\n');
  assert.equal(box.log(cfg, 'stdout'), 'from host\nread-only\n');
  await driver.destroyTask(cfg.id);
});

test('image progress reaches the caller of startTask', async () => {
  const cfg = box.config('progress', { command: 'true' });
  const seen: string[] = [];
  await driver.startTask(cfg, { onProgress: (p) => seen.push(p.message) });
  assert.deepEqual(seen, ['Image busybox:1 ready']);
  await driver.destroyTask(cfg.id);
});

test('a start that runc refuses reports runc\'s reason and leaves nothing behind', async () => {
  const cfg = box.config('badmount', { command: 'true', mount: [`${join(box.root, 'does-not-exist')}:/data`] });
  await assert.rejects(driver.startTask(cfg), (e: unknown) => e instanceof KilnError && e.code === 'DRIVER_ERROR' && /runc could not start jail .*does-not-exist.*no such file or directory/.test(e.message));
  assert.deepEqual(mountsUnder(cfg.taskDir), []);
  assert.deepEqual(rulesMentioning(cfg.allocId), []);
  assert.ok(!netnsList().some((n) => n.includes(cfg.allocId)));
  assert.deepEqual(Object.values(driver.network.leases()), []);
});

test('after every test destroyed its jails nothing is left: containers, mounts, netns, veths, rules, leases, image holds', async () => {
  assert.equal(spawnSync('runc', ['--root', join(box.stateDir, 'runc'), 'list', '-q']).stdout.toString(), '');
  assert.deepEqual(mountsUnder(box.root), []);
  assert.deepEqual(netnsList().filter((n) => existsSync(join(box.root, 'alloc', n.slice(5, 41)))), []);
  assert.deepEqual(linksOn(box.bridge), []);
  assert.deepEqual(rulesMentioning(box.chainPrefix).filter((r) => r.includes('kiln:')), []);
  assert.deepEqual(driver.network.leases(), {});
  assert.deepEqual(box.images.holders(), []);
});

/** Whether a process with exactly this command line runs in the jail (read from its /proc, through a piped exec). */
async function jailRuns(id: string, commandLine: string): Promise<boolean> {
  const out = collect();
  const script = 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null; echo; done';
  await driver.execTask(id, { command: ['sh', '-c', script], tty: false, stdout: out.stream, stderr: collect().stream });
  return out.text().split('\n').some((l) => l.trim() === commandLine);
}
