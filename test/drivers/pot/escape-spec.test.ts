/** The hardening parts of the jail spec and network rules, as pure data (the escape test runs them for real). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJailSpec, DEFAULT_CAPABILITIES } from '../../../src/drivers/pot/oci-spec.js';
import type { jailSeccompProfile } from '../../../src/drivers/pot/seccomp.js';
import { DENIED_SYSCALLS } from '../../../src/drivers/pot/seccomp.js';
import { chainsFor, nodeAccessRule, nodeGuardJump, nodeGuardRules } from '../../../src/drivers/pot/net/rules.js';

const spec = buildJailSpec({
  rootfs: '/r',
  args: ['/bin/sh'],
  env: {},
  hostname: 'h',
  memoryMB: 64,
  cpuMHz: 100,
  pidsLimit: 4096,
  cgroupsPath: '/kiln/x',
  binds: [],
  tmpfsTmp: true,
}) as { process: { capabilities: Record<string, string[]>; noNewPrivileges: boolean }; linux: { seccomp: ReturnType<typeof jailSeccompProfile>; resources: { memory: { limit: number }; pids: { limit: number }; devices: unknown[] } } };

test('capabilities: Docker\'s default set at most, never the dangerous ones; no new privileges', () => {
  for (const set of ['bounding', 'effective', 'permitted']) assert.deepEqual(spec.process.capabilities[set], DEFAULT_CAPABILITIES);
  for (const cap of ['CAP_SYS_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_PTRACE', 'CAP_NET_ADMIN', 'CAP_SYS_MODULE', 'CAP_DAC_READ_SEARCH']) assert.ok(!DEFAULT_CAPABILITIES.includes(cap), cap);
  assert.ok(DEFAULT_CAPABILITIES.includes('CAP_NET_BIND_SERVICE') && DEFAULT_CAPABILITIES.includes('CAP_SETUID'), 'nginx binds :80 and drops to its workers');
  assert.equal(spec.process.noNewPrivileges, true);
});

test('seccomp: every denied syscall answers EPERM, clone3 ENOSYS, clone with CLONE_NEWUSER EPERM; the rest allowed', () => {
  const sc = spec.linux.seccomp;
  assert.equal(sc.defaultAction, 'SCMP_ACT_ALLOW');
  const denied = sc.syscalls.find((r) => r.errnoRet === 1 && !r.args)!;
  for (const name of ['mount', 'umount2', 'pivot_root', 'ptrace', 'kexec_load', 'bpf', 'keyctl', 'unshare', 'setns', 'init_module', 'open_by_handle_at', 'userfaultfd']) assert.ok(denied.names.includes(name), name);
  assert.deepEqual(denied.names, Object.values(DENIED_SYSCALLS).flat());
  assert.deepEqual(sc.syscalls.find((r) => r.names.includes('clone3'))?.errnoRet, 38);
  assert.deepEqual(sc.syscalls.find((r) => r.names.includes('clone'))?.args, [{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' }]);
  for (const harmless of ['read', 'write', 'execve', 'socket', 'bind', 'setuid', 'chown']) assert.ok(!sc.syscalls.some((r) => r.names.includes(harmless)), harmless);
});

test('limits and devices are always set', () => {
  assert.equal(spec.linux.resources.memory.limit, 64 * 1024 * 1024);
  assert.equal(spec.linux.resources.pids.limit, 4096);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
});

test('node guard: INPUT from the bridge jumps first into a chain that keeps answers and drops the rest; node-access accepts one address', () => {
  const c = chainsFor('KILN');
  assert.deepEqual(nodeGuardJump(c, 'kiln0'), { table: 'filter', chain: 'INPUT', rule: ['-i', 'kiln0', '-j', 'KILN-INPUT'] });
  assert.deepEqual(
    nodeGuardRules(c, 'kiln0').map((r) => `${r.chain} ${r.rule.join(' ')}`),
    ['KILN-INPUT -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment kiln-bridge:kiln0 -j ACCEPT', 'KILN-INPUT -m comment --comment kiln-bridge:kiln0 -j DROP'],
  );
  assert.deepEqual(nodeAccessRule(c, '10.192.0.5', 'kiln:a/t'), ['-s', '10.192.0.5', '-m', 'comment', '--comment', 'kiln:a/t', '-j', 'ACCEPT']);
});
