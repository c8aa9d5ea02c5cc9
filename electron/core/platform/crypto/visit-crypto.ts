import type { Sodium } from './sodium.js';

/**
 * The two operations that make a visit safe to keep on a kiosk and to send over any network:
 * sealed to the upstream's X25519 key (crypto_box_seal: anonymous sender, only the upstream can
 * open it, so a stolen kiosk reveals nothing) and signed by the device's Ed25519 key (the upstream
 * knows which registered kiosk produced it and that nothing was changed on the way).
 */

const signingContext = 'kelu/visit/v1';

/** Bytes the device signs: the item's id, device and time bound to the exact sealed bytes. */
export function visitSigningMessage(
  sodium: Sodium,
  item: { id: string; deviceId: string; createdAt: string; sealed: Uint8Array },
): Uint8Array {
  const header = sodium.from_string(`${signingContext}\n${item.id}\n${item.deviceId}\n${item.createdAt}\n`);
  const out = new Uint8Array(header.length + item.sealed.length);
  out.set(header, 0);
  out.set(item.sealed, header.length);
  return out;
}

export function sealTo(sodium: Sodium, plaintext: Uint8Array, upstreamPublicKey: Uint8Array): Uint8Array {
  return sodium.crypto_box_seal(plaintext, upstreamPublicKey);
}

/** Opens a sealed envelope (upstream only); null when the bytes were not sealed to this key pair. */
export function openSealed(
  sodium: Sodium,
  sealed: Uint8Array,
  publicKey: Uint8Array,
  secretKey: Uint8Array,
): Uint8Array | null {
  try {
    return sodium.crypto_box_seal_open(sealed, publicKey, secretKey);
  } catch {
    return null;
  }
}

export function signDetached(sodium: Sodium, message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_sign_detached(message, secretKey);
}

export function verifyDetached(sodium: Sodium, sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return sodium.crypto_sign_verify_detached(sig, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * A public key's fingerprint for people to compare with a published one (issue 17 item 16): its
 * 128-bit BLAKE2b hash in hex; the key id is its first 16 digits.
 */
export function keyFingerprint(sodium: Sodium, publicKey: Uint8Array): string {
  return sodium.to_hex(sodium.crypto_generichash(16, publicKey, null));
}

/** Short stable identifier of a public key (first 16 hex digits of its BLAKE2b hash). */
export function keyId(sodium: Sodium, publicKey: Uint8Array): string {
  return sodium.to_hex(sodium.crypto_generichash(16, publicKey, null)).slice(0, 16);
}
