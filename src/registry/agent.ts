/**
 * `kiln registry`: serves images over HTTP (GET/HEAD with Range and ETag),
 * lists them (`GET /v1/images`), and accepts uploads and deletions with a
 * push token. Files live under `<dataDir>/images/<path>/<pot>_<tag>.xz…`.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../agent/logger.js';
import type { HttpsServerOptions } from '../tls/server.js';
import { KilnError, httpStatusForCode } from '../structs/index.js';
import { listImages } from './catalog.js';
import { serveFile } from './files.js';
import { resolveUnder, urlSegments } from './paths.js';
import { receiveUpload } from './upload.js';

export interface RegistryOptions {
  dataDir: string;
  bindAddr?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, PUT and DELETE need `Authorization: Bearer <token>` or `X-Kiln-Token: <token>`. */
  pushToken?: string;
  logger?: Logger;
  /** Serve HTTPS (the agent's tls block). */
  https?: HttpsServerOptions;
}

/** Where a registry keeps its files; ensureDemoImages publishes here. */
export const registryFilesDir = (dataDir: string): string => join(dataDir, 'images');

const SIDECARS = ['', '.sha256', '.meta', '.sig'];

export class RegistryAgent {
  readonly app: FastifyInstance;
  private listening = '';

  private constructor(
    private readonly opts: RegistryOptions,
    private readonly root: string,
    private readonly uploads: string,
  ) {
    this.app = (opts.https ? Fastify({ logger: false, https: opts.https }) : Fastify({ logger: false })) as unknown as FastifyInstance;
    this.routes();
  }

  static async create(opts: RegistryOptions): Promise<RegistryAgent> {
    const root = registryFilesDir(opts.dataDir);
    const uploads = join(opts.dataDir, 'uploads');
    await mkdir(root, { recursive: true });
    await rm(uploads, { recursive: true, force: true });
    await mkdir(uploads, { recursive: true });
    return new RegistryAgent(opts, root, uploads);
  }

  /** `host:port` once started. */
  get address(): string {
    return this.listening;
  }

  get url(): string {
    return `${this.opts.https ? 'https' : 'http'}://${this.listening}`;
  }

  async start(): Promise<void> {
    const host = this.opts.bindAddr ?? '127.0.0.1';
    await this.app.listen({ host, port: this.opts.port ?? 5000 });
    const a = this.app.server.address();
    const port = typeof a === 'object' && a ? a.port : this.opts.port;
    this.listening = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const warning = openUploadsWarning(host, this.opts.pushToken);
    if (warning) this.opts.logger?.warn(warning);
    this.opts.logger?.info(`registry listening on ${this.url}`, { dataDir: this.opts.dataDir });
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  private routes(): void {
    const app = this.app;
    // Every upload is stored byte for byte, whatever its Content-Type (no JSON or text parsing).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    app.setErrorHandler((err, _req, reply) => {
      const status = (err as { httpStatus?: number }).httpStatus ?? (err instanceof KilnError ? httpStatusForCode[err.code] : (err as { statusCode?: number }).statusCode ?? 500);
      const code = err instanceof KilnError ? err.code : 'INTERNAL';
      if (status >= 500) this.opts.logger?.error('registry request failed', { error: err });
      void reply.code(status).send({ error: { code, message: (err as Error).message } });
    });
    app.get('/v1/images', async () => listImages(this.root));
    app.route({ method: ['GET', 'HEAD'], url: '/*', handler: (req, reply) => serveFile(req, reply, this.fileFor(req)) });
    app.put('/*', async (req, reply) => {
      this.authorize(req);
      const target = this.fileFor(req);
      const result = await receiveUpload(req.body as Readable, target, this.uploads);
      this.opts.logger?.info('registry upload', { path: req.url, size: result.size });
      return reply.code(201).send({ path: req.url, ...result });
    });
    app.delete('/*', async (req, reply) => this.remove(req, reply));
  }

  private fileFor(req: FastifyRequest): string {
    const segments = urlSegments(req.url);
    if (segments[0] === 'v1') throw new KilnError('NOT_FOUND', `no API route ${req.method} ${req.url}; the registry API is GET /v1/images`);
    return resolveUnder(this.root, segments);
  }

  /** DELETE of a `.xz` removes its digest, meta and signature too. */
  private async remove(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    this.authorize(req);
    const target = this.fileFor(req);
    const files = target.endsWith('.xz') ? SIDECARS.map((s) => target + s) : [target];
    const removed: string[] = [];
    for (const f of files) {
      if (await unlink(f).then(() => true, () => false)) removed.push(f.slice(this.root.length));
    }
    if (removed.length === 0) throw new KilnError('NOT_FOUND', `no file at ${req.url} in this registry`);
    await this.pruneEmptyDirs(target);
    return reply.send({ removed });
  }

  private async pruneEmptyDirs(file: string): Promise<void> {
    let dir = file.slice(0, file.lastIndexOf('/'));
    while (dir.length > this.root.length) {
      if ((await readdir(dir).catch(() => ['?'])).length > 0) return;
      await rmdir(dir).catch(() => undefined);
      dir = dir.slice(0, dir.lastIndexOf('/'));
    }
  }

  private authorize(req: FastifyRequest): void {
    const expected = this.opts.pushToken;
    if (!expected) return;
    const auth = req.headers.authorization;
    const given = (typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined) ?? req.headers['x-kiln-token'];
    const a = Buffer.from(typeof given === 'string' ? given : '');
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw Object.assign(new KilnError('BAD_REQUEST', 'uploads and deletions need the registry push token: send "Authorization: Bearer <token>" (kiln image push -token, or KILN_REGISTRY_TOKEN)'), { httpStatus: 401 });
    }
  }
}

/** Uploads without a token are fine on loopback (the dev stack); anywhere else anyone who reaches the port can publish images. */
export function openUploadsWarning(host: string, pushToken: string | undefined): string | undefined {
  if (pushToken) return undefined;
  if (/^(127\.|::1$|\[::1\]$|localhost$)/.test(host)) return undefined;
  return `registry on ${host} accepts uploads without a token; set registry { push_token = "…" } (or turn ACLs on)`;
}
