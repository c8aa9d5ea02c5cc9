import type { KioskBridge } from '../../electron/shared/api/bridge';
import type { MethodInput, MethodOutput } from '../../electron/shared/api/define';
import type { KioskContract, MethodName } from '../../electron/core/contract';

declare global {
  interface Window {
    /** The only door into core (the Electron preload or the browser host). */
    kiosk: KioskBridge<KioskContract>;
  }
}

/**
 * The renderer's only way into core: `window.kiosk` (Electron preload or the browser host; typed
 * in electron/shared/api/bridge.ts). This wrapper turns an error result into a thrown KioskError so
 * screens can `await` values and show a translated message on failure.
 */
export class KioskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Core's stable key for this error, as it came over the bridge (screens validate it). */
    readonly key?: unknown,
  ) {
    super(message);
    this.name = 'KioskError';
  }
}

export async function call<K extends MethodName>(
  method: K,
  input: MethodInput<KioskContract, K>,
): Promise<MethodOutput<KioskContract, K>> {
  if (typeof window.kiosk?.call !== 'function') throw new KioskError('no-bridge', 'window.kiosk is missing');
  const result = await window.kiosk.call(method, input);
  if (!result.ok) throw new KioskError(result.error.code, result.error.message, result.error.key);
  return result.value;
}
