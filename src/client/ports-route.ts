import type { FastifyInstance } from 'fastify';

/** One kernel port mapping of a jail on this node (what `pot show` lists). */
export interface PortRedirection {
  label: string;
  hostPort: number;
  jailIp: string;
  jailPort: number;
  /** `<allocId>/<task>` */
  taskId: string;
}

export interface ClientPortsSource {
  portRedirections(): Promise<PortRedirection[]>;
}

/** `GET /v1/client/ports`: the node's host port → jail address mappings. */
export function registerClientPortsRoute(app: FastifyInstance, source: ClientPortsSource): void {
  app.get('/v1/client/ports', async () => {
    const list = await source.portRedirections();
    return list
      .map((p) => ({ HostPort: p.hostPort, JailIP: p.jailIp, JailPort: p.jailPort, Label: p.label, AllocID: p.taskId.split('/')[0] ?? '', Task: p.taskId.split('/')[1] ?? '' }))
      .sort((a, b) => a.HostPort - b.HostPort);
  });
}
