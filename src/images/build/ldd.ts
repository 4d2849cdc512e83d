/** Shared libraries of a host binary, from `ldd`, so binaries run inside a minimal rootfs. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ImageError } from '../errors.js';

const run = promisify(execFile);

/**
 * Paths from ldd's output: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`
 * and the loader `/lib64/ld-linux-x86-64.so.2 (0x…)`; the vDSO has no file.
 */
export function parseLddOutput(text: string, binary: string): string[] {
  const libs: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || /not a dynamic executable|statically linked/.test(line)) continue;
    const arrow = /^(\S+)\s+=>\s+(.*?)\s*(\(0x[0-9a-f]+\))?$/.exec(line);
    if (arrow) {
      if (arrow[2] === 'not found' || arrow[2] === '') throw new ImageError('build_failed', `${binary} needs ${arrow[1]}, which ldd cannot find on this host; install the package that provides it`);
      if (arrow[2]!.startsWith('/')) libs.push(arrow[2]!);
      continue;
    }
    const loader = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (loader) libs.push(loader[1]!);
  }
  return [...new Set(libs)];
}

export async function sharedLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await run('ldd', [binary]);
    return parseLddOutput(stdout, binary);
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(out)) return [];
    throw new ImageError('build_failed', `ldd ${binary} failed: ${out.trim() || (e as Error).message}`, { cause: e });
  }
}
