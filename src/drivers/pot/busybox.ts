import { closeSync, openSync, readSync } from 'node:fs';

const PT_INTERP = 3;

/**
 * Why `path` cannot be the jails' init shell, or undefined when it can: it
 * runs inside images that have no libc, so it must be a static ELF (Debian's
 * busybox-static, not the dynamically linked busybox package).
 */
export function busyboxProblem(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return `${path} is missing: install busybox-static (the jails' init shell)`;
  }
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return `${path} is not a 64-bit little-endian ELF executable`;
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === PT_INTERP) return `${path} is dynamically linked; jails need a static busybox (apt-get install busybox-static)`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
