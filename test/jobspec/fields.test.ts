import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile } from '../../src/jobspec/index.js';
import { readFixture } from './fixtures.js';

test('a raw_exec job with a static and a dynamic port, policies, checks and constraints', async () => {
  const { job, warnings } = await parseJobFile(readFixture('raw-exec-ports.job'), { filename: 'echo.job' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(job.Datacenters, ['dc1', 'dc2']);
  assert.equal(job.Priority, 70);
  assert.deepEqual(job.Meta, { owner: 'platform' });
  assert.deepEqual(job.Constraints, [
    { LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' },
    { LTarget: '', RTarget: 'true', Operand: 'distinct_hosts' },
  ]);
  const group = job.TaskGroups[0]!;
  assert.equal(group.Count, 3);
  assert.deepEqual(group.Networks, [
    {
      Mode: 'host',
      ReservedPorts: [{ Label: 'admin', Value: 9090, To: 0 }],
      DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }],
    },
  ]);
  assert.deepEqual(group.RestartPolicy, { Attempts: 5, Interval: 30 * 60e9, Delay: 90e9, Mode: 'fail' });
  assert.deepEqual(group.ReschedulePolicy, {
    Attempts: 2, Interval: 3600e9, Delay: 10e9, DelayFunction: 'constant', MaxDelay: 3600e9, Unlimited: false,
  });
  const service = group.Services[0]!;
  assert.equal(service.Name, 'echo-server-api');
  assert.equal(service.PortLabel, 'admin');
  assert.deepEqual(service.Checks[0], {
    Name: 'service: "echo-server-api" check',
    Type: 'http',
    Interval: 250e6,
    Timeout: 1e9,
    Path: '/health',
    Method: 'GET',
    Header: { 'X-Probe': ['kiln'] },
    CheckRestart: { Limit: 3, Grace: 30e9, IgnoreWarnings: false },
  });
  const task = group.Tasks[0]!;
  assert.equal(task.Driver, 'raw_exec');
  assert.deepEqual(task.Config['args'], ['server.js', '--port', '${NOMAD_PORT_http}', '--admin', '${NOMAD_PORT_admin}']);
  assert.deepEqual(task.Env, { LISTEN: '${NOMAD_ADDR_http}', NODE: '${node.unique.name}' });
  assert.deepEqual(task.Resources, { CPU: 250, MemoryMB: 128 });
  assert.equal(task.KillTimeout, 20e9);
  assert.equal(task.KillSignal, 'SIGTERM');
  assert.deepEqual(task.LogConfig, { MaxFiles: 3, MaxFileSizeMB: 5 });
});

test('a batch job gets Nomad batch defaults', async () => {
  const { job } = await parseJobFile(readFixture('batch-defaults.job'), { filename: 'b.job' });
  assert.equal(job.Type, 'batch');
  assert.deepEqual(job.Datacenters, ['*']);
  assert.equal(job.Priority, 50);
  assert.equal(job.Region, 'global');
  assert.equal(job.Namespace, 'default');
  const group = job.TaskGroups[0]!;
  assert.equal(group.Count, 1);
  assert.deepEqual(group.Networks, []);
  assert.deepEqual(group.RestartPolicy, { Attempts: 3, Interval: 24 * 3600e9, Delay: 15e9, Mode: 'fail' });
  assert.deepEqual(group.ReschedulePolicy, {
    Attempts: 1, Interval: 24 * 3600e9, Delay: 5e9, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false,
  });
  const task = group.Tasks[0]!;
  assert.deepEqual(task.Resources, { CPU: 100, MemoryMB: 300 });
  assert.equal(task.KillTimeout, 5e9);
  assert.equal(task.KillSignal, 'SIGINT');
  assert.deepEqual(task.LogConfig, { MaxFiles: 10, MaxFileSizeMB: 10 });
});

test('a service job gets Nomad service defaults; partial policies keep the other defaults', async () => {
  const text = readFixture('batch-defaults.job')
    .replace('type = "batch"', 'type = "service"')
    .replace('group "run" {', 'group "run" {\n    restart { attempts = 0 }\n    reschedule { max_delay = "2h" }');
  const { job } = await parseJobFile(text, { filename: 's.job' });
  const group = job.TaskGroups[0]!;
  assert.deepEqual(group.RestartPolicy, { Attempts: 0, Interval: 30 * 60e9, Delay: 15e9, Mode: 'fail' });
  assert.deepEqual(group.ReschedulePolicy, {
    Attempts: 0, Interval: 0, Delay: 30e9, DelayFunction: 'exponential', MaxDelay: 7200e9, Unlimited: true,
  });
});

test('meta, env and config may be written as blocks or as maps; constraint shorthands work', async () => {
  const text = `
job "m" {
  meta = { team = "a" }
  group "g" {
    meta { tier = 2 }
    constraint {
      attribute = "\${attr.cpu.arch}"
      regexp    = "amd64|arm64"
    }
    task "t" {
      driver = "raw_exec"
      env = { A = "1" }
      config = { command = "/bin/sleep", args = ["1"] }
      constraint {
        attribute = "\${meta.ssd}"
        operator  = "is_set"
      }
    }
  }
}`;
  const { job } = await parseJobFile(text, { filename: 'm.job' });
  assert.deepEqual(job.Meta, { team: 'a' });
  const group = job.TaskGroups[0]!;
  assert.deepEqual(group.Meta, { tier: '2' });
  assert.deepEqual(group.Constraints, [{ LTarget: '${attr.cpu.arch}', RTarget: 'amd64|arm64', Operand: 'regexp' }]);
  const task = group.Tasks[0]!;
  assert.deepEqual(task.Env, { A: '1' });
  assert.deepEqual(task.Config, { command: '/bin/sleep', args: ['1'] });
  assert.deepEqual(task.Constraints, [{ LTarget: '${meta.ssd}', RTarget: '', Operand: 'is_set' }]);
});
