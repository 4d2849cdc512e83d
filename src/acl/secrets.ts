/**
 * Token secrets: random UUIDs (122 random bits) stored only as SHA-256. A slow
 * KDF (bcrypt, scrypt) protects low-entropy passwords against guessing; a
 * random 122-bit secret cannot be guessed, so a fast hash is enough and keeps
 * every request's lookup cheap.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

export const newSecret = (): string => randomUUID();
export const newAccessor = (): string => randomUUID();

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Compare two secrets in time independent of where they differ (hashing first equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
