// The check-in session in core on the real face engine (wasm), the real presence policy, and the
// real visit queue (SQLite + libsodium): what the screen can and cannot make core do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouter } from '../../electron/shared/api/router.js';
import { checkinContract, type FrameSummary } from '../../electron/core/patient/checkin/contract.js';
import { createPhotoCheckin } from '../../electron/core/patient/checkin/wire.js';
import { createCheckinService } from '../../electron/core/patient/checkin/session.js';
import { createPresenceAttempt } from '../../electron/core/presence/attempt.js';
import { parseConfig, type KioskConfigInput } from '../../electron/core/platform/config/schema.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import type { FaceEngine } from '../../electron/core/face/types.js';
import { iinCheckDigit } from '../../electron/core/platform/identity/iin.js';
import { loadKioskKeys, plainFileProtector } from '../../electron/core/delivery/keys/index.js';
import { databaseFileName, openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { createVisitQueue, migrateOutbox } from '../../electron/core/delivery/visits/index.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { loadRgba } from '../../tools/harness/images.js';

const iin = (() => {
  for (let s = 0; ; s++) {
    const first11 = `8507153${String(s).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
})();

let engine: FaceEngine;
let dataDir: string;
let db: Database;
const ctx = { transport: 'test' as const };

beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir: join(projectRoot, 'models'), backend: 'wasm', log: () => undefined });
  dataDir = mkdtempSync(join(tmpdir(), 'kelu-checkin-'));
  db = openDatabase(join(dataDir, databaseFileName));
  migrateOutbox(db);
});
afterAll(async () => {
  db?.close();
  await engine?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function kiosk(config: KioskConfigInput) {
  const keys = await loadKioskKeys(
    dataDir,
    plainFileProtector(() => undefined),
    'test-clinic',
    { developmentKeys: true },
  );
  const visits = createVisitQueue(db, () => keys);
  const checkin = createPhotoCheckin({
    config: parseConfig(config),
    modelsDir: join(projectRoot, 'models'),
    queueVisit: (f) => visits.queueVisit(f),
    // The shared engine: closing this check-in must not stop it.
    engine: {
      analyze: (f, o) => engine.analyze(f, o),
      describe: (f, o) => engine.describe(f, o),
      status: () => engine.status(),
      close: async () => {},
    },
  });
  const router = createRouter(checkinContract, checkin.handlers);
  const call = async <T>(method: keyof typeof checkinContract, input: unknown): Promise<T> => {
    const r = await router.call(method, input, ctx);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as T;
  };
  return { checkin, router, call };
}

const photo = (name: string) => loadRgba(fixture(name), { width: 480, height: 360 });
const outboxCount = () => (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;

describe('check-in session in core', () => {
  it('answers a wrong IIN with a reason and starts nothing', async () => {
    const { call } = await kiosk({});
    const wrong = `${iin.slice(0, 11)}${(Number(iin[11]) + 1) % 10}`;
    await expect(call('checkin.identify', { iin: wrong })).resolves.toEqual({ ok: false, problem: 'checksum' });
    await expect(call('checkin.identify', { iin: '123' })).resolves.toEqual({ ok: false, problem: 'length' });
  });

  it('a right face checks in: ticket and masked IIN out, descriptor and full IIN never in any answer', async () => {
    const { call, checkin } = await kiosk({ presence: { challenge: 'off' } });
    const before = outboxCount();
    const started = await call<{ ok: true; session: string; maskedIin: string }>('checkin.identify', { iin });
    expect(started.maskedIin).toBe(`••••••••${iin.slice(-4)}`);
    const session = started.session;
    // No frames before the camera was chosen.
    const frame = await photo('photos/alex_lacamoire_3.jpg');
    await expect(call('checkin.frame', { session, ...frame })).rejects.toThrow(/camera has not been chosen/);
    await call('checkin.consent', { session, choice: 'camera' });
    // No ticket before the presence check passed.
    await expect(call('checkin.finish', { session })).rejects.toThrow(/not passed/);
    const answers: FrameSummary[] = [];
    // Until the policy's hold time has passed, however fast this machine judges frames.
    for (let i = 0; i < 300; i++) {
      const f = await photo('photos/alex_lacamoire_3.jpg');
      answers.push(await call<FrameSummary>('checkin.frame', { session, ...f }));
      if (answers.at(-1)!.phase === 'passed') break;
    }
    expect(answers.at(-1)!.phase).toBe('passed');
    expect(answers.at(-1)!.faces).toHaveLength(1);
    const done = await call<{ ticket: string; maskedIin: string }>('checkin.finish', { session });
    expect(done.ticket).toMatch(/^A-\d{3}$/);
    expect(outboxCount()).toBe(before + 1);
    const everything = JSON.stringify([started, answers, done]);
    expect(everything).not.toContain(iin);
    expect(everything).not.toMatch(/descriptor/);
    // The patient is forgotten once the ticket is out.
    expect(checkin.identified(session)).toBeUndefined();
    await expect(call('checkin.frame', { session, ...frame })).rejects.toThrow(/ended/);
  });

  it('two people never pass, and no visit is queued', async () => {
    const { call } = await kiosk({ presence: { challenge: 'off' } });
    const before = outboxCount();
    const { session } = await call<{ session: string }>('checkin.identify', { iin });
    await call('checkin.consent', { session, choice: 'camera' });
    let last: FrameSummary | undefined;
    for (let i = 0; i < 8; i++)
      last = await call<FrameSummary>('checkin.frame', { session, ...(await photo('hard/two_people.jpg')) });
    expect(last!.phase).toBe('guide');
    expect(last!.instruction).toBe('presence.oneAtATime');
    expect(last!.faces.length).toBeGreaterThan(1);
    await expect(call('checkin.finish', { session })).rejects.toThrow(/not passed/);
    expect(outboxCount()).toBe(before);
  });

  it('a still photo fails the head-turn challenge; after the last attempt the decline path is next', async () => {
    const { call, checkin } = await kiosk({
      presence: { challenge: 'head-turn', challengeTimeoutMs: 1_000 },
      ui: { maxFaceAttempts: 2 },
    });
    const before = outboxCount();
    const { session } = await call<{ session: string }>('checkin.identify', { iin });
    const consent = await call<{ attemptsLeft: number }>('checkin.consent', { session, choice: 'camera' });
    expect(consent.attemptsLeft).toBe(2);
    const runAttempt = async () => {
      let last: FrameSummary | undefined;
      for (let i = 0; i < 1000 && !last?.next; i++)
        last = await call<FrameSummary>('checkin.frame', { session, ...(await photo('photos/alex_lacamoire_3.jpg')) });
      return last!;
    };
    // A running attempt cannot be restarted to dodge its failure.
    await call('checkin.frame', { session, ...(await photo('photos/alex_lacamoire_3.jpg')) });
    await expect(call('checkin.retry', { session })).rejects.toThrow(/still running/);
    await call('checkin.consent', { session, choice: 'camera' });
    const first = await runAttempt();
    expect(first.phase).toBe('failed');
    expect(first.next).toBe('retry');
    expect(first.attemptsLeft).toBe(1);
    await expect(call('checkin.retry', { session })).resolves.toEqual({ attemptsLeft: 1, next: 'camera' });
    const second = await runAttempt();
    expect(second.next).toBe('decline');
    expect(second.attemptsLeft).toBe(0);
    await expect(call('checkin.retry', { session })).resolves.toEqual({ attemptsLeft: 0, next: 'decline' });
    // The decline path (in core) still knows who this is, and why the photo path ended.
    expect(checkin.identified(session)).toEqual({ iin, maskedIin: `••••••••${iin.slice(-4)}`, handoff: 'attempts' });
    expect(outboxCount()).toBe(before);
  });

  it('a lost camera hands over to the decline path; cancel forgets the patient', async () => {
    const { call, checkin } = await kiosk({});
    const { session } = await call<{ session: string }>('checkin.identify', { iin });
    await call('checkin.consent', { session, choice: 'camera' });
    await expect(call('checkin.cameraProblem', { session, reason: 'camera-unplugged' })).resolves.toEqual({
      next: 'decline',
    });
    expect(checkin.identified(session)?.handoff).toBe('camera-unplugged');
    // Cancelling someone else's (stale) session does not end this one.
    await call('checkin.cancel', { session: '00000000-0000-4000-8000-000000000000' });
    expect(checkin.identified(session)).toBeDefined();
    await call('checkin.cancel', { session });
    expect(checkin.identified(session)).toBeUndefined();
  });

  it('forgets a patient the screen stopped talking about, but not one the decline path is serving', async () => {
    const config = parseConfig({ ui: { inactivityMs: 10_000, warningMs: 5_000 } });
    let clock = Date.parse('2026-06-01T09:00:00Z');
    const service = createCheckinService(
      config,
      {
        engine,
        newPresenceAttempt: () =>
          createPresenceAttempt(config.presence, {
            describe: (f, o) => engine.describe(f, o),
            model: () => engine.status(),
          }),
        queueVisit: () => ({ ticket: 'unused', maskedIin: 'unused' }),
      },
      () => clock,
    );
    try {
      const router = createRouter(checkinContract, service.handlers);
      const started = await router.call('checkin.identify', { iin }, ctx);
      const value = started.ok ? (started.value as { ok: boolean; session?: string }) : undefined;
      if (!value?.ok || !value.session) throw new Error('identify failed');
      const session = value.session;
      // The decline path keeps using it: each use counts as activity.
      for (let i = 0; i < 3; i++) {
        clock += 100_000;
        expect(service.identified(session)?.iin).toBe(iin);
      }
      // Then nothing for longer than ten inactivity periods: gone.
      clock += 10 * 15_000 + 1;
      const late = await router.call('checkin.consent', { session, choice: 'camera' }, ctx);
      expect(late.ok).toBe(false);
      if (!late.ok) expect(late.error.message).toMatch(/ended/);
      expect(service.identified(session)).toBeUndefined();
    } finally {
      service.close();
    }
  });

  it('when the visit cannot be stored after a pass, no ticket is claimed and the decline path learns why', async () => {
    // A real database that is gone by the time the visit is sealed (as with a pulled disk).
    const lostDir = mkdtempSync(join(tmpdir(), 'kelu-checkin-lost-'));
    const lostDb = openDatabase(join(lostDir, databaseFileName));
    migrateOutbox(lostDb);
    try {
      const config = parseConfig({ presence: { challenge: 'off', holdMs: 0 } });
      const keys = await loadKioskKeys(
        lostDir,
        plainFileProtector(() => undefined),
        'test-clinic',
        { developmentKeys: true },
      );
      const visits = createVisitQueue(lostDb, () => keys);
      const service = createCheckinService(config, {
        engine,
        newPresenceAttempt: () =>
          createPresenceAttempt(config.presence, {
            describe: (f, o) => engine.describe(f, o),
            model: () => engine.status(),
          }),
        queueVisit: (f) => visits.queueVisit(f),
      });
      const router = createRouter(checkinContract, service.handlers);
      const started = await router.call('checkin.identify', { iin }, ctx);
      const session = (started.ok ? (started.value as { session: string }) : undefined)!.session;
      await router.call('checkin.consent', { session, choice: 'camera' }, ctx);
      let phase = '';
      for (let i = 0; i < 30 && phase !== 'passed'; i++) {
        const r = await router.call('checkin.frame', { session, ...(await photo('photos/alex_lacamoire_3.jpg')) }, ctx);
        phase = r.ok ? (r.value as FrameSummary).phase : 'error';
      }
      expect(phase).toBe('passed');
      lostDb.close();
      const done = await router.call('checkin.finish', { session }, ctx);
      expect(done.ok).toBe(false);
      expect(JSON.stringify(done)).not.toContain(iin);
      expect(service.identified(session)).toEqual({ iin, maskedIin: `••••••••${iin.slice(-4)}`, handoff: 'engine' });
      service.close();
    } finally {
      if (lostDb.open) lostDb.close();
      rmSync(lostDir, { recursive: true, force: true });
    }
  });

  it('refuses a second frame while one is being judged (frames are never queued)', async () => {
    const { router, call } = await kiosk({ presence: { challenge: 'off' } });
    const { session } = await call<{ session: string }>('checkin.identify', { iin });
    await call('checkin.consent', { session, choice: 'camera' });
    const [f1, f2] = [await photo('photos/alex_lacamoire_3.jpg'), await photo('photos/alex_lacamoire_3.jpg')];
    const [a, b] = await Promise.all([
      router.call('checkin.frame', { session, ...f1 }, ctx),
      router.call('checkin.frame', { session, ...f2 }, ctx),
    ]);
    expect(a.ok).toBe(true);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.message).toMatch(/One frame at a time/);
    // Once answered, the next frame is welcome.
    const c = await router.call('checkin.frame', { session, ...(await photo('photos/alex_lacamoire_3.jpg')) }, ctx);
    expect(c.ok).toBe(true);
  });

  it('wipes every frame once judged, keeps no frame past the pass, and wipes the descriptor on discard', async () => {
    // No hold time: the pass then depends on the frame count only, not on how fast this machine is.
    const config = parseConfig({ presence: { challenge: 'off', holdMs: 0 } });
    const attempt = createPresenceAttempt(config.presence, {
      describe: (f, o) => engine.describe(f, o),
      model: () => engine.status(),
    });
    const frames = [];
    let phase = '';
    for (let i = 0; i < 30 && phase !== 'passed'; i++) {
      const f = await photo('photos/alex_lacamoire_3.jpg');
      const frame = { width: f.width, height: f.height, data: new Uint8ClampedArray(f.data) };
      const analysis = await engine.analyze(frame, { keep: true });
      frames.push(frame);
      phase = (await attempt.push(analysis, frame)).phase;
    }
    expect(phase).toBe('passed');
    const nonZero = (d: Uint8Array | Uint8ClampedArray) => d.some((x) => x !== 0);
    for (const f of frames) expect(nonZero(f.data)).toBe(false);
    const descriptor = attempt.descriptor();
    expect(descriptor).toHaveLength(128);
    attempt.discard();
    expect(descriptor!.every((x) => x === 0)).toBe(true);
    expect(attempt.descriptor()).toBeUndefined();
  });

  it('rejects frames whose size does not match their bytes', async () => {
    const { router, call } = await kiosk({});
    const { session } = await call<{ session: string }>('checkin.identify', { iin });
    const r = await router.call('checkin.frame', { session, width: 64, height: 64, data: new Uint8Array(10) }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('bad-input');
  });
});
