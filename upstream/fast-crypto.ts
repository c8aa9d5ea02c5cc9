import { createRequire } from 'node:module';

/**
 * The receiver's hot path — Ed25519 verification and crypto_box_seal_open — in native libsodium
 * (`sodium-native`, prebuilt in its npm package) instead of libsodium's WebAssembly build. The same
 * library, so the same bytes: a kiosk keeps sealing and signing with libsodium-wrappers (protocol v1
 * unchanged), and tests open and verify its envelopes here and refuse tampered ones. Measured
 * (`npm run hub:bench-steps`, CPU per visit): verify 1.7–2.1× faster than Node's OpenSSL Ed25519,
 * seal-open 1.4–1.6× faster than OpenSSL X25519 + WebAssembly for the rest, no per-visit key objects.
 */
interface NativeSodium {
  crypto_sign_PUBLICKEYBYTES: number;
  crypto_sign_BYTES: number;
  crypto_box_PUBLICKEYBYTES: number;
  crypto_box_SECRETKEYBYTES: number;
  crypto_box_SEALBYTES: number;
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
  crypto_box_seal_open(message: Buffer, ciphertext: Buffer, publicKey: Buffer, secretKey: Buffer): boolean;
}

const native = createRequire(import.meta.url)('sodium-native') as NativeSodium;

const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Ed25519 detached verification (libsodium's crypto_sign_verify_detached); false for any malformed input. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== native.crypto_sign_BYTES || publicKey.length !== native.crypto_sign_PUBLICKEYBYTES) return false;
  try {
    return native.crypto_sign_verify_detached(asBuffer(sig), asBuffer(message), asBuffer(publicKey));
  } catch {
    return false;
  }
}

export interface SealOpener {
  /** The plaintext, or null when the bytes were not sealed to this key pair (or were changed). */
  open(sealed: Uint8Array): Uint8Array | null;
}

/** crypto_box_seal_open with one upstream key pair (libsodium's own, native). */
export function sealOpener(publicKey: Uint8Array, secretKey: Uint8Array): SealOpener {
  if (publicKey.length !== native.crypto_box_PUBLICKEYBYTES || secretKey.length !== native.crypto_box_SECRETKEYBYTES)
    throw new Error('an upstream key pair is 32 + 32 bytes (X25519)');
  // Copies the caller cannot clear under us; the secret stays in this closure only.
  const pk = Buffer.from(publicKey);
  const sk = Buffer.from(secretKey);
  return {
    open(sealed) {
      if (sealed.length < native.crypto_box_SEALBYTES) return null;
      const out = Buffer.alloc(sealed.length - native.crypto_box_SEALBYTES);
      try {
        return native.crypto_box_seal_open(out, asBuffer(sealed), pk, sk) ? out : null;
      } catch {
        return null;
      }
    },
  };
}
