import { join } from 'node:path';
import { shippedDir } from '../../platform/resources.js';

/**
 * The DEVELOPMENT upstream key pair shipped in resources/dev-upstream/. It lets `npm start` queue
 * visits offline with no provisioning and lets the reference upstream open them in tests. Anyone
 * can read its secret: a kiosk on development keys must never serve patients, and status says so.
 */
export const devUpstreamDir = (): string => shippedDir('dev-upstream');

export const devUpstreamPublicKeyFile = (): string => join(devUpstreamDir(), 'upstream-public.json');
export const devUpstreamKeyPairFile = (): string => join(devUpstreamDir(), 'upstream-key-pair.DEVELOPMENT-ONLY.json');

/**
 * The development upstream public key, compiled in (issue 17 item 5): recognising it must not
 * depend on a resource file that a packaged kiosk may not have or may fail to read.
 */
export const developmentUpstreamPublicKey = 'MkIC8PnxD388zXWwGbZOxZOz5dKSxEHRMzHm7x4QmCs=';

/** True for the development upstream key, whatever file it came from. */
export function isDevelopmentUpstreamKey(publicKey: Uint8Array): boolean {
  return Buffer.from(publicKey).toString('base64') === developmentUpstreamPublicKey;
}
