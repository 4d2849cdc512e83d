import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateValue, parseJobFile, taskEnvironment } from '../../src/jobspec/index.js';
import type { Allocation } from '../../src/structs/allocation.js';
import type { Job } from '../../src/structs/job.js';
import type { Node } from '../../src/structs/node.js';
import { readFixture } from './fixtures.js';

const node: Node = {
  ID: 'node-1', Name: 'alpha', Datacenter: 'dc1', NodeClass: 'web', NodePool: 'default',
  Address: '10.0.0.5', HTTPAddr: '10.0.0.5:4646',
  Attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64' }, Meta: { rack: 'r1' }, Drivers: {},
  NodeResources: { Cpu: { CpuShares: 4000, TotalCpuCores: 4 }, Memory: { MemoryMB: 8192 }, Disk: { DiskMB: 1 }, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
  ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } },
  Status: 'ready', StatusDescription: '', StatusUpdatedAt: 0, SchedulingEligibility: 'eligible', Drain: false,
  Version: '0.1.0', CreateIndex: 1, ModifyIndex: 1,
};

function allocFor(job: Job, ports: Allocation['AllocatedResources']['Shared']['Ports']): Allocation {
  return {
    ID: '11111111-2222-3333-4444-555555555555', EvalID: 'e', Name: `${job.ID}.${job.TaskGroups[0]!.Name}[2]`,
    Namespace: 'default', NodeID: node.ID, NodeName: node.Name, JobID: job.ID, JobVersion: 0,
    TaskGroup: job.TaskGroups[0]!.Name, AllocatedResources: { Tasks: {}, Shared: { Ports: ports } },
    DesiredStatus: 'run', DesiredDescription: '', ClientStatus: 'pending', ClientDescription: '', TaskStates: {},
    CreateIndex: 1, ModifyIndex: 1, AllocModifyIndex: 1, CreateTime: 0, ModifyTime: 0,
  };
}

test('raw_exec: NOMAD_PORT is the host port, runtime variables and env are filled in', async () => {
  const { job } = await parseJobFile(readFixture('raw-exec-ports.job'), { filename: 'echo.job' });
  const group = job.TaskGroups[0]!;
  const task = group.Tasks[0]!;
  const alloc = allocFor(job, [
    { Label: 'admin', Value: 9090, To: 0, HostIP: '10.0.0.5' },
    { Label: 'http', Value: 23456, To: 8080, HostIP: '10.0.0.5' },
  ]);
  const env = taskEnvironment({ job, group, task, alloc, node, dirs: { allocDir: '/a', taskDir: '/a/server/local', secretsDir: '/s' } });
  assert.equal(env['NOMAD_ALLOC_ID'], alloc.ID);
  assert.equal(env['NOMAD_SHORT_ALLOC_ID'], '11111111');
  assert.equal(env['NOMAD_SECRETS_DIR'], '/s');
  assert.equal(env['NOMAD_HOST_ADDR_http'], '10.0.0.5:23456');
  assert.equal(env['NOMAD_HOST_IP_http'], '10.0.0.5');
  assert.equal(env['NOMAD_ALLOC_INDEX'], '2');
  assert.equal(env['NOMAD_ALLOC_NAME'], 'echo-server.api[2]');
  assert.equal(env['NOMAD_JOB_ID'], 'echo-server');
  assert.equal(env['NOMAD_JOB_NAME'], 'echo-server');
  assert.equal(env['NOMAD_GROUP_NAME'], 'api');
  assert.equal(env['NOMAD_TASK_NAME'], 'server');
  assert.equal(env['NOMAD_DC'], 'dc1');
  assert.equal(env['NOMAD_REGION'], 'global');
  assert.equal(env['NOMAD_NAMESPACE'], 'default');
  assert.equal(env['NOMAD_CPU_LIMIT'], '250');
  assert.equal(env['NOMAD_MEMORY_LIMIT'], '128');
  assert.equal(env['NOMAD_ALLOC_DIR'], '/a');
  assert.equal(env['NOMAD_TASK_DIR'], '/a/server/local');
  assert.equal(env['NOMAD_META_owner'], 'platform');
  assert.equal(env['NOMAD_META_OWNER'], 'platform');
  assert.equal(env['NOMAD_PORT_http'], '23456');
  assert.equal(env['NOMAD_HOST_PORT_http'], '23456');
  assert.equal(env['NOMAD_IP_http'], '10.0.0.5');
  assert.equal(env['NOMAD_ADDR_http'], '10.0.0.5:23456');
  assert.equal(env['NOMAD_PORT_admin'], '9090');
  assert.equal(env['KILN_PORT_http'], '23456');
  assert.equal(env['KILN_ALLOC_ID'], alloc.ID);
  assert.equal(env['LISTEN'], '10.0.0.5:23456');
  assert.equal(env['NODE'], 'alpha');
  const args = interpolateValue(task.Config['args'], env, node);
  assert.deepEqual(args, ['server.js', '--port', '23456', '--admin', '9090']);
});

test('pot: NOMAD_PORT is the port inside the jail when "to" is set', async () => {
  const { job } = await parseJobFile(readFixture('nginx-minipot.job'), { filename: 'n.job' });
  const group = job.TaskGroups[0]!;
  const task = group.Tasks[0]!;
  const alloc = allocFor(job, [{ Label: 'http', Value: 24000, To: 80, HostIP: '' }]);
  const env = taskEnvironment({ job, group, task, alloc, node });
  assert.equal(env['NOMAD_PORT_http'], '80');
  assert.equal(env['NOMAD_ALLOC_PORT_http'], '80');
  assert.equal(env['NOMAD_HOST_PORT_http'], '24000');
  assert.equal(env['NOMAD_IP_http'], '10.0.0.5', 'falls back to the node address');
  assert.equal(env['NOMAD_ADDR_http'], '10.0.0.5:24000');
  assert.equal(env['NOMAD_ALLOC_INDEX'], '2');
  assert.equal(env['NOMAD_ALLOC_DIR'], undefined, 'no dirs given');
});

test('interpolateValue walks maps and lists, resolves node variables, keeps unknown names and escapes', () => {
  const vars = { NOMAD_PORT_http: '8080', NOMAD_ALLOC_ID: 'abc' };
  const value = {
    a: '${NOMAD_PORT_http}',
    b: ['x-${env.NOMAD_ALLOC_ID}', '${env["NOMAD_PORT_http"]}', 7, true],
    c: { d: '${node.unique.name}/${attr.kernel.name}/${meta.rack}/${node.datacenter}' },
    e: '${NOMAD_UNKNOWN} ${attr.missing}',
    f: '$${NOMAD_PORT_http}',
  };
  assert.deepEqual(interpolateValue(value, vars, node), {
    a: '8080',
    b: ['x-abc', '8080', 7, true],
    c: { d: 'alpha/linux/r1/dc1' },
    e: '${NOMAD_UNKNOWN} ${attr.missing}',
    f: '${NOMAD_PORT_http}',
  });
});
