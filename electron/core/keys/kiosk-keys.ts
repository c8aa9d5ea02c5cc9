import { getSodium } from '../crypto/index.js';
import { loadOrCreateDeviceKeys, type DeviceKeys } from './device.js';
import { devUpstreamPublicKeyFile } from './dev-upstream.js';
import type { SecretProtector } from './protector.js';
import { readProvisioning, writeProvisioning, type Provisioning } from './provisioning.js';
import { readUpstreamPublicKey } from './upstream-key.js';
import { toB64 } from '../crypto/index.js';

export interface KioskKeys {
  device: DeviceKeys;
  provisioning: Provisioning;
}

/**
 * The keys a running kiosk needs. With no provisioning yet (a developer's `npm start`), it
 * provisions itself against the DEVELOPMENT upstream key so visits can queue offline; status then
 * says "development keys" until IT provisions it for real.
 */
export async function loadKioskKeys(dataDir: string, protector: SecretProtector, clinicId: string): Promise<KioskKeys> {
  await getSodium();
  const device = await loadOrCreateDeviceKeys(dataDir, protector);
  let provisioning = readProvisioning(dataDir);
  if (!provisioning) {
    const upstream = await readUpstreamPublicKey(devUpstreamPublicKeyFile());
    provisioning = writeProvisioning(dataDir, {
      clinicId,
      upstreamUrl: '',
      upstreamPublicKey: toB64(upstream.publicKey),
      upstreamKeyId: upstream.keyId,
      deviceKeyId: device.keyId,
      development: true,
      provisionedAt: new Date().toISOString(),
    });
  }
  return { device, provisioning };
}
