import type { Database } from 'better-sqlite3';
import type { UpstreamKeyPair } from '../electron/core/delivery/keys/index.js';
import type { BatchItem, ItemResult, Verdict } from '../electron/shared/protocol/batch.js';
import type { VisitEnvelope } from '../electron/shared/protocol/envelope.js';
import { ReceiverCore, egovSecret, type CoreOptions } from './core.js';

export interface ReceiverOptions extends CoreOptions {
  now?: () => Date;
}

export class UnknownDeviceError extends Error {
  constructor(deviceId: string) {
    super(`device ${deviceId.slice(0, 128)} is not registered`);
  }
}

/**
 * The reference receiver's storage on SQLite (tests, demos, the kiosk's sync tests): the protocol
 * work — signature, sealed box, envelope checks, the verdict — is `ReceiverCore`'s, shared with the
 * PostgreSQL hub. Here: registered devices, duplicates dropped by id, a batch stored in one
 * transaction before it is answered.
 */
export class Receiver {
  private readonly now: () => Date;

  private constructor(
    private readonly db: Database,
    readonly core: ReceiverCore,
    options: ReceiverOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  static async create(db: Database, key: UpstreamKeyPair, options: ReceiverOptions): Promise<Receiver> {
    return new Receiver(db, await ReceiverCore.create([key], options), options);
  }

  /**
   * Registers a device's public key for one clinic: its visits must name that clinic. A device
   * registered without one (older tools) is bound to the clinic of its first accepted visit.
   */
  registerDevice(deviceId: string, publicKey: Uint8Array, clinicId?: string): void {
    if (publicKey.length !== 32) throw new Error('A device public key has 32 bytes');
    this.db
      .prepare(
        'INSERT INTO devices (device_id, public_key, registered_at, clinic_id) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, clinic_id = COALESCE(excluded.clinic_id, devices.clinic_id)',
      )
      .run(deviceId, publicKey, this.now().toISOString(), clinicId ?? null);
  }

  devicePublicKey(deviceId: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT public_key FROM devices WHERE device_id = ?').get(deviceId) as
      { public_key: Buffer } | undefined;
    return row ? new Uint8Array(row.public_key) : undefined;
  }

  /** Processes one batch (or an imported bundle's items); throws UnknownDeviceError for an unregistered device. */
  receive(deviceId: string, items: BatchItem[], source: 'sync' | 'import'): ItemResult[] {
    const devicePk = this.devicePublicKey(deviceId);
    if (!devicePk) throw new UnknownDeviceError(deviceId);
    // Crypto outside the transaction; the database work inside one.
    const checked = items.map((item) => this.core.check(deviceId, [devicePk], item));
    const now = this.now();
    const at = now.toISOString();
    const existing = this.db.prepare('SELECT verdict, distance, device_id FROM visits WHERE id = ?');
    const insert = this.db.prepare(
      'INSERT INTO visits (id, device_id, clinic_id, method, iin, created_at, received_at, verdict, distance, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const log = this.db.prepare('INSERT INTO receipts_log (visit_id, status, at) VALUES (?, ?, ?)');
    const clinicOf = this.db.prepare('SELECT clinic_id FROM devices WHERE device_id = ?');
    const bind = this.db.prepare('UPDATE devices SET clinic_id = ? WHERE device_id = ? AND clinic_id IS NULL');
    return this.db
      .transaction(() =>
        checked.map((c): ItemResult => {
          if ('reason' in c) return { id: c.id, status: 'rejected', reason: c.reason };
          const e = c.envelope;
          const seen = existing.get(e.visitId) as
            { verdict: Verdict; distance: number | null; device_id: string } | undefined;
          // Another device's visit id: no verdict for it, ever (issue 17 item 12).
          if (seen && seen.device_id !== deviceId)
            return { id: e.visitId, status: 'rejected', reason: 'visit-id-taken' };
          if (seen) {
            log.run(e.visitId, 'duplicate', at);
            return {
              id: e.visitId,
              status: 'duplicate',
              verdict: seen.verdict,
              ...(seen.distance !== null ? { distance: seen.distance } : {}),
            };
          }
          const refused = this.core.refusal(e, now, (clinicOf.get(deviceId) as { clinic_id: string | null }).clinic_id);
          if (refused) return { id: e.visitId, status: 'rejected', reason: refused };
          bind.run(e.clinicId, deviceId);
          const { verdict, distance } = this.judge(e);
          insert.run(
            e.visitId,
            deviceId,
            e.clinicId,
            e.method,
            e.iin,
            e.createdAt,
            at,
            verdict,
            distance ?? null,
            source,
          );
          log.run(e.visitId, 'accepted', at);
          return { id: e.visitId, status: 'accepted', verdict, ...(distance !== undefined ? { distance } : {}) };
        }),
      )
      .immediate();
  }

  private judge(e: VisitEnvelope): { verdict: Verdict; distance?: number } {
    if (e.method === 'face' && e.face) {
      // A reference made by the same model as the descriptor (check() refused unknown models).
      const ref = this.db
        .prepare('SELECT descriptor, photos FROM face_references WHERE iin = ? AND model_id = ?')
        .get(e.iin, e.face.modelId) as { descriptor: string; photos: number } | undefined;
      return this.core.judge(e, {
        reference: ref && { descriptor: JSON.parse(ref.descriptor) as number[], count: ref.photos },
      });
    }
    if (e.method === 'egov-code' || e.method === 'egov-qr') {
      return this.core.judge(e, {
        egovValid: !!this.db.prepare('SELECT 1 FROM egov_codes WHERE iin = ? AND code = ?').get(e.iin, egovSecret(e)),
      });
    }
    return this.core.judge(e, {});
  }
}

/** Template references are never judged at a one-photo threshold: the operator chooses theirs, measured. */
export function templateThresholdMissing(templates: number): string {
  return (
    `${templates} face reference(s) are templates of several photos, and no --template-threshold is set: at the model's one-photo ` +
    'threshold a template accepts more impostors (built-in model: 3–4 % instead of about 1 % of same-gender impostors at 0.44, measured on LFW). ' +
    'Measure one with `kioskctl eval-faces --identities … --template K --target-far 0.01` (about 0.41 for three photos of the built-in model) and pass --template-threshold D.'
  );
}
