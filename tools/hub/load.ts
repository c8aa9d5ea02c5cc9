#!/usr/bin/env node
// npm run hub:load -- [--kiosks 1000] [--clinics 50] [--visits-per-kiosk 40] [--batch 20] [--nodes 2]
//                     [--in-flight 24] [--no-faults] [--reference-kiosks 100] [--database-url URL] [--json FILE] [--cpu-prof DIR]
// Load and faults on loopback (docs/hub.md): simulated kiosks send real sealed, signed envelopes in
// protocol v1 batches to hub nodes (child processes) on one PostgreSQL; one node is SIGKILLed and
// restarted, PostgreSQL is restarted; then every visit is checked: lost, duplicated, verdict.
// The SQLite reference receiver gets a sample of the same batches in the same run (its figure beside).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { machineCpuSeconds, postgresCpu, procCpuSeconds } from './proc-cpu.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { getSodium, toB64 } from '../../electron/core/platform/crypto/index.js';
import { readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { batchPath, type ItemResult, type Verdict } from '../../electron/shared/protocol/batch.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { percentile } from '../percentile.js';
import { createPool, migrate } from '../../upstream/hub/db.js';
import { ReferenceVault, writeReferenceKey, writeUpstreamKeyPair } from '../../upstream/hub/keys.js';
import { addClinic, enrolDevice, issueToken } from '../../upstream/hub/registry.js';
import { HubStore } from '../../upstream/hub/store.js';
import { ReceiverCore } from '../../upstream/core.js';
import { upstreamModels } from '../../upstream/app.js';
import { parseOptionsOrExit } from '../../electron/core/platform/cli-options.js';
import { descriptorOf, sealedItem, simKiosk, type SimKiosk, type VisitFields } from '../../upstream/hub/sim-kiosk.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const run = promisify(execFile);

const argsSchema = z.object({
  kiosks: z.coerce.number().int().min(1).max(20_000).default(1000),
  clinics: z.coerce.number().int().min(1).max(1000).default(50),
  'visits-per-kiosk': z.coerce.number().int().min(1).max(1000).default(40),
  batch: z.coerce.number().int().min(1).max(1000).default(20),
  nodes: z.coerce.number().int().min(1).max(8).default(2),
  'in-flight': z.coerce.number().int().min(1).max(1000).default(24),
  'reference-kiosks': z.coerce.number().int().min(0).max(20_000).default(100),
  'database-url': z.string().default(process.env.KELU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
  'no-faults': z.boolean().default(false),
  json: z.string().optional(),
  /** Profile the hub nodes: each writes a V8 .cpuprofile into this folder when it ends (not a SIGKILLed one). */
  'cpu-prof': z.string().optional(),
  keep: z.boolean().default(false),
  help: z.boolean().default(false),
});

interface Batch {
  kiosk: number;
  body: string;
  ids: string[];
}

interface Expected {
  verdict: Verdict;
}

const log = (s: string) => console.error(`[hub:load ${new Date().toISOString().slice(11, 19)}] ${s}`);

type Args = z.infer<typeof argsSchema>;

/** A fresh schema, the keys, the clinics and every simulated kiosk enrolled with its one-time token. */
async function setUpRegistry(a: Args, dbName: string, dbUrl: string, work: string) {
  // ---- keys, schema, registry ----
  const upstreamKey = join(work, 'upstream-key.json');
  const referenceKey = join(work, 'reference.key');
  await writeUpstreamKeyPair(upstreamKey);
  await writeReferenceKey(referenceKey);
  const upstream = await readUpstreamKeyPair(upstreamKey);
  const pool = createPool(dbUrl, 4);
  await migrate(pool);
  const modelId = openModelPackage(join(root, 'models')).modelId;
  const store = new HubStore(
    pool,
    await ReceiverCore.create([upstream], { models: upstreamModels() }),
    await ReferenceVault.fromFile(referenceKey),
  );
  log(`database ${dbName}: enrolling ${a.clinics} clinics and ${a.kiosks} kiosks with one-time tokens`);
  for (let c = 0; c < a.clinics; c++) await addClinic(pool, `clinic-${c}`, `Polyclinic ${c + 1}`);
  const kiosks: SimKiosk[] = [];
  for (let k = 0; k < a.kiosks; k++) {
    const kiosk = await simKiosk(`kiosk-${String(k).padStart(5, '0')}`, `clinic-${k % a.clinics}`);
    await enrolDevice(pool, await issueToken(pool, kiosk.clinicId, kiosk.deviceId), kiosk.deviceId, kiosk.publicKey);
    kiosks.push(kiosk);
  }
  return { upstreamKey, referenceKey, upstream, pool, modelId, store, kiosks };
}

/** Every kiosk's visits sealed and signed (a mix of face, eGov and staff paths), in batches, with the verdict each must get. */
function sealEnvelopes(
  a: Args,
  sodium: Awaited<ReturnType<typeof getSodium>>,
  kiosks: SimKiosk[],
  upstreamPublicKey: Uint8Array,
  modelId: string,
) {
  const expected = new Map<string, Expected>();
  const batches: Batch[] = [];
  let patient = 0;
  const references: Array<{ iin: string; d: number[] }> = [];
  for (const [k, kiosk] of kiosks.entries()) {
    const items = [];
    for (let v = 0; v < a['visits-per-kiosk']; v++) {
      const p = patient++;
      const iin = `9${String(p).padStart(11, '0')}`;
      const kind = p % 10;
      let fields: VisitFields;
      let verdict: Verdict;
      if (kind < 4) {
        // A patient with an enrolled reference, matching (head turn passed).
        references.push({ iin, d: descriptorOf(p) });
        fields = {
          method: 'face',
          iin,
          face: {
            descriptor: descriptorOf(p, 0.01),
            modelId,
            presence: { challenge: 'head-turn', side: 'left', frames: 12, durationMs: 2000 },
          },
        };
        verdict = 'face-match';
      } else if (kind < 7) {
        fields = {
          method: 'face',
          iin,
          face: {
            descriptor: descriptorOf(p, 0.01),
            modelId,
            presence: { challenge: 'head-turn', side: 'right', frames: 12, durationMs: 2000 },
          },
        };
        verdict = 'face-no-reference';
      } else if (kind < 9) {
        fields = { method: 'egov-code', iin, egov: { code: String(100000 + (p % 899999)) } };
        verdict = 'egov-invalid';
      } else {
        fields = {
          method: 'staff-verified',
          iin,
          staff: { staffId: 'nurse-1', documentType: 'id-card', documentLast4: '1234', reason: 'no phone' },
        };
        verdict = 'staff-verified';
      }
      const it = sealedItem(sodium, kiosk, upstreamPublicKey, {
        ...fields,
        createdAt: new Date(Date.now() - 3_600_000 + v * 1000).toISOString(),
      });
      expected.set(it.id, { verdict });
      items.push(it);
    }
    for (let i = 0; i < items.length; i += a.batch) {
      const part = items.slice(i, i + a.batch);
      batches.push({
        kiosk: k,
        ids: part.map((x) => x.id),
        body: JSON.stringify({ deviceId: kiosk.deviceId, items: part }),
      });
    }
  }
  return { expected, batches, references };
}

/** The SQLite reference receiver, one process, on the first kiosks' batches: its rate and CPU per visit beside the hub's. */
async function runReferenceReceiver(
  a: Args,
  children: Set<ChildProcess>,
  kiosks: SimKiosk[],
  batches: Batch[],
  upstreamKey: string,
  work: string,
) {
  const n = Math.min(a['reference-kiosks'], kiosks.length);
  const refDir = join(work, 'reference');
  const ref = await startChild(children, [
    'upstream/cli.ts',
    '--port',
    '0',
    '--data-dir',
    refDir,
    '--key',
    upstreamKey,
  ]);
  const info = ref.first as { listening: string; adminToken: string };
  for (const kiosk of kiosks.slice(0, n)) {
    const r = await fetch(`${info.listening}/admin/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        deviceId: kiosk.deviceId,
        publicKey: toB64(kiosk.publicKey),
        clinicId: kiosk.clinicId,
      }),
    });
    if (!r.ok) throw new Error(`reference receiver refused a device: ${r.status}`);
  }
  const sample = batches.filter((b) => b.kiosk < n);
  const cpu0 = procCpuSeconds(ref.child.pid!);
  const res = await drive(sample, [info.listening], a['in-flight'], () => {});
  const cpuUs = ((procCpuSeconds(ref.child.pid!) - cpu0) * 1e6) / res.answered.size;
  const reference = {
    visits: res.answered.size,
    seconds: Math.round(res.seconds * 10) / 10,
    perSecond: Math.round(res.timedVisits / res.seconds),
    p50Ms: Math.round(percentile(res.latencies, 50)),
    p99Ms: Math.round(percentile(res.latencies, 99)),
    cpuUsPerVisit: Math.round(cpuUs),
  };
  log(
    `SQLite reference receiver (1 process): ${reference.visits} visits in ${reference.seconds} s = ${reference.perSecond}/s, p99 ${reference.p99Ms} ms, ${reference.cpuUsPerVisit} µs CPU per visit`,
  );
  ref.child.kill('SIGTERM');
  children.delete(ref.child);
  return reference;
}

/** The hub's nodes under the batches, with a node SIGKILLed and PostgreSQL restarted on the way (unless --no-faults). */
async function runHubNodes(
  a: Args,
  children: Set<ChildProcess>,
  batches: Batch[],
  files: { dbUrl: string; upstreamKey: string; referenceKey: string },
) {
  const { dbUrl, upstreamKey, referenceKey } = files;
  const nodeArgs = (port: number, i: number) => [
    'upstream/hub/cli.ts',
    'serve',
    '--database-url',
    dbUrl,
    '--key',
    upstreamKey,
    '--reference-key',
    referenceKey,
    '--port',
    String(port),
    '--node',
    `load-${i}`,
    '--pool',
    '6',
    '--rate-limit',
    '100000',
  ];
  const profile = a['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', a['cpu-prof']] : [];
  const cpu = new CpuLedger();
  const nodes: Array<{ child: ChildProcess; url: string; port: number }> = [];
  const faults: string[] = [];
  let finished = false;
  // A node that ends by itself is a fault of the hub (recorded), restarted as a supervisor would.
  const watch = (i: number) => {
    const node = nodes[i]!;
    node.child.once('exit', (code, signal) => {
      if (finished || !children.has(node.child)) return;
      children.delete(node.child);
      faults.push(`UNEXPECTED: node load-${i} ended by itself (${code ?? signal})`);
      log(faults.at(-1)!);
      setTimeout(() => void relaunch(i), 1000);
    });
  };
  const relaunch = async (i: number) => {
    const node = nodes[i]!;
    try {
      node.child = (await startChild(children, nodeArgs(node.port, i), profile)).child;
      cpu.started(node.child, await nodeCounters(node.url));
      watch(i);
      faults.push(`node load-${i} restarted on its port`);
      log(faults.at(-1)!);
    } catch (err) {
      log(`restart failed: ${String(err)}`);
    }
  };
  for (let i = 0; i < a.nodes; i++) {
    const n = await startChild(children, nodeArgs(0, i), profile);
    const first = n.first as { listening: string; port: number };
    nodes.push({ child: n.child, url: first.listening, port: first.port });
    watch(i);
  }
  log(`${a.nodes} hub node(s): ${nodes.map((n) => n.url).join(', ')}; ${a['in-flight']} batches in flight`);
  let killed = false;
  let pgRestarted = false;
  const total = batches.length;
  const onProgress = (done: number) => {
    if (a['no-faults']) return;
    if (!killed && done >= total * 0.25) {
      killed = true;
      const victim = nodes[0]!;
      children.delete(victim.child);
      victim.child.kill('SIGKILL');
      faults.push(`SIGKILL node load-0 at ${done}/${total} batches`);
      log(faults.at(-1)!);
      setTimeout(() => void relaunch(0), 1000);
    }
    if (!pgRestarted && done >= total * 0.55) {
      pgRestarted = true;
      const version = readdirSync('/etc/postgresql')[0] ?? '15';
      const t = performance.now();
      faults.push(`PostgreSQL restart at ${done}/${total} batches`);
      log(faults.at(-1)!);
      void run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']).then(
        () => {
          faults.push(`PostgreSQL back after ${((performance.now() - t) / 1000).toFixed(1)} s`);
          log(faults.at(-1)!);
        },
        (err: unknown) => {
          faults.push(`PostgreSQL restart failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
          log(faults.at(-1)!);
        },
      );
    }
  };
  const res = await drive(
    batches,
    nodes.map((n) => n.url),
    a['in-flight'],
    onProgress,
    async () => {
      for (const n of nodes) cpu.started(n.child, await nodeCounters(n.url));
      cpu.startTimed();
    },
  );
  const cpuSplit = await cpu.finish(nodes);
  finished = true;
  log(`hub: ${res.answered.size} visits answered in ${res.seconds.toFixed(1)} s; ${res.retries} batch retries`);
  return { res, nodes, faults, total, cpuSplit };
}

/** The cost split from the nodes' own counters (a SIGKILLed process's counters die with it). */
async function stageSplit(nodes: Array<{ url: string }>) {
  const stages: Record<string, number> = {};
  let itemsCounted = 0;
  let nodeCpu = 0;
  for (const n of nodes) {
    try {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      for (const m of text.matchAll(/^kelu_hub_stage_seconds_total\{stage="(\w+)"[^}]*\} ([\d.e+-]+)$/gm))
        stages[m[1]!] = (stages[m[1]!] ?? 0) + Number(m[2]);
      for (const m of text.matchAll(/^process_cpu_seconds_total\{[^}]*\} ([\d.e+-]+)$/gm)) nodeCpu += Number(m[1]);
      for (const m of text.matchAll(/^kelu_hub_items_total\{status="(\w+)"[^}]*\} ([\d.e+-]+)$/gm))
        if (m[1] !== 'rejected') itemsCounted += Number(m[2]);
    } catch {
      /* a node that is not back */
    }
  }
  const perVisitUs = Object.fromEntries(
    Object.entries(stages).map(([k, v]) => [k, itemsCounted ? Math.round((v * 1e6) / itemsCounted) : NaN]),
  );
  return { perVisitUs, nodeCpu, itemsCounted };
}

/** A node's own counters from /metrics: CPU seconds so far and items answered (not rejected). */
async function nodeCounters(url: string): Promise<{ cpu: number; items: number } | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    let cpu = 0;
    let items = 0;
    for (const m of text.matchAll(/^process_cpu_seconds_total\{[^}]*\} ([\d.e+-]+)$/gm)) cpu += Number(m[1]);
    for (const m of text.matchAll(/^kelu_hub_items_total\{status="(\w+)"[^}]*\} ([\d.e+-]+)$/gm))
      if (m[1] !== 'rejected') items += Number(m[2]);
    return { cpu, items };
  } catch {
    return undefined;
  }
}

/**
 * Where the CPU of the timed part went, per visit answered: the hub nodes from their start (or
 * restart) on, without their start-up; all PostgreSQL processes (sampled each second, so a process
 * that ends loses at most its last second); this load tool (the kiosks' HTTP side); the whole
 * machine, other people's work included.
 */
class CpuLedger {
  private readonly base = new Map<ChildProcess, { cpu: number; items: number }>();
  private readonly pgBase = new Map<number, number>();
  private readonly pgLast = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private tool = 0;
  private machine = 0;

  started(child: ChildProcess, counters: { cpu: number; items: number } | undefined): void {
    if (counters) this.base.set(child, counters);
  }

  startTimed(): void {
    for (const [pid, s] of postgresCpu()) this.pgBase.set(pid, s);
    this.tool = process.cpuUsage().user + process.cpuUsage().system;
    this.machine = machineCpuSeconds();
    this.timer = setInterval(() => {
      for (const [pid, s] of postgresCpu()) this.pgLast.set(pid, s);
    }, 1000);
  }

  async finish(nodes: Array<{ child: ChildProcess; url: string }>) {
    clearInterval(this.timer);
    const tool = (process.cpuUsage().user + process.cpuUsage().system - this.tool) / 1e6;
    const machine = machineCpuSeconds() - this.machine;
    for (const [pid, s] of postgresCpu()) this.pgLast.set(pid, s);
    let pgS = 0;
    for (const [pid, s] of this.pgLast) pgS += s - (this.pgBase.get(pid) ?? 0);
    let nodeS = 0;
    let items = 0;
    for (const n of nodes) {
      const b = this.base.get(n.child);
      const e = await nodeCounters(n.url);
      if (!b || !e) continue;
      nodeS += e.cpu - b.cpu;
      items += e.items - b.items;
    }
    const us = (sec: number) => (items ? Math.round((sec * 1e6) / items) : null);
    return {
      visitsCounted: items,
      nodesUsPerVisit: us(nodeS),
      postgresUsPerVisit: us(pgS),
      loadToolUsPerVisit: us(tool),
      machineUsPerVisit: us(machine),
    };
  }
}

async function main(): Promise<void> {
  const a = parseOptionsOrExit('hub:load', process.argv.slice(2), argsSchema, { short: { help: 'h' } }).values;
  if (a.help) {
    console.log(
      'npm run hub:load -- [--kiosks 1000] [--clinics 50] [--visits-per-kiosk 40] [--batch 20] [--nodes 2] [--in-flight 24] [--no-faults] [--reference-kiosks 100] [--database-url URL] [--json FILE] [--cpu-prof DIR] [--keep]',
    );
    return;
  }
  const sodium = await getSodium();
  const work = mkdtempSync(join(tmpdir(), 'kelu-hub-load-'));
  const children = new Set<ChildProcess>();
  const dbName = `kelu_load_${randomBytes(5).toString('hex')}`;
  const adminUrl = a['database-url'];
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${dbName}`);
  try {
    // ---- keys, schema, registry ----
    const { upstreamKey, referenceKey, upstream, pool, modelId, store, kiosks } = await setUpRegistry(
      a,
      dbName,
      dbUrl,
      work,
    );

    // ---- envelopes, sealed before timing (sealing is the kiosks' cost) ----
    const tSeal = performance.now();
    const { expected, batches, references } = sealEnvelopes(a, sodium, kiosks, upstream.publicKey, modelId);
    const sealMs = performance.now() - tSeal;
    log(
      `sealed and signed ${expected.size} envelopes in ${(sealMs / 1000).toFixed(1)} s (${((sealMs * 1000) / expected.size).toFixed(0)} µs each, the kiosks' cost); ${batches.length} batches`,
    );
    await store.enrolReferences(
      references.map((r) => ({ iin: r.iin, modelId, photos: [r.d] })),
      'load-tool',
    );
    log(`enrolled ${references.length} encrypted references`);
    await pool.end();

    // ---- the SQLite reference receiver, same kind of batches, in the same run ----
    const reference =
      a['reference-kiosks'] > 0
        ? await runReferenceReceiver(a, children, kiosks, batches, upstreamKey, work)
        : undefined;

    // ---- the hub: N nodes ----
    const { res, nodes, faults, total, cpuSplit } = await runHubNodes(a, children, batches, {
      dbUrl,
      upstreamKey,
      referenceKey,
    });

    // ---- what arrived ----
    const check = createPool(dbUrl, 2);
    const rows = (await check.query<{ visit_id: string; verdict: Verdict }>('SELECT visit_id, verdict FROM verdicts'))
      .rows;
    const perId = new Map<string, number>();
    for (const r of rows) perId.set(r.visit_id, (perId.get(r.visit_id) ?? 0) + 1);
    const stored = new Map(rows.map((r) => [r.visit_id, r.verdict]));
    let lost = 0;
    let wrongVerdict = 0;
    for (const [id, e] of expected) {
      if (!stored.has(id) || !res.answered.has(id)) lost++;
      else if (stored.get(id) !== e.verdict) wrongVerdict++;
    }
    const duplicatedRows = [...perId.values()].filter((n) => n > 1).length;
    const acceptedTwice = [...res.accepted.values()].filter((n) => n > 1).length;
    const answeredDifferently = [...res.verdictsSeen.entries()].filter(
      ([id, v]) => v.size > 1 || (stored.has(id) && !v.has(stored.get(id)!)),
    ).length;
    await check.end();
    const { perVisitUs, nodeCpu, itemsCounted } = await stageSplit(nodes);
    const report = {
      kiosks: a.kiosks,
      clinics: a.clinics,
      visits: expected.size,
      batches: total,
      batchSize: a.batch,
      nodes: a.nodes,
      inFlight: a['in-flight'],
      cores: (await import('node:os')).availableParallelism(),
      faults,
      lost,
      duplicatedRows,
      acceptedTwice,
      answeredDifferently,
      wrongVerdict,
      storedRows: rows.length,
      seconds: Math.round(res.seconds * 10) / 10,
      visitsPerSecond: Math.round(res.timedVisits / res.seconds),
      p50BatchMs: Math.round(percentile(res.latencies, 50)),
      p99BatchMs: Math.round(percentile(res.latencies, 99)),
      batchRetries: res.retries,
      costPerVisitUs: perVisitUs,
      // Whole-process CPU of the live nodes (start-up included) over the items they answered: robust to the machine's other load.
      nodeCpuUsPerVisit: itemsCounted ? Math.round((nodeCpu * 1e6) / itemsCounted) : null,
      itemsInCostSplit: itemsCounted,
      // CPU per visit of the timed part without the nodes' start-up: nodes, PostgreSQL, this tool, the whole machine.
      cpuSplitUsPerVisit: cpuSplit,
      sealUsPerVisitKioskSide: Math.round((sealMs * 1000) / expected.size),
      reference,
    };
    console.log(JSON.stringify(report, null, 2));
    if (a.json) writeFileSync(a.json, `${JSON.stringify(report, null, 2)}\n`);
    const ok =
      !faults.some((f) => f.startsWith('UNEXPECTED')) &&
      lost === 0 &&
      duplicatedRows === 0 &&
      acceptedTwice === 0 &&
      answeredDifferently === 0 &&
      wrongVerdict === 0;
    log(
      ok
        ? 'every visit stored once with its verdict: lost 0, duplicated 0'
        : 'FAILED: see lost / duplicated / verdicts above',
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    const all = [...children];
    children.clear();
    for (const c of all) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (!a.keep)
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e: unknown) =>
        log(`could not drop ${dbName}: ${String(e)}`),
      );
    rmSync(work, { recursive: true, force: true });
  }
}

/** Starts a child (tsx) and waits for its first JSON line on stdout. */
async function startChild(
  children: Set<ChildProcess>,
  args: string[],
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; first: unknown }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(0, 20_000)));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start in 60 s: ${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}): ${err}`)));
    lines.once('line', (l) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(l));
      } catch {
        reject(new Error(`${args[0]}: unexpected first line ${l.slice(0, 200)}`));
      }
    });
  });
  lines.on('line', () => {}); // drain the structured logs
  child.once('exit', (code, signal) => {
    if (children.has(child)) log(`UNEXPECTED: ${args[0]} exited (${code ?? signal}): ${err.slice(0, 1500)}`);
  });
  return { child, first };
}

interface DriveResult {
  seconds: number;
  latencies: number[];
  answered: Set<string>;
  accepted: Map<string, number>;
  verdictsSeen: Map<string, Set<Verdict>>;
  retries: number;
  /** Visits answered after the warm-up (what the rate is over). */
  timedVisits: number;
}

/**
 * Sends every batch until it is answered 200 (each kiosk's batches in order, `inFlight` at once,
 * nodes in turn); a refused connection, a 5xx, a 429 or a timeout is retried on the next node
 * after a short backoff, as the kiosk's sync does. Bounded: a batch gives up after 200 tries.
 */
async function drive(
  batches: Batch[],
  urls: string[],
  inFlight: number,
  onProgress: (done: number) => void,
  onTimed: () => Promise<void> = async () => {},
): Promise<DriveResult> {
  const byKiosk = new Map<number, Batch[]>();
  for (const b of batches) byKiosk.set(b.kiosk, [...(byKiosk.get(b.kiosk) ?? []), b]);
  const queue = [...byKiosk.values()];
  const out: DriveResult = {
    seconds: 0,
    latencies: [],
    answered: new Set(),
    accepted: new Map(),
    verdictsSeen: new Map(),
    retries: 0,
    timedVisits: 0,
  };
  let done = 0;
  let turn = 0;
  // Warm-up, untimed: one batch per node, one after the other (JIT, first connections); counted as delivered.
  for (const url of urls) {
    const first = queue[0]?.shift();
    if (!first) break;
    const r = await fetch(url + batchPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: first.body,
    });
    if (r.status !== 200) throw new Error(`warm-up batch answered ${r.status}`);
    for (const x of (JSON.parse(await r.text()) as { results: ItemResult[] }).results) {
      out.answered.add(x.id);
      if (x.status === 'accepted') out.accepted.set(x.id, (out.accepted.get(x.id) ?? 0) + 1);
      if (x.status !== 'rejected' && x.verdict)
        out.verdictsSeen.set(x.id, (out.verdictsSeen.get(x.id) ?? new Set()).add(x.verdict));
    }
    if (queue[0]?.length === 0) queue.shift();
    onProgress(++done);
  }
  await onTimed();
  const t0 = performance.now();
  async function worker(): Promise<void> {
    for (let kiosk = queue.shift(); kiosk; kiosk = queue.shift()) {
      for (const b of kiosk) {
        for (let attempt = 0; ; attempt++) {
          if (attempt >= 200) throw new Error('a batch was not answered after 200 tries');
          const url = urls[turn++ % urls.length]!;
          const t = performance.now();
          try {
            const r = await fetch(url + batchPath, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: b.body,
              signal: AbortSignal.timeout(15_000),
            });
            const text = await r.text();
            if (r.status !== 200) {
              out.retries++;
              await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
              continue;
            }
            out.latencies.push(performance.now() - t);
            const results = (JSON.parse(text) as { results: ItemResult[] }).results;
            for (const x of results) {
              if (x.status === 'rejected') throw new Error(`visit ${x.id} rejected: ${x.reason}`);
              out.answered.add(x.id);
              if (x.status === 'accepted') out.accepted.set(x.id, (out.accepted.get(x.id) ?? 0) + 1);
              if (x.verdict) out.verdictsSeen.set(x.id, (out.verdictsSeen.get(x.id) ?? new Set()).add(x.verdict));
            }
            break;
          } catch (err) {
            if (err instanceof Error && err.message.startsWith('visit ')) throw err;
            out.retries++;
            await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2));
          }
        }
        onProgress(++done);
      }
    }
  }
  const warm = out.answered.size;
  await Promise.all(Array.from({ length: inFlight }, () => worker()));
  out.seconds = (performance.now() - t0) / 1000;
  out.timedVisits = out.answered.size - warm;
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  console.error(`hub:load: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
