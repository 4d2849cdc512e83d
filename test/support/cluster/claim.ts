import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_DIR = '/run/kiln-cluster-test';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claim a cluster id (0..9) for this process: a pid file created exclusively.
 * An id whose owner died is taken over (its leftovers are then swept), so two
 * runs never sweep each other's live cluster. Returns the id and a release.
 */
export function claimClusterId(preferred?: number): { id: number; release: () => void } {
  mkdirSync(LOCK_DIR, { recursive: true });
  const ids = preferred === undefined ? [...Array(10).keys()] : [preferred];
  for (const id of ids) {
    const file = join(LOCK_DIR, `kclu${id}.pid`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return { id, release: () => unlinkSync(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(file, 'utf8').trim());
        if (owner && alive(owner) && owner !== process.pid) break;
        unlinkSync(file); // a dead owner: take it over
      }
    }
  }
  throw new Error(`no free cluster id${preferred === undefined ? ' (0..9 all in use)' : ` ${preferred} (in use by a live process, see ${LOCK_DIR})`}`);
}
