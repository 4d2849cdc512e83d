import type { Constraint, ConstraintOperator } from '../structs/job.js';
import type { BodyReader } from './reader.js';

const OPERATORS: readonly ConstraintOperator[] = [
  '=', '!=', '>', '>=', '<', '<=', 'regexp', 'version', 'semver', 'set_contains', 'set_contains_any',
  'distinct_hosts', 'distinct_property', 'is_set', 'is_not_set',
];
/** Nomad's shorthand forms: `regexp = "…"` means operator "regexp" with that value. */
const SHORTHANDS: readonly ConstraintOperator[] = [
  'distinct_hosts', 'distinct_property', 'regexp', 'version', 'semver', 'set_contains', 'set_contains_any',
];
const CONSTRAINT_KEYS = ['attribute', 'operator', 'value', ...SHORTHANDS];
const NEEDS_NO_VALUE: readonly ConstraintOperator[] = ['is_set', 'is_not_set', 'distinct_hosts', 'distinct_property'];

/** `constraint { attribute, operator, value }` blocks (or a shorthand) → Nomad's {LTarget, RTarget, Operand}. */
export function decodeConstraints(parent: BodyReader): Constraint[] {
  const out: Constraint[] = [];
  for (const ref of parent.blocks('constraint')) {
    const r = parent.child(ref, 'constraint', CONSTRAINT_KEYS);
    const shorthand = SHORTHANDS.find((op) => r.has(op));
    if (shorthand === 'distinct_hosts') {
      if (r.bool('distinct_hosts', false)) out.push({ LTarget: '', RTarget: 'true', Operand: 'distinct_hosts' });
      continue;
    }
    if (shorthand === 'distinct_property') {
      out.push({ LTarget: r.string('distinct_property', ''), RTarget: r.string('value', ''), Operand: 'distinct_property' });
      continue;
    }
    if (shorthand) {
      out.push({ LTarget: requiredAttribute(r), RTarget: r.string(shorthand, ''), Operand: shorthand });
      continue;
    }
    const operand = readOperator(r);
    const constraint: Constraint = { LTarget: r.string('attribute', ''), RTarget: r.string('value', ''), Operand: operand };
    if (operand === 'distinct_hosts') constraint.RTarget ||= 'true';
    if (operand !== 'distinct_hosts' && constraint.LTarget === '') requiredAttribute(r);
    if (!NEEDS_NO_VALUE.includes(operand) && !r.has('value')) {
      r.problem(undefined, `constraint with operator "${operand}" needs a value; add value = "…"`);
    }
    out.push(constraint);
  }
  return out;
}

function readOperator(r: BodyReader): ConstraintOperator {
  const op = r.string('operator', '=');
  if ((OPERATORS as readonly string[]).includes(op)) return op as ConstraintOperator;
  const alias = op === '==' ? '=' : undefined;
  r.problem('operator', `constraint operator "${op}" is not supported; use ${alias ? `"${alias}"` : `one of ${OPERATORS.join(' ')}`}`);
  return '=';
}

function requiredAttribute(r: BodyReader): string {
  const attribute = r.string('attribute', '');
  if (attribute === '') r.problem(undefined, 'constraint needs an attribute; add attribute = "${attr.kernel.name}" (or another node variable)');
  return attribute;
}
