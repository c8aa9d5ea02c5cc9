import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { UserFacingError } from '../../../shared/api/define.js';
import type { AuditLog } from '../../platform/audit/chain.js';
import { checkIin, maskIin } from '../../platform/identity/iin.js';
import { runMigrations } from '../../platform/store/index.js';
import { iinMatchesTag, iinTag } from './iin-tag.js';
import { handoffMigrations } from './migrations.js';

import {
  handoffReasons,
  patientScreens,
  type HandoffReason,
  type PatientScreen,
} from '../../../shared/vocabulary/reasons.js';

export { handoffReasons, type HandoffReason } from '../../../shared/vocabulary/reasons.js';

export const documentTypes = ['id-card', 'passport', 'birth-certificate', 'residence-permit', 'other'] as const;
export type DocumentType = (typeof documentTypes)[number];

export interface Handoff {
  id: string;
  createdAt: string;
  /** Null when the patient asked for help before giving an IIN. */
  maskedIin: string | null;
  reason: HandoffReason;
  /** For `asked-for-help`: the screen the patient was on. */
  screen: PatientScreen | null;
  status: 'waiting' | 'checked-in' | 'left';
  resolvedAt: string | null;
  resolvedBy: string | null;
  documentType: string | null;
  visitId: string | null;
  ticket: string | null;
}

/** What sealing needs for a staff-verified visit; app.ts adapts it to the visits service. */
export interface StaffVerifiedVisit {
  iin: string;
  staff: { staffId: string; documentType: string; documentLast4: string; reason: string };
}
export type QueueStaffVisit = (
  visit: StaffVerifiedVisit,
) => Promise<{ visitId: string; ticket: string; maskedIin: string }>;

export const resolutionSchema = z.discriminatedUnion('outcome', [
  z
    .object({
      outcome: z.literal('document-checked'),
      /** Typed by staff from the document; checked against the hand-off's keyed tag. */
      iin: z.string().regex(/^\d{12}$/, 'The IIN has 12 digits'),
      documentType: z.enum(documentTypes),
      documentLast4: z.string().regex(/^[0-9A-Za-z]{4}$/, 'The last four characters of the document number'),
    })
    .strict(),
  z.object({ outcome: z.literal('left') }).strict(),
]);
export type Resolution = z.infer<typeof resolutionSchema>;

interface Row {
  id: string;
  created_at: string;
  masked_iin: string;
  iin_tag: string;
  reason: HandoffReason;
  screen: PatientScreen | null;
  status: Handoff['status'];
  resolved_at: string | null;
  resolved_by: string | null;
  document_type: string | null;
  visit_id: string | null;
  ticket: string | null;
}

const toHandoff = (r: Row): Handoff => ({
  id: r.id,
  createdAt: r.created_at,
  maskedIin: r.masked_iin || null,
  reason: r.reason,
  screen: r.screen,
  status: r.status,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  documentType: r.document_type,
  visitId: r.visit_id,
  ticket: r.ticket,
});

/** What resolving an entry needs from its service. */
interface ResolveDeps {
  db: Database;
  audit: AuditLog;
  queueVisit: QueueStaffVisit;
  now: () => Date;
  tagKey: () => Uint8Array;
  get: (id: string) => Handoff | undefined;
}

/**
 * Entries nobody resolved within `maxWaitMs` (every "I need help" makes one) are closed as left by
 * `kiosk:expired`, their IIN tag cleared, one audit row per sweep; entries holding an old fast tag
 * (no longer accepted) are closed the same way. Runs before every list, creation and resolution.
 */
function expireStale(db: Database, audit: AuditLog, now: () => Date, maxWaitMs: number): void {
  const cutoff = new Date(now().getTime() - maxWaitMs).toISOString();
  const at = now().toISOString();
  const r = db
    .prepare(
      "UPDATE handoffs SET status = 'left', resolved_at = ?, resolved_by = 'kiosk:expired', iin_tag = '' WHERE status = 'waiting' AND (created_at < ? OR (iin_tag != '' AND iin_tag NOT LIKE 'a2id$%'))",
    )
    .run(at, cutoff);
  if (r.changes > 0)
    audit.append({
      actor: 'kiosk',
      action: 'handoffs.expired',
      detail: { count: r.changes, afterHours: Math.round(maxWaitMs / 3_600_000) },
    });
}

async function resolveHandoff(
  deps: ResolveDeps,
  staffId: string,
  id: string,
  resolution: Resolution,
): Promise<Handoff> {
  const { db, audit } = deps;
  const row = db.prepare('SELECT * FROM handoffs WHERE id = ?').get(id) as Row | undefined;
  if (!row) throw new UserFacingError('No such hand-off', 'bad-input');
  if (row.status !== 'waiting') throw new UserFacingError('This hand-off is already resolved', 'bad-input');
  const at = deps.now().toISOString();
  if (resolution.outcome === 'left') {
    db.prepare(
      "UPDATE handoffs SET status = 'left', resolved_at = ?, resolved_by = ?, iin_tag = '' WHERE id = ? AND status = 'waiting'",
    ).run(at, staffId, id);
    audit.append({
      actor: staffId,
      action: 'handoffs.resolved',
      detail: { handoffId: id, outcome: 'left', maskedIin: row.masked_iin },
    });
    return deps.get(id)!;
  }
  if (!row.iin_tag) {
    // Help asked before an IIN was entered: there is no patient to match, so no visit can be sealed.
    throw new UserFacingError(
      'This patient asked for help before entering an IIN: help them check in at the kiosk, or record that they left',
      'bad-input',
    );
  }
  if (!checkIin(resolution.iin).valid || !(await iinMatchesTag(deps.tagKey(), resolution.iin, row.iin_tag))) {
    audit.append({
      actor: staffId,
      action: 'handoffs.iin-mismatch',
      detail: { handoffId: id, maskedIin: row.masked_iin },
    });
    throw new UserFacingError('The IIN typed does not match this patient’s', 'bad-input', 'handoffs.iin-mismatch');
  }
  // Claim the entry first so two staff members cannot seal two visits for one patient.
  const claimed = db
    .prepare(
      "UPDATE handoffs SET status = 'checked-in', resolved_at = ?, resolved_by = ?, document_type = ?, iin_tag = '' WHERE id = ? AND status = 'waiting'",
    )
    .run(at, staffId, resolution.documentType, id);
  if (claimed.changes !== 1) throw new UserFacingError('This hand-off is already resolved', 'bad-input');
  let visit: { visitId: string; ticket: string };
  try {
    visit = await deps.queueVisit({
      iin: resolution.iin,
      staff: {
        staffId,
        documentType: resolution.documentType,
        documentLast4: resolution.documentLast4,
        reason: `id-document-checked; handoff: ${row.reason}`,
      },
    });
  } catch (err) {
    db.prepare(
      "UPDATE handoffs SET status = 'waiting', resolved_at = NULL, resolved_by = NULL, document_type = NULL, iin_tag = ? WHERE id = ?",
    ).run(row.iin_tag, id);
    throw err;
  }
  db.prepare('UPDATE handoffs SET visit_id = ?, ticket = ? WHERE id = ?').run(visit.visitId, visit.ticket, id);
  audit.append({
    actor: staffId,
    action: 'handoffs.resolved',
    detail: {
      handoffId: id,
      outcome: 'document-checked',
      documentType: resolution.documentType,
      visitId: visit.visitId,
      maskedIin: row.masked_iin,
    },
  });
  return deps.get(id)!;
}

/**
 * The reception hand-off list: patients the kiosk could not check in by itself. Resolution by a
 * logged-in staff member either seals a `staff-verified` visit carrying their staff id and the
 * document they checked, or records that the patient left. Both are audited.
 */
export function createHandoffService(
  db: Database,
  /** The key, or why it cannot be unwrapped (keyring gone): hand-offs are refused with the reason. */
  tagKeyOrProblem: Uint8Array | { problem: string },
  audit: AuditLog,
  queueVisit: QueueStaffVisit,
  now: () => Date = () => new Date(),
  /** Told (with no data) when a patient is added, so a reception screen can offer a refresh. */
  onChange: () => void = () => {},
  /** How long an entry waits before it expires (issue 17 item 8): its tag is cleared, audited. */
  maxWaitMs: number = 12 * 3_600_000,
) {
  runMigrations(db, 'handoffs', handoffMigrations);
  const expire = () => expireStale(db, audit, now, maxWaitMs);

  function tagKey(): Uint8Array {
    const k = tagKeyOrProblem;
    if (k instanceof Uint8Array) return k;
    throw new UserFacingError(
      `Hand-offs are unavailable: ${k.problem} Fix the keyring and restart the kiosk.`,
      'failed',
    );
  }

  /**
   * Called by the patient flow (decline path, camera fault, "I need help"); the full IIN is not
   * stored. Only `asked-for-help` may come without an IIN (pressed before one was entered) and
   * carries the screen it was pressed on.
   */
  async function createHandoff(input: {
    iin?: string;
    reason: HandoffReason;
    screen?: PatientScreen;
  }): Promise<{ id: string; maskedIin: string | null; createdAt: string }> {
    if (!handoffReasons.includes(input.reason)) throw new UserFacingError('Unknown hand-off reason', 'bad-input');
    if (input.iin === undefined ? input.reason !== 'asked-for-help' : !/^\d{12}$/.test(input.iin))
      throw new UserFacingError('A hand-off needs the 12-digit IIN', 'bad-input');
    if (input.screen !== undefined && !patientScreens.includes(input.screen))
      throw new UserFacingError('Unknown patient screen', 'bad-input');
    const maskedIin = input.iin === undefined ? null : maskIin(input.iin);
    expire();
    const entry = {
      id: randomUUID(),
      createdAt: now().toISOString(),
      maskedIin,
      tag: input.iin === undefined ? '' : await iinTag(tagKey(), input.iin),
    };
    db.prepare(
      'INSERT INTO handoffs (id, created_at, masked_iin, iin_tag, reason, screen) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(entry.id, entry.createdAt, maskedIin ?? '', entry.tag, input.reason, input.screen ?? null);
    audit.append({
      actor: 'kiosk',
      action: 'handoffs.created',
      detail: {
        handoffId: entry.id,
        maskedIin: maskedIin ?? 'none',
        reason: input.reason,
        ...(input.screen ? { screen: input.screen } : {}),
      },
    });
    onChange();
    return { id: entry.id, maskedIin, createdAt: entry.createdAt };
  }

  /** Waiting entries first (oldest first), then today's resolved ones. */
  function list(options: { includeResolvedSince?: string } = {}): Handoff[] {
    expire();
    const waiting = (
      db.prepare("SELECT * FROM handoffs WHERE status = 'waiting' ORDER BY created_at").all() as Row[]
    ).map(toHandoff);
    if (!options.includeResolvedSince) return waiting;
    const done = (
      db
        .prepare("SELECT * FROM handoffs WHERE status != 'waiting' AND resolved_at >= ? ORDER BY resolved_at DESC")
        .all(options.includeResolvedSince) as Row[]
    ).map(toHandoff);
    return [...waiting, ...done];
  }

  function get(id: string): Handoff | undefined {
    const r = db.prepare('SELECT * FROM handoffs WHERE id = ?').get(id) as Row | undefined;
    return r && toHandoff(r);
  }

  async function resolve(staffId: string, id: string, resolution: Resolution): Promise<Handoff> {
    expire();
    return await resolveHandoff({ db, audit, queueVisit, now, tagKey, get }, staffId, id, resolution);
  }

  /** Staff-verified visits per staff member, for the override report. */
  function overrides(sinceIso: string, untilIso: string): Array<{ at: string; staffId: string }> {
    return db
      .prepare(
        "SELECT resolved_at AS at, resolved_by AS staffId FROM handoffs WHERE status = 'checked-in' AND resolved_at >= ? AND resolved_at < ? ORDER BY resolved_at",
      )
      .all(sinceIso, untilIso) as Array<{ at: string; staffId: string }>;
  }

  return { createHandoff, list, get, resolve, overrides };
}

export type HandoffService = ReturnType<typeof createHandoffService>;
