import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { TaskConfig } from '../../../src/drivers/driver.js';
import type { PotDriver } from '../../../src/drivers/pot/index.js';
import { registerClientExecRoute } from '../../../src/client/exec-route.js';
import { createApp, silentLogger } from '../../../src/server/index.js';
import { NotFoundError } from '../../../src/structs/index.js';
import { b64, execWsUrl, wsExec } from '../../client/exec-harness.js';
import { eventually, PotSandbox } from './helpers.js';

// The exec websocket in front of a real jail: the route hands the pot
// driver a TTY session, and tty_size frames resize the jail's terminal.
// (The agent does not offer the pot driver yet, so the client agent is
// replaced by a source that maps <alloc>/<task> to the driver's task id.)

let box: PotSandbox;
let driver: PotDriver;
let cfg: TaskConfig;
let app: FastifyInstance;
let addr: string;
before(async () => {
  box = new PotSandbox();
  driver = await box.driver();
  cfg = box.config('shell', { command: 'sleep', args: ['1000'] });
  await driver.startTask(cfg);
  app = createApp({ logger: silentLogger });
  registerClientExecRoute(app, {
    execTask: async (allocId, task, opts) => {
      if (allocId !== cfg.allocId || task !== cfg.taskName) throw new NotFoundError('allocation', `${allocId}/${task}`);
      return driver.execTask(cfg.id, opts);
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  addr = `127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app?.close();
  await driver?.destroyTask(cfg.id);
  await box?.cleanup();
});

test('a TTY shell in the jail over the websocket: resize frames reach its terminal, exit code in the exited frame', async () => {
  const t = await wsExec(execWsUrl(addr, cfg.allocId, cfg.taskName, ['/bin/sh'], true), async (send, seen) => {
    send({ tty_size: { height: 40, width: 120 } });
    send({ stdin: { data: b64('hostname; stty size\n') } });
    await eventually(() => /40 120/.test(seen().stdout), 20_000);
    send({ tty_size: { height: 30, width: 100 } });
    send({ stdin: { data: b64('stty size; exit 9\n') } });
  });
  assert.match(t.stdout, new RegExp(`shell-${cfg.allocId.slice(0, 8)}`), 'runs inside the jail (its hostname)');
  assert.match(t.stdout, /30 100/);
  assert.equal(t.exitCode, 9);
});

test('without a TTY the jail command gets piped stdin and separate stderr', async () => {
  const t = await wsExec(execWsUrl(addr, cfg.allocId, cfg.taskName, ['sh', '-c', 'cat; echo oops >&2; exit 2'], false), async (send) => {
    send({ stdin: { data: b64('piped in\n') } });
    send({ stdin: { close: true } });
  });
  assert.equal(t.stdout, 'piped in\n');
  assert.equal(t.stderr, 'oops\n');
  assert.equal(t.exitCode, 2);
});
