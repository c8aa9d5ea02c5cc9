import type { KioskConfig } from './platform/config/schema.js';
import { contract, type KioskContract, type KioskEvents } from './contract.js';
import type { Handlers } from '../shared/api/define.js';
import { createRouter, type Router } from '../shared/api/router.js';
import { createEventHub, type EventHub } from '../shared/api/bridge.js';

import { createPhotoCheckin } from './patient/checkin/wire.js';
import { plainFileProtector } from './delivery/keys/index.js';
import { createKeysPart, KioskNotReadyError } from './delivery/keys/current-keys.js';
import { keysHandlers } from './delivery/keys/handlers.js';
import { UserFacingError } from '../shared/api/define.js';
import { Outbox, outboxProvisioningFacts } from './delivery/sync/outbox.js';
import { createVisitQueue } from './delivery/visits/index.js';
import { openKioskStorage } from './storage.js';
import { createSyncService } from './delivery/sync/index.js';
import { enrolHandlers } from './delivery/sync/handlers.js';
import type { SecretProtector } from './delivery/keys/index.js';
import { detectBackend } from './face/backend.js';
import { createStaffPart } from './staff/services.js';
import { auditPrivilegedCalls, auditRefusals } from './platform/audit/privileged.js';
import { rememberStaffSessions } from './staff/accounts/session-tracker.js';
import { createDeclineService } from './patient/decline/service.js';
import { egovVerdicts } from './patient/decline/verdicts.js';
import { shippedDir } from './platform/resources.js';
import { fromB64, getSodium } from './platform/crypto/index.js';
import { deviceAuditSigner, fileAuditMark, trustedAuditKeys } from './platform/audit/device-signature.js';
import { createCameraGate } from './patient/camera/handlers.js';
import { helpHandlers } from './patient/help/handlers.js';
import { systemHandlers } from './system/handlers.js';
import { voiceHandlers } from './patient/voice/handlers.js';
import { createVoiceLibrary } from './patient/voice/library.js';

export interface CoreOptions {
  /** Where the database and keys live. */
  dataDir: string;
  config: KioskConfig;
  /** Wraps the device key at rest (Electron: safeStorage); default: a 0600 file and a warning. */
  secretProtector?: SecretProtector;
  version?: string;
  /** Folder with the face weights (default: <cwd>/models). */
  modelsDir?: string;
  /**
   * Self-provision an unprovisioned kiosk with the DEVELOPMENT upstream key (its secret is in git).
   * Only `npm start` from the source tree, the browser host's --dev-keys / KELU_DEV_KEYS=1 and
   * tests set it; a packaged app never. Without it an unprovisioned kiosk sends patients to
   * reception until IT provisions it.
   */
  developmentKeys?: boolean;
  /**
   * Accept the browser host's patient simulator as the camera (its label says "virtual", refused
   * otherwise). Only the browser host sets it, for a simulated camera with development keys, and tests.
   */
  simulatorCamera?: boolean;
  /** Where the IT screen looks for upstream key files (default: where USB sticks are mounted). */
  keyFileRoots?: readonly string[];
}

export interface Core {
  router: Router;
  config: KioskConfig;
  /** Events for the screen (e.g. sync progress); each shell forwards them to its window. */
  events: EventHub<KioskEvents>;
  close(): Promise<void>;
}

/**
 * Builds the kiosk's core: every service and the router over them. Electron's main process, the
 * browser host, kioskctl and tests all start here, so they run the same code.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  const { config } = options;
  // Visit store: the outbox database and the device/upstream keys (store/visits parts).
  const db = openKioskStorage(options.dataDir);
  const protector = options.secretProtector ?? plainFileProtector();
  const outbox = new Outbox(db);
  const keysPart = await createKeysPart({
    dataDir: options.dataDir,
    protector,
    clinicId: config.clinicId,
    developmentKeys: options.developmentKeys === true,
    ...(options.keyFileRoots ? { keyFileRoots: options.keyFileRoots } : {}),
    strandedVisits: (keyId) => ((c) => c.pending + c.dead)(outbox.counts(keyId)),
    provisioningFacts: () => outboxProvisioningFacts(db),
    onChanged: (state) => {
      if (state.ready && config.sync.background) sync.engine.start();
      events.emit('keys.changed', { ready: state.ready });
    },
  });
  // Until the kiosk is provisioned nothing is sealed (patients see "please go to reception");
  // sync has nothing to send and says why to IT.
  const keys = () => keysPart.keys();
  const syncKeys = () => {
    const state = keysPart.state();
    if (!state.ready) throw new UserFacingError(`Not provisioned: ${state.message}`, 'failed');
    return state.keys;
  };
  const visits = createVisitQueue(db, keys, {
    onQueued: () => sync.engine.notify(),
    onStoreError: (e) => sync.noteStorageError(e),
  });
  // Sync part: outbox → upstream in the background and on demand; progress goes to the screens.
  const sync = createSyncService({
    db,
    keys: syncKeys,
    config,
    faceBackend: () => detectBackend(config.face.backend).backend,
    onProgress: (p) => events.emit('sync.progress', p),
  });
  // Photo check-in (checkin part): the face engine starts with the first patient.
  const checkin = createPhotoCheckin({
    config,
    modelsDir: options.modelsDir ?? shippedDir('models'),
    queueVisit: (fields) => visits.queueVisit(fields),
  });
  // Staff accounts, sessions, audit chain, reception hand-offs and reports (staff part).
  const sodium = await getSodium();
  // Audit rows are signed with the device key once there is one (an unprovisioned kiosk has none).
  const deviceSecret = () =>
    ((s) => (s.ready ? { secretKey: s.keys.device.secretKey, keyId: s.keys.device.keyId } : null))(keysPart.state());
  // The IT screen's verify trusts the kiosk's own key and the device keys it was provisioned with
  // before (provisioning.json), never a key a row names for itself.
  const auditTrust = () => {
    const s = keysPart.state();
    const prov = s.ready ? s.keys.provisioning : s.provisioning;
    const own = s.ready ? [s.keys.device.publicKey] : s.device ? [s.device.publicKey] : [];
    const earlier = [prov, ...(prov?.previous ?? [])].flatMap((p) =>
      p?.devicePublicKey ? [fromB64(p.devicePublicKey)] : [],
    );
    return trustedAuditKeys(sodium, [...own, ...earlier]);
  };
  const staff = await createStaffPart({
    db,
    // Audit rows are signed with the device key (issue 11 item 20; docs/staff.md).
    auditKey: {
      signer: deviceAuditSigner(sodium, deviceSecret),
      trust: auditTrust,
      mark: fileAuditMark(options.dataDir),
    },
    dataDir: options.dataDir,
    secretProtector: protector,
    config,
    queueVisit: (v) => visits.queueVisit({ method: 'staff-verified', iin: v.iin, staff: v.staff }),
    onHandoffsChanged: () => events.emit('handoffs.changed', {}),
  });
  // Declining the photo (decline part): eGov code or QR sealed as a visit, or the hand-off list.
  const decline = createDeclineService(config.decline.maxCodeAttempts, {
    identified: (session) => checkin.identified(session),
    endCheckin: (session) => checkin.end(session),
    queueVisit: (envelope) => visits.queueVisit(envelope),
    createHandoff: (entry) => staff.handoffs.createHandoff(entry),
    verdicts: (sinceIso) => egovVerdicts(db, sinceIso),
    onlineVerdict: (visitId) =>
      sync.engine
        .deliverNow(visitId, config.decline.verifyOnlineMs)
        .then((o) => (o.outcome === 'delivered' ? o.verdict : null)),
  });
  // Camera pinning (camera part): frames only from a camera core allowed; refusals audited.
  const camera = createCameraGate({
    pinning: { ...config.camera, allowSimulator: options.simulatorCamera === true },
    checkin: checkin.handlers,
    isCurrent: (session) => checkin.identified(session) !== undefined,
    audit: (entry) => staff.audit.append({ actor: 'kiosk', ...entry }),
  });
  keysPart.auditStartup(staff.audit);
  const actorOf = (ctx: { session?: string }) => staff.actorOf(ctx.session);
  const handlers: Handlers<KioskContract> = {
    ...systemHandlers({ ready: () => keysPart.ready(), version: options.version ?? '0.1.0', config }),
    ...camera.checkin,
    ...camera.handlers,
    // No check-in starts (no camera, no codes) on a kiosk that cannot seal the visit.
    'checkin.identify': (input, ctx) => {
      if (!keysPart.ready()) throw new KioskNotReadyError();
      return camera.checkin['checkin.identify'](input, ctx);
    },
    ...keysHandlers(keysPart, staff.audit, actorOf),
    ...sync.handlers,
    // IT enrols the kiosk at its hub with a one-time token: what `kioskctl provision --enrolment-token` does.
    ...enrolHandlers({
      identity: () => {
        const s = keysPart.status();
        return s.deviceId && s.devicePublicKey && s.clinicId && s.upstreamUrl
          ? { deviceId: s.deviceId, publicKeyB64: s.devicePublicKey, clinicId: s.clinicId, upstreamUrl: s.upstreamUrl }
          : null;
      },
      audit: staff.audit,
      actorOf,
    }),
    ...staff.handlers,
    ...decline.handlers,
    ...voiceHandlers(createVoiceLibrary({ dataDir: options.dataDir })),
    ...helpHandlers({
      identified: (session) => checkin.identified(session),
      createHandoff: (entry) => staff.handoffs.createHandoff(entry),
      get: (id) => staff.handoffs.get(id),
    }),
  };
  // Every call to a method with roles is audited (actor = the staff member) and role-checked.
  // The screen's staff session stays in core (rememberStaffSessions), never in the page.
  const router = rememberStaffSessions(
    auditRefusals(
      createRouter(contract, auditPrivilegedCalls(contract, handlers, staff.audit, actorOf), staff.sessions),
      staff.audit,
      actorOf,
    ),
  );
  const events = createEventHub<KioskEvents>();
  if (config.sync.background && keysPart.ready()) sync.engine.start();
  return {
    router,
    config,
    events,
    close: async () => {
      await sync.engine.stop();
      checkin.close();
      staff.close();
      db.close();
    },
  };
}
