import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import type { DeclineResult } from '../../electron/core/patient/decline/contract.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk } from '../../tools/harness/headless-kiosk.js';
import type { Upstream } from '../../upstream/app.js';
import { testIin } from '../../tools/harness/decline-qr.js';
import { useCleanups } from '../support/upstream.js';

/**
 * With an upstream reachable, the decline path asks it about the code before giving the ticket:
 * the real sync engine delivers that one visit to the real reference upstream on loopback. A code
 * the upstream refuses is a wrong attempt like a malformed one; anything else (valid, slow, down)
 * gives the ticket as before.
 */
describe('decline: the upstream verdict while the patient waits', () => {
  const { cleanups, tempDir } = useCleanups();
  const ctx = { transport: 'test' as const };

  async function upstreamWithCodes(codes: Array<[string, string]>): Promise<Upstream> {
    const upstream = await startDevUpstream(tempDir('decline-online-upstream'));
    cleanups.push(() => upstream.close());
    const add = upstream.db.prepare('INSERT INTO egov_codes (iin, code) VALUES (?, ?)');
    for (const [iin, code] of codes) add.run(iin, code);
    return upstream;
  }

  /** A kiosk core whose device the upstream knows; background sync off, so only the decline path sends. */
  async function kioskFor(
    upstreamUrl: string,
    upstream?: Upstream,
    verifyOnlineMs = 4000,
  ): Promise<{ core: Core; dataDir: string }> {
    const dataDir = tempDir('decline-online-kiosk');
    if (upstream) {
      const headless = await openHeadlessKiosk(dataDir);
      register(upstream, headless);
      headless.close();
    }
    const core = await createCore({
      dataDir,
      developmentKeys: true,
      config: parseConfig({ decline: { verifyOnlineMs }, sync: { upstreamUrl, background: false } }),
    });
    cleanups.push(() => core.close());
    return { core, dataDir };
  }

  async function identify(core: Core, iin: string): Promise<string> {
    const r = await core.router.call('checkin.identify', { iin }, ctx);
    if (!r.ok) throw new Error('identify failed');
    return (r.value as { session: string }).session;
  }

  async function submitCode(core: Core, session: string, code: string): Promise<DeclineResult> {
    const r = await core.router.call('decline.submitCode', { session, code }, ctx);
    if (!r.ok) throw new Error(`submitCode failed: ${JSON.stringify(r)}`);
    return r.value as DeclineResult;
  }

  function rows<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  async function upstreamVisits(upstream: Upstream): Promise<Array<{ id: string; iin: string; verdict: string }>> {
    const res = await fetch(`${upstream.url}/admin/visits`, {
      headers: { authorization: `Bearer ${upstream.adminToken}` },
    });
    return ((await res.json()) as { visits: Array<{ id: string; iin: string; verdict: string }> }).visits;
  }

  it('an enrolled code gets the ticket, and the receipt already holds egov-valid', async () => {
    const iin = testIin(601);
    const upstream = await upstreamWithCodes([[iin, '271828']]);
    const { core, dataDir } = await kioskFor(upstream.url, upstream);
    const result = await submitCode(core, await identify(core, iin), '271828');
    expect(result).toMatchObject({ outcome: 'ticket', maskedIin: `••••••••${iin.slice(-4)}` });
    const ticket = (result as { ticket: string }).ticket;
    expect(rows(dataDir, 'SELECT status, verdict FROM receipts WHERE ticket = ?', ticket)).toEqual([
      { status: 'synced', verdict: 'egov-valid' },
    ]);
    expect(rows(dataDir, "SELECT id FROM outbox WHERE state = 'pending'")).toEqual([]);
    const received = await upstreamVisits(upstream);
    expect(received.map((v) => v.verdict)).toEqual(['egov-valid']);
  });

  it('a well-formed code the upstream refuses is a wrong attempt; three send the patient to reception, never a ticket', async () => {
    const iin = testIin(602);
    const upstream = await upstreamWithCodes([[iin, '000000']]); // this patient has a code, just not these
    const { core, dataDir } = await kioskFor(upstream.url, upstream);
    const session = await identify(core, iin);

    expect(await submitCode(core, session, '111111')).toEqual({
      outcome: 'rejected',
      reason: 'egov-rejected',
      attemptsLeft: 2,
      repeated: false,
    });
    // The same refused code again is answered at once: not counted twice, and no second visit.
    expect(await submitCode(core, session, '111111')).toEqual({
      outcome: 'rejected',
      reason: 'egov-rejected',
      attemptsLeft: 2,
      repeated: true,
    });
    // Malformed and refused codes share the one limit.
    expect(await submitCode(core, session, '12')).toMatchObject({
      outcome: 'rejected',
      reason: 'wrong-length',
      attemptsLeft: 1,
    });
    const last = await submitCode(core, session, '222222');
    expect(last).toMatchObject({
      outcome: 'reception',
      why: 'too-many-attempts',
      maskedIin: `••••••••${iin.slice(-4)}`,
    });
    expect(last).not.toHaveProperty('ticket');

    expect(rows(dataDir, 'SELECT reason, masked_iin AS maskedIin FROM handoffs')).toEqual([
      { reason: 'too-many-wrong-codes', maskedIin: `••••••••${iin.slice(-4)}` },
    ]);
    // Both refused visits stay on record with their verdict, here and upstream (auditable).
    expect(rows(dataDir, 'SELECT status, verdict FROM receipts ORDER BY created_at')).toEqual([
      { status: 'synced', verdict: 'egov-invalid' },
      { status: 'synced', verdict: 'egov-invalid' },
    ]);
    expect((await upstreamVisits(upstream)).map((v) => v.verdict)).toEqual(['egov-invalid', 'egov-invalid']);
    // The check-in is over: nothing more can be tried on it.
    const after = await core.router.call('decline.submitCode', { session, code: '000000' }, ctx);
    expect(after.ok).toBe(false);
  });

  it('with the upstream down, the code gets its ticket as before and the visit waits in the outbox', async () => {
    const gone = await startDevUpstream(tempDir('decline-online-gone'));
    const url = gone.url;
    await gone.close(); // nothing listens on this port any more: connection refused
    const { core, dataDir } = await kioskFor(url);
    const result = await submitCode(core, await identify(core, testIin(603)), '314159');
    expect(result).toMatchObject({ outcome: 'ticket' });
    const ticket = (result as { ticket: string }).ticket;
    expect(rows(dataDir, 'SELECT status, verdict FROM receipts WHERE ticket = ?', ticket)).toEqual([
      { status: 'pending', verdict: null },
    ]);
    expect(rows(dataDir, "SELECT count(*) AS n FROM outbox WHERE state = 'pending'")).toEqual([{ n: 1 }]);
  });

  it('an upstream that stores the visit but does not answer in time: ticket now, verdict later, the visit stored once', async () => {
    const iin = testIin(604);
    const upstream = await upstreamWithCodes([[iin, '161803']]);
    const { core, dataDir } = await kioskFor(upstream.url, upstream, 500);
    const admin = (spec: string) =>
      fetch(`${upstream.url}/admin/faults`, {
        method: 'POST',
        headers: { authorization: `Bearer ${upstream.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec }),
      });
    expect((await admin('timeout:1')).status).toBe(200);
    const result = await submitCode(core, await identify(core, iin), '161803');
    expect(result).toMatchObject({ outcome: 'ticket' });
    const ticket = (result as { ticket: string }).ticket;
    expect(rows(dataDir, 'SELECT status FROM receipts WHERE ticket = ?', ticket)).toEqual([{ status: 'pending' }]);
    expect(await upstreamVisits(upstream)).toHaveLength(1); // it did arrive; the kiosk does not know yet

    // Background sync later sends it again; the upstream recognises the id and keeps one visit.
    expect((await admin('')).status).toBe(200);
    const kiosk = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } });
    try {
      expect(await kiosk.sync.engine.drain()).toMatchObject({ duplicate: 1, remaining: 0 });
    } finally {
      kiosk.close();
    }
    expect(rows(dataDir, 'SELECT status, verdict FROM receipts WHERE ticket = ?', ticket)).toEqual([
      { status: 'synced', verdict: 'egov-valid' },
    ]);
    const received = await upstreamVisits(upstream);
    expect(received.map((v) => v.verdict)).toEqual(['egov-valid']);
    expect(new Set(received.map((v) => v.id)).size).toBe(received.length);
  });

  it('verifyOnlineMs 0 never asks the upstream: a refused code still gets a ticket, refused later by sync', async () => {
    const iin = testIin(605);
    const upstream = await upstreamWithCodes([[iin, '000000']]);
    const { core, dataDir } = await kioskFor(upstream.url, upstream, 0);
    const result = await submitCode(core, await identify(core, iin), '999999');
    expect(result).toMatchObject({ outcome: 'ticket' });
    expect(rows(dataDir, 'SELECT status FROM receipts')).toEqual([{ status: 'pending' }]);
    expect(await upstreamVisits(upstream)).toEqual([]);
  });

  it("a decline that returns after its patient left ends only its own check-in, never the next patient's (issue 11 item 16)", async () => {
    // An upstream that holds every request until the test lets it answer (then with a 500).
    const held: Array<() => void> = [];
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => (arrived = r));
    const server = createServer((req, res) => {
      req.resume();
      held.push(() => res.writeHead(500).end('{"error":"down"}'));
      arrived();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanups.push(() => held.splice(0).forEach((answer) => answer()));
    const { core } = await kioskFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

    const first = await identify(core, testIin(611));
    const declining = submitCode(core, first, '123456');
    await requestArrived;
    // Patient A walks away; the screen resets and patient B starts.
    expect(await core.router.call('checkin.cancel', { session: first }, ctx)).toMatchObject({ ok: true });
    const second = await identify(core, testIin(612));
    held.splice(0).forEach((answer) => answer());
    expect(await declining).toMatchObject({ outcome: 'ticket' });
    // B's check-in goes on: the consent step still finds B's session.
    expect(await core.router.call('checkin.consent', { session: second, choice: 'decline' }, ctx)).toMatchObject({
      ok: true,
    });
  });
});
