import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import {
  checkUpstreamUrl,
  createDeviceKeys,
  deviceKeyFile,
  devUpstreamKeyPairFile,
  loadDeviceKeys,
  loadKioskKeys,
  plainFileProtector,
  readUpstreamKeyPair,
  readUpstreamPublicKey,
  type SecretProtector,
} from '../../electron/core/delivery/keys/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kelu-keys-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const quiet = plainFileProtector(() => {});

describe('keys: device key pair', () => {
  it('is stored in a 0600 file and loads back as the same identity', async () => {
    const dir = tempDir();
    const created = await createDeviceKeys(dir, quiet);
    expect(statSync(deviceKeyFile(dir)).mode & 0o777).toBe(0o600);
    const loaded = await loadDeviceKeys(dir, quiet);
    expect(loaded?.deviceId).toBe(created.deviceId);
    expect(Buffer.from(loaded!.publicKey).equals(Buffer.from(created.publicKey))).toBe(true);
  });

  it('keeps the secret wrapped by the shell’s protector (as safeStorage would)', async () => {
    const dir = tempDir();
    // A stand-in for Electron's safeStorage: a reversible transform the file alone does not undo.
    const xor = (b: Uint8Array) => b.map((x) => x ^ 0xa5);
    const safe: SecretProtector = { kind: 'safe-storage', protect: xor, unprotect: xor };
    const created = await createDeviceKeys(dir, safe);
    await expect(loadDeviceKeys(dir, quiet)).rejects.toThrow(/wrapped with safe-storage/);
    const loaded = await loadDeviceKeys(dir, safe);
    expect(Buffer.from(loaded!.secretKey).equals(Buffer.from(created.secretKey))).toBe(true);
  });
});

describe('keys: provisioning', () => {
  it('with the development flag, provisions a fresh kiosk against the development upstream key and says so', async () => {
    const dir = tempDir();
    const keys = await loadKioskKeys(dir, quiet, 'clinic-7', { developmentKeys: true });
    expect(keys.provisioning.development).toBe(true);
    expect(keys.provisioning.clinicId).toBe('clinic-7');
    const pair = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    expect(keys.provisioning.upstreamKeyId).toBe(pair.keyId);
    // Stable across restarts.
    const again = await loadKioskKeys(dir, quiet, 'clinic-7', { developmentKeys: true });
    expect(again.device.deviceId).toBe(keys.device.deviceId);
  });

  it('requires HTTPS except to loopback', () => {
    expect(checkUpstreamUrl('https://up.example.kz/')).toBe('https://up.example.kz');
    expect(checkUpstreamUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(checkUpstreamUrl('http://localhost:9')).toBe('http://localhost:9');
    expect(() => checkUpstreamUrl('http://up.example.kz')).toThrow(/HTTPS/);
    expect(() => checkUpstreamUrl('not a url')).toThrow(/not a URL/);
  });

  it('allows plain HTTP only to a loopback address or localhost, not to host names that look like one (issue 11 item 4)', () => {
    for (const ok of [
      'http://127.0.0.1:8080',
      'http://127.10.20.30',
      'http://[::1]:9',
      'http://localhost',
      'http://LOCALHOST:7',
    ]) {
      expect(() => checkUpstreamUrl(ok), ok).not.toThrow();
    }
    for (const bad of [
      'http://127.evil.example',
      'http://127.0.0.1.evil.example',
      'http://localhost.evil.example',
      'http://evil.example#@127.0.0.1',
      'http://127.0.0.1@evil.example',
      'http://[::ffff:7f00:1]',
      'http://0.0.0.0',
      'ftp://127.0.0.1',
    ]) {
      expect(() => checkUpstreamUrl(bad), bad).toThrow(/HTTPS/);
    }
  });

  it('reads an upstream public key from a key file or bare base64, and refuses garbage', async () => {
    const sodium = await getSodium();
    const dir = tempDir();
    const kp = sodium.crypto_box_keypair();
    const b64 = sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL);
    writeFileSync(join(dir, 'bare.txt'), `${b64}\n`);
    writeFileSync(join(dir, 'pub.json'), JSON.stringify({ v: 1, kind: 'kelu-upstream-public-key', publicKey: b64 }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ v: 1, kind: 'something-else', publicKey: b64 }));
    const a = await readUpstreamPublicKey(join(dir, 'bare.txt'));
    const b = await readUpstreamPublicKey(join(dir, 'pub.json'));
    expect(a.keyId).toBe(b.keyId);
    await expect(readUpstreamPublicKey(join(dir, 'bad.json'))).rejects.toThrow(/not an upstream key file/);
  });
});
