/**
 * Policy HCL → PolicyRules. The same HCL2 parser as job files (hcl2json);
 * syntax errors and rule errors both come back as ACL_POLICY_INVALID with
 * `file:line:col` for every problem at once.
 */
import { HclLocator, type Path } from '../jobspec/index.js';
import { parseHclDiagnostics } from '../jobspec/hcl-errors.js';
import { formatProblem, type JobspecProblem } from '../jobspec/problems.js';
import { KilnError } from '../structs/index.js';
import { emptyRules, NAMESPACE_CAPABILITIES, type NamespaceCapability, type PolicyRules, type PolicyWord } from './types.js';

type HclParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;
let hclParse: Promise<HclParse> | undefined;
/** hcl2json starts WebAssembly on import: load it on the first policy, not at agent start. */
const loadParser = (): Promise<HclParse> => (hclParse ??= import('@cdktf/hcl2json').then((m) => m.parse as HclParse));

const WORDS: readonly PolicyWord[] = ['deny', 'read', 'write'];
const SINGLE_SCOPES = ['node', 'agent', 'operator', 'registry'] as const;
const EXAMPLE = 'e.g. namespace "default" { policy = "read" }, node { policy = "read" }, service_prefix "web" { policy = "write" }, key_prefix "app/" { policy = "read" }, registry { policy = "write" }, operator { policy = "read" }';

interface Problem {
  path: Path;
  message: string;
}

/** Parse and validate a policy; throws ACL_POLICY_INVALID listing every problem with its position. */
export async function parsePolicy(text: string, file = 'policy.hcl'): Promise<PolicyRules> {
  let raw: Record<string, unknown>;
  try {
    raw = await (await loadParser())(file, text);
  } catch (err) {
    const problems = parseHclDiagnostics(file, err instanceof Error ? err.message : String(err));
    if (problems.length === 0) problems.push({ file, line: 1, column: 1, message: `HCL syntax error: ${String(err)}` });
    throw policyError(problems);
  }
  const problems: Problem[] = [];
  const rules = decodeRules(raw, problems);
  if (problems.length > 0) {
    const locator = new HclLocator(text);
    const placed = problems.map((p) => ({ file, ...locator.locate(p.path), message: p.message }));
    throw policyError(placed.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return rules;
}

function policyError(problems: JobspecProblem[]): KilnError {
  return new KilnError('ACL_POLICY_INVALID', `invalid ACL policy:\n${problems.map(formatProblem).join('\n')}`, { details: { problems } });
}

/** Decode hcl2json's shape; pure, collects every problem. */
export function decodeRules(raw: Record<string, unknown>, problems: Problem[]): PolicyRules {
  const rules = emptyRules();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'namespace') {
      for (const [label, body] of labeledBodies(value)) {
        const path = ['namespace', label];
        if (missingLabel(body, path, problems)) continue;
        const policy = word(body.policy, path, problems, false);
        const capabilities = capabilityList(body.capabilities, path, problems);
        unknownKeys(body, ['policy', 'capabilities'], path, problems);
        if (policy === undefined && capabilities.length === 0) problems.push({ path, message: 'namespace rule grants nothing: set policy = "read"|"write"|"deny" or capabilities = ["read-logs", "alloc-exec", …]' });
        rules.namespaces.push({ name: label, ...(policy ? { policy } : {}), capabilities });
      }
    } else if (name === 'service_prefix' || name === 'key_prefix') {
      for (const [label, body] of labeledBodies(value)) {
        const path = [name, label];
        if (missingLabel(body, path, problems)) continue;
        unknownKeys(body, ['policy'], path, problems);
        const policy = word(body.policy, path, problems, true) ?? 'deny';
        (name === 'service_prefix' ? rules.services : rules.keys).push({ prefix: label, policy });
      }
    } else if ((SINGLE_SCOPES as readonly string[]).includes(name)) {
      const bodies = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      if (bodies.length !== 1 || typeof bodies[0] !== 'object') {
        problems.push({ path: [name], message: `write ${name} { policy = "read" } once, without a label` });
        continue;
      }
      unknownKeys(bodies[0], ['policy'], [name], problems);
      rules[name as (typeof SINGLE_SCOPES)[number]] = word(bodies[0].policy, [name], problems, true);
    } else {
      problems.push({ path: [name], message: `unknown rule "${name}"; a policy has namespace, node, agent, operator, registry, service_prefix and key_prefix rules (${EXAMPLE})` });
    }
  }
  return rules;
}

/** hcl2json gives a labeled block as `{label: [body]}`; a block written without its label comes as `[body]`. */
function labeledBodies(value: unknown): [string, Record<string, unknown>][] {
  if (Array.isArray(value)) return [['', { __missingLabel: true }]];
  const out: [string, Record<string, unknown>][] = [];
  for (const [label, bodies] of Object.entries(value as Record<string, unknown[]>)) {
    for (const b of bodies) out.push([label, b as Record<string, unknown>]);
  }
  return out;
}

function word(value: unknown, path: Path, problems: Problem[], required: boolean): PolicyWord | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value === 'string' && (WORDS as readonly string[]).includes(value)) return value as PolicyWord;
  problems.push({ path: [...path, 'policy'], message: `policy must be "deny", "read" or "write"${value === undefined ? ' (it is missing)' : `, got ${JSON.stringify(value)}`}` });
  return undefined;
}

function capabilityList(value: unknown, path: Path, problems: Problem[]): NamespaceCapability[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const good: NamespaceCapability[] = [];
  for (const c of list) {
    if ((NAMESPACE_CAPABILITIES as readonly unknown[]).includes(c)) good.push(c as NamespaceCapability);
    else problems.push({ path: [...path, 'capabilities'], message: `unknown capability ${JSON.stringify(c)}; known: ${NAMESPACE_CAPABILITIES.join(', ')}` });
  }
  return good;
}

function missingLabel(body: Record<string, unknown>, path: Path, problems: Problem[]): boolean {
  if (!body.__missingLabel) return false;
  problems.push({ path: [path[0]!], message: `${String(path[0])} needs a label: ${String(path[0])} "name" { policy = "read" }` });
  return true;
}

function unknownKeys(body: Record<string, unknown>, allowed: string[], path: Path, problems: Problem[]): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) problems.push({ path: [...path, k], message: `unknown setting "${k}" here; allowed: ${allowed.join(', ')}` });
  }
}
