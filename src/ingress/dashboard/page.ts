/** A minimal server-rendered placeholder; the real page belongs to the web UI. */
import type { DynamicConfig } from '../types.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function dashboardPage(config: DynamicConfig): string {
  const rows = config.routers
    .map((r) => `<tr><td>${esc(r.name)}</td><td><code>${esc(r.rule)}</code></td><td>${esc(r.service)}</td><td>${r.priority}</td><td>${r.status}</td><td>${esc(r.errors.join('; '))}</td></tr>`)
    .join('\n');
  const services = config.services
    .map((s) => `<tr><td>${esc(s.name)}</td><td>${s.servers.map((v) => `${esc(v.url)} (${v.status})`).join('<br>')}</td><td>${s.status}</td><td>${esc(s.errors.join('; '))}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>kiln ingress</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head>
<body><h1>kiln ingress</h1>
<p>JSON API: <a href="/api/overview">/api/overview</a>, <a href="/api/http/routers">/api/http/routers</a>, <a href="/api/http/services">/api/http/services</a>, <a href="/api/http/middlewares">/api/http/middlewares</a>, <a href="/metrics">/metrics</a></p>
<h2>Routers</h2>
<table><tr><th>name</th><th>rule</th><th>service</th><th>priority</th><th>status</th><th>errors</th></tr>
${rows}
</table>
<h2>Services</h2>
<table><tr><th>name</th><th>servers</th><th>status</th><th>errors</th></tr>
${services}
</table></body></html>
`;
}
