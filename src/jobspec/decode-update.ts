import type { UpdateStrategy } from '../structs/job.js';
import { NS_PER_S } from '../structs/time.js';
import { formatGoDuration } from './duration.js';
import type { BodyReader } from './reader.js';

const UPDATE_KEYS = ['max_parallel', 'health_check', 'min_healthy_time', 'healthy_deadline', 'progress_deadline', 'auto_revert', 'auto_promote', 'canary', 'stagger'];
const MINUTE = 60 * NS_PER_S;

/** Nomad's DefaultUpdateStrategy (nomad/structs/structs.go). */
export function defaultUpdateStrategy(): UpdateStrategy {
  return {
    MaxParallel: 1,
    HealthCheck: 'checks',
    MinHealthyTime: 10 * NS_PER_S,
    HealthyDeadline: 5 * MINUTE,
    ProgressDeadline: 10 * MINUTE,
    AutoRevert: false,
    AutoPromote: false,
    Canary: 0,
    Stagger: 30 * NS_PER_S,
  };
}

/**
 * The `update` block of a job or group. A group's block starts from the
 * job's (fields it sets override the job's), as in Nomad; without any block
 * the group has no update strategy and new versions replace allocations at
 * once, without a deployment.
 */
export function decodeUpdate(parent: BodyReader, inherited: UpdateStrategy | undefined): UpdateStrategy | undefined {
  const ref = parent.block('update');
  if (!ref) return inherited ? { ...inherited } : undefined;
  const r = parent.child(ref, 'update', UPDATE_KEYS);
  const u = { ...(inherited ?? defaultUpdateStrategy()) };
  u.MaxParallel = r.integer('max_parallel', u.MaxParallel);
  u.HealthCheck = r.oneOf('health_check', ['checks', 'task_states', 'manual'], u.HealthCheck);
  u.MinHealthyTime = r.duration('min_healthy_time', u.MinHealthyTime);
  u.HealthyDeadline = r.duration('healthy_deadline', u.HealthyDeadline);
  u.ProgressDeadline = r.duration('progress_deadline', u.ProgressDeadline);
  u.AutoRevert = r.bool('auto_revert', u.AutoRevert);
  u.AutoPromote = r.bool('auto_promote', u.AutoPromote);
  u.Canary = r.integer('canary', u.Canary);
  u.Stagger = r.duration('stagger', u.Stagger);
  if (u.MaxParallel < 0) r.problem('max_parallel', `max_parallel is ${u.MaxParallel}; use 0 (no deployments) or more`);
  if (u.Canary < 0) r.problem('canary', `canary is ${u.Canary}; use 0 (no canaries) or more`);
  if (u.MinHealthyTime >= u.HealthyDeadline) {
    r.problem('min_healthy_time', `min_healthy_time ${formatGoDuration(u.MinHealthyTime)} must be shorter than healthy_deadline ${formatGoDuration(u.HealthyDeadline)}`);
  }
  if (u.ProgressDeadline !== 0 && u.ProgressDeadline < u.HealthyDeadline) {
    r.problem('progress_deadline', `progress_deadline ${formatGoDuration(u.ProgressDeadline)} must be at least healthy_deadline ${formatGoDuration(u.HealthyDeadline)} (or 0 to disable it)`);
  }
  if (u.AutoPromote && u.Canary === 0) r.problem('auto_promote', 'auto_promote needs canary > 0; set canary or remove auto_promote');
  return u;
}
