import { readdirSync, readFileSync } from 'node:fs';

/**
 * Kill what is left of tasks whose allocation directory lies under `dir`
 * (raw_exec tasks outlive their client agent by design): a safety net for
 * e2e tests that fail half-way, so nothing they started keeps running.
 */
export function killTasksUnder(dir: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let env = '';
    let cmd = '';
    try {
      env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!env.includes(`NOMAD_ALLOC_DIR=${dir}`) && !cmd.includes(`${dir}/`)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // already exited
    }
  }
  return killed;
}
