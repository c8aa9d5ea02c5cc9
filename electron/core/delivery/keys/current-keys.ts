import type { CallContext, Handlers } from '../../../shared/api/define.js';
import { UserFacingError } from '../../../shared/api/define.js';
import { keyRotatedAction, type AuditLog } from '../../platform/audit/chain.js';
import { toB64 } from '../../platform/crypto/index.js';
import type { keysContract, KeyStatus } from './contract.js';
import { openKioskKeys, type KioskKeyOptions, type KioskKeys, type KioskKeyState } from './kiosk-keys.js';
import { findUpstreamKeyFiles, removableMediaRoots } from './find-key-files.js';
import { provisionKiosk, ProvisionRefused } from './provision-kiosk.js';
import type { SecretProtector } from '../../platform/crypto/protector.js';

/** What a patient sees when the kiosk cannot seal visits (the screen shows its own translation). */
export class KioskNotReadyError extends UserFacingError {
  override readonly name = 'KioskNotReadyError';
  constructor() {
    super('This kiosk is not set up yet. Please go to the reception desk.', 'failed');
  }
}

export interface KeysPartOptions extends KioskKeyOptions {
  dataDir: string;
  protector: SecretProtector;
  clinicId: string;
  /** Queued visits sealed to an upstream key id (re-provisioning must not strand them silently). */
  strandedVisits: (upstreamKeyId: string) => number;
  /** What the database knows about signing identities (queued visits, audit keys): see provisionKiosk. */
  provisioningFacts?: () => {
    queuedIdentities: Array<{ deviceId: string; deviceKeyId: string | null; count: number }>;
    knownDeviceKeyIds: string[];
  };
  /** Where keys.findKeyFiles looks (default: where removable media are mounted). */
  keyFileRoots?: readonly string[];
  /** Called when the kiosk becomes ready after IT provisioned it (start sync, tell the screens). */
  onChanged?: (state: KioskKeyState) => void;
}

type KeysHandlers = Handlers<typeof keysContract>;
type KeysAnswer<K extends keyof KeysHandlers> = Awaited<ReturnType<KeysHandlers[K]>>;

export interface KeysPart {
  state(): KioskKeyState;
  ready(): boolean;
  /** The keys for sealing; throws KioskNotReadyError (a patient-facing message) when there are none. */
  keys(): KioskKeys;
  status(): KeyStatus;
  /** Writes what loading did (a key wrapped into safeStorage, development provisioning) to the audit log. */
  auditStartup(audit: AuditLog): void;
  /** The upstream key files on removable media (keys.findKeyFiles). */
  findKeyFiles(): Promise<KeysAnswer<'keys.findKeyFiles'>>;
  /**
   * Provisions the kiosk (keys.provision): one at a time, every outcome audited as `actor()` via
   * `via`, the keys reloaded and `onChanged` told.
   */
  provision(
    input: Parameters<KeysHandlers['keys.provision']>[0],
    audit: AuditLog,
    by: { actor: () => string; via: CallContext['transport'] },
  ): Promise<KeysAnswer<'keys.provision'>>;
}

/** The kiosk's keys as a part of core: loaded once at start, replaced when IT provisions. */
export async function createKeysPart(options: KeysPartOptions): Promise<KeysPart> {
  const open = () =>
    openKioskKeys(options.dataDir, options.protector, options.clinicId, { developmentKeys: options.developmentKeys });
  let state = await open();
  let provisioning = false;

  const status = (): KeyStatus => {
    const device = state.ready ? state.keys.device : state.device;
    const prov = state.ready ? state.keys.provisioning : state.provisioning;
    return {
      ready: state.ready,
      development: prov?.development ?? false,
      problem: state.ready ? null : state.problem,
      message: state.ready ? null : state.message,
      deviceId: device?.deviceId ?? null,
      deviceKeyId: device?.keyId ?? null,
      devicePublicKey: device ? toB64(device.publicKey) : null,
      provisionedDeviceKeyId: prov?.deviceKeyId ?? null,
      clinicId: prov?.clinicId ?? null,
      upstreamUrl: prov ? prov.upstreamUrl : null,
      upstreamKeyId: prov?.upstreamKeyId ?? null,
      keyProtection: options.protector.kind,
      keyringNote: options.protector.unavailableReason ?? null,
    };
  };

  return {
    state: () => state,
    ready: () => state.ready,
    keys: () => {
      if (!state.ready) throw new KioskNotReadyError();
      return state.keys;
    },
    status,
    auditStartup(audit) {
      for (const e of state.events.splice(0)) audit.append({ actor: 'kiosk', action: e.action, detail: e.detail });
      if (!state.ready) audit.append({ actor: 'kiosk', action: 'keys.not-ready', detail: { problem: state.problem } });
    },
    findKeyFiles: async () => {
      const files = await findUpstreamKeyFiles(options.keyFileRoots ?? removableMediaRoots());
      return { files, distinctKeys: new Set(files.map((f) => f.fingerprint)).size };
    },
    provision: async (input, audit, by) => {
      if (provisioning) throw new UserFacingError('Provisioning is already running.', 'failed');
      provisioning = true;
      try {
        const r = await provisionKiosk({
          dataDir: options.dataDir,
          protector: options.protector,
          upstreamUrl: input.upstreamUrl,
          upstreamKeyFile: input.upstreamKeyFile,
          expectedFingerprint: input.upstreamKeyFingerprint,
          clinicId: input.clinicId,
          newDeviceKey: input.newDeviceKey,
          keepOldVisits: input.keepOldVisits,
          strandedVisits: options.strandedVisits,
          ...(options.provisioningFacts?.() ?? {}),
        }).catch((err: unknown) => {
          if (err instanceof ProvisionRefused) {
            audit.append({
              actor: by.actor(),
              action: 'keys.provision-refused',
              detail: { reason: err.reason, via: by.via },
            });
            throw new UserFacingError(err.message, 'bad-input');
          }
          throw err;
        });
        audit.append({
          actor: by.actor(),
          action: 'keys.provisioned',
          detail: { ...r.auditDetail, via: by.via },
        });
        // A new device key while the old one still works: the old key signs a row naming the new
        // one, so verify follows the audit signatures across the change (issue 17 item 2).
        if (state.ready && state.keys.device.keyId !== r.device.keyId) {
          audit.append({
            actor: 'kiosk',
            action: keyRotatedAction,
            detail: { from: state.keys.device.keyId, to: r.device.keyId, publicKey: toB64(r.device.publicKey) },
          });
        }
        state = await open();
        for (const e of state.events.splice(0)) audit.append({ actor: 'kiosk', action: e.action, detail: e.detail });
        options.onChanged?.(state);
        if (!state.ready)
          throw new UserFacingError(`Provisioned, but the device key cannot be used: ${state.message}`, 'failed');
        return {
          deviceId: r.device.deviceId,
          devicePublicKey: toB64(r.device.publicKey),
          deviceKeyId: r.device.keyId,
          upstreamKeyId: r.provisioning.upstreamKeyId,
          upstreamUrl: r.provisioning.upstreamUrl,
          clinicId: r.provisioning.clinicId,
          createdDeviceKey: r.createdDeviceKey,
          strandedVisits: r.strandedVisits,
        };
      } finally {
        provisioning = false;
      }
    },
  };
}
