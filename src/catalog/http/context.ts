import type { LocalAgent } from '../local-agent.js';
import type { CatalogView } from '../view.js';
import type { CatalogWriter, NodeInput } from '../writer.js';

/** What the HTTP routes share. */
export interface CatalogContext {
  view: CatalogView;
  writer: CatalogWriter;
  agent: LocalAgent;
  datacenter: string;
  /** This agent's node, for /v1/agent/*. */
  node: NodeInput;
  /** host:port printed by /v1/status/leader. */
  leader: string;
}
