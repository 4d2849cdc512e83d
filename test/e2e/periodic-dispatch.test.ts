import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KILN_BIN, eventually, kiln, startDevAgent, type AgentProcess, type KilnResult } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// Periodic and parameterized jobs on the single-node stack (raw_exec): a dispatched
// child gets its payload in local/ and its meta as NOMAD_META_*, a periodic job's
// children run to completion (forced and on schedule), and bad input changes nothing.

const tmp = tempDir('kiln-periodic-e2e-');
// Its own jail network, so it can run beside other tests that start a stack.
const NET = { bridge: 'kilnper0', subnet: '10.219.0.0/16', chains: 'KILNPER', cgroup: '/kiln-periodic-e2e' };
let agent: AgentProcess | undefined;
let address = '';

before(async () => {
  const config = file('net.hcl', `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  address = agent.address;
});

after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

function file(name: string, text: string | Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

const task = (script: string, extra = ''): string => `    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "${script}"]
      }
${extra}      resources {
        cpu    = 20
        memory = 16
      }
    }`;

const GREETER = `job "greeter" {
  datacenters = ["minipot"]
  type        = "batch"
  meta {
    team = "ops"
  }
  parameterized {
    payload       = "optional"
    meta_required = ["who"]
    meta_optional = ["greeting"]
  }
  group "g" {
${task('echo who=$NOMAD_META_who greeting=$${NOMAD_META_greeting:-none} team=$NOMAD_META_team; cat $NOMAD_TASK_DIR/in/payload.txt', '      dispatch_payload {\n        file = "in/payload.txt"\n      }\n')}
  }
}
`;

const periodicJob = (id: string, crons: string, script: string, overlap = false): string => `job "${id}" {
  datacenters = ["minipot"]
  type        = "batch"
  periodic {
    crons            = ["${crons}"]
    prohibit_overlap = ${overlap}
  }
  group "g" {
${task(script)}
  }
}
`;

async function ok(args: string[]): Promise<string> {
  const r = await kiln(address, args, 120_000);
  assert.equal(r.code, 0, `kiln ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `kiln job dispatch … -` with `input` on stdin. */
function dispatchStdin(args: string[], input: string): Promise<KilnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KILN_BIN, 'job', 'dispatch', ...args, '-'], { env: { ...process.env, KILN_ADDR: address } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The allocation IDs of a job, from `kiln job allocs`, once every one is complete. */
async function completedAllocs(jobId: string): Promise<string[]> {
  return eventually(async () => {
    const r = await kiln(address, ['job', 'allocs', jobId]);
    const rows = r.stdout.split('\n').slice(1).filter((l) => l.trim() !== '');
    return rows.length > 0 && rows.every((l) => /\scomplete\s/.test(l)) ? rows.map((l) => l.split(/\s+/)[0]!) : undefined;
  }, 60_000, `the allocations of ${jobId} to complete`);
}

const childIds = (statusText: string, kind: 'periodic' | 'dispatch'): string[] =>
  [...statusText.matchAll(new RegExp(`^(\\S+/${kind}-[0-9a-f-]+)\\s+(\\S+)`, 'gm'))].map((m) => m[1]!);

test('a dispatched child gets its payload in local/ and its meta as NOMAD_META_*', async () => {
  const run = await ok(['job', 'run', file('greeter.job', GREETER)]);
  assert.match(run, /Job registration successful/);
  const status = await ok(['job', 'status', 'greeter']);
  assert.match(status, /^Status\s+= running$/m);
  assert.match(status, /^Parameterized\s+= true$/m);
  assert.match(status, /No allocations placed/);

  const out = await ok(['job', 'dispatch', '-meta', 'who=world', '-meta', 'greeting=hi', 'greeter', file('input.txt', 'payload from a file\n')]);
  const childId = /^Dispatched Job ID\s+= (\S+)$/m.exec(out)?.[1];
  assert.match(childId ?? '', /^greeter\/dispatch-\d{10}-[0-9a-f]{8}$/);
  const [alloc] = await completedAllocs(childId!);
  const logs = await ok(['alloc', 'logs', alloc!]);
  assert.equal(logs, 'who=world greeting=hi team=ops\npayload from a file\n');

  const piped = await dispatchStdin(['-meta', 'who=stdin', 'greeter'], 'payload from stdin\n');
  assert.equal(piped.code, 0, piped.stderr);
  const pipedId = /^Dispatched Job ID\s+= (\S+)$/m.exec(piped.stdout)![1]!;
  const [pipedAlloc] = await completedAllocs(pipedId);
  assert.equal(await ok(['alloc', 'logs', pipedAlloc!]), 'who=stdin greeting=none team=ops\npayload from stdin\n');

  const after = await ok(['job', 'status', 'greeter']);
  assert.deepEqual(childIds(after, 'dispatch').sort(), [childId, pipedId].sort());
  assert.match(after, /Parameterized Job Summary\nPending\s+Running\s+Dead\n0\s+0\s+2/);
});

test('bad input: clear errors, nothing registered or dispatched', async () => {
  const badCron = await kiln(address, ['job', 'run', file('bad.job', periodicJob('bad-cron', '61 * * * *', 'true'))]);
  assert.equal(badCron.code, 1);
  assert.match(badCron.stderr, /bad\.job:5:5: cron "61 \* \* \* \*" is invalid/);
  const badZone = await kiln(address, ['job', 'run', file('zone.job', periodicJob('bad-zone', '@daily', 'true').replace('periodic {', 'periodic {\n    time_zone = "Atlantis/Capital"'))]);
  assert.equal(badZone.code, 1);
  assert.match(badZone.stderr, /zone\.job:5:5: time_zone "Atlantis\/Capital" is not a known IANA time zone/);
  const list = await ok(['job', 'status']);
  assert.doesNotMatch(list, /bad-cron|bad-zone/);

  await ok(['job', 'run', file('plain.job', `job "plain" {\n  datacenters = ["minipot"]\n  type = "batch"\n  group "g" {\n${task('true')}\n  }\n}\n`)]);
  const refusals: Array<[string[], RegExp]> = [
    [['job', 'dispatch', 'plain'], /job "plain" is not a parameterized job/],
    [['job', 'dispatch', 'greeter'], /requires meta "who"; add -meta who=<value>/],
    [['job', 'dispatch', '-meta', 'who=x', '-meta', 'colour=red', 'greeter'], /does not accept meta "colour"/],
    [['job', 'dispatch', '-meta', 'who=x', 'greeter', file('big.bin', Buffer.alloc(17 * 1024, 97))], /17408 bytes, more than the 16384-byte limit/],
    [['job', 'dispatch', '-meta', 'who', 'greeter'], /-meta "who" is not key=value/],
    [['job', 'periodic', 'force', 'plain'], /job "plain" is not periodic/],
  ];
  const before = childIds(await ok(['job', 'status', 'greeter']), 'dispatch');
  for (const [args, message] of refusals) {
    const r = await kiln(address, args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.deepEqual(childIds(await ok(['job', 'status', 'greeter']), 'dispatch'), before);
  assert.doesNotMatch(await ok(['job', 'status']), /plain\//);
});

test('a forced launch of a periodic job runs to completion and is listed under Previous Launches', async () => {
  const run = await ok(['job', 'run', file('yearly.job', periodicJob('yearly', '0 0 1 1 *', 'echo yearly report'))]);
  assert.match(run, /Approximate next launch time: \d{4}-01-01T/);
  await ok(['job', 'periodic', 'force', 'yearly']);
  const status = await ok(['job', 'status', 'yearly']);
  const [child] = childIds(status, 'periodic');
  assert.match(child ?? '', /^yearly\/periodic-\d{10}$/);
  const [alloc] = await completedAllocs(child!);
  assert.equal(await ok(['alloc', 'logs', alloc!]), 'yearly report\n');
  const done = await ok(['job', 'status', 'yearly']);
  assert.match(done, /^Periodic\s+= true$/m);
  assert.match(done, /Children Job Summary\nPending\s+Running\s+Dead\n0\s+0\s+1/);
  assert.match(done, new RegExp(`Previous Launches\\nID\\s+Status\\n${child!.replace('/', '\\/')}\\s+dead`));
});

test('a periodic job launches on its schedule; each child runs to completion', async () => {
  await ok(['job', 'run', file('tick.job', periodicJob('tick', '*/2 * * * * *', 'echo tick', true))]);
  const launched = await eventually(async () => {
    const ids = childIds(await ok(['job', 'status', 'tick']), 'periodic');
    return ids.length >= 2 ? ids : undefined;
  }, 60_000, 'two scheduled launches');
  await ok(['job', 'stop', 'tick']);
  for (const id of launched.slice(0, 2)) {
    const [alloc] = await completedAllocs(id);
    assert.equal(await ok(['alloc', 'logs', alloc!]), 'tick\n');
  }
  assert.match(await ok(['job', 'status', 'tick']), /^Status\s+= dead \(stopped\)$/m);
});
