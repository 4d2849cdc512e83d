import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { KilnClient } from '../../src/api/index.js';
import { Heartbeater } from '../../src/client/heartbeat.js';
import { ThreadedHeartbeater } from '../../src/client/heartbeat-thread.js';
import type { Node } from '../../src/structs/index.js';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { nodeJson } from '../server/helpers.js';
import { soloServerHcl, startConfigAgent, writeConfig } from './procs.js';

const tmp = tempDir('kiln-hb-thread-');
after(tmp.cleanup);

/** Polls the node's status from a thread of its own (the test's main thread is blocked on purpose) and remembers whether it was ever down. */
function watchForDown(address: string, nodeId: string): { everDown: () => boolean; stop: () => Promise<number> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const flag = workerData.flag;
     setInterval(async () => {
       try {
         const n = await (await fetch('http://' + workerData.address + '/v1/node/' + workerData.nodeId)).json();
         if (n.Status === 'down') Atomics.store(flag, 0, 1);
       } catch {}
     }, 100);`,
    { eval: true, workerData: { address, nodeId, flag } },
  );
  return { everDown: () => Atomics.load(flag, 0) === 1, stop: () => worker.terminate() };
}

/** Block this thread's event loop, like a client busy with CPU-bound work. */
const blockMainThread = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

test('heartbeats from the worker thread keep a node ready while the main thread is blocked; in-thread heartbeats do not', async () => {
  // TTL 1-2 s, grace 1 s: three seconds of silence is enough to be declared down.
  const server = await startConfigAgent(writeConfig(tmp.dir, 'server', await soloServerHcl(tmp.dir, 'server', '  min_heartbeat_ttl = "1s"\n  heartbeat_grace = "1s"\n')));
  try {
    const threaded = nodeJson({ name: 'busy-threaded' }) as Node;
    const hb = new ThreadedHeartbeater({ addresses: [`http://${server.address}`] }, () => threaded);
    hb.start();
    await hb.registered;
    const watchThreaded = watchForDown(server.address, threaded.ID);
    blockMainThread(5_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const threadedDown = watchThreaded.everDown();
    await watchThreaded.stop();
    await hb.stop();
    assert.equal(threadedDown, false, 'the node heartbeating from its own thread was never down');

    // The control: the same block with heartbeats on the main loop marks the node down.
    const inline = nodeJson({ name: 'busy-inline' }) as Node;
    const plain = new Heartbeater(new KilnClient({ address: server.address }), () => inline);
    plain.start();
    await plain.registered;
    const watchInline = watchForDown(server.address, inline.ID);
    blockMainThread(5_000);
    await eventually(() => watchInline.everDown() || undefined, 10_000, 'the in-thread node to be seen down');
    await watchInline.stop();
    await plain.stop();
  } finally {
    await server.kill9();
  }
});

test('a heartbeat thread that dies is started again, so the node stays ready', async () => {
  const server = await startConfigAgent(writeConfig(tmp.dir, 'server2', await soloServerHcl(tmp.dir, 'server2', '  min_heartbeat_ttl = "1s"\n  heartbeat_grace = "1s"\n')));
  try {
    const node = nodeJson({ name: 'crashing-thread' }) as Node;
    const errors: string[] = [];
    const hb = new ThreadedHeartbeater({ addresses: [`http://${server.address}`] }, () => node, { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) });
    hb.start();
    await hb.registered;
    const watch = watchForDown(server.address, node.ID);
    await (hb as unknown as { worker: Worker }).worker.terminate();
    await eventually(() => errors.find((e) => /starting it again/.test(e)), 5_000, 'the restart to be logged');
    // Well past TTL + grace (2-3 s) after the crash.
    await new Promise((r) => setTimeout(r, 5_000));
    const wasDown = watch.everDown();
    await watch.stop();
    await hb.stop();
    assert.equal(wasDown, false, `the node was never down\n${errors.join('\n')}`);
  } finally {
    await server.kill9();
  }
});
