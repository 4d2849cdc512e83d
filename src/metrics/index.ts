export { MetricsRegistry, Counter, Gauge, Histogram, LATENCY_BUCKETS, type Labels } from './registry.js';
export { parsePrometheusText, sampleValue, type ParsedMetrics, type Sample } from './parse.js';
export { instrumentHttp, registerMetricsRoute } from './http.js';
export { instrumentStore } from './store.js';
export { timedComputePlan, instrumentElection, collectServerState, collectCatalogState, collectClientState } from './roles.js';
export { AgentMetrics } from './agent-metrics.js';
