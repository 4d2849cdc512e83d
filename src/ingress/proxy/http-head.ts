/**
 * HTTP/1.1 message heads, parsed from raw bytes as strictly as llhttp: token
 * methods and header names, no control characters in values, no obs-fold,
 * CRLF line ends, one Content-Length (digits only), Transfer-Encoding ending
 * in chunked and never together with Content-Length. The head is read as one
 * latin1 string; headers keep the offsets of their lines so a proxy can copy
 * the kept lines verbatim and drop the others.
 */

export class HeadError extends Error {
  constructor(
    readonly status: 400 | 431 | 502,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** What both heads share: the raw text and the headers with their line offsets. */
export interface Head {
  /** The whole head as latin1, final CRLFCRLF included. */
  text: string;
  /** Bytes of the head in the buffer, leading empty lines included. */
  length: number;
  /** Offset in `text` of the first header line (just after the start line). */
  headersStart: number;
  names: string[];
  values: string[];
  /** Offset in `text` of each header line; `lineStarts[names.length]` is where the final CRLF starts. */
  lineStarts: number[];
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** A Transfer-Encoding header was present (a response whose last coding is not chunked ends at close). */
  transferEncoding: boolean;
  /** Connection: close / keep-alive / upgrade tokens. */
  close: boolean;
  keepAlive: boolean;
  connectionUpgrade: boolean;
}

export interface RequestHead extends Head {
  method: string;
  target: string;
  host: string | undefined;
  upgrade: string | undefined;
}

export interface ResponseHead extends Head {
  status: number;
}

const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Where the head ends (past CRLFCRLF) searching from `from`, or -1. */
export function findHeadEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(CRLFCRLF, from > 3 ? from - 3 : 0);
  return i < 0 ? -1 : i + 4;
}

/** Leading CRLFs before a request line are ignored (RFC 9112 §2.2). */
function skipEmptyLines(buf: Buffer): number {
  let i = 0;
  while (i + 1 < buf.length && buf[i] === 13 && buf[i + 1] === 10) i += 2;
  return i;
}

/**
 * Parses a request head at the start of `buf`. Returns undefined while the head is incomplete
 * (throwing 431 once it cannot fit `maxSize`, and 400 as soon as a complete request line is bad).
 */
export function parseRequestHead(buf: Buffer, maxSize: number, searchFrom = 0): RequestHead | undefined {
  const skip = skipEmptyLines(buf);
  const end = findHeadEnd(buf, Math.max(searchFrom, skip));
  if (end < 0) {
    if (buf.length - skip > maxSize) throw new HeadError(431, 'request headers are larger than this entry point accepts');
    const eol = buf.indexOf(10, skip);
    if (eol >= 0) requestLine(buf.toString('latin1', skip, eol + 1), 0);
    return undefined;
  }
  if (end - skip > maxSize) throw new HeadError(431, 'request headers are larger than this entry point accepts');
  const text = buf.toString('latin1', skip, end);
  const line = requestLine(text, 0);
  const head = headers(text, line.next, end - skip, true) as RequestHead;
  head.length = end;
  head.method = line.method;
  head.target = line.target;
  head.minor = line.minor;
  head.host = undefined;
  head.upgrade = undefined;
  let hosts = 0;
  for (let i = 0; i < head.names.length; i++) {
    const n = head.names[i]!;
    if (n.length === 4 && n.toLowerCase() === 'host') {
      head.host = head.values[i];
      hosts++;
    } else if (n.length === 7 && n.toLowerCase() === 'upgrade') head.upgrade = head.values[i];
  }
  if (hosts > 1) throw new HeadError(400, 'more than one Host header');
  if (head.chunked && line.minor === 0) throw new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
  return head;
}

function requestLine(text: string, start: number): { method: string; target: string; minor: number; next: number } {
  const eol = text.indexOf('\r\n', start);
  if (eol < 0) throw new HeadError(400, 'request line does not end with CRLF');
  let i = start;
  while (i < eol && TCHAR[text.charCodeAt(i)]) i++;
  if (i === start || text.charCodeAt(i) !== 32) throw new HeadError(400, 'invalid method');
  const method = text.slice(start, i);
  const t0 = ++i;
  for (; i < eol; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) break;
    if (c < 0x21 || c === 0x7f) throw new HeadError(400, 'invalid character in request target');
  }
  if (i === t0 || i === eol) throw new HeadError(400, 'invalid request target');
  const target = text.slice(t0, i);
  const version = text.slice(i + 1, eol);
  if (version === 'HTTP/1.1') return { method, target, minor: 1, next: eol + 2 };
  if (version === 'HTTP/1.0') return { method, target, minor: 0, next: eol + 2 };
  throw new HeadError(400, `unsupported protocol version ${JSON.stringify(version.slice(0, 16))}`);
}

/** Parses a response head at the start of `buf`; undefined while incomplete. Errors carry status 502. */
export function parseResponseHead(buf: Buffer, maxSize: number, searchFrom = 0): ResponseHead | undefined {
  const end = findHeadEnd(buf, searchFrom);
  if (end < 0) {
    if (buf.length > maxSize) throw new HeadError(502, 'response head too large');
    return undefined;
  }
  const text = buf.toString('latin1', 0, end);
  const eol = text.indexOf('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(text.slice(0, eol));
  if (!m) throw new HeadError(502, 'invalid status line');
  const head = headers(text, eol + 2, end, false) as ResponseHead;
  head.minor = m[1] === '1' ? 1 : 0;
  head.status = Number(m[2]);
  return head;
}

/** Header lines from `start` up to the final CRLF; framing and Connection tokens decoded on the way. */
function headers(text: string, start: number, end: number, request: boolean): Head {
  const names: string[] = [];
  const values: string[] = [];
  const lineStarts: number[] = [];
  const head: Head = { text, length: end, headersStart: start, names, values, lineStarts, minor: 1, contentLength: -1, chunked: false, transferEncoding: false, close: false, keepAlive: false, connectionUpgrade: false };
  const last = end - 2;
  let i = start;
  while (i < last) {
    lineStarts.push(i);
    let j = i;
    while (TCHAR[text.charCodeAt(j)]) j++;
    if (j === i || text.charCodeAt(j) !== 58) throw new HeadError(request ? 400 : 502, i === j && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) ? 'obsolete line folding' : 'invalid header name');
    const name = text.slice(i, j);
    j++;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    const v0 = j;
    let v1 = j;
    for (;; j++) {
      const c = text.charCodeAt(j);
      if (c === 13) break;
      if ((c < 32 && c !== 9) || c === 127) throw new HeadError(request ? 400 : 502, 'invalid character in header value');
      if (c !== 32 && c !== 9) v1 = j + 1;
    }
    if (text.charCodeAt(j + 1) !== 10) throw new HeadError(request ? 400 : 502, 'header line does not end with CRLF');
    const value = text.slice(v0, v1);
    names.push(name);
    values.push(value);
    framing(head, name, value, request);
    i = j + 2;
  }
  lineStarts.push(last);
  if (head.transferEncoding && head.contentLength >= 0) {
    if (request) throw new HeadError(400, 'both Content-Length and Transfer-Encoding');
    head.contentLength = -1; // RFC 9112 §6.3: Transfer-Encoding wins
  }
  return head;
}

function framing(head: Head, name: string, value: string, request: boolean): void {
  const n = name.length;
  if (n !== 10 && n !== 14 && n !== 17) return;
  const lower = name.toLowerCase();
  if (lower === 'content-length') {
    if (!/^\d{1,15}$/.test(value)) throw new HeadError(request ? 400 : 502, 'invalid Content-Length');
    const len = Number(value);
    if (head.contentLength >= 0 && head.contentLength !== len) throw new HeadError(request ? 400 : 502, 'conflicting Content-Length headers');
    head.contentLength = len;
  } else if (lower === 'transfer-encoding') {
    const codings = value.toLowerCase();
    const chunked = /(?:^|,)[ \t]*chunked[ \t]*$/.test(codings);
    if (!chunked && request) throw new HeadError(400, 'Transfer-Encoding must end with chunked');
    head.transferEncoding = true;
    head.chunked = chunked;
  } else if (lower === 'connection') {
    for (const token of value.toLowerCase().split(',')) {
      const t = token.trim();
      if (t === 'close') head.close = true;
      else if (t === 'keep-alive') head.keepAlive = true;
      else if (t === 'upgrade') head.connectionUpgrade = true;
    }
  }
}
