import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from './db.js';
import { sha256 } from './keys.js';

/**
 * The device registry, by IT: clinics, one-time enrolment tokens (no device is trusted on first
 * use), several keys per device (a new token adds one: rotation; an old one is revoked), and the
 * MIS consumers' keys. Tokens and consumer keys are shown once and stored as SHA-256 only.
 */
export class EnrolRefused extends Error {}

export async function addClinic(pool: pg.Pool, clinicId: string, name = ''): Promise<void> {
  await pool.query(
    'INSERT INTO clinics (clinic_id, name) VALUES ($1, $2) ON CONFLICT (clinic_id) DO UPDATE SET name = excluded.name',
    [clinicId, name],
  );
}

/** A one-time enrolment token for one kiosk of one clinic (only its hash is stored). */
export async function issueToken(pool: pg.Pool, clinicId: string, deviceId: string, ttlHours = 72): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  const r = await pool.query(
    'INSERT INTO enrolment_tokens (token_hash, clinic_id, device_id, expires_at) SELECT $1, clinic_id, $3, now() + make_interval(hours => $4) FROM clinics WHERE clinic_id = $2',
    [sha256(token), clinicId, deviceId, ttlHours],
  );
  if (r.rowCount !== 1)
    throw new EnrolRefused(`clinic ${clinicId} is not registered (npm run hub -- clinic add --id ${clinicId})`);
  return token;
}

/**
 * Spends a token: the device joins the token's clinic with this key (a device already enrolled
 * gains a key: rotation). The token is spent in the same transaction, once, whoever asks.
 */
export async function enrolDevice(
  pool: pg.Pool,
  token: string,
  deviceId: string,
  publicKey: Uint8Array,
): Promise<{ clinicId: string; keys: number }> {
  if (publicKey.length !== 32) throw new EnrolRefused('a device public key has 32 bytes');
  return inTransaction(pool, async (c) => {
    const t = await c.query<{ clinic_id: string; device_id: string }>(
      'UPDATE enrolment_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING clinic_id, device_id',
      [sha256(token)],
    );
    const row = t.rows[0];
    if (!row) throw new EnrolRefused('the enrolment token is unknown, expired or already used: ask IT for a new one');
    if (row.device_id !== deviceId) throw new EnrolRefused(`this token was issued for another device`);
    const d = await c.query<{ clinic_id: string }>(
      'INSERT INTO devices (device_id, clinic_id) VALUES ($1, $2) ON CONFLICT (device_id) DO UPDATE SET device_id = excluded.device_id RETURNING clinic_id',
      [deviceId, row.clinic_id],
    );
    if (d.rows[0]?.clinic_id !== row.clinic_id) throw new EnrolRefused('this device is enrolled with another clinic');
    await c.query(
      'INSERT INTO device_keys (device_id, public_key) VALUES ($1, $2) ON CONFLICT (device_id, public_key) DO UPDATE SET revoked_at = NULL',
      [deviceId, Buffer.from(publicKey)],
    );
    const n = await c.query<{ n: string }>(
      'SELECT count(*) AS n FROM device_keys WHERE device_id = $1 AND revoked_at IS NULL',
      [deviceId],
    );
    return { clinicId: row.clinic_id, keys: Number(n.rows[0]?.n ?? 0) };
  });
}

export async function revokeKey(pool: pg.Pool, deviceId: string, publicKey: Uint8Array): Promise<boolean> {
  const r = await pool.query(
    'UPDATE device_keys SET revoked_at = now() WHERE device_id = $1 AND public_key = $2 AND revoked_at IS NULL',
    [deviceId, Buffer.from(publicKey)],
  );
  return r.rowCount === 1;
}

/** A reader of one clinic's verdicts (the MIS); returns its key, shown once. */
export async function addConsumer(pool: pg.Pool, consumerId: string, clinicId: string): Promise<string> {
  const key = `kelu_mis_${randomBytes(24).toString('base64url')}`;
  await pool.query('INSERT INTO consumers (consumer_id, clinic_id, key_hash) VALUES ($1, $2, $3)', [
    consumerId,
    clinicId,
    sha256(key),
  ]);
  return key;
}
