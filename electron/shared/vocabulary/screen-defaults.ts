import { languages } from './languages.js';

/**
 * The embedded defaults of what the screens show and time (config `ui` and `presence.challenge`):
 * the config schema defaults to these, and the renderer uses them for the moment before core
 * answers `system.info`. One home, so the two never drift apart.
 */
export const uiDefaults = {
  inactivityMs: 60_000,
  warningMs: 20_000,
  maxFaceAttempts: 3,
  retryAfterMs: 4_000,
  ticketMs: 15_000,
  voice: 'on',
  voiceVolume: 0.8,
} as const;

export const screenDefaults = {
  languages: [...languages],
  ui: { ...uiDefaults, ticketMessage: {} },
  presence: { challenge: 'head-turn' as const },
};
