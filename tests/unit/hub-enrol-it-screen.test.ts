// Issue 19: the IT screen's token field. IT signed in at the kiosk spends the hub's one-time
// enrolment token through core's `sync.enrolAtHub` (the same enrolWithHub `kioskctl provision
// --enrolment-token` uses), against the real hub on PostgreSQL, over the real router: role check,
// input validated at the boundary, the hub's reason on refusal, audited as `sync.enrol` without the token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { plainFileProtector, provisionKiosk } from '../../electron/core/delivery/keys/index.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { writeUpstreamKeyPair } from '../../upstream/hub/keys.js';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { seedStaff, type SeededPerson } from '../../tools/harness/staff.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const work = mkdtempSync(join(tmpdir(), 'kelu-hub-enrol-ipc-'));
const quiet = plainFileProtector(() => {});
let h: TestHub;
let upstreamKey: string;

const call = (core: Core, method: string, input: unknown, session?: string) =>
  core.router.call(method, input, { transport: 'test', ...(session ? { session } : {}) });

async function login(core: Core, p: SeededPerson): Promise<string> {
  const r = await call(core, 'staff.login', { username: p.username, password: p.password, code: totpNow(p.secret) });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { session: string }).session;
}

/** A kiosk provisioned for `clinic` at the hub (not enrolled), with one visit queued, IT and reception accounts. */
async function provisionedKiosk(name: string, clinic: string, deviceId: string) {
  const dataDir = join(work, name);
  const people = await seedStaff(dataDir, [
    { username: 'it-ayan', role: 'it' },
    { username: 'rec-dana', role: 'reception' },
  ]);
  await provisionKiosk({
    dataDir,
    protector: quiet,
    upstreamUrl: h.url,
    upstreamKeyFile: upstreamKey,
    clinicId: clinic,
    deviceId,
    strandedVisits: () => 0,
  });
  const headless = await openHeadlessKiosk(dataDir);
  await headless.queue.queueVisit(syntheticVisit(1));
  headless.close();
  const core = await createCore({
    dataDir,
    config: parseConfig({ sync: { background: false } }),
    secretProtector: quiet,
  });
  return {
    dataDir,
    core,
    it: await login(core, people['it-ayan']!),
    reception: await login(core, people['rec-dana']!),
  };
}

/** A delivery run (retrying with backoff when untilEmpty) to its end; returns the kiosk's sync status. */
async function syncNow(core: Core, session: string, untilEmpty: boolean) {
  const started = await call(core, 'sync.now', { untilEmpty }, session);
  expect(started.ok).toBe(true);
  await expect
    .poll(
      async () => ((await call(core, 'sync.progress', {}, session)) as { value: { running: boolean } }).value.running,
      {
        timeout: 60_000,
      },
    )
    .toBe(false);
  const status = await call(core, 'sync.status', {}, session);
  if (!status.ok) throw new Error(status.error.message);
  return status.value as { queueDepth: number; lastError: { message: string } | null };
}

const enrolRows = (dataDir: string) => {
  const db = openDatabase(join(dataDir, databaseFileName));
  try {
    return db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'sync.enrol' ORDER BY seq").all() as Array<{
      actor: string;
      detail: string;
    }>;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  upstreamKey = join(work, 'upstream-key.json');
  await writeUpstreamKeyPair(upstreamKey);
  h = await startTestHub({ keyFiles: [upstreamKey] });
  await h.hub.store.addClinic('clinic-a');
  await h.hub.store.addClinic('clinic-b');
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('sync.enrolAtHub: IT enrols the kiosk at the hub from the IT screen', () => {
  it('refused before enrolment; a wrong token refused with the hub’s reason; the right one enrols, once; audited without the token', async () => {
    const k = await provisionedKiosk('lobby', 'clinic-a', 'kiosk-lobby');
    try {
      // Not enrolled: the hub refuses the kiosk's visits.
      const before = await syncNow(k.core, k.it, false);
      expect(before.queueDepth).toBe(1);
      expect(before.lastError?.message).toMatch(/not enrolled/);

      const wrong = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token: 'not-the-token-1234' }, k.it);
      expect(wrong).toEqual({
        ok: true,
        value: {
          enrolled: false,
          refusal: 'refused',
          reason: expect.stringMatching(/token is unknown, expired or already used/),
        },
      });

      const token = await h.hub.store.issueToken('clinic-a', 'kiosk-lobby');
      const right = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token }, k.it);
      expect(right).toEqual({
        ok: true,
        value: { enrolled: true, deviceId: 'kiosk-lobby', clinicId: 'clinic-a', keys: 1 },
      });
      const after = await syncNow(k.core, k.it, true);
      expect(after.queueDepth).toBe(0);
      expect(Number((await h.query<{ n: string }>('SELECT count(*) AS n FROM verdicts'))[0]!.n)).toBe(1);

      // The token works once: the hub's reason comes back.
      const again = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token }, k.it);
      expect(again).toMatchObject({
        ok: true,
        value: { enrolled: false, refusal: 'refused', reason: expect.stringMatching(/already used/) },
      });
      expect(JSON.stringify(again)).not.toContain(token);

      // Every try is one `sync.enrol` row, as kioskctl writes it, by the signed-in person, never the token.
      const rows = enrolRows(k.dataDir);
      expect(rows).toHaveLength(3);
      expect(rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>)).toEqual([
        {
          deviceId: 'kiosk-lobby',
          ok: false,
          why: expect.stringMatching(/The hub refused the enrolment/),
          via: 'test',
        },
        { deviceId: 'kiosk-lobby', ok: true, clinicId: 'clinic-a', keys: 1, via: 'test' },
        { deviceId: 'kiosk-lobby', ok: false, why: expect.stringMatching(/already used/), via: 'test' },
      ]);
      expect(rows.every((r) => !r.actor.startsWith('os:') && r.actor !== 'unknown')).toBe(true);
      expect(rows.map((r) => r.detail).join('\n')).not.toContain(token);
      expect(rows.map((r) => r.detail).join('\n')).not.toContain('not-the-token-1234');
    } finally {
      await k.core.close();
    }
  }, 120_000);

  it('IT only: reception is refused, nobody signed in is refused, and nothing reaches the hub', async () => {
    const k = await provisionedKiosk('roles', 'clinic-a', 'kiosk-roles');
    try {
      const token = await h.hub.store.issueToken('clinic-a', 'kiosk-roles');
      const asReception = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token }, k.reception);
      expect(asReception).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const anonymous = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token });
      expect(anonymous).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      expect(enrolRows(k.dataDir)).toHaveLength(0);
      // The token was not spent: IT can still use it.
      const byIt = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token }, k.it);
      expect(byIt).toMatchObject({ ok: true, value: { enrolled: true, deviceId: 'kiosk-roles' } });
    } finally {
      await k.core.close();
    }
  }, 120_000);

  it('validates at the boundary: HTTPS except loopback, the token as the protocol’s schema says, this kiosk’s hub', async () => {
    const k = await provisionedKiosk('input', 'clinic-a', 'kiosk-input');
    try {
      const plainHttp = await call(
        k.core,
        'sync.enrolAtHub',
        { hubUrl: 'http://hub.example.kz', token: 'a-long-enough-token' },
        k.it,
      );
      expect(plainHttp).toMatchObject({
        ok: false,
        error: { code: 'bad-input', message: expect.stringMatching(/HTTPS/) },
      });
      const short = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token: 'short' }, k.it);
      expect(short).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/token/) } });
      expect(JSON.stringify(short)).not.toContain('short"');
      const extra = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token: 'a-long-enough-token', x: 1 }, k.it);
      expect(extra).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      // A hub other than the one this kiosk delivers to: refused before anything is sent.
      const other = await call(
        k.core,
        'sync.enrolAtHub',
        { hubUrl: 'https://other-hub.example.kz', token: 'a-long-enough-token' },
        k.it,
      );
      expect(other).toMatchObject({ ok: true, value: { enrolled: false, refusal: 'other-upstream' } });
    } finally {
      await k.core.close();
    }
  }, 120_000);

  it('a token issued for another clinic is reported, not taken as this kiosk’s clinic', async () => {
    const k = await provisionedKiosk('moved', 'clinic-a', 'kiosk-moved');
    try {
      const token = await h.hub.store.issueToken('clinic-b', 'kiosk-moved');
      const r = await call(k.core, 'sync.enrolAtHub', { hubUrl: h.url, token }, k.it);
      expect(r).toMatchObject({
        ok: true,
        value: { enrolled: false, refusal: 'wrong-clinic', reason: expect.stringMatching(/clinic-b/) },
      });
    } finally {
      await k.core.close();
    }
  }, 120_000);

  it('an unprovisioned kiosk has nothing to enrol: it says so', async () => {
    const dataDir = join(work, 'bare');
    const people = await seedStaff(dataDir, [{ username: 'it-ayan', role: 'it' }]);
    const core = await createCore({
      dataDir,
      config: parseConfig({ sync: { background: false } }),
      secretProtector: quiet,
    });
    try {
      const session = await login(core, people['it-ayan']!);
      const r = await call(core, 'sync.enrolAtHub', { hubUrl: h.url, token: 'a-long-enough-token' }, session);
      expect(r).toMatchObject({ ok: true, value: { enrolled: false, refusal: 'not-provisioned' } });
    } finally {
      await core.close();
    }
  }, 60_000);
});
