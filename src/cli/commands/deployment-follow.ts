/** Follows a deployment until it succeeds or fails, printing its per-group table as it changes (`job run`, `deployment promote`). */
import type { CommandContext } from '../command.js';
import type { Deployment } from '../../structs/index.js';
import { shortId } from '../../structs/index.js';
import { deployedTable, deploymentHeader } from '../format/deployment.js';
import { formatTimestamp } from '../format/time.js';
import { sleep } from '../monitor.js';

const POLL_WAIT_MS = 10_000;

/** 0 when the deployment succeeds; 1 when it fails, is cancelled, or the command is interrupted. */
export async function deploymentFollow(ctx: CommandContext, deploymentId: string): Promise<number> {
  const client = ctx.client();
  const verbose = ctx.flags.bool('verbose');
  const id = (s: string): string => (verbose ? s : shortId(s));
  const stamp = (): string => formatTimestamp(ctx.io.now(), ctx.io.tzOffsetMinutes);
  const table = (d: Deployment): string => deployedTable(d, (ns) => ctx.time(ns));
  ctx.out(`==> ${stamp()}: Monitoring deployment "${id(deploymentId)}"`);
  // On a terminal the table is redrawn in place (as Nomad's); piped output gets one table per change.
  const live = (ctx.io.stdout as { isTTY?: boolean }).isTTY === true;
  let index = 0;
  let shown = '';
  let drawnLines = 0;
  while (!ctx.signal.aborted) {
    const res = await client.readDeployment(deploymentId, { index, waitMs: POLL_WAIT_MS, signal: ctx.signal });
    const d = res.data;
    if (d.Status !== 'running' && d.Status !== 'paused') {
      if (live && drawnLines > 0) ctx.io.stdout.write(`\x1b[${drawnLines}A\x1b[J`);
      return finish(ctx, d, id, table);
    }
    const view = `    ${stamp()}: ${d.StatusDescription}\n${indent(table(d))}`;
    const key = table(d) + d.StatusDescription;
    if (key !== shown) {
      if (live && drawnLines > 0) ctx.io.stdout.write(`\x1b[${drawnLines}A\x1b[J`);
      ctx.out(view);
      drawnLines = view.split('\n').length;
    }
    shown = key;
    // A server that does not block answers at once with the same index: do not spin.
    if (res.index === index) await sleep(250, ctx.signal);
    index = res.index;
  }
  return 1;
}

function finish(ctx: CommandContext, d: Deployment, id: (s: string) => string, table: (d: Deployment) => string): number {
  const ok = d.Status === 'successful';
  ctx.out(ok ? `  ✓ Deployment "${id(d.ID)}" successful` : `  ! Deployment "${id(d.ID)}" ${d.Status}`);
  ctx.out('');
  ctx.out(indent(deploymentHeader(d, id)));
  ctx.out('');
  ctx.out(indent(`Deployed\n${table(d)}`));
  return ok ? 0 : 1;
}

const indent = (text: string): string => text.split('\n').map((l) => `    ${l}`).join('\n');
