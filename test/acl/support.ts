/**
 * A real non-dev agent for the ACL tests: every role in one process, a
 * config file on 127.0.0.1 with ephemeral ports, ACLs on by default (no acl
 * block), its own jail network (removed afterwards), warnings captured.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentAcl } from '../../src/acl/index.js';
import { Agent, loadConfigPath, silentLogger, type Logger } from '../../src/agent/index.js';
import { JailNetwork } from '../../src/drivers/pot/index.js';

export interface AclAgent {
  agent: Agent;
  acl: AgentAcl;
  server: string;
  catalog: string;
  registry: string;
  dashboard: string;
  dataDir: string;
  warnings: string[];
  stop(): Promise<void>;
}

/** A jail network per test file, so the files run in parallel. */
export interface TestNet {
  bridge: string;
  subnet: string;
  chainPrefix: string;
}

export async function startAclAgent(dir: string, NET: TestNet): Promise<AclAgent> {
  const dataDir = join(dir, 'data');
  const file = join(dir, 'agent.hcl');
  writeFileSync(
    file,
    `data_dir = "${dataDir}"
bind_addr = "127.0.0.1"
ports {
  http = 0
}
server {
  enabled = true
}
client {
  enabled = true
  jail_network {
    bridge = "${NET.bridge}"
    subnet = "${NET.subnet}"
    chain_prefix = "${NET.chainPrefix}"
    cgroup_parent = "/${NET.bridge}"
  }
}
catalog {
  enabled = true
  http_port = 0
  dns_port = 0
}
registry {
  enabled = true
  port = 0
}
ingress {
  enabled = true
  http_port = 0
  dashboard_port = 0
}
`,
  );
  const warnings: string[] = [];
  const capture: Logger = { ...silentLogger, warn: (m, f) => void warnings.push(`${m} ${JSON.stringify(f ?? {})}`) };
  const agent = await Agent.create(await loadConfigPath(file), { logger: (role) => (role === 'acl' ? capture : silentLogger) });
  await agent.start();
  const a = agent.addresses;
  return {
    agent,
    // The guard's unit is private to the agent; the coverage test reads its apps.
    acl: (agent as unknown as { acl: AgentAcl }).acl,
    server: `http://${a.http}`,
    catalog: `http://${a.catalog!}`,
    registry: `http://${a.registry!}`,
    dashboard: `http://${a.dashboard!}`,
    dataDir,
    warnings,
    stop: async () => {
      await agent.stop();
      await new JailNetwork({ ...NET, stateDir: join(dataDir, 'pot', 'net') }).removeNode();
    },
  };
}

export interface Answer {
  status: number;
  text: string;
  json: () => unknown;
  headers: Headers;
}

/** One HTTP request with an optional token header (`X-Kiln-Token` unless another header name is given). */
export async function call(url: string, opts: { method?: string; token?: string; header?: string; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers[opts.header ?? 'x-kiln-token'] = opts.header === 'authorization' ? `Bearer ${opts.token}` : opts.token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown, headers: res.headers };
}
