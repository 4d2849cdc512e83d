import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sep } from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { KILN_BIN } from '../support/agent-process.js';
import { loadedModules } from './loaded-modules.js';

// Packages only some commands need (the registry server, TLS, images, cron): never loaded for help or version.
const HEAVY = ['fastify', 'node-forge', 'semver', 'ws', 'cron-parser', 'tar-stream'];
const COMMAND_DIR = `${sep}dist${sep}src${sep}cli${sep}commands${sep}`;
// The command table itself: specs, their flag helper and the table.
const TABLE = /commands[\\/](index|legacy-aliases|image-flags)\.js$|commands[\\/]specs[\\/]/;

const API_DIR = `${sep}dist${sep}src${sep}api${sep}`;

const heavyLoaded = (files: string[]) => HEAVY.filter((pkg) => files.some((f) => f.includes(`${sep}node_modules${sep}${pkg}${sep}`)));
const commandModules = (files: string[]) => files.filter((f) => f.includes(COMMAND_DIR) && !TABLE.test(f)).map((f) => f.slice(f.indexOf(COMMAND_DIR) + COMMAND_DIR.length));

test('kiln version loads its own command module and no other command, API client or heavy package', async () => {
  const r = await loadedModules([KILN_BIN, 'version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^kiln v\d+\.\d+\.\d+/);
  assert.deepEqual(commandModules(r.files), ['version.js']);
  assert.deepEqual(heavyLoaded(r.files), []);
  assert.deepEqual(r.files.filter((f) => f.includes(API_DIR)), [], 'version is offline: no API client');
});

test('kiln --help lists the commands without loading any command module', async () => {
  const r = await loadedModules([KILN_BIN, '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /job\s+Submit, inspect and stop jobs/);
  assert.ok(r.files.some((f) => f.endsWith(`commands${sep}specs${sep}job.js`)), 'the hook saw the command table load');
  assert.deepEqual(commandModules(r.files), []);
  assert.deepEqual(heavyLoaded(r.files), []);
  assert.deepEqual(r.files.filter((f) => f.includes(API_DIR)), []);
});

test('kiln job status loads the API client (the check above would notice a moved directory)', async () => {
  const r = await loadedModules([KILN_BIN, 'job', 'status', '-address', 'http://127.0.0.1:9']);
  assert.equal(r.status, 1);
  assert.ok(r.files.some((f) => f.includes(API_DIR)), 'job status loads src/api');
  assert.ok(commandModules(r.files).includes('job-status.js'));
});

test('the module behind each table entry is the command the entry describes', async () => {
  for (const def of COMMANDS) {
    const loaded = await def.load();
    const name = def.path.join(' ');
    // Legacy aliases (`kiln run`) load `kiln job run`: same words after the noun.
    assert.deepEqual(loaded.path.slice(-def.path.length), [...def.path], `${name} loads ${loaded.path.join(' ')}`);
    assert.deepEqual([...loaded.flags], [...def.flags], `${name}: flags differ from its module`);
    assert.deepEqual([...loaded.args], [...def.args], `${name}: arguments differ from its module`);
    if (!def.hidden) assert.equal(loaded.summary, def.summary, `${name}: summary differs from its module`);
  }
});
