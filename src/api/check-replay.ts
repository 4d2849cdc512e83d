/**
 * Check statuses that could not be sent because no catalog answered. The
 * check runner reports a status only when it changes, so a change that
 * happened while every catalog was down would otherwise stay unknown to the
 * catalog until the next change. Kept per check (the latest wins); a newer
 * report that got through, or the service's deregistration, drops it.
 */
import type { CatalogRegisterBody } from '../catalog/consul-client.js';

type CheckBody = NonNullable<CatalogRegisterBody['Checks']>[number];

interface Pending {
  node: Omit<CatalogRegisterBody, 'Checks' | 'Service'>;
  check: CheckBody;
}

export class UnsentChecks {
  private readonly pending = new Map<string, Pending>();

  get size(): number {
    return this.pending.size;
  }

  /** A check-only registration failed everywhere: keep its checks for later. */
  failed(body: CatalogRegisterBody): void {
    if (body.Service || !body.Checks) return;
    const { Checks, ...node } = body;
    for (const check of Checks) this.pending.set(key(body.Node, check.CheckID), { node, check });
  }

  /** A registration reached a catalog: its checks are current there. */
  sent(body: CatalogRegisterBody): void {
    for (const c of body.Checks ?? []) this.pending.delete(key(body.Node, c.CheckID));
  }

  /** A replayed body got through: drop its checks unless a newer status replaced them meanwhile. */
  replayed(body: CatalogRegisterBody): void {
    for (const c of body.Checks ?? []) {
      const k = key(body.Node, c.CheckID);
      if (this.pending.get(k)?.check === c) this.pending.delete(k);
    }
  }

  /** The service (or the node) is gone: its checks must not come back. */
  deregistered(body: { Node: string; ServiceID?: string; CheckID?: string }): void {
    for (const [k, p] of this.pending) {
      if (p.node.Node !== body.Node) continue;
      if (!body.ServiceID && !body.CheckID) this.pending.delete(k);
      else if (body.ServiceID && p.check.ServiceID === body.ServiceID) this.pending.delete(k);
      else if (body.CheckID && p.check.CheckID === body.CheckID) this.pending.delete(k);
    }
  }

  /** One registration body per node with every pending check of it. */
  bodies(): CatalogRegisterBody[] {
    const byNode = new Map<string, CatalogRegisterBody>();
    for (const p of this.pending.values()) {
      const b = byNode.get(p.node.Node) ?? { ...p.node, Checks: [] };
      b.Checks!.push(p.check);
      byNode.set(p.node.Node, b);
    }
    return [...byNode.values()];
  }
}

const key = (node: string, checkId: string): string => `${node}\u0000${checkId}`;
