/**
 * What the ACL guard needs to decide routes addressed by an instance or check
 * ID: the service that ID belongs to, found the way the routes find it
 * (this agent's node; TTL updates also accept a check of another node).
 */
import type { CatalogContext } from './context.js';

export function serviceNameOf(ctx: CatalogContext, kind: 'service' | 'check', id: string): string | undefined {
  const { view } = ctx;
  const node = ctx.node.node;
  if (kind === 'service') return view.service(node, id)?.Service;
  const check = view.check(node, id) ?? view.allChecks().find((c) => c.CheckID === id);
  return check?.ServiceName;
}
