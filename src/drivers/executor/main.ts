/**
 * The executor shim: a small detached Node process that owns one task so the
 * task outlives the client agent. Usage: `node main.js <specFile>`.
 * It starts the command in its own process group, copies its output into
 * rotating log files, records pids in pid.json and the exit in exit.json.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { RotatingFileWriter } from '../../client/logs/rotating-writer.js';
import type { ExecutorSpec, ExitFile } from './spec.js';
import { describeSpawnError, executorFiles, writeJsonAtomic } from './spec.js';

const specPath = process.argv[2];
if (!specPath) {
  process.stderr.write('usage: executor <specFile>\n');
  process.exit(2);
}
const stateDir = dirname(specPath);
const files = executorFiles(stateDir);
const log = (msg: string): void => appendFileSync(files.log, `${new Date().toISOString()} ${msg}\n`);

// The executor lives in its own session; a hangup of whatever launched it must not end it.
process.on('SIGHUP', () => log('ignoring SIGHUP'));

// Anything unexpected before the task started must reach the driver as the cause, not as "exit code 1".
process.on('uncaughtException', (err) => {
  log(`executor failed: ${err.stack ?? err.message}`);
  if (!existsSync(files.pid)) writeJsonAtomic(files.startError, { code: 'EXECUTOR', message: `executor failed before starting the task: ${err.message}` });
  process.exit(1);
});

const spec = JSON.parse(readFileSync(specPath, 'utf8')) as ExecutorSpec;
run(spec);

function run(s: ExecutorSpec): void {
  if (!existsSync(s.cwd)) return startFailed(s, 'CWD_MISSING', `no such directory ${s.cwd}`);
  const writer = (stream: 'stdout' | 'stderr') =>
    new RotatingFileWriter({ dir: s.logDir, baseName: `${s.taskName}.${stream}`, maxFiles: s.logMaxFiles, maxFileBytes: s.logMaxFileBytes });
  const out = writer('stdout');
  const err = writer('stderr');
  const child = spawn(s.command, s.args, { cwd: s.cwd, env: s.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', (e: NodeJS.ErrnoException) => {
    if (child.pid === undefined) startFailed(s, e.code, e.message);
    else log(`child error: ${e.message}`);
  });
  if (child.pid === undefined) return; // the 'error' handler reports it
  const taskPid = child.pid;
  writeJsonAtomic(files.pid, { executorPid: process.pid, taskPid, startedAt: Date.now() });
  child.stdout.on('data', (d: Buffer) => out.write(d));
  child.stderr.on('data', (d: Buffer) => err.write(d));

  let exit: ExitFile | undefined;
  const finish = (): void => {
    if (!exit) return;
    out.close();
    err.close();
    writeJsonAtomic(files.exit, exit);
    process.exit(0);
  };
  child.on('exit', (code, signal) => {
    const signo = signal ? (constants.signals[signal] ?? 0) : 0;
    exit = { exitCode: code ?? 128 + signo, signal: signo, oomKilled: false };
    // Leftovers of the task's process group must not outlive it (nothing left behind).
    try {
      process.kill(-taskPid, 'SIGKILL');
    } catch {
      // group already empty
    }
    // Give the pipes a moment to drain; a daemonized grandchild could hold them open forever.
    setTimeout(finish, 2000).unref();
  });
  child.on('close', finish);
}

function startFailed(s: ExecutorSpec, code: string | undefined, message: string): void {
  writeJsonAtomic(files.startError, { code: code ?? 'UNKNOWN', message: describeSpawnError(s.command, s.cwd, code, message) });
  process.exit(1);
}
