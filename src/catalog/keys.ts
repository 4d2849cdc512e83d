/** Key layout of the catalog inside the shared store (see src/state/store.ts). */
const enc = (s: string) => encodeURIComponent(s);

export const catalogKeys = {
  node: (node: string) => `/catalog/nodes/${enc(node)}`,
  service: (node: string, id: string) => `/catalog/services/${enc(node)}/${enc(id)}`,
  servicesOfNode: (node: string) => `/catalog/services/${enc(node)}/`,
  check: (node: string, id: string) => `/catalog/checks/${enc(node)}/${enc(id)}`,
  checksOfNode: (node: string) => `/catalog/checks/${enc(node)}/`,
  /** KV keys keep their slashes so prefix scans are prefix scans. */
  kv: (key: string) => `/catalog/kv/${key}`,
  prefixes: {
    nodes: '/catalog/nodes/',
    services: '/catalog/services/',
    checks: '/catalog/checks/',
    kv: '/catalog/kv/',
  },
} as const;

export type CatalogTable = 'nodes' | 'services' | 'checks' | 'kv';

export function tableOfKey(key: string): CatalogTable | undefined {
  const p = catalogKeys.prefixes;
  if (key.startsWith(p.nodes)) return 'nodes';
  if (key.startsWith(p.services)) return 'services';
  if (key.startsWith(p.checks)) return 'checks';
  if (key.startsWith(p.kv)) return 'kv';
  return undefined;
}
