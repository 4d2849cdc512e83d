/**
 * Secret → Identity. Agents holding the store (server, catalog) resolve from
 * it; agents without one (registry, ingress or client alone) ask a server's
 * `GET /v1/acl/token/self` and keep the answer briefly.
 */
import { KilnError } from '../structs/index.js';
import { parsePolicy } from './policy.js';
import { hashSecret, secretsEqual } from './secrets.js';
import type { AclStore } from './store.js';
import type { Identity, PolicyRules, StoredToken } from './types.js';

export interface TokenResolver {
  /** The token's identity; undefined when no token has this secret. */
  resolve(secret: string): Promise<Identity | undefined>;
  /** Requests without a token get the rules of the policy named `anonymous`, when there is one. */
  anonymous(): Promise<Identity>;
  bootstrapped(): Promise<boolean>;
}

export const ANONYMOUS_POLICY = 'anonymous';

export class StoreTokenResolver implements TokenResolver {
  private readonly parsed = new Map<string, PolicyRules>();

  constructor(private readonly acl: AclStore) {}

  bootstrapped(): Promise<boolean> {
    return this.acl.bootstrapped();
  }

  async resolve(secret: string): Promise<Identity | undefined> {
    const hash = hashSecret(secret);
    const token = await this.acl.tokenBySecretHash(hash);
    // The key lookup is by hash; the compare is constant-time all the same.
    if (!token || !secretsEqual(token.SecretHash, hash)) return undefined;
    return this.identityOf(token);
  }

  async identityOf(token: StoredToken): Promise<Identity> {
    const management = token.Type === 'management';
    return { accessor: token.AccessorID, name: token.Name, management, rules: management ? [] : await this.rulesOf(token.Policies) };
  }

  async anonymous(): Promise<Identity> {
    return { accessor: 'anonymous', name: 'anonymous', management: false, rules: await this.rulesOf([ANONYMOUS_POLICY]) };
  }

  /** Policies a token names but that were deleted since grant nothing. */
  async rulesOf(names: string[]): Promise<PolicyRules[]> {
    const out: PolicyRules[] = [];
    for (const name of names) {
      const policy = await this.acl.policy(name);
      if (!policy) continue;
      const key = `${name}@${policy.ModifyIndex}`;
      let rules = this.parsed.get(key);
      if (!rules) {
        rules = await parsePolicy(policy.Rules, `${name}.hcl`);
        this.parsed.set(key, rules);
      }
      out.push(rules);
    }
    return out;
  }
}

/** What `GET /v1/acl/token/self` answers besides the token: the merged rules the guard applies. */
export interface SelfResponse {
  AccessorID: string;
  Name: string;
  Type: string;
  Policies: string[];
  ResolvedRules: PolicyRules[];
}

export class RemoteTokenResolver implements TokenResolver {
  private readonly cache = new Map<string, { identity: Identity | undefined; until: number }>();

  constructor(
    private readonly servers: string[],
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
    /** A TLS-speaking fetch in a TLS cluster (the agent's tls block). */
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async bootstrapped(): Promise<boolean> {
    return true;
  }

  resolve(secret: string): Promise<Identity | undefined> {
    return this.cached(hashSecret(secret), secret);
  }

  async anonymous(): Promise<Identity> {
    return (await this.cached('anonymous', undefined)) ?? { accessor: 'anonymous', name: 'anonymous', management: false, rules: [] };
  }

  private async cached(key: string, secret: string | undefined): Promise<Identity | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.identity;
    const identity = await this.fetchSelf(secret);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { identity, until: this.now() + this.ttlMs });
    return identity;
  }

  private async fetchSelf(secret: string | undefined): Promise<Identity | undefined> {
    const failures: string[] = [];
    for (const server of this.servers) {
      const base = server.startsWith('http') ? server : `http://${server}`;
      try {
        const res = await this.fetchFn(`${base}/v1/acl/token/self`, { headers: secret ? { 'x-kiln-token': secret } : {}, signal: AbortSignal.timeout(5_000) });
        if (res.status === 403 || res.status === 404) return undefined;
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const self = (await res.json()) as SelfResponse;
        return { accessor: self.AccessorID, name: self.Name, management: self.Type === 'management', rules: self.ResolvedRules };
      } catch (err) {
        failures.push(`${base}: ${(err as Error).message}`);
      }
    }
    throw new KilnError('UNAVAILABLE', `cannot check the ACL token with a server (${failures.join('; ')}); set client { servers = [...] } to reachable servers`);
  }
}
