/**
 * Head rewriting on the hot path: the received head is copied verbatim in
 * spans, skipping only the lines that must go (hop-by-hop headers, incoming
 * X-Forwarded-* — clients are not trusted, as in Traefik — and headers a
 * middleware replaces), then the middleware's and the forwarded headers are
 * appended. One string per head, written to the socket as latin1.
 */
import type { HeaderEdit } from '../middlewares.js';
import type { Head, RequestHead, ResponseHead } from './http-head.js';

export interface Forwarded {
  clientIp: string;
  proto: string;
  host: string | undefined;
  port: string;
  server: string;
  prefix: string | undefined;
}

/** Request headers never forwarded as received; `upgrade`/`connection` survive on upgrade requests. */
function requestDrop(lower: string, upgrade: boolean): boolean {
  switch (lower) {
    case 'connection':
    case 'upgrade':
      return !upgrade;
    case 'keep-alive':
    case 'proxy-connection':
    case 'te':
    case 'trailer':
    case 'x-forwarded-for':
    case 'x-forwarded-proto':
    case 'x-forwarded-host':
    case 'x-forwarded-port':
    case 'x-forwarded-server':
    case 'x-forwarded-prefix':
    case 'x-real-ip':
      return true;
    default:
      return false;
  }
}

// Header name lengths that can be dropped; anything else skips the lower-casing.
const REQUEST_DROP_LENGTHS = new Uint8Array(32);
for (const n of [2, 7, 9, 10, 15, 16, 17, 18]) REQUEST_DROP_LENGTHS[n] = 1;

const responseDrop = (lower: string) => lower === 'connection' || lower === 'keep-alive' || lower === 'proxy-connection';

/** The head's header lines minus the dropped ones, verbatim, without the final CRLF. */
function keptLines(h: Head, drop: (name: string) => boolean, edits: readonly HeaderEdit[]): string {
  const { text, names, lineStarts } = h;
  let out = '';
  let from = lineStarts[0]!;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!drop(name) && !(edits.length && edited(edits, name))) continue;
    out += text.slice(from, lineStarts[i]!);
    from = lineStarts[i + 1]!;
  }
  out += text.slice(from, lineStarts[names.length]!);
  for (const [, name, value] of edits) if (value !== '') out += `${name}: ${value}\r\n`;
  return out;
}

export function requestHeadText(h: RequestHead, path: string, fwd: Forwarded, edits: readonly HeaderEdit[], upgrade: boolean): string {
  const drop = (name: string) => name.length < 32 && REQUEST_DROP_LENGTHS[name.length] === 1 && requestDrop(name.toLowerCase(), upgrade);
  let out = `${h.method} ${path} HTTP/1.${h.minor}\r\n${keptLines(h, drop, edits)}`;
  out += `X-Forwarded-For: ${fwd.clientIp}\r\nX-Forwarded-Proto: ${fwd.proto}\r\nX-Forwarded-Port: ${fwd.port}\r\nX-Forwarded-Server: ${fwd.server}\r\nX-Real-Ip: ${fwd.clientIp}\r\n`;
  if (fwd.host !== undefined) out += `X-Forwarded-Host: ${fwd.host}\r\n`;
  if (fwd.prefix !== undefined) out += `X-Forwarded-Prefix: ${fwd.prefix}\r\n`;
  // An HTTP/1.0 request closes the backend connection unless it asks to keep it.
  if (h.minor === 0 && !upgrade) out += 'Connection: keep-alive\r\n';
  return out + '\r\n';
}

/** The response head for the client; `connection` (close / keep-alive) is added when given. */
export function responseHeadText(h: ResponseHead, edits: readonly HeaderEdit[], connection: string | undefined): string {
  const drop = (name: string) => (name.length === 10 || name.length === 16) && responseDrop(name.toLowerCase());
  const statusLine = h.text.slice(0, h.headersStart);
  return `${statusLine}${keptLines(h, drop, edits)}${connection ? `Connection: ${connection}\r\n` : ''}\r\n`;
}

function edited(edits: readonly HeaderEdit[], name: string): boolean {
  const lower = name.toLowerCase();
  for (const e of edits) if (e[0] === lower) return true;
  return false;
}

/** The Host header without its port, lower-cased ("" when absent); IPv6 literals keep their brackets. */
export function hostWithoutPort(host: string | undefined): string {
  if (!host) return '';
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  const h = end > 0 ? host.slice(0, end) : host;
  return h.toLowerCase();
}

/** The port in a Host header, or the scheme's default. */
export function hostPort(host: string | undefined, fallback: string): string {
  if (!host) return fallback;
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  return colon > close && colon < host.length - 1 ? host.slice(colon + 1) : fallback;
}

/** Header name (lower case) → value(s), built only when a rule matches on headers. */
export function headerObject(h: Head): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < h.names.length; i++) {
    const k = h.names[i]!.toLowerCase();
    const v = h.values[i]!;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
