import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { batchPath, batchRequestSchema } from '../../electron/shared/protocol/batch.js';
import { enrolPath, enrolRequestSchema } from '../../electron/shared/protocol/enrolment.js';
import { readMigrations, schemaVersion } from './db.js';
import { EnrolRefused, type HubStore } from './store.js';
import { json, notJson, readJson, tooLarge } from '../http.js';

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

export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  node: string;
  deviceId?: string;
  items?: number;
  accepted?: number;
  duplicate?: number;
  rejected?: number;
  status?: number;
  ms?: number;
  error?: string;
}

export interface RunningHub {
  url: string;
  port: number;
  server: Server;
  registry: Registry;
  close(): Promise<void>;
}

const cursorSchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,20}\.\d{1,20}$/, 'a cursor from a previous answer (next)')
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const stageNames = ['verify', 'open', 'parse', 'lookup', 'match', 'insert'] as const;

export async function startHubServer(store: HubStore, options: HubServerOptions): Promise<RunningHub> {
  const node = options.node ?? `hub-${process.pid}`;
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const log = options.log ?? (() => {});
  const codeVersion = Math.max(0, ...readMigrations().map((m) => m.version));

  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  const items = new Counter({
    name: 'kelu_hub_items_total',
    help: 'Batch items by outcome',
    labelNames: ['status'],
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'kelu_hub_batch_seconds',
    help: 'Time to answer a batch',
    labelNames: ['code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const stages = new Counter({
    name: 'kelu_hub_stage_seconds_total',
    help: 'Time spent per step of receiving: verify, open, parse, match (CPU); lookup, insert (waiting on PostgreSQL)',
    labelNames: ['stage'],
    registers: [registry],
  });
  const pool = new Gauge({
    name: 'kelu_hub_pool_clients',
    help: 'PostgreSQL pool clients',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, store.pool.totalCount);
      this.set({ state: 'idle' }, store.pool.idleCount);
      this.set({ state: 'waiting' }, store.pool.waitingCount);
    },
  });
  void pool;

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
    if (req.method === 'POST' && url.pathname === batchPath) return batch(req, res);
    if (req.method === 'POST' && url.pathname === enrolPath) return enrol(req, res);
    if (req.method === 'GET' && url.pathname === '/v1/verdicts') return verdicts(req, res, url);
    return json(res, 404, { error: 'not found' });
  }

  async function batch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const body = await readJson(req, maxBody);
    if (body === tooLarge) return json(res, 413, { error: `the body is larger than ${maxBody} bytes` });
    if (body === notJson) return json(res, 400, { error: 'the body is not JSON' });
    const parsed = batchRequestSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return json(res, 400, { error: `bad batch: ${i?.path.join('.') ?? ''} ${i?.message ?? ''}`.slice(0, 400) });
    }
    const { deviceId } = parsed.data;
    const out = await store.receive(deviceId, parsed.data.items);
    if (out.status === 403) {
      log({ level: 'warn', msg: 'unknown device', node, deviceId: deviceId.slice(0, 128), status: 403 });
      return json(res, 403, { error: out.error });
    }
    if (out.status === 429) {
      res.setHeader('retry-after', String(out.retryAfterS));
      return json(res, 429, { error: out.error });
    }
    const count = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const r of out.results) count[r.status]++;
    for (const [k, v] of Object.entries(count)) if (v) items.inc({ status: k }, v);
    for (const s of stageNames) stages.inc({ stage: s }, out.clock[s] / 1000);
    log({
      level: 'info',
      msg: 'batch',
      node,
      deviceId,
      items: out.results.length,
      ...count,
      status: 200,
      ms: Math.round(performance.now() - t0),
    });
    return json(res, 200, { results: out.results });
  }

  async function enrol(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, 10_000);
    const r = enrolRequestSchema.safeParse(body);
    if (!r.success) return json(res, 400, { error: 'expected {token, deviceId, publicKey}' });
    try {
      const done = await store.enrolDevice(r.data.token, r.data.deviceId, Buffer.from(r.data.publicKey, 'base64'));
      log({ level: 'info', msg: 'device enrolled', node, deviceId: r.data.deviceId });
      return json(res, 200, { enrolled: r.data.deviceId, clinicId: done.clinicId, keys: done.keys });
    } catch (err) {
      if (err instanceof EnrolRefused) {
        log({ level: 'warn', msg: 'enrolment refused', node, deviceId: r.data.deviceId, error: err.message });
        return json(res, 403, { error: err.message });
      }
      throw err;
    }
  }

  async function verdicts(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const q = cursorSchema.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success)
      return json(res, 400, { error: `bad query: ${q.error.issues[0]?.path.join('.')} ${q.error.issues[0]?.message}` });
    const page = key ? await store.verdictsAfter(key, q.data.after, q.data.limit) : undefined;
    if (!page) return json(res, 401, { error: 'a consumer key is required (npm run hub -- consumer add)' });
    return json(res, 200, page);
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
