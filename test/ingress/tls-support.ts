/** TLS pieces for the ingress tests: a test CA, certificate files from it, an HTTPS GET trusting it, the haproxy children. */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { createCa, createCert } from '../../src/tls/index.js';

export const ca = createCa();

export function certFiles(dir: string, name: string, dnsNames: string[]): { certFile: string; keyFile: string } {
  const pair = createCert({ ca, role: 'server', dnsNames });
  const f = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
  writeFileSync(f.certFile, pair.certPem);
  writeFileSync(f.keyFile, pair.keyPem);
  return f;
}

export interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  cert: PeerCertificate;
  alpn: string | false | null;
}

/** One request on a fresh connection (no keep-alive, so a reloaded HAProxy is not held open), trusting the test CA. */
export function httpsGet(address: string, servername: string, path = '/', host = servername, headers: Record<string, string> = {}): Promise<HttpsReply> {
  const [hostname, port] = address.split(':');
  return new Promise((resolve, reject) => {
    // Without an agent the options reach tls.connect, ALPN list included.
    const options: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = { hostname, port: Number(port), path, servername, headers: { ...headers, host }, ca: ca.certPem, agent: false, ALPNProtocols: ['h2', 'http/1.1'] };
    const req = httpsRequest(options, (res) => {
      let body = '';
      const socket = res.socket as TLSSocket;
      const cert = socket.getPeerCertificate();
      const alpn = socket.alpnProtocol;
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cert, alpn }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** haproxy processes this test process started (setpriv execs haproxy in place). */
export function haproxyChildren(): number[] {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'haproxy';
    } catch {
      return false;
    }
  });
}
