// Issue 17 item 16: the IT screen's key picker follows no links, shows each key's id and
// fingerprint, says when several keys are on the media, and provisioning needs IT to confirm the
// fingerprint the upstream published.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, URI } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { createStaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';

const dirs: string[] = [];
const cores: Core[] = [];
const tempDir = (n: string) => {
  const d = mkdtempSync(join(tmpdir(), `kelu-picker-${n}-`));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const config = parseConfig({ sync: { background: false } });

async function keyFile(file: string): Promise<{ fingerprint: string }> {
  const sodium = await getSodium();
  const kp = sodium.crypto_box_keypair();
  writeFileSync(
    file,
    JSON.stringify({
      v: 1,
      kind: 'kelu-upstream-public-key',
      publicKey: sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL),
    }),
  );
  return { fingerprint: sodium.to_hex(sodium.crypto_generichash(16, kp.publicKey, null)) };
}

async function itSession(dataDir: string, roots: string[]): Promise<{ core: Core; session: string }> {
  const db = openDatabase(join(dataDir, databaseFileName));
  const e = await createStaffService(new AccountStore(db), new AuditLog(db), config.staff).add('cli', {
    username: 'it-1',
    displayName: 'IT',
    role: 'it',
    password: 'it-1-long-password',
  });
  db.close();
  const core = await createCore({ dataDir, config, keyFileRoots: roots });
  cores.push(core);
  const secret = (URI.parse(e.otpauthUri) as { secret: Secret }).secret.base32;
  const r = await core.router.call(
    'staff.login',
    { username: 'it-1', password: 'it-1-long-password', code: totpNow(secret) },
    { transport: 'test' },
  );
  return { core, session: (r as { value: { session: string } }).value.session };
}

describe('issue 17 item 16: the key picker', () => {
  it('follows no links, names each key with its fingerprint and says when there are several', async () => {
    const media = tempDir('media');
    const stick = join(media, 'usb');
    mkdirSync(stick);
    const elsewhere = tempDir('elsewhere');
    const real = await keyFile(join(stick, 'upstream-public.json'));
    await keyFile(join(elsewhere, 'kelu-upstream-public-key.json'));
    symlinkSync(join(elsewhere, 'kelu-upstream-public-key.json'), join(stick, 'other-key.json'));
    symlinkSync(elsewhere, join(stick, 'folder-link'));
    const { core, session } = await itSession(tempDir('kiosk'), [media]);
    const r = (await core.router.call('keys.findKeyFiles', {}, { transport: 'test', session })) as {
      ok: boolean;
      value: { files: Array<{ path: string; fingerprint: string }>; distinctKeys: number };
    };
    expect(r.ok).toBe(true);
    expect(r.value.files.map((f) => f.path)).toEqual([join(stick, 'upstream-public.json')]);
    expect(r.value.files[0]!.fingerprint).toBe(real.fingerprint);
    expect(r.value.distinctKeys).toBe(1);
    await keyFile(join(stick, 'second.json'));
    const two = (await core.router.call('keys.findKeyFiles', {}, { transport: 'test', session })) as {
      value: { distinctKeys: number };
    };
    expect(two.value.distinctKeys).toBe(2);
  });

  it('provisioning refuses a key whose fingerprint IT did not confirm', async () => {
    const usb = tempDir('usb');
    const file = join(usb, 'upstream-public.json');
    const key = await keyFile(file);
    const { core, session } = await itSession(tempDir('kiosk'), [usb]);
    const provision = (extra: Record<string, unknown>) =>
      core.router.call(
        'keys.provision',
        { upstreamKeyFile: file, upstreamUrl: 'https://up.example.kz', clinicId: 'c1', ...extra },
        { transport: 'test', session },
      );
    expect(await provision({})).toMatchObject({ ok: false });
    expect(await provision({ upstreamKeyFingerprint: '0'.repeat(32) })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/fingerprint/) },
    });
    const spaced = key.fingerprint.toUpperCase().replace(/(.{4})/g, '$1 ');
    expect(await provision({ upstreamKeyFingerprint: spaced })).toMatchObject({ ok: true });
  });
});
