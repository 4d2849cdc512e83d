import { tokenize, type Token } from './hcl-tokens.js';

/**
 * Source locator: maps a path of keys through a job file, such as
 * `['job','web','group','g1','count']`, to the line and column where that key
 * is written. A number in the path picks the n-th repeated block of that name
 * (`['service', 1]` is the second `service` block). When part of the path is
 * not written in the file (a default, a missing field) the position of the
 * deepest enclosing block or attribute is returned instead.
 */
export type PathElement = string | number;
export type Path = readonly PathElement[];

export interface Position {
  line: number;
  column: number;
}

interface OutlineEntry extends Position {
  name: string;
  labels: string[];
  children: OutlineEntry[];
}

export interface Locator {
  locate(path: Path): Position;
}

export class HclLocator implements Locator {
  private readonly root: OutlineEntry[];

  constructor(text: string) {
    const parser = new OutlineParser(tokenize(text));
    this.root = parser.body();
  }

  locate(path: Path): Position {
    let best: Position = { line: 1, column: 1 };
    let entries = this.root;
    let i = 0;
    while (i < path.length) {
      const name = path[i++];
      let candidates = entries.filter((e) => e.name === name);
      const first = candidates[0];
      if (!first) break;
      for (let k = 0; k < first.labels.length && i < path.length; k++, i++) {
        const label = path[i];
        candidates = candidates.filter((e) => e.labels[k] === label);
      }
      const index = typeof path[i] === 'number' ? (path[i++] as number) : 0;
      const chosen = candidates[index] ?? candidates[0];
      if (!chosen) break;
      best = { line: chosen.line, column: chosen.column };
      entries = chosen.children;
    }
    return best;
  }
}

/** Builds the block/attribute outline; tolerant of anything it does not understand. */
class OutlineParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  body(): OutlineEntry[] {
    const entries: OutlineEntry[] = [];
    for (let tok = this.peek(); tok; tok = this.peek()) {
      if (tok.kind === 'close') {
        this.pos++;
        return entries;
      }
      if (tok.kind !== 'ident' && tok.kind !== 'string') {
        this.pos++;
        continue;
      }
      const entry = this.entry(tok);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  private entry(key: Token): OutlineEntry | undefined {
    this.pos++;
    const entry: OutlineEntry = { name: key.text, labels: [], children: [], line: key.line, column: key.column };
    const next = this.peek();
    if (next && (next.kind === 'eq' || next.kind === 'colon')) {
      this.pos++;
      this.attributeValue(entry);
      return entry;
    }
    for (let tok = this.peek(); tok; tok = this.peek()) {
      if (tok.kind === 'string' || tok.kind === 'ident') {
        entry.labels.push(tok.text);
        this.pos++;
      } else if (tok.kind === 'open' && tok.text === '{') {
        this.pos++;
        entry.children = this.body();
        return entry;
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  /** An object literal value gets its keys as children; any other value is skipped. */
  private attributeValue(entry: OutlineEntry): void {
    const first = this.peek();
    if (first?.kind === 'open' && first.text === '{') {
      this.pos++;
      entry.children = this.body();
      return;
    }
    let depth = 0;
    for (let tok = this.peek(); tok; tok = this.peek()) {
      if (depth === 0 && (tok.kind === 'newline' || tok.kind === 'comma' || tok.kind === 'close')) return;
      if (tok.kind === 'open') depth++;
      if (tok.kind === 'close') depth--;
      this.pos++;
    }
  }
}
