import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuMhz, fingerprintNode, hostAttributes, loadOrCreateNodeId, osName } from '../../src/client/fingerprint.js';
import type { HostFacts } from '../../src/client/fingerprint.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import { tempDataDir } from './fixtures.js';

const fakeHost = (files: Record<string, string>): HostFacts => ({
  readFile: (p) => files[p],
  hostname: () => 'box1',
  arch: () => 'x64',
  release: () => '6.1.0-test',
  cpuCount: () => 2,
  totalMemBytes: () => 4 * 1024 ** 3,
});

test('parses os-release and cpuinfo, falling back to 1000 MHz per core', () => {
  assert.equal(osName('PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'), 'debian');
  assert.equal(osName(undefined), 'unknown');
  assert.equal(cpuMhz('processor : 0\ncpu MHz\t\t: 2596.136\n'), 2596);
  assert.equal(cpuMhz('processor : 0\n'), 1000);
  const attrs = hostAttributes(fakeHost({ '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }), '10.0.0.5');
  assert.equal(attrs['cpu.totalcompute'], '2000');
  assert.equal(attrs['os.name'], 'debian');
  assert.equal(attrs['os.version'], '12');
  assert.equal(attrs['unique.network.ip-address'], '10.0.0.5');
  assert.equal(attrs['memory.totalbytes'], String(4 * 1024 ** 3));
});

test('the node ID persists across restarts; the node carries driver fingerprints and resources', async (t) => {
  const data = tempDataDir();
  t.after(data.cleanup);
  const id = loadOrCreateNodeId(data.dir);
  assert.equal(loadOrCreateNodeId(data.dir), id);
  const node = await fingerprintNode({ nodeId: id, datacenter: 'minipot', address: '127.0.0.1', httpAddr: '127.0.0.1:4646', drivers: createDefaultDrivers(), host: fakeHost({}) });
  assert.equal(node.ID, id);
  assert.equal(node.Name, 'box1');
  assert.equal(node.Drivers.raw_exec?.Detected, true);
  assert.equal(node.Attributes['driver.raw_exec'], '1');
  assert.equal(node.Attributes['kernel.name'], 'linux');
  assert.deepEqual([node.NodeResources.MinDynamicPort, node.NodeResources.MaxDynamicPort], [20000, 32000]);
  assert.equal(node.NodeResources.Cpu.CpuShares, 2000);
  assert.equal(node.NodeResources.Memory.MemoryMB, 4096);
});
