import { describe, expect, it } from 'vitest';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { upstreamWithKiosk, useCleanups } from '../support/upstream.js';
import { join } from 'node:path';

const c = useCleanups();
const builtIn = openModelPackage(join(projectRoot, 'models'));
const presence = { challenge: 'head-turn' as const, side: 'left' as const, frames: 20, durationMs: 2000 };
const descriptor = (seed: number, length = builtIn.manifest.recognition.embeddingSize) =>
  Array.from({ length }, (_, k) => Math.sin(seed + k) / 10);

/** A kiosk and the real reference upstream; each visit is posted as the kiosk's sync would. */
async function setup() {
  const { upstream, kiosk, newestItem, post } = await upstreamWithKiosk(c);
  const send = async (face: { descriptor: number[]; modelId: string }, iin = '990000000001') => {
    await kiosk.queue.queueVisit({ method: 'face', iin, face: { ...face, presence } });
    const res = await post({ deviceId: kiosk.keys.device.deviceId, items: [newestItem()] });
    return ((await res.json()) as { results: Array<{ status: string; reason?: string; verdict?: string }> }).results[0];
  };
  return { upstream, send };
}

describe('reference upstream: one model for references and descriptors', () => {
  it('refuses, per item and with the reason, a descriptor made by a model it does not have', async () => {
    const { upstream, send } = await setup();
    const r = await send({ descriptor: descriptor(1), modelId: 'some-other-model@0123456789ab' });
    expect(r).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/^unknown-model: this upstream has no face model some-other-model@0123456789ab/),
    });
    expect(r?.reason).toContain(builtIn.modelId);
    expect(upstream.db.prepare('SELECT count(*) AS c FROM visits').get()).toEqual({ c: 0 });
  });

  it('refuses a descriptor whose length is not the one its model makes', async () => {
    const { send } = await setup();
    expect(await send({ descriptor: descriptor(1, 512), modelId: builtIn.modelId })).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/512 numbers; model .* makes 128/),
    });
  });

  it("compares a descriptor only with a reference of the same model, with that model's metric and threshold", async () => {
    const { upstream, send } = await setup();
    const put = upstream.db.prepare(
      'INSERT INTO face_references (iin, descriptor, image, model_id) VALUES (?, ?, ?, ?)',
    );
    put.run('990000000001', JSON.stringify(descriptor(1)), 'a.jpg', builtIn.modelId);
    put.run('990000000002', JSON.stringify(descriptor(1)), 'b.jpg', 'older-model@000000000000');
    expect(await send({ descriptor: descriptor(1), modelId: builtIn.modelId })).toMatchObject({
      status: 'accepted',
      verdict: 'face-match',
    });
    expect(await send({ descriptor: descriptor(3), modelId: builtIn.modelId })).toMatchObject({
      status: 'accepted',
      verdict: 'face-mismatch',
    });
    // The patient's only reference was made by another model: no comparison is made.
    expect(await send({ descriptor: descriptor(1), modelId: builtIn.modelId }, '990000000002')).toMatchObject({
      status: 'accepted',
      verdict: 'face-no-reference',
    });
  });
});
