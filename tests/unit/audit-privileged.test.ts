import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { method, type Handlers } from '../../electron/shared/api/define.js';
import { createRouter } from '../../electron/shared/api/router.js';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { auditPrivilegedCalls, auditRefusals } from '../../electron/core/platform/audit/privileged.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { SessionManager } from '../../electron/core/staff/accounts/sessions.js';
import { rememberStaffSessions } from '../../electron/core/staff/accounts/session-tracker.js';

// A small contract standing in for any part's privileged methods (another part's "config.set").
const contract = {
  'demo.open': method({ summary: 'open', input: z.object({}).strict(), output: z.object({ n: z.number() }) }),
  'demo.config': method({
    summary: 'config',
    roles: ['it'],
    input: z.object({ value: z.string() }).strict(),
    output: z.object({ ok: z.boolean() }),
  }),
  'demo.login': method({
    summary: 'login',
    input: z.object({ role: z.enum(['it', 'reception']) }).strict(),
    output: z.object({ session: z.string().optional(), ok: z.boolean() }),
  }),
};

describe('auditing privileged calls and refusals; the screen session kept in core', () => {
  let dir: string;
  let db: Database;
  let audit: AuditLog;
  let clock: number;
  let sessions: SessionManager;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-audit-priv-'));
    db = openDatabase(join(dir, 'kelu.db'));
    audit = new AuditLog(db);
    clock = 1_000_000;
    sessions = new SessionManager(120_000, () => clock);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = () => {
    const handlers: Handlers<typeof contract> = {
      'demo.open': () => ({ n: 1 }),
      'demo.config': () => ({ ok: true }),
      'demo.login': ({ role }) => ({
        ok: true,
        session: sessions.start({
          staffId: role === 'it' ? 'st_it0000000001' : 'st_rc0000000001',
          username: role,
          role,
        }).token,
      }),
    };
    const actorOf = (ctx: { session?: string }) => sessions.get(ctx.session, false)?.staffId;
    const inner = createRouter(
      contract,
      auditPrivilegedCalls(contract, handlers, audit, actorOf, { now: () => clock }),
      sessions,
    );
    return auditRefusals(inner, audit, actorOf, { now: () => clock });
  };

  it('writes one row per privileged call with the staff id, never the input, and none for open methods', async () => {
    const router = build();
    const login = await router.call('demo.login', { role: 'it' }, { transport: 'test' });
    const token = (login as { ok: true; value: { session: string } }).value.session;
    await router.call('demo.open', {}, { transport: 'test' });
    await router.call('demo.config', { value: 'secret-900101300126' }, { transport: 'test', session: token });
    // The same call again at once (a screen refreshing) is one row; a different one is another.
    await router.call('demo.config', { value: 'secret-900101300126' }, { transport: 'test', session: token });
    await router.call('demo.config', { value: 'other' }, { transport: 'test', session: token });
    clock += 31_000;
    await router.call('demo.config', { value: 'other' }, { transport: 'test', session: token });
    const rows = audit.recent().reverse();
    expect(rows.map((r) => [r.actor, r.action])).toEqual([
      ['st_it0000000001', 'demo.config'],
      ['st_it0000000001', 'demo.config'],
      ['st_it0000000001', 'demo.config'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret');
    expect(audit.verify().ok).toBe(true);
  });

  it('records a signed-in person asking for a method outside their role', async () => {
    const router = build();
    const login = await router.call('demo.login', { role: 'reception' }, { transport: 'test' });
    const token = (login as { ok: true; value: { session: string } }).value.session;
    expect(await router.call('demo.config', { value: 'x' }, { transport: 'test', session: token })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(audit.recent()[0]).toMatchObject({
      actor: 'st_rc0000000001',
      action: 'access-refused',
      detail: JSON.stringify({ method: 'demo.config', via: 'test' }),
    });
  });

  it('keeps the screen’s session token in core: the page never sees it, later calls carry it, logout forgets it', async () => {
    // rememberStaffSessions strips `session` from a successful `staff.login`; here the login method
    // is named staff.login through a thin alias router.
    const inner = build();
    const aliased = {
      methods: () => [...inner.methods(), 'staff.login', 'staff.logout'],
      call: (m: string, i: unknown, ctx: Parameters<typeof inner.call>[2]) =>
        m === 'staff.login'
          ? inner.call('demo.login', i, ctx)
          : m === 'staff.logout'
            ? Promise.resolve({ ok: true as const, value: { ok: true } })
            : inner.call(m, i, ctx),
    };
    const screen = rememberStaffSessions(aliased);
    const login = await screen.call('staff.login', { role: 'it' }, { transport: 'browser-host' });
    expect(login).toEqual({ ok: true, value: { ok: true } });
    expect(await screen.call('demo.config', { value: 'x' }, { transport: 'browser-host' })).toMatchObject({ ok: true });
    // Another transport (kioskctl, tests) does not inherit the screen's session.
    expect(await screen.call('demo.config', { value: 'x' }, { transport: 'cli' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    await screen.call('staff.logout', {}, { transport: 'browser-host' });
    expect(await screen.call('demo.config', { value: 'x' }, { transport: 'browser-host' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });
});
