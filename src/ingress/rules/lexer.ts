/** Tokens of Traefik's rule language: matcher names, quoted strings, ( ) , && || !. */

export type TokenKind = 'ident' | 'string' | 'lparen' | 'rparen' | 'comma' | 'and' | 'or' | 'not' | 'end';

export interface Token {
  kind: TokenKind;
  value: string;
  /** 0-based offset in the rule text, for error messages. */
  pos: number;
}

export interface RuleError {
  message: string;
  pos: number;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: RuleError };

const SINGLE: Record<string, TokenKind> = { '(': 'lparen', ')': 'rparen', ',': 'comma' };

export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (SINGLE[c]) {
      tokens.push({ kind: SINGLE[c], value: c, pos: i });
      i++;
    } else if (c === '&' || c === '|') {
      if (text[i + 1] !== c) return fail(`"${c}" must be doubled: write ${c}${c}`, i);
      tokens.push({ kind: c === '&' ? 'and' : 'or', value: c + c, pos: i });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: 'not', value: c, pos: i });
      i++;
    } else if (c === '`' || c === '"') {
      const s = readString(text, i);
      if ('message' in s) return { ok: false, error: s };
      tokens.push({ kind: 'string', value: s.value, pos: i });
      i = s.end;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j), pos: i });
      i = j;
    } else if (c === "'") {
      return fail(`single quotes are not string delimiters: use backticks (\`…\`) or double quotes`, i);
    } else {
      return fail(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  tokens.push({ kind: 'end', value: '', pos: text.length });
  return { ok: true, tokens };
}

/** Backtick strings are raw (Go raw strings); double-quoted strings take Go's simple escapes. */
function readString(text: string, start: number): { value: string; end: number } | RuleError {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\' && quote === '"') {
      const n = text[++i];
      if (n === undefined) break;
      value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else {
      value += c;
    }
  }
  return { message: `unterminated string: add the closing ${quote}`, pos: start };
}

function fail(message: string, pos: number): LexResult {
  return { ok: false, error: { message, pos } };
}
