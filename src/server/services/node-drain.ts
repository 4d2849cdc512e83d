import type { Nanos, Node } from '../../structs/index.js';
import { BadRequestError } from '../../structs/index.js';

/** The API's DrainSpec (Nomad's): Deadline in ns, 0 = none, -1 = force (stop everything now). */
export interface DrainSpec {
  Deadline: Nanos;
  IgnoreSystemJobs?: boolean;
}

/** Refuse a deadline that is already over (any negative other than Nomad's force value -1). */
export function validateDrainSpec(spec: DrainSpec): void {
  if (!Number.isFinite(spec.Deadline) || !Number.isInteger(spec.Deadline)) {
    throw new BadRequestError(`DrainSpec.Deadline must be a whole number of nanoseconds, got ${String(spec.Deadline)}`);
  }
  if (spec.Deadline < -1) {
    throw new BadRequestError(`drain deadline ${spec.Deadline} ns is in the past; give a positive duration (e.g. -deadline 1h), 0 for no deadline, or -force to stop everything now`);
  }
}

/** The node with a drain starting now (a drain already running is replaced, keeping its start). */
export function startDrain(node: Node, spec: DrainSpec, nowNs: number): Node {
  const startedAt = node.DrainStrategy?.StartedAt ?? nowNs;
  return {
    ...node,
    Drain: true,
    SchedulingEligibility: 'ineligible',
    DrainStrategy: {
      Deadline: spec.Deadline,
      IgnoreSystemJobs: spec.IgnoreSystemJobs ?? false,
      ForceDeadline: spec.Deadline > 0 ? nowNs + spec.Deadline : 0,
      StartedAt: startedAt,
    },
    LastDrain: { StartedAt: startedAt, UpdatedAt: nowNs, Status: 'draining' },
  };
}

/** The node with its drain cancelled; eligible again only when asked. */
export function cancelDrain(node: Node, markEligible: boolean, nowNs: number): Node {
  const { DrainStrategy: strategy, ...rest } = node;
  return {
    ...rest,
    Drain: false,
    SchedulingEligibility: markEligible ? 'eligible' : node.SchedulingEligibility,
    ...(strategy ? { LastDrain: { StartedAt: strategy.StartedAt, UpdatedAt: nowNs, Status: 'canceled' as const } } : {}),
  };
}
