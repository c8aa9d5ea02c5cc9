import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { batchPath, batchRequestSchema } from '../electron/shared/protocol/batch.js';
import { parseFaults, type FaultPlan } from './faults.js';
import { Receiver, UnknownDeviceError } from './receiver.js';
import { json, readJson, tooLarge, notJson } from './http.js';

export interface ServerOptions {
  port: number;
  host?: string;
  adminToken?: string;
  faults?: FaultPlan;
  /** How long a "slow" answer takes to finish its body. */
  slowMs?: number;
  maxBodyBytes?: number;
}

export interface RunningUpstream {
  url: string;
  port: number;
  adminToken: string;
  server: Server;
  setFaults(spec: string, seed?: number): void;
  close(): Promise<void>;
}

const registerSchema = z
  .object({
    deviceId: z.string().min(1).max(128),
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
    clinicId: z.string().min(1).max(64).optional(),
  })
  .strict();
const faultsSchema = z.object({ spec: z.string().max(500), seed: z.number().int().optional() }).strict();

/**
 * The reference upstream's HTTP side: protocol v1 on `POST /v1/visits:batch`, optional fault
 * injection, and a token-protected admin API that answers loopback callers only (tests and IT
 * drills read what arrived; devices are registered there or with `upstream register`).
 */
export async function startServer(db: Database, receiver: Receiver, options: ServerOptions): Promise<RunningUpstream> {
  const adminToken = options.adminToken ?? randomBytes(18).toString('base64url');
  let faults: FaultPlan = options.faults ?? parseFaults('');
  const slowMs = options.slowMs ?? 1500;
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname.startsWith('/admin/')) return admin(req, res, url);
    if (req.method !== 'POST' || url.pathname !== batchPath) return json(res, 404, { error: 'not found' });
    const fault = faults.pick();
    if (fault === '500') return json(res, 500, { error: 'injected failure' });
    if (fault === '429') {
      res.setHeader('retry-after', '1');
      return json(res, 429, { error: 'slow down' });
    }
    if (fault === 'reset' && faults.coin()) return void req.socket.destroy();
    const body = await readJson(req, maxBody);
    if (body === tooLarge || body === notJson) return json(res, 400, { error: 'the body is not JSON' });
    const parsed = batchRequestSchema.safeParse(body);
    if (!parsed.success)
      return json(res, 400, {
        error: `bad batch: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      });
    let results;
    try {
      results = receiver.receive(parsed.data.deviceId, parsed.data.items, 'sync');
    } catch (err) {
      if (err instanceof UnknownDeviceError) return json(res, 403, { error: err.message });
      throw err;
    }
    // The faults below hit after the batch is stored: the kiosk never learns it, and must resend.
    switch (fault) {
      case 'reset':
        return void req.socket.destroy();
      case 'timeout':
        hanging.add(res);
        setTimeout(() => {
          hanging.delete(res);
          res.destroy();
        }, 60_000).unref();
        return;
      case 'drop-ids':
        return json(res, 200, { results: results.slice(Math.ceil(results.length / 2)) });
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"results": [{"id": ');
      case 'slow': {
        const text = JSON.stringify({ results });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(text.slice(0, 10));
        setTimeout(() => {
          if (!res.destroyed) res.end(text.slice(10));
        }, slowMs).unref();
        return;
      }
      default:
        return json(res, 200, { results });
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) return json(res, 403, { error: 'admin is loopback-only' });
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(adminToken);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return json(res, 401, { error: 'admin token required' });
    if (req.method === 'GET' && url.pathname === '/admin/visits') {
      const visits = db
        .prepare(
          'SELECT id, device_id AS deviceId, clinic_id AS clinicId, method, iin, created_at AS createdAt, received_at AS receivedAt, verdict, distance, source FROM visits ORDER BY received_at, id',
        )
        .all();
      return json(res, 200, { visits });
    }
    if (req.method === 'GET' && url.pathname === '/admin/stats') return json(res, 200, stats(db));
    if (req.method === 'POST' && url.pathname === '/admin/devices') {
      const r = registerSchema.safeParse(await readJson(req, 10_000));
      if (!r.success) return json(res, 400, { error: 'expected {deviceId, publicKey, clinicId?}' });
      receiver.registerDevice(r.data.deviceId, Buffer.from(r.data.publicKey, 'base64'), r.data.clinicId);
      return json(res, 200, { registered: r.data.deviceId });
    }
    if (req.method === 'POST' && url.pathname === '/admin/faults') {
      const r = faultsSchema.safeParse(await readJson(req, 10_000));
      if (!r.success) return json(res, 400, { error: 'expected {spec}' });
      try {
        faults = parseFaults(r.data.spec, r.data.seed);
      } catch (err) {
        return json(res, 400, { error: (err as Error).message });
      }
      return json(res, 200, { faults: faults.rates });
    }
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
    adminToken,
    server,
    setFaults(spec, seed) {
      faults = parseFaults(spec, seed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function stats(db: Database): {
  visits: number;
  deliveries: number;
  duplicatesAnswered: number;
  idsAcceptedTwice: number;
} {
  const visits = (db.prepare('SELECT count(*) AS c FROM visits').get() as { c: number }).c;
  const deliveries = (db.prepare('SELECT count(*) AS c FROM receipts_log').get() as { c: number }).c;
  const dup = (db.prepare("SELECT count(*) AS c FROM receipts_log WHERE status = 'duplicate'").get() as { c: number })
    .c;
  const twice = (
    db
      .prepare(
        "SELECT count(*) AS c FROM (SELECT visit_id FROM receipts_log WHERE status = 'accepted' GROUP BY visit_id HAVING count(*) > 1)",
      )
      .get() as { c: number }
  ).c;
  return { visits, deliveries, duplicatesAnswered: dup, idsAcceptedTwice: twice };
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}
