import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, kiln, privateJailNetwork, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// The single-node stack stopped with Ctrl-C (which stops its tasks) and started again: `node status -self`
// finds the stack's own node, the system job runs again (a new allocation; the old one shows Desired stop),
// and the start-up log counts the finished allocations in one line instead of one line each.

const tmp = tempDir('kiln-dev-restart-');
const pidDir = join(tmp.dir, 'pids');
mkdirSync(pidDir);
let agent: AgentProcess | undefined;

after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  // A failed run must not leave sleepers behind.
  for (const f of readdirSync(pidDir)) {
    try {
      process.kill(Number(readFileSync(join(pidDir, f), 'utf8').trim()), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tmp.cleanup();
});

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

/** Client and server (and catalog) only: the registry's demo images and the ingress add nothing here. */
function devConfig(name: string, clientEnabled: boolean): string {
  const net = privateJailNetwork();
  const client = clientEnabled
    ? `client {\n  jail_network {\n    bridge = "${net.bridge}"\n    subnet = "${net.subnet}"\n    chain_prefix = "${net.chainPrefix}"\n    cgroup_parent = "${net.cgroupParent}"\n  }\n}\n`
    : 'client {\n  enabled = false\n}\n';
  return file(name, `${client}registry {\n  enabled = false\n}\ningress {\n  enabled = false\n}\n`);
}

const sleeper = (id: string, type: string): string => `job "${id}" {
  datacenters = ["minipot"]
  type        = "${type}"
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $$ > ${pidDir}/$NOMAD_ALLOC_ID; exec sleep 3600"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
`;

interface AllocStub {
  ID: string;
  DesiredStatus: string;
  ClientStatus: string;
}

async function ok(address: string, args: string[]): Promise<string> {
  const r = await kiln(address, args);
  assert.equal(r.code, 0, `kiln ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const allocs = async (address: string, job: string): Promise<AllocStub[]> => JSON.parse(await ok(address, ['job', 'allocs', '-json', job])) as AllocStub[];
const runningOf = async (address: string, job: string): Promise<AllocStub[]> => (await allocs(address, job)).filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running');

test('node status -self, then Ctrl-C and start again: the system job runs again and finished allocations are one log line', async () => {
  const config = devConfig('dev.hcl', true);
  const dataDir = join(tmp.dir, 'data');
  agent = await startDevAgent(dataDir, ['-config', config]);
  let address = agent.address;

  const nodes = await eventually(async () => {
    const list = JSON.parse(await ok(address, ['node', 'status', '-json'])) as { ID: string }[];
    return list.length === 1 ? list : undefined;
  }, 30_000, 'the dev node');
  const self = await kiln(address, ['node', 'status', '-self', '-verbose']);
  assert.equal(self.code, 0, self.stderr);
  assert.match(self.stdout, new RegExp(`^ID\\s+= ${nodes[0]!.ID}$`, 'm'), self.stdout);
  assert.match(self.stdout, /^Drivers\s+= .*raw_exec/m);
  const both = await kiln(address, ['node', 'status', '-self', nodes[0]!.ID.slice(0, 8)]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /either -self or a node ID/);

  await ok(address, ['job', 'run', '-detach', file('sys.hcl', sleeper('sys-restart', 'system'))]);
  await ok(address, ['job', 'run', '-detach', file('svc.hcl', sleeper('svc-restart', 'service'))]);
  const [sysBefore] = await eventually(async () => ((await runningOf(address, 'sys-restart')).length === 1 ? runningOf(address, 'sys-restart') : undefined), 30_000, 'the system job running');
  await eventually(async () => (await runningOf(address, 'svc-restart')).length === 1, 30_000, 'the service running');

  assert.equal(await agent.interrupt(), 0, agent.output());
  agent = await startDevAgent(dataDir, ['-config', config]);
  address = agent.address;

  const [sysAfter] = await eventually(async () => {
    const l = await runningOf(address, 'sys-restart');
    return l.length === 1 && l[0]!.ID !== sysBefore!.ID ? l : undefined;
  }, 30_000, 'the system job running again after the restart');
  assert.ok(sysAfter);
  await eventually(async () => (await runningOf(address, 'svc-restart')).length === 1, 30_000, 'the service running again');
  const old = (await allocs(address, 'sys-restart')).find((a) => a.ID === sysBefore!.ID)!;
  assert.deepEqual([old.DesiredStatus, old.ClientStatus], ['stop', 'complete'], 'the allocation the agent stopped no longer shows Desired run');
  const table = await ok(address, ['job', 'allocs', 'sys-restart']);
  assert.match(table, new RegExp(`^${sysBefore!.ID.slice(0, 8)}\\s+\\S+\\s+g\\s+0\\s+stop\\s+complete`, 'm'), table);

  const log = agent.output();
  assert.match(log, /restored 0 live allocations from local state; 2 finished ones kept for logs/, log);
  assert.doesNotMatch(log, /restoring from local state/, 'finished allocations are not logged one by one');
});

test('node status -self against an agent without a client role says so and exits 1', async () => {
  const server = await startDevAgent(join(tmp.dir, 'server-only'), ['-config', devConfig('server-only.hcl', false)]);
  try {
    const r = await kiln(server.address, ['node', 'status', '-self']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /this agent runs no client; give a node ID/);
  } finally {
    await server.interrupt();
  }
});
