// The kiosk's side of enrolment, end to end against the real hub on PostgreSQL: IT issues a one-time
// token at the hub; `kioskctl provision --enrolment-token` spends it; the kiosk's visits then go.
// kioskctl runs as its own process (asynchronously: the hub answers from this process).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolWithHub } from '../../electron/core/delivery/sync/enrol.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { writeUpstreamKeyPair } from '../../upstream/hub/keys.js';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(join(tmpdir(), 'kelu-hub-enrol-'));
let h: TestHub;
let upstreamKey: string;

function kioskctl(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [join(projectRoot, 'tools/kioskctl/kioskctl.ts'), ...args], { cwd: projectRoot });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const provision = (dataDir: string, clinic: string, deviceId: string, token?: string) =>
  kioskctl(
    'provision',
    '--data-dir',
    dataDir,
    '--upstream',
    h.url,
    '--upstream-key',
    upstreamKey,
    '--clinic',
    clinic,
    '--device-id',
    deviceId,
    ...(token ? ['--enrolment-token', token] : []),
  );

const auditDetails = (dataDir: string): string[] => {
  const db = new Database(join(dataDir, databaseFileName), { readonly: true });
  try {
    return (db.prepare('SELECT action, detail FROM audit_pending').all() as Array<{ action: string; detail: string }>)
      .filter((r) => r.action === 'sync.enrol')
      .map((r) => r.detail);
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  // The hub's own upstream key (not the development one), as an operator makes it.
  upstreamKey = join(work, 'upstream-key.json');
  await writeUpstreamKeyPair(upstreamKey);
  h = await startTestHub({ keyFiles: [upstreamKey] });
  await h.hub.store.addClinic('clinic-a');
  await h.hub.store.addClinic('clinic-b');
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('kioskctl provision --enrolment-token: the kiosk enrols itself at the hub with IT’s one-time token', () => {
  it('a kiosk that was not enrolled is refused; with the token it is enrolled once, and its visits are then accepted', async () => {
    const dataDir = join(work, 'lobby');
    // Provisioned without a token: the hub does not know the device; its visits stay queued.
    const plain = await provision(dataDir, 'clinic-a', 'kiosk-lobby');
    expect(plain.code, plain.err).toBe(0);
    const kiosk = await openHeadlessKiosk(dataDir);
    await kiosk.queue.queueVisit(syntheticVisit(1));
    kiosk.close();
    const refused = await kioskctl('sync', '--data-dir', dataDir, '--timeout', '20');
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/not enrolled/);

    const token = await h.hub.store.issueToken('clinic-a', 'kiosk-lobby');
    const enrolled = await provision(dataDir, 'clinic-a', 'kiosk-lobby', token);
    expect(enrolled.code, enrolled.err).toBe(0);
    expect(enrolled.out).toMatch(/Enrolled at the hub: device kiosk-lobby of clinic clinic-a/);
    const synced = await kioskctl('sync', '--data-dir', dataDir, '--until-empty', '--timeout', '30');
    expect(synced.code, synced.out + synced.err).toBe(0);
    expect(synced.out).toMatch(/1 delivered/);
    expect(Number((await h.query<{ n: string }>('SELECT count(*) AS n FROM verdicts'))[0]!.n)).toBe(1);

    // The token works once; the refusal says so, and the kiosk stays provisioned.
    const again = await provision(dataDir, 'clinic-a', 'kiosk-lobby', token);
    expect(again.code).toBe(6);
    expect(again.err).toMatch(/The hub refused the enrolment/);
    expect(again.err).not.toContain(token);
    // Both tries are audited, without the token.
    const audited = auditDetails(dataDir);
    expect(audited).toHaveLength(2);
    expect(audited.join('\n')).not.toContain(token);
  }, 180_000);

  it('a token issued for another clinic is reported, not silently accepted as this kiosk’s clinic', async () => {
    const token = await h.hub.store.issueToken('clinic-b', 'kiosk-moved');
    const r = await provision(join(work, 'moved'), 'clinic-a', 'kiosk-moved', token);
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/clinic clinic-b, but this kiosk was provisioned for clinic clinic-a/);
  }, 120_000);

  it('a hub that is not there: a clear message, the kiosk provisioned', async () => {
    const dataDir = join(work, 'offline');
    // A port that was just free: nothing answers there.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await kioskctl(
      'provision',
      '--data-dir',
      dataDir,
      '--upstream',
      `http://127.0.0.1:${port}`,
      '--upstream-key',
      upstreamKey,
      '--clinic',
      'clinic-a',
      '--enrolment-token',
      'a-token-that-never-leaves',
    );
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/did not answer: ECONNREFUSED/);
    expect((await kioskctl('status', '--json', '--data-dir', dataDir)).out).toMatch(/"clinicId":\s*"clinic-a"/);
  }, 120_000);

  it('never follows a redirect with the token, and never calls plain HTTP beyond loopback', async () => {
    let followed = false;
    const server = createHttpServer((req, res) => {
      if (req.url === '/elsewhere/v1/devices:enrol') followed = true;
      res.writeHead(307, { location: '/elsewhere/v1/devices:enrol' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const request = {
        upstreamUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: 'one-time-token-1',
        deviceId: 'kiosk-1',
        publicKeyB64: Buffer.alloc(32, 7).toString('base64'),
      };
      await expect(enrolWithHub(request)).rejects.toThrow(/redirect \(307\): refused/);
      expect(followed).toBe(false);
      await expect(enrolWithHub({ ...request, upstreamUrl: 'http://hub.example.kz' })).rejects.toThrow(/HTTPS/);
    } finally {
      server.close();
    }
  });
});
