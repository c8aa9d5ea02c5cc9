import { join } from 'node:path';
import { z } from 'zod';
import type { Command } from '../registry.js';
import { toB64 } from '../../crypto/index.js';
import {
  checkUpstreamUrl,
  createDeviceKeys,
  plainFileProtector,
  readDeviceIdentity,
  readProvisioning,
  readUpstreamPublicKey,
  writeProvisioning,
} from '../../keys/index.js';
import { databaseFileName, openDatabase } from '../../store/index.js';
import { dataDirOption, dataDirSchema, parseCommandArgs } from '../../sync/cli-args.js';
import { Outbox } from '../../sync/outbox.js';
import { migrateOutbox } from '../../visits/index.js';
import { auditCliAction } from './cli-audit.js';

/**
 * `kioskctl provision --upstream URL --upstream-key FILE --clinic ID`: creates the device key pair
 * (once), pins the upstream's key and prints the device's public key for registration upstream.
 * Re-provisioning to a different upstream key never drops visits sealed to the old one: it refuses
 * while any are queued, unless --keep-old-visits says to keep them queued for export.
 */
export const provisionCommand: Command = {
  name: 'provision',
  summary: 'Pin the upstream (HTTPS except loopback) and its key, create the device key, print it for registration',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      { ...dataDirOption, upstream: { type: 'string' }, 'upstream-key': { type: 'string' }, clinic: { type: 'string' }, 'device-id': { type: 'string' }, 'new-device-key': { type: 'boolean' }, 'keep-old-visits': { type: 'boolean' } },
      z.object({
        'data-dir': dataDirSchema,
        upstream: z.string().min(1, 'the upstream URL'),
        'upstream-key': z.string().min(1, 'the upstream public key file'),
        clinic: z.string().min(1).max(64),
        'device-id': z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, dot, dash, underscore').optional(),
        'new-device-key': z.boolean().default(false),
        'keep-old-visits': z.boolean().default(false),
      }),
    );
    const dataDir = args['data-dir'];
    const url = checkUpstreamUrl(args.upstream);
    const upstreamKey = await readUpstreamPublicKey(args['upstream-key']);
    const before = readProvisioning(dataDir);

    const db = openDatabase(join(dataDir, databaseFileName));
    try {
      migrateOutbox(db);
      if (before && before.upstreamKeyId !== upstreamKey.keyId) {
        const c = new Outbox(db).counts(before.upstreamKeyId);
        const stranded = c.pending + c.dead;
        if (stranded > 0 && !args['keep-old-visits']) {
          console.error(
            `${stranded} visit(s) are sealed to the current upstream key ${before.upstreamKeyId}; the new key cannot carry them.\n` +
              'Deliver them first (kioskctl sync --until-empty), or export them (kioskctl export --out FILE),\n' +
              'or pass --keep-old-visits to keep them queued here for export. Nothing was changed.',
          );
          return 3;
        }
        if (stranded > 0) console.warn(`${stranded} visit(s) sealed to the old key stay queued; move them with kioskctl export.`);
      }
    } finally {
      db.close();
    }

    let device = await readDeviceIdentity(dataDir);
    if (!device || args['new-device-key']) {
      if (device) console.warn('A new device key replaces the old one: keep the old public key registered upstream until the visits it signed are delivered.');
      device = await createDeviceKeys(dataDir, plainFileProtector(), args['device-id'] ?? device?.deviceId);
    }
    writeProvisioning(dataDir, {
      clinicId: args.clinic,
      upstreamUrl: url,
      upstreamPublicKey: toB64(upstreamKey.publicKey),
      upstreamKeyId: upstreamKey.keyId,
      deviceKeyId: device.keyId,
      development: false,
      provisionedAt: new Date().toISOString(),
    });
    const audited = openDatabase(join(dataDir, databaseFileName));
    try {
      auditCliAction(audited, 'sync.provision', {
        clinic: args.clinic,
        // Origin and path only: a URL may carry a user:password or a token in its query.
        upstream: ((u) => u.origin + u.pathname)(new URL(url)),
        upstreamKeyId: upstreamKey.keyId,
        previousUpstreamKeyId: before?.upstreamKeyId ?? null,
        deviceKeyId: device.keyId,
      });
    } finally {
      audited.close();
    }
    console.log(`Provisioned for clinic ${args.clinic}: upstream ${url}, pinned key ${upstreamKey.keyId}.`);
    console.log('Register this device upstream:');
    console.log(`  device id:         ${device.deviceId}`);
    console.log(`  device public key: ${toB64(device.publicKey)}`);
    console.log(`  (reference upstream: npm run upstream -- register --data-dir DIR --key FILE --device ${device.deviceId} --public-key ${toB64(device.publicKey)})`);
    return 0;
  },
};
