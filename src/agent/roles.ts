import { join } from 'node:path';
import { FailoverConsulClient } from '../api/failover-catalog.js';
import { CatalogAgent, localExec, ServiceRegistrar } from '../catalog/index.js';
import { createDefaultDrivers, PotDriver, type DriverRegistry } from '../drivers/index.js';
import { ImageStore } from '../images/index.js';
import { defaultDemoCacheDir, ensureDemoImages } from '../images/demo/index.js';
import { IngressAgent } from '../ingress/index.js';
import { RegistryAgent } from '../registry/index.js';
import type { Store } from '../state/index.js';
import { mountUi } from '../ui-serve/index.js';
import { POTLUCK_URL, type AgentConfig } from './config.js';
import type { Logger } from './logger.js';
import { withToken, type AgentAcl } from '../acl/index.js';
import type { FastifyInstance } from 'fastify';
import { installIdentityCheck, schemeFor, type AgentTls } from '../tls/index.js';

/** The catalog role on the agent's store (the server's, when both run here), with its web UI. */
export async function startCatalog(config: AgentConfig, store: Store, log: Logger, protect?: (app: FastifyInstance) => void, tls?: AgentTls): Promise<CatalogAgent> {
  const catalog = await CatalogAgent.create({
    store,
    bindAddr: config.bindAddr,
    advertiseAddr: config.advertiseAddr,
    httpPort: config.catalog.httpPort,
    dnsPort: config.catalog.dnsPort,
    domain: config.catalog.domain,
    datacenter: config.datacenter,
    exec: localExec,
    logger: log,
    ...(tls ? { https: tls.https } : {}),
  });
  if (tls) installIdentityCheck(catalog.app, tls.loaded);
  mountUi(catalog.app, 'catalog');
  protect?.(catalog.app);
  await catalog.start();
  return catalog;
}

/** The registry role; in dev mode it also builds and publishes the demo images (once). */
export async function startRegistry(config: AgentConfig, log: Logger, acl?: AgentAcl, tls?: AgentTls, beforeListen?: (app: FastifyInstance) => void): Promise<RegistryAgent> {
  const dataDir = join(config.dataDir, 'registry');
  if (config.registry.demoImages) {
    for (const r of await ensureDemoImages(dataDir, { logger: log, cacheDir: defaultDemoCacheDir() })) {
      if (r.status === 'failed') log.warn(`demo image ${r.name} not available: ${r.error ?? 'unknown error'}`);
      else log.info(`demo image ${r.name} ${r.status}: ${r.urlPath}`);
    }
  }
  const registry = await RegistryAgent.create({ dataDir, bindAddr: config.bindAddr, port: config.registry.port, pushToken: acl?.enabled ? undefined : config.registry.pushToken, logger: log, ...(tls ? { https: tls.https } : {}) });
  if (tls) installIdentityCheck(registry.app, tls.loaded);
  // With ACLs a push needs a token with registry { policy = "write" }; the old shared push token would clash on the same header.
  if (acl?.enabled && config.registry.pushToken) log.warn('registry push_token is ignored while ACLs are on: pushes need an ACL token with registry { policy = "write" }');
  acl?.protect(registry.app, 'registry');
  beforeListen?.(registry.app);
  await registry.start();
  return registry;
}

export async function startIngress(config: AgentConfig, catalogAddress: string, log: Logger, protect?: (app: FastifyInstance) => void, tls?: AgentTls, acl?: AgentAcl): Promise<IngressAgent> {
  const ingress = await IngressAgent.create({
    // Several catalogs (servers over one store): the watch fails over between them.
    catalogAddress: config.ingress.catalogAddresses ?? config.ingress.catalogAddress ?? catalogAddress,
    entryPoints: [
      { name: 'http', address: `${config.bindAddr}:${config.ingress.httpPort}` },
      ...(config.ingress.tls ? [{ name: 'https', address: `${config.bindAddr}:${config.ingress.tls.httpsPort}`, tls: { certificates: config.ingress.tls.certificates } }] : []),
    ],
    dashboard: { address: `${config.bindAddr}:${config.ingress.dashboardPort}` },
    domain: config.ingress.domain,
    ...(config.ingress.engine ? { engine: config.ingress.engine } : {}),
    ...(tls ? { dashboardHttps: tls.https, catalogFetch: tls.fetches.toAgents } : {}),
    // The catalog watch sends the agent's token (ACLs).
    ...(acl?.enabled ? { catalogFetch: acl.fetch(tls?.fetches.toAgents) } : {}),
    logger: log,
  });
  if (ingress.app && tls) installIdentityCheck(ingress.app, tls.loaded);
  if (ingress.app) mountUi(ingress.app, 'ingress', { prefix: '/dashboard' });
  if (ingress.app) protect?.(ingress.app);
  await ingress.start();
  return ingress;
}

/** raw_exec always; pot when runc and root are there (it reports itself unhealthy otherwise). */
export async function createDrivers(
  config: AgentConfig,
  registryAddress: string | undefined,
  log: Logger,
  tls?: AgentTls,
  acl?: AgentAcl,
): Promise<{ drivers: DriverRegistry; pot: PotDriver; images: ImageStore }> {
  const mirrors = Object.entries(config.client.imageMirrors).map(([prefix, replacement]) => ({ prefix, replacement }));
  if (registryAddress && !config.client.imageMirrors[POTLUCK_URL]) mirrors.push({ prefix: POTLUCK_URL, replacement: `${schemeFor(tls?.loaded)}://${registryAddress}/` });
  const images = await ImageStore.create({
    ...(tls ? { fetch: tls.imageFetch } : {}),
    // Pulls from this agent's registry carry its token (ACLs); image URLs elsewhere never see it.
    ...(acl?.enabled && registryAddress ? { fetch: acl.fetch(tls?.imageFetch, [new URL(`${schemeFor(tls?.loaded)}://${registryAddress}`).origin]) } : {}),
    cacheDir: join(config.dataDir, 'images'),
    mirrors,
    trustedKeys: config.client.imageTrust.trustedKeys,
    requireSignature: config.client.imageTrust.requireSignature,
    logger: log,
  });
  const pot = await PotDriver.create({ stateDir: join(config.dataDir, 'pot'), images, ...config.client.jails });
  const drivers = createDefaultDrivers();
  drivers.register(pot);
  return { drivers, pot, images };
}

/**
 * The client's registrar; `restart` is called for check_restart (a check critical past its limit).
 * Several catalog addresses: registrations fail over between them (src/api/failover-catalog.ts).
 */
export function serviceRegistrar(
  catalogAddress: string | string[],
  log: Logger,
  restart: (allocId: string, task: string, reason: string) => void,
  aclToken?: string,
  tlsFetch?: typeof fetch,
): ServiceRegistrar {
  const addresses = typeof catalogAddress === 'string' ? [catalogAddress] : catalogAddress;
  return new ServiceRegistrar({
    // The failover client even for one catalog: it re-sends check statuses the catalog missed while down.
    client: new FailoverConsulClient(addresses, undefined, undefined, withToken(tlsFetch ?? fetch, aclToken)),
    logger: log,
    onUnhealthy: ({ allocId, taskName, checkName }) => restart(allocId, taskName, `health check "${checkName}" unhealthy`),
  });
}

/** Unused images are removed every `intervalMs` (images still held by a task or younger than the store's grace are kept). */
export function collectImagesEvery(images: ImageStore, intervalMs: number, log: Logger): () => void {
  const timer = setInterval(() => {
    images.gc().then(
      ({ removed }) => removed.length > 0 && log.info(`image GC removed ${removed.length} unused image(s)`, { removed }),
      (err: unknown) => log.warn(`image GC failed: ${(err as Error).message}`),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
