import { readFileSync } from 'node:fs';

/** The package version; this file sits at src/cli/ (or dist/src/cli/), package.json at the root above. */
export function kilnVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kiln' && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next
    }
  }
  return 'unknown';
}
