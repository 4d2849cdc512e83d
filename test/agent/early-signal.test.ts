/**
 * Ctrl-C while `kiln agent -dev` is still starting: the agent finishes
 * starting, then stops cleanly (exit 0, its jail network removed); a
 * SIGINT used to be swallowed until the start was over and the agent ran on.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KILN_BIN, privateJailNetwork } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

test('SIGINT before the agent has started stops it once it is up: exit 0, nothing of its jail network left', async () => {
  const tmp = tempDir('kiln-early-sig-');
  const net = privateJailNetwork();
  const config = join(tmp.dir, 'net.hcl');
  writeFileSync(config, `client {\n  jail_network {\n    bridge = "${net.bridge}"\n    subnet = "${net.subnet}"\n    chain_prefix = "${net.chainPrefix}"\n    cgroup_parent = "${net.cgroupParent}"\n  }\n}\n`);
  const child = spawn(process.execPath, [KILN_BIN, 'agent', '-dev', '-data-dir', join(tmp.dir, 'data'), '-http-port', '0', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // The configuration table is printed before any role starts: the signal lands mid-start.
    while (!out.includes('ACLs:')) await new Promise((r) => setTimeout(r, 10));
    assert.ok(!out.includes('kiln agent started'), 'the signal is sent before the agent is up');
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 90_000)))]);
    clearTimeout(timer);
    assert.equal(code, 0, `the agent exits cleanly after an early SIGINT; it printed:\n${out}`);
    assert.match(out, /caught SIGINT, stopping the agent/);
    assert.match(out, /kiln agent stopped/);
    assert.doesNotMatch(spawnSync('ip', ['-br', 'link'], { encoding: 'utf8' }).stdout, new RegExp(`^${net.bridge}\\b`, 'm'), 'the bridge is gone');
    assert.doesNotMatch(spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout, new RegExp(net.chainPrefix), 'its iptables chains are gone');
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    tmp.cleanup();
  }
});
