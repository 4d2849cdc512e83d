import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ImageError } from './errors.js';

export interface DigestFile {
  /** sha256 of the `.xz`. */
  digest: string;
  /** sha256 of the `.xz.meta`, when the digest file lists it (so a signature covers the meta too). */
  metaDigest?: string;
}

/**
 * The `.sha256` file in sha256sum's format: the first line is the `.xz`
 * digest, optionally followed by its file name; a further line naming a
 * `.meta` file pins the meta.
 */
export function parseDigestFile(text: string, where: string): DigestFile {
  const lines = text.split('\n').map((l) => l.trim().split(/\s+/)).filter((l) => l[0]);
  const first = lines[0]?.[0]?.toLowerCase() ?? '';
  if (!isDigest(first)) {
    throw new ImageError('bad_digest_file', `digest file ${where} does not start with a sha256 hex digest (64 hex characters); regenerate it with "sha256sum <file>.xz > <file>.xz.sha256"`);
  }
  const meta = lines.slice(1).find((l) => l[1]?.replace(/^\*/, '').endsWith('.meta') && isDigest(l[0]!.toLowerCase()));
  return meta ? { digest: first, metaDigest: meta[0]!.toLowerCase() } : { digest: first };
}

export function formatDigestFile(fileName: string, digest: string, metaDigest?: string): string {
  return `${digest}  ${fileName}\n` + (metaDigest ? `${metaDigest}  ${fileName}.meta\n` : '');
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Hash a file's first `length` bytes (all when undefined) into `hash`. */
export async function hashFile(path: string, hash = createHash('sha256'), length?: number): Promise<ReturnType<typeof createHash>> {
  if (length === 0) return hash;
  const stream = createReadStream(path, length === undefined ? {} : { start: 0, end: length - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash;
}

export function isDigest(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
