export { plainFileProtector, type SecretProtector } from './protector.js';
export { loadDeviceKeys, createDeviceKeys, loadOrCreateDeviceKeys, readDeviceIdentity, deviceKeyFile, type DeviceKeys, type DeviceIdentity } from './device.js';
export { readProvisioning, writeProvisioning, checkUpstreamUrl, provisioningFile, type Provisioning, type ProvisioningEntry } from './provisioning.js';
export { readUpstreamPublicKey, readUpstreamKeyPair, type UpstreamPublicKey, type UpstreamKeyPair } from './upstream-key.js';
export { devUpstreamDir, devUpstreamPublicKeyFile, devUpstreamKeyPairFile } from './dev-upstream.js';
export { loadKioskKeys, type KioskKeys } from './kiosk-keys.js';
