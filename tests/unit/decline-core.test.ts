import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium, openSealed } from '../../electron/core/platform/crypto/index.js';
import { formatShareToken } from '../../electron/core/patient/decline/share-token.js';
import { egovVerdicts } from '../../electron/core/patient/decline/verdicts.js';
import { Outbox, type PendingRow } from '../../electron/core/delivery/sync/outbox.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { envelopeSchema, type VisitEnvelope } from '../../electron/core/delivery/visits/index.js';
import { testIin } from '../../tools/harness/decline-qr.js';

/**
 * The decline path through the real core router: real SQLite, real sealing (libsodium), the real
 * hand-off list. The dev upstream key pair plays the upstream, to open what the kiosk sealed.
 */
describe('decline through the core router', () => {
  let core: Core;
  let dataDir: string;
  const ctx = { transport: 'test' as const };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-decline-core-'));
    core = await createCore({
      dataDir,
      developmentKeys: true,
      config: parseConfig({ decline: { maxCodeAttempts: 3 }, sync: { background: false } }),
    });
  });
  afterAll(async () => {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function identify(iin: string): Promise<string> {
    const r = await core.router.call('checkin.identify', { iin }, ctx);
    if (!r.ok || !(r.value as { ok: boolean }).ok) throw new Error('identify failed');
    return (r.value as { session: string }).session;
  }

  function query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(dataDir, 'kelu.db'), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  async function opened(visitTicket: string): Promise<VisitEnvelope> {
    const sodium = await getSodium();
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const [row] = query<{ sealed: Buffer }>(
      'SELECT o.sealed FROM outbox o JOIN receipts r ON r.visit_id = o.id WHERE r.ticket = ?',
      visitTicket,
    );
    return envelopeSchema.parse(
      JSON.parse(sodium.to_string(openSealed(sodium, row!.sealed, upstream.publicKey, upstream.secretKey)!)),
    );
  }

  function filesHolding(secret: string): string[] {
    return readdirSync(dataDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .filter((f) => readFileSync(f).includes(Buffer.from(secret)));
  }

  it('a typed code is sealed inside an egov-code envelope, and only there', async () => {
    const iin = testIin(401);
    const session = await identify(iin);
    const r = await core.router.call('decline.submitCode', { session, code: '917353' }, ctx);
    expect(r).toMatchObject({ ok: true, value: { outcome: 'ticket', maskedIin: `••••••••${iin.slice(-4)}` } });
    const ticket = (r as { value: { ticket: string } }).value.ticket;
    expect(await opened(ticket)).toMatchObject({ method: 'egov-code', iin, egov: { code: '917353' } });
    expect(query('SELECT method FROM receipts WHERE ticket = ?', ticket)).toEqual([{ method: 'egov-code' }]);
    expect(filesHolding('917353')).toEqual([]);
  });

  it('a QR holding a six-digit code is an egov-qr visit carrying that code', async () => {
    const session = await identify(testIin(402));
    const r = await core.router.call('decline.submitQr', { session, payload: '640028', source: 'camera' }, ctx);
    const ticket = (r as { value: { ticket: string } }).value.ticket;
    expect(await opened(ticket)).toMatchObject({ method: 'egov-qr', egov: { code: '640028' } });
    expect(filesHolding('640028')).toEqual([]);
  });

  it('a QR holding a share token is an egov-qr visit carrying the whole token', async () => {
    const token = formatShareToken(Buffer.from('a share token body for the core test'));
    const session = await identify(testIin(403));
    const r = await core.router.call('decline.submitQr', { session, payload: token, source: 'scanner' }, ctx);
    const ticket = (r as { value: { ticket: string } }).value.ticket;
    expect(await opened(ticket)).toMatchObject({ method: 'egov-qr', egov: { token } });
    expect(filesHolding(token.split('.')[1]!)).toEqual([]);
  });

  it('rejected payloads leave no trace; the third failure creates an audited hand-off entry', async () => {
    const iin = testIin(404);
    const session = await identify(iin);
    const visitsBefore = query('SELECT visit_id FROM receipts').length;
    const evil = 'https://evil.example/?steal=1';
    expect(await core.router.call('decline.submitQr', { session, payload: evil, source: 'camera' }, ctx)).toMatchObject(
      {
        ok: true,
        value: { outcome: 'rejected', reason: 'bad-characters', attemptsLeft: 2 },
      },
    );
    expect(
      await core.router.call('decline.submitQr', { session, payload: 'x'.repeat(8000), source: 'scanner' }, ctx),
    ).toMatchObject({
      ok: true,
      value: { outcome: 'rejected', reason: 'too-long', attemptsLeft: 1 },
    });
    // Beyond the transport limit the router refuses it outright, without counting or echoing it.
    const huge = await core.router.call(
      'decline.submitQr',
      { session, payload: 'y'.repeat(9000), source: 'scanner' },
      ctx,
    );
    expect(huge).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(JSON.stringify(huge)).not.toContain('yyyy');
    const third = await core.router.call('decline.submitCode', { session, code: '12' }, ctx);
    expect(third).toMatchObject({
      ok: true,
      value: { outcome: 'reception', why: 'too-many-attempts', maskedIin: `••••••••${iin.slice(-4)}` },
    });
    expect(query('SELECT visit_id FROM receipts')).toHaveLength(visitsBefore);
    expect(query("SELECT reason, masked_iin FROM handoffs WHERE reason = 'too-many-wrong-codes'")).toEqual([
      { reason: 'too-many-wrong-codes', masked_iin: `••••••••${iin.slice(-4)}` },
    ]);
    expect(filesHolding('evil.example')).toEqual([]);
    // The check-in has ended: a further attempt is refused.
    expect(await core.router.call('decline.submitCode', { session, code: '123456' }, ctx)).toMatchObject({ ok: false });
  });

  it('"I have no code" adds a waiting hand-off with the masked IIN and time, and answers where to go', async () => {
    const iin = testIin(405);
    const session = await identify(iin);
    const r = await core.router.call('decline.noCode', { session }, ctx);
    expect(r).toMatchObject({
      ok: true,
      value: { outcome: 'reception', why: 'no-code', reference: expect.stringMatching(/^[0-9A-F]{6}$/) },
    });
    const rows = query<{ masked_iin: string; created_at: string; status: string }>(
      "SELECT masked_iin, created_at, status FROM handoffs WHERE reason = 'declined-no-code'",
    );
    expect(rows).toEqual([
      {
        masked_iin: `••••••••${iin.slice(-4)}`,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        status: 'waiting',
      },
    ]);
    expect(filesHolding(iin)).toEqual([]);
  });

  it('the upstream verdict sync records on each eGov visit is listed for staff, without the codes; only staff may ask', async () => {
    // The sync engine's own storage step applies an upstream answer: one code valid, one invalid.
    const db = new Database(join(dataDir, 'kelu.db'));
    try {
      const [{ keyId }] = db.prepare('SELECT upstream_key_id AS keyId FROM outbox LIMIT 1').all() as [
        { keyId: string },
      ];
      const outbox = new Outbox(db);
      const sent: PendingRow[] = outbox.nextBatch(keyId, 100);
      const methodOf = (id: string) =>
        (db.prepare('SELECT method FROM receipts WHERE visit_id = ?').get(id) as { method: string }).method;
      const egov = sent.filter((r) => methodOf(r.id) !== 'face');
      expect(egov.length).toBeGreaterThanOrEqual(3);
      outbox.applyResults(
        egov.slice(0, 2),
        [
          { id: egov[0]!.id, status: 'accepted', verdict: 'egov-valid' },
          { id: egov[1]!.id, status: 'accepted', verdict: 'egov-invalid' },
        ],
        new Date(),
        12,
      );
      const items = egovVerdicts(db, new Date(Date.now() - 3_600_000).toISOString());
      expect(items.map((i) => i.verdict).sort()).toEqual(expect.arrayContaining(['egov-valid', 'egov-invalid', null]));
      expect(items.every((i) => /^•+\d{4}$/.test(i.maskedIin) && /^A-\d+$/.test(i.ticket))).toBe(true);
      expect(JSON.stringify(items)).not.toMatch(/917353|640028|EGS1/);
    } finally {
      db.close();
    }
    expect(await core.router.call('decline.verdicts', {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });
});
