import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../src/structs/index.js';
import { isAllocLive } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, mockTask, seededRandom } from './harness.js';

/** Invariants every applied plan must keep, whatever happened before. */
function checkInvariants(h: Harness, step: string): void {
  const live = [...h.allocMap.values()].filter(isAllocLive);
  const byNode = new Map<string, typeof live>();
  for (const a of live) byNode.set(a.NodeID, [...(byNode.get(a.NodeID) ?? []), a]);
  for (const [nodeId, allocs] of byNode) {
    const node = h.node(nodeId)!;
    const cpu = allocs.reduce((s, a) => s + Object.values(a.AllocatedResources.Tasks).reduce((t, r) => t + r.Cpu.CpuShares, 0), 0);
    const mem = allocs.reduce((s, a) => s + Object.values(a.AllocatedResources.Tasks).reduce((t, r) => t + r.Memory.MemoryMB, 0), 0);
    assert.ok(cpu <= node.NodeResources.Cpu.CpuShares, `${step}: cpu over capacity on ${nodeId}`);
    assert.ok(mem <= node.NodeResources.Memory.MemoryMB, `${step}: memory over capacity on ${nodeId}`);
    const ports = allocs.flatMap((a) => a.AllocatedResources.Shared.Ports.map((p) => p.Value));
    assert.equal(new Set(ports).size, ports.length, `${step}: port collision on ${nodeId}`);
  }
  for (const job of h.jobs.values()) {
    for (const tg of job.TaskGroups) {
      const mine = live.filter((a) => a.JobID === job.ID && a.TaskGroup === tg.Name);
      const count = job.Stop ? 0 : tg.Count;
      assert.ok(mine.length <= count, `${step}: ${job.ID}.${tg.Name} has ${mine.length} live allocations for count ${count}`);
      assert.equal(new Set(mine.map((a) => a.Name)).size, mine.length, `${step}: duplicate names in ${job.ID}.${tg.Name}`);
      assert.ok(mine.every((a) => h.node(a.NodeID)?.Status !== 'down'), `${step}: live allocation left on a down node`);
    }
  }
}

const jobFor = (i: number, count: number, cpu: number): Job =>
  mockJob({
    ID: `job${i}`,
    TaskGroups: [
      mockGroup({
        Count: count,
        Tasks: [mockTask({ Resources: { CPU: cpu, MemoryMB: 128 } })],
        Networks: [{ Mode: 'host', ReservedPorts: i % 3 === 0 ? [{ Label: 'fixed', Value: 9000 + i, To: 0 }] : [], DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }] }],
      }),
    ],
  });

test('random register / scale / fail / node-down sequences never over-commit, collide or over-place', () => {
  for (const seed of [1, 2, 3]) {
    const rnd = seededRandom(seed);
    const h = new Harness(seed);
    for (let n = 0; n < 8; n++) h.upsertNode(mockNode({ ID: `n${n}`, NodeResources: { ...mockNode().NodeResources, Cpu: { CpuShares: 1000 + 500 * (n % 3), TotalCpuCores: 2 }, MinDynamicPort: 20000, MaxDynamicPort: 20040 } }));
    for (let step = 0; step < 60; step++) {
      const action = Math.floor(rnd() * 5);
      const i = Math.floor(rnd() * 6);
      const id = `job${i}`;
      if (action === 0 || !h.job('default', id)) {
        h.upsertJob({ ...jobFor(i, 1 + Math.floor(rnd() * 8), 100 * (1 + Math.floor(rnd() * 4))), Version: (h.job('default', id)?.Version ?? -1) + 1 });
      } else if (action === 1) {
        h.updateJob('default', id, (j) => ({ ...j, TaskGroups: j.TaskGroups.map((g) => ({ ...g, Count: Math.floor(rnd() * 10) })) }));
      } else if (action === 2) {
        const live = h.liveAllocs(id);
        const victim = live[Math.floor(rnd() * live.length)];
        if (victim) h.updateAlloc(victim.ID, { ClientStatus: 'failed', ModifyTime: h.now * 1e6 });
      } else if (action === 3) {
        const node = h.node(`n${Math.floor(rnd() * 8)}`)!;
        h.upsertNode({ ...node, Status: node.Status === 'down' ? 'ready' : 'down' });
        for (const job of h.jobs.values()) h.schedule(job.ID, { TriggeredBy: 'node-update', NodeID: node.ID });
      } else {
        h.updateJob('default', id, (j) => ({ ...j, Stop: !j.Stop }));
      }
      h.now += 60_000; // past every reschedule delay used here
      h.schedule(id);
      checkInvariants(h, `seed ${seed} step ${step}`);
    }
    const statuses = new Set([...h.allocMap.values()].map((a) => `${a.DesiredStatus}/${a.ClientStatus}`));
    assert.ok(h.allocMap.size > 20, `seed ${seed}: ${h.allocMap.size} allocations`);
    assert.ok(statuses.has("stop/lost") && statuses.has("stop/failed") && statuses.has("run/pending"), `seed ${seed}: ${[...statuses].join(" ")}`);
  }
});
