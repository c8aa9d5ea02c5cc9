import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CheckinEnvelope } from '../../electron/core/patient/checkin/ports.js';
import { createDeclineService, type DeclinePorts } from '../../electron/core/patient/decline/service.js';
import { formatShareToken } from '../../electron/core/patient/decline/share-token.js';

/**
 * The decline rules on their own, with the other parts of core replaced by recording stand-ins
 * (check-in, visits, hand-offs); the end-to-end tests run them against the real store and sealing.
 */
function setup(max = 3, handoff?: 'attempts' | 'camera-missing') {
  const session = randomUUID();
  const queued: CheckinEnvelope[] = [];
  const handoffs: Array<{ iin: string; reason: string }> = [];
  let current: string | undefined = session;
  const ports: DeclinePorts = {
    identified: (s) =>
      s === current ? { iin: '900101300123', maskedIin: '••••••••0123', ...(handoff ? { handoff } : {}) } : undefined,
    endCheckin: () => {
      current = undefined;
    },
    queueVisit: async (e) => {
      queued.push(e);
      return { ticket: `A-${queued.length}`, maskedIin: '••••••••0123' };
    },
    createHandoff: async (h) => {
      handoffs.push(h);
      return { id: 'abcdef12-0000-4000-8000-000000000000', maskedIin: '••••••••0123' };
    },
    verdicts: () => [],
  };
  const { handlers } = createDeclineService(max, ports);
  const ctx = { transport: 'test' as const };
  return { session, queued, handoffs, handlers, ctx };
}

describe('decline service', () => {
  it('queues a typed code as an egov-code visit and ends the check-in', async () => {
    const t = setup();
    const r = await t.handlers['decline.submitCode']({ session: t.session, code: '123456' }, t.ctx);
    expect(r).toEqual({ outcome: 'ticket', ticket: 'A-1', maskedIin: '••••••••0123' });
    expect(t.queued).toEqual([{ v: 1, iin: '900101300123', method: 'egov-code', egov: { code: '123456' } }]);
    await expect(t.handlers['decline.submitCode']({ session: t.session, code: '123456' }, t.ctx)).rejects.toThrow(
      /ended/,
    );
  });

  it('queues a QR code holding a code or a share token as an egov-qr visit', async () => {
    const a = setup();
    await a.handlers['decline.submitQr']({ session: a.session, payload: '654321', source: 'camera' }, a.ctx);
    expect(a.queued[0]).toMatchObject({ method: 'egov-qr', egov: { code: '654321' } });
    const b = setup();
    const token = formatShareToken(new Uint8Array(40).fill(3));
    await b.handlers['decline.submitQr']({ session: b.session, payload: token, source: 'scanner' }, b.ctx);
    expect(b.queued[0]).toMatchObject({ method: 'egov-qr', egov: { token } });
  });

  it('sends the patient to reception after three malformed codes, with a hand-off entry', async () => {
    const t = setup();
    const one = await t.handlers['decline.submitCode']({ session: t.session, code: '12' }, t.ctx);
    expect(one).toEqual({ outcome: 'rejected', reason: 'wrong-length', attemptsLeft: 2, repeated: false });
    await t.handlers['decline.submitCode']({ session: t.session, code: '12345' }, t.ctx);
    const three = await t.handlers['decline.submitCode']({ session: t.session, code: '1234567' }, t.ctx);
    expect(three).toEqual({
      outcome: 'reception',
      why: 'too-many-attempts',
      maskedIin: '••••••••0123',
      reference: 'ABCDEF',
    });
    expect(t.handoffs).toEqual([{ iin: '900101300123', reason: 'too-many-wrong-codes' }]);
    expect(t.queued).toHaveLength(0);
  });

  it('counts a garbage QR code held to the camera once, however many frames see it', async () => {
    const t = setup();
    for (let i = 0; i < 20; i++) {
      const r = await t.handlers['decline.submitQr'](
        { session: t.session, payload: 'https://evil.example/', source: 'camera' },
        t.ctx,
      );
      expect(r).toMatchObject({ outcome: 'rejected', reason: 'bad-characters', attemptsLeft: 2 });
    }
    expect(t.handoffs).toHaveLength(0);
  });

  it('queues only one visit when the camera sends the same valid QR code twice at once', async () => {
    const t = setup();
    const results = await Promise.allSettled([
      t.handlers['decline.submitQr']({ session: t.session, payload: '111111', source: 'camera' }, t.ctx),
      t.handlers['decline.submitQr']({ session: t.session, payload: '111111', source: 'camera' }, t.ctx),
    ]);
    expect(t.queued).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('"I have no code" adds a hand-off entry and points the patient to reception', async () => {
    const t = setup();
    const r = await t.handlers['decline.noCode']({ session: t.session }, t.ctx);
    expect(r).toEqual({ outcome: 'reception', why: 'no-code', maskedIin: '••••••••0123', reference: 'ABCDEF' });
    expect(t.handoffs).toEqual([{ iin: '900101300123', reason: 'declined-no-code' }]);
  });

  it('tells reception the real cause when the photo path had failed before "I have no code"', async () => {
    const failed = setup(3, 'attempts');
    await failed.handlers['decline.noCode']({ session: failed.session }, failed.ctx);
    expect(failed.handoffs).toEqual([{ iin: '900101300123', reason: 'face-check-failed' }]);
    const camera = setup(3, 'camera-missing');
    await camera.handlers['decline.noCode']({ session: camera.session }, camera.ctx);
    expect(camera.handoffs).toEqual([{ iin: '900101300123', reason: 'camera-fault' }]);
  });
});
