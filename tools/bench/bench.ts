/**
 * npm run bench -- [--json] [--frames N] [--sync] [--fps-seconds N] [--no-judged-fps] [--only-judged-fps] [--quick-fps]
 *   [--no-time-to-ticket] [--only-time-to-ticket] [--ttt-rounds N] [--ttt-before] [--only-stages] [--stage-frames N]
 * Face engine figures (tools/bench/face.ts) against the DESIGN.md baselines and the issue's
 * targets; judged frames per second end to end in the browser host (tools/bench/judged-fps.ts);
 * time to ticket with simulated cooperative patients (tools/bench/time-to-ticket.ts);
 * with --sync, the sync part's figures (tools/bench/sync.ts) are merged in; --only-stages: where the
 * kiosk's Node CPU per judged frame goes, with and without face tracking (tools/bench/stages.ts);
 * --ttt-before: time to ticket first with `presence.analysis.mode: "whole"` (the path before
 * tracking), then as shipped, in the same run; keys of the first end in `_before`.
 * Progress goes to stderr; with --json, stdout holds exactly one JSON object.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseOptions } from '../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../electron/core/face/model-package.js';
import { runBaseline } from './baseline.js';
import { runJudgedFpsBench } from './judged-fps.js';
import { runTimeToTicketBench } from './time-to-ticket.js';
import { runStageProfile } from './stages.js';
import { describeFrames, runFaceBench, runModelDescribeBench, type ModelPackageBench } from './face.js';

/** Plain face-api calls measured on this machine class (DESIGN.md, "Environment facts"). */
const BASELINES = { tiny224_detect_ms: 21, tiny416_describe_ms: 106, ssd_describe_ms: 340 };
const TARGETS = { analyze_p50_ms: 50, describe_p50_ms: 120, cold_start_ms: 3000, tensors_leaked: 0, judged_fps: 10 };

const argsSchema = z.object({
  json: z.boolean().default(false),
  sync: z.boolean().default(false),
  frames: z.coerce.number().int().min(10).max(100_000).default(1000),
  describes: z.coerce.number().int().min(5).max(10_000).default(60),
  'analyze-size': z.coerce.number().int().min(96).max(800).multipleOf(32).optional(),
  'describe-size': z.coerce.number().int().min(96).max(800).multipleOf(32).optional(),
  backend: z.enum(['auto', 'wasm', 'tensorflow']).default('auto'),
  'no-baseline': z.boolean().default(false),
  'fps-seconds': z.coerce.number().int().min(3).max(120).default(10),
  'no-judged-fps': z.boolean().default(false),
  'only-judged-fps': z.boolean().default(false),
  /** Judged fps with and without the texture model and busy only (no binding, old-loop or carried variants). */
  'quick-fps': z.boolean().default(false),
  'no-time-to-ticket': z.boolean().default(false),
  'only-time-to-ticket': z.boolean().default(false),
  'ttt-rounds': z.coerce.number().int().min(1).max(50).default(3),
  'ttt-before': z.boolean().default(false),
  'only-stages': z.boolean().default(false),
  'stage-frames': z.coerce.number().int().min(10).max(1000).default(60),
  /** DIR or DIR:SHA256 of further model packages to compare (docs/face-engine.md, "Models measured"). */
  'model-package': z.array(modelPackageOption).default([]),
});

type Args = z.infer<typeof argsSchema>;

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseOptions(process.argv.slice(2), argsSchema).values;
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const progress = (line: string): void => {
    process.stderr.write(`bench: ${line}\n`);
  };
  if (args['only-stages']) return onlyStages(args, progress);
  if (args['only-time-to-ticket']) return onlyTimeToTicket(args, progress);
  if (args['only-judged-fps']) return onlyJudgedFps(args, progress);
  const face = await runFaceBench({
    frames: args.frames,
    describes: args.describes,
    backend: args.backend,
    ...(args['analyze-size'] ? { analyzeInputSize: args['analyze-size'] } : {}),
    ...(args['describe-size'] ? { describeInputSize: args['describe-size'] } : {}),
    progress,
  });
  // Each model package on the same frames, one at a time, against the built-in model measured again in this run.
  const models: ModelPackageBench[] = [];
  if (args['model-package'].length) {
    progress('describe with the built-in model package again, then each --model-package');
    models.push(await runModelDescribeBench({}, { describes: args.describes, backend: args.backend, progress }));
    for (const pkg of args['model-package'])
      models.push(await runModelDescribeBench(pkg, { describes: args.describes, backend: args.backend, progress }));
  }
  // After the engine is closed (its RSS figures are taken), the plain face-api calls on the same frames.
  let baseline: Awaited<ReturnType<typeof runBaseline>> | null = null;
  if (!args['no-baseline']) {
    progress('re-measuring the plain face-api baselines on the same frames');
    baseline = await runBaseline(await describeFrames(), args.describes);
  }
  const result: Record<string, number | string> = {
    ...face,
    ...(baseline ?? {}),
    ...Object.fromEntries(
      models.flatMap((m, i) => {
        const key = `model${i}`;
        const ref = models[0] as ModelPackageBench;
        return [
          ...Object.entries(m).map(([k, v]) => [`${key}_${k}`, v]),
          [`${key}_describe_p50_ratio`, Math.round((m.describe_p50_ms / ref.describe_p50_ms) * 100) / 100],
          [`${key}_describe_cpu_ratio`, Math.round((m.describe_cpu_ms / ref.describe_cpu_ms) * 100) / 100],
        ];
      }),
    ),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}`,
    measured_at: new Date().toISOString(),
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  };

  // End to end in the browser host, after the engine bench (its worker is closed by now).
  let fps: Awaited<ReturnType<typeof runJudgedFpsBench>> | null = null;
  if (!args['no-judged-fps']) {
    progress('judged frames per second end to end (browser host, fake camera, real core)');
    fps = await runJudgedFpsBench({ seconds: args['fps-seconds'], progress, quick: args['quick-fps'] });
    Object.assign(result, fps);
  }

  let ttt: Awaited<ReturnType<typeof runTimeToTicketBench>> | null = null;
  if (!args['no-time-to-ticket']) {
    progress(
      'time to ticket with simulated cooperative patients (browser host, patient simulator, default configuration)',
    );
    ttt = await runTimeToTicketBench({ rounds: args['ttt-rounds'], progress });
    Object.assign(result, ttt);
  }

  if (args.sync) {
    const syncModule = join(dirname(fileURLToPath(import.meta.url)), 'sync.ts');
    if (!existsSync(syncModule)) {
      progress('--sync: tools/bench/sync.ts does not exist yet; sync figures are not included');
      result.sync = 'missing: tools/bench/sync.ts';
    } else {
      const mod = (await import('./sync.js' as string)) as { runSyncBench?: () => Promise<Record<string, number>> };
      if (typeof mod.runSyncBench !== 'function') throw new Error('tools/bench/sync.ts does not export runSyncBench()');
      Object.assign(result, await mod.runSyncBench());
    }
  }

  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  console.log(fullBenchLines(args, { result, face, baseline, models, fps, ttt }).join('\n'));
  return 0;
}

/** --only-stages: where the kiosk's Node CPU per judged frame goes. */
async function onlyStages(args: Args, progress: (line: string) => void): Promise<number> {
  const stages = await runStageProfile({ framesPerRecording: args['stage-frames'], progress });
  const result = {
    ...stages,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}`,
    measured_at: new Date().toISOString(),
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(48)} ${v}`);
  return 0;
}

/** --only-time-to-ticket: time to ticket as shipped (with --ttt-before, first the path before tracking) and the ratios. */
async function onlyTimeToTicket(args: Args, progress: (line: string) => void): Promise<number> {
  let before: Record<string, number | string> = {};
  if (args['ttt-before']) {
    const load = Math.round((loadavg()[0] ?? 0) * 10) / 10;
    progress(`time to ticket BEFORE (presence.analysis.mode "whole"), load ${load}`);
    const b = await runTimeToTicketBench({ rounds: args['ttt-rounds'], analysis: { mode: 'whole' }, progress });
    before = Object.fromEntries(
      [...Object.entries(b), ['load_average_1m', load] as const].map(([k, v]) => [`${k}_before`, v as number | string]),
    );
    if (!args.json) console.log(`before:\n${timeToTicketLines(b).join('\n')}\nafter:`);
    progress(`time to ticket AFTER (as shipped), load ${Math.round((loadavg()[0] ?? 0) * 10) / 10}`);
  }
  const ttt = await runTimeToTicketBench({ rounds: args['ttt-rounds'], progress });
  const ratio = (k: string) =>
    typeof ttt[k] === 'number' && typeof before[`${k}_before`] === 'number'
      ? Math.round(((ttt[k] as number) / (before[`${k}_before`] as number)) * 100) / 100
      : undefined;
  const ratios = Object.fromEntries(
    [
      'judged_cpu_ms_per_frame',
      'judged_cpu_node_ms_per_frame',
      'judged_cpu_node_engine_ms_per_frame',
      'judged_cpu_node_main_ms_per_frame',
      'judged_cpu_vs_plain',
      'face_step_s_p50',
    ]
      .map((k) => [`${k}_after_vs_before`, ratio(k)] as const)
      .filter(([, v]) => v !== undefined),
  );
  const result = {
    ...before,
    ...ttt,
    ...ratios,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}`,
    measured_at: new Date().toISOString(),
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    console.log(timeToTicketLines(ttt).join('\n'));
    for (const [k, v] of Object.entries(ratios)) console.log(`  ${k} ${v}`);
  }
  return 0;
}

/** --only-judged-fps: judged frames per second end to end. */
async function onlyJudgedFps(args: Args, progress: (line: string) => void): Promise<number> {
  const fps = await runJudgedFpsBench({ seconds: args['fps-seconds'], progress, quick: args['quick-fps'] });
  const result = {
    ...fps,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}`,
    measured_at: new Date().toISOString(),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(judgedFpsLines(fps).join('\n'));
  return 0;
}

/** The full bench's text: the face engine against its baselines and targets, then each further part measured. */
function fullBenchLines(
  args: Args,
  measured: {
    result: Record<string, number | string>;
    face: Awaited<ReturnType<typeof runFaceBench>>;
    baseline: Awaited<ReturnType<typeof runBaseline>> | null;
    models: ModelPackageBench[];
    fps: Awaited<ReturnType<typeof runJudgedFpsBench>> | null;
    ttt: Awaited<ReturnType<typeof runTimeToTicketBench>> | null;
  },
): string[] {
  const { result, face, baseline, models, fps, ttt } = measured;
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const meets = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
  const lines = [
    `Face engine on ${result.machine} (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}: wall times on a shared machine vary)`,
    `backend: ${face.backend_detail}`,
    '',
    `live analysis per 640×480 frame (detect + 68 landmarks + pose + quality), ${face.frames} frames:`,
    `  p50 ${face.analyze_p50_ms} ms, p95 ${face.analyze_p95_ms} ms  (${meets(face.analyze_p50_ms <= TARGETS.analyze_p50_ms)} target ≤ ${TARGETS.analyze_p50_ms} ms; ${Math.round(1000 / face.analyze_p50_ms)} frames/s at p50)`,
    `  CPU time per frame (all threads): ${face.analyze_cpu_ms} ms; inside the worker p50 ${face.analyze_engine_p50_ms} ms`,
    `  vs plain face-api tiny detector at 224 alone: DESIGN.md ${BASELINES.tiny224_detect_ms} ms → ${ratio(face.analyze_p50_ms, BASELINES.tiny224_detect_ms)}${baseline ? `; this run ${baseline.baseline_detect224_p50_ms} ms → ${ratio(face.analyze_p50_ms, baseline.baseline_detect224_p50_ms)}` : ''}`,
    `capture → descriptor (describe), ${args.describes} frames:`,
    `  p50 ${face.describe_p50_ms} ms, p95 ${face.describe_p95_ms} ms  (${meets(face.describe_p50_ms <= TARGETS.describe_p50_ms)} target ≤ ${TARGETS.describe_p50_ms} ms)`,
    `  CPU time per describe: ${face.describe_cpu_ms} ms`,
    `  vs face-api tiny@416 + landmarks + descriptor: DESIGN.md ${BASELINES.tiny416_describe_ms} ms → ${ratio(face.describe_p50_ms, BASELINES.tiny416_describe_ms)}${baseline ? `; this run ${baseline.baseline_describe416_p50_ms} ms (CPU ${baseline.baseline_describe416_cpu_ms} ms) → ${ratio(face.describe_p50_ms, baseline.baseline_describe416_p50_ms)} wall, ${ratio(face.describe_cpu_ms, baseline.baseline_describe416_cpu_ms)} CPU` : ''}`,
    `  vs SSD MobileNet + landmarks + descriptor: DESIGN.md ${BASELINES.ssd_describe_ms} ms → ${ratio(face.describe_p50_ms, BASELINES.ssd_describe_ms)}`,
    `cold start (worker + verified model load + warm-up): ${face.cold_start_ms} ms  (${meets(face.cold_start_ms <= TARGETS.cold_start_ms)} target ≤ ${TARGETS.cold_start_ms} ms)`,
    `RSS: ${face.rss_before_mb} MB → ${face.rss_after_mb} MB after the frames (${face.rss_growth_pct} %)`,
    `tensors: ${face.tensors_before} → ${face.tensors_after} (leaked ${face.tensors_leaked}; ${meets(face.tensors_leaked === TARGETS.tensors_leaked)} target 0)`,
  ];
  if (fps) lines.push('', ...judgedFpsLines(fps));
  if (ttt) lines.push('', ...timeToTicketLines(ttt));
  if (models.length) {
    const ref = models[0] as ModelPackageBench;
    lines.push('', 'describe per model package (same frames; ratios against the built-in model measured in this run):');
    for (const m of models) {
      lines.push(
        `  ${m.model_id} (${m.runtime}): p50 ${m.describe_p50_ms} ms (${ratio(m.describe_p50_ms, ref.describe_p50_ms)}), p95 ${m.describe_p95_ms} ms, CPU ${m.describe_cpu_ms} ms (${ratio(m.describe_cpu_ms, ref.describe_cpu_ms)}), cold start ${m.cold_start_ms} ms, RSS +${m.rss_model_mb} MB`,
      );
    }
  }
  if (args.sync) {
    const syncKeys = Object.keys(result).filter(
      (k) =>
        !(k in face) &&
        !(fps && k in fps) &&
        !(ttt && k in ttt) &&
        !k.startsWith('baseline_') &&
        !['machine', 'measured_at', 'load_average_1m'].includes(k),
    );
    lines.push('', 'sync:', ...syncKeys.map((k) => `  ${k}: ${String(result[k])}`));
  }
  return lines;
}

const TTT_TARGETS = {
  face_step_s_p50: 6,
  face_step_s_p95: 10,
  face_wait_after_turn_ms_p95: 300,
  judged_cpu_vs_plain: 0.5,
};

function timeToTicketLines(t: Record<string, number | string>): string[] {
  const n = (k: string) => (typeof t[k] === 'number' ? t[k] : Number.NaN);
  const meets = (k: keyof typeof TTT_TARGETS) => (n(k) <= TTT_TARGETS[k] ? 'meets' : 'MISSES');
  return [
    `time to ticket, ${String(t.face_step_patients)} simulated ${String(t.face_step_profile)} patients from ${String(t.face_step_recordings)} recordings (camera screen → ticket; sides asked: ${String(t.face_sides_left)} left, ${String(t.face_sides_right)} right):`,
    `  p50 ${n('face_step_s_p50')} s (${meets('face_step_s_p50')} ≤ ${TTT_TARGETS.face_step_s_p50}), p95 ${n('face_step_s_p95')} s (${meets('face_step_s_p95')} ≤ ${TTT_TARGETS.face_step_s_p95})`,
    `  phases p50 / p95: guidance ${n('face_step_guidance_s_p50')} / ${n('face_step_guidance_s_p95')} s, hold ${n('face_step_hold_s_p50')} / ${n('face_step_hold_s_p95')} s, challenge ${n('face_step_challenge_s_p50')} / ${n('face_step_challenge_s_p95')} s, describe + seal ${n('face_step_describe_seal_s_p50')} / ${n('face_step_describe_seal_s_p95')} s`,
    `  waiting for the kiosk after the head is back: p50 ${n('face_wait_after_turn_ms_p50')} ms, p95 ${n('face_wait_after_turn_ms_p95')} ms (${meets('face_wait_after_turn_ms_p95')} ≤ ${TTT_TARGETS.face_wait_after_turn_ms_p95})`,
    `    of it, p50 / p95 (${n('face_wait_parts_measured')} patients): to the next frame sent ${n('face_wait_to_frame_ms_p50')} / ${n('face_wait_to_frame_ms_p95')} ms, frames still judged turned ${n('face_wait_turned_frames_ms_p50')} / ${n('face_wait_turned_frames_ms_p95')} ms, the passing frame in core ${n('face_wait_core_ms_p50')} / ${n('face_wait_core_ms_p95')} ms, answer → screen ${n('face_wait_screen_ms_p50')} / ${n('face_wait_screen_ms_p95')} ms`,
    `  the first frame of the challenge in core p50 / p95 ${n('face_first_challenge_call_ms_p50')} / ${n('face_first_challenge_call_ms_p95')} ms; its gap from the held frame p95 / max ${n('face_first_challenge_gap_ms_p95')} / ${n('face_first_challenge_gap_ms_max')} ms (the tracking bound: 700 ms)`,
    `  passed on the first try ${n('face_first_try_pass_pct')} %, within the tries ${n('face_within_tries_pass_pct')} %${t.face_step_failures ? `; not first try: ${String(t.face_step_failures)}` : ''}`,
    `  CPU per judged frame (kiosk Node + Chromium): ${n('judged_cpu_ms_per_frame')} ms (Node ${n('judged_cpu_node_ms_per_frame')} ms: off the main thread, the face worker, ${n('judged_cpu_node_engine_ms_per_frame')} ms; main thread, core + Playwright + the simulator's host side, ${n('judged_cpu_node_main_ms_per_frame')} ms) over ${n('judged_frames')} frames; plain face-api detect + 68 landmarks (tiny 416) on the same frames ${n('plain_faceapi_detect_landmarks_cpu_ms')} ms (tiny 224 + tiny landmarks ${n('plain_faceapi_detect224_tiny_landmarks_cpu_ms')} ms): judged_cpu_vs_plain ${n('judged_cpu_vs_plain')} (${meets('judged_cpu_vs_plain')} ≤ ${TTT_TARGETS.judged_cpu_vs_plain})`,
  ];
}

function judgedFpsLines(fps: Record<string, number | string>): string[] {
  const line = (key: string, what: string) =>
    typeof fps[key] === 'number'
      ? `  ${what}: ${fps[key]} frames/s (interval p50 ${fps[`${key}_interval_p50_ms`]} ms, p95 ${fps[`${key}_interval_p95_ms`]} ms; core p50 ${fps[`${key}_core_p50_ms`]} ms; load ${fps[`${key}_load_1m`]})`
      : null;
  const n = typeof fps.judged_fps === 'number' ? fps.judged_fps : 0;
  return [
    `judged frames per second, end to end (browser host, Chromium, ${fps.judged_fps_camera}, ${fps.judged_fps_window_s} s windows):`,
    line(
      'judged_fps',
      `frame loop + frame socket (${n >= TARGETS.judged_fps ? 'meets' : 'MISSES'} target ≥ ${TARGETS.judged_fps})`,
    ),
    line(
      'judged_fps_no_texture',
      'same core without the texture model (presence.texture.mode off), measured right after',
    ),
    ...(typeof fps.judged_fps_no_texture === 'number'
      ? [
          `  texture evidence: judged frames/s ${fps.judged_fps} vs ${fps.judged_fps_no_texture} without (ratio ${fps.judged_fps_texture_ratio}); kiosk Node CPU per judged frame ${fps.judged_fps_cpu_node_ms_per_frame} ms vs ${fps.judged_fps_no_texture_cpu_node_ms_per_frame} ms (ratio ${fps.judged_cpu_node_texture_ratio}); Chromium ${fps.judged_fps_cpu_chromium_ms_per_frame} vs ${fps.judged_fps_no_texture_cpu_chromium_ms_per_frame} ms`,
        ]
      : []),
    line('judged_fps_busy', 'same, one core kept busy by a spinning process'),
    line('judged_fps_binding', 'same loop, frames as base64 over the Playwright binding'),
    line('judged_fps_old_loop', 'old loop (120 ms pause, base64 binding)'),
    ...(typeof fps.carried_fps === 'number'
      ? ['loop and transport alone (core answers at once, no face engine; a ceiling, not judged):']
      : []),
    line('carried_fps', 'frame loop + frame socket'),
    line('carried_fps_binding', 'frame loop + base64 binding'),
    line('carried_fps_old_loop', 'old loop'),
  ].filter((l): l is string => l !== null);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
