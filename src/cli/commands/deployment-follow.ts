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
  let index = 0;
  let shown = '';
  while (!ctx.signal.aborted) {
    const res = await client.readDeployment(deploymentId, { index, waitMs: POLL_WAIT_MS, signal: ctx.signal });
    const d = res.data;
    if (d.Status !== 'running' && d.Status !== 'paused') return finish(ctx, d, id, table);
    const view = `    ${stamp()}: ${d.StatusDescription}\n${indent(table(d))}`;
    const key = table(d) + d.StatusDescription;
    if (key !== shown) ctx.out(view);
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
