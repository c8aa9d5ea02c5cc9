// The simulated patient: a person in front of the kiosk who reads the one instruction on the camera
// screen and answers it after a reaction time, turning their head at their own speed, holding, and
// stepping closer, back or sideways as told. Pure and seeded: the same seed, profile and sequence of
// instructions give the same movements. The player (player.ts) turns the pose and position wanted
// here into a frame of a real recording.

/**
 * - `cooperative`: reacts in 0.3–0.8 s, turns briskly to 25–50° (sometimes past where a small
 *   detector still finds the face), holds briefly, comes back;
 * - `slow`: reacts in 2 s, turns slowly (15–25°/s) to 22–32°;
 * - `wrong-way-first`: cooperative, but the first turn goes to the other side until they notice;
 * - `drifts`: cooperative, but keeps drifting sideways and away; re-centres when told;
 * - `restless`: never holds still (sways the head and body all the time).
 */
export const patientProfiles = ['cooperative', 'slow', 'wrong-way-first', 'drifts', 'restless'] as const;
export type PatientProfile = (typeof patientProfiles)[number];

/** What the person understood the screen to ask (instruction keys without the `presence.` prefix, or null). */
export type Instruction =
  | 'noFace'
  | 'oneAtATime'
  | 'moveCloser'
  | 'moveBack'
  | 'centre'
  | 'lookAtCamera'
  | 'moreLight'
  | 'lessLight'
  | 'holdStill'
  | 'turnLeft'
  | 'turnRight'
  | 'turnBack'
  | 'passed'
  | 'challengeFailed'
  | 'keepInView'
  | 'guideTimeout';

export interface PatientTraits {
  reactionMs: number;
  /** Head turning speed, degrees per second. */
  turnDegPerS: number;
  /** How far the person turns when asked (the kiosk asks 18°; people turn further). */
  turnToDeg: number;
  /** Pause at the furthest turn before coming back on their own. */
  holdAtTurnMs: number;
  wrongWayFirst: boolean;
  /** Sideways drift, face centre per second (fraction of the frame width); 0: stands still. */
  driftPerS: number;
  restless: boolean;
  /** Where they first stand: face width (fraction of the frame width) and centre. */
  start: { faceWidth: number; cx: number; cy: number };
}

/** The person now: head pose and where the face is in the camera's picture (fractions of the frame). */
export interface PatientPose {
  yawDeg: number;
  pitchDeg: number;
  faceWidth: number;
  cx: number;
  cy: number;
}

/** Mulberry32: small, fast, seeded; enough for a simulation (never for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function drawTraits(profile: PatientProfile, seed: number): PatientTraits {
  const r = seededRandom(seed * 7919 + profile.length);
  const between = (lo: number, hi: number) => lo + (hi - lo) * r();
  const slow = profile === 'slow';
  return {
    reactionMs: slow ? 2000 : between(300, 800),
    turnDegPerS: slow ? between(15, 25) : between(50, 110),
    turnToDeg: slow ? between(22, 32) : between(25, 50),
    holdAtTurnMs: slow ? between(400, 900) : between(150, 500),
    wrongWayFirst: profile === 'wrong-way-first',
    driftPerS: profile === 'drifts' ? between(0.03, 0.06) : 0,
    restless: profile === 'restless',
    start: { faceWidth: between(0.2, 0.42), cx: between(0.32, 0.68), cy: between(0.35, 0.58) },
  };
}

/** Where a person stands when nothing is wrong: face a third of the width, in the middle. */
const comfortable = { faceWidth: 0.32, cx: 0.5, cy: 0.45 };

export interface Patient {
  readonly traits: PatientTraits;
  /** The instruction on screen now (null: none or not understood); call on every tick. */
  see(instruction: Instruction | null, atMs: number): void;
  /** Advances the body to `atMs` and answers the pose then. */
  poseAt(atMs: number): PatientPose;
}

export function createPatient(profile: PatientProfile, seed: number): Patient {
  const traits = drawTraits(profile, seed);
  const r = seededRandom(seed * 104729 + 17);
  let shown: Instruction | null = null;
  let shownAt = 0;
  /** What the person acts on: the instruction shown at least a reaction time ago. */
  let acting: Instruction | null = null;
  const pose: PatientPose = { yawDeg: 0, pitchDeg: 0, ...traits.start };
  let lastMs: number | null = null;
  // The turn: the side being turned to, where the head goes, and when it arrived there.
  let goalYaw = 0;
  let turnSide = 0;
  let arrivedAt: number | null = null;
  let wrongDone = !traits.wrongWayFirst;
  let wrongNoticedAt: number | null = null;
  let driftDir = r() < 0.5 ? -1 : 1;
  let swayPhase = r() * Math.PI * 2;
  const pitchBias = (r() - 0.5) * 4;

  const approach = (value: number, target: number, step: number) =>
    Math.abs(target - value) <= step ? target : value + Math.sign(target - value) * step;

  function decide(atMs: number): void {
    const a = acting;
    if (a === 'turnLeft' || a === 'turnRight') {
      // yaw > 0 is the person's own left (the engine's convention).
      const side = a === 'turnLeft' ? 1 : -1;
      if (turnSide !== side) {
        turnSide = side;
        arrivedAt = null;
        goalYaw = wrongDone ? side * traits.turnToDeg : -side * Math.min(traits.turnToDeg, 30);
      }
      if (!wrongDone) {
        // Turned the wrong way: they notice a reaction time after getting there, and turn the asked way.
        if (Math.abs(pose.yawDeg - goalYaw) < 1) wrongNoticedAt ??= atMs;
        if (wrongNoticedAt !== null && atMs - wrongNoticedAt >= traits.reactionMs) {
          wrongDone = true;
          goalYaw = side * traits.turnToDeg;
        }
        return;
      }
      if (goalYaw !== 0 && Math.abs(pose.yawDeg - goalYaw) < 1) arrivedAt ??= atMs;
      // Held at the turn long enough: come back on their own; still asked to turn when back: turn again.
      if (arrivedAt !== null && goalYaw !== 0 && atMs - arrivedAt >= traits.holdAtTurnMs) goalYaw = 0;
      else if (
        goalYaw === 0 &&
        Math.abs(pose.yawDeg) < 2 &&
        arrivedAt !== null &&
        atMs - arrivedAt >= traits.holdAtTurnMs + traits.reactionMs
      ) {
        arrivedAt = null;
        goalYaw = side * Math.min(60, traits.turnToDeg + 5);
      }
      return;
    }
    turnSide = 0;
    arrivedAt = null;
    goalYaw = 0;
  }

  function move(dtMs: number): void {
    const dt = dtMs / 1000;
    pose.yawDeg = approach(pose.yawDeg, goalYaw, traits.turnDegPerS * dt);
    pose.pitchDeg = pitchBias;
    const a = acting;
    // Stepping: a person moves about a tenth of their face width per second towards where they are told.
    const step = 0.12 * dt;
    if (a === 'moveCloser') pose.faceWidth = approach(pose.faceWidth, comfortable.faceWidth + 0.04, step);
    else if (a === 'moveBack') pose.faceWidth = approach(pose.faceWidth, comfortable.faceWidth, step);
    else if (a === 'centre' || a === 'noFace') {
      pose.cx = approach(pose.cx, comfortable.cx, 0.25 * dt);
      pose.cy = approach(pose.cy, comfortable.cy, 0.25 * dt);
      if (a === 'noFace') pose.faceWidth = approach(pose.faceWidth, comfortable.faceWidth, step);
    }
    if (traits.driftPerS > 0 && a !== 'centre') {
      pose.cx += driftDir * traits.driftPerS * dt;
      pose.faceWidth = Math.max(0.12, pose.faceWidth - traits.driftPerS * 0.3 * dt);
      if (pose.cx < 0.05 || pose.cx > 0.95) driftDir = -driftDir;
    }
    if (traits.restless) {
      swayPhase += dt * 2 * Math.PI * 0.6;
      pose.cx += Math.cos(swayPhase * 0.7) * 0.05 * dt;
    }
  }

  return {
    traits,
    see(instruction, atMs) {
      if (instruction !== shown) {
        shown = instruction;
        shownAt = atMs;
      }
      if (acting !== shown && atMs - shownAt >= traits.reactionMs) acting = shown;
    },
    poseAt(atMs) {
      if (lastMs === null) lastMs = atMs;
      // Small steps, so a late tick does not jump the head past its goal.
      for (let t = lastMs; t < atMs;) {
        const dt = Math.min(20, atMs - t);
        decide(t);
        move(dt);
        t += dt;
      }
      decide(atMs);
      lastMs = atMs;
      // Restless: the head sways ±9° and nods ±4° all the time, on top of what they were asked.
      return traits.restless
        ? {
            ...pose,
            yawDeg: pose.yawDeg + Math.sin(swayPhase) * 9,
            pitchDeg: pose.pitchDeg + Math.cos(swayPhase * 1.3) * 4,
          }
        : { ...pose };
    },
  };
}
