import type { Node } from './node.js';

/**
 * Resolve a node variable as used in constraints and interpolation:
 * `node.unique.id`, `node.unique.name`, `node.datacenter`, `node.class`,
 * `node.pool`, `attr.<name>`, `meta.<key>`. Undefined when the node has no
 * such value.
 */
export function nodeVariable(node: Node, name: string): string | undefined {
  switch (name) {
    case 'node.unique.id':
      return node.ID;
    case 'node.unique.name':
      return node.Name;
    case 'node.datacenter':
      return node.Datacenter;
    case 'node.class':
      return node.NodeClass;
    case 'node.pool':
      return node.NodePool;
  }
  if (name.startsWith('attr.')) return node.Attributes[name.slice(5)];
  if (name.startsWith('meta.')) return node.Meta[name.slice(5)];
  if (name.startsWith('node.meta.')) return node.Meta[name.slice(10)];
  return undefined;
}

/** Replace every `${node.*}`, `${attr.*}`, `${meta.*}` in `text`; unknown names are left as they are. */
export function interpolateNode(text: string, node: Node): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => nodeVariable(node, name.trim()) ?? whole);
}
