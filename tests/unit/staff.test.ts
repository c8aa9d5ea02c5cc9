import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { afterFailure, delayAfter, isLocked } from '../../electron/core/staff/accounts/lockout.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../electron/core/staff/accounts/password.js';
import { createStaffService, type StaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow, verifyTotp } from '../../electron/core/staff/accounts/totp.js';
import { Secret, URI } from 'otpauth';

describe('staff passwords (Argon2id, libsodium)', () => {
  it('stores only an Argon2id hash and verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('refuses short or one-character passwords', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeat/);
    expect(passwordProblem('a good long passphrase')).toBeUndefined();
  });
});

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vectors through the same library', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T=59 → 94287082 (8 digits); 6 digits → 287082.
    const secret = Secret.fromLatin1('12345678901234567890').base32;
    expect(totpNow(secret, 59_000)).toBe('287082');
    expect(totpNow(secret, 1_111_111_109_000)).toBe('081804');
  });

  it('accepts a code once, one step of drift, and never a replay', () => {
    const secret = new Secret({ size: 20 }).base32;
    const t = 1_700_000_000_000;
    const step = verifyTotp(secret, totpNow(secret, t), null, t);
    expect(step).toBeTypeOf('number');
    expect(verifyTotp(secret, totpNow(secret, t), step!, t)).toBeUndefined();
    expect(verifyTotp(secret, totpNow(secret, t - 30_000), null, t)).toBeTypeOf('number');
    expect(verifyTotp(secret, totpNow(secret, t - 120_000), null, t)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', null, t)).toBeUndefined();
  });
});

describe('lockout rules', () => {
  const policy = { maxFailures: 5, lockoutMs: 60_000 };
  it('locks on the fifth failure and opens by itself when the time has passed', () => {
    let s = { failures: 0, lockedUntil: null as number | null };
    for (let i = 0; i < 4; i++) s = afterFailure(s, 1000, policy);
    expect(isLocked(s, 1000)).toBe(false);
    s = afterFailure(s, 1000, policy);
    expect(isLocked(s, 1000)).toBe(true);
    expect(isLocked(s, 61_000)).toBe(false);
    // Issue 11 item 19: a failure right after the delay doubles it (up to lockoutMs); a quiet
    // period of lockoutMs after the delay forgets the count.
    expect(afterFailure(s, 61_000, { maxFailures: 5, lockoutMs: 600_000 })).toEqual({
      failures: 6,
      lockedUntil: 61_000 + 120_000,
    });
    expect(afterFailure(s, 61_000 + 60_000, policy)).toEqual({ failures: 1, lockedUntil: null });
  });

  it('grows the delay from one minute, doubling, to lockoutMs (issue 11 item 19)', () => {
    const policy15 = { maxFailures: 5, lockoutMs: 900_000 };
    expect([4, 5, 6, 7, 8, 9, 10].map((f) => delayAfter(f, policy15))).toEqual([
      0, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000,
    ]);
  });
});

describe('staff login, lockout, unlock and idle logout', () => {
  let dir: string;
  let db: Database;
  let clock: number;
  let audit: AuditLog;
  let staff: StaffService;
  let secretOf: (uri: string) => string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-staff-'));
    db = openDatabase(join(dir, 'kelu.db'));
    clock = Date.parse('2026-03-02T08:00:00Z');
    audit = new AuditLog(db, () => new Date(clock));
    staff = createStaffService(new AccountStore(db), audit, { ...defaultConfig.staff }, () => clock);
    secretOf = (uri) => (URI.parse(uri) as { secret: Secret }).secret.base32;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with username, password and the current code; a wrong code fails', async () => {
    const e = await staff.add('cli', {
      username: 'aigerim',
      displayName: 'Aigerim S.',
      role: 'reception',
      password: 'reception-pass-1',
    });
    expect(e.otpauthUri).toMatch(/^otpauth:\/\/totp\/Kelu%20kiosk:aigerim\?/);
    const secret = secretOf(e.otpauthUri);
    await expect(staff.login('aigerim', 'reception-pass-1', '000000')).rejects.toThrow(
      /Wrong username, password or code/,
    );
    const session = await staff.login('Aigerim', 'reception-pass-1', totpNow(secret, clock));
    expect(session.role).toBe('reception');
    expect(staff.sessions.roleOf(session.token)).toBe('reception');
    const actions = audit.recent().map((r) => r.action);
    expect(actions).toContain('staff.login');
    expect(actions).toContain('staff.login-failed');
  });

  it('locks after 5 wrong passwords, refuses even the right one, and unlocks by time or by an admin', async () => {
    const e = await staff.add('cli', {
      username: 'nurlan',
      displayName: 'Nurlan',
      role: 'reception',
      password: 'reception-pass-2',
    });
    const secret = secretOf(e.otpauthUri);
    for (let i = 0; i < 4; i++)
      await expect(staff.login('nurlan', `wrong-password-${i}`, totpNow(secret, clock))).rejects.toThrow(/Wrong/);
    await expect(staff.login('nurlan', 'wrong-password-5', totpNow(secret, clock))).rejects.toThrow(/locked/);
    clock += 30_000;
    await expect(staff.login('nurlan', 'reception-pass-2', totpNow(secret, clock))).rejects.toThrow(/locked/);
    expect(staff.list().find((a) => a.username === 'nurlan')?.locked).toBe(true);

    // Timed unlock: after lockoutMs the right credentials work again.
    clock += defaultConfig.staff.lockoutMs;
    expect((await staff.login('nurlan', 'reception-pass-2', totpNow(secret, clock))).username).toBe('nurlan');

    // Lock again with wrong codes, then an admin unlocks at once.
    clock += 60_000;
    for (let i = 0; i < 5; i++) await expect(staff.login('nurlan', 'reception-pass-2', '123456')).rejects.toThrow();
    clock += 31_000;
    await expect(staff.login('nurlan', 'reception-pass-2', totpNow(secret, clock))).rejects.toThrow(/locked/);
    const admin = await staff.add('cli', {
      username: 'admin',
      displayName: 'Admin',
      role: 'admin',
      password: 'admin-pass-123',
    });
    staff.unlock({ staffId: admin.staffId }, e.staffId);
    expect((await staff.login('nurlan', 'reception-pass-2', totpNow(secret, clock))).username).toBe('nurlan');
    const actions = audit.recent().map((r) => r.action);
    expect(actions).toContain('staff.locked');
    expect(actions).toContain('staff.unlocked');
  });

  it('ends a session after the idle time, and any session when a patient touches the screen', async () => {
    const e = await staff.add('cli', {
      username: 'it.person',
      displayName: 'IT',
      role: 'it',
      password: 'it-password-1',
    });
    const secret = secretOf(e.otpauthUri);
    const s = await staff.login('it.person', 'it-password-1', totpNow(secret, clock));
    clock += defaultConfig.staff.idleLogoutMs - 1000;
    expect(staff.sessions.roleOf(s.token)).toBe('it'); // activity resets the idle timer
    clock += defaultConfig.staff.idleLogoutMs - 1000;
    expect(staff.sessions.roleOf(s.token)).toBe('it');
    clock += defaultConfig.staff.idleLogoutMs;
    expect(staff.sessions.roleOf(s.token)).toBeUndefined();
    expect(audit.recent()[0]).toMatchObject({ action: 'staff.session-ended', detail: JSON.stringify({ why: 'idle' }) });

    clock += 30_000;
    const s2 = await staff.login('it.person', 'it-password-1', totpNow(secret, clock));
    expect(staff.patientTouched()).toBe(1);
    expect(staff.sessions.roleOf(s2.token)).toBeUndefined();
  });

  it('never writes an unknown username (maybe a password typed in the wrong field) to the audit log; staff see a count (issue 11 item 9)', async () => {
    await staff.add('cli', {
      username: 'aigerim',
      displayName: 'Aigerim S.',
      role: 'reception',
      password: 'reception-pass-1',
    });
    await expect(staff.login('Tulip-Secret-2026', 'reception-pass-1', '123456')).rejects.toThrow(
      /Wrong username, password or code/,
    );
    await expect(staff.login('aigerim.typo', 'reception-pass-1', '123456')).rejects.toThrow(/Wrong/);
    const everything = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    expect(everything).not.toMatch(/tulip-secret|aigerim\.typo/i);
    expect(
      audit
        .recent()
        .filter((r) => r.action === 'staff.login-failed')
        .map((r) => r.detail),
    ).toEqual([JSON.stringify({ why: 'no-such-user' }), JSON.stringify({ why: 'no-such-user' })]);
    expect(staff.unknownUsernameFailures24h()).toBe(2);
    clock += 86_400_000 + 1000;
    expect(staff.unknownUsernameFailures24h()).toBe(0);
  });

  it('answers a locked account and an unknown username the same way, every attempt (issue 11 item 19)', async () => {
    const e = await staff.add('cli', {
      username: 'nurlan',
      displayName: 'Nurlan',
      role: 'reception',
      password: 'reception-pass-2',
    });
    const secret = secretOf(e.otpauthUri);
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 8; i++) {
        const err = await staff.login(username, `wrong-password-${i}`, totpNow(secret, clock)).catch((x: Error) => x);
        out.push((err as Error).message);
      }
      return out;
    };
    const real = await answers('nurlan');
    const unknown = await answers('nobody-here');
    expect(unknown).toEqual(real);
    expect(real.slice(0, 4).every((m) => /Wrong username/.test(m))).toBe(true);
    expect(real[4]).toMatch(/locked/);
  });

  it('slows a guesser with growing delays instead of locking the owner out for long (issue 11 item 19)', async () => {
    const e = await staff.add('cli', {
      username: 'nurlan',
      displayName: 'Nurlan',
      role: 'reception',
      password: 'reception-pass-2',
    });
    const secret = secretOf(e.otpauthUri);
    // Someone at the screen taps five wrong passwords and walks away.
    for (let i = 0; i < 5; i++) await expect(staff.login('nurlan', `wrong-${i}-password`, '000000')).rejects.toThrow();
    // The owner comes a little over a minute later and gets in (it was a 15-minute lock before).
    clock += 61_000;
    expect((await staff.login('nurlan', 'reception-pass-2', totpNow(secret, clock))).username).toBe('nurlan');
    // A guesser who keeps going waits longer each time: 1, 2, 4, 8 minutes, then 15.
    clock += 60_000;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      await expect(staff.login('nurlan', `guess-${i}-password`, '000000')).rejects.toThrow();
      const until = staff.list().find((a) => a.username === 'nurlan')!.lockedUntil;
      if (until) {
        waits.push(Date.parse(until) - clock);
        clock = Date.parse(until);
      }
    }
    expect(waits.map((w) => Math.round(w / 1000))).toEqual([60, 120, 240, 480, 900]);
  });

  it('ends a busy session at the maximum session age (issue 11 item 19)', async () => {
    const e = await staff.add('cli', {
      username: 'it.person',
      displayName: 'IT',
      role: 'it',
      password: 'it-password-1',
    });
    const s = await staff.login('it.person', 'it-password-1', totpNow(secretOf(e.otpauthUri), clock));
    const started = clock;
    // Active every minute: idle logout never comes, but the session still has an end.
    while (clock - started < defaultConfig.staff.maxSessionMs - 60_000) {
      clock += 60_000;
      expect(staff.sessions.roleOf(s.token)).toBe('it');
    }
    clock += 60_000;
    expect(staff.sessions.roleOf(s.token)).toBeUndefined();
    expect(audit.recent()[0]).toMatchObject({
      action: 'staff.session-ended',
      detail: JSON.stringify({ why: 'max-age' }),
    });
  });

  it('keeps at least one admin', async () => {
    const a = await staff.add('cli', {
      username: 'boss',
      displayName: 'Boss',
      role: 'admin',
      password: 'admin-pass-456',
    });
    expect(() => staff.setRole('cli', a.staffId, 'reception')).toThrow(/last admin/);
    expect(() => staff.setDisabled('cli', a.staffId, true)).toThrow(/last admin/);
  });
});
