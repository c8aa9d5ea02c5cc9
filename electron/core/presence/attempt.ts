import { performance } from 'node:perf_hooks';
import type { KioskConfig } from '../platform/config/schema.js';
import type { FaceEngine, FrameAnalysis, RgbaFrame } from '../face/types.js';
import { FaceEngineError } from '../face/types.js';
import { descriptorDistance, type DescriptorMetric } from '../face/descriptor-distance.js';
import { meanTemplate } from '../face/template.js';
import type { ContinuityBounds } from './continuity.js';
import { createPresencePolicy, type PresenceFailure, type PresencePhase, type PresenceState } from './policy.js';
import { createTextureEvidence, type SessionTexture, type TextureSummary } from './texture.js';
import { createAnalysisPlan, type AnalysisRequest } from './tracking.js';
import type { VisitEnvelope } from '../../shared/protocol/envelope.js';

/** One presence decision after a frame (the presence policy's answer). */
export interface PresenceVerdict {
  phase: PresencePhase;
  /** A presence message key, e.g. `presence.moveCloser` (presence/messages.ts). */
  instruction: string;
  progress: number;
  challengeSide?: 'left' | 'right';
  /** Why the attempt failed (phase `failed` only). */
  failure?: PresenceFailure;
}

/** One attempt of the presence policy: frames in, one verdict out each time. */
export interface PresenceAttempt {
  /**
   * Takes ownership of the frame (keeps it while the check needs it, else wipes it) and judges it;
   * at the pass, also checks that the held and the final frame show one person (below).
   * `atMs`: when the frame was taken (monotonic ms; default now).
   */
  push(analysis: FrameAnalysis, frame: RgbaFrame, atMs?: number): Promise<PresenceVerdict>;
  /**
   * How to analyse the next frame (presence/tracking.ts): around the tracked face or whole, scored
   * by the texture model or not. Pass it to the engine's analyze with that frame.
   */
  next(): AnalysisRequest;
  /** The verified descriptor to seal, in memory only; undefined before a pass. */
  descriptor(): number[] | undefined;
  /** Wipes kept frames and the descriptor (reset, retry, camera lost, sealed). */
  discard(): void;
  evidence(): NonNullable<VisitEnvelope['face']>['presence'];
}

/**
 * The default same-session bound as a multiple of the face model's same-person threshold. Two
 * frames of one session are a harder pair than two photos: one is back from a turn, often still
 * moving, on the kiosk's camera. Measured on the fixtures' ten real recordings framed like the
 * kiosk (the last frontal frame before each turn against the first frame back within 15°, 47 turns,
 * docs/presence.md "The bound"): at the threshold itself (0.44) 5 turns were refused, among them
 * the dim webcam's left turn at 0.443; at 1.15× (0.506) 4, the others being clips with hands over
 * the face or circles drawn on the eyes. Pairs of different people's frames below the bound: 5.4 %
 * at 0.44, 8.9 % at 0.506. What the wider bound lets through is a look-alike swapped in after the
 * hold; a print or a screen held through the hold is refused by the hold's own texture
 * (presence/texture.ts) whatever this bound is.
 */
export const SESSION_BOUND_RATIO = 1.15;

/** The largest held-to-back descriptor distance of one person: the clinic's setting, else the default above. */
export const sessionBound = (config: Pick<KioskConfig['presence'], 'maxSessionDistance'>, threshold: number): number =>
  config.maxSessionDistance ?? Math.round(threshold * SESSION_BOUND_RATIO * 1000) / 1000;

/** A frame's description as it came: the descriptor, or why there is none. */
type Description = { ok: true; descriptor: number[] } | { ok: false; error: unknown };
/** The held and the back frame's descriptions, started together; they settle, never reject. */
interface EarlyDescriptions {
  held: Promise<Description>;
  back: Promise<Description>;
}

/** Sends a frame to the engine to describe; the engine copies it (keep), the frame stays the caller's. */
const describeSoon = (describe: FaceEngine['describe'], frame: RgbaFrame): Promise<Description> =>
  describe(frame, { keep: true }).then(
    (d): Description => ({ ok: true, descriptor: d.descriptor }),
    (error: unknown): Description => ({ ok: false, error }),
  );

/**
 * Sends the held and the back frame to describe, then lets the requests reach the engine's thread
 * (they go through promise callbacks, and the frames are copied for them) before the caller holds
 * this thread with the planar test: the engine describes while the planar test runs.
 */
async function describeBoth(
  describe: FaceEngine['describe'],
  held: RgbaFrame,
  back: RgbaFrame,
): Promise<EarlyDescriptions> {
  const early = { held: describeSoon(describe, held), back: describeSoon(describe, back) };
  await new Promise<void>((resolve) => setImmediate(resolve));
  return early;
}

/** Wipes early descriptions that will not be used as they come (and `frame`, if given, now); answers undefined. */
function wipeWhenCome(early: EarlyDescriptions | undefined, frame?: RgbaFrame): undefined {
  frame?.data.fill(0);
  for (const d of early ? new Set([early.held, early.back]) : [])
    void d.then((x) => {
      if (x.ok) x.descriptor.fill(0);
    });
  return undefined;
}

/**
 * The held and the back frame's descriptors, in that order: those started early when there are,
 * else the frames described now. Throws what describe threw, having wiped what had come.
 */
async function descriptorsOf(
  started: EarlyDescriptions | undefined,
  frames: Array<RgbaFrame | undefined>,
  describe: FaceEngine['describe'],
): Promise<number[][]> {
  const descriptors: number[][] = [];
  try {
    if (!started) {
      for (const frame of frames) if (frame) descriptors.push((await describe(frame, { keep: true })).descriptor);
      return descriptors;
    }
    for (const pending of [started.held, started.back]) {
      const d = await pending;
      if (!d.ok) throw d.error;
      descriptors.push(d.descriptor);
    }
    return descriptors;
  } catch (err) {
    for (const d of descriptors) d.fill(0);
    // A back description still on its way (the held one was refused) is wiped when it comes.
    wipeWhenCome(started);
    throw err;
  }
}

/**
 * The identity check itself: the held and the back frame's descriptors (wiped here) must be one
 * person within the same-session bound; the descriptor to seal is then their mean.
 */
async function oneSession(
  [first, second]: number[][],
  config: KioskConfig['presence'],
  model: PresenceAttemptOptions['model'],
): Promise<{ descriptor: number[]; distance?: number } | { failure: PresenceFailure; distance?: number }> {
  if (!first) return { failure: 'no-frame' };
  try {
    if (!second) return { descriptor: first.slice() };
    const { metric, threshold } = await model();
    const distance = descriptorDistance(first, second, metric);
    if (!(distance < sessionBound(config, threshold))) return { failure: 'face-changed', distance };
    return { descriptor: meanTemplate([first, second], metric), distance };
  } finally {
    first.fill(0);
    second?.fill(0);
  }
}

/**
 * Whether the policy will end the challenge on this frame (its own conditions, judged before it
 * does): the head has turned past the angle (it asks to turn back), one face, back within the
 * frontal bound. It then passes or fails on this frame.
 */
function endsChallenge(
  state: PresenceState,
  analysis: FrameAnalysis,
  config: Pick<KioskConfig['presence'], 'maxFrontalYawDeg'>,
): boolean {
  const yaw = analysis.faces.length === 1 ? analysis.faces[0]?.pose.yawDeg : undefined;
  return (
    state.phase === 'challenge' &&
    state.message === 'presence.turnBack' &&
    yaw !== undefined &&
    Math.abs(yaw) <= config.maxFrontalYawDeg
  );
}

export interface PresenceAttemptOptions {
  /** Describes a kept frame (the real engine's describe). */
  describe: FaceEngine['describe'];
  /** The active model's metric and same-person threshold (the engine's status), and the texture model it runs. */
  model: () => Promise<{ metric: DescriptorMetric; threshold: number; textureModelId?: string }>;
  /** Uniform in [0, 1); decides the side to turn to (tools pin it; default a CSPRNG). */
  random?: () => number;
  /** The tracking bounds; only tests change them (to show the identity check on its own). */
  continuity?: ContinuityBounds;
}

/**
 * One attempt of the presence check as check-in runs it: the presence policy judges each frame
 * (presence/policy.ts); this adds the **identity** half of "the same person from start to end".
 *
 * The policy names two frames to keep, in memory only: the still frontal frame at the end of the
 * hold, and the frame back at frontal after the turn. At the pass both are described, and their
 * descriptors must be the same person by the model's own metric, within `sessionBound` (1.15× the
 * model's threshold, or `presence.maxSessionDistance` where a clinic set it), else the attempt fails with `face-changed`
 * (a photo held still, then another person's head that turns). The descriptor
 * sealed into the visit is the mean of those two verified descriptors, so it never comes from a
 * frame before an unverified gap. Every other frame is wiped as soon as it has been judged.
 *
 * Both frames go to the engine's thread before the policy's planar test runs on this one: a frame
 * that will end the challenge (the head has turned past the angle, one face, back within the
 * frontal bound: the policy's own conditions) is sent to describe, with the held frame, before the
 * policy judges it. So the patient back at frontal waits for the two describes or the planar test,
 * whichever is longer, not for all three in a row. The descriptions are used only if the policy
 * then names that very frame `back`; otherwise (the attempt failed) they are wiped when they come.
 * Nothing is described during the challenge itself, so no challenge frame waits for a describe.
 */
export function createPresenceAttempt(
  config: KioskConfig['presence'],
  options: PresenceAttemptOptions,
): PresenceAttempt & { texture(): SessionTexture | undefined } {
  const session = createPresencePolicy({
    config,
    ...(options.random ? { random: options.random } : {}),
    ...(options.continuity ? { continuity: options.continuity } : {}),
  });
  const kept: { held?: RgbaFrame; back?: RgbaFrame } = {};
  let descriptor: number[] | undefined;
  let sessionDistance: number | undefined;
  let failure: PresenceFailure | undefined;
  /** The held and the back frame's descriptions, started before the planar test (push). */
  let early: EarlyDescriptions | undefined;
  /** discard() was called (a reset or a retry while a frame was being judged). */
  let discarded = false;
  // Texture evidence (presence/texture.ts): the texture model's scores from the hold to the pass.
  const texture = createTextureEvidence(config.texture);
  let textureSummary: TextureSummary | undefined;
  /** The texture figures at the pass, kept for the evaluation tools once the scores are wiped. */
  let textureAtPass: SessionTexture | undefined;
  const plan = createAnalysisPlan(config.analysis, config.texture.minFrames);

  const wipeKept = (): void => {
    kept.held?.data.fill(0);
    kept.back?.data.fill(0);
    delete kept.held;
    delete kept.back;
    // Early descriptions the identity check did not take (the attempt ended otherwise).
    early = wipeWhenCome(early);
  };

  const verdictOf = (state: PresenceState): PresenceVerdict => ({
    phase: failure ? 'failed' : state.phase,
    instruction: failure ? (failure === 'texture' ? 'presence.challengeFailed' : 'presence.keepInView') : state.message,
    progress: failure ? 0 : state.progress,
    ...(state.side ? { challengeSide: state.side } : {}),
    ...((failure ?? state.failure) ? { failure: failure ?? state.failure } : {}),
  });

  /** Describes the kept frames and checks they show one person; sets the descriptor or the failure. */
  async function verifyIdentity(): Promise<void> {
    const started = early; // described while the planar test ran (push), if it did
    early = undefined;
    let descriptors: number[][];
    try {
      descriptors = await descriptorsOf(started, [kept.held, kept.back], options.describe);
    } catch (err) {
      // A kept frame with no face or two faces is not the tracked patient.
      if (err instanceof FaceEngineError && (err.code === 'no-face' || err.code === 'several-faces')) {
        failure = 'face-changed';
        return;
      }
      throw err;
    } finally {
      wipeKept();
    }
    const verdict = await oneSession(descriptors, config, options.model);
    sessionDistance = verdict.distance;
    if ('failure' in verdict) failure = verdict.failure;
    else descriptor = verdict.descriptor;
  }

  /**
   * At the pass: the session's texture must be a live face's. Not with `challenge: 'off'` (tests and
   * demos: no liveness check at all, a photo passes) nor `texture.mode: 'off'`.
   */
  async function judgeTexture(): Promise<void> {
    if (config.challenge === 'off') return;
    const modelId = (await options.model()).textureModelId;
    if (!modelId) {
      // The engine runs without the texture model only when it was not asked to load it: fail closed.
      if (config.texture.mode === 'on') failure = 'texture';
      return;
    }
    const verdict = texture.judge(modelId);
    textureAtPass = texture.snapshot();
    texture.wipe();
    if (verdict.summary) textureSummary = verdict.summary;
    // `off`: the summary is still measured (kioskctl eval-presence), never judged.
    if (!verdict.pass && config.texture.mode === 'on') failure = 'texture';
  }

  return {
    async push(analysis: FrameAnalysis, frame: RgbaFrame, atMs = performance.now()) {
      if (failure || session.state.phase === 'passed' || session.state.phase === 'failed') {
        frame.data.fill(0);
        return verdictOf(session.state);
      }
      plan.seen(analysis);
      // A frame that ends the challenge: it and the held frame go to the engine's thread first.
      if (kept.held && endsChallenge(session.state, analysis, config)) {
        early = await describeBoth(options.describe, kept.held, frame);
        if (discarded) early = wipeWhenCome(early, frame);
        if (discarded) return verdictOf(session.state);
      }
      // The planar test needs the pixels; push copies what it needs before the frame is wiped.
      const state = session.push(analysis, atMs, frame);
      // Described early, but the policy did not name this frame the one back: not used.
      if (state.keep !== 'back') early = wipeWhenCome(early);
      if (state.phase === 'guide') {
        // Progress above 0 in guidance is a running hold; 0 is a broken one.
        if (state.progress > 0) texture.hold(analysis);
        else texture.restart();
      } else if (state.phase === 'challenge' || state.phase === 'passed') {
        if (state.keep === 'held') texture.startChallenge();
        texture.challenge(analysis);
      }
      if (state.keep) {
        kept[state.keep]?.data.fill(0);
        kept[state.keep] = frame;
      } else {
        frame.data.fill(0);
      }
      if (state.phase === 'failed') wipeKept();
      if (state.phase === 'passed') await judgeTexture();
      if (state.phase === 'passed' && !failure) await verifyIdentity();
      if (failure) wipeKept();
      return verdictOf(state);
    },
    next() {
      const { phase, progress, message } = session.state;
      // The challenge, or a hold begun (a good still face: "hold still"): the frames whose texture
      // scores the evidence keeps.
      const judging =
        phase === 'challenge' || (phase === 'guide' && (progress > 0 || message === 'presence.holdStill'));
      return plan.next(judging, texture.scores().length);
    },
    descriptor: () => (session.state.phase === 'passed' && !failure ? descriptor : undefined),
    /** The texture evidence so far (judged at a pass; for a session that ended earlier, its frames until then): for kioskctl eval-presence. */
    texture: () => textureAtPass ?? texture.snapshot(),
    discard() {
      discarded = true;
      texture.wipe();
      wipeKept();
      descriptor?.fill(0);
      descriptor = undefined;
    },
    evidence() {
      const evidence = session.state.evidence;
      if (!evidence || failure) throw new Error('presence evidence exists only after a pass');
      return {
        ...evidence,
        ...(sessionDistance !== undefined ? { sessionDistance: Math.round(sessionDistance * 1000) / 1000 } : {}),
        ...(textureSummary ? { texture: textureSummary } : {}),
      };
    },
  };
}
