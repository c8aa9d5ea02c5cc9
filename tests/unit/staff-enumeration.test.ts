// Issue 17 item 10: a locked real account and a locked unknown name answer the same, after a
// restart and after a flood of other names: one store, one lifetime for both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { LoginThrottle } from '../../electron/core/staff/accounts/login-throttle.js';
import { createStaffService, type StaffService } from '../../electron/core/staff/accounts/service.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';

let dir: string;
let db: Database;
let clock: number;
const start = () =>
  createStaffService(
    new AccountStore(db),
    new AuditLog(db, () => new Date(clock)),
    { ...defaultConfig.staff },
    () => clock,
  );
/** The answer's error key, as the screen shows it. */
const answer = (staff: StaffService, name: string) =>
  staff.login(name, 'wrong-password-1', '000000').then(
    () => 'signed in',
    (e: { key?: string }) => e.key ?? 'error',
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelu-enum-'));
  db = openDatabase(join(dir, 'kelu.db'));
  clock = Date.parse('2026-03-02T08:00:00Z');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 17 item 10: username enumeration', () => {
  it('after a restart a locked real account and a locked unknown name both answer "locked"', async () => {
    let staff = start();
    await staff.add('cli', { username: 'aigerim', displayName: 'A', role: 'reception', password: 'reception-pass-1' });
    for (let i = 0; i < defaultConfig.staff.maxFailures; i++) {
      await answer(staff, 'aigerim');
      await answer(staff, 'nobody-here');
    }
    expect(await answer(staff, 'aigerim')).toBe('staff.locked');
    expect(await answer(staff, 'nobody-here')).toBe('staff.locked');
    staff = start(); // the kiosk restarted
    expect(await answer(staff, 'nobody-here')).toBe(await answer(staff, 'aigerim'));
  }, 60_000);

  it('after 1,000 other names the unknown name is still remembered like the real one', async () => {
    const staff = start();
    await staff.add('cli', { username: 'aigerim', displayName: 'A', role: 'reception', password: 'reception-pass-1' });
    for (let i = 0; i < defaultConfig.staff.maxFailures; i++) {
      await answer(staff, 'aigerim');
      await answer(staff, 'nobody-here');
    }
    // The flood, cheaply: the store (the database's table) is the one the login uses.
    const throttle = new LoginThrottle(db);
    for (let i = 0; i < 1100; i++) throttle.set(`flood-${i}`, { failures: 1, lockedUntil: null }, clock);
    expect(await answer(staff, 'nobody-here')).toBe(await answer(staff, 'aigerim'));
  }, 60_000);
});
