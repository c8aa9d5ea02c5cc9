import type { Database } from 'better-sqlite3';
import { guardStore } from '../../platform/store/index.js';
import type { ItemResult } from '../../../shared/protocol/batch.js';

export interface PendingRow {
  seq: number;
  id: string;
  created_at: string;
  device_id: string;
  upstream_key_id: string;
  sealed: Buffer;
  sig: Buffer;
}

export interface AppliedCounts {
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Sent ids the answer left out: they stay pending, and the engine counts the answer as a failure. */
  unanswered: number;
}

export interface DeadLetter {
  visitId: string;
  createdAt: string;
  failedAt: string;
  reason: string;
  ticket: string | null;
  maskedIin: string | null;
}

export interface HistoryPoint {
  /** Start of the minute, ISO. */
  at: string;
  queueDepth: number;
  delivered: number;
  rejected: number;
  failures: number;
}

/**
 * The outbox as the sync engine sees it. Every change that follows an upstream answer happens in
 * one transaction: acknowledged blobs deleted, receipts marked with their verdict, rejections moved
 * to dead letters, the attempt logged. A crash before it commits leaves the rows pending; they are
 * sent again and the upstream answers `duplicate`, because the visit id is the idempotency key.
 */
export class Outbox {
  private readonly pending;
  private readonly del;
  private readonly markSynced;
  private readonly markDead;
  private readonly markReceiptDead;
  private readonly bumpAttempts;
  private readonly insertLog;
  private readonly setState;

  constructor(private readonly db: Database) {
    // One batch holds the visits of one signing identity (the device id they were signed under):
    // after a new device key, older visits still go out under the identity that signed them.
    this.pending = db.prepare(
      "SELECT seq, id, created_at, device_id, upstream_key_id, sealed, sig FROM outbox WHERE state = 'pending' AND upstream_key_id = @key AND device_id = (SELECT device_id FROM outbox WHERE state = 'pending' AND upstream_key_id = @key ORDER BY seq LIMIT 1) ORDER BY seq LIMIT @limit",
    );
    this.del = db.prepare("DELETE FROM outbox WHERE id = ? AND state = 'pending'");
    this.markSynced = db.prepare(
      "UPDATE receipts SET status = 'synced', verdict = ?, synced_at = ? WHERE visit_id = ?",
    );
    this.markDead = db.prepare(
      "UPDATE outbox SET state = 'dead', dead_reason = ?, dead_at = ? WHERE id = ? AND state = 'pending'",
    );
    this.markReceiptDead = db.prepare("UPDATE receipts SET status = 'dead', verdict = ? WHERE visit_id = ?");
    this.bumpAttempts = db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
    this.insertLog = db.prepare(
      'INSERT INTO sync_log (at, kind, sent, accepted, duplicate, rejected, queue_depth, ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.setState = db.prepare(
      'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  nextBatch(upstreamKeyId: string, limit: number): PendingRow[] {
    return guardStore(() => this.pending.all({ key: upstreamKeyId, limit }) as PendingRow[]);
  }

  /** One visit's outbox row if it is still pending under the current key (deliverNow). */
  pendingRow(id: string, upstreamKeyId: string): PendingRow | undefined {
    return guardStore(
      () =>
        this.db
          .prepare(
            "SELECT seq, id, created_at, device_id, upstream_key_id, sealed, sig FROM outbox WHERE id = ? AND state = 'pending' AND upstream_key_id = ?",
          )
          .get(id, upstreamKeyId) as PendingRow | undefined,
    );
  }

  /** A visit's receipt status and the verdict sync recorded on it. */
  receiptOf(visitId: string): { status: 'pending' | 'synced' | 'dead'; verdict: string | null } | undefined {
    return guardStore(
      () =>
        this.db.prepare('SELECT status, verdict FROM receipts WHERE visit_id = ?').get(visitId) as
          { status: 'pending' | 'synced' | 'dead'; verdict: string | null } | undefined,
    );
  }

  /** Applies the upstream's per-item answers; ids it did not answer stay pending. */
  applyResults(sent: PendingRow[], results: ItemResult[], at: Date, ms: number): AppliedCounts {
    const sentIds = new Set(sent.map((r) => r.id));
    const iso = at.toISOString();
    return guardStore(() =>
      this.db
        .transaction(() => {
          const counts: AppliedCounts = { accepted: 0, duplicate: 0, rejected: 0, unanswered: 0 };
          const answered = new Set<string>();
          for (const r of results) {
            if (!sentIds.has(r.id) || answered.has(r.id)) continue; // never act on an id we did not send
            answered.add(r.id);
            if (r.status === 'rejected') {
              if (this.markDead.run(r.reason, iso, r.id).changes) {
                this.markReceiptDead.run(`rejected: ${r.reason}`, r.id);
                counts.rejected++;
              }
            } else if (this.del.run(r.id).changes) {
              this.markSynced.run(r.verdict ?? null, iso, r.id);
              counts[r.status]++;
            }
          }
          for (const id of sentIds) {
            if (answered.has(id)) continue;
            this.bumpAttempts.run(id);
            counts.unanswered++;
          }
          const depth = this.depthNow();
          this.insertLog.run(
            iso,
            'ok',
            sent.length,
            counts.accepted,
            counts.duplicate,
            counts.rejected,
            depth,
            Math.round(ms),
            null,
          );
          this.setState.run('last_success_at', iso);
          return counts;
        })
        .immediate(),
    );
  }

  /**
   * After deletes: copies the WAL into the database and truncates it, so the frames that still
   * held deleted blobs are gone from the disk files too (secure_delete zeroed them in the pages).
   * Another connection reading at that moment makes it a partial checkpoint; the next one finishes.
   */
  checkpoint(): void {
    guardStore(() => this.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  /** Records a failed attempt (network, 5xx, 429, bad answer) for status and the chart. */
  recordFailure(at: Date, message: string, sent: number, ms: number): void {
    const iso = at.toISOString();
    guardStore(() =>
      this.db.transaction(() => {
        this.insertLog.run(iso, 'error', sent, 0, 0, 0, this.depthNow(), Math.round(ms), message.slice(0, 300));
        this.setState.run('last_error', JSON.stringify({ at: iso, message: message.slice(0, 300) }));
      })(),
    );
  }

  /** A queue-depth point for the chart when no delivery happened (offline, or nothing to send). */
  sample(at: Date): void {
    guardStore(() => this.insertLog.run(at.toISOString(), 'sample', 0, 0, 0, 0, this.depthNow(), 0, null));
  }

  private depthNow(): number {
    return (this.db.prepare("SELECT count(*) AS c FROM outbox WHERE state = 'pending'").get() as { c: number }).c;
  }

  counts(currentKeyId: string): {
    pending: number;
    pendingOldKeys: number;
    dead: number;
    oldestPendingAt: string | null;
  } {
    return guardStore(() => {
      const rows = this.db
        .prepare(
          'SELECT state, upstream_key_id = ? AS current, count(*) AS c, min(created_at) AS oldest FROM outbox GROUP BY state, current',
        )
        .all(currentKeyId) as Array<{ state: string; current: number; c: number; oldest: string }>;
      let pending = 0;
      let pendingOldKeys = 0;
      let dead = 0;
      let oldest: string | null = null;
      for (const r of rows) {
        if (r.state === 'dead') dead += r.c;
        else if (r.current) pending += r.c;
        else pendingOldKeys += r.c;
        if (r.state === 'pending' && (oldest === null || r.oldest < oldest)) oldest = r.oldest;
      }
      return { pending, pendingOldKeys, dead, oldestPendingAt: oldest };
    });
  }

  state(key: 'last_success_at' | 'last_error'): string | null {
    const row = this.db.prepare('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  deadLetters(limit = 500): DeadLetter[] {
    return this.db
      .prepare(
        `SELECT o.id AS visitId, o.created_at AS createdAt, o.dead_at AS failedAt, o.dead_reason AS reason, r.ticket AS ticket, r.masked_iin AS maskedIin
         FROM outbox o LEFT JOIN receipts r ON r.visit_id = o.id WHERE o.state = 'dead' ORDER BY o.seq LIMIT ?`,
      )
      .all(limit) as DeadLetter[];
  }

  /** IT's explicit decision to try dead letters again (never done automatically). */
  requeueDead(ids: string[]): number {
    return guardStore(() =>
      this.db.transaction(() => {
        let n = 0;
        const up = this.db.prepare(
          "UPDATE outbox SET state = 'pending', dead_reason = NULL, dead_at = NULL WHERE id = ? AND state = 'dead'",
        );
        const rec = this.db.prepare("UPDATE receipts SET status = 'pending', verdict = NULL WHERE visit_id = ?");
        for (const id of ids) {
          if (up.run(id).changes) {
            rec.run(id);
            n++;
          }
        }
        return n;
      })(),
    );
  }

  /** Per-minute points since `since` for the IT chart. */
  history(since: Date): HistoryPoint[] {
    const rows = this.db
      .prepare(
        `SELECT substr(at, 1, 16) AS minute, max(queue_depth) AS depth, sum(accepted + duplicate) AS delivered, sum(rejected) AS rejected,
                sum(kind = 'error') AS failures
         FROM sync_log WHERE at >= ? GROUP BY minute ORDER BY minute`,
      )
      .all(since.toISOString()) as Array<{
      minute: string;
      depth: number;
      delivered: number;
      rejected: number;
      failures: number;
    }>;
    return rows.map((r) => ({
      at: `${r.minute}:00.000Z`,
      queueDepth: r.depth,
      delivered: r.delivered,
      rejected: r.rejected,
      failures: r.failures,
    }));
  }

  /** Keeps the log and the receipts bounded: old log rows and expired synced receipts go. */
  prune(now: Date, receiptRetentionDays: number): void {
    const logCutoff = new Date(now.getTime() - 7 * 86_400_000).toISOString();
    const receiptCutoff = new Date(now.getTime() - receiptRetentionDays * 86_400_000).toISOString();
    guardStore(() => {
      this.db.prepare('DELETE FROM sync_log WHERE at < ?').run(logCutoff);
      this.db.prepare("DELETE FROM receipts WHERE created_at < ? AND status = 'synced'").run(receiptCutoff);
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    });
  }
}

/** What the database knows about the identities that signed queued visits (issue 17 item 3). */
export interface ProvisioningFacts {
  /** Queued visits (pending or dead) by the device id and device key that signed them. */
  queuedIdentities: Array<{ deviceId: string; deviceKeyId: string | null; count: number }>;
  /** Device keys this database has seen sign (queued visits, audit rows): the kiosk was provisioned even if keys/ is gone. */
  knownDeviceKeyIds: string[];
}

export function outboxProvisioningFacts(db: Database): ProvisioningFacts {
  const queuedIdentities = db
    .prepare(
      'SELECT device_id AS deviceId, device_key_id AS deviceKeyId, count(*) AS count FROM outbox GROUP BY device_id, device_key_id',
    )
    .all() as ProvisioningFacts['queuedIdentities'];
  const auditKeys = (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get()
      ? db.prepare('SELECT DISTINCT key_id AS k FROM audit_log WHERE key_id IS NOT NULL').all()
      : []
  ) as Array<{ k: string }>;
  const known = new Set<string>([
    ...queuedIdentities.flatMap((q) => (q.deviceKeyId ? [q.deviceKeyId] : [])),
    ...auditKeys.map((r) => r.k),
  ]);
  return { queuedIdentities, knownDeviceKeyIds: [...known] };
}
