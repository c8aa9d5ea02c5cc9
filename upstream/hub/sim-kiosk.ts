import { randomUUID } from 'node:crypto';
import {
  getSodium,
  sealTo,
  signDetached,
  toB64,
  visitSigningMessage,
  type Sodium,
} from '../../electron/core/platform/crypto/index.js';
import type { BatchItem } from '../../electron/shared/protocol/batch.js';
import type { VisitEnvelope } from '../../electron/shared/protocol/envelope.js';

/**
 * A kiosk as the hub sees it, for tests and the load tool: a device key pair that signs, and
 * envelopes sealed to the upstream's public key with the kiosk's own functions (crypto_box_seal,
 * Ed25519 over visitSigningMessage). No face engine: the descriptor is given.
 */
export interface SimKiosk {
  deviceId: string;
  clinicId: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export async function simKiosk(deviceId: string, clinicId: string): Promise<SimKiosk> {
  const s = await getSodium();
  const kp = s.crypto_sign_keypair();
  return { deviceId, clinicId, publicKey: kp.publicKey, secretKey: kp.privateKey };
}

export type VisitFields = Partial<Omit<VisitEnvelope, 'v' | 'deviceId' | 'clinicId'>> &
  Pick<VisitEnvelope, 'method' | 'iin'>;

/** One sealed, signed batch item, as a kiosk's outbox holds it. */
export function sealedItem(
  s: Sodium,
  kiosk: SimKiosk,
  upstreamPublicKey: Uint8Array,
  fields: VisitFields,
  signWith: Uint8Array = kiosk.secretKey,
): BatchItem {
  const envelope: VisitEnvelope = {
    v: 1,
    visitId: fields.visitId ?? randomUUID(),
    clinicId: kiosk.clinicId,
    deviceId: kiosk.deviceId,
    createdAt: fields.createdAt ?? new Date().toISOString(),
    ...fields,
  } as VisitEnvelope;
  const sealed = sealTo(s, s.from_string(JSON.stringify(envelope)), upstreamPublicKey);
  const sig = signDetached(
    s,
    visitSigningMessage(s, { id: envelope.visitId, deviceId: kiosk.deviceId, createdAt: envelope.createdAt, sealed }),
    signWith,
  );
  return { id: envelope.visitId, createdAt: envelope.createdAt, sealed: toB64(sealed), sig: toB64(sig) };
}

/** A plausible descriptor for patient i (the built-in model's 128 numbers), and one close to it. */
export function descriptorOf(i: number, jitter = 0): number[] {
  return Array.from(
    { length: 128 },
    (_, k) => Math.round((Math.sin(i * 7.1 + k) * 0.1 + jitter * Math.cos(i * 3.3 + k * 1.7)) * 1e6) / 1e6,
  );
}
