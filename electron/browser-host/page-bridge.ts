// `window.kiosk` in the browser host: the init script (the typed page module page/bridge.page.ts,
// bundled by esbuild) and the host's side of its encoding.
//
// Playwright bindings carry JSON-like values. Camera frames are large byte arrays: `checkin.frame`
// goes over the binary frame socket (frame-socket.ts); on the binding, the page sends every
// Uint8Array/Uint8ClampedArray as a tagged base64 string. Measured on this machine
// (2 shared cores, Chromium 156, one frame per call, mean of 10):
//   320×240 RGBA: base64 9 ms, Playwright's own typed-array encoding 33 ms, number array 1390 ms;
//   640×480 RGBA: base64 67 ms, Playwright's own 155 ms, number array 6450 ms.
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { KioskEvent } from '../shared/api/bridge.js';
import {
  frameSocketKeyPrefix,
  frameSocketProtocol,
  type PageBridgeConfig,
  type PageFrameSocket,
} from './page/config.js';

export type { PageFrameSocket } from './page/config.js';

/** Name of the raw Playwright binding; the page's scripts use `window.kiosk`, never this. */
export const bindingName = '__keluHostCall';
/** The page-side function the host calls to deliver a core event to `onEvent` listeners. */
export const dispatchName = '__keluHostDispatch';
const bytesTag = '$kelu:bytes';

let bundled: string | undefined;
/** The page module (page/bridge.page.ts), bundled once per process into a script that defines installKioskBridge. */
function pageModule(): string {
  bundled ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./page/bridge.page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: '__keluPageBridge',
    platform: 'browser',
    target: 'chrome120',
    write: false,
  }).outputFiles[0]!.text;
  return bundled;
}

/**
 * The init script that runs in the page before any of its scripts: the typed page module, then the
 * call that installs `window.kiosk` with this host's names and, with `frameSocket`, its frame socket.
 */
export function makePageBridgeScript(frameSocket?: PageFrameSocket): string {
  const config: PageBridgeConfig = {
    bytesTag,
    bindingName,
    dispatchName,
    socketProtocol: frameSocketProtocol,
    socketKeyPrefix: frameSocketKeyPrefix,
    frameSocket: frameSocket ?? null,
  };
  return `${pageModule()}\n__keluPageBridge.installKioskBridge(${JSON.stringify(config)});`;
}

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
    return {
      [bytesTag]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
      clamped: value instanceof Uint8ClampedArray,
    };
  }
  if (Array.isArray(value)) return value.map(encodeForPage);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeForPage(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null)
    return value;
  return null;
}

/** The expression that hands one event to the page's listeners. */
export const dispatchExpression = (event: KioskEvent): string =>
  `window[${JSON.stringify(dispatchName)}] && window[${JSON.stringify(dispatchName)}](${JSON.stringify(encodeForPage(event))})`;
