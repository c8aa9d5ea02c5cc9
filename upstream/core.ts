import { getSodium, visitSigningMessage, type Sodium } from '../electron/core/platform/crypto/index.js';
import type { UpstreamKeyPair } from '../electron/core/delivery/keys/index.js';
import type { BatchItem, Verdict } from '../electron/shared/protocol/batch.js';
import { descriptorDistance } from '../electron/core/face/descriptor-distance.js';
import type { ModelInfo } from '../electron/core/face/model-package.js';
import { envelopeSchema, type VisitEnvelope } from '../electron/shared/protocol/envelope.js';
import { sealOpener, verifyEd25519, type SealOpener } from './fast-crypto.js';

/**
 * Protocol v1's receiving side, once: what every receiver does with an item before it stores
 * anything — verify the device signature, open the sealed envelope with the upstream's secret key,
 * check the envelope against its outer item, refuse what the upstream does not take on trust (its
 * clinic, its time), and judge it. Storage (dedupe by visit id, the verdict) is the backend's: the
 * SQLite reference receiver (`Receiver`) and the PostgreSQL hub (`hub/`) both call this core.
 */
export interface CoreOptions {
  /** The face models this upstream has; a face visit of another model is rejected. */
  models: ModelInfo[];
  /** Overrides every model's threshold (staging, calibration). */
  faceThreshold?: number;
  /** The threshold for references that are templates (the mean of two descriptors or more). */
  templateThreshold?: number;
  /** Visits created longer ago than this are refused: `too-old`. Default 30 days. */
  maxAgeMs?: number;
  /** Visits created further ahead than this are refused: `created-in-future`. Default 10 minutes. */
  maxFutureSkewMs?: number;
}

export type Checked = { id: string; envelope: VisitEnvelope; keyIndex: number } | { id: string; reason: string };

/** Time spent in each step, summed over calls (the hub's cost split; the reference receiver ignores it). */
export interface StageClock {
  verify: number;
  open: number;
  parse: number;
  match: number;
}

/** The reference a face visit is compared with: one descriptor (a photo) or a template (the mean of several). */
export interface FaceReference {
  descriptor: number[];
  /** How many descriptors it is the mean of. */
  count: number;
}

export class ReceiverCore {
  readonly models: Map<string, ModelInfo>;
  private readonly openers: SealOpener[];

  private constructor(
    readonly sodium: Sodium,
    keys: UpstreamKeyPair[],
    readonly options: CoreOptions,
  ) {
    if (keys.length === 0) throw new Error('an upstream needs its key pair');
    this.openers = keys.map((k) => sealOpener(k.publicKey, k.secretKey));
    this.models = new Map(options.models.map((m) => [m.modelId, m]));
  }

  /**
   * `keys`: the current upstream key pair first, then the previous one(s) during a rotation. Envelope
   * v1 carries no key id, so an envelope is tried with each key in turn (the MAC refuses a wrong key).
   */
  static async create(keys: UpstreamKeyPair[], options: CoreOptions): Promise<ReceiverCore> {
    return new ReceiverCore(await getSodium(), keys, options);
  }

  /**
   * Signature (any of the device's raw 32-byte Ed25519 keys), sealed box, envelope shape and
   * agreement with its item.
   */
  check(deviceId: string, deviceKeys: Uint8Array[], item: BatchItem, clock?: StageClock): Checked {
    const s = this.sodium;
    const sealed = strictBase64(item.sealed);
    const sig = strictBase64(item.sig);
    if (!sealed || !sig) return { id: item.id, reason: 'bad-encoding' };
    let t = clock ? performance.now() : 0;
    const message = visitSigningMessage(s, { id: item.id, deviceId, createdAt: item.createdAt, sealed });
    const signed = deviceKeys.some((k) => verifyEd25519(k, message, sig));
    if (clock) clock.verify += performance.now() - t;
    if (!signed) return { id: item.id, reason: 'bad-signature' };
    t = clock ? performance.now() : 0;
    let opened: Uint8Array | null = null;
    let keyIndex = 0;
    for (; keyIndex < this.openers.length && !opened; keyIndex++) opened = this.openers[keyIndex]!.open(sealed);
    if (clock) clock.open += performance.now() - t;
    if (!opened) return { id: item.id, reason: 'cannot-open: not sealed to this upstream key' };
    t = clock ? performance.now() : 0;
    try {
      let json: unknown;
      try {
        json = JSON.parse(utf8.decode(opened));
      } catch {
        return { id: item.id, reason: 'invalid-envelope: not JSON' };
      } finally {
        opened.fill(0);
      }
      const parsed = envelopeSchema.safeParse(json);
      if (!parsed.success)
        return {
          id: item.id,
          reason:
            `invalid-envelope: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
        };
      const e = parsed.data;
      if (e.visitId !== item.id || e.deviceId !== deviceId || e.createdAt !== item.createdAt)
        return { id: item.id, reason: 'mismatch: the envelope does not match its item' };
      if (e.face) {
        const model = this.models.get(e.face.modelId);
        if (!model)
          return {
            id: item.id,
            reason: `unknown-model: this upstream has no face model ${e.face.modelId.slice(0, 80)} (it has ${[...this.models.keys()].join(', ')})`,
          };
        if (e.face.descriptor.length !== model.embeddingSize)
          return {
            id: item.id,
            reason: `invalid-envelope: face.descriptor has ${e.face.descriptor.length} numbers; model ${model.modelId} makes ${model.embeddingSize}`,
          };
      }
      return { id: item.id, envelope: e, keyIndex: keyIndex - 1 };
    } finally {
      if (clock) clock.parse += performance.now() - t;
    }
  }

  /** What the envelope claims that the upstream does not take on trust: its clinic and its time. */
  refusal(e: VisitEnvelope, receivedAt: Date, deviceClinic: string | null): string | undefined {
    if (deviceClinic !== null && e.clinicId !== deviceClinic)
      return 'wrong-clinic: this device is registered to another clinic';
    const age = receivedAt.getTime() - Date.parse(e.createdAt);
    if (age < -(this.options.maxFutureSkewMs ?? 10 * 60_000)) return 'created-in-future: check the kiosk clock';
    if (age > (this.options.maxAgeMs ?? 30 * 86_400_000))
      return 'too-old: created longer ago than the upstream accepts';
    return undefined;
  }

  /** The threshold a reference of `count` descriptors is judged at (-1: never matches, no template threshold set). */
  threshold(model: ModelInfo, count: number): number {
    return count > 1 ? (this.options.templateThreshold ?? -1) : (this.options.faceThreshold ?? model.threshold);
  }

  /**
   * The verdict of a face visit against its reference (of the same model), or of an eGov visit
   * given whether its code is in the table. A match without the head-turn challenge proves the face,
   * not a live person: it has its own verdict.
   */
  judge(
    e: VisitEnvelope,
    lookup: { reference?: FaceReference | undefined; egovValid?: boolean },
  ): { verdict: Verdict; distance?: number } {
    if (e.method === 'face') {
      const model = e.face ? this.models.get(e.face.modelId) : undefined;
      if (!e.face || !model || !lookup.reference) return { verdict: 'face-no-reference' };
      const distance = descriptorDistance(lookup.reference.descriptor, e.face.descriptor, model.metric);
      const match = e.face.presence.challenge === 'off' ? 'face-match-unchallenged' : 'face-match';
      return {
        verdict: distance < this.threshold(model, lookup.reference.count) ? match : 'face-mismatch',
        distance: Math.round(distance * 1e4) / 1e4,
      };
    }
    if (e.method === 'egov-code' || e.method === 'egov-qr')
      return { verdict: lookup.egovValid ? 'egov-valid' : 'egov-invalid' };
    return { verdict: 'staff-verified' };
  }
}

/** UTF-8 that refuses malformed bytes (as libsodium's to_string does): such an envelope is not JSON. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Standard padded base64 (libsodium's ORIGINAL variant, what the kiosk sends), decoded natively;
 * undefined for anything that is not its canonical form (what sodium's from_base64 refused).
 */
export function strictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The eGov secret an envelope carries (code or QR token), or '' when it has none. */
export function egovSecret(e: VisitEnvelope): string {
  return e.egov?.code ?? e.egov?.token ?? '';
}
