import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../electron/core/contract.js';
import { roles, type Role } from '../../electron/shared/api/define.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { createStaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';

/**
 * Role checks live in the core router. This walks EVERY method of the merged contract that has
 * `roles` (methods other parts add later are covered too) and calls it with no session and with a
 * session of each role it does not allow.
 */
describe('role checks in the core router', () => {
  let dir: string;
  let core: Core;
  const sessions = new Map<Role, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-roles-'));
    // One account per role, created before the kiosk starts (as kioskctl would).
    const db = openDatabase(join(dir, databaseFileName));
    const staff = createStaffService(new AccountStore(db), new AuditLog(db), defaultConfig.staff);
    const secrets = new Map<Role, string>();
    for (const role of roles) {
      const e = await staff.add('cli', {
        username: `user-${role}`,
        displayName: role,
        role,
        password: `password-for-${role}`,
      });
      secrets.set(role, (URI.parse(e.otpauthUri) as { secret: Secret }).secret.base32);
    }
    db.close();
    core = await createCore({ dataDir: dir, developmentKeys: true, config: defaultConfig });
    for (const role of roles) {
      const r = await core.router.call(
        'staff.login',
        { username: `user-${role}`, password: `password-for-${role}`, code: totpNow(secrets.get(role)!) },
        { transport: 'test' },
      );
      if (!r.ok) throw new Error(`login as ${role} failed: ${r.error.message}`);
      sessions.set(role, (r.value as { session: string }).session);
    }
  });
  afterAll(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const privileged = Object.entries(contract).filter(([, spec]) => 'roles' in spec && spec.roles);

  it('has privileged methods to check, including every staff-part method', () => {
    const names = privileged.map(([name]) => name);
    for (const m of [
      'staff.list',
      'staff.add',
      'staff.unlock',
      'staff.setRole',
      'handoffs.list',
      'handoffs.resolve',
      'reports.today',
      'reports.daily',
      'reports.exportCsv',
      'audit.verify',
    ]) {
      expect(names).toContain(m);
    }
  });

  it.each(privileged.map(([name]) => [name]))(
    '%s refuses a caller with no session, with a dead session, and with a wrong role',
    async (name) => {
      const spec = contract[name as keyof typeof contract] as { roles?: readonly Role[] };
      const none = await core.router.call(name, {}, { transport: 'test' });
      expect(none).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      const forged = await core.router.call(name, {}, { transport: 'test', session: 'forged-token' });
      expect(forged).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      for (const role of roles.filter((r) => !spec.roles!.includes(r))) {
        const wrong = await core.router.call(name, {}, { transport: 'test', session: sessions.get(role)! });
        expect(wrong, `${name} as ${role}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      // An allowed role gets past the role check (an invalid input is answered as such, not refused).
      const allowed = await core.router.call(
        name,
        { notAField: true },
        { transport: 'test', session: sessions.get(spec.roles![0]!)! },
      );
      if (!allowed.ok) expect(['unauthenticated', 'forbidden']).not.toContain(allowed.error.code);
    },
  );

  it('lets reception see the hand-off list and an admin the accounts, and audits both views', async () => {
    expect(
      await core.router.call('handoffs.list', {}, { transport: 'test', session: sessions.get('reception')! }),
    ).toMatchObject({ ok: true, value: { entries: [] } });
    const accounts = await core.router.call('staff.list', {}, { transport: 'test', session: sessions.get('admin')! });
    expect(accounts).toMatchObject({ ok: true });
    expect(JSON.stringify(accounts)).not.toMatch(/argon2|totp_secret|passwordHash/i);
    const recent = await core.router.call(
      'audit.recent',
      { limit: 50 },
      { transport: 'test', session: sessions.get('admin')! },
    );
    const actions = (recent as { ok: true; value: { rows: Array<{ action: string }> } }).value.rows.map(
      (r) => r.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['handoffs.list', 'staff.list', 'staff.login']));
  });
});
