/**
 * Keep-alive pools of raw TCP connections to one backend address. A
 * connection has one owner at a time (the client exchange using it); its
 * socket listeners are attached once and dispatch to the owner, so reusing a
 * connection costs no listener churn. Idle connections are reused last in,
 * first out (the warmest); one that speaks or closes while idle is dropped.
 */
import net from 'node:net';

export interface UpstreamOwner {
  onUpstreamData(c: UpstreamConn, chunk: Buffer): void;
  /** The connection ended or failed; `error` is its socket error, if any. */
  onUpstreamEnd(c: UpstreamConn, error: NodeJS.ErrnoException | undefined): void;
  onUpstreamDrain(): void;
}

export class UpstreamConn {
  owner: UpstreamOwner | undefined;
  /** Taken from the idle list (a close racing with our request is then not the backend's fault). */
  reused = false;
  gone = false;
  private error: NodeJS.ErrnoException | undefined;

  constructor(
    readonly socket: net.Socket,
    private readonly pool: HostPool,
  ) {
    socket.on('data', (chunk: Buffer) => (this.owner ? this.owner.onUpstreamData(this, chunk) : socket.destroy()));
    socket.on('drain', () => this.owner?.onUpstreamDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => (this.error ??= err));
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.socket.destroy();
    this.pool.forget(this);
    const owner = this.owner;
    this.owner = undefined;
    owner?.onUpstreamEnd(this, this.error);
  }
}

export class HostPool {
  /** Coarse-clock time until which a failed connect keeps this server out of rotation. */
  ejectedUntil = 0;
  private idle: UpstreamConn[] = [];
  private readonly all = new Set<UpstreamConn>();
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly maxIdle: number,
  ) {}

  acquire(owner: UpstreamOwner, fresh = false): UpstreamConn {
    let c = fresh ? undefined : this.idle.pop();
    if (c) c.reused = true;
    else {
      c = new UpstreamConn(net.connect({ host: this.host, port: this.port, noDelay: true }), this);
      this.all.add(c);
    }
    c.owner = owner;
    return c;
  }

  /** Back to the idle list, or closed when it cannot be reused. */
  release(c: UpstreamConn): void {
    c.owner = undefined;
    if (this.closed || c.gone || this.idle.length >= this.maxIdle) return void c.socket.destroy();
    // Paused by backpressure from the last client: the next owner must hear it.
    if (c.socket.isPaused()) c.socket.resume();
    this.idle.push(c);
  }

  forget(c: UpstreamConn): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** No more reuse: idle connections close now, busy ones when their exchange ends. */
  retire(): void {
    this.closed = true;
    this.closeIdle();
  }

  closeIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const c of idle) c.socket.destroy();
  }

  destroy(): void {
    this.closed = true;
    this.closeIdle();
    for (const c of [...this.all]) c.socket.destroy();
  }

  get idleCount(): number {
    return this.idle.length;
  }
}
