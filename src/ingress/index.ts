export { IngressAgent, DEFAULT_TIMEOUTS, type IngressAgentOptions } from './agent.js';
export { CatalogWatcher, type CatalogWatcherOptions } from './catalog-watcher.js';
export { configFromCatalog, DEFAULT_RULE_TEMPLATE, type TagConfigOptions } from './config-from-tags.js';
export { RoundRobin } from './balancer.js';
export { IngressMetrics } from './metrics.js';
export { compileRule, parseRule, defaultPriority, type MatchInput } from './rules/index.js';
export type { EntryPointConfig, ProxyTimeouts } from './proxy/engine.js';
export type * from './types.js';
