import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HclLocator, formatGoDuration, normalizeQuotes, parseGoDuration } from '../../src/jobspec/index.js';

test('Go durations parse to nanoseconds', () => {
  assert.equal(parseGoDuration('5s'), 5e9);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('24h'), 86400e9);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('10us'), 10e3);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('-2s'), -2e9);
  for (const bad of ['', '5', 's', '5 s', '2 seconds', '5d', '1h-2m']) assert.equal(parseGoDuration(bad), undefined, bad);
  assert.equal(formatGoDuration(90e9), '1m30s');
  assert.equal(formatGoDuration(250e6), '250ms');
});

test('the locator finds keys through labeled, repeated and map values, skipping strings and comments', () => {
  const text = [
    'job "web" { # a { brace in a comment',
    '  group "g1" {',
    '    /* } block comment { */',
    '    count = 2',
    '    task "t" {',
    '      config {',
    '        args = ["{", "}"]',
    '        port_map = {',
    '          http = "80"',
    '        }',
    '      }',
    '      service { name = "a" }',
    '      service {',
    '        check { interval = "5s" }',
    '      }',
    '    }',
    '  }',
    '  group "g2" { count = 1 }',
    '}',
  ].join('\n');
  const loc = new HclLocator(text);
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g1', 'count']), { line: 4, column: 5 });
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g2', 'count']), { line: 18, column: 16 });
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g1', 'task', 't', 'config', 'port_map', 'http']), { line: 9, column: 11 });
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g1', 'task', 't', 'service', 1, 'check', 0, 'interval']), { line: 14, column: 17 });
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g1', 'task', 't', 'service', 0, 'name']), { line: 12, column: 17 });
  // Not written: falls back to the enclosing block.
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'g1', 'task', 't', 'resources', 'memory']), { line: 5, column: 5 });
  assert.deepEqual(loc.locate(['job', 'web', 'group', 'nope', 'count']), { line: 1, column: 1 });
});

test('typographic quotes: delimiters become ", single quotes inside strings become \', comments are untouched', () => {
  const input = 'a = “x” # “kept”\nb = [“-g”,”’daemon off;’”]\nc = ‘y’\nd = "it’s “typed”"\n';
  const { text, replacements } = normalizeQuotes(input);
  assert.equal(text, 'a = "x" # “kept”\nb = ["-g","\'daemon off;\'"]\nc = "y"\nd = "it’s “typed”"\n');
  assert.deepEqual(replacements, [
    { line: 1, column: 5, count: 2 },
    { line: 2, column: 6, count: 6 },
    { line: 3, column: 5, count: 2 },
  ]);
  assert.equal(text.length, input.length, 'one character for one, so positions still match');
});
