import type { Handlers } from '../../shared/api/define.js';
import type { KioskConfig } from '../platform/config/schema.js';
import type { systemContract } from './contract.js';

export interface SystemFacts {
  /** False until the kiosk is provisioned (or its device key usable). */
  ready(): boolean;
  version: string;
  config: KioskConfig;
}

/** What the screens read about the kiosk: its readiness and the settings they need, nothing secret. */
export function systemHandlers({ ready, version, config }: SystemFacts): Handlers<typeof systemContract> {
  return {
    'system.info': () => ({
      ready: ready(),
      version,
      clinicId: config.clinicId,
      languages: config.languages,
      ui: config.ui,
      presence: { challenge: config.presence.challenge },
      decline: config.decline,
    }),
  };
}
