// Issue 17 items 1–2: the audit signature at depth. Each test is an attack (or a legitimate
// operation that used to read as one) tried from outside with kioskctl and the database file.
import { execFile } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash, type AuditRow } from '../../electron/core/platform/audit/chain.js';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium, keyId, signDetached } from '../../electron/core/platform/crypto/index.js';
import { deviceKeyFile, type SecretProtector } from '../../electron/core/delivery/keys/index.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { useCleanups } from '../support/upstream.js';

const { tempDir } = useCleanups();
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
const kioskctl = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(
      tsx,
      [join(projectRoot, 'tools/kioskctl/kioskctl.ts'), ...args],
      { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 },
      (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err });
      },
    );
  });

/** One kiosk start (development keys); a changed setting each time makes a signed config row. */
const startKiosk = async (dataDir: string, n: number, protector?: SecretProtector) =>
  (
    await createCore({
      dataDir,
      config: parseConfig({ ui: { maxFaceAttempts: n }, sync: { background: false } }),
      developmentKeys: true,
      ...(protector ? { secretProtector: protector } : {}),
    })
  ).close();

/** The device public key as IT has it from provisioning (and the upstream registered it). */
const registeredKey = (dataDir: string): string =>
  (JSON.parse(readFileSync(deviceKeyFile(dataDir), 'utf8')) as { publicKey: string }).publicKey;

function rows(dataDir: string): Array<AuditRow & { sig: string | null }> {
  const db = openDatabase(join(dataDir, databaseFileName));
  try {
    return db
      .prepare('SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash, sig FROM audit_log ORDER BY seq')
      .all() as Array<AuditRow & { sig: string | null }>;
  } finally {
    db.close();
  }
}

/**
 * Someone with the database file only: rewrites every row from `seq` on, relabels it as kioskctl's
 * (actor os:…, via: cli), re-hashes the chain and, without the device secret, drops the signatures;
 * or, with `signWith`, re-signs with a key of their own.
 */
function rewriteAsKioskctl(
  dataDir: string,
  seq: number,
  signWith?: Uint8Array,
  sodium?: Awaited<ReturnType<typeof getSodium>>,
): void {
  const db = openDatabase(join(dataDir, databaseFileName));
  try {
    const all = db
      .prepare(
        'SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log WHERE seq >= ? ORDER BY seq',
      )
      .all(seq) as AuditRow[];
    let prevHash =
      seq === 1
        ? GENESIS_HASH
        : (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq - 1) as { hash: string }).hash;
    for (const r of all) {
      const edited = {
        ...r,
        prevHash,
        actor: signWith ? r.actor : 'os:root',
        detail: JSON.stringify({ note: 'nothing happened here', via: 'cli' }),
      };
      const hash = rowHash(edited);
      const sig =
        signWith && sodium
          ? Buffer.from(
              signDetached(sodium, new TextEncoder().encode(`kelu-audit-v1\n${r.seq}\n${hash}`), signWith),
            ).toString('base64')
          : null;
      db.prepare(
        'UPDATE audit_log SET actor = ?, detail = ?, prev_hash = ?, hash = ?, sig = ?, key_id = NULL WHERE seq = ?',
      ).run(edited.actor, edited.detail, prevHash, hash, sig, r.seq);
      prevHash = hash;
    }
  } finally {
    db.close();
  }
}

describe('issue 17 item 1: no row enters the signed chain on the strength of its own content', () => {
  it('signed rows rewritten as kioskctl rows (signatures dropped) fail verify, before and after the next kiosk start', async () => {
    const dataDir = tempDir('audit');
    for (const n of [3, 4, 5]) await startKiosk(dataDir, n);
    const key = registeredKey(dataDir);
    const before = rows(dataDir);
    expect(before.every((r) => r.sig !== null)).toBe(true);
    expect(before.length).toBeGreaterThanOrEqual(4);

    rewriteAsKioskctl(dataDir, 3);
    const v = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(v.code, v.out + v.err).toBe(1);
    expect(v.out).toMatch(/BROKEN at row \d+/);

    // The kiosk starts again: it must not sign over rows it did not write.
    await startKiosk(dataDir, 6);
    const after = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(after.code, after.out).toBe(1);
    expect(after.out).not.toMatch(/Audit chain intact/);
    const alarm = rows(dataDir).find((r) => r.action === 'audit.unsigned-rows');
    expect(alarm?.sig).not.toBeNull();
    expect(JSON.parse(alarm!.detail)).toMatchObject({ from: 3, why: 'signed-rows-rewritten' });
  }, 120_000);

  it('unsigned rows added after the last signed row, relabelled as kioskctl, are an alarm at the next kiosk start, not signed over', async () => {
    const dataDir = tempDir('audit');
    for (const n of [3, 4]) await startKiosk(dataDir, n);
    const key = registeredKey(dataDir);
    const db = openDatabase(join(dataDir, databaseFileName));
    const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      hash: string;
    };
    const forged = {
      seq: last.seq + 1,
      at: new Date().toISOString(),
      actor: 'os:it-admin',
      action: 'staff.unlocked',
      detail: JSON.stringify({ staffId: 'x', via: 'cli' }),
      prevHash: last.hash,
    };
    db.prepare(
      'INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(forged.seq, forged.at, forged.actor, forged.action, forged.detail, forged.prevHash, rowHash(forged));
    db.close();
    await startKiosk(dataDir, 5);
    const v = await kioskctl('audit', 'verify', '--json', '--device-key', key, '--data-dir', dataDir);
    expect(v.code, v.out).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({ ok: false, firstBadSeq: forged.seq, problem: 'tamper-alarm' });
  }, 120_000);

  it("kioskctl's rows wait outside the chain and are signed by the kiosk, naming the OS account", async () => {
    const dataDir = tempDir('audit');
    await startKiosk(dataDir, 3);
    const key = registeredKey(dataDir);
    await kioskctl('sync', '--data-dir', dataDir); // no upstream: a row "sync.now" for kioskctl
    expect(rows(dataDir).some((r) => r.action === 'sync.now')).toBe(false);
    await startKiosk(dataDir, 3);
    const synced = rows(dataDir).find((r) => r.action === 'sync.now');
    expect(synced?.actor).toMatch(/^os:/);
    expect(synced?.sig).not.toBeNull();
    expect(JSON.parse(synced!.detail)).toMatchObject({ via: 'cli', outcome: 'no-upstream' });
    const v = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).not.toMatch(/WARNING/);
  }, 120_000);
});

describe('issue 17 item 2: verify does not trust what it checks', () => {
  it('fails when rows are signed and no key is given, even with keys/device.json gone', async () => {
    const dataDir = tempDir('audit');
    await startKiosk(dataDir, 3);
    const v = await kioskctl('audit', 'verify', '--data-dir', dataDir);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/--device-key/);
    unlinkSync(deviceKeyFile(dataDir));
    expect((await kioskctl('audit', 'verify', '--data-dir', dataDir)).code).toBe(1);
  }, 120_000);

  it('a replaced device.json and rows re-signed with it do not verify against the registered key', async () => {
    const dataDir = tempDir('audit');
    for (const n of [3, 4]) await startKiosk(dataDir, n);
    const key = registeredKey(dataDir);
    const sodium = await getSodium();
    const mine = sodium.crypto_sign_keypair();
    rewriteAsKioskctl(dataDir, 1, mine.privateKey, sodium);
    const file = JSON.parse(readFileSync(deviceKeyFile(dataDir), 'utf8')) as Record<string, string>;
    writeFileSync(
      deviceKeyFile(dataDir),
      JSON.stringify({
        ...file,
        publicKey: Buffer.from(mine.publicKey).toString('base64'),
        wrappedSecret: Buffer.from(mine.privateKey).toString('base64'),
      }),
    );
    const v = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(v.code, v.out).toBe(1);
    expect(v.out).toMatch(/BROKEN at row 1 \(bad-signature\)/);
  }, 120_000);

  it('rows written while the keyring was unavailable are marked by a signed row when the key returns: verify passes and says so', async () => {
    const dataDir = tempDir('audit');
    const xor = (b: Uint8Array) => b.map((x) => x ^ 0x5c);
    const safe: SecretProtector = { kind: 'safe-storage', protect: xor, unprotect: xor };
    const basicText: SecretProtector = {
      kind: 'plain-file',
      unavailableReason: 'keyring backend basic_text',
      protect: (b) => b.slice(),
      unprotect: (b) => b.slice(),
    };
    await startKiosk(dataDir, 3, safe);
    const key = registeredKey(dataDir);
    await startKiosk(dataDir, 4, basicText); // the keyring fell back: rows unsigned
    const unsigned = rows(dataDir).filter((r) => r.sig === null);
    expect(unsigned.length).toBeGreaterThan(0);
    await startKiosk(dataDir, 5, safe); // the keyring is back
    const v = await kioskctl('audit', 'verify', '--device-key', key, '--data-dir', dataDir);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(
      new RegExp(
        `rows ${unsigned[0]!.seq}–${unsigned.at(-1)!.seq} are not signed: the kiosk wrote them while its device key was unavailable`,
      ),
    );
  }, 120_000);

  it('a new device key from the IT screen is recorded by a row signed with the old key: verify with the old registered key follows it', async () => {
    const { seedStaff } = await import('../../tools/harness/staff.js');
    const { totpNow } = await import('../../electron/core/staff/accounts/totp.js');
    const dataDir = tempDir('audit');
    const people = await seedStaff(dataDir, [{ username: 'it.person', role: 'it' }]);
    const sodium = await getSodium();
    const upstreamFile = join(tempDir('usb'), 'upstream-public.json');
    const upstreamKey = sodium.crypto_box_keypair().publicKey;
    writeFileSync(
      upstreamFile,
      JSON.stringify({
        v: 1,
        kind: 'kelu-upstream-public-key',
        publicKey: Buffer.from(upstreamKey).toString('base64'),
      }),
    );
    const core = await createCore({
      dataDir,
      config: parseConfig({ sync: { background: false } }),
      developmentKeys: true,
    });
    const oldKey = registeredKey(dataDir);
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
    const session = (login as { value: { session: string } }).value.session;
    const p = await core.router.call(
      'keys.provision',
      {
        upstreamUrl: 'https://upstream.example.kz',
        upstreamKeyFile: upstreamFile,
        upstreamKeyFingerprint: sodium.to_hex(sodium.crypto_generichash(16, upstreamKey, null)),
        clinicId: 'c1',
        newDeviceKey: true,
        keepOldVisits: false,
      },
      { ...ctx, session },
    );
    expect(p.ok, JSON.stringify(p)).toBe(true);
    await core.router.call('staff.logout', {}, { ...ctx, session });
    await core.close();
    const newKey = registeredKey(dataDir);
    expect(newKey).not.toBe(oldKey);
    const v = await kioskctl('audit', 'verify', '--device-key', oldKey, '--data-dir', dataDir);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toContain(
      `Signed by device key ${keyId(sodium, Buffer.from(oldKey, 'base64'))}, then ${keyId(sodium, Buffer.from(newKey, 'base64'))}`,
    );
  }, 120_000);
});
