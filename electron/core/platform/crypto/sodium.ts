import sodiumModule from 'libsodium-wrappers-sumo';

/**
 * libsodium (the sumo build, for crypto_pwhash too): audited primitives with one small API that
 * runs the same in Node, Electron and the browser host; no native build step.
 */
export type Sodium = typeof sodiumModule;

let ready: Promise<Sodium> | undefined;

/** The initialised libsodium; every caller awaits this once. */
export function getSodium(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => sodiumModule);
  return ready;
}

const B64 = () => sodiumModule.base64_variants.ORIGINAL;

export function toB64(bytes: Uint8Array): string {
  return sodiumModule.to_base64(bytes, B64());
}

export function fromB64(text: string): Uint8Array {
  return sodiumModule.from_base64(text, B64());
}
