/**
 * A small, forgiving HCL tokenizer used only to find where things are in a job
 * file: hcl2json gives us the values but drops every position, so the locator
 * rebuilds the block/attribute outline from the raw text.
 */
export type TokenKind = 'ident' | 'string' | 'open' | 'close' | 'eq' | 'colon' | 'comma' | 'newline' | 'other';

export interface Token {
  kind: TokenKind;
  /** Identifier name, decoded string contents, or the bracket character. */
  text: string;
  line: number;
  column: number;
}

class Cursor {
  pos = 0;
  line = 1;
  column = 1;
  constructor(readonly src: string) {}

  peek(offset = 0): string {
    return this.src.charAt(this.pos + offset);
  }
  get done(): boolean {
    return this.pos >= this.src.length;
  }
  advance(): string {
    const ch = this.src.charAt(this.pos++);
    if (ch === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return ch;
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_\-.]/;

export function tokenize(src: string): Token[] {
  const c = new Cursor(src);
  const tokens: Token[] = [];
  while (!c.done) {
    const ch = c.peek();
    const at = { line: c.line, column: c.column };
    if (ch === '\n') {
      c.advance();
      tokens.push({ kind: 'newline', text: '\n', ...at });
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      c.advance();
    } else if (ch === '#' || (ch === '/' && c.peek(1) === '/')) {
      while (!c.done && c.peek() !== '\n') c.advance();
    } else if (ch === '/' && c.peek(1) === '*') {
      skipBlockComment(c);
    } else if (ch === '"') {
      tokens.push({ kind: 'string', text: readQuoted(c), ...at });
    } else if (ch === '<' && c.peek(1) === '<' && /[-A-Za-z_]/.test(c.peek(2))) {
      tokens.push({ kind: 'string', text: readHeredoc(c), ...at });
    } else if (IDENT_START.test(ch)) {
      let name = '';
      while (!c.done && IDENT_PART.test(c.peek())) name += c.advance();
      tokens.push({ kind: 'ident', text: name, ...at });
    } else {
      c.advance();
      tokens.push({ kind: punctuationKind(ch), text: ch, ...at });
    }
  }
  return tokens;
}

function punctuationKind(ch: string): TokenKind {
  if (ch === '{' || ch === '[' || ch === '(') return 'open';
  if (ch === '}' || ch === ']' || ch === ')') return 'close';
  if (ch === '=') return 'eq';
  if (ch === ':') return 'colon';
  if (ch === ',') return 'comma';
  return 'other';
}

function skipBlockComment(c: Cursor): void {
  c.advance();
  c.advance();
  while (!c.done && !(c.peek() === '*' && c.peek(1) === '/')) c.advance();
  c.advance();
  c.advance();
}

/** Reads a "..." string, skipping over `${ ... }` templates so quotes inside them do not end it. */
function readQuoted(c: Cursor): string {
  c.advance();
  let text = '';
  let templateDepth = 0;
  while (!c.done) {
    const ch = c.peek();
    if (ch === '\n' && templateDepth === 0) break; // unterminated: stop at line end
    if (ch === '\\') {
      text += c.advance() + c.advance();
      continue;
    }
    if (templateDepth === 0 && ch === '"') {
      c.advance();
      break;
    }
    if ((ch === '$' || ch === '%') && c.peek(1) === '{') templateDepth++;
    else if (ch === '}' && templateDepth > 0) templateDepth--;
    text += c.advance();
  }
  return text;
}

function readHeredoc(c: Cursor): string {
  c.advance();
  c.advance();
  if (c.peek() === '-') c.advance();
  let marker = '';
  while (!c.done && c.peek() !== '\n') marker += c.advance();
  marker = marker.trim();
  let body = '';
  while (!c.done) {
    let line = '';
    c.advance(); // the newline ending the previous line
    while (!c.done && c.peek() !== '\n') line += c.advance();
    if (line.trim() === marker) break;
    body += line + '\n';
  }
  return body;
}
