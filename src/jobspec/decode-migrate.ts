import type { MigrateStrategy } from '../structs/job.js';
import { defaultMigrateStrategy } from '../structs/job.js';
import { formatGoDuration } from './duration.js';
import type { BodyReader } from './reader.js';

const MIGRATE_KEYS = ['max_parallel', 'health_check', 'min_healthy_time', 'healthy_deadline'];

/**
 * The group's `migrate` block: how its allocations leave a draining node.
 * Without a block the group gets none and the drainer uses Nomad's defaults
 * (max_parallel 1, "checks", 10s, 5m), so jobs stored before the block
 * existed keep comparing equal.
 */
export function decodeMigrate(group: BodyReader): MigrateStrategy | undefined {
  const ref = group.block('migrate');
  if (!ref) return undefined;
  const r = group.child(ref, 'migrate', MIGRATE_KEYS);
  const m = defaultMigrateStrategy();
  m.MaxParallel = r.integer('max_parallel', m.MaxParallel);
  m.HealthCheck = r.oneOf('health_check', ['checks', 'task_states'], m.HealthCheck);
  m.MinHealthyTime = r.duration('min_healthy_time', m.MinHealthyTime);
  m.HealthyDeadline = r.duration('healthy_deadline', m.HealthyDeadline);
  if (m.MaxParallel < 1) r.problem('max_parallel', `max_parallel is ${m.MaxParallel}; at least 1 allocation must be able to move at a time`);
  if (m.MinHealthyTime >= m.HealthyDeadline) {
    r.problem('min_healthy_time', `min_healthy_time ${formatGoDuration(m.MinHealthyTime)} must be shorter than healthy_deadline ${formatGoDuration(m.HealthyDeadline)}`);
  }
  return m;
}
