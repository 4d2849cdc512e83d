import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Consul from 'consul';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// The seed article's whole flow on the single-node stack: its job file unchanged
// (image from potluck, mirrored to the local registry), a runc jail with nginx,
// the catalog's tcp check, the ingress by Host header, scaling to 2 with round
// robin, then stopping everything and checking nothing is left behind.

const ARTICLE_JOB = new URL('../../../examples/nginx.job', import.meta.url).pathname;
const tmp = tempDir('kiln-article-');
let agent: AgentProcess | undefined;
after(async () => {
  // SIGINT, not SIGKILL: a dev stack stops its jails and removes its network on the way out.
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

// Its own jail network, so it can run beside other tests that start a stack.
const NET = { bridge: 'kilnart0', subnet: '10.201.0.0/16', chains: 'KILNART', cgroup: '/kiln-article' };

function getWithHost(address: string, host: string, path = '/'): Promise<{ status: number; body: string }> {
  const [hostname, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port: Number(port), path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const listener = (output: string, name: string): string => {
  const m = new RegExp(`${name}: http://([\\d.]+:\\d+)`).exec(output);
  assert.ok(m, `the agent prints its ${name} address:\n${output}`);
  return m[1]!;
};

const nodeOf = (allocStatus: string): string => {
  const m = /^Node ID\s+= (\S+)/m.exec(allocStatus);
  assert.ok(m, allocStatus);
  return m[1]!;
};

const runningAllocs = async (address: string): Promise<string[]> => {
  const r = await kiln(address, ['job', 'allocs', 'nginx-minipot']);
  return r.stdout.split('\n').filter((l) => /\srunning\s/.test(l) && /\srun\s/.test(l)).map((l) => l.split(/\s+/)[0]!);
};

test('the article job runs unchanged: jail, mapped port, catalog check, ingress, scaling, clean teardown', async () => {
  const dataDir = join(tmp.dir, 'data');
  const config = join(tmp.dir, 'net.hcl');
  writeFileSync(config, `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(dataDir, ['-config', config]);
  const address = agent.address;
  const catalog = listener(agent.output(), 'Catalog');
  const ingress = listener(agent.output(), 'Ingress');
  const jobFile = join(tmp.dir, 'nginx.job');
  writeFileSync(jobFile, readFileSync(ARTICLE_JOB, 'utf8'));

  const run = await kiln(address, ['job', 'run', jobFile], 180_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Downloading image/, 'download progress is shown');
  const [allocId] = await runningAllocs(address);
  assert.ok(allocId);

  const status = await kiln(address, ['alloc', 'status', allocId, '-catalog-address', `http://${catalog}`]);
  const hostPort = /\*http\s+yes\s+([\d.]+:\d+)/.exec(status.stdout)?.[1];
  assert.ok(hostPort, status.stdout);
  const direct = await eventually(async () => (await fetch(`http://${hostPort}/`)).text(), 20_000, 'nginx on the mapped port');
  assert.match(direct, /Welcome to nginx/);

  const consul = new Consul({ host: catalog.split(':')[0], port: Number(catalog.split(':')[1]) });
  const passing = await eventually(async () => {
    const entries = await consul.health.service({ service: 'hello-web', passing: true });
    return entries.length === 1 ? entries : undefined;
  }, 30_000, 'hello-web passing in the catalog');
  assert.equal(passing[0]!.Service.Port, Number(hostPort.split(':')[1]));
  assert.deepEqual(passing[0]!.Checks.filter((c: { ServiceID: string }) => c.ServiceID).map((c: { Name: string; Status: string }) => `${c.Name}=${c.Status}`), ['tcp=passing']);

  // The same instance through the catalog's DNS, as `dig @127.0.0.1 -p 8600 hello-web.service.consul SRV`.
  const dns = /\(DNS ([\d.]+):(\d+)\)/.exec(agent.output());
  assert.ok(dns, 'the agent prints its DNS address');
  const srv = execFileSync('dig', [`@${dns[1]}`, '-p', dns[2]!, 'hello-web.service.consul', 'SRV', '+short']).toString();
  assert.match(srv, new RegExp(`^1 1 ${hostPort.split(':')[1]} \\S+\\.node\\.`, 'm'), `SRV answer: ${srv}`);

  // The kernel port mapping, as `pot show` lists it.
  const ports = await kiln(address, ['node', 'ports', nodeOf(status.stdout)]);
  assert.equal(ports.code, 0, ports.stderr);
  assert.match(ports.stdout, new RegExp(`${hostPort.replace(/\./g, '\\.')}\\s+10\\.201\\.\\d+\\.\\d+:80\\s+.*${allocId}\\s+www1`));

  const viaIngress = await eventually(async () => {
    const r = await getWithHost(ingress, 'hello-web.minipot');
    return r.status === 200 ? r : undefined;
  }, 20_000, 'the ingress to route hello-web.minipot');
  assert.match(viaIngress.body, /Welcome to nginx/);

  // count 1 → 2: two allocations, two passing instances, round robin visible in each one's log.
  writeFileSync(jobFile, readFileSync(ARTICLE_JOB, 'utf8').replace('count = 1', 'count = 2'));
  const scaled = await kiln(address, ['job', 'run', jobFile], 120_000);
  assert.equal(scaled.code, 0, scaled.stdout + scaled.stderr);
  const both = await eventually(async () => ((await runningAllocs(address)).length === 2 ? runningAllocs(address) : undefined), 30_000, 'two running allocations');
  await eventually(async () => ((await consul.health.service({ service: 'hello-web', passing: true })).length === 2 ? true : undefined), 30_000, 'two passing instances');
  await eventually(async () => {
    for (let i = 0; i < 4; i++) await getWithHost(ingress, 'hello-web.minipot', `/rr-${i}`);
    const logs = await Promise.all(both.map((id) => kiln(address, ['alloc', 'logs', id, 'www1'])));
    return logs.every((l) => /GET \/rr-\d/.test(l.stdout)) ? true : undefined;
  }, 20_000, 'requests in both allocations\' logs');

  const stop = await kiln(address, ['job', 'stop', 'nginx-minipot']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  await eventually(async () => ((await consul.health.service({ service: 'hello-web' })).length === 0 ? true : undefined), 30_000, 'instances to leave the catalog');

  assert.equal(await agent.interrupt(), 0, agent.output());
  const runcList = execFileSync('runc', ['--root', join(dataDir, 'pot', 'runc'), 'list', '-q']).toString().trim();
  assert.equal(runcList, '', 'no runc containers left');
  assert.throws(() => execFileSync('ip', ['link', 'show', NET.bridge], { stdio: 'pipe' }), 'the jail bridge is gone');
  assert.doesNotMatch(execFileSync('iptables-save').toString(), new RegExp(NET.chains), 'no iptables rules or chains left');
  assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no mounts left');
  assert.equal(execFileSync('ip', ['netns', 'list']).toString().includes(allocId.slice(0, 8)), false, 'no network namespaces left');
  assert.equal(existsSync(`/sys/fs/cgroup/memory${NET.cgroup}`) && readFileSync(`/sys/fs/cgroup/memory${NET.cgroup}/cgroup.procs`, 'utf8').trim() !== '', false, 'no jail processes left');
});
