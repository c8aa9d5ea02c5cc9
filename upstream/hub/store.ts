import type pg from 'pg';
import type { BatchItem, ItemResult, Verdict } from '../../electron/shared/protocol/batch.js';
import type { VisitEnvelope } from '../../electron/shared/protocol/envelope.js';
import { meanTemplate } from '../../electron/core/face/template.js';
import { ReceiverCore, egovSecret, type FaceReference, type StageClock } from '../core.js';
import { inTransaction } from './db.js';
import { addClinic, addConsumer, enrolDevice, issueToken } from './registry.js';
export { EnrolRefused } from './registry.js';
import { maskIin, sha256, type ReferenceVault } from './keys.js';

/**
 * The hub's storage on PostgreSQL behind the shared protocol core: the device registry (clinic,
 * keys, one-time enrolment tokens, rate limit), exactly-once verdicts (the visit id is the primary
 * key; the verdict is inserted with ON CONFLICT DO NOTHING in the transaction that answers), the
 * MIS cursor, and encrypted face references that grow from verified visits.
 */
export interface HubStoreOptions {
  /** Items a device may send per minute (all nodes together: the counter is in the database). */
  rateLimitPerMinute?: number;
  /**
   * Growth of a reference from verified visits: a visit that passed the head-turn challenge and
   * matched closer than this joins the reference (undefined: references never grow).
   */
  growthThreshold?: number;
  /** The most visit descriptors a reference keeps (the oldest leaves first). Default 4. */
  growthMax?: number;
}

export type ReceiveOutcome =
  | { status: 200; results: ItemResult[]; clock: StageClock & { lookup: number; insert: number } }
  | { status: 403; error: string }
  | { status: 429; error: string; retryAfterS: number };

/** What a reference holds once opened: the enrolment photos' descriptors and the visits' it grew from. */
interface ReferenceBody {
  photos: number[][];
  visits: number[][];
}

const defaultRate = 6000;

export class HubStore {
  constructor(
    readonly pool: pg.Pool,
    readonly core: ReceiverCore,
    readonly vault: ReferenceVault,
    readonly options: HubStoreOptions = {},
  ) {
    this.references = new References(pool, vault);
  }

  // ---- registry (IT): registry.ts, here for callers that hold a store ----

  addClinic = (clinicId: string, name = ''): Promise<void> => addClinic(this.pool, clinicId, name);
  issueToken = (clinicId: string, deviceId: string, ttlHours = 72): Promise<string> =>
    issueToken(this.pool, clinicId, deviceId, ttlHours);
  enrolDevice = (token: string, deviceId: string, publicKey: Uint8Array): Promise<{ clinicId: string; keys: number }> =>
    enrolDevice(this.pool, token, deviceId, publicKey);
  addConsumer = (consumerId: string, clinicId: string): Promise<string> => addConsumer(this.pool, consumerId, clinicId);

  // ---- references (References, below) ----

  readonly references: References;
  enrolReference = (iin: string, modelId: string, photos: number[][], actor: string): Promise<void> =>
    this.references.enrolReference(iin, modelId, photos, actor);
  enrolReferences = (list: Array<{ iin: string; modelId: string; photos: number[][] }>, actor: string): Promise<void> =>
    this.references.enrolReferences(list, actor);
  addEgovCode = (iin: string, code: string): Promise<void> => this.references.addEgovCode(iin, code);
  private sealReference = (body: ReferenceBody): Buffer => this.references.seal(body);
  private openReference = (sealed: Uint8Array): ReferenceBody => this.references.open(sealed);

  private template(body: ReferenceBody, modelId: string): FaceReference | undefined {
    const model = this.core.models.get(modelId);
    const all = [...body.photos, ...body.visits];
    if (!model || all.length === 0) return undefined;
    return { descriptor: all.length === 1 ? all[0]! : meanTemplate(all, model.metric), count: all.length };
  }

  // ---- protocol v1 ----

  async receive(deviceId: string, items: BatchItem[]): Promise<ReceiveOutcome> {
    const limit = this.options.rateLimitPerMinute ?? defaultRate;
    // One statement: the device, its live keys, and its rate counter (shared by every node).
    const dev = await this.pool.query<{ clinic_id: string; rl_items: number; retry_s: number; keys: Buffer[] }>(
      `WITH d AS (SELECT clinic_id FROM devices WHERE device_id = $1 AND disabled_at IS NULL),
       r AS (
         INSERT INTO device_rate AS x (device_id, window_start, items) SELECT $1, now(), $2 FROM d
         ON CONFLICT (device_id) DO UPDATE SET
           window_start = CASE WHEN x.window_start <= now() - interval '1 minute' THEN now() ELSE x.window_start END,
           items = CASE WHEN x.window_start <= now() - interval '1 minute' THEN $2 ELSE x.items + $2 END
         RETURNING items, window_start)
       SELECT d.clinic_id, r.items AS rl_items,
         greatest(1, ceil(extract(epoch FROM r.window_start + interval '1 minute' - now())))::int AS retry_s,
         ARRAY(SELECT public_key FROM device_keys k WHERE k.device_id = $1 AND k.revoked_at IS NULL) AS keys
       FROM d, r`,
      [deviceId, items.length],
    );
    const device = dev.rows[0];
    if (!device || device.keys.length === 0)
      return {
        status: 403,
        error: `device ${deviceId.slice(0, 128)} is not enrolled: IT issues it a one-time enrolment token`,
      };
    if (device.rl_items > limit)
      return {
        status: 429,
        error: `device ${deviceId.slice(0, 128)} sent more than ${limit} items in a minute`,
        retryAfterS: device.retry_s,
      };

    const clock = { verify: 0, open: 0, parse: 0, lookup: 0, match: 0, insert: 0 };
    const now = new Date();
    const checked = items.map((item) => {
      const c = this.core.check(deviceId, device.keys, item, clock);
      if ('reason' in c) return c;
      const refused = this.core.refusal(c.envelope, now, device.clinic_id);
      return refused ? { id: c.id, reason: refused } : c;
    });
    const envelopes = checked.flatMap((c) => ('envelope' in c ? [c.envelope] : []));

    // Judge before the transaction (reads only); store in it.
    const judged = await this.judgeAll(envelopes, clock);

    const t = performance.now();
    const stored = await this.store(deviceId, envelopes, judged);
    clock.insert += performance.now() - t;

    const answered = new Set<string>();
    const results = checked.map((c): ItemResult => {
      if ('reason' in c) return { id: c.id, status: 'rejected', reason: c.reason };
      const first = !answered.has(c.id);
      answered.add(c.id);
      const s = stored.get(c.id);
      if (first && s?.inserted)
        return {
          id: c.id,
          status: 'accepted',
          verdict: s.verdict,
          ...(s.distance !== null ? { distance: s.distance } : {}),
        };
      // The verdict of a visit stored earlier is told only to the device that sent it.
      if (s && s.deviceId === deviceId)
        return {
          id: c.id,
          status: 'duplicate',
          verdict: s.verdict,
          ...(s.distance !== null ? { distance: s.distance } : {}),
        };
      return { id: c.id, status: 'duplicate' };
    });
    return { status: 200, results, clock };
  }

  /**
   * Reads the references and codes the batch needs in one query (`lookup`, database time), then
   * judges (`match`, CPU: decrypt, template, distance).
   */
  private async judgeAll(
    envelopes: VisitEnvelope[],
    clock: { lookup: number; match: number },
  ): Promise<Map<string, { verdict: Verdict; distance?: number; grow?: boolean }>> {
    const out = new Map<string, { verdict: Verdict; distance?: number; grow?: boolean }>();
    // Each visit's keyed hash, once: the IIN's for a face visit, the code's for an eGov one.
    const keyOf = new Map<VisitEnvelope, Buffer>();
    for (const e of envelopes) {
      if (e.method === 'face' && e.face) keyOf.set(e, this.vault.iinKey(e.iin));
      else if (e.method === 'egov-code' || e.method === 'egov-qr')
        keyOf.set(e, this.vault.codeHash(e.iin, egovSecret(e)));
    }
    const faceKeys = new Map<string, Buffer>();
    const codeHashes: Buffer[] = [];
    for (const [e, k] of keyOf) {
      if (e.method === 'face') faceKeys.set(k.toString('hex'), k);
      else codeHashes.push(k);
    }
    const refs = new Map<string, FaceReference | undefined>();
    const validCodes = new Set<string>();
    let t = performance.now();
    let rows: Array<{ k: Buffer; model_id: string | null; sealed: Buffer | null }> = [];
    if (keyOf.size) {
      // One round trip for both: references (model_id set) and eGov codes found (model_id NULL).
      const r = await this.pool.query<{ k: Buffer; model_id: string | null; sealed: Buffer | null }>(
        `SELECT iin_key AS k, model_id, sealed FROM face_references WHERE iin_key = ANY($1::bytea[])
         UNION ALL SELECT code_hash, NULL, NULL FROM egov_codes WHERE code_hash = ANY($2::bytea[])`,
        [[...faceKeys.values()], codeHashes],
      );
      rows = r.rows;
    }
    clock.lookup += performance.now() - t;
    t = performance.now();
    for (const row of rows) {
      if (row.model_id === null || row.sealed === null) validCodes.add(row.k.toString('hex'));
      else
        refs.set(
          `${row.k.toString('hex')}/${row.model_id}`,
          this.template(this.openReference(row.sealed), row.model_id),
        );
    }
    for (const e of envelopes) {
      const key = keyOf.get(e)?.toString('hex');
      if (e.method === 'face' && e.face) {
        const j = this.core.judge(e, { reference: refs.get(`${key}/${e.face.modelId}`) });
        const grow =
          this.options.growthThreshold !== undefined &&
          j.verdict === 'face-match' &&
          j.distance !== undefined &&
          j.distance < this.options.growthThreshold;
        out.set(e.visitId, { ...j, grow });
      } else if (e.method === 'egov-code' || e.method === 'egov-qr') {
        out.set(e.visitId, this.core.judge(e, { egovValid: key !== undefined && validCodes.has(key) }));
      } else out.set(e.visitId, this.core.judge(e, {}));
    }
    clock.match += performance.now() - t;
    return out;
  }

  /**
   * The verdicts inserted with ON CONFLICT (visit_id) DO NOTHING — a visit id already stored, by
   * this node or any other, concurrently or long ago, is not stored again — then the stored verdict
   * of those that were there. When no reference grows, the insert is one statement, which is its
   * own transaction (committed before its answer comes back): no BEGIN and COMMIT round trips.
   * When a reference grows, the insert and the growth share one transaction.
   */
  private async store(
    deviceId: string,
    envelopes: VisitEnvelope[],
    judged: Map<string, { verdict: Verdict; distance?: number; grow?: boolean }>,
  ): Promise<Map<string, { inserted: boolean; verdict: Verdict; distance: number | null; deviceId: string }>> {
    const out = new Map<string, { inserted: boolean; verdict: Verdict; distance: number | null; deviceId: string }>();
    if (envelopes.length === 0) return out;
    const unique = [...new Map(envelopes.map((e) => [e.visitId, e])).values()];
    const col = <T>(f: (e: VisitEnvelope) => T): T[] => unique.map(f);
    const insert: [string, unknown[]] = [
      `INSERT INTO verdicts (visit_id, clinic_id, device_id, method, iin_masked, created_at, verdict, distance, evidence)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::real[], $9::jsonb[])
       ON CONFLICT (visit_id) DO NOTHING RETURNING visit_id`,
      [
        col((e) => e.visitId),
        col((e) => e.clinicId),
        col(() => deviceId),
        col((e) => e.method),
        col((e) => maskIin(e.iin)),
        col((e) => e.createdAt),
        col((e) => judged.get(e.visitId)!.verdict),
        col((e) => judged.get(e.visitId)!.distance ?? null),
        col((e) => JSON.stringify(evidence(e))),
      ],
    ];
    const growing = unique.filter((e) => judged.get(e.visitId)!.grow && e.face);
    let inserted: Set<string>;
    if (growing.length === 0) {
      const ins = await this.pool.query<{ visit_id: string }>(...insert);
      inserted = new Set(ins.rows.map((r) => r.visit_id));
    } else {
      inserted = await inTransaction(this.pool, async (c) => {
        const ins = await c.query<{ visit_id: string }>(...insert);
        const done = new Set(ins.rows.map((r) => r.visit_id));
        for (const e of growing)
          if (done.has(e.visitId) && e.face) await this.grow(c, e.iin, e.face.modelId, e.face.descriptor, e.visitId);
        return done;
      });
    }
    for (const e of unique) {
      if (!inserted.has(e.visitId)) continue;
      const j = judged.get(e.visitId)!;
      out.set(e.visitId, { inserted: true, verdict: j.verdict, distance: j.distance ?? null, deviceId });
    }
    const others = unique.filter((e) => !inserted.has(e.visitId)).map((e) => e.visitId);
    if (others.length) {
      // A new statement: it sees a row another node committed while our insert waited on it.
      const r = await this.pool.query<{
        visit_id: string;
        verdict: Verdict;
        distance: number | null;
        device_id: string;
      }>('SELECT visit_id, verdict, distance, device_id FROM verdicts WHERE visit_id = ANY($1::uuid[])', [others]);
      for (const row of r.rows)
        out.set(row.visit_id, {
          inserted: false,
          verdict: row.verdict,
          distance: row.distance,
          deviceId: row.device_id,
        });
    }
    return out;
  }

  /** Adds a verified visit's descriptor to the reference (oldest visit out past the bound); audited. */
  private async grow(
    c: pg.PoolClient,
    iin: string,
    modelId: string,
    descriptor: number[],
    visitId: string,
  ): Promise<void> {
    const iinKey = this.vault.iinKey(iin);
    const r = await c.query<{ sealed: Buffer }>(
      'SELECT sealed FROM face_references WHERE iin_key = $1 AND model_id = $2 FOR UPDATE',
      [iinKey, modelId],
    );
    const row = r.rows[0];
    if (!row) return;
    const body = this.openReference(row.sealed);
    body.visits.push(descriptor);
    const max = this.options.growthMax ?? 4;
    const dropped = Math.max(0, body.visits.length - max);
    body.visits.splice(0, dropped);
    await c.query(
      'UPDATE face_references SET sealed = $3, visits = $4, updated_at = now() WHERE iin_key = $1 AND model_id = $2',
      [iinKey, modelId, this.sealReference(body), body.visits.length],
    );
    await c.query(
      'INSERT INTO reference_audit (iin_key, model_id, action, visit_id, actor, photos, visits) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        iinKey,
        modelId,
        dropped ? 'grow-replace-oldest' : 'grow',
        visitId,
        'verified-visit',
        body.photos.length,
        body.visits.length,
      ],
    );
  }

  // ---- the MIS cursor ----

  /**
   * Verdicts of the consumer's clinic after a cursor, in a stable order: (inserting transaction,
   * sequence), only of transactions that have finished, so a verdict committed late never lands
   * behind a cursor already handed out.
   */
  async verdictsAfter(
    consumerKey: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ verdicts: unknown[]; next: string } | undefined> {
    const c = await this.pool.query<{ clinic_id: string }>(
      'SELECT clinic_id FROM consumers WHERE key_hash = $1 AND revoked_at IS NULL',
      [sha256(consumerKey)],
    );
    const clinic = c.rows[0]?.clinic_id;
    if (!clinic) return undefined;
    const [tx, seq] = after ? after.split('.') : ['0', '0'];
    const r = await this.pool.query<{
      tx: string;
      seq: string;
      visit_id: string;
      device_id: string;
      method: string;
      iin_masked: string;
      created_at: Date;
      received_at: Date;
      verdict: string;
      distance: number | null;
      evidence: unknown;
    }>(
      `SELECT tx::text, seq::text, visit_id, device_id, method, iin_masked, created_at, received_at, verdict, distance, evidence FROM verdicts
       WHERE clinic_id = $1 AND (tx, seq) > ($2::text::xid8, $3::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY tx, seq LIMIT $4`,
      [clinic, tx, seq, limit],
    );
    const last = r.rows.at(-1);
    return {
      verdicts: r.rows.map((v) => ({
        visitId: v.visit_id,
        clinicId: clinic,
        deviceId: v.device_id,
        method: v.method,
        iinMasked: v.iin_masked,
        createdAt: v.created_at.toISOString(),
        receivedAt: v.received_at.toISOString(),
        verdict: v.verdict,
        ...(v.distance !== null ? { distance: v.distance } : {}),
        evidence: v.evidence,
      })),
      next: last ? `${last.tx}.${last.seq}` : (after ?? '0.0'),
    };
  }

  /** Retention: verdicts received longer ago than this are deleted. */
  async purge(olderThanDays: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM verdicts WHERE received_at < now() - make_interval(days => $1)', [
      olderThanDays,
    ]);
    return r.rowCount ?? 0;
  }
}

/** What stays of a visit's evidence: how it was proven, never the descriptor, the code or the document. */
export function evidence(e: VisitEnvelope): Record<string, unknown> {
  if (e.face) {
    const p = e.face.presence;
    return {
      modelId: e.face.modelId,
      challenge: p.challenge,
      ...(p.side ? { side: p.side } : {}),
      frames: p.frames,
      durationMs: p.durationMs,
      ...(p.planarResidual !== undefined ? { planarResidual: p.planarResidual } : {}),
    };
  }
  if (e.egov) return { egov: e.egov.code ? 'code' : 'qr-token' };
  if (e.staff) return { staffId: e.staff.staffId, documentType: e.staff.documentType, reason: e.staff.reason };
  return {};
}

/** Encrypted references and eGov codes: what IT enrols (no upstream key needed, only the reference key). */
export class References {
  constructor(
    readonly pool: pg.Pool,
    readonly vault: ReferenceVault,
  ) {}

  /** Enrols (replaces) a reference from ID-photo descriptors; audited. */
  async enrolReference(iin: string, modelId: string, photos: number[][], actor: string): Promise<void> {
    const iinKey = this.vault.iinKey(iin);
    const body: ReferenceBody = { photos, visits: [] };
    await inTransaction(this.pool, async (c) => {
      await c.query(
        'INSERT INTO face_references (iin_key, model_id, sealed, photos, visits, updated_at) VALUES ($1, $2, $3, $4, 0, now()) ON CONFLICT (iin_key, model_id) DO UPDATE SET sealed = excluded.sealed, photos = excluded.photos, visits = 0, updated_at = now()',
        [iinKey, modelId, this.seal(body), photos.length],
      );
      await c.query(
        'INSERT INTO reference_audit (iin_key, model_id, action, actor, photos, visits) VALUES ($1, $2, $3, $4, $5, 0)',
        [iinKey, modelId, 'enrol', actor, photos.length],
      );
    });
  }

  /** Enrols many one-photo references at once (a migration from another system, the load tool); audited. */
  async enrolReferences(
    list: Array<{ iin: string; modelId: string; photos: number[][] }>,
    actor: string,
  ): Promise<void> {
    for (let i = 0; i < list.length; i += 1000) {
      const part = list.slice(i, i + 1000);
      const keys = part.map((r) => this.vault.iinKey(r.iin));
      await inTransaction(this.pool, async (c) => {
        await c.query(
          `INSERT INTO face_references (iin_key, model_id, sealed, photos, visits) SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::int[], $5::int[])
           ON CONFLICT (iin_key, model_id) DO UPDATE SET sealed = excluded.sealed, photos = excluded.photos, visits = 0, updated_at = now()`,
          [
            keys,
            part.map((r) => r.modelId),
            part.map((r) => this.seal({ photos: r.photos, visits: [] })),
            part.map((r) => r.photos.length),
            part.map(() => 0),
          ],
        );
        await c.query(
          `INSERT INTO reference_audit (iin_key, model_id, action, actor, photos, visits) SELECT k, m, 'enrol', $3, p, 0 FROM unnest($1::bytea[], $2::text[], $4::int[]) AS t(k, m, p)`,
          [keys, part.map((r) => r.modelId), actor, part.map((r) => r.photos.length)],
        );
      });
    }
  }

  async addEgovCode(iin: string, code: string): Promise<void> {
    await this.pool.query('INSERT INTO egov_codes (iin_key, code_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      this.vault.iinKey(iin),
      this.vault.codeHash(iin, code),
    ]);
  }

  seal(body: ReferenceBody): Buffer {
    return this.vault.seal(Buffer.from(JSON.stringify(body)));
  }

  open(sealed: Uint8Array): ReferenceBody {
    return JSON.parse(Buffer.from(this.vault.open(sealed)).toString('utf8')) as ReferenceBody;
  }
}
