import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { batchPath } from '../../electron/shared/protocol/batch.js';
import { enrolPath } from '../../electron/shared/protocol/enrolment.js';
import { readMigrations, schemaVersion } from './db.js';
import { createHubMetrics } from './metrics.js';
import { handleBatch, handleEnrol, handleVerdicts, type LogEvent, type RouteContext } from './routes.js';
import type { HubStore } from './store.js';
import { json } from '../http.js';

/**
 * One hub node's HTTP side. A node keeps no state of its own (the registry, the rate counters and
 * the verdicts are in PostgreSQL), so any number of them serve one database behind any balancer.
 *
 *   POST /v1/visits:batch      protocol v1 (kiosks)
 *   POST /v1/devices:enrol     {token, deviceId, publicKey}: a kiosk's key, with IT's one-time token
 *   GET  /v1/verdicts?after=C  the clinic MIS's cursor (Authorization: Bearer <consumer key>)
 *   GET  /healthz  /readyz  /metrics
 */
export interface HubServerOptions {
  port: number;
  host?: string;
  node?: string;
  maxBodyBytes?: number;
  /** Structured log lines (JSON). They carry ids, counts and times: never an IIN, a code or a descriptor. */
  log?: (event: LogEvent) => void;
}

export interface RunningHub {
  url: string;
  port: number;
  server: Server;
  registry: Registry;
  close(): Promise<void>;
}

export { stageNames, type LogEvent } from './routes.js';

export async function startHubServer(store: HubStore, options: HubServerOptions): Promise<RunningHub> {
  const node = options.node ?? `hub-${process.pid}`;
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const log = options.log ?? (() => {});
  const codeVersion = Math.max(0, ...readMigrations().map((m) => m.version));

  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  const { items, batches, stages } = createHubMetrics(registry, store);

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((err: unknown) => {
        // The database is away (restarting) or another fault: the kiosk retries later; nothing was answered as stored.
        log({
          level: 'error',
          msg: 'request failed',
          node,
          error: err instanceof Error ? err.message.slice(0, 200) : 'unknown',
        });
        if (!res.headersSent) {
          res.setHeader('retry-after', '2');
          json(res, 503, { error: 'the hub cannot reach its database; retry later' });
        } else res.destroy();
      })
      .finally(() => {
        if (req.url?.startsWith(batchPath))
          batches.observe({ code: String(res.statusCode) }, (performance.now() - started) / 1000);
      });
  });
  server.keepAliveTimeout = 65_000;
  const route: RouteContext = { store, node, maxBody, log, items, stages };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (req.method === 'GET' && url.pathname === '/healthz') return json(res, 200, { ok: true, node });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      try {
        const v = await schemaVersion(store.pool);
        if (v < codeVersion)
          return json(res, 503, {
            ready: false,
            reason: `database schema ${v}, this node needs ${codeVersion}: run npm run hub -- migrate`,
          });
        return json(res, 200, { ready: true, node, schema: v });
      } catch {
        return json(res, 503, { ready: false, reason: 'database unreachable' });
      }
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      return void res.end(text);
    }
    if (req.method === 'POST' && url.pathname === batchPath) return handleBatch(route, req, res);
    if (req.method === 'POST' && url.pathname === enrolPath) return handleEnrol(route, req, res);
    if (req.method === 'GET' && url.pathname === '/v1/verdicts') return handleVerdicts(route, req, res, url);
    return json(res, 404, { error: 'not found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
