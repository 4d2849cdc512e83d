/**
 * One client connection on an entry point: reads request heads (pipelined
 * requests wait in order), hands each to an Exchange, answers client errors
 * with 400/408/431 and closes, and enforces the header, request and
 * keep-alive timeouts from the engine's periodic sweep (no timer per request).
 */
import type { Socket } from 'node:net';
import type { CodeCounter, IngressMetrics, RouteStats } from '../metrics.js';
import type { RoutingTable } from '../routing-table.js';
import { Exchange } from './forwarder.js';
import { HeadError, parseRequestHead } from './http-head.js';
import { plainText } from './responses.js';

export interface ProxyTimeouts {
  /** Whole header section must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** Whole request (headers + body) must arrive within this; 0 = none. */
  requestTimeoutMs: number;
  /** Idle client keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number;
  /** Silence from a server before a 504 (or an aborted stream). */
  backendTimeoutMs: number;
  /**
   * A TCP connect to a server that takes longer fails (a dead host answers nothing): the
   * request is retried on another server when idempotent, and the server is skipped for
   * `ejectMs`. Optional so hand-built contexts keep working; default 1 s.
   */
  connectTimeoutMs?: number;
  /** How long a server whose connect failed is passed over while others remain; default 10 s. */
  ejectMs?: number;
}

/** What every connection of an entry point shares. */
export interface EntryContext {
  name: string;
  /** The entry point's own port, for X-Forwarded-Port when the Host has none. */
  port: string;
  /** X-Forwarded-Proto: https on entry points that terminate TLS. */
  proto: 'http' | 'https';
  stats: { requests: CodeCounter; open: number };
  metrics: IngressMetrics;
  timeouts: ProxyTimeouts;
  maxHeaderSize: number;
  serverName: string;
  notFoundHint: string;
  table(): RoutingTable | undefined;
  unrouted(): RouteStats;
  /** A coarse clock (ms), advanced by the engine's sweep. */
  clock: { readonly now: number };
}

export class ClientConnection {
  /** Received bytes not yet consumed: the head being read, or pipelined requests waiting. */
  pending: Buffer | undefined;
  phase: 'head' | 'exchange' | 'tunnel' | 'closed' = 'head';
  exchange: Exchange | undefined;
  /** When the current phase started (head: first byte or end of the previous exchange). */
  since: number;
  /** No byte of the next request yet: the keep-alive timeout applies, not the header one. */
  idle = false;
  clientEnded = false;
  private scanFrom = 0;
  private looping = false;

  constructor(
    readonly socket: Socket,
    readonly ctx: EntryContext,
  ) {
    this.since = ctx.clock.now;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', () => this.exchange?.onClientDrain());
    socket.on('end', () => {
      this.clientEnded = true;
      if (this.phase === 'head') this.socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.phase = 'closed';
      this.exchange?.abort();
      this.exchange = undefined;
    });
  }

  readonly onData = (chunk: Buffer): void => {
    if (this.phase === 'exchange') return this.exchange!.onClientData(chunk);
    if (this.phase !== 'head') return;
    if (this.pending === undefined) {
      this.pending = chunk;
      if (this.idle) {
        this.idle = false;
        this.since = this.ctx.clock.now;
      }
    } else this.pending = Buffer.concat([this.pending, chunk]);
    this.readHeads();
  };

  /** Bytes after the current request's body: the next pipelined request(s). */
  stash(rest: Buffer): void {
    this.pending = this.pending ? Buffer.concat([this.pending, rest]) : rest;
    // Do not buffer without bound while the current response is still coming.
    if (this.pending.length > this.ctx.maxHeaderSize) this.socket.pause();
  }

  private readHeads(): void {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.phase === 'head' && this.pending !== undefined) {
        let head;
        try {
          head = parseRequestHead(this.pending, this.ctx.maxHeaderSize, this.scanFrom);
        } catch (e) {
          if (!(e instanceof HeadError)) throw e;
          return this.fail(e.status, e.status === 431 ? e.reason : `malformed request (${e.reason})`);
        }
        if (!head) {
          this.scanFrom = this.pending.length;
          return;
        }
        const rest = this.pending.length > head.length ? this.pending.subarray(head.length) : undefined;
        this.pending = undefined;
        this.scanFrom = 0;
        this.phase = 'exchange';
        this.since = this.ctx.clock.now;
        this.exchange = new Exchange(this, head);
        this.exchange.start(rest);
      }
    } finally {
      this.looping = false;
    }
  }

  /** The exchange is over: next request, or close when either side asked for it. */
  done(close: boolean): void {
    this.exchange = undefined;
    if (this.phase === 'closed') return;
    if (close || this.clientEnded) {
      this.phase = 'closed';
      this.socket.end();
      return;
    }
    this.phase = 'head';
    this.since = this.ctx.clock.now;
    this.idle = this.pending === undefined;
    if (this.socket.isPaused()) this.socket.resume();
    this.readHeads();
  }

  /** A client error: answer and close; nothing else on this connection is read. */
  fail(status: number, reason: string): void {
    this.phase = 'closed';
    this.pending = undefined;
    if (this.socket.writable) this.socket.end(plainText(status, reason, true), 'latin1');
    else this.socket.destroy();
  }

  /** Called by the engine's sweep. */
  tick(now: number): void {
    const t = this.ctx.timeouts;
    if (this.phase === 'head') {
      if (this.idle ? now - this.since > t.keepAliveTimeoutMs : now - this.since > t.headersTimeoutMs) {
        if (this.idle) this.socket.destroy();
        else this.fail(408, 'the request did not arrive in time');
      }
    } else if (this.phase === 'exchange') this.exchange?.tick(now);
  }
}
