import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rowHash, type AuditRow } from '../../electron/core/platform/audit/chain.js';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { seedStaff } from '../../tools/harness/staff.js';
import { openLocalStaff } from '../../tools/kioskctl/commands/staff-cli-support.js';
import { deviceKeyFile, devUpstreamPublicKeyFile } from '../../electron/core/delivery/keys/index.js';
import { readFileSync } from 'node:fs';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { useCleanups } from '../support/upstream.js';

/**
 * IT actions done with kioskctl (provision, export, sync) leave audit rows in the same hash chain as
 * the console's, naming the OS account that ran them, and `kioskctl audit verify` still proves it.
 */
const { cleanups, tempDir } = useCleanups();
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
/** Asynchronous, so the upstream running in this process can answer the child's requests. */
const kioskctl = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(
      tsx,
      [join(projectRoot, 'tools/kioskctl/kioskctl.ts'), ...args],
      { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 },
      (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, out, err });
      },
    );
  });
/** The chain's rows, then kioskctl's rows still waiting for the kiosk to sign them (seq 0). */
const rowsOf = (dataDir: string): AuditRow[] => {
  const local = openLocalStaff(dataDir);
  try {
    return [
      ...local.audit.recent(1000).reverse(),
      ...local.audit.pendingRows().map((r) => ({ ...r, seq: 0, prevHash: '', hash: '' })),
    ];
  } finally {
    local.close();
  }
};
const detailOf = (row: AuditRow | undefined) => JSON.parse(row?.detail ?? '{}') as Record<string, unknown>;

describe('kioskctl audit rows for provision, export and sync', () => {
  it('records who provisioned, exported and synced, with no PII, and the chain still verifies', async () => {
    const upstream = await startDevUpstream(tempDir('up'));
    cleanups.push(() => upstream.close());
    const dataDir = tempDir('kiosk');
    const actor = `os:${userInfo().username}`;

    const p = await kioskctl(
      'provision',
      '--upstream',
      upstream.url,
      '--upstream-key',
      devUpstreamPublicKeyFile(),
      '--clinic',
      'c7',
      '--development-keys',
      '--data-dir',
      dataDir,
    );
    expect(p.code, p.err).toBe(0);
    const pinned = /pinned key (\S+)\./.exec(p.out)![1]!;
    const deviceId = /device id:\s+(\S+)/.exec(p.out)![1]!;
    const publicKey = /device public key:\s+(\S+)/.exec(p.out)![1]!;
    upstream.receiver.registerDevice(deviceId, Buffer.from(publicKey, 'base64'));

    const kiosk = await openHeadlessKiosk(dataDir);
    for (let i = 0; i < 3; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    kiosk.close();

    // A timestamped file name holds twelve digits in a row: the export must still succeed.
    const bundle = join(tempDir('usb'), 'visits-202611261230.kelu');
    const e = await kioskctl('export', '--out', bundle, '--data-dir', dataDir);
    expect(e.code, e.err).toBe(0);
    const s = await kioskctl('sync', '--quiet', '--data-dir', dataDir);
    expect(s.code, s.out + s.err).toBe(0);
    expect(s.out).toMatch(/0 delivered, 3 already at the upstream|3 delivered/);

    const rows = rowsOf(dataDir);
    const provision = rows.find((r) => r.action === 'sync.provision');
    expect(provision?.actor).toBe(actor);
    expect(detailOf(provision)).toMatchObject({
      clinic: 'c7',
      upstream: upstream.url.replace(/\/$/, '') + '/',
      upstreamKeyId: pinned,
      via: 'cli',
    });

    const exported = rows.find((r) => r.action === 'sync.export');
    expect(exported?.actor).toBe(actor);
    expect(detailOf(exported)).toMatchObject({ items: 3, via: 'cli' });
    expect(String(detailOf(exported).bundle)).toMatch(/visits-\*{8}1230\.kelu$/);

    const synced = rows.find((r) => r.action === 'sync.now');
    expect(synced?.actor).toBe(actor);
    expect(detailOf(synced)).toMatchObject({ outcome: 'empty', remaining: 0, rejected: 0, via: 'cli' });
    expect(Number(detailOf(synced).accepted) + Number(detailOf(synced).duplicate)).toBe(3);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['sync.provision', 'sync.export', 'sync.now']));

    // No patient IIN in any row.
    for (let i = 0; i < 3; i++) expect(JSON.stringify(rows)).not.toContain(syntheticVisit(i).iin);

    // kioskctl's rows wait outside the chain; the kiosk's next start imports and signs them.
    expect(rows.filter((r) => r.seq === 0).map((r) => r.action)).toEqual(
      expect.arrayContaining(['sync.provision', 'sync.export', 'sync.now']),
    );
    await (
      await createCore({
        dataDir,
        config: parseConfig({ clinicId: 'c7', sync: { background: false } }),
        developmentKeys: true,
      })
    ).close();
    const signed = rowsOf(dataDir);
    expect(signed.filter((r) => r.seq === 0)).toHaveLength(0);
    const exportedRow = signed.find((r) => r.action === 'sync.export')!;
    expect(exportedRow.actor).toBe(actor);
    const v = await kioskctl('audit', 'verify', '--json', '--device-key', publicKey, '--data-dir', dataDir);
    expect(v.code, v.out + v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, rows: signed.length, signedThrough: signed.length });

    // The rows are links of the chain, not loose lines: editing the export row breaks verify there.
    const db = openDatabase(join(dataDir, databaseFileName));
    db.prepare('UPDATE audit_log SET detail = ? WHERE seq = ?').run(
      JSON.stringify({ ...detailOf(exportedRow), items: 0 }),
      exportedRow.seq,
    );
    db.close();
    const broken = await kioskctl('audit', 'verify', '--device-key', publicKey, '--data-dir', dataDir);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`BROKEN at row ${exportedRow.seq}`);
  });

  it('records a sync that found no upstream, and writes nothing for a refused provision', async () => {
    const dataDir = tempDir('kiosk');
    const kiosk = await openHeadlessKiosk(dataDir); // development keys, no upstream URL
    await kiosk.queue.queueVisit(syntheticVisit(5));
    kiosk.close();
    const before = rowsOf(dataDir).length;

    const refused = await kioskctl(
      'provision',
      '--upstream',
      'http://upstream.example.kz',
      '--upstream-key',
      devUpstreamPublicKeyFile(),
      '--clinic',
      'c1',
      '--data-dir',
      dataDir,
    );
    expect(refused.code).not.toBe(0);
    expect(rowsOf(dataDir)).toHaveLength(before);

    const s = await kioskctl('sync', '--quiet', '--data-dir', dataDir);
    expect(s.code).toBe(5);
    const rows = rowsOf(dataDir);
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ actor: `os:${userInfo().username}`, action: 'sync.now' });
    expect(detailOf(rows.at(-1))).toMatchObject({ outcome: 'no-upstream', remaining: 1 });
    expect((await kioskctl('audit', 'verify', '--data-dir', dataDir)).code).toBe(0);
  });
});

describe('audit rows signed with the device key (issue 11 item 20)', () => {
  async function kioskWithRows(): Promise<string> {
    const dataDir = tempDir('kiosk');
    const start = async (maxFaceAttempts: number) =>
      (
        await createCore({
          dataDir,
          config: parseConfig({ ui: { maxFaceAttempts }, sync: { background: false } }),
          developmentKeys: true,
        })
      ).close();
    await start(3); // rows 1 and 2: the development keys made, the kiosk's configuration (signed)
    await kioskctl('sync', '--data-dir', dataDir); // kioskctl's sync waits outside the chain
    await start(4); // rows 3 to 5: kioskctl's row imported and signed, the kiosk's changed configuration (signed)
    await start(5);
    return dataDir;
  }

  /** What someone with the file but not the device secret can do: rewrite a row and re-hash everything after it. */
  function rewriteFrom(dataDir: string, seq: number, stripSignatures: boolean): void {
    const db = openDatabase(join(dataDir, databaseFileName));
    try {
      const rows = db
        .prepare(
          'SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log WHERE seq >= ? ORDER BY seq',
        )
        .all(seq) as AuditRow[];
      let prevHash = (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq - 1) as { hash: string }).hash;
      for (const r of rows) {
        const edited = {
          ...r,
          prevHash,
          detail: r.seq === seq ? JSON.stringify({ note: 'nothing happened here' }) : r.detail,
        };
        const hash = rowHash(edited);
        db.prepare(
          `UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ?${stripSignatures ? ', sig = NULL' : ''} WHERE seq = ?`,
        ).run(edited.detail, prevHash, hash, r.seq);
        prevHash = hash;
      }
    } finally {
      db.close();
    }
  }

  it('verify names the signed range; a re-hashed rewrite fails on its signature, and stripping the signatures fails too', async () => {
    const dataDir = await kioskWithRows();
    const key = (JSON.parse(readFileSync(deviceKeyFile(dataDir), 'utf8')) as { publicKey: string }).publicKey;
    const ok = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/Signed by device key \S+ through row \d+/);
    const v = JSON.parse(
      (await kioskctl('audit', 'verify', '--json', '--device-key', key, '--data-dir', dataDir)).out,
    ) as { ok: boolean; rows: number; signedThrough: number; unsignedTail: number };
    expect(v).toMatchObject({ ok: true, signedThrough: v.rows, unsignedTail: 0 });

    expect(v.rows).toBeGreaterThanOrEqual(4);
    rewriteFrom(dataDir, 4, false);
    const forged = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(forged.code).toBe(1);
    expect(forged.out).toMatch(/BROKEN at row 4 \(bad-signature\)/);

    rewriteFrom(dataDir, 4, true);
    const stripped = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(stripped.code).toBe(1);
    expect(stripped.out).toMatch(/BROKEN at row 4 \(unsigned-row\)/);
  });

  it("the IT screen's export writes the file and the item count to the audit log, like kioskctl export", async () => {
    const dataDir = tempDir('kiosk');
    const people = await seedStaff(dataDir, [{ username: 'it.person', role: 'it' }]);
    const core = await createCore({
      dataDir,
      config: parseConfig({ sync: { background: false } }),
      developmentKeys: true,
    });
    cleanups.push(() => core.close());
    const ctx = { transport: 'test' as const };
    const login = await core.router.call(
      'staff.login',
      {
        username: 'it.person',
        password: people['it.person']!.password,
        code: totpNow(people['it.person']!.secret, Date.now()),
      },
      ctx,
    );
    expect(login.ok).toBe(true);
    const session = (login as { value: { session: string } }).value.session;
    const bundle = join(tempDir('usb'), 'visits-202611261230.kelu');
    expect(await core.router.call('sync.export', { path: bundle }, { ...ctx, session })).toMatchObject({
      ok: true,
      value: { items: 0 },
    });
    const row = rowsOf(dataDir).find((r) => r.action === 'sync.export');
    expect(detailOf(row)).toEqual({ bundle: bundle.replace('202611261230', '********1230'), items: 0, via: 'test' });
  });
});
