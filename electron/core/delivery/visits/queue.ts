import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { localDayHour } from '../../platform/local-day.js';
import { UserFacingError } from '../../../shared/api/define.js';
import { getSodium, sealTo, signDetached, visitSigningMessage } from '../../platform/crypto/index.js';
import { maskIin } from '../../platform/identity/iin.js';
import type { KioskKeys } from '../keys/index.js';
import { guardStore, StoreError, type StoreErrorKind } from '../../platform/store/index.js';
import { envelopeSchema, type VisitEnvelope } from '../../../shared/protocol/envelope.js';

/** What a check-in path hands over; the queue fills in v, ids, clinic, device and time. */
export const envelopeFieldsSchema = envelopeSchema
  .omit({ v: true, visitId: true, clinicId: true, deviceId: true, createdAt: true })
  .extend({
    v: z.literal(1).optional(),
    /** Defaults to the clinic the kiosk was provisioned for. */
    clinicId: z.string().min(1).max(64).optional(),
    /** Only for tools and tests that need a known id; normally generated here. */
    visitId: z.uuid().optional(),
    createdAt: z.iso.datetime().optional(),
  })
  .strict();
export type EnvelopeFields = z.input<typeof envelopeFieldsSchema>;

export interface QueuedVisit {
  visitId: string;
  ticket: string;
  maskedIin: string;
}

export interface VisitQueue {
  /**
   * Validates, seals to the pinned upstream key, signs with the device key and stores the sealed
   * row, the masked receipt and the next ticket number in ONE transaction. Throws VisitNotStoredError when
   * the disk is full or read-only (the patient is sent to reception; nothing queued is lost).
   */
  queueVisit(fields: EnvelopeFields): Promise<QueuedVisit>;
}

/**
 * The visit could not be stored (disk full, read-only, damaged database). Its message is for the
 * patient's screen (go to reception); `kind` is for IT. Nothing already queued is affected.
 */
export class VisitNotStoredError extends UserFacingError {
  override readonly name = 'VisitNotStoredError';
  constructor(
    readonly kind: StoreErrorKind,
    readonly detail: string,
  ) {
    super('This kiosk cannot store check-ins right now. Please go to the reception desk.', 'failed');
  }
}

export interface VisitQueueOptions {
  now?: () => Date;
  /** Storage failures, for IT's status (the patient gets VisitNotStoredError). */
  onStoreError?: (error: StoreError) => void;
  /** Called after a visit is durably stored (the sync engine wakes up). */
  onQueued?: () => void;
}

export function createVisitQueue(db: Database, keys: () => KioskKeys, options: VisitQueueOptions = {}): VisitQueue {
  const now = options.now ?? (() => new Date());
  const insertOutbox = db.prepare(
    'INSERT INTO outbox (id, created_at, device_id, device_key_id, upstream_key_id, sealed, sig) VALUES (@id, @createdAt, @deviceId, @deviceKeyId, @keyId, @sealed, @sig)',
  );
  const insertReceipt = db.prepare(
    'INSERT INTO receipts (visit_id, ticket, masked_iin, method, created_at) VALUES (@id, @ticket, @masked, @method, @createdAt)',
  );
  const nextTicket = db.prepare(
    `INSERT INTO ticket_counter (day, last) VALUES (?, 1)
     ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last`,
  );
  const write = db.transaction(
    (row: {
      id: string;
      createdAt: string;
      deviceId: string;
      deviceKeyId: string;
      keyId: string;
      sealed: Uint8Array;
      sig: Uint8Array;
      masked: string;
      method: string;
      day: string;
    }) => {
      const { last } = nextTicket.get(row.day) as { last: number };
      const ticket = `A-${String(last).padStart(3, '0')}`;
      insertOutbox.run({
        id: row.id,
        createdAt: row.createdAt,
        deviceId: row.deviceId,
        deviceKeyId: row.deviceKeyId,
        keyId: row.keyId,
        sealed: row.sealed,
        sig: row.sig,
      });
      insertReceipt.run({ id: row.id, ticket, masked: row.masked, method: row.method, createdAt: row.createdAt });
      return ticket;
    },
  );

  return {
    async queueVisit(input) {
      const sodium = await getSodium();
      const parsedFields = envelopeFieldsSchema.safeParse(input);
      if (!parsedFields.success) {
        throw new UserFacingError(
          `The visit is not valid: ${parsedFields.error.issues.map((i) => `${i.path.join('.') || 'visit'}: ${i.message}`).join('; ')}`,
          'bad-input',
        );
      }
      const { device, provisioning } = keys();
      const at = now();
      const envelope: VisitEnvelope = envelopeSchema.parse({
        ...parsedFields.data,
        v: 1,
        visitId: parsedFields.data.visitId ?? randomUUID(),
        clinicId: parsedFields.data.clinicId ?? provisioning.clinicId,
        deviceId: device.deviceId,
        createdAt: parsedFields.data.createdAt ?? at.toISOString(),
      });
      checkMethodFields(envelope);
      // The plaintext exists only here, for the moment of sealing.
      const sealed = sealTo(sodium, sodium.from_string(JSON.stringify(envelope)), provisioning.upstreamPublicKeyBytes);
      const sig = signDetached(
        sodium,
        visitSigningMessage(sodium, {
          id: envelope.visitId,
          deviceId: device.deviceId,
          createdAt: envelope.createdAt,
          sealed,
        }),
        device.secretKey,
      );
      let ticket: string;
      try {
        ticket = guardStore(() =>
          write.immediate({
            id: envelope.visitId,
            createdAt: envelope.createdAt,
            deviceId: device.deviceId,
            deviceKeyId: device.keyId,
            keyId: provisioning.upstreamKeyId,
            sealed,
            sig,
            masked: maskIin(envelope.iin),
            method: envelope.method,
            day: localDayHour(at).day,
          }),
        );
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        options.onStoreError?.(err);
        throw new VisitNotStoredError(err.kind, err.message);
      }
      options.onQueued?.();
      return { visitId: envelope.visitId, ticket, maskedIin: maskIin(envelope.iin) };
    },
  };
}

/** Each method carries its own evidence; an envelope without it is a bug in the caller. */
function checkMethodFields(e: VisitEnvelope): void {
  const missing =
    (e.method === 'face' && !e.face) ||
    (e.method === 'egov-code' && !e.egov?.code) ||
    (e.method === 'egov-qr' && !e.egov?.token && !e.egov?.code) ||
    (e.method === 'staff-verified' && !e.staff);
  if (missing)
    throw new UserFacingError(`The visit is not valid: method "${e.method}" needs its evidence`, 'bad-input');
}
