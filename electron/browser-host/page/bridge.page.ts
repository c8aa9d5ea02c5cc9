// `window.kiosk` in the browser host, as the PAGE runs it: bundled by esbuild into the init script
// (page-bridge.ts) and run before any of the page's scripts. Typed and linted like the rest; the
// host passes its configuration as the argument of installKioskBridge.
//
// Playwright bindings carry JSON-like values, so every Uint8Array/Uint8ClampedArray goes over the
// binding as a tagged base64 string. Camera frames go over the binary frame socket instead
// (frame-socket.ts) when the host offers it; the binding is their fallback if it cannot be opened.
import type { KioskBridge, KioskEvent, KioskEventListener } from '../../shared/api/bridge.js';
import type { CallResult } from '../../shared/api/define.js';
import type { PageBridgeConfig, PageFrameSocket } from './config.js';

type Bytes = Uint8Array | Uint8ClampedArray;
type Tagged = Record<string, unknown>;
type Failure = CallResult<never>;

const isBytes = (v: unknown): v is Bytes => v instanceof Uint8Array || v instanceof Uint8ClampedArray;

function toB64(u8: Uint8Array): string {
  const withNative = u8 as Uint8Array & { toBase64?: () => string };
  if (typeof withNative.toBase64 === 'function') return withNative.toBase64();
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromB64(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const u8 = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
  return u8;
}

/** Every byte array in `v` as a tagged base64 string (the binding carries JSON-like values only). */
function encodeBytes(v: unknown, tag: string): unknown {
  if (isBytes(v))
    return {
      [tag]: toB64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)),
      clamped: v instanceof Uint8ClampedArray,
    };
  if (Array.isArray(v)) return v.map((x) => encodeBytes(x, tag));
  if (v && typeof v === 'object') {
    const out: Tagged = {};
    for (const k of Object.keys(v)) out[k] = encodeBytes((v as Tagged)[k], tag);
    return out;
  }
  return v;
}

/** encodeBytes undone: each tagged base64 string back to its byte array. */
function decodeBytes(v: unknown, tag: string): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeBytes(x, tag));
  if (v && typeof v === 'object') {
    const record = v as Tagged;
    const b64 = record[tag];
    if (typeof b64 === 'string') {
      const u8 = fromB64(b64);
      return record.clamped ? new Uint8ClampedArray(u8.buffer) : u8;
    }
    const out: Tagged = {};
    for (const k of Object.keys(record)) out[k] = decodeBytes(record[k], tag);
    return out;
  }
  return v;
}

// The one top-level byte array of a call's input, or null (then the binding carries it).
const payloadOf = (input: unknown): string | null => {
  if (!input || typeof input !== 'object') return null;
  const keys = Object.keys(input).filter((k) => isBytes((input as Tagged)[k]));
  return keys.length === 1 ? keys[0]! : null;
};

export function installKioskBridge(config: PageBridgeConfig): void {
  const { bytesTag: TAG, frameSocket: SOCKET } = config;
  const socketAllowed = SOCKET !== null && window.top === window && location.origin === SOCKET.origin;

  const encode = (v: unknown): unknown => encodeBytes(v, TAG);
  const decode = (v: unknown): unknown => decodeBytes(v, TAG);

  const listeners = new Set<KioskEventListener>();
  Object.defineProperty(window, config.dispatchName, {
    value: (event: KioskEvent) => {
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch (e) {
          console.error(e);
        }
      }
    },
    enumerable: false,
    writable: false,
    configurable: false,
  });

  // The frame socket: opened on the first frame, reopened after a close; after a failed open the
  // binding carries frames (slower, never broken).
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let socketFailed = false;
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  const openSocket = (socketConfig: PageFrameSocket): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      // The key travels as a subprotocol value, never in the URL (issue 17 item 17).
      const ws = new WebSocket(`ws://${location.host}${socketConfig.path}`, [
        config.socketProtocol,
        config.socketKeyPrefix + socketConfig.secret,
      ]);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        if (opening) {
          opening = null;
          socketFailed = true;
          reject(new Error('frame socket'));
        }
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        const closed: Failure = { ok: false, error: { code: 'failed', message: 'frame socket closed' } };
        for (const done of waiting.values()) done(closed);
        waiting.clear();
      };
      ws.onmessage = (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const m = JSON.parse(e.data) as { id: number; result: unknown };
        const done = waiting.get(m.id);
        if (done) {
          waiting.delete(m.id);
          done(decode(m.result));
        }
      };
    });
    return opening;
  };
  const viaSocket = async (
    socketConfig: PageFrameSocket,
    method: string,
    input: Tagged,
    key: string,
  ): Promise<unknown> => {
    const ws = await openSocket(socketConfig);
    const id = nextId++;
    const header: Tagged = {};
    for (const k of Object.keys(input)) header[k] = k === key ? { [socketConfig.payloadTag]: true } : input[k];
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, input: header }));
      ws.send(input[key] as Bytes);
    });
  };

  const kiosk: KioskBridge = Object.freeze({
    host: 'browser-host' as const,
    async call(method: string, input: unknown) {
      if (socketAllowed && SOCKET && !socketFailed && SOCKET.methods.includes(method)) {
        const key = payloadOf(input);
        if (key !== null) {
          try {
            return (await viaSocket(SOCKET, String(method), input as Tagged, key)) as CallResult<never>;
          } catch {
            // fall through to the binding
          }
        }
      }
      const raw = (window as unknown as Record<string, unknown>)[config.bindingName];
      if (typeof raw !== 'function')
        return { ok: false, error: { code: 'failed', message: 'kiosk host is not connected' } } satisfies Failure;
      return decode(
        await (raw as (m: string, i: unknown) => Promise<unknown>)(
          String(method),
          encode(input === undefined ? {} : input),
        ),
      ) as CallResult<never>;
    },
    onEvent(listener: KioskEventListener) {
      if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  });
  Object.defineProperty(window, 'kiosk', { value: kiosk, enumerable: true, writable: false, configurable: false });
}
