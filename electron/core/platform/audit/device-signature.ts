import { signDetached, verifyDetached, type Sodium } from '../crypto/index.js';
import type { AuditSignatureCheck, AuditSigner } from './chain.js';

/**
 * The kiosk's device key as the audit log's signer. `secretKey` answers the current key (it appears
 * when IT provisions the kiosk); while there is none, rows are written unsigned.
 */
export const deviceAuditSigner = (sodium: Sodium, secretKey: () => Uint8Array | null): AuditSigner => ({
  sign: (m) => {
    const key = secretKey();
    return key ? signDetached(sodium, m, key) : null;
  },
});

/** Checks audit signatures against the device's public key (kioskctl needs no secret for this). */
export const deviceAuditCheck =
  (sodium: Sodium, publicKey: Uint8Array | (() => Uint8Array | null)): AuditSignatureCheck =>
  (m, sig) => {
    const key = typeof publicKey === 'function' ? publicKey() : publicKey;
    return key !== null && verifyDetached(sodium, sig, m, key);
  };
