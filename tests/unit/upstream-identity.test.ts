import { describe, expect, it } from 'vitest';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { register } from '../../upstream/harness.js';
import { upstreamWithKiosk, useCleanups } from '../support/upstream.js';

// Issue 17 item 12: the reference upstream's identities — a device's clinic, a visit's device — must
// not be changed or borrowed by what an item or a re-registration says.
const c = useCleanups();

describe('reference upstream: identities that cannot be borrowed (issue 17 item 12)', () => {
  it('re-registering a device without --clinic keeps its clinic: a visit for another clinic is still refused', async () => {
    const { upstream, kiosk, newestItem, post } = await upstreamWithKiosk(c);
    const { deviceId, publicKey } = kiosk.keys.device;
    upstream.receiver.registerDevice(deviceId, publicKey, 'almaty-pc-4');
    // IT re-registers the device (a new key, say) and forgets --clinic.
    upstream.receiver.registerDevice(deviceId, publicKey);
    await kiosk.queue.queueVisit(syntheticVisit(1));
    const r = (await (await post({ deviceId, items: [newestItem()] })).json()) as {
      results: Array<{ status: string; reason?: string }>;
    };
    expect(r.results[0]?.status).toBe('rejected');
    expect(r.results[0]?.reason).toMatch(/^wrong-clinic/);
  });

  it('a visit id another device already delivered gets no verdict, only a refusal', async () => {
    const first = await upstreamWithKiosk(c);
    const queued = await first.kiosk.queue.queueVisit(syntheticVisit(2));
    const accepted = (await (
      await first.post({ deviceId: first.kiosk.keys.device.deviceId, items: [first.newestItem()] })
    ).json()) as { results: Array<{ status: string }> };
    expect(accepted.results[0]?.status).toBe('accepted');
    // A second kiosk of the same upstream seals and signs its own item under the first one's visit id.
    const other = await openHeadlessKiosk(c.tempDir('other'));
    c.cleanups.push(() => other.close());
    register(first.upstream, other);
    await other.queue.queueVisit(syntheticVisit(3, queued.visitId));
    const row = other.db
      .prepare('SELECT id, created_at, sealed, sig FROM outbox ORDER BY rowid DESC LIMIT 1')
      .get() as {
      id: string;
      created_at: string;
      sealed: Buffer;
      sig: Buffer;
    };
    const item = {
      id: row.id,
      createdAt: row.created_at,
      sealed: row.sealed.toString('base64'),
      sig: row.sig.toString('base64'),
    };
    const r = (await (await first.post({ deviceId: other.keys.device.deviceId, items: [item] })).json()) as {
      results: Array<{ status: string; reason?: string; verdict?: string }>;
    };
    expect(r.results[0]).toEqual({ id: queued.visitId, status: 'rejected', reason: 'visit-id-taken' });
  });
});
