import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getSodium } from '../crypto/sodium.js';

/**
 * A hand-off keeps no full IIN. It stores the masked IIN (for the list) and a keyed BLAKE2b tag of
 * the IIN under a device-local key. To resolve, staff type the IIN from the ID document in front
 * of them; the kiosk checks it against the tag and only then seals it into the visit.
 *
 * Why a keyed tag and not encryption with the same key: with encryption, whoever copies the
 * database and the key reads every waiting patient's IIN at once; with the tag they must guess
 * each IIN (the checksum and date structure leave ~10^9 candidates per tag), and staff are made
 * to read the real document, which is the point of the check. Without the key file the tags are
 * useless.
 */
export const IIN_TAG_KEY_FILE = 'handoff-iin.key';

export async function loadOrCreateTagKey(dataDir: string): Promise<Uint8Array> {
  const file = join(dataDir, IIN_TAG_KEY_FILE);
  const sodium = await getSodium();
  if (existsSync(file)) {
    const key = readFileSync(file);
    if (key.length !== sodium.crypto_generichash_KEYBYTES) throw new Error(`${file} is damaged (wrong length); restore it or remove it (waiting hand-offs then need a new entry)`);
    return new Uint8Array(key);
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = sodium.crypto_generichash_keygen();
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

export async function iinTag(key: Uint8Array, iin: string): Promise<string> {
  const sodium = await getSodium();
  return sodium.to_hex(sodium.crypto_generichash(32, `kelu-handoff-iin:${iin}`, key));
}

export async function tagsEqual(a: string, b: string): Promise<boolean> {
  const sodium = await getSodium();
  if (a.length !== b.length || !/^[0-9a-f]+$/.test(a) || !/^[0-9a-f]+$/.test(b)) return false;
  return sodium.memcmp(sodium.from_hex(a), sodium.from_hex(b));
}
