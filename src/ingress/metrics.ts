/**
 * Prometheus metrics without a client library: counters keyed by status code
 * inside pre-resolved stat objects, so the proxy's hot path only bumps
 * numbers and never builds label strings per request.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class CodeCounter {
  readonly codes = new Map<number, number>();
  add(code: number): void {
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }
}

export class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

/** What the proxy records for one router → service pair. */
export interface RouteStats {
  requests: CodeCounter;
  latency: Histogram;
}

export class IngressMetrics {
  private readonly entryPoints = new Map<string, { requests: CodeCounter; open: number }>();
  private readonly routes = new Map<string, { router: string; service: string; stats: RouteStats }>();
  retries = 0;
  tableBuilds = 0;

  entryPoint(name: string): { requests: CodeCounter; open: number } {
    let e = this.entryPoints.get(name);
    if (!e) this.entryPoints.set(name, (e = { requests: new CodeCounter(), open: 0 }));
    return e;
  }

  /** Stats for a router/service pair ('' for requests no router matched); resolve once, then reuse. */
  route(router: string, service: string): RouteStats {
    const key = `${router}\u0000${service}`;
    let r = this.routes.get(key);
    if (!r) this.routes.set(key, (r = { router, service, stats: { requests: new CodeCounter(), latency: new Histogram() } }));
    return r.stats;
  }

  render(): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('kiln_ingress_entrypoint_requests_total', 'counter', 'Requests received by entry point and status code.');
    for (const [ep, e] of this.entryPoints) for (const [code, n] of e.requests.codes) out.push(`kiln_ingress_entrypoint_requests_total{entrypoint=${q(ep)},code="${code}"} ${n}`);
    head('kiln_ingress_open_connections', 'gauge', 'Client connections currently open, by entry point.');
    for (const [ep, e] of this.entryPoints) out.push(`kiln_ingress_open_connections{entrypoint=${q(ep)}} ${e.open}`);
    head('kiln_ingress_requests_total', 'counter', 'Requests by router, service and status code.');
    for (const r of this.routes.values()) for (const [code, n] of r.stats.requests.codes) out.push(`kiln_ingress_requests_total{router=${q(r.router)},service=${q(r.service)},code="${code}"} ${n}`);
    head('kiln_ingress_request_duration_seconds', 'histogram', 'Time from request to the end of the response, by router and service.');
    for (const r of this.routes.values()) {
      const h = r.stats.latency;
      const labels = `router=${q(r.router)},service=${q(r.service)}`;
      let cumulative = 0;
      BUCKETS.forEach((b, i) => {
        cumulative += h.counts[i]!;
        out.push(`kiln_ingress_request_duration_seconds_bucket{${labels},le="${b}"} ${cumulative}`);
      });
      out.push(`kiln_ingress_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      out.push(`kiln_ingress_request_duration_seconds_sum{${labels}} ${h.sum}`, `kiln_ingress_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    head('kiln_ingress_backend_retries_total', 'counter', 'Requests retried on another server after a failed connect.');
    out.push(`kiln_ingress_backend_retries_total ${this.retries}`);
    head('kiln_ingress_config_reloads_total', 'counter', 'Routing table rebuilds after catalog changes.');
    out.push(`kiln_ingress_config_reloads_total ${this.tableBuilds}`);
    return out.join('\n') + '\n';
  }
}

function q(v: string): string {
  return JSON.stringify(v);
}
