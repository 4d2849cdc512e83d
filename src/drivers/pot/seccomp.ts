/**
 * The jail's seccomp profile. Docker's default profile is the reference:
 * it is an allowlist of ~350 syscalls, and what matters for a jail is the
 * set it leaves out — kernel-wide state (modules, kexec, clock, swap,
 * reboot), new mount trees, namespaces, tracing other processes, eBPF,
 * the kernel keyring. kiln writes that set as a typed denylist (anything
 * else is allowed), so a new harmless syscall in a new libc does not break
 * jails, while the escape routes Docker closes stay closed. Denied calls
 * fail with EPERM, as under Docker, so programs see an ordinary error.
 */

interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_MASKED_EQ' | 'SCMP_CMP_EQ' | 'SCMP_CMP_NE';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ERRNO' | 'SCMP_ACT_ALLOW';
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ALLOW';
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;

/** Why each group is denied; Docker denies the same without CAP_SYS_ADMIN and friends. */
export const DENIED_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  'new mounts and mount trees': ['mount', 'umount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr'],
  'namespaces (a user namespace would hand back every capability)': ['unshare', 'setns'],
  'tracing and reading other processes': ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'perf_event_open'],
  'kernel code and reboot': ['kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'create_module', 'reboot'],
  'eBPF and userfaultfd (kernel exploit primitives)': ['bpf', 'userfaultfd'],
  'the kernel keyring (shared by every jail)': ['keyctl', 'add_key', 'request_key'],
  'node-wide clocks, swap, accounting, quotas, logs': ['settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex', 'stime', 'swapon', 'swapoff', 'acct', 'quotactl', 'syslog', 'vhangup'],
  'host file handles and obsolete interfaces': ['open_by_handle_at', 'name_to_handle_at', 'lookup_dcookie', 'iopl', 'ioperm', 'uselib', 'nfsservctl', 'sysfs', '_sysctl', 'ustat', 'get_kernel_syms', 'query_module', 'vm86', 'vm86old'],
};

/**
 * The OCI `linux.seccomp` object. clone3 answers ENOSYS (as Docker) so libc
 * falls back to clone, whose flags can be inspected: clone with
 * CLONE_NEWUSER is refused, ordinary threads and forks pass.
 */
export function jailSeccompProfile(): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
    syscalls: [
      { names: Object.values(DENIED_SYSCALLS).flat(), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      { names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER, op: 'SCMP_CMP_MASKED_EQ' }] },
    ],
  };
}
