// Electron's safeStorage as core's SecretProtector: the device key is wrapped by the OS keyring
// (libsecret/kwallet on Linux, DPAPI on Windows), so a copied disk carries no usable key.
import type { SafeStorage } from 'electron';
import { plainFileProtector, type SecretProtector } from '../core/platform/crypto/protector.js';

type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** Why safeStorage cannot protect anything here, or undefined when it can. */
export function safeStorageUnavailableReason(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (!safeStorage.isEncryptionAvailable()) return 'safeStorage: encryption is not available (no OS keyring)';
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return 'safeStorage: the keyring backend is basic_text (a fixed, public password)';
  return undefined;
}

/**
 * Undefined when safeStorage cannot really protect anything: encryption unavailable, or Linux's
 * "basic_text" backend (a fixed, public password). Core then falls back to its 0600 file and says so.
 */
export function safeStorageProtector(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): SecretProtector | undefined {
  if (safeStorageUnavailableReason(safeStorage, platform)) return undefined;
  return {
    kind: 'safe-storage',
    // safeStorage takes strings: the secret travels as base64 inside the encrypted blob.
    protect: (secret) => new Uint8Array(safeStorage.encryptString(Buffer.from(secret).toString('base64'))),
    unprotect: (blob) => new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(blob)), 'base64')),
  };
}

/**
 * The protector the app uses: safeStorage where it protects, otherwise the 0600 file carrying the
 * reason, so a key wrapped earlier and unreadable now (the keyring changed backend) is a clear
 * message for IT on the IT screen instead of a kiosk that does not start.
 */
export function appSecretProtector(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): SecretProtector {
  return (
    safeStorageProtector(safeStorage, platform) ??
    plainFileProtector(undefined, safeStorageUnavailableReason(safeStorage, platform))
  );
}
