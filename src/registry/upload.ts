/**
 * PUT of registry files: streamed to a temporary file, checked against the
 * image's `.sha256` when both halves are present, then renamed into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KilnError } from '../structs/index.js';
import { hashFile, parseDigestFile, sha256 } from '../images/digest.js';

export interface UploadResult {
  size: number;
  sha256: string;
}

export async function receiveUpload(body: Readable, target: string, tmpDir: string): Promise<UploadResult> {
  const tmp = join(tmpDir, `upload-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, tap, createWriteStream(tmp, { flags: 'wx' }));
    const digest = hash.digest('hex');
    await checkAgainstSiblings(target, tmp, digest);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
    return { size, sha256: digest };
  } finally {
    await rm(tmp, { force: true });
  }
}

const readIfExists = (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);

/** An `.xz` must match its `.sha256`, a `.sha256` its `.xz` (and `.meta` when it lists one). */
async function checkAgainstSiblings(target: string, tmp: string, digest: string): Promise<void> {
  const name = target.split('/').pop() ?? '';
  if (name.endsWith('.xz')) {
    const text = await readIfExists(`${target}.sha256`);
    if (text !== undefined) expect(parseDigestFile(text, `${name}.sha256`).digest, digest, name, `${name}.sha256`);
  } else if (name.endsWith('.xz.sha256')) {
    const xz = target.slice(0, -'.sha256'.length);
    const listed = parseDigestFile(await readFile(tmp, 'utf8'), name);
    const xzHash = await hashFile(xz).then((h) => h.digest('hex'), () => undefined);
    if (xzHash !== undefined) expect(listed.digest, xzHash, xz.split('/').pop() ?? '', name);
    const meta = await readIfExists(`${xz}.meta`);
    if (listed.metaDigest && meta !== undefined) expect(listed.metaDigest, sha256(meta), `${xz.split('/').pop()}.meta`, name);
  }
}

function expect(listed: string, actual: string, file: string, digestFile: string): void {
  if (listed !== actual) {
    throw new KilnError('CONFLICT', `digest mismatch: ${file} has sha256 ${actual} but ${digestFile} says ${listed}; the upload was discarded (upload the .xz first and its .sha256 last, both from one build)`, {
      details: { file, expected: listed, actual },
    });
  }
}
