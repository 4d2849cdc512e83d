/**
 * First step of preparing an image: read the small files beside the `.xz`
 * (digest, signature, meta) and check them before any large transfer.
 */
import type { KeyObject } from 'node:crypto';
import { ImageError } from './errors.js';
import { parseDigestFile, sha256 } from './digest.js';
import { fetchText, type RetryPolicy } from './http.js';
import { verifyDigestText } from './signature.js';
import type { ImageMeta } from './types.js';

export interface ResolveOpts {
  retry: RetryPolicy;
  signal?: AbortSignal;
  trustedKeys: readonly KeyObject[];
  requireSignature: boolean;
}

export interface ResolvedImage {
  url: string;
  digest: string;
  meta: ImageMeta;
  signed: boolean;
}

export async function resolveImage(url: string, opts: ResolveOpts): Promise<ResolvedImage> {
  const digestText = await fetchText(`${url}.sha256`, opts);
  if (digestText === undefined) {
    throw new ImageError('not_found', `image not found at ${url} (no ${url.split('/').pop()}.sha256 beside it); check image, pot and tag, or publish it with "kiln image push"`, { details: { url } });
  }
  const { digest, metaDigest } = parseDigestFile(digestText, `${url}.sha256`);
  const signed = await checkSignature(url, digestText, opts);
  const metaText = await fetchText(`${url}.meta`, opts);
  if (metaDigest && (metaText === undefined || sha256(metaText) !== metaDigest)) {
    throw new ImageError('digest_mismatch', `image meta ${url}.meta does not match the digest listed in ${url}.sha256${metaText === undefined ? ' (it is missing)' : ''}; the registry copy is corrupt or was tampered with`, { details: { url } });
  }
  return { url, digest, meta: metaText === undefined ? {} : parseMeta(metaText, `${url}.meta`), signed };
}

async function checkSignature(url: string, digestText: string, opts: ResolveOpts): Promise<boolean> {
  if (opts.trustedKeys.length === 0 && !opts.requireSignature) return false;
  const sig = await fetchText(`${url}.sig`, opts);
  if (sig === undefined) {
    if (opts.requireSignature) {
      throw new ImageError('unsigned', `image ${url} is not signed (no .sig beside it) and this client requires signed images; sign it with "kiln image build -sign-key" or trust it by turning require_signature off`, { details: { url } });
    }
    return false;
  }
  if (!verifyDigestText(digestText, sig, opts.trustedKeys)) {
    throw new ImageError('bad_signature', `image ${url} has a signature that none of the ${opts.trustedKeys.length} trusted keys verifies; it was signed with another key or tampered with`, { details: { url } });
  }
  return true;
}

/** The `.meta` JSON; pot's own `.meta` (`-` or `origin:tag@snap`) is read as no meta. */
export function parseMeta(text: string, where: string): ImageMeta {
  const t = text.trim();
  if (t === '' || t === '-' || !t.startsWith('{')) return t === '' || t === '-' ? {} : { build: { potMeta: t } };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    throw new ImageError('bad_meta', `image meta ${where} is not valid JSON: ${(e as Error).message}`);
  }
  const m = v as Record<string, unknown>;
  const problems: string[] = [];
  if (m.cmd !== undefined && !(Array.isArray(m.cmd) && m.cmd.every((c) => typeof c === 'string'))) problems.push('"cmd" must be a list of strings');
  if (m.ports !== undefined && !(Array.isArray(m.ports) && m.ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536))) problems.push('"ports" must be a list of port numbers');
  if (m.env !== undefined && !(typeof m.env === 'object' && m.env !== null && Object.values(m.env).every((x) => typeof x === 'string'))) problems.push('"env" must map names to strings');
  if (problems.length) throw new ImageError('bad_meta', `image meta ${where} is invalid: ${problems.join('; ')}`);
  const out: ImageMeta = {};
  if (m.cmd) out.cmd = m.cmd as string[];
  if (m.ports) out.ports = m.ports as number[];
  if (m.env) out.env = m.env as Record<string, string>;
  if (m.build && typeof m.build === 'object') out.build = m.build as Record<string, unknown>;
  return out;
}
