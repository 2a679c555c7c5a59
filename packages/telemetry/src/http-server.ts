import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probe {
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Liveness: false only when the process is wedged and a restart would help. */
  health: () => Probe;
  /** Readiness: false while starting, on standby, or draining. */
  ready: () => Probe;
}

// Not `import ... from 'node:http'`: an ES module import of it reads every export of its namespace, and three of
// them (WebSocket, MessageEvent, CloseEvent) load undici, ~60 ms of every service's start on a 2-core host
// (nodejs/node#59686). A one-shot backfill Job pays that on each run; the CommonJS module object does not.
const { createServer } = process.getBuiltinModule('node:http');

/** `/metrics` for Prometheus, `/healthz` and `/readyz` for Kubernetes probes. */
export async function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(body);
        })
        .catch((err: unknown) => {
          res.writeHead(500).end(String(err));
        });
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const probe = path === '/healthz' ? options.health() : options.ready();
      res.writeHead(probe.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(probe));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}
