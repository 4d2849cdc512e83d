/** Pure helpers of the UIs: the 403 banner's sentence, dispatch meta lines, children counts, drain status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bannerText } from '../../src/ui/shared/banner-text.js';
import { childCounts, drainText, parseMeta } from '../../src/ui/nomad/words.js';

test('bannerText names what the refused request needed, in each of the guard\'s messages', () => {
  assert.equal(
    bannerText('permission denied: this request needs capability "read-job" in namespace "default"; send a token that has it (-token, KILN_TOKEN, or the X-Kiln-Token header)'),
    'This page needs a token with capability "read-job" in namespace "default"; set one on the Tokens page.',
  );
  assert.equal(
    bannerText('ACLs are enabled and no token exists yet: run `kiln acl bootstrap` for the first management token, then send it with -token or KILN_TOKEN (this request needs service "*" read)'),
    'This page needs a token with service "*" read; set one on the Tokens page.',
  );
  assert.equal(bannerText('permission denied: token "ci" (accessor 0b6e) lacks node read'), 'This page needs a token with node read; set one on the Tokens page.');
  assert.match(bannerText('ACL token not found: the secret matches no token'), /not known to this cluster/);
  assert.equal(bannerText('Forbidden'), 'Forbidden — set a token on the Tokens page.');
});

test('parseMeta reads key=value lines, skips blanks, keeps "=" in values, refuses a line without a key', () => {
  assert.deepEqual(parseMeta('who=ops\n\n  greeting = hi=there \n'), { who: 'ops', greeting: 'hi=there' });
  assert.deepEqual(parseMeta(''), {});
  assert.throws(() => parseMeta('who'), /"who" is not key=value/);
  assert.throws(() => parseMeta('=x'), /not key=value/);
});

test('childCounts groups children by Nomad status', () => {
  assert.deepEqual(childCounts([{ Status: 'dead' }, { Status: 'running' }, { Status: 'dead' }, { Status: 'pending' }, { Status: 'weird' }]), { pending: 1, running: 1, dead: 2 });
});

test('drainText says deadline, eligibility and the last drain', () => {
  const now = Date.parse('2026-11-26T04:00:00Z');
  assert.equal(drainText({ Drain: false, SchedulingEligibility: 'eligible', DrainStrategy: null, LastDrain: null }, now), 'not draining · eligible');
  assert.equal(drainText({ Drain: false, SchedulingEligibility: 'ineligible', DrainStrategy: null, LastDrain: { Status: 'complete' } }, now), 'not draining · ineligible · last drain complete');
  assert.equal(drainText({ Drain: true, SchedulingEligibility: 'ineligible', DrainStrategy: { Deadline: 0, IgnoreSystemJobs: true } }, now), 'draining, no deadline · system jobs stay · ineligible');
  assert.equal(drainText({ Drain: true, SchedulingEligibility: 'ineligible', DrainStrategy: { Deadline: -1, IgnoreSystemJobs: false } }, now), 'draining, forced · ineligible');
  assert.match(drainText({ Drain: true, SchedulingEligibility: 'ineligible', DrainStrategy: { Deadline: 3600e9, IgnoreSystemJobs: false, ForceDeadline: Date.parse('2026-11-26T04:30:00Z') * 1e6 } }, now), /^draining, deadline .* \(in 30 min\) · ineligible$/);
  assert.equal(drainText({ Drain: true, SchedulingEligibility: 'ineligible', DrainStrategy: { Deadline: 600e9, IgnoreSystemJobs: false } }, now), 'draining, deadline 10 min · ineligible');
});
