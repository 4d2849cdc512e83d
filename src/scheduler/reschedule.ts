import type { Allocation, RescheduleEvent, ReschedulePolicy } from '../structs/index.js';
import { NS_PER_MS, NS_PER_S } from '../structs/index.js';

/** Allocations whose reschedule time falls within this window of now are rescheduled now (Nomad: 1s). */
export const RESCHEDULE_WINDOW_NS = 1 * NS_PER_S;
/** Nomad's minimum reschedule delay. */
export const MIN_RESCHEDULE_DELAY_NS = 5 * NS_PER_S;
/** Unlimited policies keep only the most recent events on the tracker. */
export const MAX_TRACKED_EVENTS = 10;

export type RescheduleDecision =
  | { kind: 'now'; delay: number }
  | { kind: 'later'; delay: number; waitUntil: number }
  | { kind: 'never' };

/** When the allocation failed: its last task finish time, else its last modification. */
export function failTime(alloc: Allocation): number {
  let latest = 0;
  for (const ts of Object.values(alloc.TaskStates ?? {})) {
    const finished = ts.FinishedAt ? Date.parse(ts.FinishedAt) : NaN;
    if (Number.isFinite(finished)) latest = Math.max(latest, finished * NS_PER_MS);
  }
  return latest > 0 ? latest : alloc.ModifyTime;
}

/** Nomad's NextDelay: constant, exponential (×2) or fibonacci over past delays, capped at MaxDelay. */
export function nextDelay(policy: ReschedulePolicy, events: readonly RescheduleEvent[], failedAt: number): number {
  const base = Math.max(policy.Delay, MIN_RESCHEDULE_DELAY_NS);
  let delay = base;
  const last = events[events.length - 1];
  if (policy.DelayFunction === 'exponential' && last) {
    delay = last.Delay * 2;
  } else if (policy.DelayFunction === 'fibonacci' && events.length > 1 && last) {
    const prev = events[events.length - 2] as RescheduleEvent;
    // A series that hit the ceiling and was reset starts again from the base delay.
    delay = prev.Delay === policy.MaxDelay && last.Delay === base ? last.Delay : last.Delay + prev.Delay;
  }
  if (policy.MaxDelay > 0 && delay > policy.MaxDelay) {
    delay = policy.MaxDelay;
    // Failing long after the last reschedule resets the delay to its base.
    if (last && failedAt - last.RescheduleTime > delay) delay = base;
  }
  return delay;
}

/** Reschedule attempts still allowed by the policy within its interval. */
export function attemptsLeft(policy: ReschedulePolicy, events: readonly RescheduleEvent[], nowNs: number): boolean {
  if (policy.Unlimited) return true;
  if (policy.Attempts <= 0) return false;
  const windowStart = nowNs - policy.Interval;
  const recent = events.filter((e) => e.RescheduleTime > windowStart).length;
  return recent < policy.Attempts;
}

/** Whether and when a failed allocation may be replaced under its group's policy. */
export function rescheduleDecision(alloc: Allocation, policy: ReschedulePolicy | undefined, nowNs: number): RescheduleDecision {
  if (!policy) return { kind: 'never' };
  const events = alloc.RescheduleTracker?.Events ?? [];
  if (!attemptsLeft(policy, events, nowNs)) return { kind: 'never' };
  const failedAt = failTime(alloc);
  const delay = nextDelay(policy, events, failedAt);
  const eligibleAt = failedAt + delay;
  if (eligibleAt <= nowNs + RESCHEDULE_WINDOW_NS) return { kind: 'now', delay };
  return { kind: 'later', delay, waitUntil: eligibleAt };
}

/** The tracker a replacement carries: the previous events plus this reschedule. */
export function nextTracker(alloc: Allocation, policy: ReschedulePolicy, nowNs: number, delay: number): { Events: RescheduleEvent[] } {
  let events = alloc.RescheduleTracker?.Events ?? [];
  if (!policy.Unlimited) events = events.filter((e) => e.RescheduleTime > nowNs - policy.Interval);
  else if (events.length >= MAX_TRACKED_EVENTS) events = events.slice(events.length - MAX_TRACKED_EVENTS + 1);
  return { Events: [...events, { RescheduleTime: nowNs, PrevAllocID: alloc.ID, PrevNodeID: alloc.NodeID, Delay: delay }] };
}
