/**
 * The decision: does an identity meet a route's requirement? Pure. Rules of
 * several policies merge; in each scope the most specific match decides
 * (exact namespace over globs, longest prefix), and `deny` wins a tie.
 */
import type { Access, Identity, NamespaceCapability, NamespaceRule, PolicyRules, PolicyWord, PrefixRule, Requirement } from './types.js';

const GRANTS: Record<'read' | 'write', NamespaceCapability[]> = {
  read: ['read-job'],
  write: ['read-job', 'submit-job'],
};

export function isAllowed(identity: Identity, req: Requirement): boolean {
  if (req.scope === 'public' || identity.management) return true;
  const rules = identity.rules;
  switch (req.scope) {
    case 'management':
      return false;
    case 'namespace':
      return namespaceCapabilities(rules, req.namespace).has(req.capability);
    case 'service':
      return permits(longestPrefix(rules.flatMap((r) => r.services), req.name), req.access);
    case 'key':
      return permits(longestPrefix(rules.flatMap((r) => r.keys), req.key), req.access);
    default:
      return permits(merge(rules.map((r) => r[req.scope])), req.access);
  }
}

export function permits(word: PolicyWord | undefined, access: Access): boolean {
  return word === 'write' || (word === 'read' && access === 'read');
}

/** Capabilities granted in a namespace; a `deny` among the best matches grants nothing. */
export function namespaceCapabilities(rules: PolicyRules[], namespace: string): Set<NamespaceCapability> {
  const all = rules.flatMap((r) => r.namespaces);
  const exact = all.filter((n) => n.name === namespace);
  const chosen = exact.length > 0 ? exact : bestGlobs(all, namespace);
  if (chosen.some((n) => n.policy === 'deny')) return new Set();
  const caps = new Set<NamespaceCapability>();
  for (const n of chosen) {
    if (n.policy === 'read' || n.policy === 'write') GRANTS[n.policy].forEach((c) => caps.add(c));
    n.capabilities.forEach((c) => caps.add(c));
  }
  return caps;
}

/** Glob rules matching the name; the ones with the most literal characters win. */
function bestGlobs(all: NamespaceRule[], namespace: string): NamespaceRule[] {
  const matching = all.filter((n) => n.name.includes('*') && globMatch(n.name, namespace));
  const score = (n: NamespaceRule) => n.name.replace(/\*/g, '').length;
  const best = Math.max(-1, ...matching.map(score));
  return matching.filter((n) => score(n) === best);
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

function longestPrefix(rules: PrefixRule[], name: string): PolicyWord | undefined {
  const matching = rules.filter((r) => name.startsWith(r.prefix));
  const best = Math.max(-1, ...matching.map((r) => r.prefix.length));
  return merge(matching.filter((r) => r.prefix.length === best).map((r) => r.policy));
}

/** deny > write > read among equally specific rules. */
function merge(words: (PolicyWord | undefined)[]): PolicyWord | undefined {
  if (words.includes('deny')) return 'deny';
  if (words.includes('write')) return 'write';
  return words.includes('read') ? 'read' : undefined;
}

/** A sentence for the 403: what was needed. */
export function describeRequirement(req: Requirement): string {
  switch (req.scope) {
    case 'public':
      return 'nothing';
    case 'management':
      return 'a management token';
    case 'namespace':
      return `capability "${req.capability}" in namespace "${req.namespace}"`;
    case 'service':
      return `service_prefix ${req.access} on service "${req.name}"${req.name === '' ? ' (every service: service_prefix "")' : ''}`;
    case 'key':
      return `key_prefix ${req.access} on key "${req.key}"`;
    default:
      return `${req.scope} ${req.access}`;
  }
}
