import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSodium, toB64 } from '../../electron/core/platform/crypto/index.js';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

/**
 * The IT tools as clinic IT runs them: the reference upstream started with `npm run upstream`, and
 * `kioskctl provision`, `status`, `sync`, `export` as separate processes against one data folder.
 */
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
const tempDir = (n: string) => {
  const d = mkdtempSync(join(tmpdir(), `kelu-${n}-`));
  dirs.push(d);
  return d;
};
const kioskctl = (...args: string[]) => {
  const r = spawnSync(tsx, [join(projectRoot, 'tools/kioskctl/kioskctl.ts'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const upstreamCli = (...args: string[]) =>
  spawnSync(tsx, [join(projectRoot, 'upstream/cli.ts'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });

let upstream: { url: string; adminToken: string; kill(): void };
let keyDir: string;
let upDir: string;

// A fresh connection per call: the spawnSync'd kioskctl runs block this process's event loop for
// seconds, long enough for the upstream to close a pooled keep-alive socket that fetch would reuse.
function admin(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      upstream.url + path,
      {
        method: payload ? 'POST' : 'GET',
        agent: false,
        headers: { authorization: `Bearer ${upstream.adminToken}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  const sodium = await getSodium();
  keyDir = tempDir('upkeys');
  upDir = tempDir('up');
  const kp = sodium.crypto_box_keypair();
  writeFileSync(
    join(keyDir, 'pair.json'),
    JSON.stringify({
      v: 1,
      kind: 'kelu-upstream-key-pair',
      publicKey: toB64(kp.publicKey),
      secretKey: toB64(kp.privateKey),
    }),
  );
  writeFileSync(
    join(keyDir, 'public.json'),
    JSON.stringify({ v: 1, kind: 'kelu-upstream-public-key', publicKey: toB64(kp.publicKey) }),
  );
  const child = spawn(
    tsx,
    [join(projectRoot, 'upstream/cli.ts'), '--port', '0', '--data-dir', upDir, '--key', join(keyDir, 'pair.json')],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`upstream exited ${c}`)));
  });
  const info = JSON.parse(first) as { listening: string; adminToken: string };
  upstream = { url: info.listening, adminToken: info.adminToken, kill: () => child.kill('SIGTERM') };
});
afterAll(() => {
  upstream?.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('kioskctl: provision, status, sync, export', () => {
  it('takes a kiosk from provisioning to an empty queue, with exit codes that say what happened', async () => {
    const dataDir = tempDir('kiosk');
    expect(
      kioskctl(
        'provision',
        '--upstream',
        'http://upstream.example.kz',
        '--upstream-key',
        join(keyDir, 'public.json'),
        '--clinic',
        'c1',
        '--data-dir',
        dataDir,
      ).err,
    ).toMatch(/HTTPS/);

    const p = kioskctl(
      'provision',
      '--upstream',
      upstream.url,
      '--upstream-key',
      join(keyDir, 'public.json'),
      '--clinic',
      'c1',
      '--data-dir',
      dataDir,
    );
    expect(p.code, p.err).toBe(0);
    const deviceId = /device id:\s+(\S+)/.exec(p.out)![1]!;
    const publicKey = /device public key:\s+(\S+)/.exec(p.out)![1]!;

    // Visits queued by the kiosk (same code as the app) while the device is not registered yet.
    const kiosk = await openHeadlessKiosk(dataDir);
    for (let i = 0; i < 40; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    kiosk.close();

    const s1 = JSON.parse(kioskctl('status', '--json', '--data-dir', dataDir).out) as Record<string, unknown>;
    expect(s1).toMatchObject({
      development: false,
      deviceId,
      clinicId: 'c1',
      queueDepth: 40,
      deadLetters: 0,
      integrity: 'ok',
    });

    const notRegistered = kioskctl('sync', '--data-dir', dataDir);
    expect(notRegistered.code).toBe(4);
    expect(notRegistered.out).toMatch(/40 still queued.*not registered/);
    expect(kioskctl('status', '--data-dir', dataDir).out).toMatch(/last error\s+.*not registered/);

    const reg = upstreamCli(
      'register',
      '--data-dir',
      upDir,
      '--key',
      join(keyDir, 'pair.json'),
      '--device',
      deviceId,
      '--public-key',
      publicKey,
    );
    expect(reg.status, reg.stderr).toBe(0);
    await admin('/admin/faults', { spec: '500:0.5', seed: 3 });
    const config = join(dataDir, 'quick-retries.json');
    writeFileSync(config, JSON.stringify({ sync: { baseBackoffMs: 20, maxBackoffMs: 300 } }));
    const synced = kioskctl('sync', '--until-empty', '--data-dir', dataDir, '--batch-size', '5', '--config', config);
    expect(synced.code, synced.out + synced.err).toBe(0);
    expect(synced.out).toMatch(/40 delivered/);
    await admin('/admin/faults', { spec: '' });
    const received = (await admin('/admin/visits')).visits as Array<{ deviceId: string }>;
    expect(received).toHaveLength(40);
    expect(received.every((v) => v.deviceId === deviceId)).toBe(true);
    expect(JSON.parse(kioskctl('status', '--json', '--data-dir', dataDir).out)).toMatchObject({ queueDepth: 0 });
  });

  it('refuses to re-provision to a new upstream key while visits sealed to the old one are queued', async () => {
    const dataDir = tempDir('kiosk');
    const kiosk = await openHeadlessKiosk(dataDir); // development keys, as after a first `npm start`
    await kiosk.queue.queueVisit(syntheticVisit(1));
    kiosk.close();
    expect(JSON.parse(kioskctl('status', '--json', '--data-dir', dataDir).out)).toMatchObject({
      development: true,
      queueDepth: 1,
    });

    const refused = kioskctl(
      'provision',
      '--upstream',
      upstream.url,
      '--upstream-key',
      join(keyDir, 'public.json'),
      '--clinic',
      'c1',
      '--data-dir',
      dataDir,
    );
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/1 visit\(s\) are sealed to the current upstream key/);
    expect(JSON.parse(kioskctl('status', '--json', '--data-dir', dataDir).out)).toMatchObject({
      development: true,
      queueDepth: 1,
    });

    const out = join(tempDir('usb'), 'old.kelu');
    expect(kioskctl('export', '--out', out, '--data-dir', dataDir).code).toBe(0);
    const kept = kioskctl(
      'provision',
      '--upstream',
      upstream.url,
      '--upstream-key',
      join(keyDir, 'public.json'),
      '--clinic',
      'c1',
      '--data-dir',
      dataDir,
      '--keep-old-visits',
    );
    expect(kept.code, kept.err).toBe(0);
    expect(JSON.parse(kioskctl('status', '--json', '--data-dir', dataDir).out)).toMatchObject({
      development: false,
      queueDepth: 0,
      pendingUnderOldKeys: 1,
    });
  });
  it('moves visits by hand: kioskctl export, then the upstream imports the bundle once however often it is given', async () => {
    const dataDir = tempDir('kiosk');
    const p = kioskctl(
      'provision',
      '--upstream',
      upstream.url,
      '--upstream-key',
      join(keyDir, 'public.json'),
      '--clinic',
      'c2',
      '--data-dir',
      dataDir,
    );
    expect(p.code, p.err).toBe(0);
    const deviceId = /device id:\s+(\S+)/.exec(p.out)![1]!;
    const publicKey = /device public key:\s+(\S+)/.exec(p.out)![1]!;
    await admin('/admin/devices', { deviceId, publicKey });
    const kiosk = await openHeadlessKiosk(dataDir);
    for (let i = 100; i < 105; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    kiosk.close();

    const bundle = join(tempDir('usb'), 'visits.kelu');
    const e = kioskctl('export', '--out', bundle, '--data-dir', dataDir);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/exported 5 sealed visit/);
    const first = upstreamCli('import', bundle, '--data-dir', upDir, '--key', join(keyDir, 'pair.json'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/imported 5 item\(s\): 5 new, 0 already received, 0 rejected/);
    const again = upstreamCli('import', bundle, '--data-dir', upDir, '--key', join(keyDir, 'pair.json'));
    expect(again.stdout).toMatch(/imported 5 item\(s\): 0 new, 5 already received/);

    // The kiosk still held them; sync finds them all already there and empties the queue.
    const synced = kioskctl('sync', '--data-dir', dataDir);
    expect(synced.code, synced.out + synced.err).toBe(0);
    expect(synced.out).toMatch(/0 delivered, 5 already at the upstream/);
  });
});
