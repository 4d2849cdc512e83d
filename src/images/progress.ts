import type { ImageProgress } from './types.js';

/** `12.3 MB` (decimal units, as download tools print them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function downloadMessage(bytes: number, total?: number): string {
  return total ? `Downloading image ${formatBytes(bytes)} / ${formatBytes(total)}` : `Downloading image ${formatBytes(bytes)}`;
}

/**
 * Forwards download progress at most once per interval (task events would
 * flood otherwise); other phases and the final byte count always pass.
 */
export function throttledProgress(emit: (p: ImageProgress) => void, intervalMs = 250, now: () => number = Date.now): (p: ImageProgress) => void {
  let last = -Infinity;
  return (p) => {
    const final = p.totalBytes !== undefined && p.bytes === p.totalBytes;
    if (p.phase === 'download' && !final && now() - last < intervalMs) return;
    last = now();
    emit(p);
  };
}
