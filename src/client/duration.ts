import type { Nanos } from '../structs/index.js';

/**
 * Format nanoseconds the way Go's time.Duration.String does ("30m0s",
 * "15.2s", "1h0m0s", "250ms"), because Nomad's task event messages use it
 * and users grep for them. Sub-millisecond precision is rounded away.
 */
export function formatGoDuration(ns: Nanos): string {
  const ms = Math.round(ns / 1e6);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
