import { performance } from 'node:perf_hooks';
import type { KioskConfig } from '../config/schema.js';
import type { FrameAnalysis, RgbaFrame } from '../face/types.js';
import { createPresenceSession } from '../presence/session.js';
import type { PresenceAttempt } from './ports.js';

/**
 * Adapts the presence policy (which judges analyses, looks at pixels only for its planar test,
 * and names its best frame by index) to a check-in attempt that also keeps that one best frame in memory for the descriptor.
 * Every other frame is released as soon as it has been judged.
 */
export function createPresenceAttempt(config: KioskConfig['presence'], random?: () => number): PresenceAttempt {
  const session = createPresenceSession({ config, ...(random ? { random } : {}) });
  let pushed = 0;
  let best: { index: number; frame: RgbaFrame } | undefined;
  return {
    push(analysis: FrameAnalysis, frame: RgbaFrame) {
      const index = pushed++;
      // The planar test needs the pixels; push copies what it needs before the frame is wiped.
      const state = session.push(analysis, performance.now(), frame);
      if (state.best && state.best.index === index) {
        best?.frame.data.fill(0);
        best = { index, frame };
      } else {
        frame.data.fill(0);
      }
      return {
        phase: state.phase,
        instruction: state.message,
        progress: state.progress,
        ...(state.side ? { challengeSide: state.side } : {}),
      };
    },
    bestFrame: () => (session.state.phase === 'passed' ? best?.frame : undefined),
    discard() {
      best?.frame.data.fill(0);
      best = undefined;
    },
    evidence() {
      const evidence = session.state.evidence;
      if (!evidence) throw new Error('presence evidence exists only after a pass');
      return evidence;
    },
  };
}
