// Staff mode end to end: the built renderer in Debian Chromium through the browser host, the real
// core (SQLite, Argon2id, TOTP, sealing), a patient handed to reception through the real decline
// path, then reception, admin and IT staff at the same screen.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { Secret, URI } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQr } from '../../electron/core/patient/decline/qr-reader.js';
import { getSodium, openSealed } from '../../electron/core/platform/crypto/index.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import {
  devUpstreamKeyPairFile,
  loadKioskKeys,
  plainFileProtector,
  readUpstreamKeyPair,
} from '../../electron/core/delivery/keys/index.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { envelopeSchema } from '../../electron/shared/protocol/envelope.js';
import { createVisitQueue, migrateOutbox } from '../../electron/core/delivery/visits/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { seedStaff, type SeededPerson as Person } from '../../tools/harness/staff.js';
import { testIin } from '../../tools/harness/decline-qr.js';

/** A code the kiosk has not seen yet for this person (a TOTP code is accepted once). */
const usedSteps = new Map<string, number>();
async function freshCode(p: Person): Promise<string> {
  const step = Math.floor(Date.now() / 30_000);
  if ((usedSteps.get(p.username) ?? -1) >= step)
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));
  usedSteps.set(p.username, Math.floor(Date.now() / 30_000));
  return totpNow(p.secret);
}

/** Ctrl+Alt+S from the patient screen (once the app is up); already in staff mode, nothing to do. */
async function enterStaffMode(page: Page): Promise<void> {
  const signInHeading = page.getByRole('heading', { name: 'Staff sign-in' });
  if (await signInHeading.isVisible()) return;
  await page.getByRole('button', { name: 'English' }).waitFor(); // the app is up (any screen)
  await page.keyboard.press('Control+Alt+KeyS');
  await signInHeading.waitFor();
}

async function signIn(page: Page, p: Person, password = p.password, code?: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Username' }).fill(p.username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('textbox', { name: 'Code from the authenticator app' }).fill(code ?? (await freshCode(p)));
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
}

/** Calls core from the page exactly as the screen does (window.kiosk, session held by core). */
async function pageCall(
  page: Page,
  method: string,
  input: unknown = {},
): Promise<{ ok: boolean; error?: { code: string } }> {
  return page.evaluate(
    ([m, i]) =>
      (
        window as unknown as {
          kiosk: { call(m: string, i: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
        }
      ).kiosk.call(m as string, i),
    [method, input] as const,
  );
}

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

const IIN = testIin(4242);
const MASKED = `••••••••${IIN.slice(-4)}`;

describe('staff console in the kiosk', () => {
  let kiosk: TestKiosk;
  let dataDir: string;
  let people: Record<string, Person>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-staff-e2e-'));
    people = await seedStaff(dataDir, [
      { username: 'aigerim', role: 'reception' },
      { username: 'nurlan', role: 'reception' },
      { username: 'boss', role: 'admin' },
      { username: 'timur', role: 'it' },
    ]);
    kiosk = await startTestKiosk({ dataDir, lang: 'en' });
  });
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a patient without a code is handed to reception, and a logged-in receptionist checks them in with the ID document', async () => {
    const { page } = kiosk;
    // The patient: IIN, decline the photo, "I have no code".
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.getByRole('textbox', { name: /Your IIN/ }).fill(IIN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Check in without a photo' }).click();
    await page.getByRole('button', { name: 'I have no code' }).click();
    await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();

    // The receptionist.
    await enterStaffMode(page);
    await signIn(page, people.aigerim!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    const waiting = page.getByRole('table', { name: 'Waiting patients' });
    await expect.poll(() => waiting.getByRole('row').count()).toBe(2);
    expect(await waiting.textContent()).toContain(MASKED);
    expect(await waiting.textContent()).toContain('Declined the photo, no eGov code');
    expect(await page.content()).not.toContain(IIN);

    await page.getByRole('button', { name: `Resolve the hand-off for ${MASKED}` }).click();
    const dialog = page.getByRole('dialog', { name: `Hand-off for ${MASKED}` });
    await dialog.getByRole('radio', { name: 'ID document checked' }).check();
    await dialog.getByRole('combobox', { name: 'Document type' }).selectOption('id-card');
    // A wrong IIN (another real one) is refused: staff must read it from the patient's document.
    await dialog.getByRole('textbox', { name: 'IIN from the document' }).fill(testIin(5000));
    await dialog.getByRole('textbox', { name: 'Last four characters of the document number' }).fill('4821');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'does not match' }).waitFor();
    await dialog.getByRole('textbox', { name: 'IIN from the document' }).fill(IIN);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const done = page.getByRole('status').filter({ hasText: `${MASKED} is checked in` });
    await done.waitFor();
    const ticket = /Ticket (\S+)\./.exec((await done.textContent()) ?? '')![1]!;
    await page.getByText('Nobody is waiting.').waitFor();

    // Today's check-ins: masked, with the method.
    await page.getByRole('tab', { name: "Today's check-ins" }).click();
    const today = page.getByRole('table', { name: "Today's check-ins" });
    const row = today.getByRole('row').filter({ hasText: ticket });
    expect(await row.textContent()).toContain(MASKED);
    expect(await row.textContent()).toContain('Staff-verified');
    expect(await page.content()).not.toContain(IIN);
    await signOut(page);

    // The upstream opens the sealed visit: staff-verified, with this receptionist's id and the document.
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    const rows = db
      .prepare("SELECT o.sealed FROM outbox o JOIN receipts r ON r.visit_id = o.id WHERE r.method = 'staff-verified'")
      .all() as Array<{ sealed: Buffer }>;
    db.close();
    expect(rows).toHaveLength(1);
    const sodium = await getSodium();
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const envelope = envelopeSchema.parse(
      JSON.parse(sodium.to_string(openSealed(sodium, rows[0]!.sealed, upstream.publicKey, upstream.secretKey)!)),
    );
    expect(envelope).toMatchObject({
      method: 'staff-verified',
      iin: IIN,
      staff: { staffId: people.aigerim!.staffId, documentType: 'id-card', documentLast4: '4821' },
    });
  });

  it('refuses what a role may not do, in core, not only on screen', async () => {
    const { page } = kiosk;
    // No session at all.
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    await enterStaffMode(page);
    await signIn(page, people.aigerim!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    // Reception sees no admin or IT sections, and core refuses them if asked directly.
    expect(await page.getByRole('tab', { name: 'Staff accounts' }).count()).toBe(0);
    expect(await pageCall(page, 'staff.list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await pageCall(page, 'audit.verify')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await pageCall(page, 'reports.daily', { from: '2026-01-01', to: '2026-01-02' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: true });
    await signOut(page);
    // IT cannot see hand-offs or manage accounts.
    await signIn(page, people.timur!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await pageCall(page, 'staff.unlock', { staffId: people.aigerim!.staffId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await signOut(page);
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('locks an account after 5 wrong passwords; an admin unlocks it; a patient touch ends the session', async () => {
    const { page } = kiosk;
    const nurlan = people.nurlan!;
    for (let i = 1; i <= 4; i++) {
      await signIn(page, nurlan, `wrong-password-${i}`, '000000');
      await page.getByRole('alert').filter({ hasText: 'Wrong username, password or code.' }).waitFor();
    }
    await signIn(page, nurlan, 'wrong-password-5', '000000');
    await page.getByRole('alert').filter({ hasText: 'locked' }).waitFor();
    // Even the right password and code are refused while locked.
    await signIn(page, nurlan);
    await page.getByRole('alert').filter({ hasText: 'locked' }).waitFor();

    await signIn(page, people.boss!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    const accounts = page.getByRole('table', { name: 'Staff accounts' });
    expect(await accounts.getByRole('row').filter({ hasText: 'nurlan' }).textContent()).toMatch(/Locked until/);
    await page.getByRole('button', { name: 'Unlock nurlan' }).click();
    await page.getByRole('status').filter({ hasText: 'nurlan is unlocked.' }).waitFor();
    // The report shows today's staff-verified check-in from the first test (then the total, and no help requests).
    await page.getByRole('tab', { name: 'Report' }).click();
    const todayRow = page.getByRole('table', { name: 'Check-ins per day by method' }).getByRole('row').last();
    expect((await todayRow.getByRole('cell').allTextContents()).slice(-3)).toEqual(['1', '1', '0']);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByRole('status').filter({ hasText: 'The report is ready' }).waitFor();
    // The admin proves the audit chain from the console and sees who unlocked whom.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /The audit log is intact \(\d+ rows\)/ })
      .waitFor();
    const unlockRow = page
      .getByRole('table', { name: 'Newest audit rows' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'staff.unlocked', exact: true }) });
    expect(await unlockRow.textContent()).toContain('boss');
    await signOut(page);

    await signIn(page, nurlan);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    // Leave staff mode without signing out, as a hurried receptionist might; a patient touches the screen.
    await page.getByRole('button', { name: 'Back to check-in' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('an admin creates a personal account; the QR shown once enrols the new person, who then signs in', async () => {
    const { page } = kiosk;
    await enterStaffMode(page);
    await signIn(page, people.boss!);
    await page.getByRole('tab', { name: 'Staff accounts' }).click();
    const form = page.getByRole('form', { name: 'New account' });
    await form.getByRole('textbox', { name: 'Username', exact: true }).fill('dana');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Dana K.');
    await form.getByRole('combobox', { name: 'Role' }).selectOption('reception');
    await form.getByLabel('Initial password (at least 10 characters)').fill('dana-first-password');
    await form.getByRole('button', { name: 'Create account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Authenticator for dana' });
    const qr = dialog.getByRole('img', { name: 'Enrolment QR code' });
    // Decode the QR as a phone would, from the pixels on screen.
    const png = await qr.screenshot();
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const uri = await decodeQr({
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Kelu%20kiosk:dana\?/);
    expect(await dialog.textContent()).toContain(uri);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await dialog.count()).toBe(0);
    await signOut(page);
    const dana: Person = {
      username: 'dana',
      password: 'dana-first-password',
      secret: (URI.parse(uri!) as { secret: Secret }).secret.base32,
      staffId: '',
    };
    await signIn(page, dana);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    expect(await page.getByText('Signed in: Dana K. (Reception)').count()).toBe(1);
    await signOut(page);
  });

  it('records every login, failure, view, resolution, export and unlock in a chain that kioskctl proves, and names an edited row', async () => {
    await kiosk.close();
    const db = new Database(join(dataDir, databaseFileName));
    const actions = (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as Array<{ action: string }>).map(
      (r) => r.action,
    );
    for (const a of [
      'config.loaded',
      'staff.login',
      'staff.login-failed',
      'staff.locked',
      'staff.unlocked',
      'staff.unlock',
      'handoffs.created',
      'handoffs.list',
      'handoffs.iin-mismatch',
      'handoffs.resolved',
      'reports.today',
      'reports.exportCsv',
      'staff.list',
    ]) {
      expect(actions, a).toContain(a);
    }
    db.close();
    // The device key as IT has it from provisioning (the upstream registered it): verify trusts no key in the folder.
    const deviceKey = (JSON.parse(readFileSync(join(dataDir, 'keys', 'device.json'), 'utf8')) as { publicKey: string })
      .publicKey;
    const kioskctl = (...args: string[]) =>
      spawnSync(
        'npx',
        ['tsx', 'tools/kioskctl/kioskctl.ts', ...args, '--device-key', deviceKey, '--data-dir', dataDir],
        { cwd: projectRoot, encoding: 'utf8' },
      );
    const intact = kioskctl('audit', 'verify');
    expect(intact.stdout).toMatch(/Audit chain intact: \d+ rows/);
    expect(intact.status).toBe(0);

    // Someone with the disk edits one row to hide who resolved the hand-off.
    const edit = new Database(join(dataDir, databaseFileName));
    const target = edit.prepare("SELECT seq FROM audit_log WHERE action = 'handoffs.resolved'").get() as {
      seq: number;
    };
    edit.prepare("UPDATE audit_log SET actor = 'st_000000000000' WHERE seq = ?").run(target.seq);
    edit.close();
    const broken = kioskctl('audit', 'verify');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`Audit chain BROKEN at row ${target.seq} (hash-mismatch)`);

    // The full IIN is nowhere in the data folder: not in the hand-off list, not in the audit log.
    for (const f of everyFile(dataDir)) expect(readFileSync(f).includes(Buffer.from(IIN)), f).toBe(false);
  });
});

describe('idle logout', () => {
  let kiosk: TestKiosk;
  let dataDir: string;
  let people: Record<string, Person>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-staff-idle-'));
    people = await seedStaff(dataDir, [{ username: 'aigerim', role: 'reception' }]);
    kiosk = await startTestKiosk({ dataDir, lang: 'en', config: { staff: { idleLogoutMs: 10_000 } } });
  });
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs the person out after the idle time with nothing touched, on screen and in core', async () => {
    const { page } = kiosk;
    // The discreet gesture: five quick taps in the top-left corner.
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
    for (let i = 0; i < 5; i++) await page.mouse.click(12 + i, 12);
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await signIn(page, people.aigerim!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: true });
    await page
      .getByRole('status')
      .filter({ hasText: 'You were signed out after 10 seconds without activity.' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    expect(await pageCall(page, 'handoffs.list')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });
});

describe('the report in the admin console', () => {
  let kiosk: TestKiosk;
  let dataDir: string;
  let people: Record<string, Person>;
  // A known set of real sealed visits, made by the kiosk's own queue at chosen times (UTC noon, so
  // the calendar day is the same in any clinic time zone from UTC−11 to UTC+11).
  const known: Array<{ day: string; face: number; 'egov-code': number; 'egov-qr': number; 'staff-verified': number }> =
    [
      { day: '2026-03-02', face: 5, 'egov-code': 2, 'egov-qr': 1, 'staff-verified': 0 },
      { day: '2026-03-03', face: 0, 'egov-code': 0, 'egov-qr': 0, 'staff-verified': 0 },
      { day: '2026-03-04', face: 3, 'egov-code': 0, 'egov-qr': 2, 'staff-verified': 4 },
    ];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-staff-report-'));
    people = await seedStaff(dataDir, [{ username: 'boss', role: 'admin' }]);
    const db = openDatabase(join(dataDir, databaseFileName));
    migrateOutbox(db);
    const keys = await loadKioskKeys(
      dataDir,
      plainFileProtector(() => {}),
      defaultConfig.clinicId,
      { developmentKeys: true },
    );
    const queue = createVisitQueue(db, () => keys);
    const descriptor = Array.from({ length: 128 }, (_, i) => Math.cos(i) / 4);
    let minute = 0;
    for (const d of known) {
      const at = () => `${d.day}T12:${String(minute++ % 60).padStart(2, '0')}:00.000Z`;
      for (let i = 0; i < d.face; i++)
        await queue.queueVisit({
          method: 'face',
          iin: testIin(100 + i),
          createdAt: at(),
          face: { descriptor, modelId: 'test', presence: { challenge: 'off', frames: 10, durationMs: 800 } },
        });
      for (let i = 0; i < d['egov-code']; i++)
        await queue.queueVisit({
          method: 'egov-code',
          iin: testIin(200 + i),
          createdAt: at(),
          egov: { code: '123456' },
        });
      for (let i = 0; i < d['egov-qr']; i++)
        await queue.queueVisit({
          method: 'egov-qr',
          iin: testIin(300 + i),
          createdAt: at(),
          egov: { token: 'share-token-for-test' },
        });
      for (let i = 0; i < d['staff-verified']; i++)
        await queue.queueVisit({
          method: 'staff-verified',
          iin: testIin(400 + i),
          createdAt: at(),
          staff: { staffId: people.boss!.staffId, documentType: 'id-card', documentLast4: '0001', reason: 'test' },
        });
    }
    db.close();
    kiosk = await startTestKiosk({ dataDir, lang: 'en' });
  });
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the known figures per day and method, and exports the same as CSV', async () => {
    const { page } = kiosk;
    await enterStaffMode(page);
    await signIn(page, people.boss!);
    await page.getByRole('tab', { name: 'Report' }).click();
    await page.getByLabel('From').fill('2026-03-02');
    await page.getByLabel('To').fill('2026-03-04');
    await page.getByRole('button', { name: 'Show' }).click();
    const table = page.getByRole('table', { name: 'Check-ins per day by method' });
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    for (const d of known) {
      const cells = await table.getByRole('row').filter({ hasText: d.day }).getByRole('cell').allTextContents();
      const total = d.face + d['egov-code'] + d['egov-qr'] + d['staff-verified'];
      expect(cells, d.day).toEqual([d.face, d['egov-code'], d['egov-qr'], d['staff-verified'], total, 0].map(String));
    }
    const csv = (
      await page.evaluate(() =>
        (
          window as unknown as { kiosk: { call(m: string, i: unknown): Promise<{ ok: true; value: { csv: string } }> } }
        ).kiosk.call('reports.exportCsv', { from: '2026-03-02', to: '2026-03-04' }),
      )
    ).value.csv;
    expect(csv.trimEnd().split('\r\n')).toEqual([
      'day,face,egov-code,egov-qr,staff-verified,total,asked-for-help,flags',
      '2026-03-02,5,2,1,0,8,0,',
      '2026-03-03,0,0,0,0,0,0,',
      '2026-03-04,3,0,2,4,9,0,',
    ]);
  });
});
