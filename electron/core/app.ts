import type { KioskConfig } from './config/schema.js';
import { contract, type KioskContract } from './api/contract.js';
import type { Handlers } from './api/define.js';
import { createRouter, type Router } from './api/router.js';
import { createEventHub, type EventHub } from './api/bridge.js';
import { join } from 'node:path';
import { createPhotoCheckin } from './checkin/wire.js';
import { plainFileProtector, loadKioskKeys, type KioskKeys } from './keys/index.js';
import { databaseFileName, openDatabase } from './store/index.js';
import { createVisitQueue, migrateOutbox } from './visits/index.js';
import { createSyncService } from './sync/index.js';
import type { SecretProtector } from './keys/index.js';
import { detectBackend } from './face/backend.js';
import { createStaffPart } from './staff/part.js';
import { auditPrivilegedCalls, auditRefusals } from './audit/privileged.js';
import { rememberStaffSessions } from './staff/session-tracker.js';
import { createDeclineService } from './decline/service.js';
import { egovVerdicts } from './decline/verdicts.js';
import { defaultModelsDir } from './face/paths.js';
import { helpHandlers } from './handoffs/help.js';
import { voiceHandlers } from './voice/contract.js';
import { createVoiceLibrary } from './voice/library.js';

export interface CoreOptions {
  /** Where the database and keys live. */
  dataDir: string;
  config: KioskConfig;
  /** Wraps the device key at rest (Electron: safeStorage); default: a 0600 file and a warning. */
  secretProtector?: SecretProtector;
  version?: string;
  /** Folder with the face weights (default: <cwd>/models). */
  modelsDir?: string;
}

export interface Core {
  router: Router;
  config: KioskConfig;
  /** Events for the screen (e.g. sync progress); each shell forwards them to its window. */
  events: EventHub;
  close(): Promise<void>;
}

/**
 * Builds the kiosk's core: every service and the router over them. Electron's main process, the
 * browser host, kioskctl and tests all start here, so they run the same code.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  const { config } = options;
  // Visit store: the outbox database and the device/upstream keys (store/visits parts).
  const db = openDatabase(join(options.dataDir, databaseFileName));
  migrateOutbox(db);
  const keys: KioskKeys = await loadKioskKeys(options.dataDir, options.secretProtector ?? plainFileProtector(), config.clinicId);
  const visits = createVisitQueue(db, () => keys, { onQueued: () => sync.engine.notify(), onStoreError: (e) => sync.noteStorageError(e) });
  // Sync part: outbox → upstream in the background and on demand; progress goes to the screens.
  const sync = createSyncService({ db, keys: () => keys, config, faceBackend: () => detectBackend(config.face.backend).backend, onProgress: (p) => events.emit('sync.progress', p) });
  // Photo check-in (checkin part): the face engine starts with the first patient.
  const checkin = createPhotoCheckin({ config, modelsDir: options.modelsDir ?? defaultModelsDir(), queueVisit: (fields) => visits.queueVisit(fields) });
  // Staff accounts, sessions, audit chain, reception hand-offs and reports (staff part).
  const staff = await createStaffPart({
    db,
    dataDir: options.dataDir,
    config,
    queueVisit: (v) => visits.queueVisit({ method: 'staff-verified', iin: v.iin, staff: v.staff }),
    onHandoffsChanged: () => events.emit('handoffs.changed', {}),
  });
  // Declining the photo (decline part): eGov code or QR sealed as a visit, or the hand-off list.
  const decline = createDeclineService(config.decline.maxCodeAttempts, {
    identified: (session) => checkin.identified(session),
    endCheckin: () => checkin.reset(),
    queueVisit: (envelope) => visits.queueVisit(envelope),
    createHandoff: (entry) => staff.handoffs.createHandoff(entry),
    verdicts: (sinceIso) => egovVerdicts(db, sinceIso),
    onlineVerdict: (visitId) => sync.engine.deliverNow(visitId, config.decline.verifyOnlineMs).then((o) => (o.outcome === 'delivered' ? o.verdict : null)),
  });
  const handlers: Handlers<KioskContract> = {
    'system.info': () => ({
      version: options.version ?? '0.1.0',
      clinicId: config.clinicId,
      languages: config.languages,
      ui: config.ui,
      presence: { challenge: config.presence.challenge },
      decline: config.decline,
    }),
    ...checkin.handlers,
    ...sync.handlers,
    ...staff.handlers,
    ...decline.handlers,
    ...voiceHandlers(createVoiceLibrary({ dataDir: options.dataDir })),
    ...helpHandlers({ identified: (session) => checkin.identified(session), createHandoff: (entry) => staff.handoffs.createHandoff(entry), get: (id) => staff.handoffs.get(id) }),
  };
  // Every call to a method with roles is audited (actor = the staff member) and role-checked.
  // The screen's staff session stays in core (rememberStaffSessions), never in the page.
  const actorOf = (ctx: { session?: string }) => staff.actorOf(ctx.session);
  const router = rememberStaffSessions(auditRefusals(createRouter(contract, auditPrivilegedCalls(contract, handlers, staff.audit, actorOf), staff.sessions), staff.audit, actorOf));
  const events = createEventHub();
  if (config.sync.background) sync.engine.start();
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
