import { resolve } from 'node:path';
import { z } from 'zod';
import type { Command } from '../command.js';
import { loadDeviceKeys, plainFileProtector } from '../../../electron/core/delivery/keys/index.js';
import { openKioskStorage } from '../../../electron/core/storage.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { exportBundle } from '../../../electron/core/delivery/sync/index.js';
import { auditCliAction } from './cli-audit.js';

/** `kioskctl export --out FILE`: a signed bundle of the still-sealed visits, for transfer by hand. */
export const exportCommand: Command = {
  name: 'export',
  summary:
    'Write the still-sealed visits to a signed bundle for offline transfer (--out FILE); the upstream imports it',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({ 'data-dir': dataDirSchema, out: z.string().min(1, 'where to write the bundle') }),
    );
    const device = await loadDeviceKeys(args['data-dir'], plainFileProtector());
    if (!device) throw new Error(`No device key in ${args['data-dir']}: nothing was ever queued here.`);
    const db = openKioskStorage(args['data-dir'], 'write');
    try {
      const r = await exportBundle(db, device, args.out);
      // Same action name as the console's export, so one audit query finds both.
      auditCliAction(db, 'sync.export', { bundle: resolve(args.out), items: r.items });
      console.log(
        `exported ${r.items} sealed visit(s) (${r.pending} pending, ${r.dead} dead letters) to ${args.out}; they stay queued here until the upstream acknowledges them`,
      );
      return 0;
    } finally {
      db.close();
    }
  },
};
