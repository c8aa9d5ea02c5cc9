// Camera pinning: which camera labels core refuses (known virtual cameras always; `camera.deny`
// extra; `camera.allow` pins by label or device id), and the gate in the real core: no frame is
// judged before the screen reported an allowed camera; a refused camera ends the photo path with
// the decline path's reason, an audit row without personal data, and shows in `camera.status`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInDeny, decideCamera } from '../../electron/core/patient/camera/policy.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { iinCheckDigit } from '../../electron/core/platform/identity/iin.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { seedStaff } from '../../tools/harness/staff.js';

const none = { allow: [], deny: [] };

describe('the camera decision', () => {
  it('refuses the label of every known virtual camera, whatever its case', () => {
    const virtual = [
      'Dummy video device (0x0000)', // v4l2loopback's default
      'v4l2loopback Camera',
      'OBS Camera',
      'OBS Virtual Camera',
      'OBS-Camera',
      'ManyCam Virtual Webcam',
      'Snap Camera',
      'XSplit VCam',
      'DroidCam Source 3',
      'e2eSoft VCam',
      'Webcamoid Virtual Camera',
      'AkVCam Video Device',
      'SplitCam Video Driver',
      'CamTwist',
      'CyberLink YouCam 10',
      'Iriun Webcam',
      'EpocCam Camera',
      'NDI Webcam Video 1',
      'NVIDIA Broadcast',
      'mmhmm Camera',
      'Personify ChromaCam',
      'Camo Camera',
      'Virtual Camera',
    ];
    for (const label of virtual) {
      for (const spelled of [label, label.toUpperCase(), label.toLowerCase(), `  ${label}  `]) {
        expect(decideCamera({ label: spelled }, none), spelled).toMatchObject({ allowed: false, reason: 'virtual' });
      }
    }
    // Every built-in entry is exercised by at least one label above.
    for (const d of builtInDeny)
      expect(
        virtual.some((l) => l.toLowerCase().includes(d)),
        d,
      ).toBe(true);
  });

  it('allows physical webcams by default, and Chromium’s own fake device ("fake_device_0", or the y4m path it plays: tests, --camera FILE)', () => {
    for (const label of [
      'Integrated Camera (04f2:b6d9)',
      'HD Pro Webcam C920 (046d:082d)',
      'Logitech BRIO (046d:085e)',
      'USB2.0 HD UVC WebCam (0bda:58c2)',
      'FaceTime HD Camera',
      'Integrated Webcam (0c45:6713)',
      'fake_device_0',
      '/tmp/kelu-fake-camera/0620c9b8acef8a9e3b0f.y4m',
    ]) {
      expect(decideCamera({ label, deviceId: 'abc' }, none), label).toEqual({ allowed: true });
    }
  });

  it('refuses a camera with no label (nothing to check)', () => {
    expect(decideCamera({ label: '   ' }, none)).toEqual({ allowed: false, reason: 'unlabelled' });
  });

  it('refuses labels matching camera.deny, on top of the built-in list', () => {
    const pinning = { allow: [], deny: ['fake_device', 'Brio'] };
    expect(decideCamera({ label: 'fake_device_0' }, pinning)).toMatchObject({
      allowed: false,
      reason: 'denied',
      matched: 'fake_device',
    });
    expect(decideCamera({ label: 'Logitech BRIO (046d:085e)' }, pinning)).toMatchObject({
      allowed: false,
      reason: 'denied',
    });
    expect(decideCamera({ label: 'Integrated Camera (04f2:b6d9)' }, pinning)).toEqual({ allowed: true });
  });

  it('with camera.allow, takes only the listed cameras: the whole label (any case) or the device id', () => {
    const pinning = { allow: ['integrated camera (04f2:b6d9)', 'a1b2c3d4e5'], deny: [] };
    expect(decideCamera({ label: 'Integrated Camera (04f2:b6d9)' }, pinning)).toEqual({ allowed: true });
    expect(decideCamera({ label: 'Some Other Cam', deviceId: 'a1b2c3d4e5' }, pinning)).toEqual({ allowed: true });
    // A part of a listed label is not the label.
    expect(decideCamera({ label: 'Integrated Camera' }, pinning)).toEqual({ allowed: false, reason: 'not-allowed' });
    expect(decideCamera({ label: 'HD Pro Webcam C920 (046d:082d)', deviceId: 'ffff' }, pinning)).toEqual({
      allowed: false,
      reason: 'not-allowed',
    });
    // Listing a virtual camera does not let it in.
    expect(decideCamera({ label: 'OBS Virtual Camera' }, { allow: ['OBS Virtual Camera'], deny: [] })).toMatchObject({
      allowed: false,
      reason: 'virtual',
    });
  });

  it('camera.* in the configuration: defaults empty, bad values refused with the key named', () => {
    expect(parseConfig({}).camera).toEqual({ allow: [], deny: [] });
    expect(parseConfig({ camera: { deny: ['fake_device'] } }).camera.deny).toEqual(['fake_device']);
    expect(() => parseConfig({ camera: { deny: ['x'] } })).toThrow(/camera\.deny\.0/);
    expect(() => parseConfig({ camera: { allow: 'Integrated Camera' } })).toThrow(/camera\.allow/);
    expect(() => parseConfig({ camera: { pin: [] } })).toThrow(/camera/);
  });
});

const iin = (() => {
  for (let s = 0; ; s++) {
    const first11 = `9102203${String(s).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
})();

describe('camera pinning in core', () => {
  let core: Core;
  let dataDir: string;
  let itSecret: string;
  const ctx = { transport: 'test' as const };
  const call = async <T>(method: string, input: unknown, session?: string): Promise<T> => {
    const r = await core.router.call(method, input, session ? { ...ctx, session } : ctx);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as T;
  };
  const frame = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4) };
  const start = async () => {
    const who = await call<{ session: string }>('checkin.identify', { iin });
    await call('checkin.consent', { session: who.session, choice: 'camera' });
    return who.session;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-camera-'));
    itSecret = (await seedStaff(dataDir, [{ username: 'ita', role: 'it' }])).ita!.secret;
    core = await createCore({
      dataDir,
      config: parseConfig({ camera: { deny: ['capture card'] }, sync: { background: false } }),
      developmentKeys: true,
    });
  });
  afterAll(async () => {
    await core?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses frames before the camera is reported, and from a refused camera; reception learns why', async () => {
    const session = await start();
    await expect(call('checkin.frame', { session, ...frame })).rejects.toThrow(/camera has not been checked/);
    await expect(call('checkin.camera', { session, label: 'OBS Virtual Camera', deviceId: 'd1' })).resolves.toEqual({
      allowed: false,
      reason: 'virtual',
    });
    await expect(call('checkin.frame', { session, ...frame })).rejects.toThrow(/camera has not been checked/);
    // The photo path has ended with the camera's reason: "no code" at the decline path goes to reception as a camera fault.
    await expect(call('decline.noCode', { session })).resolves.toMatchObject({ outcome: 'reception' });
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    const reasons = db.prepare('SELECT reason FROM handoffs').all() as Array<{ reason: string }>;
    db.close();
    expect(reasons).toEqual([{ reason: 'camera-fault' }]);
  });

  it('takes frames once an allowed camera is reported, and forgets it for the next patient', async () => {
    const session = await start();
    await expect(call('checkin.camera', { session, label: 'Integrated Camera (04f2:b6d9)' })).resolves.toEqual({
      allowed: true,
    });
    // Past the gate: the frame reaches the check-in (a blank 32×32 frame: no face).
    const answer = await call<{ phase: string; instruction: string }>('checkin.frame', { session, ...frame });
    expect(answer.phase).toBe('guide');
    const next = await start();
    await expect(call('checkin.frame', { session: next, ...frame })).rejects.toThrow(/camera has not been checked/);
    // A stale session cannot report a camera.
    await expect(call('checkin.camera', { session, label: 'Integrated Camera (04f2:b6d9)' })).rejects.toThrow(/ended/);
  });

  it('refuses labels from camera.deny too, audits each refusal without personal data, and shows them to IT', async () => {
    const session = await start();
    await expect(call('checkin.camera', { session, label: 'USB Capture Card HDMI' })).resolves.toEqual({
      allowed: false,
      reason: 'denied',
    });
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    const rows = db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = 'camera.refused' ORDER BY seq")
      .all() as Array<{ actor: string; detail: string }>;
    db.close();
    expect(rows.map((r) => JSON.parse(r.detail) as Record<string, string>)).toEqual([
      { label: 'OBS Virtual Camera', reason: 'virtual', matched: 'virtual' },
      { label: 'USB Capture Card HDMI', reason: 'denied', matched: 'capture card' },
    ]);
    for (const r of rows) {
      expect(r.actor).toBe('kiosk');
      expect(r.detail).not.toContain(iin);
      expect(r.detail).not.toContain(iin.slice(-4));
    }
    // Patients cannot read the camera status; IT can.
    await expect(call('camera.status', {})).rejects.toThrow(/unauthenticated/);
    const login = await call<{ session: string }>('staff.login', {
      username: 'ita',
      password: 'ita-long-password',
      code: totpNow(itSecret),
    });
    const status = await call<{
      current: { label: string; allowed: boolean } | null;
      refusals: Array<{ label: string; reason: string }>;
    }>('camera.status', {}, login.session);
    expect(status.current).toMatchObject({ label: 'USB Capture Card HDMI', allowed: false });
    expect(status.refusals.map((r) => [r.label, r.reason])).toEqual([
      ['USB Capture Card HDMI', 'denied'],
      ['OBS Virtual Camera', 'virtual'],
    ]);
  });
});
