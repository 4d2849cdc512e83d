/**
 * Header rewriting on the hot path: one pass over the raw header list, no
 * intermediate objects. Hop-by-hop headers are dropped, incoming X-Forwarded-*
 * are replaced (Traefik's default: clients are not trusted), middleware edits
 * applied, and the forwarded set appended.
 */
import type { IncomingMessage } from 'node:http';
import type { HeaderEdit } from '../middlewares.js';

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
const REQUEST_DROP_LENGTHS = new Set([2, 7, 9, 10, 15, 16, 17, 18]);

export function forwardRequestHeaders(req: IncomingMessage, fwd: Forwarded, edits: readonly HeaderEdit[], upgrade: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (REQUEST_DROP_LENGTHS.has(name.length) && requestDrop(name.toLowerCase(), upgrade)) continue;
    if (edits.length && edited(edits, name)) continue;
    out.push(name, raw[i + 1]!);
  }
  for (const [, name, value] of edits) if (value !== '') out.push(name, value);
  out.push('X-Forwarded-For', fwd.clientIp, 'X-Forwarded-Proto', fwd.proto, 'X-Forwarded-Port', fwd.port, 'X-Forwarded-Server', fwd.server, 'X-Real-Ip', fwd.clientIp);
  if (fwd.host !== undefined) out.push('X-Forwarded-Host', fwd.host);
  if (fwd.prefix !== undefined) out.push('X-Forwarded-Prefix', fwd.prefix);
  return out;
}

export function responseHeaders(raw: readonly string[], edits: readonly HeaderEdit[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if ((name.length === 10 || name.length === 16) && responseDrop(name.toLowerCase())) continue;
    if (edits.length && edited(edits, name)) continue;
    out.push(name, raw[i + 1]!);
  }
  for (const [, name, value] of edits) if (value !== '') out.push(name, value);
  return out;
}

function responseDrop(lower: string): boolean {
  return lower === 'connection' || lower === 'keep-alive' || lower === 'proxy-connection';
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
