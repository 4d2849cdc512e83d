import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { KilnClient } from '../../src/api/index.js';
import { ClientAgent } from '../../src/client/index.js';
import { ClientStateDb } from '../../src/client/state-db.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import type { Allocation } from '../../src/structs/index.js';
import { api, jobJson, startServer, waitFor } from '../server/helpers.js';
import type { TestServer } from '../server/helpers.js';
import { killTasksUnder, tempDataDir } from './fixtures.js';
import { taskPidOf } from '../drivers/helpers.js';

// The client against a real server over real HTTP: outages do not touch tasks,
// a plain agent stop leaves them running, a new agent re-attaches.

const data = tempDataDir();
let server: TestServer | undefined;
const agents: ClientAgent[] = [];
after(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await server?.close();
  killTasksUnder(data.dir);
  data.cleanup();
});

const allocsOf = async (base: string, job: string): Promise<Allocation[]> => (await api<Allocation[]>(base, 'GET', `/v1/job/${job}/allocations`)).body;

async function newAgent(base: string): Promise<ClientAgent> {
  const agent = await ClientAgent.create({ dataDir: data.dir, api: new KilnClient({ address: base, timeoutMs: 2000 }), drivers: createDefaultDrivers(), datacenter: 'dc1', watchWaitMs: 1000 });
  agents.push(agent);
  agent.start();
  return agent;
}

const taskPid = async (allocId: string): Promise<number> => {
  const entry = new ClientStateDb(data.dir).loadAll().find((e) => e.alloc.ID === allocId);
  return taskPidOf(entry?.tasks.server?.handle?.state ?? {});
};

test('tasks survive a server outage and an agent restart; the job stop then kills them', async () => {
  server = await startServer();
  const base = server.base;
  const port = Number(base.split(':')[2]);
  const first = await newAgent(base);
  assert.equal((await api(base, 'POST', '/v1/jobs', { Job: jobJson('sleeper', { args: ['600'] }) })).status, 200);
  const alloc = await waitFor('alloc running', async () => (await allocsOf(base, 'sleeper')).find((a) => a.ClientStatus === 'running'), 20_000);
  const pid = await taskPid(alloc.ID);
  process.kill(pid, 0);

  // Servers gone for a while: the task keeps running.
  await server.stop();
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(pid, 0);

  // Plain agent stop (not dev mode) leaves the task; the server comes back on the same port.
  await first.stop();
  process.kill(pid, 0);
  server = await startServer({ port }, server.dir);
  const second = await newAgent(base);
  assert.equal(second.nodeId, first.nodeId, 'node ID kept across restarts');
  await waitFor('re-attached alloc reported', () => second.allocRunner(alloc.ID)?.clientStatus() === 'running', 20_000);
  const events = second.allocRunner(alloc.ID)!.taskStates().server!.Events.map((e) => e.Type);
  assert.equal(events.filter((t) => t === 'Started').length, 1, `no restart: ${events.join(', ')}`);
  assert.equal(await taskPid(alloc.ID), pid);

  assert.equal((await api(base, 'DELETE', '/v1/job/sleeper')).status, 200);
  await waitFor('alloc complete on the server', async () => (await allocsOf(base, 'sleeper')).find((a) => a.ID === alloc.ID && a.ClientStatus === 'complete'), 20_000);
  assert.throws(() => process.kill(pid, 0), 'task gone after job stop');
  const final = (await allocsOf(base, 'sleeper')).find((a) => a.ID === alloc.ID)!;
  assert.deepEqual(final.TaskStates.server!.Events.slice(-3).map((e) => e.Type), ['Killing', 'Terminated', 'Killed']);
});
