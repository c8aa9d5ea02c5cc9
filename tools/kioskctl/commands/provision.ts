import { resolve } from 'node:path';
import { z } from 'zod';
import type { Command } from '../command.js';
import { getSodium, keyFingerprint, toB64 } from '../../../electron/core/platform/crypto/index.js';
import {
  plainFileProtector,
  provisionKiosk,
  ProvisionRefused,
  type ProvisionResult,
} from '../../../electron/core/delivery/keys/index.js';
import { openKioskStorage } from '../../../electron/core/storage.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { Outbox, outboxProvisioningFacts } from '../../../electron/core/delivery/sync/outbox.js';
import { auditCliAction } from './cli-audit.js';
import { enrolWithHub, EnrolFailed } from '../../../electron/core/delivery/sync/enrol.js';

/** Exit code when provisioning is done but the hub did not enrol the device (the message says why). */
export const enrolmentFailedExit = 6;

/**
 * `kioskctl provision --upstream URL --upstream-key FILE --clinic ID`: creates the device key pair
 * (once), pins the upstream's key and prints the device's public key for registration upstream.
 * Re-provisioning to a different upstream key never drops visits sealed to the old one: it refuses
 * while any are queued, unless --keep-old-visits says to keep them queued for export. A kiosk
 * provisioned before whose device key file is gone is refused too, unless --new-device-key.
 * The same logic serves the IT screen (keys/provision-kiosk.ts).
 */
export const provisionCommand: Command = {
  name: 'provision',
  summary: 'Pin the upstream (HTTPS except loopback) and its key, create the device key, print it for registration',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({
        'data-dir': dataDirSchema,
        upstream: z.string().min(1, 'the upstream URL'),
        'upstream-key': z.string().min(1, 'the upstream public key file'),
        clinic: z.string().min(1).max(64),
        'device-id': z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, dot, dash, underscore')
          .optional(),
        'new-device-key': z.boolean().default(false),
        'keep-old-visits': z.boolean().default(false),
        'development-keys': z.boolean().default(false),
        'upstream-fingerprint': z.string().optional(),
        'enrolment-token': z.string().min(8, 'the one-time token IT issued (npm run hub -- token)').max(200).optional(),
      }),
    );
    const dataDir = args['data-dir'];
    const db = openKioskStorage(dataDir, 'write');
    let result: ProvisionResult;
    try {
      const outbox = new Outbox(db);
      result = await provisionKiosk({
        dataDir,
        // kioskctl runs outside Electron: the key is written unwrapped (0600); the app wraps it
        // with safeStorage at its next start and writes an audit row saying so.
        protector: plainFileProtector(),
        upstreamUrl: args.upstream,
        upstreamKeyFile: resolve(args['upstream-key']),
        ...(args['upstream-fingerprint'] ? { expectedFingerprint: args['upstream-fingerprint'] } : {}),
        clinicId: args.clinic,
        deviceId: args['device-id'],
        newDeviceKey: args['new-device-key'],
        keepOldVisits: args['keep-old-visits'],
        strandedVisits: (keyId) => ((c) => c.pending + c.dead)(outbox.counts(keyId)),
        ...outboxProvisioningFacts(db),
        allowDevelopmentUpstreamKey: args['development-keys'],
      });
    } catch (err) {
      if (!(err instanceof ProvisionRefused)) throw err;
      if (
        err.reason === 'bad-url' ||
        err.reason === 'bad-key-file' ||
        err.reason === 'development-key' ||
        err.reason === 'fingerprint-mismatch'
      )
        throw err;
      console.error(
        err.reason === 'stranded-visits'
          ? `${err.message}\n(kioskctl sync --until-empty, kioskctl export --out FILE, or --keep-old-visits.)`
          : `${err.message}\n(kioskctl provision ... --new-device-key makes a new one.)`,
      );
      return 3;
    } finally {
      db.close();
    }
    const device = result.device;
    const url = result.provisioning.upstreamUrl;
    if (result.strandedVisits > 0)
      console.warn(
        `${result.strandedVisits} visit(s) sealed to the old key stay queued; move them with kioskctl export.`,
      );
    if (result.createdDeviceKey && result.previousDeviceKeyId)
      console.warn(
        'A new device key (and device id) replaces the old one: register the new one, and keep the old device registered upstream until the visits it signed are delivered (they are sent under it).',
      );
    if (result.developmentUpstreamKey)
      console.warn(
        'WARNING: this is the DEVELOPMENT upstream key (its secret is public): the kiosk is marked development and serves patients only when started with development keys (never for patients).',
      );
    const audited = openKioskStorage(dataDir, 'write');
    try {
      auditCliAction(audited, 'sync.provision', result.auditDetail);
    } finally {
      audited.close();
    }
    console.log(
      `Provisioned for clinic ${args.clinic}: upstream ${url}, pinned key ${result.provisioning.upstreamKeyId}.`,
    );
    console.log(
      `Upstream key fingerprint: ${keyFingerprint(await getSodium(), result.provisioning.upstreamPublicKeyBytes).replace(/(.{4})(?!$)/g, '$1 ')} (compare it with the one the upstream published${args['upstream-fingerprint'] ? ': confirmed' : ', or pass --upstream-fingerprint'}).`,
    );
    const token = args['enrolment-token'];
    if (token)
      return enrol(dataDir, {
        upstreamUrl: url,
        token,
        deviceId: device.deviceId,
        clinic: args.clinic,
        publicKeyB64: toB64(device.publicKey),
      });
    console.log('Register this device upstream:');
    console.log(`  device id:         ${device.deviceId}`);
    console.log(`  device public key: ${toB64(device.publicKey)}`);
    console.log(
      `  (reference upstream: npm run upstream -- register --data-dir DIR --key FILE --device ${device.deviceId} --public-key ${toB64(device.publicKey)})`,
    );
    return 0;
  },
};

/** Spends IT's one-time enrolment token at the hub (POST /v1/devices:enrol); audited without the token. */
async function enrol(
  dataDir: string,
  e: { upstreamUrl: string; token: string; deviceId: string; clinic: string; publicKeyB64: string },
): Promise<number> {
  let outcome: { ok: true; clinicId: string; keys: number } | { ok: false; why: string };
  try {
    const done = await enrolWithHub(e);
    outcome = { ok: true, clinicId: done.clinicId, keys: done.keys };
  } catch (err) {
    if (!(err instanceof EnrolFailed)) throw err;
    outcome = { ok: false, why: err.message };
  }
  const db = openKioskStorage(dataDir, 'write');
  try {
    auditCliAction(db, 'sync.enrol', { deviceId: e.deviceId, ...outcome });
  } finally {
    db.close();
  }
  if (!outcome.ok) {
    console.error(
      `${outcome.why}.\nThe kiosk is provisioned; enrol it again with a new token, or register device ${e.deviceId} by hand (public key ${e.publicKeyB64}).`,
    );
    return enrolmentFailedExit;
  }
  if (outcome.clinicId !== e.clinic) {
    console.error(
      `The hub enrolled device ${e.deviceId} for clinic ${outcome.clinicId}, but this kiosk was provisioned for clinic ${e.clinic}: the token was issued for another clinic. Ask IT to revoke it at the hub and issue one for ${e.clinic}.`,
    );
    return enrolmentFailedExit;
  }
  console.log(
    `Enrolled at the hub: device ${e.deviceId} of clinic ${outcome.clinicId} (${outcome.keys} key${outcome.keys === 1 ? '' : 's'} registered).`,
  );
  return 0;
}
