import type { Nanos } from '../structs/time.js';

/** Nanoseconds per unit of Go's time.ParseDuration. */
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/gy;

/**
 * Parses a Go duration string ("5s", "1m30s", "24h", "250ms", "1.5h") into
 * nanoseconds, as Nomad does for every duration field. Returns undefined when
 * the text is not a duration.
 */
export function parseGoDuration(text: string): Nanos | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    const unit = UNIT_NS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    consumed = PART.lastIndex;
  }
  if (consumed !== s.length) return undefined;
  return sign * Math.round(total);
}

/** Formats nanoseconds the way Go prints a time.Duration ("1h30m0s", "250ms"), for messages. */
export function formatGoDuration(ns: Nanos): string {
  if (ns === 0) return '0s';
  if (Math.abs(ns) < 1e9) {
    if (Math.abs(ns) >= 1e6) return `${ns / 1e6}ms`;
    if (Math.abs(ns) >= 1e3) return `${ns / 1e3}µs`;
    return `${ns}ns`;
  }
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  const h = Math.floor(rest / 3600e9);
  rest -= h * 3600e9;
  const m = Math.floor(rest / 60e9);
  rest -= m * 60e9;
  const s = rest / 1e9;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

export const DURATION_HINT = 'write a Go duration such as "250ms", "5s", "1m30s" or "24h"';
