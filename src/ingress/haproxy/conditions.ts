/**
 * Rules → HAProxy conditions. HAProxy has and (juxtaposition), or (`||`) and
 * negation of one ACL but no parentheses, so the rule tree is rewritten into
 * a disjunction of conjunctions (negations pushed to the leaves first).
 */
import type { RuleNode } from '../rules/index.js';

type Leaf = Extract<RuleNode, { kind: 'matcher' }>;
interface Literal {
  leaf: Leaf;
  negated: boolean;
}

/** Each inner array is one `and` term; the outer array is or'ed. */
export function toDnf(node: RuleNode, negated = false): Literal[][] {
  switch (node.kind) {
    case 'not':
      return toDnf(node.operand, !negated);
    case 'matcher':
      return [[{ leaf: node, negated }]];
    case 'and':
    case 'or': {
      const l = toDnf(node.left, negated);
      const r = toDnf(node.right, negated);
      // De Morgan: a negated and is an or, a negated or is an and.
      const isOr = (node.kind === 'or') !== negated;
      if (isOr) return [...l, ...r];
      return l.flatMap((a) => r.map((b) => [...a, ...b]));
    }
  }
}

/** A value safe inside an HAProxy config word (quotes and backslashes escaped). */
export function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const HOST = 'req.hdr(host),field(1,:),lower';

export function acl(leaf: Leaf): string {
  const args = leaf.args.map(quote).join(' ');
  switch (leaf.name) {
    case 'Host':
      return `{ ${HOST} -m str ${leaf.args.map((a) => quote(a.toLowerCase())).join(' ')} }`;
    case 'HostRegexp':
      return `{ ${HOST} -m reg -i ${args} }`;
    case 'Path':
      return `{ path -m str ${args} }`;
    case 'PathPrefix':
      return `{ path -m beg ${args} }`;
    case 'PathRegexp':
      return `{ path -m reg ${args} }`;
    case 'Method':
      return `{ method ${leaf.args.map((a) => quote(a.toUpperCase())).join(' ')} }`;
    case 'Header':
      return `{ req.hdr(${leaf.args[0]!.toLowerCase()}) -m str ${quote(leaf.args[1]!)} }`;
    case 'HeaderRegexp':
      return `{ req.hdr(${leaf.args[0]!.toLowerCase()}) -m reg ${quote(leaf.args[1]!)} }`;
  }
}

/** One HAProxy condition string per `and` term. */
export function conditions(node: RuleNode): string[] {
  return toDnf(node).map((term) => term.map((l) => `${l.negated ? '!' : ''}${acl(l.leaf)}`).join(' '));
}
