import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { copyFrame, loadRgba } from '../../tools/harness/images.js';

let engine: FaceEngineClient;
beforeAll(async () => {
  engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    requestTimeoutMs: 60_000,
    log: () => undefined,
  });
});
afterAll(async () => {
  await engine?.close();
});

it(
  'disposes every tensor: the count is unchanged after 1,000 frames (faces, crowds, empty, refused)',
  { timeout: 600_000 },
  async () => {
    const size = { width: 640, height: 480 };
    const frames: RgbaFrame[] = await Promise.all(
      ['photos/obama_480p.jpg', 'hard/two_people.jpg', 'hard/no_face_white.png', 'photos/rose_leslie_2.jpg'].map((f) =>
        loadRgba(fixture(f), size),
      ),
    );
    // Warm each shape first: tfjs keeps a few backend-owned tensors after a first pass.
    for (const f of frames) await engine.analyze(copyFrame(f));
    const before = (await engine.status()).tensors;
    let faces = 0;
    for (let i = 0; i < 1000; i++) {
      const frame = copyFrame(frames[i % frames.length] as RgbaFrame);
      if (i % 50 === 0) {
        // describe, including the refusals (no face, several faces), must not leak either
        await engine.describe(frame).catch(() => undefined);
      } else {
        faces += (await engine.analyze(frame)).faces.length;
      }
    }
    const after = await engine.status();
    expect(faces).toBeGreaterThan(900); // the frames really went through the nets
    expect(after.restarts).toBe(0);
    expect(after.tensors).toBe(before);
  },
);
