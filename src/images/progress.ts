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

/** Bytes and total from a "Downloading image 12.3 MB / 45.6 MB" event message (approximate: as printed). */
export function parseDownloadMessage(message: string): { bytes: number; totalBytes?: number } | undefined {
  const m = /^Downloading image ([\d.]+) (B|kB|MB|GB|TB)(?: \/ ([\d.]+) (B|kB|MB|GB|TB))?$/.exec(message.trim());
  if (!m) return undefined;
  const scale: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  const bytes = Math.round(Number(m[1]) * scale[m[2]!]!);
  return m[3] ? { bytes, totalBytes: Math.round(Number(m[3]) * scale[m[4]!]!) } : { bytes };
}

/** `[=========>          ]  45% 12.3 MB / 27.0 MB` for the CLI's job monitor. */
export function renderProgressBar(bytes: number, totalBytes: number | undefined, width = 30): string {
  if (!totalBytes) return `[${'?'.repeat(width)}] ${formatBytes(bytes)}`;
  const frac = Math.min(1, Math.max(0, bytes / totalBytes));
  const done = Math.floor(frac * width);
  const bar = done >= width ? '='.repeat(width) : `${'='.repeat(done)}>${' '.repeat(width - done - 1)}`;
  return `[${bar}] ${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(bytes)} / ${formatBytes(totalBytes)}`;
}
