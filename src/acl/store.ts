/**
 * Tokens and policies on the cluster's Store (SQLite or etcd), so every
 * server sees the same ACLs. Keys: `/acl/tokens/<accessor>`,
 * `/acl/secrets/<sha256 of secret>` → accessor, `/acl/policies/<name>`,
 * `/acl/bootstrap` (exists once bootstrapped; its create-compare makes
 * bootstrap happen once even with several servers).
 */
import type { KeyValue, Store } from '../state/index.js';
import { KilnError, NotFoundError } from '../structs/index.js';
import { hashSecret, newAccessor, newSecret } from './secrets.js';
import type { AclPolicy, AclToken, StoredToken, TokenType } from './types.js';

const K = {
  token: (accessor: string) => `/acl/tokens/${accessor}`,
  secret: (hash: string) => `/acl/secrets/${hash}`,
  policy: (name: string) => `/acl/policies/${name}`,
  bootstrap: '/acl/bootstrap',
  tokens: '/acl/tokens/',
  policies: '/acl/policies/',
};

export const POLICY_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export interface NewToken {
  Name?: string;
  Type?: TokenType;
  Policies?: string[];
}

const stamp = <T extends object>(kv: KeyValue): T & { CreateIndex: number; ModifyIndex: number } => ({
  ...(JSON.parse(kv.value) as T),
  CreateIndex: kv.createRevision,
  ModifyIndex: kv.modRevision,
});

export const publicToken = (t: StoredToken, secret?: string): AclToken => {
  const { SecretHash: _hidden, ...rest } = t;
  return secret === undefined ? rest : { ...rest, SecretID: secret };
};

export class AclStore {
  constructor(private readonly store: Store) {}

  async bootstrapped(): Promise<boolean> {
    return (await this.store.get(K.bootstrap)) !== undefined;
  }

  /** The first management token; CONFLICT when the cluster was bootstrapped before. */
  async bootstrap(now: Date): Promise<AclToken> {
    const { token, secret, ops } = this.prepare({ Name: 'Bootstrap Token', Type: 'management' }, now);
    const res = await this.store.txn({
      compares: [{ key: K.bootstrap, modRevision: 0 }],
      ops: [...ops, { type: 'put', key: K.bootstrap, value: JSON.stringify({ AccessorID: token.AccessorID, Time: now.toISOString() }) }],
    });
    if (!res.succeeded) {
      throw new KilnError('CONFLICT', 'ACL bootstrap already done: the cluster has its first management token; ask its holder for a token (kiln acl token create), or see docs/security.md for recovering a lost bootstrap token');
    }
    return publicToken({ ...token, CreateIndex: res.revision, ModifyIndex: res.revision }, secret);
  }

  async createToken(spec: NewToken, now: Date): Promise<AclToken> {
    if (spec.Type !== 'management' && (spec.Policies ?? []).length === 0) {
      throw new KilnError('BAD_REQUEST', 'a client token needs at least one policy (-policy NAME), or use -type management');
    }
    for (const name of spec.Policies ?? []) {
      if (!(await this.store.get(K.policy(name)))) throw new KilnError('BAD_REQUEST', `policy "${name}" does not exist; create it first with kiln acl policy apply ${name} FILE`);
    }
    const { token, secret, ops } = this.prepare(spec, now);
    const res = await this.store.txn({ ops });
    return publicToken({ ...token, CreateIndex: res.revision, ModifyIndex: res.revision }, secret);
  }

  private prepare(spec: NewToken, now: Date) {
    const secret = newSecret();
    const token: StoredToken = {
      AccessorID: newAccessor(),
      SecretHash: hashSecret(secret),
      Name: spec.Name ?? '',
      Type: spec.Type ?? 'client',
      Policies: spec.Type === 'management' ? [] : [...new Set(spec.Policies ?? [])],
      Global: true,
      CreateTime: now.toISOString(),
      CreateIndex: 0,
      ModifyIndex: 0,
    };
    const ops = [
      { type: 'put' as const, key: K.token(token.AccessorID), value: JSON.stringify(token) },
      { type: 'put' as const, key: K.secret(token.SecretHash), value: JSON.stringify(token.AccessorID) },
    ];
    return { token, secret, ops };
  }

  async tokenBySecretHash(hash: string): Promise<StoredToken | undefined> {
    const ref = await this.store.get(K.secret(hash));
    if (!ref) return undefined;
    return this.token(JSON.parse(ref.value) as string);
  }

  async token(accessor: string): Promise<StoredToken | undefined> {
    const kv = await this.store.get(K.token(accessor));
    return kv ? stamp<StoredToken>(kv) : undefined;
  }

  async tokens(): Promise<StoredToken[]> {
    return (await this.store.range(K.tokens)).map((kv) => stamp<StoredToken>(kv));
  }

  async deleteToken(accessor: string): Promise<void> {
    const t = await this.token(accessor);
    if (!t) throw new NotFoundError('ACL token', accessor);
    await this.store.txn({ ops: [{ type: 'delete', key: K.token(accessor) }, { type: 'delete', key: K.secret(t.SecretHash) }] });
  }

  async putPolicy(name: string, description: string, rules: string): Promise<AclPolicy> {
    const res = await this.store.txn({ ops: [{ type: 'put', key: K.policy(name), value: JSON.stringify({ Name: name, Description: description, Rules: rules }) }] });
    const kv = await this.store.get(K.policy(name));
    return kv ? stamp<AclPolicy>(kv) : { Name: name, Description: description, Rules: rules, CreateIndex: res.revision, ModifyIndex: res.revision };
  }

  async policy(name: string): Promise<AclPolicy | undefined> {
    const kv = await this.store.get(K.policy(name));
    return kv ? stamp<AclPolicy>(kv) : undefined;
  }

  async policies(): Promise<AclPolicy[]> {
    return (await this.store.range(K.policies)).map((kv) => stamp<AclPolicy>(kv));
  }

  async deletePolicy(name: string): Promise<void> {
    if (!(await this.policy(name))) throw new NotFoundError('ACL policy', name);
    await this.store.txn({ ops: [{ type: 'delete', key: K.policy(name) }] });
  }
}
