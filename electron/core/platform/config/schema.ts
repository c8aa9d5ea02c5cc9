import { z } from 'zod';
import { languages, type Language } from '../../../shared/vocabulary/languages.js';
import { screenDefaults, uiDefaults } from '../../../shared/vocabulary/screen-defaults.js';

/** The texture model's default threshold: chosen on the fixture recordings, with its margin, in docs/presence.md ("Texture"). */
export const DEFAULT_MIN_REAL_SCORE = 0.12;

/** A clinic's ticket text: one short paragraph of printable characters (no markup is interpreted). */
const ticketText = z
  .string()
  .trim()
  .min(1)
  .max(240)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'one line of plain text, no control characters');

/**
 * The kiosk's configuration: one zod schema, with every default embedded, so `npm start` runs with
 * no file at all and a clinic's JSON file (`--config`) only names what it changes.
 * Each section belongs to one part of core; keep sections small and documented in the README.
 */
export const configSchema = z
  .object({
    clinicId: z.string().min(1).max(64).default('dev-clinic'),
    /** Languages offered, first is the default. */
    languages: z
      .array(z.enum(languages))
      .min(1)
      .default([...languages]),
    face: z
      .object({
        /** 'auto': tfjs-node where it loads, else wasm. */
        backend: z.enum(['auto', 'wasm', 'tensorflow']).default('auto'),
        /**
         * Another recognition model package (docs/face-engine.md, "Model packages"): its folder, and
         * the SHA-256 of its manifest.json unless this build pins it. Absent: the built-in model.
         */
        model: z
          .object({
            path: z.string().min(1),
            manifestSha256: z
              .string()
              .regex(/^[0-9a-f]{64}$/, 'face.model.manifestSha256 is the 64-hex-digit SHA-256 of the package manifest')
              .optional(),
          })
          .strict()
          .optional(),
        requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .prefault({}),
    presence: z
      .object({
        challenge: z.enum(['head-turn', 'off']).default(screenDefaults.presence.challenge),
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
        /** A patient who has not reached a good, still hold in this time gets a failed attempt (then "Try again", then the decline path). */
        guideTimeoutMs: z.number().int().min(5_000).max(300_000).default(30_000),
        /**
         * Largest descriptor distance between the held frame and the frame back at frontal: at or
         * above it the person who turned is not the person who held still (`face-changed`). Absent:
         * the face model's own same-person threshold (its manifest) × `SESSION_BOUND_RATIO` (1.15:
         * 0.506 for the built-in model; presence/attempt.ts), measured on real recordings in
         * docs/presence.md. In the model's metric, so set it only with the model it was measured on.
         */
        maxSessionDistance: z.number().min(0.01).max(2).optional(),
        /**
         * Passive screen and print detection (docs/presence.md, "Texture"): the texture model's
         * real-face score of the tracked face over the session, from the hold to the pass. `on`: a
         * session passes only when the median score reaches `minRealScore` over at least `minFrames`
         * scored frames; the model package must load, or the photo path stops. `off` only for a
         * kiosk whose clinic accepts replays and prints (the README says what that gives up).
         */
        /**
         * How each judged frame is analysed (docs/presence.md, "Cost"). `tracked`: the detector looks
         * only in the square around the tracked face, and at the whole frame every `fullFrameEvery`-th
         * frame (and whenever that square does not show exactly one face well inside it), so a second
         * face is seen within that many frames; the texture model scores the frames of the hold and
         * the challenge only, every one until the session has `texture.minFrames` scores, then every
         * `textureEvery`-th. `whole`: every frame whole and scored, on tfjs's stock wasm kernels (the
         * earlier path, for measuring).
         */
        analysis: z
          .object({
            mode: z.enum(['tracked', 'whole']).default('tracked'),
            fullFrameEvery: z.number().int().min(1).max(10).default(3),
            textureEvery: z.number().int().min(1).max(4).default(2),
          })
          .strict()
          .prefault({}),
        texture: z
          .object({
            mode: z.enum(['on', 'off']).default('on'),
            /** Median real-face score (0–1) at or above which the session's texture is a live face; calibrate with `kioskctl eval-presence --suggest-texture`. */
            minRealScore: z.number().min(0).max(1).default(DEFAULT_MIN_REAL_SCORE),
            minFrames: z.number().int().min(1).max(100).default(5),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        inactivityMs: z.number().int().min(5_000).max(600_000).default(uiDefaults.inactivityMs),
        warningMs: z.number().int().min(3_000).max(120_000).default(uiDefaults.warningMs),
        maxFaceAttempts: z.number().int().min(1).max(10).default(uiDefaults.maxFaceAttempts),
        /**
         * After a failed face try, the next starts by itself after this long (the reason is shown and
         * spoken first; "Try again" starts it sooner); 0: only the button starts it.
         */
        retryAfterMs: z.number().int().min(0).max(60_000).default(uiDefaults.retryAfterMs),
        ticketMs: z.number().int().min(3_000).max(120_000).default(uiDefaults.ticketMs),
        /** Spoken guidance (resources/voice, or the clinic's recordings in <data>/voice); the patient can mute it on screen. */
        voice: z.enum(['on', 'off']).default(uiDefaults.voice),
        /** Loudness of the spoken guidance, 0–1 of the system volume. */
        voiceVolume: z.number().min(0).max(1).default(uiDefaults.voiceVolume),
        /**
         * The ticket's "where to go" text per language, the clinic's own words; a language left out
         * shows the neutral default ("You are checked in. Please wait to be called.").
         */
        ticketMessage: z
          .object(
            Object.fromEntries(languages.map((l) => [l, ticketText.optional()])) as Record<
              Language,
              z.ZodOptional<typeof ticketText>
            >,
          )
          .strict()
          .default({}),
      })
      .strict()
      .prefault({}),
    decline: z
      .object({
        maxCodeAttempts: z.number().int().min(1).max(10).default(3),
        /** With an upstream and a closed circuit, wait up to this long for its verdict on a code before the ticket (an `egov-invalid` counts as a wrong attempt); 0: never wait. */
        verifyOnlineMs: z.number().int().min(0).max(15_000).default(4_000),
      })
      .strict()
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
      .strict()
      .prefault({}),
    staff: z
      .object({
        idleLogoutMs: z.number().int().min(10_000).max(3_600_000).default(120_000),
        maxFailures: z.number().int().min(1).max(20).default(5),
        /** The longest login delay after repeated failures, and the quiet time that forgets them (docs/staff.md). */
        lockoutMs: z.number().int().min(10_000).max(86_400_000).default(900_000),
        /** A staff session ends this long after login however active it is (idle logout comes first). */
        maxSessionMs: z.number().int().min(60_000).max(86_400_000).default(28_800_000),
      })
      .strict()
      .prefault({}),
    receipts: z
      .object({ retentionDays: z.number().int().min(1).max(3650).default(30) })
      .strict()
      .prefault({}),
    /** Camera pinning (electron/core/patient/camera/policy.ts; known virtual cameras are always refused). */
    camera: z
      .object({
        /** Camera labels (whole, case-insensitive) or device ids the kiosk may use; empty: any camera not refused. */
        allow: z.array(z.string().trim().min(1).max(256)).max(50).default([]),
        /** Extra label substrings (case-insensitive) to refuse, on top of the built-in virtual-camera list. */
        deny: z.array(z.string().trim().min(2).max(256)).max(50).default([]),
      })
      .strict()
      .prefault({}),
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
    // An unknown key is named by its full path (`sync.upstreamUrll`), so a misspelt setting inside a
    // section is as visible as one at the top level.
    const issues = result.error.issues
      .flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map(
              (k) =>
                `${[...i.path, k].join('.')}: Unrecognized key "${k}" (not a setting${i.path.length ? ` of ${i.path.join('.')}` : ''})`,
            )
          : [`${i.path.join('.') || '(root)'}: ${i.message}`],
      )
      .join('; ');
    throw new Error(`${source} is not valid: ${issues}`);
  }
  return result.data;
}
