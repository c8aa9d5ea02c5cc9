// `window.kiosk` in the browser host: an init script in the page and the matching decoder here.
//
// Playwright bindings carry JSON-like values. Camera frames are large byte arrays: `checkin.frame`
// goes over the binary frame socket (frame-socket.ts); on the binding, the page sends every
// Uint8Array/Uint8ClampedArray as a tagged base64 string. Measured on this machine
// (2 shared cores, Chromium 156, one frame per call, mean of 10):
//   320×240 RGBA: base64 9 ms, Playwright's own typed-array encoding 33 ms, number array 1390 ms;
//   640×480 RGBA: base64 67 ms, Playwright's own 155 ms, number array 6450 ms.
import type { KioskEvent } from '../shared/api/bridge.js';

/** Name of the raw Playwright binding; the page's scripts use `window.kiosk`, never this. */
export const bindingName = '__keluHostCall';
/** The page-side function the host calls to deliver a core event to `onEvent` listeners. */
export const dispatchName = '__keluHostDispatch';
const bytesTag = '$kelu:bytes';

/** The binary frame socket (frame-socket.ts) as the page learns it: only the kiosk page's main frame gets the key. */
export interface PageFrameSocket {
  /** The kiosk's origin; the socket is offered only to the main frame on it. */
  origin: string;
  path: string;
  secret: string;
  /** Methods sent over the socket (their single top-level byte array goes as one binary message). */
  methods: readonly string[];
  payloadTag: string;
}

/**
 * Runs in the page before any of its scripts. Plain JS in a string: a function passed to Playwright
 * would be stringified after tsx's transform, which can inject helpers the page does not have.
 * With `frameSocket`, calls of its methods go over that WebSocket as binary (falling back to the
 * binding if it cannot be opened); every other call goes over the binding.
 */
export function makePageBridgeScript(frameSocket?: PageFrameSocket): string {
  return `(() => {
  const TAG = ${JSON.stringify(bytesTag)};
  const SOCKET = ${JSON.stringify(frameSocket ?? null)};
  const socketAllowed = SOCKET !== null && window.top === window && location.origin === SOCKET.origin;
  const toB64 = (u8) => {
    if (typeof u8.toBase64 === 'function') return u8.toBase64();
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromB64 = (b64) => {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
    const s = atob(b64); const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  const encode = (v) => {
    if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) {
      const u8 = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return { [TAG]: toB64(u8), clamped: v instanceof Uint8ClampedArray };
    }
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = encode(v[k]);
      return out;
    }
    return v;
  };
  const decode = (v) => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      if (typeof v[TAG] === 'string') {
        const u8 = fromB64(v[TAG]);
        return v.clamped ? new Uint8ClampedArray(u8.buffer) : u8;
      }
      const out = {};
      for (const k of Object.keys(v)) out[k] = decode(v[k]);
      return out;
    }
    return v;
  };
  const listeners = new Set();
  Object.defineProperty(window, ${JSON.stringify(dispatchName)}, {
    value: (event) => { for (const l of [...listeners]) { try { l(event); } catch (e) { console.error(e); } } },
    enumerable: false, writable: false, configurable: false,
  });
  // The frame socket: opened on the first frame, reopened after a close; after a failed open the
  // binding carries frames (slower, never broken).
  let socket = null;
  let opening = null;
  let socketFailed = false;
  let nextId = 1;
  const waiting = new Map();
  const openSocket = () => {
    if (socket && socket.readyState === 1) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const ws = new WebSocket('ws://' + location.host + SOCKET.path, ['kelu-frames.v1', 'kelu-key.' + SOCKET.secret]);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { socket = ws; opening = null; resolve(ws); };
      ws.onerror = () => { if (opening) { opening = null; socketFailed = true; reject(new Error('frame socket')); } };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        for (const done of waiting.values()) done({ ok: false, error: { code: 'failed', message: 'frame socket closed' } });
        waiting.clear();
      };
      ws.onmessage = (e) => {
        if (typeof e.data !== 'string') return;
        const m = JSON.parse(e.data);
        const done = waiting.get(m.id);
        if (done) { waiting.delete(m.id); done(decode(m.result)); }
      };
    });
    return opening;
  };
  // The one top-level byte array of a call's input, or null (then the binding carries it).
  const payloadOf = (input) => {
    if (!input || typeof input !== 'object') return null;
    const keys = Object.keys(input).filter((k) => input[k] instanceof Uint8Array || input[k] instanceof Uint8ClampedArray);
    return keys.length === 1 ? keys[0] : null;
  };
  const viaSocket = async (method, input, key) => {
    const ws = await openSocket();
    const id = nextId++;
    const header = {};
    for (const k of Object.keys(input)) header[k] = k === key ? { [SOCKET.payloadTag]: true } : input[k];
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, input: header }));
      ws.send(input[key]);
    });
  };
  const kiosk = Object.freeze({
    host: 'browser-host',
    async call(method, input) {
      if (socketAllowed && !socketFailed && SOCKET.methods.includes(method)) {
        const key = payloadOf(input);
        if (key !== null) {
          try {
            return await viaSocket(String(method), input, key);
          } catch {
            // fall through to the binding
          }
        }
      }
      const raw = window[${JSON.stringify(bindingName)}];
      if (typeof raw !== 'function') return { ok: false, error: { code: 'failed', message: 'kiosk host is not connected' } };
      return decode(await raw(String(method), encode(input === undefined ? {} : input)));
    },
    onEvent(listener) {
      if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  });
  Object.defineProperty(window, 'kiosk', { value: kiosk, enumerable: true, writable: false, configurable: false });
})();`;
}

/** The bridge with the binding only (every call, frames as tagged base64). */
export const pageBridgeScript = makePageBridgeScript();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Turns the page's tagged base64 objects back into byte arrays, recursively. */
export function decodeFromPage(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeFromPage);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const b64 = record[bytesTag];
    if (typeof b64 === 'string') {
      // A copy with its own ArrayBuffer: Buffer.from may hand out a slice of a shared pool.
      const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
      return record.clamped === true ? new Uint8ClampedArray(bytes.buffer) : bytes;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      if (k === '__proto__') continue;
      out[k] = decodeFromPage(v);
    }
    return out;
  }
  return value;
}

/** Encodes byte arrays in a result for the page; everything else passes as JSON. */
export function encodeForPage(value: unknown): Json {
  if (value instanceof Uint8Array || value instanceof Uint8ClampedArray) {
    return { [bytesTag]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), clamped: value instanceof Uint8ClampedArray };
  }
  if (Array.isArray(value)) return value.map(encodeForPage);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeForPage(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return null;
}

/** The expression that hands one event to the page's listeners. */
export const dispatchExpression = (event: KioskEvent): string =>
  `window[${JSON.stringify(dispatchName)}] && window[${JSON.stringify(dispatchName)}](${JSON.stringify(encodeForPage(event))})`;
