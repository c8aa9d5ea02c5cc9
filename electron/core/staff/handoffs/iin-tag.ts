import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromB64, toB64 } from '../../platform/crypto/index.js';
import { getSodium } from '../../platform/crypto/sodium.js';
import { writeFileAtomic } from '../../delivery/keys/files.js';
import type { SecretProtector } from '../../platform/crypto/protector.js';

/**
 * A hand-off keeps no full IIN. It stores the masked IIN (the last four digits, so reception can
 * call the right patient) and a keyed, slow tag of the IIN. To resolve, staff type the IIN from
 * the ID document in front of them; the kiosk checks it against the tag and only then seals it
 * into the visit. The tag is cleared once the hand-off is resolved.
 *
 * How hard is a tag to reverse? The first six digits are a birth date and the last four are stored
 * beside the tag (the check digit among them), so about 10^5 IINs fit one entry (≈36,500 dates
 * in a century × 2 for the century/sex digit × 10 for the eighth digit ÷ 10 for the known check
 * digit), not ~10^9. So:
 * - the tag key is wrapped like the device key (safeStorage in the app) and written atomically;
 *   without it the tags are useless;
 * - with the key, each guess costs one Argon2id (crypto_pwhash, INTERACTIVE limits: 64 MiB) on
 *   top of the keyed BLAKE2b, so one entry costs about 10^5 Argon2id runs (docs/staff.md has the
 *   measured figure), not a fraction of a second;
 * - only waiting entries carry a tag.
 */
export const IIN_TAG_KEY_FILE = 'keys/handoff-iin.json';
/** The unwrapped 32-byte key of earlier versions; moved into IIN_TAG_KEY_FILE at start. */
export const LEGACY_IIN_TAG_KEY_FILE = 'handoff-iin.key';

const keyFileSchema = z
  .object({
    v: z.literal(1),
    protector: z.enum(['safe-storage', 'plain-file']),
    wrappedKey: z.string(),
    createdAt: z.string(),
  })
  .strict();

export interface TagKeyLoad {
  /** Undefined when the key exists but cannot be unwrapped (keyring gone): hand-offs are refused, the kiosk stays up. */
  key?: Uint8Array;
  problem?: string;
  /** What happened, for the audit log. */
  event?: 'created' | 'wrapped' | 'replaced-damaged' | 'migrated-legacy';
}

function writeTagKey(file: string, protector: SecretProtector, key: Uint8Array): void {
  writeFileAtomic(
    file,
    JSON.stringify(
      {
        v: 1,
        protector: protector.kind,
        wrappedKey: toB64(protector.protect(key)),
        createdAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
}

/**
 * Loads the hand-off tag key, wrapped by `protector`. A missing, empty or truncated file (a crash
 * of an earlier version while writing it; nothing was ever tagged with a key that was not fully
 * written) gets a new key; a key in the old unwrapped file or in a plain file under safeStorage is
 * wrapped now.
 */
export async function loadOrCreateTagKey(dataDir: string, protector: SecretProtector): Promise<TagKeyLoad> {
  const sodium = await getSodium();
  const file = join(dataDir, IIN_TAG_KEY_FILE);
  const legacy = join(dataDir, LEGACY_IIN_TAG_KEY_FILE);
  const size = sodium.crypto_generichash_KEYBYTES;
  if (!existsSync(file) && existsSync(legacy)) {
    const old = readFileSync(legacy);
    if (old.length === size) {
      writeTagKey(file, protector, new Uint8Array(old));
      rmSync(legacy, { force: true });
      return { key: new Uint8Array(old), event: 'migrated-legacy' };
    }
    rmSync(legacy, { force: true });
  }
  if (existsSync(file)) {
    let parsed: z.infer<typeof keyFileSchema> | undefined;
    try {
      parsed = keyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      parsed = undefined;
    }
    if (parsed) {
      if (parsed.protector === 'safe-storage' && protector.kind !== 'safe-storage') {
        return {
          problem: `The hand-off key ${file} is wrapped by the OS keyring, which this process does not have${protector.unavailableReason ? ` (${protector.unavailableReason})` : ''}.`,
        };
      }
      let key: Uint8Array;
      try {
        key =
          parsed.protector === 'plain-file'
            ? fromB64(parsed.wrappedKey)
            : protector.unprotect(fromB64(parsed.wrappedKey));
      } catch {
        return { problem: `The OS keyring could not unwrap the hand-off key ${file}.` };
      }
      if (key.length === size) {
        if (parsed.protector === 'plain-file' && protector.kind === 'safe-storage') {
          writeTagKey(file, protector, key);
          return { key, event: 'wrapped' };
        }
        return { key };
      }
    }
    // Empty, truncated or unreadable: a new key (waiting entries made with a lost key need a new entry).
    const key = sodium.crypto_generichash_keygen();
    writeTagKey(file, protector, key);
    return { key, event: 'replaced-damaged' };
  }
  const key = sodium.crypto_generichash_keygen();
  writeTagKey(file, protector, key);
  return { key, event: 'created' };
}

const slowPrefix = 'a2id$';

/** The tag stored with a waiting hand-off: Argon2id over the keyed BLAKE2b of the IIN. */
export async function iinTag(key: Uint8Array, iin: string): Promise<string> {
  const sodium = await getSodium();
  const keyed = sodium.crypto_generichash(32, `kelu-handoff-iin:${iin}`, key);
  // The salt is fixed per kiosk (derived from the key): the tag must be recomputable from the IIN alone.
  const salt = sodium.crypto_generichash(sodium.crypto_pwhash_SALTBYTES, 'kelu-handoff-iin-salt', key);
  const slow = sodium.crypto_pwhash(
    32,
    keyed,
    salt,
    sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
    sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  return slowPrefix + sodium.to_hex(slow);
}

/** Tags of earlier versions (keyed BLAKE2b only), still accepted for entries waiting at upgrade. */

/**
 * Whether `iin` is the one behind a stored tag, compared in constant time. Only the slow (Argon2id)
 * format counts: the old fast tags are refused (issue 17 item 8); an entry that still has
 * one is resolved as "left" and the patient checks in again.
 */
export async function iinMatchesTag(key: Uint8Array, iin: string, stored: string): Promise<boolean> {
  if (!stored.startsWith(slowPrefix)) return false;
  const candidate = await iinTag(key, iin);
  return tagsEqual(candidate.replace(slowPrefix, ''), stored.replace(slowPrefix, ''));
}

export async function tagsEqual(a: string, b: string): Promise<boolean> {
  const sodium = await getSodium();
  if (a.length === 0 || a.length !== b.length || !/^[0-9a-f]+$/.test(a) || !/^[0-9a-f]+$/.test(b)) return false;
  return sodium.memcmp(sodium.from_hex(a), sodium.from_hex(b));
}
