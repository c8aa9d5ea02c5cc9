// Issue 11 items 1–3: an unprovisioned kiosk never seals to the development key, IT provisions it
// from the IT screen (core's keys.provision over the real router, SQLite and libsodium, with a
// stand-in for Electron's safeStorage), a kioskctl-written key is wrapped at the next start, a
// changed keyring is a message for IT, and a lost device.json never becomes a new identity.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, URI } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../electron/shared/api/define.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import {
  deviceKeyFile,
  devUpstreamPublicKeyFile,
  plainFileProtector,
  provisionKiosk,
  provisioningFile,
  readDeviceIdentity,
  type SecretProtector,
} from '../../electron/core/delivery/keys/index.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { createStaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { databaseFileName, openDatabase } from '../../electron/core/platform/store/index.js';

const dirs: string[] = [];
const cores: Core[] = [];
const tempDir = (name = 'kiosk') => {
  const d = mkdtempSync(join(tmpdir(), `kelu-prov-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A stand-in for Electron's safeStorage (the binary is not here): reversible, visibly not the input,
// and it counts its calls. `broken` makes it refuse to decrypt (a keyring that was reset).
function safeStandIn(options: { broken?: boolean } = {}): SecretProtector & { calls: number } {
  const xor = (b: Uint8Array) => b.map((x) => x ^ 0x5c);
  const p = {
    kind: 'safe-storage' as const,
    calls: 0,
    protect: (b: Uint8Array) => {
      p.calls++;
      return xor(b);
    },
    unprotect: (b: Uint8Array) => {
      p.calls++;
      if (options.broken)
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return xor(b);
    },
  };
  return p;
}
const quiet = plainFileProtector(() => {});
const config = parseConfig({ sync: { background: false } });

async function upstreamKeyFile(
  dir: string,
): Promise<{ file: string; publicKey: Uint8Array; secretKey: Uint8Array; fingerprint: string }> {
  const sodium = await getSodium();
  const kp = sodium.crypto_box_keypair();
  const file = join(dir, 'upstream-public.json');
  writeFileSync(
    file,
    JSON.stringify({
      v: 1,
      kind: 'kelu-upstream-public-key',
      publicKey: sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL),
    }),
  );
  // The fingerprint the upstream publishes, which IT confirms on the IT screen (issue 17 item 16).
  return {
    file,
    publicKey: kp.publicKey,
    secretKey: kp.privateKey,
    fingerprint: sodium.to_hex(sodium.crypto_generichash(16, kp.publicKey, null)),
  };
}

/** An IT account made the way kioskctl makes it, before the kiosk starts; returns a login for it. */
async function seedIt(dataDir: string, role: Role = 'it'): Promise<(core: Core) => Promise<string>> {
  const db = openDatabase(join(dataDir, databaseFileName));
  const e = await createStaffService(new AccountStore(db), new AuditLog(db), config.staff).add('cli', {
    username: 'it-1',
    displayName: 'IT',
    role,
    password: 'it-1-long-password',
  });
  db.close();
  const secret = (URI.parse(e.otpauthUri) as { secret: Secret }).secret.base32;
  return async (core) => {
    const r = await core.router.call(
      'staff.login',
      { username: 'it-1', password: 'it-1-long-password', code: totpNow(secret) },
      { transport: 'test' },
    );
    if (!r.ok) throw new Error(r.error.message);
    return (r.value as { session: string }).session;
  };
}

async function start(dataDir: string, protector: SecretProtector = quiet, developmentKeys = false): Promise<Core> {
  const core = await createCore({ dataDir, config, secretProtector: protector, developmentKeys });
  cores.push(core);
  return core;
}
const call = (core: Core, method: string, input: unknown, session?: string) =>
  core.router.call(method, input, { transport: 'test', ...(session ? { session } : {}) });
const auditActions = (dataDir: string) => {
  const db = openDatabase(join(dataDir, databaseFileName));
  try {
    return (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as Array<{ action: string }>).map(
      (r) => r.action,
    );
  } finally {
    db.close();
  }
};

describe('an unprovisioned kiosk (item 1)', () => {
  it('without the development flag seals nothing to the development key: not ready, no check-in, nothing written', async () => {
    const dataDir = tempDir();
    const core = await start(dataDir);
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
    const identify = await call(core, 'checkin.identify', { iin: '900101300126' });
    expect(identify).toMatchObject({ ok: false, error: { message: expect.stringMatching(/reception/) } });
    // No self-provisioning with the public development key, no device identity invented.
    expect(existsSync(provisioningFile(dataDir))).toBe(false);
    expect(existsSync(deviceKeyFile(dataDir))).toBe(false);
  });

  it('a kiosk that ran on development keys does not serve patients once started without the flag', async () => {
    const dataDir = tempDir();
    const dev = await start(dataDir, quiet, true);
    expect(await call(dev, 'system.info', {})).toMatchObject({ ok: true, value: { ready: true } });
    await cores.pop()!.close();
    const login = await seedIt(dataDir, 'reception');
    const core = await start(dataDir);
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
    const status = await call(core, 'keys.status', {}, await login(core));
    expect(status).toMatchObject({
      ok: true,
      value: {
        ready: false,
        problem: 'not-provisioned',
        development: true,
        message: expect.stringMatching(/DEVELOPMENT/),
      },
    });
  });
});

describe('provisioning from the IT screen (item 2)', () => {
  it('pins the upstream, wraps a new device key with safeStorage, audits it, and the kiosk serves at once', async () => {
    const dataDir = tempDir();
    const usb = tempDir('usb');
    const upstream = await upstreamKeyFile(usb);
    const login = await seedIt(dataDir);
    const safe = safeStandIn();
    const core = await start(dataDir, safe);
    const session = await login(core);
    const changed: unknown[] = [];
    core.events.subscribe((e) => changed.push(e));

    const r = await call(
      core,
      'keys.provision',
      {
        upstreamKeyFile: upstream.file,
        upstreamKeyFingerprint: upstream.fingerprint,
        upstreamUrl: 'https://upstream.example.kz/',
        clinicId: 'almaty-pc-4',
      },
      session,
    );
    expect(r, JSON.stringify(r)).toMatchObject({
      ok: true,
      value: { clinicId: 'almaty-pc-4', upstreamUrl: 'https://upstream.example.kz', createdDeviceKey: true },
    });
    expect(changed).toContainEqual({ topic: 'keys.changed', data: { ready: true } });
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: true } });

    // The device key at rest is wrapped by the (stand-in) keyring, not the plain secret.
    const file = JSON.parse(readFileSync(deviceKeyFile(dataDir), 'utf8')) as {
      protector: string;
      wrappedSecret: string;
    };
    expect(file.protector).toBe('safe-storage');
    expect(safe.calls).toBeGreaterThan(0);
    // A patient can start a check-in now.
    const identify = await call(core, 'checkin.identify', { iin: '900101300126' });
    expect(identify.ok, JSON.stringify(identify)).toBe(true);
    const db = openDatabase(join(dataDir, databaseFileName));
    try {
      const actions = db.prepare('SELECT action, detail FROM audit_log ORDER BY seq').all() as Array<{
        action: string;
        detail: string;
      }>;
      const row = actions.find((a) => a.action === 'keys.provisioned');
      expect(JSON.parse(row!.detail)).toMatchObject({
        clinic: 'almaty-pc-4',
        upstream: 'https://upstream.example.kz/',
        newDeviceKey: true,
        keyProtection: 'safe-storage',
      });
    } finally {
      db.close();
    }
  });

  it('validates what IT typed: an absolute path to a real key file, HTTPS, never the development key', async () => {
    const dataDir = tempDir();
    const usb = tempDir('usb');
    const upstream = await upstreamKeyFile(usb);
    const login = await seedIt(dataDir);
    const core = await start(dataDir, safeStandIn());
    const session = await login(core);
    const provision = (input: Record<string, unknown>) =>
      call(
        core,
        'keys.provision',
        {
          upstreamKeyFile: upstream.file,
          upstreamKeyFingerprint: upstream.fingerprint,
          upstreamUrl: 'https://up.example.kz',
          clinicId: 'c1',
          ...input,
        },
        session,
      );
    expect(await provision({ upstreamKeyFile: 'upstream-public.json' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input', message: expect.stringMatching(/absolute path/) },
    });
    expect(await provision({ upstreamKeyFile: join(usb, 'missing.json') })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/USB stick/) },
    });
    writeFileSync(join(usb, 'big.json'), Buffer.alloc(70_000, 0x20));
    expect(await provision({ upstreamKeyFile: join(usb, 'big.json') })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/too large/) },
    });
    writeFileSync(join(usb, 'junk.json'), '{"v":1,"kind":"something"}');
    expect(await provision({ upstreamKeyFile: join(usb, 'junk.json') })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not an upstream key file/) },
    });
    expect(await provision({ upstreamKeyFile: devUpstreamPublicKeyFile() })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/DEVELOPMENT/) },
    });
    expect(await provision({ upstreamUrl: 'http://upstream.example.kz' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/HTTPS/) },
    });
    expect(await provision({ clinicId: 'a b' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
    expect(existsSync(deviceKeyFile(dataDir))).toBe(false);
    expect(auditActions(dataDir).filter((a) => a === 'keys.provision-refused').length).toBeGreaterThanOrEqual(5);
  });

  it('lists the upstream key files on mounted USB sticks for IT to pick, and nothing else', async () => {
    const dataDir = tempDir();
    const media = tempDir('media');
    mkdirSync(join(media, 'user', 'STICK', 'kelu'), { recursive: true });
    const upstream = await upstreamKeyFile(join(media, 'user', 'STICK', 'kelu'));
    writeFileSync(join(media, 'user', 'STICK', 'notes.txt'), 'not a key');
    writeFileSync(join(media, 'user', 'STICK', 'photo.json'), '{"v":1}');
    const login = await seedIt(dataDir);
    const core = await createCore({ dataDir, config, secretProtector: safeStandIn(), keyFileRoots: [media] });
    cores.push(core);
    const r = await call(core, 'keys.findKeyFiles', {}, await login(core));
    expect(r).toMatchObject({
      ok: true,
      value: {
        files: [{ path: upstream.file, keyId: expect.any(String), fingerprint: upstream.fingerprint }],
        distinctKeys: 1,
      },
    });
    expect(await call(core, 'keys.findKeyFiles', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('wraps a key that kioskctl provision left unwrapped at the next start, and says so in the audit log', async () => {
    const dataDir = tempDir();
    const usb = tempDir('usb');
    const upstream = await upstreamKeyFile(usb);
    // What `kioskctl provision` does outside Electron: an unwrapped key in a 0600 file.
    await provisionKiosk({
      dataDir,
      protector: quiet,
      upstreamUrl: 'https://up.example.kz',
      upstreamKeyFile: upstream.file,
      clinicId: 'c1',
      strandedVisits: () => 0,
    });
    const before = await readDeviceIdentity(dataDir);
    expect(before?.protector).toBe('plain-file');

    const core = await start(dataDir, safeStandIn());
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: true } });
    const after = JSON.parse(readFileSync(deviceKeyFile(dataDir), 'utf8')) as { protector: string; publicKey: string };
    expect(after.protector).toBe('safe-storage');
    expect((await readDeviceIdentity(dataDir))?.keyId).toBe(before?.keyId); // the same identity
    expect(auditActions(dataDir)).toContain('keys.device-key-wrapped');
  });

  it('a keyring that changed backend (basic_text) or cannot decrypt is a message for IT, not a dead kiosk', async () => {
    for (const later of [
      plainFileProtector(() => {}, 'safeStorage: the keyring backend is basic_text (a fixed, public password)'),
      safeStandIn({ broken: true }),
    ]) {
      const dataDir = tempDir();
      const usb = tempDir('usb');
      const upstream = await upstreamKeyFile(usb);
      await provisionKiosk({
        dataDir,
        protector: safeStandIn(),
        upstreamUrl: 'https://up.example.kz',
        upstreamKeyFile: upstream.file,
        clinicId: 'c1',
        strandedVisits: () => 0,
      });
      const login = await seedIt(dataDir);
      const core = await start(dataDir, later);
      expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
      const status = await call(core, 'keys.status', {}, await login(core));
      expect(status).toMatchObject({
        ok: true,
        value: {
          ready: false,
          problem: later.kind === 'plain-file' ? 'keyring-unavailable' : 'keyring-cannot-unwrap',
          message: expect.stringMatching(/keyring/),
        },
      });
      if (later.kind === 'plain-file') expect(JSON.stringify(status)).toMatch(/basic_text/);
      await cores.pop()!.close();
    }
  });
});

describe('a lost device.json (item 3)', () => {
  it('is refused on a provisioned kiosk: no new identity, IT is told, and only an explicit new key replaces it', async () => {
    const dataDir = tempDir();
    const usb = tempDir('usb');
    const upstream = await upstreamKeyFile(usb);
    await provisionKiosk({
      dataDir,
      protector: quiet,
      upstreamUrl: 'https://up.example.kz',
      upstreamKeyFile: upstream.file,
      clinicId: 'c1',
      strandedVisits: () => 0,
    });
    const provisioned = await readDeviceIdentity(dataDir);
    unlinkSync(deviceKeyFile(dataDir));

    const login = await seedIt(dataDir);
    const core = await start(dataDir);
    expect(existsSync(deviceKeyFile(dataDir))).toBe(false);
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: false } });
    const session = await login(core);
    const status = await call(core, 'keys.status', {}, session);
    expect(status).toMatchObject({
      ok: true,
      value: {
        problem: 'device-key-missing',
        provisionedDeviceKeyId: provisioned!.keyId,
        message: expect.stringMatching(/backup/),
      },
    });

    // Provisioning again without saying "new device key" is refused the same way…
    const again = await call(
      core,
      'keys.provision',
      {
        upstreamKeyFile: upstream.file,
        upstreamKeyFingerprint: upstream.fingerprint,
        upstreamUrl: 'https://up.example.kz',
        clinicId: 'c1',
      },
      session,
    );
    expect(again).toMatchObject({ ok: false, error: { message: expect.stringMatching(/device key file is missing/) } });
    expect(existsSync(deviceKeyFile(dataDir))).toBe(false);
    // …and with it, a new identity is made and audited.
    const fresh = await call(
      core,
      'keys.provision',
      {
        upstreamKeyFile: upstream.file,
        upstreamKeyFingerprint: upstream.fingerprint,
        upstreamUrl: 'https://up.example.kz',
        clinicId: 'c1',
        newDeviceKey: true,
      },
      session,
    );
    expect(fresh).toMatchObject({ ok: true, value: { createdDeviceKey: true } });
    expect((fresh as { ok: true; value: { deviceKeyId: string } }).value.deviceKeyId).not.toBe(provisioned!.keyId);
    expect(await call(core, 'system.info', {})).toMatchObject({ ok: true, value: { ready: true } });
  });
});
