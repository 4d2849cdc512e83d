/**
 * Runs the real `kiln` binary (node bin/kiln.js) as a child process, for
 * end-to-end tests against a running agent.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// dist/test/cli/helpers.js → repository root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/kiln.js', import.meta.url));

export interface KilnRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunKilnOptions {
  /** Extra environment; KILN_ADDR/NOMAD_ADDR from the parent are dropped unless given here. */
  env?: Record<string, string>;
  /** Server address, passed as KILN_ADDR. */
  address?: string;
  /** Text written to stdin. */
  input?: string;
  cwd?: string;
  /** Kill the child after this long (default 60 s) so a hung command fails the test instead of the run. */
  timeoutMs?: number;
}

export function runKiln(args: readonly string[], opts: RunKilnOptions = {}): Promise<KilnRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['KILN_ADDR', 'NOMAD_ADDR', 'KILN_TOKEN', 'NOMAD_TOKEN', 'KILN_NAMESPACE', 'NOMAD_NAMESPACE']) delete env[k];
  Object.assign(env, opts.env ?? {});
  if (opts.address !== undefined) env.KILN_ADDR = opts.address;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
    child.stdin.end(opts.input ?? '');
  });
}
