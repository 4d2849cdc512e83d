/**
 * ACL domain types: tokens (accessor + secret), policies (HCL rules) and the
 * requirement each route states. Shapes follow Nomad's ACL API in PascalCase.
 */

export type Access = 'read' | 'write';
/** A scope's policy word; `deny` wins over everything else that matches. */
export type PolicyWord = 'deny' | 'read' | 'write';

/** Job capabilities in a namespace. `read`/`write` policies grant the first two; logs and exec are only granted by name. */
export const NAMESPACE_CAPABILITIES = ['read-job', 'submit-job', 'read-logs', 'alloc-exec'] as const;
export type NamespaceCapability = (typeof NAMESPACE_CAPABILITIES)[number];

export interface NamespaceRule {
  /** Exact name, or a glob with `*` (`"*"` is every namespace). */
  name: string;
  policy?: PolicyWord;
  capabilities: NamespaceCapability[];
}

export interface PrefixRule {
  prefix: string;
  policy: PolicyWord;
}

/** Every rule of one policy, decoded from its HCL. */
export interface PolicyRules {
  namespaces: NamespaceRule[];
  node?: PolicyWord;
  agent?: PolicyWord;
  operator?: PolicyWord;
  registry?: PolicyWord;
  services: PrefixRule[];
  keys: PrefixRule[];
}

export interface AclPolicy {
  Name: string;
  Description: string;
  /** The HCL text as the user wrote it. */
  Rules: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export type TokenType = 'client' | 'management';

/** A token as stored: the secret only as its SHA-256. */
export interface StoredToken {
  AccessorID: string;
  SecretHash: string;
  Name: string;
  Type: TokenType;
  Policies: string[];
  Global: boolean;
  CreateTime: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A token as the API shows it; `SecretID` only in the answer that created it. */
export type AclToken = Omit<StoredToken, 'SecretHash'> & { SecretID?: string };

/** Who is asking, once the token is resolved. */
export interface Identity {
  /** The token's accessor; `anonymous` without a token, `agent` for this process's own roles. */
  accessor: string;
  name: string;
  management: boolean;
  rules: PolicyRules[];
}

/** What a route needs. Namespaced and prefixed requirements carry the name they are checked against. */
export type Requirement =
  | { scope: 'public' }
  | { scope: 'namespace'; capability: NamespaceCapability; namespace: string }
  | { scope: 'node' | 'agent' | 'operator' | 'registry'; access: Access }
  | { scope: 'service'; access: Access; name: string }
  | { scope: 'key'; access: Access; key: string }
  | { scope: 'management' };

export const emptyRules = (): PolicyRules => ({ namespaces: [], services: [], keys: [] });
