import type { AllocListStub } from '../../api/index.js';
import { shortId } from '../../structs/index.js';
import { formatTable } from './table.js';

export interface AllocTableOptions {
  verbose: boolean;
  ago(ns: number): string;
}

/** Nomad's allocation table (job status, job allocs, node status), newest first. */
export function formatAllocTable(allocs: readonly AllocListStub[], opts: AllocTableOptions): string {
  const id = (s: string): string => (opts.verbose ? s : shortId(s));
  const header = opts.verbose
    ? ['ID', 'Eval ID', 'Node ID', 'Node Name', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified']
    : ['ID', 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'];
  const rows = [...allocs]
    .sort((a, b) => b.CreateIndex - a.CreateIndex || b.CreateTime - a.CreateTime)
    .map((a) => {
      const common = [a.TaskGroup, String(a.JobVersion), a.DesiredStatus, a.ClientStatus, opts.ago(a.CreateTime), opts.ago(a.ModifyTime)];
      return opts.verbose ? [id(a.ID), id(a.EvalID), id(a.NodeID), a.NodeName, ...common] : [id(a.ID), id(a.NodeID), ...common];
    });
  return formatTable([header, ...rows]);
}
