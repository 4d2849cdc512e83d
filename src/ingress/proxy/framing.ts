/**
 * Where a message body ends. Bodies pass through the proxy unchanged (a
 * chunked body stays chunked); this only tracks the framing — a byte count,
 * the chunked state machine, or the end of the connection — so the proxy
 * knows when a message is over and the connection can carry the next one.
 */
import { HeadError } from './http-head.js';

const enum S {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  Trailer,
  TrailerLf,
  EndLf,
  Done,
}

/** Bytes a chunk-size line with its extensions, or the trailers, may take. */
const MAX_META = 64 * 1024;

export class BodyFramer {
  /** 'none': no body; 'length': `remaining` bytes; 'chunked'; 'close': until the connection ends. */
  mode: 'none' | 'length' | 'chunked' | 'close' = 'none';
  private remaining = 0;
  private state = S.Size;
  private size = 0;
  private digits = 0;
  private meta = 0;
  private status: 400 | 502 = 400;

  reset(mode: BodyFramer['mode'], length: number, errorStatus: 400 | 502): void {
    this.mode = mode;
    this.remaining = length;
    this.state = S.Size;
    this.size = 0;
    this.digits = 0;
    this.meta = 0;
    this.status = errorStatus;
    if (mode === 'length' && length === 0) this.mode = 'none';
  }

  get done(): boolean {
    return this.mode === 'none';
  }

  /**
   * Consumes `buf[from…]`; returns the offset just past the end of the body when it ends inside
   * `buf`, else -1 (all of `buf` belongs to the body). Throws HeadError on a malformed chunked body.
   */
  consume(buf: Buffer, from: number): number {
    switch (this.mode) {
      case 'none':
        return from;
      case 'close':
        return -1;
      case 'length': {
        const avail = buf.length - from;
        if (avail < this.remaining) {
          this.remaining -= avail;
          return -1;
        }
        const end = from + this.remaining;
        this.remaining = 0;
        this.mode = 'none';
        return end;
      }
      case 'chunked': {
        const end = this.chunked(buf, from);
        if (end >= 0) this.mode = 'none';
        return end;
      }
    }
  }

  private chunked(buf: Buffer, from: number): number {
    let i = from;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case S.Data: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = S.DataCr;
          continue;
        }
        case S.Size: {
          const c = buf[i]!;
          const d = hex(c);
          if (d >= 0) {
            if (++this.digits > 12) this.fail('chunk size too large');
            this.size = this.size * 16 + d;
          } else if (this.digits === 0) this.fail('invalid chunk size');
          else if (c === 13) this.state = S.SizeLf;
          else if (c === 59 || c === 32 || c === 9) this.state = S.Ext;
          else this.fail('invalid chunk size');
          break;
        }
        case S.Ext: {
          const c = buf[i]!;
          if (c === 13) this.state = S.SizeLf;
          else if (c === 10 || (c < 32 && c !== 9) || c === 127) this.fail('invalid chunk extension');
          break;
        }
        case S.SizeLf:
          if (buf[i] !== 10) this.fail('chunk size line does not end with CRLF');
          if (this.size === 0) this.state = S.TrailerStart;
          else {
            this.remaining = this.size;
            this.state = S.Data;
            this.meta = 0; // the limit is per chunk-size line: long streams of small chunks are fine
          }
          this.size = 0;
          this.digits = 0;
          break;
        case S.DataCr:
          if (buf[i] !== 13) this.fail('chunk data not followed by CRLF');
          this.state = S.DataLf;
          break;
        case S.DataLf:
          if (buf[i] !== 10) this.fail('chunk data not followed by CRLF');
          this.state = S.Size;
          break;
        case S.TrailerStart:
          this.state = buf[i] === 13 ? S.EndLf : S.Trailer;
          if (this.state === S.Trailer) continue;
          break;
        case S.Trailer: {
          const c = buf[i]!;
          if (c === 13) this.state = S.TrailerLf;
          else if (c === 10) this.fail('trailer line does not end with CRLF');
          break;
        }
        case S.TrailerLf:
          if (buf[i] !== 10) this.fail('trailer line does not end with CRLF');
          this.state = S.TrailerStart;
          break;
        case S.EndLf:
          if (buf[i] !== 10) this.fail('chunked body does not end with CRLF');
          this.state = S.Done;
          return i + 1;
        case S.Done:
          return i;
      }
      if (++this.meta > MAX_META) this.fail('chunk metadata too large');
      i++;
    }
    return -1;
  }

  private fail(reason: string): never {
    throw new HeadError(this.status, `malformed chunked body: ${reason}`);
  }
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
