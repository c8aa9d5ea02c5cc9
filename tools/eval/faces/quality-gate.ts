/**
 * A quality gate for `eval-faces --gate RULES`: a probe image whose described face falls short of
 * any rule is refused before it is compared (at a kiosk that would be a "try again"), and the
 * figures are given on the pairs that remain, with the share of images refused. Rules read the
 * face analysis the engine already returns with each descriptor (detection score, face box,
 * head pose from the 68 landmarks, sharpness and brightness of the face region).
 */
import { z } from 'zod';
import type { FaceAnalysis } from '../../../electron/core/face/types.js';

const RULES = {
  'min-score': (f: FaceAnalysis) => f.score,
  'min-face-px': (f: FaceAnalysis) => f.box.width,
  'max-yaw': (f: FaceAnalysis) => Math.abs(f.pose.yawDeg),
  'max-pitch': (f: FaceAnalysis) => Math.abs(f.pose.pitchDeg),
  'max-roll': (f: FaceAnalysis) => Math.abs(f.pose.rollDeg),
  'min-sharpness': (f: FaceAnalysis) => f.quality.sharpness,
  'min-brightness': (f: FaceAnalysis) => f.quality.brightness,
  'max-brightness': (f: FaceAnalysis) => f.quality.brightness,
} as const;
type RuleName = keyof typeof RULES;
const NAMES = Object.keys(RULES) as RuleName[];

export type QualityGate = Partial<Record<RuleName, number>>;

const entry = z
  .string()
  .regex(/^[a-z-]+=[-+0-9.eE]+$/, `--gate takes RULE=VALUE[,RULE=VALUE…] with rules ${NAMES.join(', ')}`)
  .transform((s) => s.split('=') as [string, string])
  .pipe(
    z.tuple([
      z.enum(NAMES, { error: `--gate rules are ${NAMES.join(', ')}` }),
      z
        .string()
        .transform(Number)
        .pipe(
          z.number({ error: '--gate values must be numbers' }).refine(Number.isFinite, '--gate values must be numbers'),
        ),
    ]),
  );

/** `min-score=0.8,max-yaw=20` → the gate; the zod schema eval-faces validates `--gate` with. */
export const qualityGateSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .pipe(z.array(entry).min(1, '--gate needs at least one RULE=VALUE'))
  .transform((list) => Object.fromEntries(list) as QualityGate);

/** The rules this face fails (empty: it passes). */
export function gateFailures(gate: QualityGate, face: FaceAnalysis): RuleName[] {
  return (Object.entries(gate) as Array<[RuleName, number]>)
    .filter(([name, limit]) => {
      const value = RULES[name](face);
      return name.startsWith('min-') ? !(value >= limit) : !(value <= limit);
    })
    .map(([name]) => name);
}

/** The gate as it was given, for reports: `min-score=0.8,max-yaw=20`. */
export const gateText = (gate: QualityGate): string =>
  Object.entries(gate)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
