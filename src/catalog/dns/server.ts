/** DNS on UDP and TCP (same port), decoding and encoding with dns-packet; malformed packets are dropped. */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { CatalogResolver } from './resolver.js';

const RCODE = { NOERROR: 0, NXDOMAIN: 3, FORMERR: 1, NOTIMP: 4 } as const;
const UDP_DEFAULT_SIZE = 512;
const TCP_MAX_BUFFER = 64 * 1024 + 2;

export class CatalogDnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Malformed packets seen (and dropped). */
  dropped = 0;

  constructor(
    private readonly resolver: CatalogResolver,
    private readonly logger?: { warn(msg: string): void },
  ) {}

  /** Bind UDP, then TCP on the same port (port 0: an ephemeral one free for both). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => resolve());
      });
      const bound = udp.address().port;
      const tcp = net.createServer((s) => this.serveTcp(s));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(bound, host, () => resolve());
        });
      } catch (err) {
        udp.close();
        if (port !== 0 || attempt >= 5) throw err;
        continue;
      }
      udp.removeAllListeners('error');
      udp.on('error', (err) => this.logger?.warn(`catalog dns (udp): ${err.message}`));
      udp.on('message', (msg, rinfo) => this.serveUdp(msg, rinfo));
      this.udp = udp;
      this.tcp = tcp;
      return { host, port: bound };
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  /** The encoded response to one query, or undefined when the packet is to be dropped. */
  answer(query: Buffer, maxSize: number | undefined): Buffer | undefined {
    let q: Packet;
    try {
      q = dnsPacket.decode(query);
    } catch {
      this.dropped++;
      return undefined;
    }
    if (q.type !== 'query' || !q.questions || q.questions.length !== 1) {
      this.dropped++;
      return undefined;
    }
    const question = q.questions[0]!;
    const a = this.resolver.resolve(question);
    const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    const edns = q.additionals?.find((r) => r.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const limit = maxSize === undefined ? undefined : Math.max(UDP_DEFAULT_SIZE, edns?.udpPayloadSize ?? 0);
    const response: Packet = {
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | RCODE[a.rcode],
      questions: [question],
      answers: a.answers,
      additionals: a.additionals,
    };
    let buf = dnsPacket.encode(response);
    // Too big for UDP: drop records until it fits and set TC so the client retries on TCP.
    while (limit !== undefined && buf.length > limit && response.answers!.length > 0) {
      response.answers!.pop();
      response.additionals = response.additionals!.slice(0, response.answers!.length);
      response.flags = (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
      buf = dnsPacket.encode(response);
    }
    return buf;
  }

  private serveUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const out = this.answer(msg, UDP_DEFAULT_SIZE);
    if (out) this.udp?.send(out, rinfo.port, rinfo.address);
  }

  private serveTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > TCP_MAX_BUFFER) return socket.destroy();
      while (buffer.length >= 2) {
        const len = buffer.readUInt16BE(0);
        if (buffer.length < 2 + len) return;
        const out = this.answer(buffer.subarray(2, 2 + len), undefined);
        buffer = buffer.subarray(2 + len);
        if (!out) return socket.destroy();
        const frame = Buffer.alloc(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        out.copy(frame, 2);
        socket.write(frame);
      }
    });
  }
}
