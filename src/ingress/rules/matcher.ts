/**
 * Compiles a parsed rule into a closure over a request's host, path, method
 * and headers. Regexps compile once here; an invalid one is an error value.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RuleNode } from './ast.js';
import type { RuleError } from './lexer.js';
import { parseRule } from './parser.js';

/** What a rule looks at; host is lower-case without port, path has no query. */
export interface MatchInput {
  host: string;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
}

export type Matcher = (req: MatchInput) => boolean;

export type CompileResult = { ok: true; match: Matcher } | { ok: false; error: RuleError };

class Invalid {
  constructor(readonly error: RuleError) {}
}

export function compileRule(text: string): CompileResult {
  const parsed = parseRule(text);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, match: compileNode(parsed.node) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.error };
    throw e;
  }
}

export function compileNode(node: RuleNode): Matcher {
  switch (node.kind) {
    case 'and': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (q) => l(q) && r(q);
    }
    case 'or': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (q) => l(q) || r(q);
    }
    case 'not': {
      const m = compileNode(node.operand);
      return (q) => !m(q);
    }
    case 'matcher':
      return leaf(node.name, node.args, node.pos);
  }
}

function leaf(name: Extract<RuleNode, { kind: 'matcher' }>['name'], args: string[], pos: number): Matcher {
  switch (name) {
    case 'Host': {
      const hosts = args.map((h) => h.toLowerCase());
      if (hosts.length === 1) {
        const h = hosts[0]!;
        return (q) => q.host === h;
      }
      return (q) => hosts.includes(q.host);
    }
    case 'HostRegexp': {
      const res = args.map((a) => regexp(a, 'i', pos));
      return (q) => res.some((re) => re.test(q.host));
    }
    case 'Path':
      return (q) => args.includes(q.path);
    case 'PathPrefix':
      return (q) => args.some((p) => q.path.startsWith(p));
    case 'PathRegexp': {
      const res = args.map((a) => regexp(a, '', pos));
      return (q) => res.some((re) => re.test(q.path));
    }
    case 'Method': {
      const methods = args.map((m) => m.toUpperCase());
      return (q) => methods.includes(q.method);
    }
    case 'Header': {
      const key = args[0]!.toLowerCase();
      const value = args[1]!;
      return (q) => headerValues(q.headers[key]).includes(value);
    }
    case 'HeaderRegexp': {
      const key = args[0]!.toLowerCase();
      const re = regexp(args[1]!, '', pos);
      return (q) => headerValues(q.headers[key]).some((v) => re.test(v));
    }
  }
}

function headerValues(v: string | string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

function regexp(source: string, flags: string, pos: number): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new Invalid({ pos, message: `invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message}` });
  }
}
