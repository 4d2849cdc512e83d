/** How ACL tokens and policies print, as Nomad's `acl token` commands do. */
import type { AclToken } from '../../acl/types.js';
import { formatKV } from '../format/table.js';

export function formatToken(t: AclToken): string {
  return formatKV([
    ['Accessor ID', t.AccessorID],
    ['Secret ID', t.SecretID ?? '<hidden: shown once, when the token was created>'],
    ['Name', t.Name || '<none>'],
    ['Type', t.Type],
    ['Global', String(t.Global ?? true)],
    ['Create Time', t.CreateTime ?? ''],
    ['Policies', t.Type === 'management' ? 'n/a (management: every right)' : t.Policies.join(', ') || '<none>'],
  ]);
}
