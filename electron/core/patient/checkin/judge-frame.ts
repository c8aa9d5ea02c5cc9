// One camera frame of the patient's presence attempt: analysed around the tracked face, judged by the
// attempt (which keeps the best frame), summed up for the screen.
import type { RgbaFrame } from '../../face/types.js';
import { sessionEnded } from '../session-ended.js';
import type { FrameSummary } from './contract.js';
import { summarise, type Patient } from './patient.js';
import type { CheckinPorts } from './ports.js';

export async function judgeFrame(
  p: Patient,
  input: { width: number; height: number; data: Uint8Array },
  deps: { ports: CheckinPorts; maxFaceAttempts: number; isCurrent: () => boolean },
): Promise<FrameSummary> {
  const { width, height, data } = input;
  if (!deps.isCurrent()) throw sessionEnded();
  // A finished attempt answers the same verdict until the screen retries or moves on.
  if (p.last && (p.last.phase === 'passed' || p.last.phase === 'failed')) return p.last;
  const attempt = p.attempt!;
  // Copy into a buffer core owns: the transport's buffer may be reused or detached.
  const frame: RgbaFrame = { width, height, data: new Uint8ClampedArray(data) };
  // Around the tracked face, and scored for texture only where presence needs it (presence/tracking.ts).
  const analysis = await deps.ports.engine.analyze(frame, { keep: true, ...attempt.next() });
  if (!deps.isCurrent() || p.attempt !== attempt) throw sessionEnded();
  // The attempt now owns the frame: it keeps the best one and wipes the rest.
  const verdict = await attempt.push(analysis, frame);
  if (!deps.isCurrent() || p.attempt !== attempt) throw sessionEnded();
  p.last = summarise(
    p,
    deps.maxFaceAttempts,
    verdict,
    analysis.faces,
    analysis.width || width,
    analysis.height || height,
  );
  return p.last;
}
