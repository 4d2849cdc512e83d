/**
 * The response side of an exchange: the server's head is read (interim 1xx
 * answers passed on), rewritten once and written with the first body bytes in
 * one write; the rest of the body streams through unchanged until its framing
 * says it is over. Decides whether the server connection can be reused and
 * whether the client connection must close.
 */
import type { Exchange } from './forwarder.js';
import { BodyFramer } from './framing.js';
import { responseHeadText } from './headers.js';
import { HeadError, parseResponseHead, type ResponseHead } from './http-head.js';
import { plainText } from './responses.js';

const MAX_RESPONSE_HEAD = 64 * 1024;

export class Response {
  status = 0;
  /** Bytes have gone to the client: no error answer is possible any more. */
  begun = false;
  complete = false;
  /** The server connection can carry another request. */
  reusable = true;
  closeClient = false;
  private buf: Buffer | undefined;
  private scanFrom = 0;
  private head: ResponseHead | undefined;
  private readonly body = new BodyFramer();

  constructor(private readonly x: Exchange) {}

  static local(x: Exchange, status: number, text: string, close: boolean, headers?: Record<string, string>): Response {
    const r = new Response(x);
    r.status = status;
    r.closeClient = close;
    r.begun = r.complete = true;
    const socket = x.conn.socket;
    if (socket.writable) socket.write(plainText(status, text, close, headers), 'latin1');
    return r;
  }

  onData(chunk: Buffer): void {
    if (this.complete) {
      this.reusable = false;
      return;
    }
    try {
      if (this.head) return this.passBody(chunk, 0, undefined);
      this.readHead(chunk);
    } catch (e) {
      if (!(e instanceof HeadError)) throw e;
      if (this.begun) this.x.abort(true);
      else this.x.badResponse(e.reason);
    }
  }

  private readHead(chunk: Buffer): void {
    let buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const head = parseResponseHead(buf, MAX_RESPONSE_HEAD, this.scanFrom);
      if (!head) {
        this.buf = buf;
        this.scanFrom = buf.length;
        return;
      }
      this.buf = undefined;
      this.scanFrom = 0;
      if (head.status === 101) throw new HeadError(502, 'switching protocols on a request that did not ask for it');
      if (head.status >= 200) return this.begin(head, buf);
      // Interim answers (100 Continue, 103 Early Hints) go to the client as they are.
      this.write(buf.subarray(0, head.length));
      if (head.length === buf.length) return;
      buf = buf.subarray(head.length);
    }
  }

  private begin(head: ResponseHead, buf: Buffer): void {
    const x = this.x;
    const req = x.head;
    this.head = head;
    this.status = head.status;
    const noBody = req.method === 'HEAD' || head.status === 204 || head.status === 304;
    const mode = noBody ? 'none' : head.chunked ? 'chunked' : head.transferEncoding || head.contentLength < 0 ? 'close' : 'length';
    this.body.reset(mode, head.contentLength, 502);
    this.reusable = mode !== 'close' && !head.close && (head.minor === 1 || head.keepAlive);
    this.closeClient = mode === 'close' || req.close || (req.minor === 0 && !req.keepAlive) || !x.requestDone;
    const connection = this.closeClient ? 'close' : req.minor === 0 ? 'keep-alive' : undefined;
    const text = responseHeadText(head, x.route!.middlewares.responseHeaders, connection);
    this.passBody(buf, head.length, text);
  }

  /** Writes `buf[from…]` up to the body's end, preceded by the head text when given. */
  private passBody(buf: Buffer, from: number, headText: string | undefined): void {
    const end = this.body.consume(buf, from);
    const to = end < 0 ? buf.length : end;
    if (headText !== undefined) {
      // Head and first body bytes in one write (one segment for small answers).
      const n = Buffer.byteLength(headText, 'latin1');
      const out = Buffer.allocUnsafe(n + (to - from));
      out.write(headText, 0, 'latin1');
      buf.copy(out, n, from, to);
      this.write(out);
    } else if (to > from) this.write(from === 0 && to === buf.length ? buf : buf.subarray(from, to));
    if (end < 0) return;
    if (end < buf.length) this.reusable = false; // bytes past the response: the connection is out of step
    this.complete = true;
    this.x.finish();
  }

  private write(b: Buffer): void {
    this.begun = true;
    if (!this.x.conn.socket.write(b)) this.x.up?.socket.pause();
  }

  /** The server closed the connection after the response began. */
  onEnd(): void {
    if (this.head && !this.complete && this.body.mode === 'close') {
      this.complete = true;
      this.reusable = false;
      this.x.finish();
    } else if (!this.complete) this.x.abort(true);
  }
}
