/**
 * ssh-style escape for terminal sessions: the escape character at the start
 * of a line followed by `.` ends the session; typed twice it sends itself
 * once; followed by anything else both characters are sent.
 */
export class EscapeFilter {
  private atLineStart = true;
  private pendingEscape = false;
  ended = false;

  constructor(
    private readonly escape: string,
    private readonly onEnd: () => void,
  ) {}

  /** The bytes to forward for this input chunk (possibly fewer, after an escape). */
  push(chunk: Buffer): Buffer {
    if (this.ended) return Buffer.alloc(0);
    const escapeBytes = Buffer.from(this.escape);
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.pendingEscape) {
        this.pendingEscape = false;
        if (chunk[i] === 0x2e) {
          this.ended = true;
          this.onEnd();
          break;
        }
        out.push(escapeBytes);
        if (chunk.subarray(i, i + escapeBytes.length).equals(escapeBytes)) {
          i += escapeBytes.length;
          this.atLineStart = false;
          continue;
        }
      }
      if (this.atLineStart && chunk.subarray(i, i + escapeBytes.length).equals(escapeBytes)) {
        this.pendingEscape = true;
        i += escapeBytes.length;
        continue;
      }
      const byte = chunk[i]!;
      out.push(chunk.subarray(i, i + 1));
      this.atLineStart = byte === 0x0d || byte === 0x0a;
      i++;
    }
    return Buffer.concat(out);
  }
}
