/**
 * The kiosk's one voice: plays message clips on ONE audio element, so two prompts never overlap.
 * A prompt asked for while another plays waits; only the newest waiting one is kept (the patient
 * hears the current instruction, not a backlog). After each prompt comes a short pause, and the
 * same prompt is not said again within `repeatGapMs`, so a flickering instruction is not repeated
 * faster than anyone can follow. Plain class (no React), so the rules are in one place.
 */
export interface VoiceClip {
  url: string;
  source: 'clinic' | 'bundled';
}

export type ClipLoader = (lang: string, key: string) => Promise<VoiceClip | null>;

/** The pause after each prompt, and how soon the same prompt may be said again. */
export const voiceTiming = { pauseAfterMs: 700, repeatGapMs: 6000 } as const;

export class VoicePlayer {
  private audio: HTMLAudioElement | null = null;
  private playing = false;
  private pending: string | null = null;
  private latest: string | null = null;
  private readonly lastSpoken = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly clips = new Map<string, Promise<VoiceClip | null>>();
  private muted = false;
  private enabled = true;
  // Bumped by stop(): a clip still loading for a stopped prompt is then never played.
  private generation = 0;

  constructor(
    private readonly load: ClipLoader,
    private readonly language: () => string,
    private readonly pauseAfterMs: number = voiceTiming.pauseAfterMs,
    private readonly repeatGapMs: number = voiceTiming.repeatGapMs,
  ) {}

  /** The element to play on, and its loudness (0–1, `ui.voiceVolume`). */
  attach(audio: HTMLAudioElement | null, volume: number): void {
    this.audio = audio;
    if (audio) audio.volume = Math.min(1, Math.max(0, volume));
  }

  /** The kiosk's `ui.voice` setting. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.stop();
  }

  /** Say a message key once, in the current language (unless muted, off, or just said). */
  speak(key: string): void {
    this.latest = key;
    if (!this.enabled || this.muted) return;
    const last = this.lastSpoken.get(key);
    if (last !== undefined && Date.now() - last < this.repeatGapMs) return;
    this.pending = key;
    void this.next();
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    if (muted) return this.stop();
    // Sound back on: say the current instruction again, so the patient hears where they are.
    if (this.latest) {
      this.lastSpoken.delete(this.latest);
      this.speak(this.latest);
    }
  }

  /**
   * A new screen: what was being said for the previous one stops (and nothing of it waits), so the
   * new screen's prompt and instructions are heard at once, not after the old screen's sentence.
   */
  interrupt(): void {
    this.stop();
  }

  /** A new patient: silence, forget what was said, sound back on. */
  reset(): void {
    this.stop();
    this.lastSpoken.clear();
    this.latest = null;
    this.muted = false;
  }

  stop(): void {
    this.generation++;
    this.pending = null;
    clearTimeout(this.timer);
    if (this.audio) {
      this.audio.onended = null;
      this.audio.onerror = null;
      this.audio.pause();
    }
    this.playing = false;
  }

  private clip(lang: string, key: string): Promise<VoiceClip | null> {
    const id = `${lang}/${key}`;
    let clip = this.clips.get(id);
    if (!clip) {
      clip = this.load(lang, key).catch(() => {
        this.clips.delete(id);
        return null;
      });
      this.clips.set(id, clip);
    }
    return clip;
  }

  private async next(): Promise<void> {
    const audio = this.audio;
    const key = this.pending;
    if (this.playing || !key || !audio || this.muted || !this.enabled) return;
    this.pending = null;
    this.playing = true;
    const generation = this.generation;
    const lang = this.language();
    const clip = await this.clip(lang, key);
    if (generation !== this.generation) return; // stopped while it loaded (playing was reset then)
    if (!clip || this.muted || !this.enabled) {
      this.playing = false;
      return this.next();
    }
    const done = () => {
      audio.onended = null;
      audio.onerror = null;
      this.timer = setTimeout(() => {
        this.playing = false;
        void this.next();
      }, this.pauseAfterMs);
    };
    this.lastSpoken.set(key, Date.now());
    audio.dataset.key = key;
    audio.dataset.lang = lang;
    audio.dataset.source = clip.source;
    audio.src = clip.url;
    audio.onended = done;
    audio.onerror = done;
    audio.play().catch(done); // e.g. no touch yet on a browser that blocks sound until one
  }
}
