// How presence has frames analysed (presence/tracking.ts): around the tracked face with a whole-frame
// look every few frames, and texture scores only where the evidence uses them. What it must not
// give up: a second face is still seen (at the latest on the next whole look) and ends the attempt;
// the texture evidence still reaches its minimum as early as before and still refuses a screen.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import { trackedSquare, wellInside } from '../../electron/core/face/geometry.js';
import type { FaceAnalysis, FrameAnalysis, FrameOptions, RgbaFrame } from '../../electron/core/face/types.js';
import { createPresenceAttempt } from '../../electron/core/presence/attempt.js';
import { landmarkMotion } from '../../electron/core/presence/guidance.js';
import { createTextureEvidence } from '../../electron/core/presence/texture.js';
import { createAnalysisPlan } from '../../electron/core/presence/tracking.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { loadRgba } from '../../tools/harness/images.js';
import { syntheticFace } from '../../tools/harness/presence.js';

const config = parseConfig({}).presence;
const W = 640;
const H = 480;

/**
 * A stand-in for the engine that answers as pipeline.ts does: asked to look around a box, it sees
 * only the faces in the square around it, and falls back to the whole frame unless that square
 * shows exactly one face well inside it.
 */
function fakeAnalyze(scene: FaceAnalysis[], options: FrameOptions = {}): FrameAnalysis {
  const frame = { width: W, height: H };
  const square = options.around ? trackedSquare(frame, options.around) : null;
  if (square) {
    const seen = scene.filter(
      (f) =>
        f.box.x < square.x + square.width &&
        f.box.x + f.box.width > square.x &&
        f.box.y < square.y + square.height &&
        f.box.y + f.box.height > square.y,
    );
    const only = seen[0];
    if (seen.length === 1 && only && wellInside(frame, square, only.box, 4))
      return { width: W, height: H, faces: [only], ms: 20, scope: 'around' };
  }
  return { width: W, height: H, faces: scene, ms: 20, scope: 'frame' };
}

const blank = (): RgbaFrame => ({ width: 1, height: 1, data: new Uint8ClampedArray(4) });
const tracked = (yawDeg = 0) => syntheticFace({ yawDeg });
/** A second, small face in the top right corner: outside the square around the tracked face. */
const stranger = () => syntheticFace({ faceWidthPx: 50, centre: [605, 60] });

function attempt() {
  return createPresenceAttempt(config, {
    describe: () => Promise.reject(new Error('not reached')),
    model: () => Promise.resolve({ metric: 'euclidean', threshold: 0.44 }),
    random: () => 0.25,
  });
}

describe('frames analysed around the tracked face (synthetic analyses)', () => {
  it('a second face outside the tracked square during the challenge ends the attempt at the next whole look', async () => {
    const a = attempt();
    let t = 0;
    const scopes: string[] = [];
    let phase = '';
    for (let i = 0; i < 30 && phase !== 'challenge'; i++, t += 50) {
      const analysis = fakeAnalyze([tracked()], a.next());
      scopes.push(analysis.scope ?? 'frame');
      phase = (await a.push(analysis, blank(), t)).phase;
    }
    expect(phase).toBe('challenge');
    // The crop was used: most frames of the hold were looked at only around the face.
    expect(scopes.filter((s) => s === 'around').length).toBeGreaterThan(scopes.length / 2);
    expect(scopes).toContain('frame');
    // The turn begins; a stranger steps into the corner and stays.
    const after: Array<{ scope: string; phase: string; failure?: string }> = [];
    for (let i = 1; i <= config.analysis.fullFrameEvery + 1; i++, t += 50) {
      const analysis = fakeAnalyze([tracked(2 * i), stranger()], a.next());
      const verdict = await a.push(analysis, blank(), t);
      after.push({
        scope: analysis.scope ?? 'frame',
        phase: verdict.phase,
        ...(verdict.failure ? { failure: verdict.failure } : {}),
      });
      if (verdict.phase === 'failed') break;
    }
    expect(after.at(-1)).toMatchObject({ scope: 'frame', phase: 'failed', failure: 'face-changed' });
    expect(after.length).toBeLessThanOrEqual(config.analysis.fullFrameEvery);
  });

  it('a second face inside the tracked square is seen on that very frame', async () => {
    const a = attempt();
    let t = 0;
    for (let i = 0; i < 30 && a.next().around === undefined; i++, t += 50)
      await a.push(fakeAnalyze([tracked()], a.next()), blank(), t);
    const request = a.next();
    expect(request.around).toBeDefined();
    // Beside the tracked face, inside its square.
    const analysis = fakeAnalyze([tracked(), syntheticFace({ faceWidthPx: 80, centre: [480, 240] })], request);
    expect(analysis).toMatchObject({ scope: 'frame' });
    expect(analysis.faces).toHaveLength(2);
    const verdict = await a.push(analysis, blank(), t);
    expect(verdict.instruction).toBe('presence.oneAtATime');
  });

  it('with analysis.mode "whole" every frame is looked at whole and scored, as before', () => {
    const plan = createAnalysisPlan({ ...config.analysis, mode: 'whole' }, config.texture.minFrames);
    plan.seen(fakeAnalyze([tracked()]));
    expect(plan.next(true, 20)).toEqual({});
    expect(plan.next(false, 0)).toEqual({});
  });
});

describe('texture scores where the evidence uses them', () => {
  it('none outside a hold; every frame until the minimum, then every textureEvery-th', () => {
    const plan = createAnalysisPlan(config.analysis, config.texture.minFrames);
    expect(plan.next(false, 0).texture).toBe(false);
    const asked: boolean[] = [];
    let scores = 0;
    for (let i = 0; i < 20; i++) {
      const score = plan.next(true, scores).texture !== false;
      asked.push(score);
      if (score) scores++;
    }
    // The minimum is reached on the same frame as when every frame was scored.
    expect(asked.slice(0, config.texture.minFrames).every(Boolean)).toBe(true);
    const rest = asked.slice(config.texture.minFrames);
    expect(rest.filter(Boolean).length).toBe(Math.ceil(rest.length / config.analysis.textureEvery));
  });

  it('a screen scored on every other frame is still refused, a live face still passes', () => {
    // Per frame real-face scores of a replay (below the threshold, the odd frame above it) and of a
    // live face (well above, the odd frame below: a blink, the turn).
    const t = config.texture.minRealScore;
    const replay = Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 1.6 * t : t * (0.5 + 0.1 * (i % 3))));
    const live = Array.from({ length: 30 }, (_, i) => (i % 6 === 0 ? 0.5 * t : t * (3 - 0.3 * (i % 4))));
    for (const [scores, pass] of [
      [replay, false],
      [live, true],
    ] as const) {
      const plan = createAnalysisPlan(config.analysis, config.texture.minFrames);
      const evidence = createTextureEvidence(config.texture);
      // The first frames are the hold (as in a session: presence/attempt.ts), the rest the challenge.
      for (const [i, s] of scores.entries()) {
        const scored = plan.next(true, evidence.scores().length).texture !== false;
        const frame = { width: W, height: H, ms: 1, faces: [{ ...tracked(), ...(scored ? { texture: s } : {}) }] };
        if (i === 6) evidence.startChallenge();
        if (i < 6) evidence.hold(frame);
        else evidence.challenge(frame);
      }
      const verdict = evidence.judge('test');
      expect(verdict.pass).toBe(pass);
      expect(verdict.summary?.frames).toBeGreaterThanOrEqual(config.texture.minFrames);
    }
  });
});

describe('the engine looking around a tracked face (real engine)', { timeout: 120_000 }, () => {
  let engine: FaceEngineClient;
  beforeAll(async () => {
    engine = await createFaceEngine({
      modelsDir: join(projectRoot, 'models'),
      requestTimeoutMs: 60_000,
      log: () => {},
      texture: { dir: join(projectRoot, 'models', 'minifasnet') },
    });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });
  const frame = (name: string) => loadRgba(fixture(name), { width: 480, height: 360 });

  it('finds the same face around its box as in the whole frame, and scores texture only when asked', async () => {
    const f = await frame('photos/alex_lacamoire_3.jpg');
    const whole = await engine.analyze(f, { keep: true });
    expect(whole.scope).toBe('frame');
    expect(whole.faces).toHaveLength(1);
    const face = whole.faces[0]!;
    expect(face.texture).toBeGreaterThan(0);
    const around = await engine.analyze(f, { keep: true, around: face.box, texture: false });
    expect(around.scope).toBe('around');
    expect(around.faces).toHaveLength(1);
    expect(around.faces[0]!.texture).toBeUndefined();
    // Within the hold's stillness bound of the whole-frame answer: switching looks does not break a hold.
    expect(landmarkMotion(face, around.faces[0]!)).toBeLessThan(config.maxHoldMotion);
    expect(Math.abs(around.faces[0]!.pose.yawDeg - face.pose.yawDeg)).toBeLessThan(3);
  });

  it('looks at the whole frame when the square around the box shows no face, or two', async () => {
    const f = await frame('photos/alex_lacamoire_3.jpg');
    const corner = await engine.analyze(f, { keep: true, around: { x: 0, y: 0, width: 30, height: 30 } });
    expect(corner.scope).toBe('frame');
    expect(corner.faces).toHaveLength(1);
    const two = await frame('hard/two_people.jpg');
    const whole = await engine.analyze(two, { keep: true });
    expect(whole.faces.length).toBeGreaterThanOrEqual(2);
    for (const face of whole.faces) {
      const a = await engine.analyze(two, { keep: true, around: face.box });
      // Either both are in the square (then the whole frame is looked at and both are seen), or the
      // other face is outside it: then only the next whole look sees it (the first test above).
      if (a.scope === 'around') expect(a.faces).toHaveLength(1);
      else expect(a.faces.length).toBe(whole.faces.length);
    }
  });
});
