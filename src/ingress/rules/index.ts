export { parseRule, describeRuleError, type ParseResult } from './parser.js';
export { compileRule, type CompileResult, type Matcher, type MatchInput } from './matcher.js';
export { MATCHER_NAMES, type MatcherName, type RuleNode } from './ast.js';
export type { RuleError } from './lexer.js';

/** Traefik's default priority: the rule's length, so longer (more specific) rules win. */
export function defaultPriority(rule: string): number {
  return rule.length;
}
