import { z } from 'zod';
import type { Command } from '../command.js';
import type { AuditMark } from '../../../electron/core/platform/audit/chain.js';
import { readAuditMark, trustedAuditKeys } from '../../../electron/core/platform/audit/device-signature.js';
import { getSodium } from '../../../electron/core/platform/crypto/index.js';
import { readProvisioning } from '../../../electron/core/delivery/keys/index.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { openLocalStaff } from './staff-cli-support.js';

const publicKeySchema = z.string().transform((s, ctx) => {
  const k = Buffer.from(s.trim(), 'base64');
  if (k.length === 32 && k.toString('base64') === s.trim()) return new Uint8Array(k);
  ctx.addIssue({
    code: 'custom',
    message: 'a device public key is 32 bytes in base64, as provisioning printed it and the upstream registered it',
  });
  return z.NEVER;
});

/** `kioskctl audit verify|tail`: proves the hash chain and the signatures, or shows the newest rows. */
export const auditCommand: Command = {
  name: 'audit',
  summary:
    'Audit log: verify --device-key KEY (the key registered upstream; exit 1 names the first bad row), tail [--limit N]',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'verify') {
      const args = parseCommandArgs(
        rest,
        z.object({
          'data-dir': dataDirSchema,
          json: z.boolean().default(false),
          anchor: z
            .string()
            .regex(/^\d+:[0-9a-f]{64}$/, 'an anchor is SEQ:HASH as printed by an earlier verify')
            .transform((a) => ({ seq: Number(a.split(':')[0]), hash: a.split(':')[1]! }))
            .optional(),
          'device-key': z.array(publicKeySchema).default([]),
        }),
      );
      const sodium = await getSodium();
      // The keys come from IT (as registered upstream), never from the folder under test: a
      // replaced keys/device.json must not vouch for rows re-signed with it.
      const given = args['device-key'];
      const trust = given.length > 0 ? trustedAuditKeys(sodium, given) : undefined;
      let mark: AuditMark | null = null;
      let markProblem: string | null = null;
      try {
        mark = readAuditMark(args['data-dir']);
      } catch (err) {
        markProblem = err instanceof Error ? err.message : String(err);
      }
      let provisionedIds: string[] = [];
      try {
        const p = readProvisioning(args['data-dir']);
        provisionedIds = p ? [p.deviceKeyId, ...p.previous.map((e) => e.deviceKeyId)] : [];
      } catch {
        provisionedIds = [];
      }
      const local = openLocalStaff(args['data-dir'], 'read');
      try {
        const signedRows = (
          local.db.prepare('SELECT count(*) AS c FROM audit_log WHERE sig IS NOT NULL').get() as { c: number }
        ).c;
        const pending = local.audit.pendingRows().length;
        if (!trust && (signedRows > 0 || mark)) {
          const msg = `Rows of this audit log are signed, and no device key was given: pass --device-key with the device's public key as registered upstream (provisioning printed it). The key in the folder under test is not trusted.${provisionedIds[0] ? ` (This folder says it was provisioned with key ${provisionedIds[0]}.)` : ''}`;
          if (args.json)
            console.log(JSON.stringify({ ok: false, rows: 0, firstBadSeq: 0, problem: 'no-key', note: msg }));
          else console.error(msg);
          return 1;
        }
        if (markProblem) {
          if (args.json)
            console.log(
              JSON.stringify({ ok: false, rows: 0, firstBadSeq: 0, problem: 'mark-mismatch', note: markProblem }),
            );
          else console.log(`Audit chain BROKEN: ${markProblem}`);
          return 1;
        }
        const v = local.audit.verify(args.anchor, trust, mark);
        if (args.json) console.log(JSON.stringify({ ...v, pending }));
        else if (v.ok) {
          console.log(`Audit chain intact: ${v.rows} rows, head ${v.head}`);
          if (!trust)
            console.log('No row is signed (the kiosk was never provisioned): only the hash chain was checked.');
          else if (v.signedThrough === 0)
            console.log(
              'WARNING: no row carries a signature of the given device key(s); only the hash chain was checked.',
            );
          else {
            console.log(`Signed by device key ${v.keys?.join(', then ')} through row ${v.signedThrough}.`);
            for (const id of trustedAuditKeys(sodium, given).keyIds()) {
              if (provisionedIds.length > 0 && !provisionedIds.includes(id))
                console.log(
                  `NOTE: the given key ${id} is not one this folder says it was provisioned with (${provisionedIds.join(', ')}).`,
                );
            }
          }
          for (const u of v.unverified ?? [])
            console.log(
              `WARNING: rows ${u.from}–${u.to} are not signed: the kiosk wrote them while its device key was unavailable (a signed row after them says so); nothing vouches for their content.`,
            );
          if (v.unsignedTail)
            console.log(
              `WARNING: the newest ${v.unsignedTail} row(s) are not signed (written while the device key was unavailable, or by someone else); the kiosk marks them at its next signed row.`,
            );
          if (trust && !mark && v.signedThrough)
            console.log(
              'WARNING: no audit-head.json beside the database: signatures stripped from the newest rows could not be told from rows never signed.',
            );
          if (pending) console.log(`${pending} kioskctl row(s) wait for the kiosk to import and sign them.`);
          console.log(`Anchor for a later check (write it down outside the kiosk): ${v.rows}:${v.head}`);
        } else
          console.log(
            `Audit chain BROKEN at row ${v.firstBadSeq} (${v.problem})${v.note ? `: ${v.note}` : ''}; rows before it are intact`,
          );
        return v.ok ? 0 : 1;
      } finally {
        local.close();
      }
    }
    if (sub === 'tail') {
      const args = parseCommandArgs(
        rest,
        z.object({ 'data-dir': dataDirSchema, limit: z.coerce.number().int().min(1).max(1000).default(30) }),
      );
      const local = openLocalStaff(args['data-dir'], 'read');
      try {
        for (const r of local.audit.recent(args.limit).reverse())
          console.log(`${String(r.seq).padStart(6)} ${r.at} ${r.actor.padEnd(16)} ${r.action.padEnd(26)} ${r.detail}`);
        for (const r of local.audit.pendingRows())
          console.log(`${'queued'.padStart(6)} ${r.at} ${r.actor.padEnd(16)} ${r.action.padEnd(26)} ${r.detail}`);
        return 0;
      } finally {
        local.close();
      }
    }
    console.error(
      'Usage: kioskctl audit verify --device-key KEY [--device-key KEY…] [--anchor SEQ:HASH] [--data-dir DIR] [--json] | kioskctl audit tail [--limit N] [--data-dir DIR]',
    );
    return 2;
  },
};
