import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultUnitDir, installPlan, systemdUnit } from '../../src/agent/install.js';
import { kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-install-');
after(tmp.cleanup);

const base = { nodePath: '/usr/bin/node', kilnBin: '/opt/kiln/bin/kiln.js', configPath: '/etc/kiln/agent.hcl', roles: ['server'] };

test('the unit runs the agent with its config, stops it with SIGTERM and leaves its tasks alone', () => {
  const unit = systemdUnit({ ...base, user: false });
  for (const line of [
    'Type=simple',
    'ExecStart=/usr/bin/node /opt/kiln/bin/kiln.js agent -config /etc/kiln/agent.hcl',
    'KillSignal=SIGTERM',
    'ExecReload=/bin/kill -HUP $MAINPID',
    'KillMode=process',
    'Restart=on-failure',
    'LimitNOFILE=65536',
    'After=network-online.target',
    'Wants=network-online.target',
    'WantedBy=multi-user.target',
    'Delegate=yes',
  ]) {
    assert.ok(unit.split('\n').includes(line), `unit has ${line}\n${unit}`);
  }
  const user = systemdUnit({ ...base, user: true });
  assert.match(user, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(user, /Delegate/);
  assert.match(systemdUnit({ ...base, configPath: '/etc/my kiln/agent.hcl', user: false }), /-config "\/etc\/my kiln\/agent\.hcl"$/m, 'paths with spaces are quoted');
});

test('units go to /etc/systemd/system, or the user unit directory with -user', () => {
  assert.equal(defaultUnitDir(false), '/etc/systemd/system');
  assert.equal(defaultUnitDir(true, '/home/ops'), '/home/ops/.config/systemd/user');
  assert.equal(installPlan({ ...base, user: true, unitDir: '/tmp/u' }).unitPath, '/tmp/u/kiln.service');
  assert.deepEqual(installPlan({ ...base, user: true }).next.slice(0, 2), ['systemctl --user daemon-reload', 'systemctl --user enable --now kiln']);
});

test('kiln agent install validates the config, prints with -dry-run and writes the unit into -unit-dir', async () => {
  const config = join(tmp.dir, 'client.hcl');
  writeFileSync(config, 'client {\n  enabled = true\n  servers = ["10.0.0.1:4646", "10.0.0.2:4646"]\n  drain_on_shutdown = true\n}\n');
  const unitDir = join(tmp.dir, 'units');

  const dry = await kiln('http://127.0.0.1:1', ['agent', 'install', '-config', config, '-unit-dir', unitDir, '-dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`agent -config ${config.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(dry.stdout, /Description=kiln agent \(client\)/);
  assert.equal(existsSync(unitDir), false, '-dry-run writes nothing');

  const real = await kiln('http://127.0.0.1:1', ['agent', 'install', '-config', config, '-unit-dir', unitDir]);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /Wrote .*kiln\.service \(roles: client\)/);
  assert.match(readFileSync(join(unitDir, 'kiln.service'), 'utf8'), /^KillSignal=SIGTERM$/m);

  const bad = join(tmp.dir, 'bad.hcl');
  writeFileSync(bad, 'client {\n  enabled = true\n  drain_on_shutdown = "yes"\n}\n');
  const refused = await kiln('http://127.0.0.1:1', ['agent', 'install', '-config', bad, '-unit-dir', join(tmp.dir, 'never')]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /client\.drain_on_shutdown/);
  assert.equal(existsSync(join(tmp.dir, 'never')), false, 'nothing is written for a bad config');

  const missing = await kiln('http://127.0.0.1:1', ['agent', 'install', '-dry-run']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /needs -config/);
});
