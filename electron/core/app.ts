import type { KioskConfig } from './config/schema.js';
import { contract, type KioskContract } from './api/contract.js';
import type { Handlers } from './api/define.js';
import { createRouter, type Router } from './api/router.js';
import { createEventHub, type EventHub } from './api/bridge.js';

export interface CoreOptions {
  /** Where the database and keys live. */
  dataDir: string;
  config: KioskConfig;
  version?: string;
}

export interface Core {
  router: Router;
  config: KioskConfig;
  /** Events for the screen (e.g. sync progress); each shell forwards them to its window. */
  events: EventHub;
  close(): Promise<void>;
}

/**
 * Builds the kiosk's core: every service and the router over them. Electron's main process, the
 * browser host, kioskctl and tests all start here, so they run the same code.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  const { config } = options;
  const handlers: Handlers<KioskContract> = {
    'system.info': () => ({
      version: options.version ?? '0.1.0',
      clinicId: config.clinicId,
      languages: config.languages,
      ui: config.ui,
      presence: { challenge: config.presence.challenge },
      decline: config.decline,
    }),
  };
  const router = createRouter(contract, handlers);
  const events = createEventHub();
  return { router, config, events, close: async () => {} };
}
