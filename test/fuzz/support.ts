/** Shared pieces of the fuzz tests: input budgets and mutation arbitraries. */
import fc from 'fast-check';

/**
 * Inputs per target. CI runs these counts; `KILN_FUZZ_SCALE=10` runs ten times as many
 * locally (the seed is random each run; fast-check prints it with any counterexample).
 */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.KILN_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Strings that tend to break parsers: delimiters, escapes, control bytes, traversal, huge numbers. */
export const nastyToken = fc.constantFrom(
  '', ' ', '"', "'", '\\', '{', '}', '[', ']', '(', ')', '=', ':', ',', '#', '//', '/*', '*/', '${', '%{', '<<EOF\n', '\n', '\r\n', '\t', '\u0000',
  '\u00a0', '\u201c', '\u201d', '\ud83d\ude00', '\ud800', '..', '../', '..%2f', '%2e%2e/', '/etc/passwd', '-1', '0', '1e309', '9999999999999999999999', 'NaN', 'null', 'true',
  'job', 'group', 'task', 'count', 'driver', 'config', 'service', 'check', 'port_map', 'resources', 'network', 'update', 'constraint', 'env', 'template',
);

/** A mutation of `base`: a few insertions, deletions and replacements at random places. */
export function mutationOf(base: string): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat({ max: base.length }),
    drop: fc.nat({ max: 8 }),
    insert: fc.oneof(nastyToken, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })),
  });
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let s = base;
    for (const e of edits) {
      const at = Math.min(e.at, s.length);
      s = s.slice(0, at) + e.insert + s.slice(at + e.drop);
    }
    return s;
  });
}

/** Arbitrary JSON values, deep and wide enough to reach nested decoders. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    nastyToken,
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyToken, fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;
