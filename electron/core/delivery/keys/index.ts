export { plainFileProtector, type SecretProtector } from '../../platform/crypto/protector.js';
export {
  loadDeviceKeys,
  loadDeviceKeysMigrating,
  createDeviceKeys,
  loadOrCreateDeviceKeys,
  readDeviceIdentity,
  deviceKeyFile,
  KeyringError,
  type DeviceKeys,
  type DeviceIdentity,
} from './device.js';
export {
  readProvisioning,
  writeProvisioning,
  checkUpstreamUrl,
  provisioningFile,
  type Provisioning,
  type ProvisioningEntry,
} from './provisioning.js';
export {
  readUpstreamPublicKey,
  readUpstreamKeyPair,
  type UpstreamPublicKey,
  type UpstreamKeyPair,
} from './upstream-key.js';
export {
  devUpstreamDir,
  devUpstreamPublicKeyFile,
  devUpstreamKeyPairFile,
  developmentUpstreamPublicKey,
  isDevelopmentUpstreamKey,
} from './dev-upstream.js';
export {
  loadKioskKeys,
  openKioskKeys,
  type KioskKeys,
  type KioskKeyState,
  type KeyProblem,
  type KeyEvent,
  type KioskKeyOptions,
} from './kiosk-keys.js';
export {
  provisionKiosk,
  ProvisionRefused,
  type ProvisionRequest,
  type ProvisionResult,
  type ProvisionRefusal,
} from './provision-kiosk.js';
