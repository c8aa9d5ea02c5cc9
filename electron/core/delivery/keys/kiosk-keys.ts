import { getSodium, toB64 } from '../../platform/crypto/index.js';
import {
  createDeviceKeys,
  KeyringError,
  loadDeviceKeysMigrating,
  readDeviceIdentity,
  type DeviceIdentity,
  type DeviceKeys,
} from './device.js';
import { devUpstreamPublicKeyFile } from './dev-upstream.js';
import type { SecretProtector } from '../../platform/crypto/protector.js';
import { readProvisioning, writeProvisioning, type Provisioning } from './provisioning.js';
import { readUpstreamPublicKey } from './upstream-key.js';

export interface KioskKeys {
  device: DeviceKeys;
  provisioning: Provisioning;
}

/** Why a kiosk cannot seal visits yet; each is something IT can fix from the IT screen. */
export type KeyProblem =
  | 'not-provisioned'
  | 'device-key-missing'
  | 'device-key-mismatch'
  | 'keyring-unavailable'
  | 'keyring-cannot-unwrap'
  | 'key-file-damaged';

/** Something loading did that belongs in the audit log. */
export interface KeyEvent {
  action: 'keys.device-key-wrapped' | 'keys.development-provisioned';
  detail: Record<string, string | number | boolean | null>;
}

export type KioskKeyState =
  | { ready: true; keys: KioskKeys; events: KeyEvent[] }
  | {
      ready: false;
      problem: KeyProblem;
      message: string;
      device: DeviceIdentity | null;
      provisioning: Provisioning | null;
      events: KeyEvent[];
    };

export interface KioskKeyOptions {
  /**
   * Self-provision an unprovisioned kiosk with the DEVELOPMENT upstream key (resources/dev-upstream/,
   * whose secret is public). Only `npm start` from the source tree, the browser host's
   * --dev-keys / KELU_DEV_KEYS=1 and the tests set it; a packaged app never does.
   */
  developmentKeys?: boolean;
}

/**
 * The keys a running kiosk needs, or why it has none. Never throws for what IT can fix (the kiosk
 * stays up, patients are sent to reception, the IT screen says why and can provision it):
 * - provisioned for real: the device key must be there, match the provisioned key id and unwrap;
 *   a key still in a plain 0600 file (kioskctl provision) is wrapped with safeStorage now;
 * - not provisioned (or only with development keys): without `developmentKeys` it is not ready;
 *   with it, the kiosk provisions itself against the development upstream key, as before.
 */
export async function openKioskKeys(
  dataDir: string,
  protector: SecretProtector,
  clinicId: string,
  options: KioskKeyOptions = {},
): Promise<KioskKeyState> {
  await getSodium();
  const events: KeyEvent[] = [];
  let provisioning: Provisioning | null;
  let identity: DeviceIdentity | null;
  try {
    provisioning = readProvisioning(dataDir);
    identity = await readDeviceIdentity(dataDir);
  } catch (err) {
    return {
      ready: false,
      problem: 'key-file-damaged',
      message: err instanceof Error ? err.message : String(err),
      device: null,
      provisioning: null,
      events,
    };
  }
  const notReady = (problem: KeyProblem, message: string): KioskKeyState => ({
    ready: false,
    problem,
    message,
    device: identity,
    provisioning,
    events,
  });

  if (provisioning && !provisioning.development) {
    if (!identity) {
      return notReady(
        'device-key-missing',
        `The device key file (keys/device.json) is missing, but this kiosk was provisioned with device key ${provisioning.deviceKeyId}. ` +
          'A new key would be an identity the upstream does not know, so none was made. Restore keys/device.json from backup, or provision again from the IT screen with a new device key and register it upstream.',
      );
    }
    if (identity.keyId !== provisioning.deviceKeyId) {
      return notReady(
        'device-key-mismatch',
        `The device key (${identity.keyId}) is not the one this kiosk was provisioned with (${provisioning.deviceKeyId}). Restore the right keys/device.json, or provision again from the IT screen.`,
      );
    }
    let loaded: Awaited<ReturnType<typeof loadDeviceKeysMigrating>>;
    try {
      loaded = await loadDeviceKeysMigrating(dataDir, protector);
    } catch (err) {
      if (err instanceof KeyringError) return notReady(err.problem, err.message);
      return notReady('key-file-damaged', err instanceof Error ? err.message : String(err));
    }
    if (!loaded) return notReady('device-key-missing', 'The device key file disappeared while the kiosk started.');
    if (loaded.migratedFrom)
      events.push({
        action: 'keys.device-key-wrapped',
        detail: { deviceKeyId: loaded.keys.keyId, from: loaded.migratedFrom, to: protector.kind },
      });
    return { ready: true, keys: { device: loaded.keys, provisioning }, events };
  }

  if (!options.developmentKeys) {
    return notReady(
      'not-provisioned',
      provisioning?.development
        ? 'This kiosk was set up with DEVELOPMENT keys only (their secret is public) and was started without the development flag: provision it for the clinic from the IT screen.'
        : 'This kiosk is not provisioned: provision it from the IT screen (the upstream key file from a USB stick, the upstream URL and the clinic id).',
    );
  }

  // Development: self-provision against the public development upstream key.
  let device: DeviceKeys;
  try {
    const loaded = await loadDeviceKeysMigrating(dataDir, protector);
    if (loaded?.migratedFrom)
      events.push({
        action: 'keys.device-key-wrapped',
        detail: { deviceKeyId: loaded.keys.keyId, from: loaded.migratedFrom, to: protector.kind },
      });
    device = loaded?.keys ?? (await createDeviceKeys(dataDir, protector));
  } catch (err) {
    if (err instanceof KeyringError) return notReady(err.problem, err.message);
    return notReady('key-file-damaged', err instanceof Error ? err.message : String(err));
  }
  if (!provisioning || provisioning.deviceKeyId !== device.keyId) {
    const upstream = await readUpstreamPublicKey(devUpstreamPublicKeyFile());
    provisioning = writeProvisioning(dataDir, {
      clinicId,
      upstreamUrl: '',
      upstreamPublicKey: toB64(upstream.publicKey),
      upstreamKeyId: upstream.keyId,
      deviceKeyId: device.keyId,
      devicePublicKey: toB64(device.publicKey),
      development: true,
      provisionedAt: new Date().toISOString(),
    });
    events.push({
      action: 'keys.development-provisioned',
      detail: { deviceKeyId: device.keyId, upstreamKeyId: upstream.keyId },
    });
  }
  return { ready: true, keys: { device, provisioning }, events };
}

/** For tools and tests: the keys, or an error saying why there are none. */
export async function loadKioskKeys(
  dataDir: string,
  protector: SecretProtector,
  clinicId: string,
  options: KioskKeyOptions = {},
): Promise<KioskKeys> {
  const state = await openKioskKeys(dataDir, protector, clinicId, options);
  if (!state.ready) throw new Error(state.message);
  return state.keys;
}
