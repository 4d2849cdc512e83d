/**
 * Recursive-descent parser for Traefik's rule syntax. Precedence: `!` binds
 * tightest, then `&&`, then `||`; parentheses group. Errors are values that
 * carry the offset, so the dashboard can show where a tag's rule went wrong.
 */
import { MATCHER_ARITY, MATCHER_NAMES, isMatcherName, type RuleNode } from './ast.js';
import { tokenize, type RuleError, type Token, type TokenKind } from './lexer.js';

export type ParseResult = { ok: true; node: RuleNode } | { ok: false; error: RuleError };

class Failure {
  constructor(readonly error: RuleError) {}
}

export function parseRule(text: string): ParseResult {
  if (text.trim() === '') return { ok: false, error: { message: 'empty rule: write a matcher such as Host(`app.example`)', pos: 0 } };
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const p = new Parser(lexed.tokens);
  try {
    const node = p.expression();
    p.expect('end', 'end of rule');
    return { ok: true, node };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: e.error };
    throw e;
  }
}

/** "Host(`a`) at 3" style text for logs and the dashboard. */
export function describeRuleError(rule: string, error: RuleError): string {
  return `invalid rule ${JSON.stringify(rule)} at offset ${error.pos}: ${error.message}`;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  expression(): RuleNode {
    let left = this.conjunction();
    while (this.peek().kind === 'or') {
      this.i++;
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): RuleNode {
    let left = this.unary();
    while (this.peek().kind === 'and') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): RuleNode {
    if (this.peek().kind === 'not') {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): RuleNode {
    const t = this.next();
    if (t.kind === 'lparen') {
      const inner = this.expression();
      this.expect('rparen', '")" to close the group');
      return inner;
    }
    if (t.kind !== 'ident') throw this.unexpected(t, 'a matcher such as Host(`…`) or "("');
    if (!isMatcherName(t.value)) {
      const hint = MATCHER_NAMES.find((n) => n.toLowerCase() === t.value.toLowerCase());
      throw new Failure({ pos: t.pos, message: `unknown matcher ${t.value}${hint ? ` (did you mean ${hint}?)` : ''}: use one of ${MATCHER_NAMES.join(', ')}` });
    }
    this.expect('lparen', `"(" after ${t.value}`);
    const args = this.args(t.value);
    const arity = MATCHER_ARITY[t.value];
    if (arity === 'some' && args.length === 0) throw new Failure({ pos: t.pos, message: `${t.value} needs at least one argument` });
    if (typeof arity === 'number' && args.length !== arity) throw new Failure({ pos: t.pos, message: `${t.value} takes ${arity} arguments, got ${args.length}` });
    return { kind: 'matcher', name: t.value, args, pos: t.pos };
  }

  private args(name: string): string[] {
    const args: string[] = [];
    if (this.peek().kind === 'rparen') {
      this.i++;
      return args;
    }
    for (;;) {
      const t = this.next();
      if (t.kind !== 'string') throw this.unexpected(t, `a quoted argument for ${name} (backticks or double quotes)`);
      args.push(t.value);
      const sep = this.next();
      if (sep.kind === 'rparen') return args;
      if (sep.kind !== 'comma') throw this.unexpected(sep, `"," or ")" in ${name}(…)`);
    }
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.unexpected(t, what);
    return t;
  }

  private unexpected(t: Token, expected: string): Failure {
    const got = t.kind === 'end' ? 'end of rule' : JSON.stringify(t.value);
    return new Failure({ pos: t.pos, message: `expected ${expected}, got ${got}` });
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'end') this.i++;
    return t;
  }
}
