// One batch request to the upstream, and what its answer means: the engine's only network call.
import { checkUpstreamUrl } from '../keys/index.js';
import { parseRetryAfter } from './backoff.js';
import { describeNetworkError, redactUrl } from './upstream-http.js';
import type { Attempt, EngineContext, SyncSettings } from './engine-types.js';
import type { PendingRow } from './outbox.js';
import { batchErrorSchema, batchPath, batchResponseSchema, type BatchRequest } from '../../../shared/protocol/batch.js';

export type SendLimit = { timeoutMs?: number; signal?: AbortSignal };

export async function sendBatch(
  ctx: EngineContext,
  url: string,
  rows: PendingRow[],
  s: SyncSettings,
  limit: SendLimit = {},
): Promise<Attempt> {
  // Sent under the identity that signed the rows (one per batch: Outbox.nextBatch), which after a
  // new device key is not the current one; the upstream keeps that identity's registration.
  const body: BatchRequest = {
    deviceId: rows[0]?.device_id ?? ctx.deps.keys().device.deviceId,
    items: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      sealed: r.sealed.toString('base64'),
      sig: r.sig.toString('base64'),
    })),
  };
  const exchanged = await post(ctx, url, body, s, limit);
  if (!exchanged.ok) return exchanged;
  return judgeAnswer(ctx, url, exchanged.res, exchanged.text);
}

type Exchange = { ok: true; res: Response; text: string } | { ok: false; message: string };

/** POSTs the batch and reads the whole answer, within the request timeout; stop() cuts it short. */
async function post(
  ctx: EngineContext,
  url: string,
  body: BatchRequest,
  s: SyncSettings,
  limit: SendLimit,
): Promise<Exchange> {
  // The timeout covers the whole exchange, including a body that trickles in. A plain timer
  // (not AbortSignal.any over AbortSignal.timeout, whose timer Node may collect) keeps it certain.
  const abort = new AbortController();
  let timedOut = false;
  const timeoutMs = Math.min(s.requestTimeoutMs, limit.timeoutMs ?? Infinity);
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  const onHalt = () => abort.abort();
  const halt = ctx.halt();
  halt.addEventListener('abort', onHalt, { once: true });
  limit.signal?.addEventListener('abort', onHalt, { once: true });
  try {
    // Never follow a redirect (issue 17 item 4): the HTTPS rule was checked on this URL, and a 3xx
    // could send the sealed batch to a plain-HTTP host that invents verdicts. A 3xx is a failure.
    const res = await ctx.doFetch(url + batchPath, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const text = await res.text();
    return { ok: true, res, text };
  } catch (err) {
    return {
      ok: false,
      message: timedOut ? `no answer within ${timeoutMs} ms` : `network: ${describeNetworkError(err)}`,
    };
  } finally {
    clearTimeout(timer);
    halt.removeEventListener('abort', onHalt);
    limit.signal?.removeEventListener('abort', onHalt);
  }
}

/** The upstream's answer as verdicts, or why it is a failure (redirect, busy, error, bad body). */
function judgeAnswer(ctx: EngineContext, url: string, res: Response, text: string): Attempt {
  if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect' || res.redirected) {
    return {
      ok: false,
      message: `upstream answered a redirect (${res.status}${res.headers.get('location') ? ` to ${redactUrl(res.headers.get('location')!)}` : ''}): refused, redirects are never followed`,
    };
  }
  // A fetch that followed anyway (a custom one): the URL answered must pass the same rule.
  if (res.url && res.url !== url + batchPath) {
    try {
      checkUpstreamUrl(res.url);
    } catch (err) {
      return {
        ok: false,
        message: `the answer came from ${redactUrl(res.url)}: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  if (res.status === 429)
    return {
      ok: false,
      message: 'upstream busy (429)',
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), ctx.now()),
    };
  if (res.status !== 200) {
    const detail = safeJson(text, batchErrorSchema)?.error;
    return { ok: false, message: `upstream answered ${res.status}${detail ? `: ${detail}` : ''}` };
  }
  const parsed = safeJson(text, batchResponseSchema);
  if (!parsed) return { ok: false, message: 'upstream answered with a malformed body' };
  return { ok: true, results: parsed.results };
}

function safeJson<T>(
  text: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
