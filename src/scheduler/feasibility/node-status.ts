import type { Node } from '../../structs/index.js';

/** Ready, eligible and not draining: the only nodes that may receive new allocations. */
export const nodeAcceptsPlacements = (node: Node): boolean =>
  node.Status === 'ready' && node.SchedulingEligibility === 'eligible' && !node.Drain;
