// The patient simulator as the browser host's camera (`--camera simulate:FILE[,FILE…]`).
//
// Where it stands: only where the camera stands. An init script gives the page a
// `navigator.mediaDevices.getUserMedia` whose video track comes from a canvas (captureStream), so
// the camera screen's own capture and frame loop (renderer/src/screens/camera) run unchanged: they
// open "the camera", report its label to core's camera policy, grab frames from the <video> and send
// them over the frame socket as with any webcam. The track's label says what it is
// (`simulatorCameraLabel`, "virtual"): core refuses it like any virtual camera unless the kiosk was
// started with the development switch that accepts it (createCore's `simulatorCamera`).
//
// How it answers the kiosk: like a person, it only looks at the screen. About 30 times a second the
// page script reads the camera screen's live region (role "status": the one instruction shown) and
// asks the host for the next picture; the host maps the words (kk/ru/en) back to the instruction, the
// seeded patient (patient.ts) reacts, and the player (player.ts) answers which recording frame to
// draw where. No product code knows the simulator exists.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Route } from 'playwright-core';
import { simulatorCameraLabel } from '../../shared/vocabulary/simulator-camera.js';
import { createFaceEngine, type FaceEngineClient } from '../../core/face/engine.js';
import { indexRecording, type IndexedRecording } from './pose-index.js';
import { createPatient, patientProfiles, type Instruction, type Patient, type PatientProfile } from './patient.js';
import { cameraHeight, cameraWidth, createRecordingPlayer, type DrawCommand, type RecordingPlayer } from './player.js';

export { simulatorCameraLabel };
export const simulatorDeviceId = 'kelu-patient-simulator';
export const simulatePrefix = 'simulate:';
const bindingName = '__keluPatientSimulator';
const framePath = '/__kelu-simulator/';

export interface SimulatorOptions {
  /** Recordings of people turning their heads; each new patient takes the next one, in turn. */
  files: string[];
  profile?: PatientProfile;
  /** The first patient's seed; each next patient takes the next seed. */
  seed?: number;
  /** Where indexes and frames are cached (default: the user's cache folder, outside the project). */
  cacheDir?: string;
  /** Folder with the face weights (to index a new recording). */
  modelsDir?: string;
  log?: (line: string) => void;
}

/** `simulate:a.mp4,b.mp4` → the files; undefined when the camera option is something else. */
export function parseSimulateCamera(camera: string | undefined): string[] | undefined {
  if (!camera?.startsWith(simulatePrefix)) return undefined;
  const files = camera
    .slice(simulatePrefix.length)
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  if (files.length === 0)
    throw new Error('--camera simulate: needs at least one recording, e.g. simulate:turn.mp4,other.mp4');
  return files;
}

/** One simulated patient's story, as the host saw it (for the bench and tests). */
export interface SimulatedPatient {
  number: number;
  recording: string;
  profile: PatientProfile;
  seed: number;
  /** Every change of the instruction on the camera screen, with the host's clock (ms). */
  instructions: Array<{
    atMs: number;
    key: Instruction | 'starting' | 'finishing' | 'failedTry' | 'other';
    text: string;
  }>;
  /** When the camera screen was first and last seen. */
  cameraShownAtMs: number;
  cameraGoneAtMs?: number;
  /** Each time the head came back within 15° of frontal after a turn past 18° (the host's clock). */
  backAtMs: number[];
}

export interface PatientSimulator {
  readonly recordings: IndexedRecording[];
  /** Patients so far, the current one last. */
  readonly patients: SimulatedPatient[];
  install(context: BrowserContext, origin: string): Promise<void>;
}

/** Indexes every recording (cached) and answers the simulator to install into the browser. */
export async function createPatientSimulator(options: SimulatorOptions): Promise<PatientSimulator> {
  const profile = options.profile ?? 'cooperative';
  if (!patientProfiles.includes(profile))
    throw new Error(`Unknown simulator profile "${String(profile)}"; one of ${patientProfiles.join(', ')}`);
  let engine: FaceEngineClient | undefined;
  const recordings: IndexedRecording[] = [];
  try {
    for (const file of options.files) {
      recordings.push(
        await indexRecording(file, {
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
          engine: async () =>
            (engine ??= await createFaceEngine({
              modelsDir: options.modelsDir ?? join(process.cwd(), 'models'),
              requestTimeoutMs: 60_000,
              log: () => {},
            })),
          ...(options.log ? { log: options.log } : {}),
        }),
      );
    }
  } finally {
    await engine?.close();
  }
  const players: RecordingPlayer[] = recordings.map((r, i) => createRecordingPlayer(r, i));
  const words = instructionWords();
  const patients: SimulatedPatient[] = [];
  const firstSeed = options.seed ?? 1;

  let current:
    | {
        story: SimulatedPatient;
        patient: Patient;
        player: RecordingPlayer;
        mirror: boolean;
        previous: { n: number; mirror: boolean } | null;
        turnedPast: boolean;
        lastKey: string | null;
      }
    | undefined;
  const clock = () => performance.now();

  const tick = (text: string | null, onCamera: boolean, live: boolean): DrawCommand | null => {
    const now = clock();
    if (!onCamera) {
      if (current && current.story.cameraGoneAtMs === undefined) current.story.cameraGoneAtMs = now;
      return null;
    }
    if (!current || current.story.cameraGoneAtMs !== undefined) {
      const number = patients.length;
      const recording = number % recordings.length;
      const seed = firstSeed + number;
      const story: SimulatedPatient = {
        number,
        recording: recordings[recording]!.file,
        profile,
        seed,
        instructions: [],
        cameraShownAtMs: now,
        backAtMs: [],
      };
      patients.push(story);
      current = {
        story,
        patient: createPatient(profile, seed),
        player: players[recording]!,
        mirror: false,
        previous: null,
        turnedPast: false,
        lastKey: null,
      };
    }
    const c = current;
    const normal = text === null ? null : normalise(text);
    const understood = normal === null ? null : (words.get(normal) ?? matchFailedTry(normal));
    const key = understood ?? (normal ? 'other' : null);
    if (key !== c.lastKey && key !== null && text !== null) c.story.instructions.push({ atMs: now, key, text });
    c.lastKey = key;
    const instruction: Instruction | null =
      key === 'finishing' ? 'passed' : key === 'starting' || key === 'failedTry' || key === 'other' ? null : key;
    // A turn asked towards a side the recording does not reach: show that side from mirrored frames.
    if (instruction === 'turnLeft' || instruction === 'turnRight')
      c.mirror = c.player.mirrorFor(instruction === 'turnLeft' ? 1 : -1, c.patient.traits.turnToDeg);
    c.patient.see(instruction, now);
    const pose = c.patient.poseAt(now);
    if (Math.abs(pose.yawDeg) > 18) c.turnedPast = true;
    else if (c.turnedPast && Math.abs(pose.yawDeg) <= 15) {
      c.turnedPast = false;
      c.story.backAtMs.push(now);
    }
    if (!live) return null;
    const cmd = c.player.frame(pose, c.previous, c.mirror);
    c.previous = { n: cmd.n, mirror: cmd.mirror };
    return cmd;
  };

  return {
    recordings,
    patients,
    async install(context, origin) {
      const frameRoute = async (route: Route): Promise<void> => {
        const m = /^\/__kelu-simulator\/(\d+)\/(\d+)\.jpg$/.exec(new URL(route.request().url()).pathname);
        const rec = m ? recordings[Number(m[1])] : undefined;
        const file = rec && m ? join(rec.dir, `${String(Number(m[2]) + 1).padStart(5, '0')}.jpg`) : undefined;
        if (!file || !existsSync(file)) return route.fulfill({ status: 404, body: 'Not found' });
        return route.fulfill({
          status: 200,
          headers: { 'content-type': 'image/jpeg', 'cache-control': 'max-age=3600' },
          body: readFileSync(file),
        });
      };
      await context.route(`${origin}${framePath}**`, frameRoute);
      await context.exposeBinding(bindingName, (_source, input: unknown) => {
        const i = (input ?? {}) as { text?: unknown; onCamera?: unknown; live?: unknown };
        return tick(typeof i.text === 'string' ? i.text : null, i.onCamera === true, i.live === true);
      });
      await context.addInitScript({ content: pageScript() });
    },
  };
}

/** The instruction words of every language, normalised, → the instruction (and the camera screen's own states). */
function instructionWords(): Map<string, SimulatedPatient['instructions'][number]['key']> {
  const map = new Map<string, SimulatedPatient['instructions'][number]['key']>();
  const localesDir = join(projectRootDir(), 'renderer', 'src', 'i18n', 'locales');
  for (const lang of ['kk', 'ru', 'en']) {
    const presence = JSON.parse(readFileSync(join(localesDir, lang, 'presence.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const [k, v] of Object.entries(presence)) map.set(normalise(v), k as Instruction);
    const checkin = JSON.parse(readFileSync(join(localesDir, lang, 'checkin.json'), 'utf8')) as {
      camera?: Record<string, string>;
    };
    const cam = checkin.camera ?? {};
    if (cam.starting) map.set(normalise(cam.starting), 'starting');
    if (cam.finishing) map.set(normalise(cam.finishing), 'finishing');
    if (cam.lookAtCamera) map.set(normalise(cam.lookAtCamera), 'lookAtCamera');
  }
  return map;
}

/** "That did not work…" in any language (its count varies): a failed try. */
function matchFailedTry(text: string): 'failedTry' | null {
  return /^(that did not work|не получилось|болмады)/.test(text) ? 'failedTry' : null;
}

const normalise = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

function projectRootDir(): string {
  // electron/browser-host/simulator → the project (the source tree: the simulator is a development tool).
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** The page side: a canvas camera, and a tick that reads the screen's instruction and draws the host's answer. */
function pageScript(): string {
  const config = {
    binding: bindingName,
    framePath,
    label: simulatorCameraLabel,
    deviceId: simulatorDeviceId,
    width: cameraWidth,
    height: cameraHeight,
  };
  return `(() => {
  const C = ${JSON.stringify(config)};
  if (!navigator.mediaDevices || window.top !== window) return;
  let canvas = null, ctx = null, started = false;
  const live = new Set();
  const bitmaps = new Map();
  const load = (url) => {
    let p = bitmaps.get(url);
    if (!p) {
      p = fetch(url).then((r) => r.blob()).then((b) => createImageBitmap(b));
      bitmaps.set(url, p);
      if (bitmaps.size > 90) { const [k, old] = bitmaps.entries().next().value; bitmaps.delete(k); old.then((b) => b.close(), () => {}); }
    }
    return p;
  };
  let flip = null;
  // The recording where the person stands; around it, its own edge rows and columns stretched
  // outward (a camera sees more of the same room and clothes), never a plain border: a picture
  // with a border is what a photo or a screen held up to the camera looks like.
  const drawPadded = (src, dx, dy, dw, dh) => {
    const W = src.width, H = src.height, CW = C.width, CH = C.height;
    const x0 = Math.max(0, dx), y0 = Math.max(0, dy), x1 = Math.min(CW, dx + dw), y1 = Math.min(CH, dy + dh);
    ctx.drawImage(src, dx, dy, dw, dh);
    if (dy > 0) ctx.drawImage(src, 0, 0, W, 1, dx, 0, dw, dy);
    if (y1 < CH) ctx.drawImage(src, 0, H - 1, W, 1, dx, y1, dw, CH - y1);
    if (dx > 0) ctx.drawImage(src, 0, 0, 1, H, 0, dy, dx, dh);
    if (x1 < CW) ctx.drawImage(src, W - 1, 0, 1, H, x1, dy, CW - x1, dh);
    if (dx > 0 && dy > 0) ctx.drawImage(src, 0, 0, 1, 1, 0, 0, dx, dy);
    if (x1 < CW && dy > 0) ctx.drawImage(src, W - 1, 0, 1, 1, x1, 0, CW - x1, dy);
    if (dx > 0 && y1 < CH) ctx.drawImage(src, 0, H - 1, 1, 1, 0, y1, dx, CH - y1);
    if (x1 < CW && y1 < CH) ctx.drawImage(src, W - 1, H - 1, 1, 1, x1, y1, CW - x1, CH - y1);
  };
  const screen = () => document.querySelector('section[aria-labelledby="camera-title"]');
  const tick = async () => {
    const s = screen();
    const status = s ? s.querySelector('[role="status"]') : null;
    for (const t of [...live]) if (t.readyState === 'ended') live.delete(t);
    let cmd = null;
    try {
      cmd = await window[C.binding]({ text: status ? status.textContent : null, onCamera: !!s, live: live.size > 0 });
    } catch (e) { cmd = null; }
    if (cmd && ctx) {
      try {
        const img = await load(C.framePath + cmd.recording + '/' + cmd.n + '.jpg');
        let src = img;
        if (cmd.mirror) {
          flip = flip || document.createElement('canvas');
          if (flip.width !== img.width || flip.height !== img.height) { flip.width = img.width; flip.height = img.height; }
          const f = flip.getContext('2d');
          f.setTransform(-1, 0, 0, 1, img.width, 0);
          f.drawImage(img, 0, 0);
          src = flip;
        }
        drawPadded(src, cmd.dx, cmd.dy, cmd.dw, cmd.dh);
      } catch (e) { /* a frame that failed to load: the previous picture stays */ }
    }
    return !!s;
  };
  const loop = async () => {
    for (;;) {
      const t0 = performance.now();
      // 30 ticks a second on the camera screen (the person watches it), 4 elsewhere.
      const idle = !(await tick());
      await new Promise((r) => setTimeout(r, Math.max(0, (idle ? 250 : 1000 / 30) - (performance.now() - t0))));
    }
  };
  const start = () => {
    if (started) return;
    started = true;
    canvas = document.createElement('canvas');
    canvas.width = C.width; canvas.height = C.height;
    ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.fillStyle = '#6e6e6e'; ctx.fillRect(0, 0, C.width, C.height);
    void loop();
  };
  const device = { deviceId: C.deviceId, groupId: C.deviceId, kind: 'videoinput', label: C.label, toJSON() { return { deviceId: C.deviceId, groupId: C.deviceId, kind: 'videoinput', label: C.label }; } };
  navigator.mediaDevices.enumerateDevices = async () => [device];
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) throw new DOMException('The patient simulator is a camera only', 'NotFoundError');
    start();
    const stream = canvas.captureStream(30);
    const track = stream.getVideoTracks()[0];
    const settings = track.getSettings.bind(track);
    Object.defineProperty(track, 'label', { value: C.label });
    Object.defineProperty(track, 'getSettings', { value: () => ({ ...settings(), deviceId: C.deviceId, groupId: C.deviceId, width: C.width, height: C.height }) });
    live.add(track);
    return stream;
  };
  // Start the screen-watching loop once the page is up, so the first patient is seen from the camera screen's first moment.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();`;
}
