/**
 * Wraps the device's secret key at rest. Inside Electron the shell passes an implementation over
 * `safeStorage` (DPAPI on Windows, the keyring on Linux), so a copied disk does not carry a usable
 * key. Core never imports electron; outside it (kioskctl, browser host, tests) the key lives in a
 * 0600 file and a warning says so.
 */
export interface SecretProtector {
  readonly kind: 'safe-storage' | 'plain-file';
  /** For a plain-file protector inside Electron: why safeStorage is not used (e.g. "keyring backend basic_text"). */
  readonly unavailableReason?: string;
  protect(secret: Uint8Array): Uint8Array;
  unprotect(blob: Uint8Array): Uint8Array;
}

let warned = false;

/** The fallback outside Electron: no wrapping; the file's 0600 mode is the only protection. */
export function plainFileProtector(
  warn: (message: string) => void = (m) => console.warn(m),
  unavailableReason?: string,
): SecretProtector {
  return {
    kind: 'plain-file',
    ...(unavailableReason ? { unavailableReason } : {}),
    protect(secret) {
      if (!warned) {
        warned = true;
        warn(
          `[keys] Electron safeStorage is not available here${unavailableReason ? ` (${unavailableReason})` : ''}: the device key is kept in a 0600 file, unwrapped.`,
        );
      }
      return secret.slice();
    },
    unprotect: (blob) => blob.slice(),
  };
}
