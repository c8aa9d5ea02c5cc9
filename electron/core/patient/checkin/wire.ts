import { join } from 'node:path';
import type { KioskConfig } from '../../platform/config/schema.js';
import { createFaceEngine } from '../../face/engine.js';
import { TEXTURE_PACKAGE_DIR } from '../../face/texture-package.js';
import type { FaceEngine } from '../../face/types.js';
import type { CheckinPorts } from './ports.js';
import { createPresenceAttempt } from '../../presence/attempt.js';
import { createCheckinService, type CheckinService } from './session.js';

export interface PhotoCheckinOptions {
  config: KioskConfig;
  /** Folder with the face weights and their manifest. */
  modelsDir: string;
  queueVisit: CheckinPorts['queueVisit'];
  /** For tests: an engine already started. */
  engine?: Pick<FaceEngine, 'analyze' | 'describe' | 'status' | 'close'>;
}

/**
 * The photo check-in with its face engine. The engine (a worker thread with the models) starts on
 * the first identified patient, not with core, so kioskctl never pays for it and the models load
 * while the patient reads the consent screen.
 */
export function createPhotoCheckin(options: PhotoCheckinOptions): CheckinService & { warmUp(): void } {
  let engine: Promise<Pick<FaceEngine, 'analyze' | 'describe' | 'status' | 'close'>> | undefined = options.engine
    ? Promise.resolve(options.engine)
    : undefined;
  const getEngine = () => {
    const model = options.config.face.model;
    engine ??= createFaceEngine({
      modelsDir: options.modelsDir,
      backend: options.config.face.backend,
      requestTimeoutMs: options.config.face.requestTimeoutMs,
      ...(model
        ? {
            modelPackage: {
              dir: model.path,
              ...(model.manifestSha256 ? { manifestSha256: model.manifestSha256 } : {}),
            },
          }
        : {}),
      // `whole` is the analysis path before it was made cheaper (docs/presence.md, "Cost"), kernels included.
      ...(options.config.presence.analysis.mode === 'whole' ? { stockKernels: true } : {}),
      // Screen and print detection: the engine refuses to start without its verified model.
      ...(options.config.presence.texture.mode === 'on'
        ? { texture: { dir: join(options.modelsDir, TEXTURE_PACKAGE_DIR) } }
        : {}),
    });
    // A failed start is retried on the next call rather than remembered forever.
    engine.catch(() => {
      engine = undefined;
    });
    return engine;
  };
  // Engine requests go one at a time across patients too (a reset while a frame is in flight
  // must not overlap the next patient's first frame).
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  const service = createCheckinService(options.config, {
    engine: {
      analyze: (frame, o) => oneAtATime(async () => (await getEngine()).analyze(frame, o)),
      describe: (frame, o) => oneAtATime(async () => (await getEngine()).describe(frame, o)),
      status: () => oneAtATime(async () => (await getEngine()).status()),
    },
    newPresenceAttempt: () =>
      createPresenceAttempt(options.config.presence, {
        describe: (frame, o) => oneAtATime(async () => (await getEngine()).describe(frame, o)),
        model: () => oneAtATime(async () => (await getEngine()).status()),
      }),
    queueVisit: options.queueVisit,
  });
  const identify = service.handlers['checkin.identify'];
  service.handlers['checkin.identify'] = (input, ctx) => {
    const answer = identify(input, ctx);
    void getEngine().catch(() => undefined);
    return answer;
  };
  return {
    ...service,
    warmUp: () => void getEngine().catch(() => undefined),
    close() {
      service.close();
      const e = engine;
      engine = undefined;
      void e?.then((x) => x.close()).catch(() => undefined);
    },
  };
}
