/**
 * One recording through the kiosk's real presence check: every frame analysed by the real engine
 * and judged by the real presence attempt (policy + identity check), timed at the recording's own
 * cadence so the result does not depend on how fast this machine is.
 */
import { createPresenceAttempt } from '../../../electron/core/presence/attempt.js';
import type { SessionTexture } from '../../../electron/core/presence/texture.js';
import type { KioskConfig } from '../../../electron/core/platform/config/schema.js';
import type { FaceEngine, RgbaFrame } from '../../../electron/core/face/types.js';
import type { ChallengeSide, PresenceFailure } from '../../../electron/core/presence/policy.js';

export type PresenceOutcome =
  /** The check passed: a ticket would be issued. */
  | 'passed'
  /** The attempt failed after reaching the challenge (or at the hold's identity check). */
  | 'refused'
  /** Never reached the challenge: guidance timed out, or the recording ended first (failure to acquire). */
  | 'not-acquired';

export interface PresenceRun {
  side: ChallengeSide;
  outcome: PresenceOutcome;
  failure?: PresenceFailure | 'ended';
  /** Frames judged until the decision (or the end of the recording). */
  frames: number;
  /** When the challenge began and when the decision came, in ms of the recording. */
  challengeAtMs?: number;
  decidedAtMs?: number;
  sessionDistance?: number;
  /**
   * Not acquired: the instructions guidance gave, by share of the guidance frames, most frequent
   * first (at most three): why the presentation never reached the challenge.
   */
  guidance?: { instruction: string; share: number }[];
  /**
   * The texture evidence when the engine runs the model: the session's median real-face score (hold
   * to decision), its frames, and the score the kiosk judges (the lower of the hold's and the challenge's medians).
   */
  texture?: SessionTexture;
}

export async function runPresence(
  engine: Pick<FaceEngine, 'analyze' | 'describe' | 'status'>,
  config: KioskConfig['presence'],
  frames: AsyncIterable<RgbaFrame>,
  options: { side: ChallengeSide; fps: number },
): Promise<PresenceRun> {
  const attempt = createPresenceAttempt(config, {
    describe: (f, o) => engine.describe(f, o),
    model: () => engine.status(),
    random: () => (options.side === 'left' ? 0.25 : 0.75),
  });
  const frameMs = 1000 / options.fps;
  let n = 0;
  let challengeAtMs: number | undefined;
  const shown = new Map<string, number>();
  const guidance = (): { guidance?: PresenceRun['guidance'] } => {
    if (challengeAtMs !== undefined) return {};
    const total = [...shown.values()].reduce((a, b) => a + b, 0);
    const top = [...shown.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    return total ? { guidance: top.map(([instruction, k]) => ({ instruction, share: round2(k / total) })) } : {};
  };
  try {
    for await (const frame of frames) {
      const atMs = n * frameMs;
      n++;
      // As the kiosk analyses: around the tracked face, texture where presence needs it (presence/tracking.ts).
      const analysis = await engine.analyze(frame, { keep: true, ...attempt.next() });
      const verdict = await attempt.push(analysis, frame, atMs);
      if (verdict.phase === 'guide') shown.set(verdict.instruction, (shown.get(verdict.instruction) ?? 0) + 1);
      if (verdict.phase === 'challenge' && challengeAtMs === undefined) challengeAtMs = atMs;
      if (verdict.phase === 'passed' || verdict.phase === 'failed') {
        const acquired =
          challengeAtMs !== undefined || verdict.phase === 'passed' || verdict.failure !== 'guide-timeout';
        let sessionDistance: number | undefined;
        if (verdict.phase === 'passed') sessionDistance = attempt.evidence().sessionDistance;
        const texture = attempt.texture();
        return {
          ...(texture ? { texture } : {}),
          side: options.side,
          outcome: verdict.phase === 'passed' ? 'passed' : acquired ? 'refused' : 'not-acquired',
          ...(verdict.failure ? { failure: verdict.failure } : {}),
          ...guidance(),
          frames: n,
          ...(challengeAtMs !== undefined ? { challengeAtMs: Math.round(challengeAtMs) } : {}),
          decidedAtMs: Math.round(atMs),
          ...(sessionDistance !== undefined ? { sessionDistance } : {}),
        };
      }
    }
    // The recording ended before a decision.
    const texture = attempt.texture();
    return {
      ...(texture ? { texture } : {}),
      side: options.side,
      outcome: challengeAtMs === undefined ? 'not-acquired' : 'refused',
      failure: 'ended',
      ...guidance(),
      frames: n,
      ...(challengeAtMs !== undefined ? { challengeAtMs: Math.round(challengeAtMs) } : {}),
    };
  } finally {
    attempt.discard();
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
