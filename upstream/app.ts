import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { getSodium } from '../electron/core/platform/crypto/index.js';
import { readUpstreamKeyPair } from '../electron/core/delivery/keys/index.js';
import { openBundle } from '../electron/core/delivery/sync/bundle.js';
import type { FaceEngine } from '../electron/core/face/types.js';
import { openUpstreamDb } from './db.js';
import { enrolFromCsv, type EnrolResult } from './enroll.js';
import { parseFaults } from './faults.js';
import { Receiver, templateThresholdMissing } from './receiver.js';
import { startServer, type RunningUpstream } from './server.js';
import { modelInfo, openModelPackage, type ModelInfo } from '../electron/core/face/model-package.js';

export interface UpstreamOptions {
  port: number;
  dataDir: string;
  keyFile: string;
  enrollCsv?: string;
  faults?: string;
  faultSeed?: number;
  adminToken?: string;
  slowMs?: number;
  /** Overrides the models' own thresholds (each model's manifest gives the one the kiosk uses too). */
  faceThreshold?: number;
  /** The threshold for template references (the mean of several photos); required when there are any. */
  templateThreshold?: number;
  /** The recognition model package the references are described with (default: the kiosk's built-in model). */
  modelPackage?: { dir: string; manifestSha256?: string };
  log?: (line: string) => void;
}

export interface Upstream extends RunningUpstream {
  db: Database;
  receiver: Receiver;
  enrolled?: EnrolResult;
}

const projectRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const builtInModels = join(projectRoot, 'models');

/**
 * The face models this upstream has: the built-in package (what kiosks ship) and the package it
 * was told to describe references with. Metric and threshold come from each manifest, the one
 * source the kiosk reads too.
 */
export function upstreamModels(modelPackage?: UpstreamOptions['modelPackage']): ModelInfo[] {
  const models = [modelInfo(openModelPackage(builtInModels))];
  if (modelPackage)
    models.push(
      modelInfo(
        openModelPackage(
          modelPackage.dir,
          modelPackage.manifestSha256 ? { manifestSha256: modelPackage.manifestSha256 } : {},
        ),
      ),
    );
  return models;
}

/** Opens the upstream's database and key, enrols references if asked, and starts listening. */
export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const key = await readUpstreamKeyPair(options.keyFile);
  const db = openUpstreamDb(options.dataDir);
  const receiver = await Receiver.create(db, key, {
    models: upstreamModels(options.modelPackage),
    ...(options.faceThreshold ? { faceThreshold: options.faceThreshold } : {}),
    ...(options.templateThreshold ? { templateThreshold: options.templateThreshold } : {}),
  });
  let enrolled: EnrolResult | undefined;
  if (options.enrollCsv) {
    let engine: (FaceEngine & { close(): Promise<void> }) | undefined;
    try {
      enrolled = await enrolFromCsv(db, options.enrollCsv, async () => {
        // The kiosk's own engine, loaded only when a row has an image.
        const { createFaceEngine } = await import('../electron/core/face/engine.js');
        engine ??= await createFaceEngine({
          modelsDir: builtInModels,
          requestTimeoutMs: 60_000,
          log: () => {},
          ...(options.modelPackage ? { modelPackage: options.modelPackage } : {}),
        });
        return engine;
      });
    } finally {
      await engine?.close();
    }
    options.log?.(
      `enrolled ${enrolled.faces} face reference(s) from ${enrolled.photos} photo(s) and ${enrolled.codes} eGov code(s)`,
    );
  }
  const templates = (db.prepare('SELECT count(*) AS n FROM face_references WHERE photos > 1').get() as { n: number }).n;
  if (templates > 0 && options.templateThreshold === undefined) {
    db.close();
    throw new Error(templateThresholdMissing(templates));
  }
  const running = await startServer(db, receiver, {
    port: options.port,
    faults: parseFaults(options.faults, options.faultSeed),
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    ...(options.slowMs ? { slowMs: options.slowMs } : {}),
  });
  return {
    ...running,
    db,
    receiver,
    ...(enrolled ? { enrolled } : {}),
    async close() {
      await running.close();
      db.close();
    },
  };
}

export interface ImportResult {
  items: number;
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** `upstream import FILE`: checks the whole bundle's signature first; a tampered bundle imports nothing. */
export async function importBundle(dataDir: string, keyFile: string, file: string): Promise<ImportResult> {
  const sodium = await getSodium();
  const key = await readUpstreamKeyPair(keyFile);
  const db = openUpstreamDb(dataDir);
  try {
    const receiver = await Receiver.create(db, key, { models: upstreamModels() });
    const check = openBundle(sodium, readFileSync(file, 'utf8'), (id) => receiver.devicePublicKey(id));
    if (!check.ok) throw new Error(`The bundle ${file} was refused: ${check.reason}. Nothing was imported.`);
    const results = check.body.items.length
      ? receiver.receive(
          check.body.deviceId,
          check.body.items.map(({ id, createdAt, sealed, sig }) => ({ id, createdAt, sealed, sig })),
          'import',
        )
      : [];
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return {
      items: results.length,
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
    };
  } finally {
    db.close();
  }
}

/** `upstream register`: records a kiosk's public key (what provisioning printed) and the clinic it serves. */
export async function registerDevice(
  dataDir: string,
  keyFile: string,
  deviceId: string,
  publicKeyB64: string,
  clinicId?: string,
): Promise<void> {
  const key = await readUpstreamKeyPair(keyFile);
  const db = openUpstreamDb(dataDir);
  try {
    const receiver = await Receiver.create(db, key, { models: upstreamModels() });
    receiver.registerDevice(deviceId, Buffer.from(publicKeyB64, 'base64'), clinicId);
  } finally {
    db.close();
  }
}
