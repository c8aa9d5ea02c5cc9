import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromB64, keyId, signDetached, verifyDetached, type Sodium } from '../crypto/index.js';
import type { AuditMark, AuditMarkStore, AuditSigner, AuditTrust } from './chain.js';

/**
 * The kiosk's device key as the audit log's signer. `secretKey` answers the current key (it appears
 * when IT provisions the kiosk); while there is none, rows are written unsigned.
 */
export const deviceAuditSigner = (
  sodium: Sodium,
  current: () => { secretKey: Uint8Array; keyId: string } | null,
): AuditSigner => ({
  keyId: () => current()?.keyId ?? null,
  sign: (m) => {
    const key = current();
    if (!key) throw new Error('No device key to sign the audit row with');
    return signDetached(sodium, m, key.secretKey);
  },
});

/**
 * Device public keys verify trusts, from outside the folder under test (kioskctl: the keys IT gives,
 * as registered upstream; the kiosk: its own loaded key and the ones it was provisioned with
 * before). A row `audit.key-rotated` signed by a trusted key adds the key it names; the old key
 * signs nothing after it.
 */
export function trustedAuditKeys(
  sodium: Sodium,
  publicKeys: readonly Uint8Array[],
): AuditTrust & { keyIds(): string[] } {
  const keys = new Map<string, Uint8Array>(publicKeys.map((pk) => [keyId(sodium, pk), pk]));
  const retired = new Set<string>();
  return {
    keyIds: () => [...keys.keys()],
    check(message, signature, hint) {
      const candidates = hint ? (keys.has(hint) ? [[hint, keys.get(hint)!] as const] : []) : [...keys.entries()];
      if (candidates.length === 0) return { ok: false, why: 'unknown-key' };
      for (const [id, pk] of candidates) {
        if (verifyDetached(sodium, signature, message, pk))
          return retired.has(id) ? { ok: false, why: 'bad-signature' } : { ok: true, keyId: id };
      }
      return { ok: false, why: 'bad-signature' };
    },
    rotate(fromKeyId, toKeyId, publicKeyB64) {
      let pk: Uint8Array;
      try {
        pk = fromB64(publicKeyB64);
      } catch {
        return false;
      }
      if (pk.length !== 32 || keyId(sodium, pk) !== toKeyId) return false;
      keys.set(toKeyId, pk);
      if (fromKeyId !== toKeyId) retired.add(fromKeyId);
      return true;
    },
  };
}

const markSchema = z
  .object({
    seq: z.number().int().min(0),
    hash: z.string().max(64),
    keyId: z.string().max(128),
    sig: z.string().max(200),
    ownUnsigned: z
      .object({ from: z.number().int(), seq: z.number().int(), hash: z.string().max(64), contiguous: z.boolean() })
      .strict()
      .optional(),
  })
  .strict();

export const auditMarkFile = (dataDir: string): string => join(dataDir, 'audit-head.json');

/** Reads audit-head.json; null when absent, an error when damaged (verify reports it). */
export function readAuditMark(dataDir: string): AuditMark | null {
  const file = auditMarkFile(dataDir);
  if (!existsSync(file)) return null;
  const parsed = markSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is damaged`);
  const { ownUnsigned, ...rest } = parsed.data;
  return ownUnsigned ? { ...rest, ownUnsigned } : rest;
}

/** The kiosk's audit-head.json beside the database (0600, written atomically after each signed row). */
export const fileAuditMark = (dataDir: string): AuditMarkStore => ({
  read: () => {
    try {
      return readAuditMark(dataDir);
    } catch {
      // A damaged head is treated as a head that does not match: the kiosk's next row is an alarm.
      return { seq: Number.MAX_SAFE_INTEGER, hash: '', keyId: '', sig: '' };
    }
  },
  write: (mark) => {
    // tmp + fsync + rename: a crash leaves the old head or the new one, never half (0600).
    const file = auditMarkFile(dataDir);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(mark));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  },
});
