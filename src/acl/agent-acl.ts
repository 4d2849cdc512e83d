/**
 * ACLs for one agent process: the resolver (from the store when this agent
 * has one, else from a server), the failure limiter, the exec audit log and
 * the secret its own roles use with each other. The Agent calls protect()
 * on every role's app before it listens.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../agent/logger.js';
import type { Store } from '../state/index.js';
import { KilnError } from '../structs/index.js';
import { ExecAudit } from './audit.js';
import { withToken } from './fetch.js';
import { attachExecAudit, installAclGuard } from './guard.js';
import { registerAclRoutes } from './http-routes.js';
import { FailureLimiter, type RateLimitOptions } from './rate-limit.js';
import { RemoteTokenResolver, StoreTokenResolver, type TokenResolver } from './resolver.js';
import type { AppRole, RouteContext } from './route-table.js';
import { uncoveredRoutes } from './route-list.js';
import { AclStore } from './store.js';

export interface AgentAclOptions {
  enabled: boolean;
  dataDir: string;
  logger: Logger;
  /** The cluster store, when this agent runs a server or catalog. */
  store?: Store;
  /** Servers to check tokens with when there is no store here. */
  servers: string[];
  /** fetch for those servers (a TLS-speaking one in a TLS cluster). */
  serverFetch?: typeof fetch;
  /** `acl { agent_token }`: a real token's secret, for agents whose roles talk to other machines. */
  agentToken?: string;
  rateLimit?: RateLimitOptions;
}

export class AgentAcl {
  readonly enabled: boolean;
  /** What this agent's roles send to each other (and to remote agents when agent_token is set). */
  readonly agentSecret: string | undefined;
  readonly audit: ExecAudit;
  private readonly limiter: FailureLimiter;
  private readonly resolver: TokenResolver;
  private readonly aclStore?: AclStore;
  /** Every app protect() saw, for the route-coverage check. */
  readonly apps: { role: AppRole; app: FastifyInstance }[] = [];

  constructor(private readonly o: AgentAclOptions) {
    this.enabled = o.enabled;
    this.agentSecret = o.enabled ? (o.agentToken ?? randomUUID()) : undefined;
    this.audit = new ExecAudit(join(o.dataDir, 'audit', 'exec.jsonl'));
    this.limiter = new FailureLimiter(o.rateLimit);
    if (o.store) this.aclStore = new AclStore(o.store);
    this.resolver = this.aclStore ? new StoreTokenResolver(this.aclStore) : new RemoteTokenResolver(o.servers, undefined, undefined, o.serverFetch);
  }

  /** Guard a role's app (call before it listens); with ACLs off only the exec audit is attached. */
  protect(app: FastifyInstance, role: AppRole, extra: { namespaceOf?: RouteContext['namespaceOf'] } = {}): void {
    this.apps.push({ role, app });
    if (!this.enabled) {
      attachExecAudit(app, this.audit);
      return;
    }
    installAclGuard(app, {
      role,
      resolver: this.resolver,
      limiter: this.limiter,
      logger: this.o.logger,
      audit: this.audit,
      ...(this.agentSecret ? { agentSecret: this.agentSecret } : {}),
      ...(extra.namespaceOf ? { namespaceOf: extra.namespaceOf } : {}),
    });
  }

  /** Routes of the running apps without an entry in ROUTE_TABLE (each is refused); empty when every route is covered. */
  uncovered(): { role: AppRole; method: string; url: string }[] {
    return this.apps.flatMap(({ role, app }) => uncoveredRoutes(app, role).map((r) => ({ role, ...r })));
  }

  /** `base` (default: global fetch) sending this agent's token, to `origins` only when given; `base` itself with ACLs off. */
  fetch(base: typeof fetch = fetch, origins?: string[]): typeof fetch {
    return withToken(base, this.agentSecret, origins);
  }

  /** `/v1/acl/*` on the server's app (needs the store). */
  registerRoutes(app: FastifyInstance): void {
    if (!this.enabled) {
      // Say why instead of a bare 404, so `kiln acl bootstrap` against a dev agent explains itself.
      app.all('/v1/acl/*', async () => {
        throw new KilnError('BAD_REQUEST', 'ACLs are disabled on this agent (kiln agent -dev on loopback, or acl { enabled = false }): there are no tokens to manage; every request is allowed');
      });
      return;
    }
    if (!this.aclStore) return;
    registerAclRoutes(app, { acl: this.aclStore });
  }
}
