import { createHash, createHmac } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { getSodium, type Sodium } from '../../electron/core/platform/crypto/index.js';
import { readUpstreamKeyPair, type UpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';

/**
 * The hub's secrets live in files the operator gives, never in the database or the logs: the
 * upstream key pair(s) that open envelopes, and the reference key that encrypts face references at
 * rest. A file readable by anyone but its owner is refused (mode 0600 or 0400).
 */
export function checkSecretFileMode(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new Error(`${file}: cannot read the key file`);
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `${file}: a secret key file must be readable by its owner only (mode ${(mode & 0o777).toString(8)}; run chmod 600 ${file})`,
    );
  }
}

/** The upstream key pairs: the current one first, then the previous ones during a rotation. */
export async function readUpstreamKeys(files: string[]): Promise<UpstreamKeyPair[]> {
  if (files.length === 0) throw new Error('the hub needs its upstream key pair (--key FILE)');
  const keys: UpstreamKeyPair[] = [];
  for (const f of files) {
    checkSecretFileMode(f);
    keys.push(await readUpstreamKeyPair(f));
  }
  return keys;
}

/**
 * The reference key (32 bytes, base64, one line): secretbox for the references, and a keyed hash
 * of the IIN to look them up, so the database alone reveals neither faces nor who has one.
 */
export class ReferenceVault {
  private constructor(
    private readonly sodium: Sodium,
    private readonly key: Uint8Array,
    private readonly hashKey: Buffer,
  ) {}

  static async fromFile(file: string): Promise<ReferenceVault> {
    checkSecretFileMode(file);
    const raw = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (raw.length !== 32)
      throw new Error(
        `${file}: expected a 32-byte key in base64 (make one with \`npm run hub -- keygen --reference-key ${file}\`)`,
      );
    return ReferenceVault.fromKey(raw);
  }

  static async fromKey(raw: Uint8Array): Promise<ReferenceVault> {
    const sodium = await getSodium();
    const hashKey = createHash('sha256').update('kelu/hub/iin-key\n').update(raw).digest();
    return new ReferenceVault(sodium, new Uint8Array(raw), hashKey);
  }

  /** The lookup key of an IIN (HMAC-SHA256 under a key derived from the reference key). */
  iinKey(iin: string): Buffer {
    return createHmac('sha256', this.hashKey).update(iin).digest();
  }

  codeHash(iin: string, code: string): Buffer {
    return createHmac('sha256', this.hashKey).update(`${iin}\n${code}`).digest();
  }

  seal(plain: Uint8Array): Buffer {
    const s = this.sodium;
    const nonce = s.randombytes_buf(s.crypto_secretbox_NONCEBYTES);
    const box = s.crypto_secretbox_easy(plain, nonce, this.key);
    return Buffer.concat([nonce, box]);
  }

  open(sealed: Uint8Array): Uint8Array {
    const s = this.sodium;
    const n = s.crypto_secretbox_NONCEBYTES;
    return s.crypto_secretbox_open_easy(sealed.subarray(n), sealed.subarray(0, n), this.key);
  }
}

/** Writes a new reference key (0600), refusing to overwrite one. */
export async function writeReferenceKey(file: string): Promise<void> {
  const sodium = await getSodium();
  writeFileSync(file, `${Buffer.from(sodium.randombytes_buf(32)).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

/** Writes a new upstream key pair (0600) in the kiosk's key-file format, refusing to overwrite one. */
export async function writeUpstreamKeyPair(file: string): Promise<string> {
  const sodium = await getSodium();
  const kp = sodium.crypto_box_keypair();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const body = { v: 1, kind: 'kelu-upstream-key-pair', publicKey: b64(kp.publicKey), secretKey: b64(kp.privateKey) };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return body.publicKey;
}

export const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** 8501******34: the first four and last two digits, enough for a clerk to tell two patients apart. */
export function maskIin(iin: string): string {
  return `${iin.slice(0, 4)}******${iin.slice(-2)}`;
}
