import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatKV, formatTable } from '../../src/cli/format/table.js';
import { formatRelative, formatTimestamp, parseDurationMs } from '../../src/cli/format/time.js';
import { LineTail } from '../../src/cli/format/tail.js';

const S = 1_000_000_000;

test('formatTable aligns columns with two spaces and no trailing spaces', () => {
  const out = formatTable([
    ['ID', 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'],
    ['636d3241', 'c375b833', 'group1', '3', 'run', 'running', '28m43s ago', '28m27s ago'],
  ]);
  assert.equal(
    out,
    'ID        Node ID   Task Group  Version  Desired  Status   Created     Modified\n' +
      '636d3241  c375b833  group1      3        run      running  28m43s ago  28m27s ago',
  );
  assert.equal(formatTable([['a', ''], ['bb', 'x']]), 'a\nbb  x');
  assert.equal(formatTable([]), '');
});

test('formatKV aligns the = signs and prints <none> for empty values', () => {
  assert.equal(formatKV([['ID', 'abc'], ['Desired Description', '']]), 'ID                  = abc\nDesired Description = <none>');
});

test('formatRelative follows Nomad: two most significant units, ago / from now', () => {
  const now = 1_700_000_000_000;
  const nowNs = now * 1_000_000;
  assert.equal(formatRelative(now, nowNs - 3 * S), '3s ago');
  assert.equal(formatRelative(now, nowNs), '0s ago');
  assert.equal(formatRelative(now, nowNs - (28 * 60 + 43) * S), '28m43s ago');
  assert.equal(formatRelative(now, nowNs - (2 * 3600 + 5 * 60 + 9) * S), '2h5m ago');
  assert.equal(formatRelative(now, nowNs - 3600 * S), '1h0m ago');
  assert.equal(formatRelative(now, nowNs - (3 * 86400 + 4 * 3600 + 7) * S), '3d4h ago');
  assert.equal(formatRelative(now, nowNs + 90 * S), '1m30s from now');
  assert.equal(formatRelative(now, 0), '');
});

test('formatTimestamp prints RFC 3339 with the given offset, Z for UTC', () => {
  const ms = Date.UTC(2021, 5, 9, 22, 22, 58);
  assert.equal(formatTimestamp(ms, -420), '2021-06-09T15:22:58-07:00');
  assert.equal(formatTimestamp(ms, 0), '2021-06-09T22:22:58Z');
  assert.equal(formatTimestamp(ms, 330), '2021-06-10T03:52:58+05:30');
});

test('parseDurationMs reads Go-style durations and rejects others', () => {
  assert.equal(parseDurationMs('5m', 'timeout'), 300_000);
  assert.equal(parseDurationMs('1h30m', 'timeout'), 5_400_000);
  assert.equal(parseDurationMs('250ms', 'timeout'), 250);
  assert.equal(parseDurationMs('0s', 'timeout'), 0);
  assert.throws(() => parseDurationMs('5 minutes', 'timeout'), /-timeout "5 minutes" is not a duration/);
  assert.throws(() => parseDurationMs('10', 'timeout'), /not a duration/);
});

test('LineTail keeps the last N lines across chunks', () => {
  const tail = new LineTail(2);
  tail.push(Buffer.from('one\ntw'));
  tail.push(Buffer.from('o\nthree\n'));
  assert.equal(tail.take().toString(), 'two\nthree\n');
  const partial = new LineTail(2);
  partial.push(Buffer.from('a\nb\nc'));
  assert.equal(partial.take().toString(), 'b\nc');
  const short = new LineTail(5);
  short.push(Buffer.from('only\n'));
  assert.equal(short.take().toString(), 'only\n');
});
