import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { createStaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

/** kioskctl as clinic IT runs it, the password piped on stdin. */
const kioskctl = (args: string[], stdin = '') =>
  spawnSync('npx', ['tsx', 'tools/kioskctl/kioskctl.ts', ...args], {
    cwd: projectRoot,
    input: stdin,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('kioskctl staff', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-staff-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bootstraps the first admin from piped stdin and prints the enrolment once; the admin can sign in with it', async () => {
    const r = kioskctl(
      ['staff', 'add', '--role', 'admin', '--username', 'Aigul', '--name', 'Aigul N.', '--data-dir', dir],
      'first-admin-password\n',
    );
    expect(r.stderr).not.toContain('first-admin-password');
    expect(r.stdout).not.toContain('first-admin-password');
    expect(r.status).toBe(0);
    const uri = /otpauth:\/\/totp\/\S+/.exec(r.stdout)?.[0];
    expect(uri).toBeDefined();
    const secret = (URI.parse(uri!) as { secret: Secret }).secret.base32;

    const db = openDatabase(join(dir, databaseFileName));
    try {
      const staff = createStaffService(new AccountStore(db), new AuditLog(db), defaultConfig.staff);
      const session = await staff.login('aigul', 'first-admin-password', totpNow(secret));
      expect(session.role).toBe('admin');
      // Nothing in the database holds the password or the enrolment URI.
      const dump = JSON.stringify(db.prepare('SELECT * FROM staff_accounts').all());
      expect(dump).not.toContain('first-admin-password');
      expect(dump).toMatch(/\$argon2id\$/);
    } finally {
      db.close();
    }
    // The list shows the account; a short password and a duplicate are refused with a message.
    expect(kioskctl(['staff', 'list', '--data-dir', dir]).stdout).toMatch(/aigul\s+admin\s+active/);
    const short = kioskctl(['staff', 'add', '--role', 'reception', '--username', 'x1', '--data-dir', dir], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    const dup = kioskctl(
      ['staff', 'add', '--role', 'reception', '--username', 'aigul', '--data-dir', dir],
      'another-long-password\n',
    );
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/taken/);
    const badRole = kioskctl(
      ['staff', 'add', '--role', 'superuser', '--username', 'x2', '--data-dir', dir],
      'another-long-password\n',
    );
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toMatch(/--role/);
    // Every account change is in the chain, and the chain verifies.
    const verify = kioskctl(['audit', 'verify', '--json', '--data-dir', dir]);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  });
});
