import { signDetached, verifyDetached, type Sodium } from '../crypto/index.js';
import type { AuditSignatureCheck, AuditSigner } from './chain.js';

/** The kiosk's device key as the audit log's signer (core holds the secret once keys are loaded). */
export const deviceAuditSigner = (sodium: Sodium, secretKey: Uint8Array): AuditSigner => ({ sign: (m) => signDetached(sodium, m, secretKey) });

/** Checks audit signatures against the device's public key (kioskctl needs no secret for this). */
export const deviceAuditCheck = (sodium: Sodium, publicKey: Uint8Array): AuditSignatureCheck => (m, sig) => verifyDetached(sodium, sig, m, publicKey);
