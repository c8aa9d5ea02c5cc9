import { z } from 'zod';

/**
 * The kiosk's configuration: one zod schema, with every default embedded, so `npm start` runs with
 * no file at all and a clinic's JSON file (`--config`) only names what it changes.
 * Each section belongs to one part of core; keep sections small and documented in the README.
 */
export const configSchema = z
  .object({
    clinicId: z.string().min(1).max(64).default('dev-clinic'),
    /** Languages offered, first is the default. */
    languages: z.array(z.enum(['kk', 'ru', 'en'])).min(1).default(['kk', 'ru', 'en']),
    face: z
      .object({
        /**
         * Only the default of `kioskctl eval-faces --threshold`: the kiosk itself and the reference
         * upstream take the threshold from the model package's manifest (status().threshold), the one
         * source. Kept equal to the built-in manifest's 0.44 (a test checks it) until eval-faces reads
         * the engine's threshold; then this key goes (docs/face-engine.md).
         */
        threshold: z.number().min(0.01).max(1.5).default(0.44),
        /** 'auto': tfjs-node where it loads, else wasm. */
        backend: z.enum(['auto', 'wasm', 'tensorflow']).default('auto'),
        /**
         * Another recognition model package (docs/face-engine.md, "Model packages"): its folder, and
         * the SHA-256 of its manifest.json unless this build pins it. Absent: the built-in model.
         */
        model: z
          .object({
            path: z.string().min(1),
            manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, 'face.model.manifestSha256 is the 64-hex-digit SHA-256 of the package manifest').optional(),
          })
          .strict()
          .optional(),
        requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .prefault({}),
    presence: z
      .object({
        challenge: z.enum(['head-turn', 'off']).default('head-turn'),
        /** Face box width / frame width (docs/presence.md). */
        minFaceWidthRatio: z.number().min(0.05).max(1).default(0.22),
        maxFaceWidthRatio: z.number().min(0.1).max(1).default(0.75),
        maxCentreOffset: z.number().min(0.05).max(1).default(0.25),
        /** Variance of the Laplacian over the face; fixture faces ≥ 53, the same blurred by σ = 2 px ≤ 24 (docs/presence.md). */
        minSharpness: z.number().min(0).default(30),
        minBrightness: z.number().min(0).max(255).default(50),
        maxBrightness: z.number().min(0).max(255).default(215),
        maxFrontalYawDeg: z.number().min(1).max(60).default(15),
        maxFrontalPitchDeg: z.number().min(1).max(60).default(20),
        /** A good face must hold still this long (and at least 3 frames) before it is accepted. */
        holdMs: z.number().int().min(0).max(10_000).default(600),
        /** Mean landmark motion between frames, in face widths, above which the patient is "moving". */
        maxHoldMotion: z.number().min(0.001).max(1).default(0.03),
        challengeYawDeg: z.number().min(5).max(60).default(18),
        challengeTimeoutMs: z.number().int().min(1000).max(60_000).default(12_000),
        /** Face pixels of the turn that one homography explains better than this (1 − NCC) are a flat photo. */
        minPlanarResidual: z.number().min(0).max(1).default(0.03),
      })
      .prefault({}),
    ui: z
      .object({
        inactivityMs: z.number().int().min(5_000).max(600_000).default(60_000),
        warningMs: z.number().int().min(3_000).max(120_000).default(20_000),
        maxFaceAttempts: z.number().int().min(1).max(10).default(3),
        ticketMs: z.number().int().min(3_000).max(120_000).default(15_000),
      })
      .prefault({}),
    decline: z
      .object({
        maxCodeAttempts: z.number().int().min(1).max(10).default(3),
        /** With an upstream and a closed circuit, wait up to this long for its verdict on a code before the ticket (an `egov-invalid` counts as a wrong attempt); 0: never wait. */
        verifyOnlineMs: z.number().int().min(0).max(15_000).default(4_000),
      })
      .prefault({}),
    sync: z
      .object({
        /** Empty: offline; visits queue locally. */
        upstreamUrl: z.string().default(''),
        batchSize: z.number().int().min(1).max(1000).default(100),
        intervalMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
        requestTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
        maxBackoffMs: z.number().int().min(100).max(3_600_000).default(300_000),
        /** First retry waits up to this (full jitter), doubling per failure up to maxBackoffMs. */
        baseBackoffMs: z.number().int().min(10).max(60_000).default(1_000),
        /** Consecutive failed requests after which the circuit opens. */
        circuitThreshold: z.number().int().min(1).max(100).default(5),
        /** Sync in the background while the kiosk runs (off: only on demand). */
        background: z.boolean().default(true),
      })
      .prefault({}),
    staff: z
      .object({
        idleLogoutMs: z.number().int().min(10_000).max(3_600_000).default(120_000),
        maxFailures: z.number().int().min(1).max(20).default(5),
        lockoutMs: z.number().int().min(10_000).max(86_400_000).default(900_000),
      })
      .prefault({}),
    receipts: z.object({ retentionDays: z.number().int().min(1).max(3650).default(30) }).prefault({}),
  })
  .strict();

export type KioskConfig = z.infer<typeof configSchema>;
export type KioskConfigInput = z.input<typeof configSchema>;

/** The embedded default: offline, development clinic, challenge on. */
export const defaultConfig: KioskConfig = configSchema.parse({});

/** Parses a clinic's configuration, answering bad input with one readable message. */
export function parseConfig(input: unknown, source = 'configuration'): KioskConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source} is not valid: ${issues}`);
  }
  return result.data;
}
