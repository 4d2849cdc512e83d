/**
 * Job files copied from a PDF or a word processor arrive with typographic
 * quotes. HCL rejects them, so they are replaced before parsing: a curly quote
 * that opens or closes a string becomes `"`, and a single curly quote inside a
 * double-quoted string becomes `'` (the seed article's
 * `[“-g”,”’daemon off;’”]` means `["-g","'daemon off;'"]`). A string opened
 * with a straight `"` was typed by hand, so curly quotes inside it are content
 * and stay. Every replacement is one character for one character, so
 * positions in the result still match the original text. Comments are left alone.
 */
const DOUBLE_CURLY = new Set(['\u201C', '\u201D']);
const SINGLE_CURLY = new Set(['\u2018', '\u2019']);

export interface QuoteReplacement {
  line: number;
  column: number;
  count: number;
}

type State = 'code' | 'double' | 'double-curly' | 'single-curly' | 'comment' | 'block-comment';

export function normalizeQuotes(text: string): { text: string; replacements: QuoteReplacement[] } {
  const out: string[] = [];
  const perLine = new Map<number, QuoteReplacement>();
  let state: State = 'code';
  let line = 1;
  let column = 1;
  const replace = (ch: string): void => {
    out.push(ch);
    const seen = perLine.get(line);
    if (seen) seen.count++;
    else perLine.set(line, { line, column, count: 1 });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const next = text.charAt(i + 1);
    if (ch === '\n') {
      if (state !== 'block-comment') state = 'code';
      out.push(ch);
      line++;
      column = 1;
      continue;
    }
    switch (state) {
      case 'code':
        if (ch === '#' || (ch === '/' && next === '/')) state = 'comment';
        else if (ch === '/' && next === '*') state = 'block-comment';
        if (ch === '"') state = 'double';
        if (DOUBLE_CURLY.has(ch)) state = 'double-curly';
        if (SINGLE_CURLY.has(ch)) state = 'single-curly';
        if (DOUBLE_CURLY.has(ch) || SINGLE_CURLY.has(ch)) replace('"');
        else out.push(ch);
        break;
      case 'double':
      case 'double-curly':
        if (ch === '\\') {
          out.push(ch, next);
          i++;
          column++;
        } else if (ch === '"') {
          state = 'code';
          out.push(ch);
        } else if (state === 'double') {
          out.push(ch);
        } else if (DOUBLE_CURLY.has(ch)) {
          state = 'code';
          replace('"');
        } else if (SINGLE_CURLY.has(ch)) replace("'");
        else out.push(ch);
        break;
      case 'single-curly':
        if (ch === '\u2019' || ch === '"') state = 'code';
        if (SINGLE_CURLY.has(ch) || DOUBLE_CURLY.has(ch)) replace(state === 'code' ? '"' : "'");
        else out.push(ch);
        break;
      case 'block-comment':
        if (ch === '*' && next === '/') state = 'code';
        out.push(ch);
        break;
      case 'comment':
        out.push(ch);
        break;
    }
    column++;
  }
  return { text: out.join(''), replacements: [...perLine.values()] };
}

export function quoteWarnings(file: string, replacements: QuoteReplacement[]): string[] {
  return replacements.map(
    (r) =>
      `${file}:${r.line}:${r.column}: typographic quote replaced by a straight quote` +
      (r.count > 1 ? ` (${r.count} on this line)` : ''),
  );
}
