/**
 * ed25519 detached signatures over the `.xz.sha256` text (which pins the
 * `.xz` by digest). The `.sig` file holds the signature in base64.
 */
import { createPrivateKey, createPublicKey, sign, verify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { KilnError } from '../structs/index.js';

/** A public key as PEM (`-----BEGIN PUBLIC KEY-----`) or the raw 32 bytes in base64. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.startsWith('-----BEGIN')) return checkEd25519(createPublicKey(t));
    const raw = Buffer.from(t, 'base64');
    if (raw.length !== 32) throw new Error(`decoded to ${raw.length} bytes, expected 32`);
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch (e) {
    throw new KilnError('CONFIG_INVALID', `trusted key "${t.slice(0, 24)}…" is not an ed25519 public key (PEM, or 32 raw bytes in base64): ${(e as Error).message}`, { cause: e });
  }
}

function checkEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type is ${key.asymmetricKeyType}, not ed25519`);
  return key;
}

export function parsePrivateKey(pem: string, where: string): KeyObject {
  try {
    return checkEd25519(createPrivateKey(pem));
  } catch (e) {
    throw new KilnError('CONFIG_INVALID', `signing key ${where} is not an ed25519 private key in PEM; create one with "kiln image keygen" or "openssl genpkey -algorithm ed25519": ${(e as Error).message}`, { cause: e });
  }
}

export const signDigestText = (digestText: string, key: KeyObject): string => sign(null, Buffer.from(digestText), key).toString('base64');

/** True when any trusted key verifies the signature. */
export function verifyDigestText(digestText: string, signatureB64: string, keys: readonly KeyObject[]): boolean {
  const sig = Buffer.from(signatureB64.trim(), 'base64');
  if (sig.length !== 64) return false;
  return keys.some((k) => verify(null, Buffer.from(digestText), k, sig));
}

/** A new key pair: private PEM, public PEM and the raw public key in base64. */
export function generateSigningKey(): { privatePem: string; publicPem: string; publicRaw: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicRaw: Buffer.from(jwk.x ?? '', 'base64url').toString('base64'),
  };
}
