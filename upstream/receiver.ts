import type { Database } from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { getSodium, visitSigningMessage, type Sodium } from '../electron/core/platform/crypto/index.js';
import type { UpstreamKeyPair } from '../electron/core/delivery/keys/index.js';
import type { BatchItem, ItemResult, Verdict } from '../electron/shared/protocol/batch.js';
import { descriptorDistance } from '../electron/core/face/descriptor-distance.js';
import type { ModelInfo } from '../electron/core/face/model-package.js';
import { envelopeSchema, type VisitEnvelope } from '../electron/shared/protocol/envelope.js';
import { ed25519PublicKey, sealOpener, verifyEd25519, type SealOpener } from './fast-crypto.js';

export interface ReceiverOptions {
  /**
   * The face models this upstream has (it describes its references with them): a face visit whose
   * modelId is not among them is rejected. Each brings its metric and threshold (its manifest).
   */
  models: ModelInfo[];
  /** Overrides every model's threshold (staging, calibration). */
  faceThreshold?: number;
  /**
   * The threshold for references that are templates (the mean of two photos or more): a mean lies
   * closer to everyone, so at a one-photo threshold it accepts more impostors (docs/face-accuracy.md).
   */
  templateThreshold?: number;
  now?: () => Date;
  /** Visits created longer ago than this (by the upstream's clock) are refused: `too-old`. Default 30 days. */
  maxAgeMs?: number;
  /** Visits created further ahead than this are refused: `created-in-future`. Default 10 minutes. */
  maxFutureSkewMs?: number;
}

export class UnknownDeviceError extends Error {
  constructor(deviceId: string) {
    super(`device ${deviceId.slice(0, 128)} is not registered`);
  }
}

/**
 * What the upstream does with each item: verify the device signature (registered devices only),
 * open the envelope with its secret key, check that the envelope agrees with the outer item, drop
 * duplicates by id, and judge the visit (face descriptor against the enrolled reference, eGov code
 * against the table). A batch is stored in one transaction before it is answered.
 */
export class Receiver {
  private readonly sodium: Sodium;
  private readonly now: () => Date;
  private readonly opener: SealOpener;
  private readonly deviceKeys = new Map<string, { raw: string; key: KeyObject }>();
  private readonly models: Map<string, ModelInfo>;

  private constructor(
    private readonly db: Database,
    private readonly key: UpstreamKeyPair,
    private readonly options: ReceiverOptions,
    sodium: Sodium,
  ) {
    this.sodium = sodium;
    this.now = options.now ?? (() => new Date());
    this.opener = sealOpener(sodium, key.publicKey, key.secretKey);
    this.models = new Map(options.models.map((m) => [m.modelId, m]));
  }

  static async create(db: Database, key: UpstreamKeyPair, options: ReceiverOptions): Promise<Receiver> {
    return new Receiver(db, key, options, await getSodium());
  }

  /**
   * Registers a device's public key for one clinic: its visits must name that clinic. A device
   * registered without one (older tools) is bound to the clinic of its first accepted visit.
   */
  registerDevice(deviceId: string, publicKey: Uint8Array, clinicId?: string): void {
    if (publicKey.length !== 32) throw new Error('A device public key has 32 bytes');
    this.db
      .prepare(
        'INSERT INTO devices (device_id, public_key, registered_at, clinic_id) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, clinic_id = excluded.clinic_id',
      )
      .run(deviceId, publicKey, this.now().toISOString(), clinicId ?? null);
  }

  devicePublicKey(deviceId: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT public_key FROM devices WHERE device_id = ?').get(deviceId) as { public_key: Buffer } | undefined;
    return row ? new Uint8Array(row.public_key) : undefined;
  }

  /** Processes one batch (or an imported bundle's items); throws UnknownDeviceError for an unregistered device. */
  receive(deviceId: string, items: BatchItem[], source: 'sync' | 'import'): ItemResult[] {
    const devicePk = this.devicePublicKey(deviceId);
    if (!devicePk) throw new UnknownDeviceError(deviceId);
    // Crypto outside the transaction; the database work inside one.
    const hex = Buffer.from(devicePk).toString('hex');
    let cached = this.deviceKeys.get(deviceId);
    if (cached?.raw !== hex) this.deviceKeys.set(deviceId, (cached = { raw: hex, key: ed25519PublicKey(devicePk) }));
    const verifier = cached.key;
    const checked = items.map((item) => this.check(deviceId, verifier, item));
    const at = this.now().toISOString();
    const existing = this.db.prepare('SELECT verdict, distance FROM visits WHERE id = ?');
    const insert = this.db.prepare(
      'INSERT INTO visits (id, device_id, clinic_id, method, iin, created_at, received_at, verdict, distance, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const log = this.db.prepare('INSERT INTO receipts_log (visit_id, status, at) VALUES (?, ?, ?)');
    const clinicOf = this.db.prepare('SELECT clinic_id FROM devices WHERE device_id = ?');
    const bind = this.db.prepare('UPDATE devices SET clinic_id = ? WHERE device_id = ? AND clinic_id IS NULL');
    return this.db.transaction(() =>
      checked.map((c): ItemResult => {
        if ('reason' in c) return { id: c.id, status: 'rejected', reason: c.reason };
        const e = c.envelope;
        const seen = existing.get(e.visitId) as { verdict: Verdict; distance: number | null } | undefined;
        if (seen) {
          log.run(e.visitId, 'duplicate', at);
          return { id: e.visitId, status: 'duplicate', verdict: seen.verdict, ...(seen.distance !== null ? { distance: seen.distance } : {}) };
        }
        const refused = this.refusal(e, at, (clinicOf.get(deviceId) as { clinic_id: string | null }).clinic_id);
        if (refused) return { id: e.visitId, status: 'rejected', reason: refused };
        bind.run(e.clinicId, deviceId);
        const { verdict, distance } = this.judge(e);
        insert.run(e.visitId, deviceId, e.clinicId, e.method, e.iin, e.createdAt, at, verdict, distance ?? null, source);
        log.run(e.visitId, 'accepted', at);
        return { id: e.visitId, status: 'accepted', verdict, ...(distance !== undefined ? { distance } : {}) };
      }),
    ).immediate();
  }

  private check(deviceId: string, devicePk: KeyObject, item: BatchItem): { id: string; envelope: VisitEnvelope } | { id: string; reason: string } {
    const s = this.sodium;
    let sealed: Uint8Array;
    let sig: Uint8Array;
    try {
      sealed = s.from_base64(item.sealed, s.base64_variants.ORIGINAL);
      sig = s.from_base64(item.sig, s.base64_variants.ORIGINAL);
    } catch {
      return { id: item.id, reason: 'bad-encoding' };
    }
    if (!verifyEd25519(devicePk, visitSigningMessage(s, { id: item.id, deviceId, createdAt: item.createdAt, sealed }), sig)) {
      return { id: item.id, reason: 'bad-signature' };
    }
    const opened = this.opener.open(sealed);
    if (!opened) return { id: item.id, reason: 'cannot-open: not sealed to this upstream key' };
    let json: unknown;
    try {
      json = JSON.parse(s.to_string(opened));
    } catch {
      return { id: item.id, reason: 'invalid-envelope: not JSON' };
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) return { id: item.id, reason: `invalid-envelope: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
    const e = parsed.data;
    if (e.visitId !== item.id || e.deviceId !== deviceId || e.createdAt !== item.createdAt) return { id: item.id, reason: 'mismatch: the envelope does not match its item' };
    if (e.face) {
      const model = this.models.get(e.face.modelId);
      if (!model) return { id: item.id, reason: `unknown-model: this upstream has no face model ${e.face.modelId.slice(0, 80)} (it has ${[...this.models.keys()].join(', ')})` };
      if (e.face.descriptor.length !== model.embeddingSize) return { id: item.id, reason: `invalid-envelope: face.descriptor has ${e.face.descriptor.length} numbers; model ${model.modelId} makes ${model.embeddingSize}` };
    }
    return { id: item.id, envelope: e };
  }

  /** What the envelope claims that the upstream does not take on trust: its clinic and its time. */
  private refusal(e: VisitEnvelope, receivedAt: string, deviceClinic: string | null): string | undefined {
    if (deviceClinic !== null && e.clinicId !== deviceClinic) return 'wrong-clinic: this device is registered to another clinic';
    const age = Date.parse(receivedAt) - Date.parse(e.createdAt);
    if (age < -(this.options.maxFutureSkewMs ?? 10 * 60_000)) return 'created-in-future: check the kiosk clock';
    if (age > (this.options.maxAgeMs ?? 30 * 86_400_000)) return 'too-old: created longer ago than the upstream accepts';
    return undefined;
  }

  private judge(e: VisitEnvelope): { verdict: Verdict; distance?: number } {
    if (e.method === 'face') {
      if (!e.face) return { verdict: 'face-no-reference' };
      const model = this.models.get(e.face.modelId);
      // A reference made by the same model as the descriptor (check() refused unknown models).
      const ref = this.db.prepare('SELECT descriptor, photos FROM face_references WHERE iin = ? AND model_id = ?').get(e.iin, e.face.modelId) as { descriptor: string; photos: number } | undefined;
      if (!ref || !model) return { verdict: 'face-no-reference' };
      const distance = descriptorDistance(JSON.parse(ref.descriptor) as number[], e.face.descriptor, model.metric);
      // A template without its own threshold never matches (startUpstream refuses to start so).
      const threshold = ref.photos > 1 ? (this.options.templateThreshold ?? -1) : (this.options.faceThreshold ?? model.threshold);
      // A match without the head-turn challenge proves the face, not a live person: its own verdict.
      const match = e.face.presence.challenge === 'off' ? 'face-match-unchallenged' : 'face-match';
      return { verdict: distance < threshold ? match : 'face-mismatch', distance: Math.round(distance * 1e4) / 1e4 };
    }
    if (e.method === 'egov-code' || e.method === 'egov-qr') {
      const code = e.egov?.code ?? e.egov?.token ?? '';
      const ok = this.db.prepare('SELECT 1 FROM egov_codes WHERE iin = ? AND code = ?').get(e.iin, code);
      return { verdict: ok ? 'egov-valid' : 'egov-invalid' };
    }
    return { verdict: 'staff-verified' };
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
