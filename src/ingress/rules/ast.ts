/** The parsed form of a rule: matchers combined with and / or / not. */

export type RuleNode =
  | { kind: 'and'; left: RuleNode; right: RuleNode }
  | { kind: 'or'; left: RuleNode; right: RuleNode }
  | { kind: 'not'; operand: RuleNode }
  | { kind: 'matcher'; name: MatcherName; args: string[]; pos: number };

export const MATCHER_ARITY = {
  Host: 'some',
  HostRegexp: 'some',
  Path: 'some',
  PathPrefix: 'some',
  PathRegexp: 'some',
  Method: 'some',
  Header: 2,
  HeaderRegexp: 2,
} as const;

export type MatcherName = keyof typeof MATCHER_ARITY;

export const MATCHER_NAMES = Object.keys(MATCHER_ARITY) as MatcherName[];

export function isMatcherName(name: string): name is MatcherName {
  return Object.hasOwn(MATCHER_ARITY, name);
}
