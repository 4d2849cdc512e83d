// Lost-input harness: TTY exec sessions through the client exec route into one pot jail, each
// behaving like the browser (tty_size on open, one frame per keystroke `echo hi\r`, answers the
// shell's ESC[6n); counts sessions whose terminal never shows a line `hi`, prints a failing
// session's whole output, writes bench/results/pot-tty-input.json and exits 1 on any loss.
// Run it while the machine is loaded (busy loops, `node scripts/run-tests.mjs drivers/pot`).
// Usage (root): [DELAY=ms-max-before-typing] [KEYS=ms-between-keys] [DSR=ms] [MANY_EXITS=1]
//   node dist/bench/pot-tty-input-ws.bench.js [sessions] [parallel]
// MANY_EXITS=1 keeps typing `exit` and ESC[6n answers after the shell ended, which is what
// exposed node-pty's stale queued writes (src/drivers/pot/exec.ts dropQueuedInputOnClose).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { registerClientExecRoute } from '../src/client/exec-route.js';
import { createApp, silentLogger } from '../src/server/index.js';
import { execWsUrl } from '../test/client/exec-harness.js';
import { PotSandbox } from '../test/drivers/pot/helpers.js';

const sessions = Number(process.argv[2] ?? 40);
const parallel = Number(process.argv[3] ?? 4);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function one(url: string): Promise<{ ok: boolean; text: string; frames: string[] }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let text = '';
    const frames: string[] = [];
    let exiting = false;
    const send = (f: unknown): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
    };
    const ok = (): boolean => /(^|\n)hi\r*\n/.test(text);
    ws.on('open', async () => {
      send({ tty_size: { height: 24, width: 80 } });
      await sleep(Math.random() * Number(process.env.DELAY ?? 0));
      for (const k of 'echo hi\r') {
        send({ stdin: { data: b64(k) } });
        await sleep(Number(process.env.KEYS ?? 0));
      }
    });
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { stdout?: { data: string }; error?: unknown };
      if (!f.stdout) frames.push(d.toString());
      const out = f.stdout ? Buffer.from(f.stdout.data, 'base64').toString() : '';
      text += out;
      if (out.includes('\x1b[6n') && (!exiting || process.env.MANY_EXITS)) setTimeout(() => send({ stdin: { data: b64('\x1b[5;5R') } }), Number(process.env.DSR ?? 10));
      if (ok() && (!exiting || process.env.MANY_EXITS)) {
        exiting = true; // one exit: input sent after the shell ended would be a stale write (see src/drivers/pot/exec.ts)
        send({ stdin: { data: b64('exit\r') } });
      }
    });
    const timer = setTimeout(() => ws.close(), 15_000);
    ws.on('close', () => {
      clearTimeout(timer);
      resolve({ ok: ok(), text, frames });
    });
    ws.on('error', () => undefined);
  });
}

const box = new PotSandbox();
const app = createApp({ logger: silentLogger });
try {
  const driver = await box.driver();
  const cfg = box.config('ttyws', { command: 'sleep', args: ['100000'] });
  await driver.startTask(cfg);
  registerClientExecRoute(app, { execTask: async (_a, _t, opts) => driver.execTask(cfg.id, opts) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = execWsUrl(`127.0.0.1:${(app.server.address() as { port: number }).port}`, cfg.allocId, cfg.taskName, ['/bin/sh'], true);
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sessions) {
      const n = next++;
      const r = await one(url);
      if (!r.ok) failed++;
      if (!r.ok || process.env.VERBOSE) console.log(`session ${n} ${r.ok ? 'ok' : 'FAILED'}; terminal showed ${JSON.stringify(r.text)} other frames ${r.frames.join(' ')}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  console.log(`${sessions} sessions (${parallel} at a time), ${failed} without "hi"; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  mkdirSync('bench/results', { recursive: true });
  const settings = Object.fromEntries(['DELAY', 'KEYS', 'DSR', 'MANY_EXITS'].map((k) => [k, process.env[k] ?? null]));
  writeFileSync('bench/results/pot-tty-input.json', JSON.stringify({ sessions, parallel, failed, loadavg: loadavg(), settings, at: new Date().toISOString() }, null, 2) + '\n');
  process.exitCode = failed ? 1 : 0;
  await driver.destroyTask(cfg.id);
} finally {
  await app.close();
  await box.cleanup();
}
