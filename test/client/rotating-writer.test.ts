import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLogIndexes, RotatingFileWriter } from '../../src/client/logs/rotating-writer.js';

test('splits writes at the size limit, deletes the oldest and resumes the newest file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-rot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const w = new RotatingFileWriter({ dir, baseName: 'web.stdout', maxFiles: 2, maxFileBytes: 4 });
  w.write(Buffer.from('abcdefghij'));
  w.close();
  assert.deepEqual(listLogIndexes(dir, 'web.stdout'), [1, 2]);
  assert.equal(readFileSync(join(dir, 'web.stdout.1'), 'utf8'), 'efgh');
  assert.equal(readFileSync(join(dir, 'web.stdout.2'), 'utf8'), 'ij');
  const again = new RotatingFileWriter({ dir, baseName: 'web.stdout', maxFiles: 2, maxFileBytes: 4 });
  assert.equal(again.currentIndex, 2);
  again.write(Buffer.from('kl'));
  again.close();
  assert.equal(readFileSync(join(dir, 'web.stdout.2'), 'utf8'), 'ijkl');
});
