/**
 * A small real fastify server on 127.0.0.1:0 that answers a few kiln routes,
 * for exercising KilnClient over real HTTP.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createServer } from 'node:net';

export interface TestServer {
  app: FastifyInstance;
  address: string;
  close(): Promise<void>;
}

export async function startTestServer(setup: (app: FastifyInstance) => void): Promise<TestServer> {
  const app = Fastify({ logger: false });
  setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const info = app.server.address();
  if (info === null || typeof info === 'string') throw new Error('no address');
  return { app, address: `http://127.0.0.1:${info.port}`, close: () => app.close() };
}

/** An address nobody listens on: bind an ephemeral port, then release it. */
export async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const info = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (info === null || typeof info === 'string') throw new Error('no address');
  return `http://127.0.0.1:${info.port}`;
}
