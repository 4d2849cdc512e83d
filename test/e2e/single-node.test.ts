import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// The single-node stack end to end, as a user drives it: a real `kiln agent -dev`
// process, the real CLI, a raw_exec task with a dynamic port serving HTTP.

const tmp = tempDir('kiln-e2e-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

const serverScript = join(tmp.dir, 'web.js');
writeFileSync(
  serverScript,
  `const http = require('node:http');
   const port = Number(process.env.NOMAD_PORT_http);
   http.createServer((req, res) => { console.log('request ' + req.url + ' alloc ' + process.env.NOMAD_ALLOC_ID); res.end('hello from ' + process.env.NOMAD_TASK_NAME + '\\n'); })
     .listen(port, '127.0.0.1', () => console.log('listening on ' + port + ' pid ' + process.pid));
   process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(0); });`.replace(/\n\s+/g, '\n'),
);
const jobFile = join(tmp.dir, 'web.job');
const jobHcl = (count: number) => `job "web" {
  datacenters = ["minipot"]
  group "web" {
    count = ${count}
    network {
      port "http" {}
    }
    task "server" {
      driver = "raw_exec"
      config {
        command = "${process.execPath}"
        args    = ["${serverScript}"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

async function httpGet(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

function addressOf(allocStatus: string): string {
  const m = /\*http\s+yes\s+([\d.]+:\d+)/.exec(allocStatus);
  assert.ok(m, `alloc status shows the http address:\n${allocStatus}`);
  return m[1]!;
}

test('a raw_exec job with a dynamic port runs end to end through the CLI and survives an agent kill -9', async () => {
  const dataDir = join(tmp.dir, 'data');
  agent = await startDevAgent(dataDir);
  const address = agent.address;
  writeFileSync(jobFile, jobHcl(1));

  const run = await kiln(address, ['job', 'run', jobFile]);
  assert.equal(run.code, 0, `job run succeeds:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Monitoring evaluation "[0-9a-f]{8}"/);
  assert.match(run.stdout, /Allocation "([0-9a-f]{8})" created: node "[0-9a-f]{8}", group "web"/);

  const allocs = await kiln(address, ['job', 'allocs', 'web']);
  assert.equal(allocs.code, 0, allocs.stderr);
  assert.match(allocs.stdout, /ID\s+Node ID\s+Task Group\s+Version\s+Desired\s+Status\s+Created\s+Modified/);
  const allocId = /^([0-9a-f]{8})\s/m.exec(allocs.stdout)?.[1];
  assert.ok(allocId, allocs.stdout);

  const status = await eventually(async () => {
    const s = await kiln(address, ['alloc', 'status', allocId]);
    return /Task "server" is "running"/.test(s.stdout) ? s.stdout : undefined;
  }, 30_000, 'the task to run');
  assert.match(status, /Label\s+Dynamic\s+Address/);
  const hostPort = addressOf(status);
  const port = Number(hostPort.split(':')[1]);
  assert.ok(port >= 20000 && port <= 32000, `dynamic port ${port} is in 20000-32000`);
  assert.equal(await eventually(() => httpGet(`http://${hostPort}/first`), 15_000, 'the task to serve'), 'hello from server\n');

  const logs = await eventually(async () => {
    const l = await kiln(address, ['alloc', 'logs', allocId]);
    return l.stdout.includes('request /first') ? l.stdout : undefined;
  }, 10_000, 'the request in the task log');
  const pid = /pid (\d+)/.exec(logs)?.[1];
  assert.ok(pid, logs);

  // Kill the agent hard: the task keeps serving, and a new agent re-attaches to it.
  await agent.kill9();
  assert.equal(await httpGet(`http://${hostPort}/while-agent-down`), 'hello from server\n');
  agent = await startDevAgent(dataDir);
  const address2 = agent.address;
  const after = await eventually(async () => {
    const s = await kiln(address2, ['alloc', 'status', allocId]);
    return /Task "server" is "running"/.test(s.stdout) ? s.stdout : undefined;
  }, 30_000, 'the re-attached task');
  assert.doesNotMatch(after, /Restarting/, 'the task was re-attached, not restarted');
  await httpGet(`http://${hostPort}/after-restart`);
  const logs2 = await eventually(async () => {
    const l = await kiln(address2, ['alloc', 'logs', allocId]);
    return l.stdout.includes('request /after-restart') ? l.stdout : undefined;
  }, 10_000, 'logs to continue after re-attach');
  assert.equal((logs2.match(/listening on/g) ?? []).length, 1, 'the task process started once');
  assert.match(logs2, /request \/while-agent-down/);

  // The restarted stack still has the job; stopping it stops the process.
  const jobs = await kiln(address2, ['job', 'status']);
  assert.match(jobs.stdout, /^web\s+service\s+50\s+running/m);
  const stop = await kiln(address2, ['job', 'stop', 'web']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  await eventually(async () => {
    try {
      await httpGet(`http://${hostPort}/gone`);
      return undefined;
    } catch {
      return true;
    }
  }, 20_000, 'the task to stop');
  assert.throws(() => process.kill(Number(pid), 0), 'the task process is gone');
});

test('placement failures and invalid job files give clear errors and exit codes', async () => {
  if (!agent || agent.child.exitCode !== null) agent = await startDevAgent(join(tmp.dir, 'data2'));
  const address = agent.address;
  const bad = join(tmp.dir, 'bad.job');
  writeFileSync(bad, 'job "bad" {\n  group "g" {\n    count = -1\n    task "t" {\n      driver = "nope"\n    }\n  }\n}\n');
  const invalid = await kiln(address, ['job', 'run', bad]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stdout + invalid.stderr, /bad\.job:3:\d+/);
  assert.match(invalid.stdout + invalid.stderr, /bad\.job:5:\d+/);

  const freebsd = join(tmp.dir, 'freebsd.job');
  writeFileSync(
    freebsd,
    jobHcl(1).replace('job "web"', 'job "bsd"').replace('datacenters = ["minipot"]', 'datacenters = ["minipot"]\n  constraint {\n    attribute = "${attr.kernel.name}"\n    value     = "freebsd"\n  }'),
  );
  const failed = await kiln(address, ['job', 'run', freebsd]);
  assert.equal(failed.code, 2, failed.stdout + failed.stderr);
  assert.match(failed.stdout, /Constraint "\$\{attr\.kernel\.name\} = freebsd": 1 nodes excluded by filter/);
});
