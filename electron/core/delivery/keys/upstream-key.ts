import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fromB64, getSodium, keyId } from '../../platform/crypto/index.js';

const b64Key = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a 32-byte key in base64');

/** The upstream's public key file (what a clinic's upstream hands to IT). */
export const upstreamPublicKeyFileSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('kelu-upstream-public-key'),
    publicKey: b64Key,
    note: z.string().optional(),
  })
  .strict();

/** The upstream's key pair (kept by the upstream only; the development pair ships in resources/dev-upstream). */
export const upstreamKeyPairFileSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('kelu-upstream-key-pair'),
    publicKey: b64Key,
    secretKey: b64Key,
    note: z.string().optional(),
  })
  .strict();

export interface UpstreamPublicKey {
  publicKey: Uint8Array;
  keyId: string;
}

/** Reads an upstream key file: a public-key file, a key-pair file (only its public half is used) or bare base64. */
export async function readUpstreamPublicKey(file: string): Promise<UpstreamPublicKey> {
  const sodium = await getSodium();
  const text = readFileSync(file, 'utf8').trim();
  let publicKeyB64: string;
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON`);
    }
    const pub = upstreamPublicKeyFileSchema.safeParse(json);
    const pair = upstreamKeyPairFileSchema.safeParse(json);
    if (pub.success) publicKeyB64 = pub.data.publicKey;
    else if (pair.success) publicKeyB64 = pair.data.publicKey;
    else throw new Error(`${file} is not an upstream key file (expected kind "kelu-upstream-public-key")`);
  } else {
    const bare = b64Key.safeParse(text);
    if (!bare.success) throw new Error(`${file} does not hold an upstream public key (32 bytes, base64)`);
    publicKeyB64 = bare.data;
  }
  const publicKey = fromB64(publicKeyB64);
  return { publicKey, keyId: keyId(sodium, publicKey) };
}

export interface UpstreamKeyPair extends UpstreamPublicKey {
  secretKey: Uint8Array;
}

/** Reads the upstream's own key pair (the reference receiver uses it to open envelopes). */
export async function readUpstreamKeyPair(file: string): Promise<UpstreamKeyPair> {
  const sodium = await getSodium();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not a readable JSON key file`);
  }
  const pair = upstreamKeyPairFileSchema.safeParse(json);
  if (!pair.success) throw new Error(`${file} is not an upstream key pair (expected kind "kelu-upstream-key-pair")`);
  const publicKey = fromB64(pair.data.publicKey);
  const secretKey = fromB64(pair.data.secretKey);
  if (sodium.to_hex(sodium.crypto_scalarmult_base(secretKey)) !== sodium.to_hex(publicKey))
    throw new Error(`${file}: the secret key does not match the public key`);
  return { publicKey, secretKey, keyId: keyId(sodium, publicKey) };
}
