import type { Handlers } from '../../../shared/api/define.js';
import type { voiceContract } from './contract.js';
import type { VoiceLibrary } from './library.js';

export function voiceHandlers(library: VoiceLibrary): Handlers<typeof voiceContract> {
  return {
    'voice.clip': ({ lang, key }) => {
      const clip = library.clip(lang, key);
      return clip ? { found: true, source: clip.source, mime: 'audio/ogg', data: clip.data } : { found: false };
    },
    'voice.overrides': () => ({
      files: library.overrides().map(({ audio, ...f }) => ({
        ...f,
        ...(audio ? { durationSec: Math.round(audio.durationSec * 100) / 100 } : {}),
      })),
    }),
  };
}
