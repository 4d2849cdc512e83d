import { CronExpressionParser } from 'cron-parser';
import type { PeriodicConfig } from '../structs/job.js';

/** Nomad's default and the zone cron times are read in when none is given. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** Every cron expression of a periodic block: the older `Spec` and the newer `Specs`, as Nomad reads both. */
export function periodicSpecs(p: Pick<PeriodicConfig, 'Spec' | 'Specs'>): string[] {
  return [p.Spec, ...p.Specs].filter((s) => s.trim() !== '');
}

/** Why `zone` is not an IANA time zone, or undefined when it is one. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `time_zone "${zone}" is not a known IANA time zone; use e.g. "UTC", "Europe/Paris" or "America/New_York"`;
  }
}

/** Why `expr` is not a cron expression kiln can run, or undefined when it is one. */
export function cronProblem(expr: string, zone = DEFAULT_TIME_ZONE): string | undefined {
  const fields = expr.trim().split(/\s+/).length;
  if (!expr.trim().startsWith('@') && (fields < 5 || fields > 6)) {
    return `cron "${expr}" has ${fields} fields; write 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first), e.g. "*/5 * * * *"`;
  }
  try {
    CronExpressionParser.parse(expr, { tz: zone, currentDate: new Date(0) }).next();
    return undefined;
  } catch (err) {
    return `cron "${expr}" is invalid (${(err as Error).message}); write e.g. "*/5 * * * *" (minute hour day-of-month month day-of-week)`;
  }
}

/**
 * The first launch time strictly after `afterMs` (Unix ms) over every cron
 * of the block, read in its time zone; undefined when disabled or when no
 * expression has a next time. Pure: the launcher only wraps timers around it.
 */
export function nextLaunch(p: PeriodicConfig, afterMs: number): number | undefined {
  if (!p.Enabled) return undefined;
  let best: number | undefined;
  for (const spec of periodicSpecs(p)) {
    const next = nextFor(spec, p.TimeZone || DEFAULT_TIME_ZONE, afterMs);
    if (next !== undefined && (best === undefined || next < best)) best = next;
  }
  return best;
}

function nextFor(spec: string, zone: string, afterMs: number): number | undefined {
  try {
    const expr = CronExpressionParser.parse(spec, { tz: zone, currentDate: new Date(afterMs) });
    const next = expr.next().getTime();
    return next > afterMs ? next : undefined;
  } catch {
    // Validated at submit time; an expression with no future time (e.g. a past year) simply never fires.
    return undefined;
  }
}
