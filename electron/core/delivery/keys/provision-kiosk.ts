import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { randomUUID } from 'node:crypto';
import { getSodium, keyFingerprint, toB64 } from '../../platform/crypto/index.js';
import { createDeviceKeys, readDeviceIdentity, type DeviceIdentity, type DeviceKeys } from './device.js';
import { isDevelopmentUpstreamKey } from './dev-upstream.js';
import type { SecretProtector } from '../../platform/crypto/protector.js';
import { checkUpstreamUrl, readProvisioning, writeProvisioning, type Provisioning } from './provisioning.js';
import { readUpstreamPublicKey } from './upstream-key.js';

/**
 * Provisioning, one implementation for `kioskctl provision` and the IT screen: validate the
 * upstream URL and key file, refuse what would strand queued visits or silently change the
 * device's identity, create the device key (wrapped by the caller's protector) when asked or
 * when there has never been one, pin the upstream.
 */
export interface ProvisionRequest {
  dataDir: string;
  protector: SecretProtector;
  upstreamUrl: string;
  /** The upstream's public key file (e.g. on a USB stick). */
  upstreamKeyFile: string;
  /** The fingerprint IT confirmed (the IT screen requires it; kioskctl checks it when given). */
  expectedFingerprint?: string;
  clinicId: string;
  deviceId?: string;
  /** Replace the device key (a new identity to register upstream). */
  newDeviceKey?: boolean;
  /** Re-provisioning to another upstream key while visits sealed to the old one are queued. */
  keepOldVisits?: boolean;
  /** Visits still queued (pending + dead) sealed to an upstream key id. */
  strandedVisits: (upstreamKeyId: string) => number;
  /**
   * What the database knows (sync/outbox.ts outboxProvisioningFacts): queued visits by the identity
   * that signed them, and device keys seen signing. A lost keys/ folder does not make the kiosk
   * "never provisioned", and a new key never takes over an identity whose visits are queued.
   */
  queuedIdentities?: Array<{ deviceId: string; deviceKeyId: string | null; count: number }>;
  knownDeviceKeyIds?: string[];
  /** Only a development setup (kioskctl --development-keys) may pin the development upstream key; the provisioning is then marked development. */
  allowDevelopmentUpstreamKey?: boolean;
}

export type ProvisionRefusal =
  'bad-url' | 'bad-key-file' | 'fingerprint-mismatch' | 'development-key' | 'stranded-visits' | 'device-key-missing';

export class ProvisionRefused extends Error {
  override readonly name = 'ProvisionRefused';
  constructor(
    message: string,
    readonly reason: ProvisionRefusal,
  ) {
    super(message);
  }
}

export interface ProvisionResult {
  provisioning: Provisioning;
  device: DeviceIdentity | DeviceKeys;
  createdDeviceKey: boolean;
  previousUpstreamKeyId: string | null;
  previousDeviceKeyId: string | null;
  /** Visits left queued under the old upstream key (keepOldVisits). */
  strandedVisits: number;
  developmentUpstreamKey: boolean;
  /** For the audit row: no secret, no PII; the URL as origin and path only. */
  auditDetail: Record<string, string | number | boolean | null>;
}

/** Upstream key files are a few hundred bytes; anything large is not one. */
const maxKeyFileBytes = 64 * 1024;

export async function provisionKiosk(req: ProvisionRequest): Promise<ProvisionResult> {
  let url: string;
  try {
    url = checkUpstreamUrl(req.upstreamUrl);
  } catch (err) {
    throw new ProvisionRefused(err instanceof Error ? err.message : String(err), 'bad-url');
  }
  const file = req.upstreamKeyFile;
  if (!isAbsolute(file))
    throw new ProvisionRefused(
      `The upstream key file must be an absolute path (e.g. /media/usb/upstream-public.json), not "${file.slice(0, 200)}".`,
      'bad-key-file',
    );
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new ProvisionRefused(`No upstream key file at ${file} (is the USB stick mounted?).`, 'bad-key-file');
  }
  if (size > maxKeyFileBytes)
    throw new ProvisionRefused(`${file} is ${size} bytes: too large to be an upstream key file.`, 'bad-key-file');
  let upstreamKey: Awaited<ReturnType<typeof readUpstreamPublicKey>>;
  try {
    upstreamKey = await readUpstreamPublicKey(file);
  } catch (err) {
    throw new ProvisionRefused(err instanceof Error ? err.message : String(err), 'bad-key-file');
  }
  // The development key is recognised by its compiled-in value, never by reading a resource file.
  const developmentUpstreamKey = isDevelopmentUpstreamKey(upstreamKey.publicKey);
  if (developmentUpstreamKey && !req.allowDevelopmentUpstreamKey) {
    throw new ProvisionRefused(
      'This is the DEVELOPMENT upstream key (its secret is public in the source code): a kiosk for patients needs the clinic upstream’s own key. (For a test kiosk only: kioskctl provision --development-keys.)',
      'development-key',
    );
  }
  if (req.expectedFingerprint !== undefined) {
    const fingerprint = keyFingerprint(await getSodium(), upstreamKey.publicKey);
    if (req.expectedFingerprint.replace(/[\s:-]/g, '').toLowerCase() !== fingerprint) {
      throw new ProvisionRefused(
        `The key in ${file} has fingerprint ${fingerprint.replace(/(.{4})(?!$)/g, '$1 ')}, not the one you confirmed: check the fingerprint the upstream published, or the file. Nothing was changed.`,
        'fingerprint-mismatch',
      );
    }
  }

  const before = readProvisioning(req.dataDir);
  let stranded = 0;
  if (before && before.upstreamKeyId !== upstreamKey.keyId) {
    stranded = req.strandedVisits(before.upstreamKeyId);
    if (stranded > 0 && !req.keepOldVisits) {
      throw new ProvisionRefused(
        `${stranded} visit(s) are sealed to the current upstream key ${before.upstreamKeyId}; the new key cannot carry them. ` +
          'Deliver them first (sync until empty), or export them, or choose to keep them queued here for export. Nothing was changed.',
        'stranded-visits',
      );
    }
  }

  let device: DeviceIdentity | DeviceKeys | null = await readDeviceIdentity(req.dataDir);
  // A kiosk provisioned for real whose device.json is gone: a new key is a new identity the
  // upstream does not know (visits would pile up as dead letters). Only an explicit choice.
  const known = req.knownDeviceKeyIds ?? [];
  if (!device && ((before && !before.development) || known.length > 0) && !req.newDeviceKey) {
    throw new ProvisionRefused(
      `The device key file is missing, but this kiosk was provisioned with device key ${before?.deviceKeyId ?? known.join(', ')}${before ? '' : ' (its database says so; keys/ was lost)'}. ` +
        'Restore keys/ from backup, or provision with a new device key and register it upstream (queued visits keep going out under the identity that signed them).',
      'device-key-missing',
    );
  }
  let created = false;
  if (!device || req.newDeviceKey) {
    // A new key is a new device id unless IT names one: the upstream keeps the old identity's
    // registration, and visits it signed are still delivered under it.
    const deviceId = req.deviceId ?? `kiosk-${randomUUID()}`;
    const others = (req.queuedIdentities ?? []).filter((q) => q.deviceId === deviceId && q.count > 0);
    if (others.length > 0 && !req.keepOldVisits) {
      throw new ProvisionRefused(
        `${others.reduce((n, q) => n + q.count, 0)} queued visit(s) were signed as device ${deviceId}; a new key under the same device id would replace its registration upstream and they could never be delivered. ` +
          'Leave out the device id (a new key gets a new one), or deliver or export them first. Nothing was changed.',
        'stranded-visits',
      );
    }
    device = await createDeviceKeys(req.dataDir, req.protector, deviceId);
    created = true;
  }
  const provisioning = writeProvisioning(req.dataDir, {
    clinicId: req.clinicId,
    upstreamUrl: url,
    upstreamPublicKey: toB64(upstreamKey.publicKey),
    upstreamKeyId: upstreamKey.keyId,
    deviceKeyId: device.keyId,
    devicePublicKey: toB64(device.publicKey),
    // Marked as such: the kiosk serves nobody with it unless started with development keys.
    development: developmentUpstreamKey,
    provisionedAt: new Date().toISOString(),
  });
  const u = new URL(url);
  return {
    provisioning,
    device,
    createdDeviceKey: created,
    previousUpstreamKeyId: before?.upstreamKeyId ?? null,
    previousDeviceKeyId: before?.deviceKeyId ?? null,
    strandedVisits: stranded,
    developmentUpstreamKey,
    auditDetail: {
      clinic: req.clinicId,
      // Origin and path only: a URL may carry a user:password or a token in its query.
      upstream: u.origin + u.pathname,
      upstreamKeyId: upstreamKey.keyId,
      previousUpstreamKeyId: before?.upstreamKeyId ?? null,
      deviceKeyId: device.keyId,
      newDeviceKey: created,
      keyProtection: device.protector,
    },
  };
}
