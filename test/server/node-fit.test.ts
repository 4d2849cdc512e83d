import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNodeFit } from '../../src/server/leader/node-fit.js';
import type { Allocation, Node } from '../../src/structs/index.js';

const node = (over: Partial<Node> = {}): Node =>
  ({
    ID: 'n1',
    Name: 'n1',
    Status: 'ready',
    NodeResources: { Cpu: { CpuShares: 1000, TotalCpuCores: 1 }, Memory: { MemoryMB: 1024 }, Disk: { DiskMB: 0 }, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
    ReservedResources: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 24 } },
    ...over,
  }) as Node;

const alloc = (id: string, cpu: number, mem: number, ports: number[] = [], over: Partial<Allocation> = {}): Allocation =>
  ({
    ID: id,
    NodeID: 'n1',
    DesiredStatus: 'run',
    ClientStatus: 'running',
    AllocatedResources: { Tasks: { t: { Cpu: { CpuShares: cpu }, Memory: { MemoryMB: mem } } }, Shared: { Ports: ports.map((p) => ({ Label: `p${p}`, Value: p, To: 0, HostIP: '127.0.0.1' })) } },
    ...over,
  }) as Allocation;

test('fits while cpu and memory stay within capacity minus reserved', () => {
  assert.equal(checkNodeFit(node(), [alloc('a', 400, 500)], [alloc('b', 500, 500)], new Set()).fits, true);
  const cpu = checkNodeFit(node(), [alloc('a', 400, 500)], [alloc('b', 501, 100)], new Set());
  assert.equal(cpu.fits, false);
  assert.match(cpu.reason ?? '', /cpu 901\/900/);
  const mem = checkNodeFit(node(), [alloc('a', 10, 500)], [alloc('b', 10, 501)], new Set());
  assert.equal(mem.fits, false);
  assert.match(mem.reason ?? '', /memory/);
});

test('allocations being stopped or replaced, and terminal ones, free their resources', () => {
  const existing = [alloc('a', 800, 900), alloc('gone', 800, 900, [], { ClientStatus: 'complete' })];
  assert.equal(checkNodeFit(node(), existing, [alloc('b', 800, 900)], new Set()).fits, false);
  assert.equal(checkNodeFit(node(), existing, [alloc('b', 800, 900)], new Set(['a'])).fits, true);
  // An in-place update of `a` itself does not count twice.
  assert.equal(checkNodeFit(node(), existing, [alloc('a', 850, 900)], new Set(['a'])).fits, true);
});

test('host port collisions are rejected, with existing and within the plan', () => {
  assert.equal(checkNodeFit(node(), [alloc('a', 1, 1, [20001])], [alloc('b', 1, 1, [20002])], new Set()).fits, true);
  const clash = checkNodeFit(node(), [alloc('a', 1, 1, [20001])], [alloc('b', 1, 1, [20001])], new Set());
  assert.equal(clash.fits, false);
  assert.match(clash.reason ?? '', /port 20001/);
  assert.equal(checkNodeFit(node(), [], [alloc('b', 1, 1, [8080]), alloc('c', 1, 1, [8080])], new Set()).fits, false);
});

test('missing and not-ready nodes take nothing', () => {
  assert.equal(checkNodeFit(undefined, [], [alloc('b', 1, 1)], new Set()).fits, false);
  assert.match(checkNodeFit(node({ Status: 'down' }), [], [alloc('b', 1, 1)], new Set()).reason ?? '', /down/);
});
