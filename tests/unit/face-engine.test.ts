import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, detectBackend } from '../../electron/core/face/engine.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { copyFrame, loadRgba } from '../../tools/harness/images.js';

const modelsDir = join(projectRoot, 'models');
type Engine = Awaited<ReturnType<typeof createFaceEngine>>;
let engine: Engine;
const logs: string[] = [];

beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir, requestTimeoutMs: 30_000, log: (l) => logs.push(l) });
});
afterAll(async () => {
  await engine?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    expect(err).toBeInstanceOf(FaceEngineError);
    return (err as FaceEngineError).code;
  }
}

describe('face engine start', () => {
  it('reports the backend it uses, in status and in the log, matching detectBackend()', async () => {
    const status = await engine.status();
    const expected = detectBackend('auto').backend;
    expect(status.backend).toBe(expected);
    expect(status.modelId).toMatch(/^faceapi-dlib128@[0-9a-f]{12}$/);
    expect(status).toMatchObject({ metric: 'euclidean', embeddingSize: 128, runtime: 'faceapi-tfjs' });
    expect(status.tensors).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes(`backend ${status.backend}`))).toBe(true);
    if (status.backend === 'wasm') expect(status.detail).toContain('SIMD');
  });
});

describe('analyze', () => {
  it('finds one face on a portrait with box, 68 landmarks, pose and quality', async () => {
    const frame = await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 });
    const a = await engine.analyze(frame);
    expect(a.faces).toHaveLength(1);
    const face = a.faces[0]!;
    expect(face.landmarks).toHaveLength(68);
    expect(face.score).toBeGreaterThan(0.5);
    // The landmarks lie inside the box (give or take the jaw line).
    const inBox = face.landmarks.filter(
      ([x, y]) =>
        x >= face.box.x - 10 &&
        x <= face.box.x + face.box.width + 10 &&
        y >= face.box.y - 10 &&
        y <= face.box.y + face.box.height + 10,
    );
    expect(inBox.length).toBeGreaterThan(60);
    expect(Math.abs(face.pose.yawDeg)).toBeLessThan(25);
    expect(Math.abs(face.pose.rollDeg)).toBeLessThan(15);
    expect(face.quality.faceWidthRatio).toBeCloseTo(face.box.width / 640, 5);
    expect(face.quality.brightness).toBeGreaterThan(20);
    expect(face.quality.brightness).toBeLessThan(235);
    expect(face.quality.sharpness).toBeGreaterThan(0);
    expect(face.truncated).toBe(false);
  });

  it('measures a blurred copy of the same frame as less sharp', async () => {
    const sharpFrame = await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 });
    const sharp = (await import('sharp')).default;
    const blurredBytes = await sharp(Buffer.from(sharpFrame.data), { raw: { width: 640, height: 480, channels: 4 } })
      .blur(4)
      .raw()
      .toBuffer();
    const a = await engine.analyze(copyFrame(sharpFrame));
    const b = await engine.analyze({ width: 640, height: 480, data: new Uint8Array(blurredBytes) });
    expect(b.faces.length).toBe(1);
    expect(b.faces[0]!.quality.sharpness).toBeLessThan(a.faces[0]!.quality.sharpness / 2);
  });

  it('reads a head turned to one side as yaw of that sign, and its mirror image as the opposite', async () => {
    const sharp = (await import('sharp')).default;
    const asFrame = async (img: import('sharp').Sharp) => {
      const { data, info } = await img
        .resize(640, 480, { fit: 'contain' })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data) };
    };
    const turned = (await engine.analyze(await asFrame(sharp(fixture('photos/obama_4.jpg'))))).faces[0]!;
    const mirrored = (await engine.analyze(await asFrame(sharp(fixture('photos/obama_4.jpg')).flop()))).faces[0]!;
    expect(turned.pose.yawDeg).toBeGreaterThan(18);
    expect(mirrored.pose.yawDeg).toBeLessThan(-18);
    const tilted = (
      await engine.analyze(
        await asFrame(sharp(fixture('photos/alex_lacamoire_3.jpg')).rotate(20, { background: '#000' })),
      )
    ).faces[0]!;
    const upright = (await engine.analyze(await asFrame(sharp(fixture('photos/alex_lacamoire_3.jpg'))))).faces[0]!;
    expect(tilted.pose.rollDeg - upright.pose.rollDeg).toBeGreaterThan(12);
    expect(tilted.pose.rollDeg - upright.pose.rollDeg).toBeLessThan(28);
  });

  it('follows a real head turn: over the turning clip the yaw swings past 25° to both sides', async () => {
    // hamilton_clip.mp4: 640×360, a man turning his head; 4 frames a second, decoded to RGBA by ffmpeg.
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-i',
        fixture('video/hamilton_clip.mp4'),
        '-vf',
        'fps=4',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgba',
        '-',
      ],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(r.status, String(r.stderr)).toBe(0);
    const size = 640 * 360 * 4;
    const yaws: number[] = [];
    for (let off = 0; off + size <= r.stdout.length; off += size) {
      const a = await engine.analyze({
        width: 640,
        height: 360,
        data: new Uint8Array(r.stdout.subarray(off, off + size)),
      });
      if (a.faces.length === 1) yaws.push(a.faces[0]!.pose.yawDeg);
    }
    expect(yaws.length).toBeGreaterThan(10);
    expect(Math.max(...yaws)).toBeGreaterThan(25);
    expect(Math.min(...yaws)).toBeLessThan(-25);
  });

  it('reports no face on a blank image', async () => {
    const a = await engine.analyze(await loadRgba(fixture('hard/no_face_white.png')));
    expect(a.faces).toEqual([]);
  });

  // obama_and_biden is a wide stage shot: framed as a kiosk camera would see two people close up.
  it.each([
    ['hard/two_people.jpg', undefined],
    ['hard/obama_and_biden.jpg', { left: 550, top: 180, width: 1000, height: 750 }],
  ] as const)('reports two faces in %s', async (file, region) => {
    const a = await engine.analyze(await loadRgba(fixture(file), { width: 640, height: 480 }, region));
    expect(a.faces).toHaveLength(2);
    // Two different places in the frame.
    const [f1, f2] = a.faces as [NonNullable<(typeof a.faces)[0]>, NonNullable<(typeof a.faces)[0]>];
    expect(Math.abs(f1.box.x - f2.box.x)).toBeGreaterThan(f1.box.width / 2);
  });

  // The photos cut the face at their side edge; the top of each, as a 4:3 frame, keeps that edge at the frame's.
  it.each([
    ['hard/obama_partial_face.jpg', { left: 0, top: 0, width: 491, height: 368 }],
    ['hard/obama_partial_face2.jpg', { left: 0, top: 0, width: 551, height: 413 }],
  ] as const)('handles a partial face (%s) without failing and says so', async (file, region) => {
    const a = await engine.analyze(await loadRgba(fixture(file), { width: 640, height: 480 }, region));
    expect(a.faces).toHaveLength(1);
    const face = a.faces[0]!;
    expect(face.landmarks).toHaveLength(68);
    expect(Number.isFinite(face.pose.yawDeg)).toBe(true);
    // Flagged as cut off by the frame edge: its landmarks there are guesses.
    expect(face.truncated).toBe(true);
  });
});

describe('describe', () => {
  it('gives 128 numbers and the detection for a single face', async () => {
    // A portrait photo letterboxed into 640×480: the face is small, found by the second, larger pass.
    const d = await engine.describe(await loadRgba(fixture('photos/biden_1.jpg'), { width: 640, height: 480 }));
    expect(d.descriptor).toHaveLength(128);
    expect(d.descriptor.every(Number.isFinite)).toBe(true);
    const norm = Math.hypot(...d.descriptor);
    expect(norm).toBeGreaterThan(0.1);
    expect(d.face.landmarks).toHaveLength(68);
  });

  it("describes a tight face crop (no margin around the face) in the crop's own coordinates", async () => {
    const d = await engine.describe(await loadRgba(fixture('crops/amy_4.png')));
    expect(d.descriptor).toHaveLength(128);
    const xs = d.face.landmarks.map(([x]) => x);
    const ys = d.face.landmarks.map(([, y]) => y);
    expect(Math.min(...xs)).toBeGreaterThan(-20);
    expect(Math.max(...xs)).toBeLessThan(170);
    expect(Math.min(...ys)).toBeGreaterThan(-20);
    expect(Math.max(...ys)).toBeLessThan(170);
  });

  it('refuses a frame with no face', async () => {
    expect(await codeOf(engine.describe(await loadRgba(fixture('hard/no_face_white.png'))))).toBe('no-face');
  });

  it('refuses a frame with two faces instead of picking one', async () => {
    expect(
      await codeOf(engine.describe(await loadRgba(fixture('hard/obama_and_biden.jpg'), { width: 640, height: 480 }))),
    ).toBe('several-faces');
  });
});

describe('bad frames', () => {
  const good = (): { width: number; height: number; data: Uint8Array } => ({
    width: 4,
    height: 3,
    data: new Uint8Array(48),
  });
  const cases: Array<[string, unknown]> = [
    ['zero width', { ...good(), width: 0 }],
    ['negative height', { ...good(), height: -3 }],
    ['NaN width', { ...good(), width: Number.NaN }],
    ['fractional height', { ...good(), height: 2.5 }],
    ['huge size', { width: 100_000, height: 100_000, data: new Uint8Array(16) }],
    ['too short a buffer', { ...good(), data: new Uint8Array(47) }],
    ['RGB instead of RGBA', { ...good(), data: new Uint8Array(36) }],
    ['wrong dimensions for the buffer', { ...good(), width: 5 }],
    ['data that is not bytes', { ...good(), data: new Float32Array(48) }],
    ['no data', { width: 4, height: 3 }],
    ['not an object', 'frame'],
  ];
  it.each(cases)('rejects %s with a clear bad-frame error', async (_label, frame) => {
    const err = await engine.analyze(frame as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceEngineError);
    expect((err as FaceEngineError).code).toBe('bad-frame');
    expect((err as FaceEngineError).message).toMatch(/Frame/);
  });

  it('says when a frame was already handed to the engine', async () => {
    const frame = await loadRgba(fixture('hard/no_face_white.png'));
    await engine.analyze(frame);
    expect(frame.data.length).toBe(0); // transferred, not copied
    const err = (await engine.analyze(frame).catch((e: unknown) => e)) as FaceEngineError;
    expect(err.code).toBe('bad-frame');
    expect(err.message).toMatch(/keep: true/);
  });

  it('keeps the frame when asked', async () => {
    const frame = await loadRgba(fixture('hard/no_face_white.png'));
    await engine.analyze(frame, { keep: true });
    expect(frame.data.length).toBe(frame.width * frame.height * 4);
  });
});

describe('worker crash', () => {
  it('restarts a crashed worker; the next request is served', async () => {
    const before = await engine.status();
    await engine.crashForTest();
    const a = await engine.analyze(await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 }));
    expect(a.faces).toHaveLength(1);
    const after = await engine.status();
    expect(after.restarts).toBe(before.restarts + 1);
    expect(logs.some((l) => l.includes('restarting'))).toBe(true);
  });
});

describe('concurrent callers', () => {
  it('answers every request made at once, in order, each with its own result', async () => {
    const face = await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 });
    const blank = await loadRgba(fixture('hard/no_face_white.png'));
    const [d, s, a, b] = await Promise.all([
      engine.describe(face, { keep: true }),
      engine.status(),
      engine.analyze(face, { keep: true }),
      engine.analyze(blank),
    ]);
    expect(d.descriptor).toHaveLength(128);
    expect(s.backend).toBeTruthy();
    expect(a.faces).toHaveLength(1);
    expect(b.faces).toHaveLength(0);
  });
});
