/** scripts/build-fresh.sh: when ./minipot (scripts/setup.sh) may skip rebuilding dist/. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/tmp.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/build-fresh.sh', import.meta.url));

test('the build is fresh only while no source file or directory changed after the stamp', () => {
  const tmp = tempDir('kiln-build-fresh-');
  try {
    const at = (p: string, secondsAgo: number): void => utimesSync(p, new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));
    const src = join(tmp.dir, 'src');
    const stamp = join(tmp.dir, 'stamp');
    mkdirSync(join(src, 'cli'), { recursive: true });
    for (const f of ['cli/a.ts', 'cli/b.ts']) writeFileSync(join(src, f), 'x');
    const fresh = (): boolean => spawnSync('bash', [SCRIPT, stamp, src, join(tmp.dir, 'tsconfig.json')]).status === 0;

    assert.equal(fresh(), false, 'never built: no stamp');
    writeFileSync(stamp, '');
    for (const p of [join(src, 'cli/a.ts'), join(src, 'cli/b.ts'), join(src, 'cli'), src]) at(p, 200);
    at(stamp, 100);
    assert.equal(fresh(), true, 'nothing changed since the stamp (a missing path counts as unchanged)');
    at(join(src, 'cli/b.ts'), 50);
    assert.equal(fresh(), false, 'an edited file');
    at(join(src, 'cli/b.ts'), 200);
    assert.equal(fresh(), true);
    rmSync(join(src, 'cli/a.ts'));
    assert.equal(fresh(), false, 'a deleted file changes its directory');
  } finally {
    tmp.cleanup();
  }
});
