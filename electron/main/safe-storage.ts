// Electron's safeStorage as core's SecretProtector: the device key is wrapped by the OS keyring
// (libsecret/kwallet on Linux, DPAPI on Windows), so a copied disk carries no usable key.
import type { SafeStorage } from 'electron';
import type { SecretProtector } from '../core/keys/index.js';

/**
 * Undefined when safeStorage cannot really protect anything: encryption unavailable, or Linux's
 * "basic_text" backend (a fixed, public password). Core then falls back to its 0600 file and says so.
 */
export function safeStorageProtector(
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform = process.platform,
): SecretProtector | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined;
  return {
    kind: 'safe-storage',
    // safeStorage takes strings: the secret travels as base64 inside the encrypted blob.
    protect: (secret) => new Uint8Array(safeStorage.encryptString(Buffer.from(secret).toString('base64'))),
    unprotect: (blob) => new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(blob)), 'base64')),
  };
}
