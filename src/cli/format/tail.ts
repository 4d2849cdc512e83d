/** Keeps only the last N lines of the data it is given (for `alloc logs -tail -n N`). */
export class LineTail {
  private chunks: Buffer[] = [];

  constructor(private readonly lines: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** The last N lines seen so far (a trailing partial line counts as a line). */
  take(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    if (this.lines <= 0) return Buffer.alloc(0);
    let end = all.length;
    if (end > 0 && all[end - 1] === 0x0a) end--;
    let found = 0;
    for (let i = end - 1; i >= 0; i--) {
      if (all[i] === 0x0a && ++found === this.lines) return all.subarray(i + 1);
    }
    return all;
  }
}
