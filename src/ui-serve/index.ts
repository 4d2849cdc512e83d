/**
 * Serves a built web UI (dist/ui/<which>/, made by `node src/ui/build.mjs`)
 * from an agent role's Fastify app, and for the orchestrator a read-only
 * proxy to the catalog API (another origin) at /ui-api/catalog/*.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KilnError } from '../structs/errors.js';
import { proxyCatalog } from './catalog-proxy.js';

export type UiName = 'nomad' | 'catalog' | 'ingress';

export interface MountUiOptions {
  /** URL prefix of the UI; default '/ui' (the ingress dashboard uses '/dashboard'). */
  prefix?: string;
  /** Redirect GET / to the UI (default true). */
  redirectRoot?: boolean;
  /** Catalog HTTP address (e.g. 'http://127.0.0.1:8500') for /ui-api/catalog/* (orchestrator UI). */
  catalogAddress?: string;
  /** fetch for the catalog proxy (a TLS-speaking one in a TLS cluster). */
  catalogFetch?: typeof fetch;
  /** Where the built UIs are; default dist/ui next to the compiled code. */
  distDir?: string;
}

/** dist/src/ui-serve/index.js → dist/ui */
export const DEFAULT_UI_DIST = fileURLToPath(new URL('../../ui/', import.meta.url));

/** Mount before the app listens. */
export function mountUi(app: FastifyInstance, which: UiName, options: MountUiOptions = {}): void {
  const prefix = normalizePrefix(options.prefix ?? '/ui');
  const root = join(options.distDir ?? DEFAULT_UI_DIST, which);
  const built = existsSync(join(root, 'index.html'));
  void app.register(fastifyStatic, { root, serve: false, decorateReply: true });

  const index = (reply: FastifyReply) =>
    built
      ? reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false })
      : reply.code(503).type('text/plain').send(`the ${which} web UI is not built: run "node src/ui/build.mjs" (scripts/setup.sh does) and restart`);

  serveExact(app, prefix, (reply) => reply.redirect(`${prefix}/`));
  serveExact(app, `${prefix}/`, index);
  if (options.redirectRoot !== false && prefix !== '') serveExact(app, '/', (reply) => reply.redirect(`${prefix}/`));
  app.get<{ Params: { '*': string } }>(`${prefix}/*`, async (req, reply) => {
    const file = safeFile(root, req.params['*']);
    // Vite's assets/ names carry a content hash: cache them for good; the rest revalidates.
    if (built && file) return file.startsWith(`assets${sep}`) ? reply.sendFile(file, root, { maxAge: '365d', immutable: true }) : reply.header('cache-control', 'no-cache').sendFile(file, root, { cacheControl: false });
    // Unknown asset → 404; anything else is a client-side route → index.html (SPA fallback).
    if (/\.[a-z0-9]+$/i.test(req.params['*'])) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no file ${req.url} in the ${which} UI` } });
    return index(reply);
  });
  if (which === 'nomad') {
    app.get<{ Params: { '*': string } }>('/ui-api/catalog/*', async (req, reply) => {
      if (!options.catalogAddress) throw new KilnError('UNAVAILABLE', 'no catalog address configured for this agent: pass catalogAddress to mountUi (kiln agent -catalog-address)');
      return proxyCatalog(req as FastifyRequest, reply, options.catalogAddress, req.params['*'], options.catalogFetch);
    });
  }
}

function normalizePrefix(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) throw new KilnError('CONFIG_INVALID', `mountUi: prefix ${JSON.stringify(p)} must start with "/" (e.g. "/ui")`);
  return trimmed;
}

/** A path relative to root naming an existing file, never escaping root. */
function safeFile(root: string, rel: string): string | undefined {
  const clean = normalize(decodeURIComponent(rel.split('?')[0] ?? '')).replace(/^([/\\])+/, '');
  if (!clean || clean.startsWith('..')) return undefined;
  const full = join(root, clean);
  try {
    return statSync(full).isFile() ? clean : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Routes one exact GET path; when the app already has a route there (the
 * ingress dashboard's placeholder page), an onRequest hook answers first.
 */
function serveExact(app: FastifyInstance, path: string, handler: (reply: FastifyReply) => FastifyReply): void {
  if (!app.hasRoute({ method: 'GET', url: path })) {
    app.get(path, async (_req, reply) => handler(reply));
    return;
  }
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'GET' && req.url.split('?')[0] === path) return handler(reply);
  });
}
