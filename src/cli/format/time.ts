/**
 * Time formatting as Nomad prints it: relative ("28m43s ago") and RFC 3339
 * timestamps with the local offset ("2021-06-09T15:22:58-07:00").
 */
import { KilnError } from '../../structs/index.js';

const NS_PER_MS = 1_000_000;

/**
 * Nomad's prettyTimeDiff: whole seconds, the two most significant units
 * (`3s ago`, `28m43s ago`, `2h5m ago`, `3d4h ago`), `from now` for the future,
 * empty for a zero time.
 */
export function formatRelative(nowMs: number, thenNs: number): string {
  if (!thenNs) return '';
  const now = Math.round(nowMs / 1000);
  const then = Math.round(thenNs / NS_PER_MS / 1000);
  const suffix = now >= then ? ' ago' : ' from now';
  let rest = Math.abs(now - then);
  const parts: string[] = [`${rest % 60}s`];
  rest = Math.floor(rest / 60);
  if (rest > 0) {
    parts.unshift(`${rest % 60}m`);
    rest = Math.floor(rest / 60);
    if (rest > 0) {
      parts.unshift(`${rest % 24}h`);
      rest = Math.floor(rest / 24);
      if (rest > 0) parts.unshift(`${rest}d`);
    }
  }
  return parts.slice(0, 2).join('') + suffix;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * RFC 3339 with a numeric offset, `Z` for UTC. `offsetMinutes` is east of
 * UTC (the negation of Date#getTimezoneOffset); defaults to the local zone.
 */
export function formatTimestamp(ms: number, offsetMinutes = -new Date(ms).getTimezoneOffset()): string {
  const shifted = new Date(ms + offsetMinutes * 60_000);
  const date = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  const time = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`;
  if (offsetMinutes === 0) return `${date}T${time}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A Unix-nanosecond time as a timestamp; empty for zero. */
export function formatTimeNs(ns: number, offsetMinutes?: number): string {
  if (!ns) return '';
  const ms = Math.floor(ns / NS_PER_MS);
  return formatTimestamp(ms, offsetMinutes ?? -new Date(ms).getTimezoneOffset());
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a Go-style duration flag value (`90s`, `5m`, `1h30m`, `250ms`) into ms. */
export function parseDurationMs(text: string, flag: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of trimmed.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new KilnError('BAD_REQUEST', `-${flag} "${text}" is not a duration; write e.g. 30s, 5m or 1h30m`);
  }
  return total;
}
