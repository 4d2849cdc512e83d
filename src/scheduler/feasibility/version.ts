/**
 * A small version comparator for the `version` and `semver` constraint
 * operators (no dependency on a semver package). Versions look like
 * `v1.2.3-beta.1+build`; missing segments count as 0, build metadata is
 * ignored, and a prerelease sorts before its release (1.2.0-rc1 < 1.2.0).
 */
export interface ParsedVersion {
  segments: number[];
  prerelease: string[];
}

const VERSION_RE = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const STRICT_SEMVER_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(text: string, strictSemver = false): ParsedVersion | undefined {
  const trimmed = text.trim();
  if (strictSemver) {
    const m = STRICT_SEMVER_RE.exec(trimmed);
    if (!m) return undefined;
    return { segments: [Number(m[1]), Number(m[2]), Number(m[3])], prerelease: m[4] ? m[4].split('.') : [] };
  }
  const m = VERSION_RE.exec(trimmed);
  if (!m || m[1] === undefined) return undefined;
  return { segments: m[1].split('.').map(Number), prerelease: m[2] ? m[2].split('.') : [] };
}

function comparePrereleaseIdentifiers(a: string, b: string): number {
  const aNum = /^\d+$/.test(a);
  const bNum = /^\d+$/.test(b);
  if (aNum && bNum) return Math.sign(Number(a) - Number(b));
  // Numeric identifiers sort before alphanumeric ones (semver §11).
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const len = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < len; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  const plen = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < plen; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = comparePrereleaseIdentifiers(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

const CONSTRAINT_RE = /^(>=|<=|!=|~>|=|>|<)?\s*(\S+)$/;

/**
 * Does `version` satisfy every comma-separated clause of `constraint`
 * (e.g. ">= 1.2, < 2.0", "~> 1.4")? Unparsable input never matches.
 */
export function versionSatisfies(version: string, constraint: string, strictSemver = false): boolean {
  const v = parseVersion(version, strictSemver);
  if (!v) return false;
  const clauses = constraint.split(',').map((c) => c.trim());
  if (clauses.length === 0 || clauses.some((c) => c === '')) return false;
  return clauses.every((clause) => clauseHolds(v, clause, strictSemver));
}

function clauseHolds(v: ParsedVersion, clause: string, strictSemver: boolean): boolean {
  const m = CONSTRAINT_RE.exec(clause);
  if (!m || m[2] === undefined) return false;
  const target = parseVersion(m[2], strictSemver);
  if (!target) return false;
  const c = compareVersions(v, target);
  switch (m[1] ?? '=') {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '~>':
      return c >= 0 && pessimisticUpperBoundHolds(v, target);
  }
  return false;
}

/** `~> 1.4.2` allows 1.4.x (x ≥ 2); `~> 1.4` allows 1.x (≥ 1.4). */
function pessimisticUpperBoundHolds(v: ParsedVersion, target: ParsedVersion): boolean {
  const fixed = Math.max(1, target.segments.length - 1);
  for (let i = 0; i < fixed; i++) {
    if ((v.segments[i] ?? 0) !== (target.segments[i] ?? 0)) return false;
  }
  return true;
}
