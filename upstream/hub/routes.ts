// One hub node's API routes: a kiosk's batch, a kiosk's enrolment, the clinic MIS's verdicts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import { batchRequestSchema } from '../../electron/shared/protocol/batch.js';
import { enrolRequestSchema } from '../../electron/shared/protocol/enrolment.js';
import { EnrolRefused, type HubStore } from './store.js';
import { json, notJson, readJson, tooLarge } from '../http.js';

const cursorSchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,20}\.\d{1,20}$/, 'a cursor from a previous answer (next)')
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const stageNames = ['verify', 'open', 'parse', 'lookup', 'match', 'insert'] as const;

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

/** What the routes need of the node: its store, name, body limit, log and the counters they add to. */
export interface RouteContext {
  store: HubStore;
  node: string;
  maxBody: number;
  log: (event: LogEvent) => void;
  items: Counter;
  stages: Counter;
}

export async function handleBatch(c: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { store, node, maxBody, log, items, stages } = c;
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

export async function handleEnrol(c: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { store, node, log } = c;
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

export async function handleVerdicts(
  c: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { store } = c;
  const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const q = cursorSchema.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success)
    return json(res, 400, { error: `bad query: ${q.error.issues[0]?.path.join('.')} ${q.error.issues[0]?.message}` });
  const page = key ? await store.verdictsAfter(key, q.data.after, q.data.limit) : undefined;
  if (!page) return json(res, 401, { error: 'a consumer key is required (npm run hub -- consumer add)' });
  return json(res, 200, page);
}
