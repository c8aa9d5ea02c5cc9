import { z } from 'zod';
import type { Command } from '../command.js';
import { deviceAuditCheck } from '../../../electron/core/platform/audit/device-signature.js';
import { getSodium } from '../../../electron/core/platform/crypto/index.js';
import { readDeviceIdentity } from '../../../electron/core/delivery/keys/index.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { openLocalStaff } from './staff-cli-support.js';

/** `kioskctl audit verify|tail`: proves the hash chain, or shows the newest rows. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'Audit log: verify the hash chain and device signatures (exit 1 names the first bad row), tail [--limit N]',
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
        }),
      );
      // The device's public key is enough to check signatures: no secret, so this works on a
      // kiosk whose key is wrapped by safeStorage too.
      const device = await readDeviceIdentity(args['data-dir']);
      const check = device ? deviceAuditCheck(await getSodium(), device.publicKey) : undefined;
      const local = openLocalStaff(args['data-dir']);
      try {
        const v = local.audit.verify(args.anchor, check);
        if (args.json) console.log(JSON.stringify(v));
        else if (v.ok) {
          console.log(`Audit chain intact: ${v.rows} rows, head ${v.head}`);
          if (!device) console.log('No device key here: signatures were not checked.');
          else if (v.signedThrough === 0) console.log(`WARNING: no row carries a signature of device key ${device.keyId}; only the hash chain was checked.`);
          else {
            console.log(`Signed by device key ${device.keyId} through row ${v.signedThrough}.`);
            if (v.unsignedTail) console.log(`The newest ${v.unsignedTail} row(s) were written by kioskctl and are not signed yet; the kiosk's next row signs them.`);
          }
          console.log(`Anchor for a later check (write it down outside the kiosk): ${v.rows}:${v.head}`);
        } else console.log(`Audit chain BROKEN at row ${v.firstBadSeq} (${v.problem}); rows before it are intact`);
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
      const local = openLocalStaff(args['data-dir']);
      try {
        for (const r of local.audit.recent(args.limit).reverse()) console.log(`${String(r.seq).padStart(6)} ${r.at} ${r.actor.padEnd(16)} ${r.action.padEnd(26)} ${r.detail}`);
        return 0;
      } finally {
        local.close();
      }
    }
    console.error('Usage: kioskctl audit verify [--anchor SEQ:HASH] [--data-dir DIR] [--json] | kioskctl audit tail [--limit N] [--data-dir DIR]');
    return 2;
  },
};
