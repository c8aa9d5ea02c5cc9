import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../kiosk';
import { VoicePlayer, type VoiceClip } from './voice-player';
import type { Language } from '../../../electron/shared/vocabulary/languages';

/**
 * Spoken guidance for the patient screens: one VoicePlayer (one audio element, no overlap, a pause
 * after each prompt, no quick repeats) for the whole kiosk. Clips come from core (`voice.clip`:
 * the clinic's recording when valid, else the shipped espeak-ng clip).
 */
interface VoiceApi {
  /** Speak a message key (`presence.turnLeft`, `voice.identify`) once, in the current language. */
  speak(key: string): void;
  muted: boolean;
  setMuted(muted: boolean): void;
  /** The kiosk's setting (`ui.voice`); when off there is no sound and no mute control. */
  enabled: boolean;
  /** A new screen: stop what is being said for the previous one. */
  interrupt(): void;
  /** A new patient: stop, forget what was said, sound back on. */
  reset(): void;
}

const VoiceContext = createContext<VoiceApi>({
  speak: () => undefined,
  muted: false,
  setMuted: () => undefined,
  enabled: false,
  interrupt: () => undefined,
  reset: () => undefined,
});

export const useVoice = () => useContext(VoiceContext);

/** Speaks `key` whenever it changes to a new value (the moment an instruction first appears). */
export function useSpoken(key: string | null | undefined): void {
  const { speak } = useVoice();
  useEffect(() => {
    if (key) speak(key);
  }, [key, speak]);
}

async function loadClip(lang: string, key: string): Promise<VoiceClip | null> {
  const r = await call('voice.clip', { lang: lang as Language, key });
  return r.found ? { url: URL.createObjectURL(new Blob([r.data], { type: r.mime })), source: r.source } : null;
}

export function VoiceProvider({
  enabled,
  volume,
  children,
}: {
  enabled: boolean;
  volume: number;
  children: ReactNode;
}) {
  const { i18n } = useTranslation();
  const [player] = useState(() => new VoicePlayer(loadClip, () => i18n.resolvedLanguage ?? i18n.language));
  const [muted, setMutedState] = useState(false);
  const [audio, setAudio] = useState<HTMLAudioElement | null>(null);

  useEffect(() => player.attach(audio, volume), [player, audio, volume]);
  useEffect(() => player.setEnabled(enabled), [player, enabled]);

  const speak = useCallback((key: string) => player.speak(key), [player]);
  const setMuted = useCallback(
    (next: boolean) => {
      player.setMuted(next);
      setMutedState(next);
    },
    [player],
  );
  const interrupt = useCallback(() => player.interrupt(), [player]);
  const reset = useCallback(() => {
    player.reset();
    setMutedState(false);
  }, [player]);

  const api = useMemo(
    () => ({ speak, muted, setMuted, enabled, interrupt, reset }),
    [speak, muted, setMuted, enabled, interrupt, reset],
  );
  return (
    <VoiceContext.Provider value={api}>
      <audio ref={setAudio} className="voice-audio" preload="auto" aria-hidden="true" />
      {children}
    </VoiceContext.Provider>
  );
}

/** The large mute/unmute control on every screen; its name says what pressing it does. */
export function MuteButton() {
  const { t } = useTranslation('common');
  const { muted, setMuted, enabled } = useVoice();
  if (!enabled) return null;
  return (
    <button type="button" className="button secondary voice-toggle" onClick={() => setMuted(!muted)}>
      <span aria-hidden="true">{muted ? '🔇' : '🔊'}</span> {muted ? t('voice.unmute') : t('voice.mute')}
    </button>
  );
}
