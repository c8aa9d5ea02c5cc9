import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { egovVerdicts } from '../../electron/core/patient/decline/verdicts.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, quickSettings } from '../../tools/harness/headless-kiosk.js';
import { testIin } from '../../tools/harness/decline-qr.js';

/**
 * The upstream's verdict on an eGov code comes back with sync: visits queued through the decline
 * path, delivered by the real sync engine to the reference upstream (which checks the code against
 * the codes it has for that IIN), and the verdict listed for staff.
 */
describe('decline → sync → upstream verdict', () => {
  const dirs: string[] = [];
  const temp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `kelu-decline-sync-${name}-`));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a code the upstream knows comes back egov-valid, an unknown one egov-invalid', async () => {
    const dataDir = temp('kiosk');
    // Sync is driven by hand below, once the upstream knows the codes.
    const core = await createCore({
      dataDir,
      developmentKeys: true,
      config: parseConfig({ sync: { background: false } }),
    });
    const ctx = { transport: 'test' as const };
    const submit = async (iin: string, method: 'decline.submitCode' | 'decline.submitQr', code: string) => {
      const id = await core.router.call('checkin.identify', { iin }, ctx);
      const session = (id as { value: { session: string } }).value.session;
      const input =
        method === 'decline.submitCode' ? { session, code } : { session, payload: code, source: 'camera' as const };
      const r = await core.router.call(method, input, ctx);
      return (r as { value: { ticket: string } }).value.ticket;
    };
    const [a, b, c] = [testIin(501), testIin(502), testIin(503)];
    const ticketA = await submit(a, 'decline.submitCode', '271828');
    const ticketB = await submit(b, 'decline.submitCode', '314159');
    const ticketC = await submit(c, 'decline.submitQr', '161803');
    await core.close();

    const upstream = await startDevUpstream(temp('upstream'));
    try {
      const addCode = upstream.db.prepare('INSERT INTO egov_codes (iin, code) VALUES (?, ?)');
      addCode.run(a, '271828');
      addCode.run(c, '161803');
      addCode.run(b, '000000'); // B has a code, but not the one typed
      const kiosk = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } }, quickSettings);
      try {
        register(upstream, kiosk);
        expect(await kiosk.sync.engine.drain()).toMatchObject({ accepted: 3, rejected: 0, remaining: 0 });
        const byTicket = Object.fromEntries(
          egovVerdicts(kiosk.db, new Date(Date.now() - 3_600_000).toISOString()).map((v) => [v.ticket, v]),
        );
        expect(byTicket[ticketA]).toMatchObject({
          method: 'egov-code',
          status: 'synced',
          verdict: 'egov-valid',
          maskedIin: `••••••••${a.slice(-4)}`,
        });
        expect(byTicket[ticketB]).toMatchObject({ method: 'egov-code', status: 'synced', verdict: 'egov-invalid' });
        expect(byTicket[ticketC]).toMatchObject({ method: 'egov-qr', status: 'synced', verdict: 'egov-valid' });
      } finally {
        kiosk.close();
      }
    } finally {
      await upstream.close();
    }
  });
});
