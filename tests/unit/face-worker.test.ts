import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, resolveWorker, spawnWorker } from '../../electron/core/face/engine.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { loadRgba } from '../../tools/harness/images.js';

const modelsDir = join(projectRoot, 'models');

describe('the worker validates what it receives (it trusts no client)', () => {
  let worker: Worker;
  const replies = new Map<number, { ok: boolean; error?: { code: string; message: string }; value?: unknown }>();
  const ask = async (
    msg: Record<string, unknown>,
  ): Promise<{ ok: boolean; error?: { code: string; message: string }; value?: unknown }> => {
    worker.postMessage(msg);
    for (;;) {
      const [m] = (await once(worker, 'message')) as [{ type: string; id: number; ok: boolean }];
      if (m.type === 'reply') replies.set(m.id, m);
      const got = replies.get(msg.id as number);
      if (got) return got;
    }
  };

  beforeAll(async () => {
    worker = spawnWorker(resolveWorker(), { modelsDir, backend: 'auto' });
    const [first] = (await once(worker, 'message')) as [{ type: string }];
    expect(first.type).toBe('ready');
  });
  afterAll(async () => {
    await worker?.terminate();
  });

  it.each([
    ['a buffer of the wrong length', { id: 1, op: 'analyze', frame: { width: 4, height: 3, data: new Uint8Array(5) } }],
    ['NaN dimensions', { id: 2, op: 'describe', frame: { width: Number.NaN, height: 3, data: new Uint8Array(48) } }],
    ['a zero-size frame', { id: 3, op: 'analyze', frame: { width: 0, height: 0, data: new Uint8Array(0) } }],
    ['no frame at all', { id: 4, op: 'analyze' }],
    ['an unknown operation', { id: 5, op: 'format-disk' }],
  ])('answers %s with a bad-frame error', async (_label, msg) => {
    const reply = await ask(msg);
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('bad-frame');
  });

  it('keeps serving after bad requests', async () => {
    const frame = await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 });
    const reply = await ask({ id: 10, op: 'analyze', frame });
    expect(reply.ok).toBe(true);
    expect((reply.value as { faces: unknown[] }).faces).toHaveLength(1);
  });
});

describe('request timeout', () => {
  it('answers a request that takes too long with a timeout, replaces the worker, and serves the next request', async () => {
    const logs: string[] = [];
    const engine = await createFaceEngine({ modelsDir, requestTimeoutMs: 150, log: (l) => logs.push(l) });
    try {
      // A 4096×4096 frame takes far longer than 150 ms to analyse on this CPU backend.
      const big = { width: 4096, height: 4096, data: new Uint8Array(4096 * 4096 * 4).fill(90) };
      const err = await engine.analyze(big).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceEngineError);
      expect((err as FaceEngineError).code).toBe('timeout');
      // The replacement worker has to load the models before it answers; status is quick after that.
      const status = await engine.status().catch(async () => engine.status());
      expect(status.restarts).toBeGreaterThanOrEqual(1);
      expect(logs.some((l) => l.includes('timed out'))).toBe(true);
    } finally {
      await engine.close();
    }
  });
});

// `npm test` builds before it runs the suites; run alone without a build, this one is skipped.
const built = join(projectRoot, 'out', 'main', 'face-worker.js');
describe.skipIf(!existsSync(built))('the built worker (out/main/face-worker.js, as Electron runs it)', () => {
  it('starts, reports its backend and analyses a frame', async () => {
    const engine = await createFaceEngine({ modelsDir, workerPath: built, log: () => undefined });
    try {
      const a = await engine.analyze(await loadRgba(fixture('photos/obama_480p.jpg'), { width: 640, height: 480 }));
      expect(a.faces).toHaveLength(1);
      expect((await engine.status()).backend).toMatch(/^(wasm|tensorflow)$/);
    } finally {
      await engine.close();
    }
  });
});
