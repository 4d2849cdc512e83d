/**
 * Two agents on one jail network (a user's ./minipot and a second `kiln agent -dev`): the
 * second one's Ctrl-C must not take the bridge from under the first one's jails, and an
 * agent whose bridge went away while it had no jails sets it up again for its next jail.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { JailNetwork } from '../../../src/drivers/pot/net/index.js';
import { requireJailHost } from './helpers.js';
import { tempDir } from '../../support/tmp.js';

requireJailHost();
const hex = randomBytes(3).toString('hex');
const opts = { bridge: `ksb${hex}`, subnet: `10.253.${randomBytes(1)[0]}.0/24`, chainPrefix: `KSB${hex}` };
const dirs = [tempDir('kiln-shared-a-'), tempDir('kiln-shared-b-')];
const first = new JailNetwork({ ...opts, stateDir: dirs[0]!.dir });
const second = new JailNetwork({ ...opts, stateDir: dirs[1]!.dir });
const bridgeExists = (): boolean => existsSync(`/sys/class/net/${opts.bridge}`);
const chainExists = (): boolean => spawnSync('iptables', ['-t', 'nat', '-S', `${opts.chainPrefix}-PREROUTING`]).status === 0;

after(async () => {
  for (const id of ['a/web', 'a/web2']) await first.detach(id).catch(() => undefined);
  await first.removeNode().catch(() => undefined);
  for (const d of dirs) d.cleanup();
});

test("another agent's removeNode leaves a bridge that still carries jails", async () => {
  const state = await first.attach('a/web', [{ label: 'http', hostPort: 20001, jailPort: 80 }]);
  await assert.rejects(second.removeNode(), (err: Error) => /still carries 1 jail link\(s\) of another agent/.test(err.message));
  assert.ok(bridgeExists(), 'the bridge stays');
  assert.ok(chainExists(), 'the chains stay');
  await first.detach('a/web', state);
});

test('a bridge removed behind an agent is set up again for its next jail', async () => {
  await second.removeNode(); // no jails left anywhere: the other agent's Ctrl-C removes the network
  assert.equal(bridgeExists(), false);
  const state = await first.attach('a/web2', []);
  assert.ok(bridgeExists(), 'the bridge is back');
  assert.ok(chainExists(), 'the chains are back');
  await first.detach('a/web2', state);
  await first.removeNode();
  assert.equal(bridgeExists(), false);
  assert.equal(chainExists(), false);
});
