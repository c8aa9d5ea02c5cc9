// The texture model package (screen and print detection): verified like the face models, a missing
// or altered file stops the engine (the photo path) with a message IT can act on, `kioskctl status`
// says so; and the session's evidence is judged by its median.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { formatTexture, textureStatus } from '../../tools/kioskctl/commands/status.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { openTexturePackage, TEXTURE_PACKAGE_DIR } from '../../electron/core/face/texture-package.js';
import { textureCropBox } from '../../electron/core/face/texture.js';
import { FaceEngineError, type FrameAnalysis } from '../../electron/core/face/types.js';
import { createTextureEvidence } from '../../electron/core/presence/texture.js';
import { suggestThreshold, withTexture } from '../../tools/eval/presence/texture-report.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

const shipped = join(projectRoot, 'models', TEXTURE_PACKAGE_DIR);
const work = mkdtempSync(join(tmpdir(), 'kelu-texture-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the shipped package (models dir layout: <dir>/minifasnet) to break. */
function copyPackage(name: string): { modelsDir: string; dir: string } {
  const modelsDir = join(work, name);
  const dir = join(modelsDir, TEXTURE_PACKAGE_DIR);
  const manifest = JSON.parse(readFileSync(join(shipped, 'manifest.json'), 'utf8')) as {
    files: Array<{ file: string }>;
  };
  rmSync(modelsDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['manifest.json', ...manifest.files.map((x) => x.file)]) copyFileSync(join(shipped, f), join(dir, f));
  return { modelsDir, dir };
}

describe('the texture model package', () => {
  it('ships verified, with its licence and provenance in the manifest', () => {
    const p = openTexturePackage(shipped);
    expect(p.modelId).toMatch(/^minifasnet-v2-v1se@[0-9a-f]{12}$/);
    expect(p.manifest.licence.name).toMatch(/Apache-2\.0/);
    expect(p.manifest.licence.source).toMatch(/Silent-Face-Anti-Spoofing/);
    expect(p.nets.map((n) => n.scale)).toEqual([2.7, 4]);
  });

  it('refuses an altered weight file, naming it, and status says the photo check is stopped', () => {
    const { modelsDir, dir } = copyPackage('altered');
    const file = join(dir, '2.7_80x80_MiniFASNetV2.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10]! + 1) % 256;
    writeFileSync(file, bytes);
    expect(() => openTexturePackage(dir)).toThrow(
      /2\.7_80x80_MiniFASNetV2\.onnx does not match its SHA-256.*photo check is off/,
    );
    const status = textureStatus('on', 0.2, modelsDir);
    expect(status.state).toBe('broken');
    expect(formatTexture(status)).toMatch(
      /^texture model\s+BROKEN, photo check stopped: .*MiniFASNetV2\.onnx does not match/,
    );
  });

  it('refuses a missing file and a manifest this build does not pin', () => {
    const missing = copyPackage('missing');
    unlinkSync(join(missing.dir, '4_0_0_80x80_MiniFASNetV1SE.onnx'));
    expect(() => openTexturePackage(missing.dir)).toThrow(/4_0_0_80x80_MiniFASNetV1SE\.onnx is missing/);
    const edited = copyPackage('edited');
    const m = join(edited.dir, 'manifest.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace('"scale": 2.7', '"scale": 1.0'));
    expect(() => openTexturePackage(edited.dir)).toThrow(/not the one this build pins/);
    expect(textureStatus('off', 0.2, missing.modelsDir)).toEqual({ state: 'off' });
    expect(textureStatus('on', 0.2, join(projectRoot, 'models'))).toMatchObject({
      state: 'ok',
      modelId: expect.stringMatching(/^minifasnet/),
    });
  });

  it('a face engine asked to run an altered texture model does not start: the photo path stops with the reason', async () => {
    const { dir } = copyPackage('engine');
    const file = join(dir, '4_0_0_80x80_MiniFASNetV1SE.onnx');
    const bytes = readFileSync(file);
    bytes[100] = (bytes[100]! + 7) % 256;
    writeFileSync(file, bytes);
    const started = createFaceEngine({
      modelsDir: join(projectRoot, 'models'),
      requestTimeoutMs: 60_000,
      log: () => {},
      texture: { dir },
    });
    await expect(started).rejects.toBeInstanceOf(FaceEngineError);
    await expect(started).rejects.toMatchObject({
      code: 'models',
      message: expect.stringMatching(/MiniFASNetV1SE\.onnx does not match.*reinstall/),
    });
  }, 180_000);
});

describe('the texture crop', () => {
  it('is the face box scaled about its centre, shrunk to fit the frame and shifted inside it', () => {
    expect(textureCropBox({ width: 480, height: 360 }, { x: 200, y: 150, width: 40, height: 40 }, 2.7)).toEqual({
      x0: 166,
      y0: 116,
      x1: 274,
      y1: 224,
    });
    // Too big for the frame: the scale shrinks to fit (359 / 160), then the box is shifted inside.
    const b = textureCropBox({ width: 480, height: 360 }, { x: 10, y: 20, width: 160, height: 160 }, 4);
    expect(b.x0).toBe(0);
    expect(b.y1 - b.y0).toBeLessThanOrEqual(359);
  });
});

const frameWith = (texture: number | undefined): FrameAnalysis => ({
  width: 480,
  height: 360,
  ms: 1,
  faces: [
    {
      box: { x: 0, y: 0, width: 1, height: 1 },
      score: 1,
      landmarks: [],
      pose: { yawDeg: 0, pitchDeg: 0, rollDeg: 0 },
      quality: { faceWidthRatio: 0.3, centreOffset: 0, sharpness: 100, brightness: 120 },
      ...(texture === undefined ? {} : { texture }),
    },
  ],
});

describe('the session texture evidence', () => {
  const config = parseConfig({}).presence.texture;

  it('is judged by the median from the hold to the pass: a few live-looking frames do not carry a screen', () => {
    const e = createTextureEvidence(config);
    for (const s of [0.9, 0.9]) e.hold(frameWith(s));
    e.restart(); // the hold broke: its frames do not count
    for (const s of [0.01, 0.02, 0.9]) e.hold(frameWith(s));
    e.startChallenge();
    for (const s of [0.03, 0.95, 0.02, 0.01]) e.challenge(frameWith(s));
    const v = e.judge('m@1');
    expect(v).toMatchObject({ pass: false, why: 'low-score', summary: { frames: 7, score: 0.02, modelId: 'm@1' } });
  });

  it('passes a live-looking session and fails closed on too few scored frames', () => {
    const live = createTextureEvidence(config);
    for (const s of [0.6, 0.5]) live.hold(frameWith(s));
    live.startChallenge();
    for (const s of [0.5, 0.6, 0.4, 0.7, 0.05, 0.55]) live.challenge(frameWith(s));
    expect(live.judge('m@1')).toMatchObject({ pass: true, summary: { score: 0.525, frames: 8 } });
    const few = createTextureEvidence(config);
    few.challenge(frameWith(0.9));
    few.challenge(frameWith(undefined));
    expect(few.judge('m@1')).toMatchObject({ pass: false, why: 'too-few-frames' });
  });

  it('judges the hold and the challenge each by its own median: a print held through the hold, then a live head, fails', () => {
    // The live head after the swap has most of the frames: the session's median alone would pass.
    const swap = createTextureEvidence(config);
    for (const s of [0.01, 0.02, 0.01]) swap.hold(frameWith(s));
    swap.startChallenge();
    for (const s of [0.5, 0.6, 0.4, 0.7, 0.55, 0.6, 0.5]) swap.challenge(frameWith(s));
    expect(swap.judge('m@1')).toMatchObject({
      pass: false,
      why: 'low-hold-score',
      summary: { score: 0.5, frames: 10 },
    });
    // The other order: a live hold, then a screen that turns.
    const late = createTextureEvidence(config);
    for (const s of [0.6, 0.5, 0.7, 0.6, 0.5, 0.6, 0.7]) late.hold(frameWith(s));
    late.startChallenge();
    for (const s of [0.01, 0.02, 0.01, 0.03]) late.challenge(frameWith(s));
    expect(late.judge('m@1')).toMatchObject({ pass: false, why: 'low-challenge-score' });
    // A challenge whose hold the model never scored fails closed.
    const blind = createTextureEvidence(config);
    blind.startChallenge();
    for (const s of [0.5, 0.6, 0.4, 0.7, 0.55, 0.6]) blind.challenge(frameWith(s));
    expect(blind.judge('m@1')).toMatchObject({ pass: false, why: 'too-few-frames' });
  });

  it('calibration: the suggested threshold keeps the target share of honest sessions, and the kiosk outcome follows it', () => {
    const honest = [0.3, 0.5, 0.6, 0.7, 0.9];
    expect(suggestThreshold(honest, 0, 0.5)).toEqual({ threshold: 0.15, quantile: 0.3, bonaFide: 5 });
    expect(suggestThreshold(honest, 0.2, 1)).toMatchObject({ threshold: 0.5 });
    const run = {
      side: 'left' as const,
      outcome: 'passed' as const,
      frames: 40,
      label: 'bona-fide',
      texture: { score: 0.3, frames: 20, judged: 0.3 },
    };
    expect(withTexture(run, 0.2, 5)).toBe('passed');
    expect(withTexture(run, 0.4, 5)).toBe('refused');
    expect(withTexture({ ...run, texture: { score: 0.9, frames: 3, judged: 0.9 } }, 0.2, 5)).toBe('refused');
    // What the kiosk judges is the lower of the hold's and the challenge's medians, not the session's median.
    expect(withTexture({ ...run, texture: { score: 0.5, frames: 20, judged: 0.01 } }, 0.2, 5)).toBe('refused');
  });
});
