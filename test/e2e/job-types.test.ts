import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { jobAllocs, killRecorded, nodes } from '../agent/jobs.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent, type TestJailNet } from '../agent/procs.js';

// The job types on real processes: a server and a client agent (raw_exec),
// then a second client joining. A system job lands on each node as it joins,
// a batch job's successes, failures and exit codes show in `kiln job status`
// and `kiln alloc status`, and a sysbatch job runs once per node to completion.

const tmp = tempDir('kiln-job-types-');
after(tmp.cleanup);

const task = (command: string): string => `    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "${command}"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }`;

/** The system job's sleepers record their pids here, so a failed test leaves none behind. */
const pidDir = join(tmp.dir, 'pids');

const systemJob = (): string => `job "node-agent" {
  type = "system"
  group "agent" {
${task(`echo $$ > ${pidDir}/$NOMAD_ALLOC_ID; exec sleep 3600`)}
  }
}
`;

// restart attempts = 0: the failing group fails at once instead of after three restarts 15 s apart.
const BATCH_JOB = `job "report" {
  type = "batch"
  group "ok" {
    count = 2
${task('echo report done')}
  }
  group "broken" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }
${task('echo boom >&2; exit 3')}
  }
}
`;

const SYSBATCH_JOB = `job "inventory" {
  type = "sysbatch"
  group "scan" {
${task('uname -n')}
  }
}
`;

function jobFile(name: string, text: string): string {
  const file = join(tmp.dir, `${name}.hcl`);
  writeFileSync(file, text);
  return file;
}

/** The Summary table row of a group in `kiln job status` output, as numbers. */
function summaryRow(statusText: string, group: string): Record<string, number> {
  const lines = statusText.split('\n');
  const header = lines.findIndex((l) => /^Task Group\s+Queued\s+Starting\s+Running\s+Failed\s+Complete\s+Lost/.test(l));
  assert.ok(header >= 0, `a Summary table in:\n${statusText}`);
  const row = lines.slice(header + 1).find((l) => l.split(/\s+/)[0] === group);
  assert.ok(row, `a Summary row for ${group} in:\n${statusText}`);
  const [, queued, starting, running, failed, complete, lost] = row.trim().split(/\s+/).map(Number);
  return { queued: queued!, starting: starting!, running: running!, failed: failed!, complete: complete!, lost: lost! };
}

const statusLine = (text: string): string | undefined => /^Status\s+= (.+)$/m.exec(text)?.[1];

test('system, batch and sysbatch jobs on real agents', async () => {
  const nets: TestJailNet[] = [
    testJailNet(join(tmp.dir, 'c1'), 'kjt1', '10.241.0.0/16', 'KJT1'),
    testJailNet(join(tmp.dir, 'c2'), 'kjt2', '10.242.0.0/16', 'KJT2'),
  ];
  const procs: ConfigAgent[] = [];
  mkdirSync(pidDir);
  try {
    const server = await startConfigAgent(writeConfig(tmp.dir, 'server', await soloServerHcl(tmp.dir, 'server')));
    procs.push(server);
    const addr = `http://${server.address}`;
    const startClient = async (name: string, net: TestJailNet): Promise<string> => {
      procs.push(await startConfigAgent(writeConfig(tmp.dir, name, await clientHcl({ dir: tmp.dir, name, servers: [server.address], net }))));
      const node = await eventually(async () => (await nodes(server.address)).find((n) => n.Name === name && n.Status === 'ready'), 30_000, `client ${name} to register`);
      return node.ID;
    };
    const first = await startClient('c1', nets[0]!);

    // System: one allocation on the only node…
    const run = await kiln(addr, ['job', 'run', jobFile('system', systemJob())]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const runningOn = async (want: string[]): Promise<void> => {
      await eventually(async () => {
        const running = (await jobAllocs(server.address, 'node-agent')).filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
        return running.map((a) => a.NodeID).sort().join() === [...want].sort().join() || undefined;
      }, 60_000, `node-agent running on ${want.join(', ')}`);
    };
    await runningOn([first]);
    // …and one on a node that joins later, without running the job again.
    const second = await startClient('c2', nets[1]!);
    await runningOn([first, second]);
    const sysStatus = await kiln(addr, ['job', 'status', 'node-agent']);
    assert.equal(sysStatus.code, 0, sysStatus.stderr);
    assert.match(sysStatus.stdout, /^Type\s+= system$/m);
    assert.equal(statusLine(sysStatus.stdout), 'running');
    assert.deepEqual(summaryRow(sysStatus.stdout, 'agent'), { queued: 0, starting: 0, running: 2, failed: 0, complete: 0, lost: 0 });

    // Batch: two runs succeed, one fails with exit code 3; the job is dead once all have finished.
    const batch = await kiln(addr, ['job', 'run', '-detach', jobFile('batch', BATCH_JOB)]);
    assert.equal(batch.code, 0, batch.stdout + batch.stderr);
    const batchStatus = await eventually(async () => {
      const s = await kiln(addr, ['job', 'status', 'report']);
      return statusLine(s.stdout) === 'dead' ? s.stdout : undefined;
    }, 60_000, 'the batch job to finish');
    assert.deepEqual(summaryRow(batchStatus, 'ok'), { queued: 0, starting: 0, running: 0, failed: 0, complete: 2, lost: 0 });
    assert.deepEqual(summaryRow(batchStatus, 'broken'), { queued: 0, starting: 0, running: 0, failed: 1, complete: 0, lost: 0 });
    const allocs = (await (await fetch(`${addr}/v1/job/report/allocations`)).json()) as { ID: string; TaskGroup: string }[];
    const brokenId = allocs.find((a) => a.TaskGroup === 'broken')!.ID;
    const okId = allocs.find((a) => a.TaskGroup === 'ok')!.ID;
    const broken = await kiln(addr, ['alloc', 'status', brokenId.slice(0, 8)]);
    assert.match(broken.stdout, /^Client Status\s+= failed$/m);
    assert.match(broken.stdout, /Task "t" is "dead"/);
    assert.match(broken.stdout, /Terminated\s+Exit Code: 3/);
    assert.match(broken.stdout, /Not Restarting\s+Policy allows no restarts/);
    const ok = await kiln(addr, ['alloc', 'status', okId.slice(0, 8)]);
    assert.match(ok.stdout, /^Client Status\s+= complete$/m);
    assert.match(ok.stdout, /Terminated\s+Exit Code: 0/);
    const logs = await kiln(addr, ['alloc', 'logs', '-stderr', brokenId.slice(0, 8)]);
    assert.match(logs.stdout + logs.stderr, /boom/, `alloc logs exit ${logs.code}: ${logs.stderr}`);

    // Sysbatch: one run per node, each completes, and the job is dead.
    const sysbatch = await kiln(addr, ['job', 'run', '-detach', jobFile('sysbatch', SYSBATCH_JOB)]);
    assert.equal(sysbatch.code, 0, sysbatch.stdout + sysbatch.stderr);
    const sbStatus = await eventually(async () => {
      const s = await kiln(addr, ['job', 'status', 'inventory']);
      return statusLine(s.stdout) === 'dead' ? s.stdout : undefined;
    }, 60_000, 'the sysbatch job to finish');
    assert.deepEqual(summaryRow(sbStatus, 'scan'), { queued: 0, starting: 0, running: 0, failed: 0, complete: 2, lost: 0 });
    const runs = await jobAllocs(server.address, 'inventory');
    assert.deepEqual(runs.map((a) => a.NodeID).sort(), [first, second].sort(), 'one run on each node');

    // A node that leaves (its agent killed, so it misses heartbeats) loses its system allocation; nothing moves to the other node.
    const c2 = procs[2]!;
    await c2.kill9();
    await eventually(async () => (await nodes(server.address)).find((n) => n.ID === second && n.Status === 'down'), 60_000, 'the killed client to be marked down');
    await eventually(async () => {
      const allocs = await jobAllocs(server.address, 'node-agent');
      const onSecond = allocs.filter((a) => a.NodeID === second);
      return onSecond.length > 0 && onSecond.every((a) => a.ClientStatus === 'lost' || a.DesiredStatus === 'stop') || undefined;
    }, 30_000, 'the system allocation of the lost node to be lost');
    await runningOn([first]);
    const afterLoss = await kiln(addr, ['job', 'status', 'node-agent']);
    assert.deepEqual(summaryRow(afterLoss.stdout, 'agent'), { queued: 0, starting: 0, running: 1, failed: 0, complete: 0, lost: 1 });

    const stop = await kiln(addr, ['job', 'stop', 'node-agent']);
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    await eventually(async () => (await jobAllocs(server.address, 'node-agent')).every((a) => a.ClientStatus !== 'running') || undefined, 60_000, 'the system allocations to stop');
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    for (const n of nets) await n.remove().catch(() => undefined);
  }
});
