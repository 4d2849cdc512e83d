import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule, defaultPriority, parseRule, type MatchInput } from '../../src/ingress/index.js';

const req = (o: Partial<MatchInput> = {}): MatchInput => ({ host: 'app.minipot', path: '/', method: 'GET', headers: {}, ...o });

function matcher(rule: string) {
  const c = compileRule(rule);
  if (!c.ok) throw new Error(`${rule}: ${c.error.message}`);
  return c.match;
}

test('Host matches case-insensitively, any of several hosts', () => {
  const m = matcher('Host(`App.Minipot`)');
  assert.equal(m(req()), true);
  assert.equal(m(req({ host: 'other.minipot' })), false);
  const multi = matcher('Host(`a.x`, "b.x")');
  assert.equal(multi(req({ host: 'b.x' })), true);
  assert.equal(multi(req({ host: 'c.x' })), false);
});

test('HostRegexp, Path, PathPrefix, PathRegexp, Method, Header, HeaderRegexp', () => {
  assert.equal(matcher('HostRegexp(`^[a-z]+\\.minipot$`)')(req()), true);
  assert.equal(matcher('HostRegexp(`^[a-z]+\\.example$`)')(req()), false);
  assert.equal(matcher('Path(`/a`)')(req({ path: '/a' })), true);
  assert.equal(matcher('Path(`/a`)')(req({ path: '/a/b' })), false);
  assert.equal(matcher('PathPrefix(`/api`)')(req({ path: '/api/v1' })), true);
  assert.equal(matcher('PathPrefix(`/api`)')(req({ path: '/ap' })), false);
  assert.equal(matcher('PathRegexp(`^/v[0-9]+/`)')(req({ path: '/v2/x' })), true);
  assert.equal(matcher('Method(`post`, `PUT`)')(req({ method: 'POST' })), true);
  assert.equal(matcher('Method(`POST`)')(req()), false);
  assert.equal(matcher('Header(`X-Env`, `prod`)')(req({ headers: { 'x-env': 'prod' } })), true);
  assert.equal(matcher('Header(`X-Env`, `prod`)')(req({ headers: { 'x-env': 'dev' } })), false);
  assert.equal(matcher('Header(`X-Env`, `prod`)')(req()), false);
  assert.equal(matcher('HeaderRegexp(`X-Env`, `^pr`)')(req({ headers: { 'x-env': 'prod' } })), true);
});

test('precedence: ! binds tighter than &&, && tighter than ||; parentheses group', () => {
  // a || b && c  ==  a || (b && c)
  const m = matcher('Host(`a`) || Host(`b`) && Method(`POST`)');
  assert.equal(m(req({ host: 'a' })), true);
  assert.equal(m(req({ host: 'b' })), false);
  assert.equal(m(req({ host: 'b', method: 'POST' })), true);
  const g = matcher('(Host(`a`) || Host(`b`)) && Method(`POST`)');
  assert.equal(g(req({ host: 'a' })), false);
  assert.equal(g(req({ host: 'a', method: 'POST' })), true);
  const n = matcher('!PathPrefix(`/admin`) && Host(`a`)');
  assert.equal(n(req({ host: 'a', path: '/x' })), true);
  assert.equal(n(req({ host: 'a', path: '/admin/x' })), false);
  const nn = matcher('!!Host(`a`)');
  assert.equal(nn(req({ host: 'a' })), true);
  const ast = parseRule('Host(`a`) || Host(`b`) && !Path(`/x`)');
  assert.ok(ast.ok);
  assert.equal(ast.node.kind, 'or');
  assert.equal(ast.node.kind === 'or' && ast.node.right.kind, 'and');
});

test('double-quoted strings take escapes; backtick strings are raw', () => {
  assert.equal(matcher('Path("/a\\"b")')(req({ path: '/a"b' })), true);
  assert.equal(matcher('PathRegexp(`^/a\\d$`)')(req({ path: '/a1' })), true);
});

test('errors are values with positions, never throws', () => {
  const cases: [string, RegExp, number?][] = [
    ['', /empty rule/],
    ['Host(`a`', /expected "," or "\)"/, 8],
    ['Host(`a)', /unterminated string/, 5],
    ['host(`a`)', /unknown matcher host \(did you mean Host\?\)/, 0],
    ['Hots(`a`)', /unknown matcher Hots/],
    ['Host()', /Host needs at least one argument/],
    ['Header(`a`)', /Header takes 2 arguments, got 1/],
    ['Host(`a`) & Path(`/`)', /"&" must be doubled/],
    ['Host(`a`) Path(`/`)', /expected end of rule, got "Path"/],
    ['Host(a)', /expected a quoted argument for Host/],
    ["Host('a')", /single quotes are not string delimiters/],
    ['(Host(`a`)', /expected "\)" to close the group/],
    ['Host(`a`) &&', /expected a matcher/],
    ['HostRegexp(`(`)', /invalid regular expression/],
  ];
  for (const [rule, re, pos] of cases) {
    const r = compileRule(rule);
    assert.equal(r.ok, false, rule);
    if (r.ok) continue;
    assert.match(r.error.message, re, rule);
    if (pos !== undefined) assert.equal(r.error.pos, pos, rule);
  }
});

test('default priority is the rule length, so the more specific rule wins', () => {
  assert.equal(defaultPriority('Host(`a`)'), 9);
  assert.ok(defaultPriority('Host(`a`) && PathPrefix(`/api`)') > defaultPriority('Host(`a`)'));
});
