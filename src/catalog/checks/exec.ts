/** A CheckExec that runs the command as a local process (raw_exec tasks, tests, the catalog agent's own checks). */
import { spawn } from 'node:child_process';
import { OUTPUT_LIMIT, tailOutput, type CheckExec } from './probes.js';

export const localExec: CheckExec = (cmd, args, timeoutMs) =>
  new Promise((resolve) => {
    // A process group of its own, so a timeout kills the command's children too.
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const append = (c: Buffer) => {
      output = tailOutput(output + c.toString('utf8'));
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: null, output: tailOutput(`${output}${err.message}`), timedOut: false });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output: output.slice(-OUTPUT_LIMIT), timedOut });
    });
  });
