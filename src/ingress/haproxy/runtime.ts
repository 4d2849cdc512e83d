/** HAProxy's runtime API over its stats socket: one command per connection, the answer until close. */
import net from 'node:net';

export function runtimeCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let out = '';
    const timer = setTimeout(() => s.destroy(new Error(`haproxy runtime API: no answer to "${command}" within ${timeoutMs} ms`)), timeoutMs);
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (c: Buffer) => (out += c.toString()));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out.trim());
    });
  });
}
