export { getSodium, toB64, fromB64, type Sodium } from './sodium.js';
export {
  sealTo,
  openSealed,
  signDetached,
  verifyDetached,
  visitSigningMessage,
  keyId,
  keyFingerprint,
} from './visit-crypto.js';
