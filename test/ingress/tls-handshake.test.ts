/**
 * TLS entry points on both engines against clients that start a handshake
 * and leave: the ingress closes them by its timeouts, and stop() does not
 * wait for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { tempDir } from '../support/tmp.js';
import { startStack } from './harness.js';
import { certFiles, haproxyChildren } from './tls-support.js';

/** A TCP client that starts a ClientHello, ends its side and waits: resolves when the ingress closes it. */
function halfHandshake(address: string): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host!, () => s.end(Buffer.from([22, 3, 1, 0, 200, 1, 0, 0, 196])));
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.resume();
  });
}

async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

for (const engine of ['builtin', 'haproxy'] as const) {
  test(`${engine} engine: clients that leave during the TLS handshake are closed by the timeouts and do not hold stop()`, async (t) => {
    const tmp = tempDir('kiln-tls-handshake-');
    t.after(() => tmp.cleanup());
    const web = certFiles(tmp.dir, 'web', ['hello-web.minipot']);
    const s = await startStack({ engine, timeouts: { headersTimeoutMs: 300, keepAliveTimeoutMs: 1000 }, entryPoints: [{ name: 'http', address: '127.0.0.1:0' }, { name: 'https', address: '127.0.0.1:0', tls: { certificates: [web] } }] });
    let closed = false;
    t.after(async () => {
      if (!closed) await s.close();
    });
    const https = s.ingress.entryPointAddress('https')!;
    await within(5000, Promise.all([1, 2, 3].map(() => halfHandshake(https))), 'half-open handshakes closed by the ingress');
    const waiting = [1, 2, 3].map(() => halfHandshake(https));
    await new Promise((r) => setTimeout(r, 50));
    closed = true;
    await within(5000, s.close(), 'stop() with clients in their handshake');
    await within(5000, Promise.all(waiting), 'handshaking clients closed by stop()');
  });
}

test('the handshake tests leave no haproxy process behind', async () => {
  for (let i = 0; i < 120 && haproxyChildren().length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(haproxyChildren(), []);
});
