// Camera frames from the page to core as binary WebSocket messages, instead of base64 through the
// Playwright binding (which carries JSON only). The socket listens on 127.0.0.1 with a port the OS
// picks; Chromium reaches it as ws://kelu.localhost/… (the host maps that name to the port with
// --host-resolver-rules), so the page's CSP (`connect-src 'self'`) stays as strict as in Electron.
//
// Who may use it: a handshake must carry the kiosk's Origin and the per-page secret (random, 32
// bytes, given only to the kiosk page's main frame by the init script), as a WebSocket subprotocol
// value `kelu-key.<hex>` beside `kelu-frames.v1` — never in the URL, which Chromium's console
// errors, DevTools and protocol logs show (issue 17 item 17). The server answers `kelu-frames.v1`. Only `checkin.frame` goes
// over it; everything else stays on the binding. Frames are never written anywhere: the bytes are
// a view over the received message, handed to the router (which copies them into a buffer core
// owns) and zero-filled as soon as the call returns.
//
// Wire format, page → host: one text message `{"id":N,"method":"checkin.frame","input":{…,"data":{"$kelu:payload":true}}}`
// followed by one binary message with the bytes; host → page: one text message `{"id":N,"result":…}`.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Router } from '../shared/api/router.js';
import type { CallResult } from '../shared/api/define.js';
import { encodeForPage } from './page-bridge.js';
import { frameSocketKeyPrefix, frameSocketProtocol } from './page/config.js';

/** Methods accepted over the socket: the ones that carry a camera frame. */
export const socketMethods = ['checkin.frame'] as const;
export const payloadTag = '$kelu:payload';
export const frameSocketPath = '/__kelu/frames';
/** The subprotocol the server selects; the key rides in a second, `kelu-key.<hex>`, never echoed. */
export { frameSocketProtocol };
export const frameSocketKeyProtocol = (secret: string): string => `${frameSocketKeyPrefix}${secret}`;
/** Largest binary message: a 640×480 RGBA frame (core refuses larger frames anyway). */
const maxPayload = 640 * 480 * 4;

const headerSchema = z
  .object({
    id: z.number().int().nonnegative(),
    method: z.enum(socketMethods),
    input: z.record(z.string(), z.unknown()),
  })
  .strict();

export interface FrameSocket {
  /** The port on 127.0.0.1 (Chromium's --host-resolver-rules maps the kiosk's host name to it). */
  port: number;
  /** Hex; the init script gives it to the kiosk page's main frame only. */
  secret: string;
  close(): Promise<void>;
}

export interface FrameSocketOptions {
  router: Pick<Router, 'call'>;
  /** The only Origin a handshake may come from. */
  origin: string;
}

export async function startFrameSocket(options: FrameSocketOptions): Promise<FrameSocket> {
  const secret = randomBytes(32).toString('hex');
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({
    server,
    path: frameSocketPath,
    maxPayload: maxPayload + 64 * 1024,
    perMessageDeflate: false,
    verifyClient: ({ req }: { req: IncomingMessage }) => isAllowedHandshake(req, options.origin, secret),
    // Answer only the frames protocol: the key's value is never echoed back in a header.
    handleProtocols: (protocols: Set<string>) => (protocols.has(frameSocketProtocol) ? frameSocketProtocol : false),
  });
  wss.on('connection', (ws) => serve(ws, options.router));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => server.close(() => resolve()));
      }),
  };
}

/** A handshake from the kiosk page: right Origin, no query, and the page's secret as a subprotocol value (compared in constant time). */
export function isAllowedHandshake(
  req: Pick<IncomingMessage, 'headers' | 'url'>,
  origin: string,
  secret: string,
): boolean {
  if (req.headers.origin !== origin) return false;
  // A key in the URL is refused outright: whoever put it there has already leaked it to logs.
  if ((req.url ?? '').includes('?')) return false;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  if (!offered.includes(frameSocketProtocol)) return false;
  const key = offered.find((p) => p.startsWith(frameSocketKeyPrefix))?.slice(frameSocketKeyPrefix.length);
  if (key === undefined) return false;
  const given = Buffer.from(key);
  const wanted = Buffer.from(secret);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function serve(ws: WebSocket, router: Pick<Router, 'call'>): void {
  // The header waiting for its bytes; the page sends one call at a time, and core refuses a second
  // frame while one is judged, so nothing is queued here either.
  let pending: z.infer<typeof headerSchema> | undefined;
  const answer = (id: number, result: CallResult<unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result: encodeForPage(result) }));
  };
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (!isBinary) {
      const parsed = headerSchema.safeParse(safeJson(raw.toString()));
      if (!parsed.success) return void ws.close(1008, 'bad header');
      pending = parsed.data;
      return;
    }
    const header = pending;
    pending = undefined;
    const bytes = asBytes(raw);
    if (!header) {
      bytes.fill(0);
      return void ws.close(1008, 'bytes without a header');
    }
    const input = withPayload(header.input, bytes);
    void router
      .call(header.method, input, { transport: 'browser-host' })
      .catch((): CallResult<unknown> => ({ ok: false, error: { code: 'failed', message: `${header.method} failed` } }))
      .then((result) => {
        // Core has copied what it keeps; the transport's copy goes at once.
        bytes.fill(0);
        answer(header.id, result);
      });
  });
}

/** The header's input with the payload placeholder(s) replaced by the bytes (top level only). */
function withPayload(input: Record<string, unknown>, bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === '__proto__') continue;
    out[k] = v !== null && typeof v === 'object' && (v as Record<string, unknown>)[payloadTag] === true ? bytes : v;
  }
  return out;
}

/** A Uint8Array view over the message (ws hands out a Buffer, or fragments for a split message). */
function asBytes(raw: RawData): Uint8Array {
  const buf = Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? Buffer.from(raw) : raw;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
