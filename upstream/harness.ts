// The reference upstream as tests, the chaos run and the sync bench start it: loopback, development key.
import type { KioskKeys } from '../electron/core/delivery/keys/index.js';
import { devUpstreamKeyPairFile } from '../electron/core/delivery/keys/index.js';
import { startUpstream, type Upstream, type UpstreamOptions } from './app.js';

/** The reference upstream on an ephemeral loopback port with the development key. */
export function startDevUpstream(dataDir: string, options: Partial<UpstreamOptions> = {}): Promise<Upstream> {
  return startUpstream({ port: 0, dataDir, keyFile: devUpstreamKeyPairFile(), ...options });
}

export function register(upstream: Upstream, kiosk: { keys: KioskKeys }): void {
  upstream.receiver.registerDevice(
    kiosk.keys.device.deviceId,
    kiosk.keys.device.publicKey,
    kiosk.keys.provisioning.clinicId,
  );
}
