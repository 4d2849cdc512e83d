import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeArgv } from '../../src/cli/argv.js';
import { allFlagSpecs } from '../../src/cli/flags.js';
import { execUrl } from '../../src/cli/commands/alloc-exec.js';
import { EscapeFilter } from '../../src/cli/commands/exec-escape.js';

const norm = (...args: string[]): string[] => normalizeArgv(args, allFlagSpecs(), [['alloc', 'exec']]);

test('alloc exec: everything after the allocation is the command, behind an inserted --', () => {
  assert.deepEqual(norm('alloc', 'exec', 'abc', 'ls', '-la', '-address=x'), ['alloc', 'exec', 'abc', '--', 'ls', '-la', '-address=x']);
  assert.deepEqual(norm('-address', 'http://a:1', 'alloc', 'exec', '-task', 'web', '-e', '^', 'abc', 'sh', '-c', 'exit 3'), [
    '--address', 'http://a:1', 'alloc', 'exec', '--task', 'web', '-e', '^', 'abc', '--', 'sh', '-c', 'exit 3',
  ]);
  assert.deepEqual(norm('alloc', 'exec', 'abc', '--', 'ls'), ['alloc', 'exec', 'abc', '--', 'ls'], 'an explicit -- is kept as is');
  assert.deepEqual(norm('alloc', 'logs', 'abc', '-tail'), ['alloc', 'logs', 'abc', '--tail'], 'other commands are untouched');
  assert.deepEqual(norm('alloc', 'exec', 'abc'), ['alloc', 'exec', 'abc'], 'no command: commander reports it');
});

test('negatable flags: -i=false and -t=false become --no-i / --no-t', () => {
  assert.deepEqual(norm('alloc', 'exec', '-i=false', '-t=true', 'abc', 'sh'), ['alloc', 'exec', '--no-i', '-t', 'abc', '--', 'sh']);
  assert.deepEqual(norm('alloc', 'exec', '-t=0', 'abc', 'sh'), ['alloc', 'exec', '--no-t', 'abc', '--', 'sh']);
});

test('execUrl builds the websocket URL with the command as a JSON array', () => {
  const u = new URL(execUrl('http://127.0.0.1:4646', 'a-b', 'web', ['/bin/sh', '-c', 'echo "x y"'], true));
  assert.equal(u.protocol, 'ws:');
  assert.equal(u.pathname, '/v1/client/allocation/a-b/exec');
  assert.equal(u.searchParams.get('task'), 'web');
  assert.deepEqual(JSON.parse(u.searchParams.get('command')!), ['/bin/sh', '-c', 'echo "x y"']);
  assert.equal(u.searchParams.get('tty'), 'true');
  assert.equal(new URL(execUrl('https://h:1/prefix/', 'a', 't', ['x'], false)).href.split('?')[0], 'wss://h:1/prefix/v1/client/allocation/a/exec');
});

test('escape: ~. at the start of a line ends the session; elsewhere ~ passes through', () => {
  let ended = 0;
  const f = new EscapeFilter('~', () => ended++);
  assert.equal(f.push(Buffer.from('a~b\r')).toString(), 'a~b\r', 'mid-line ~ is plain input');
  assert.equal(f.push(Buffer.from('~~x')).toString(), '~x', '~~ at line start sends one ~');
  assert.equal(f.push(Buffer.from('\n~')).toString(), '\n', 'a pending escape is held back');
  assert.equal(f.push(Buffer.from('q')).toString(), '~q', 'and released when not followed by .');
  assert.equal(ended, 0);
  assert.equal(f.push(Buffer.from('\r~.rest')).toString(), '\r');
  assert.equal(ended, 1);
  assert.ok(f.ended);
  assert.equal(f.push(Buffer.from('more')).length, 0, 'nothing is sent after the end');
});
