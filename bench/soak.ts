/**
 * `npm run soak` (which builds first and runs this compiled): the compiled `start`, run as production runs it,
 * against the simulator in its own process, with a fresh database and queue prefix, does many full syncs in a row.
 * Between syncs some assets change at the simulator (added, deleted, archived), so every sync writes, and a churn
 * of cheap jobs, half completing and half failing, fills BullMQ's finished-job sets. After each sync it prints the
 * `start` process's RSS (VmRSS from /proc) and the Redis keys under the prefix; at the end, the least-squares slope
 * of RSS per sync (the warm-up syncs left out), then the history prune on backdated history seeded before the run:
 * rows deleted per table and rows left. It prints figures; it never fails on time.
 *
 * Options: --syncs N (30) --assets N (100000 Affogato assets) --warmup N (5) --changes N (per sync: N added,
 * N deleted, N archived; 100) --churn N (jobs per sync; 200) --history N (backdated sync runs, and the rest in
 * proportion; 1000) --keep-days N (HISTORY_KEEP_DAYS; 90).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import type pg from 'pg';
import { readEnvironment } from '../src/config.ts';
import { countHistoryRows, HISTORY_TABLES, type HistoryCounts } from '../src/db/history-prune.repository.ts';
import { QUEUE_NAMES } from '../src/jobs/job-definitions.ts';
import { closeQueues, createQueues, enqueue, obliterateQueues, type Queues } from '../src/jobs/queues.ts';
import { createBenchDb } from './bench-db.ts';
import { childScript, runsCompiled } from './child-script.ts';
import { productionNodeFlags } from './production-flags.ts';
import { startSimProcess, type SimProcess } from './sim-process.ts';
import { seedBackdatedHistory } from './soak-history.ts';

const CLI = childScript('../src/cli/main', import.meta.url);
const NODE_ARGS = [...productionNodeFlags(), ...CLI.loader];
/** never fires during a soak: the soak enqueues its own syncs */
const NEVER = '0 0 29 2 1';

const { values } = parseArgs({
  options: {
    syncs: { type: 'string' },
    assets: { type: 'string' },
    warmup: { type: 'string' },
    changes: { type: 'string' },
    churn: { type: 'string' },
    history: { type: 'string' },
    'keep-days': { type: 'string' },
  },
});
function option(name: keyof typeof values, fallback: number, min: number): number {
  const raw = values[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}, got ${String(raw)}`);
  return n;
}
const syncs = option('syncs', 30, 2);
const assets = option('assets', 100_000, 1);
const warmup = Math.min(option('warmup', 5, 0), syncs - 2);
const changes = option('changes', 100, 0);
const churn = option('churn', 200, 0);
const historyScale = option('history', 1_000, 1);
const keepDays = option('keep-days', 90, 1);

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = environment.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `alw-soak-${process.pid}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;

/** Resident set size of a process, from /proc (Linux). */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function finishedJobs(queues: Queues): Promise<{ completed: number; failed: number }> {
  const counts = await Promise.all(QUEUE_NAMES.map((queue) => queues[queue].getJobCounts('completed', 'failed')));
  return { completed: counts.reduce((s, c) => s + (c.completed ?? 0), 0), failed: counts.reduce((s, c) => s + (c.failed ?? 0), 0) };
}

/** Polls a job until it has completed or failed. */
async function finished(queues: Queues, job: Job, onTick?: () => void): Promise<Job> {
  const queue = queues[job.queueName as keyof Queues];
  for (;;) {
    onTick?.();
    const state = await queue.getJobState(job.id ?? '');
    if (state === 'unknown') throw new Error(`job ${job.id} (${job.name}) is gone`);
    // read once finished: a job read before that holds no return value
    if (state === 'completed' || state === 'failed') {
      const current = await queue.getJob(job.id ?? '');
      if (current !== undefined) return current;
      throw new Error(`job ${job.id} (${job.name}) is gone`);
    }
    await sleep(100);
  }
}

async function request(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Changes at the simulator before a sync: `changes` assets added, deleted and archived (ids taken from the catalog). */
async function changeAssets(sim: SimProcess, pool: pg.Pool): Promise<void> {
  if (changes === 0) return;
  const picked = await pool.query<{ asset_id: string }>(
    `SELECT asset_id FROM assets WHERE provider = 'affogato' AND removed_at IS NULL AND status IS DISTINCT FROM 'archive'
      ORDER BY random() LIMIT $1`,
    [2 * changes],
  );
  const ids = picked.rows.map((row) => row.asset_id);
  const [toDelete, toArchive] = [ids.slice(0, changes), ids.slice(changes)];
  const json = { 'content-type': 'application/json' };
  await eachLimited(Array.from({ length: changes }), 8, () => request(`${sim.url}/__sim/assets/affogato`, { method: 'POST', headers: json, body: '{}' }));
  await eachLimited(toDelete, 8, (id) => request(`${sim.url}/__sim/assets/affogato/${encodeURIComponent(id)}`, { method: 'DELETE' }));
  const batches = Array.from({ length: Math.ceil(toArchive.length / 50) }, (_, i) => toArchive.slice(i * 50, i * 50 + 50));
  await eachLimited(batches, 4, (batch) =>
    request(`${sim.baseUrls.affogato}/pub/v1/assets/archive`, {
      method: 'POST',
      headers: { ...json, 'x-api-key': sim.apiKeys.affogato },
      body: JSON.stringify({ ids: batch }),
    }),
  );
}

/** Cheap jobs that finish: half complete (a lost-job sweep), half fail at once (a poll for Media Pocket, not enabled here). */
async function enqueueChurn(queues: Queues): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < churn; i += 1) {
    jobs.push(i % 2 === 0 ? await enqueue(queues, 'dag.sweep', {}) : await enqueue(queues, 'dag.poll', { dagRunId: -1 }, { attempts: 1 }));
  }
  return jobs;
}

interface HeapFigures {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/** The worker's V8 heap and external memory, from its own /metrics (prom-client's process defaults). */
async function heapOf(adminUrl: string): Promise<HeapFigures> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / (1024 * 1024);
  return {
    heapUsedMb: value('nodejs_heap_size_used_bytes'),
    heapTotalMb: value('nodejs_heap_size_total_bytes'),
    externalMb: value('nodejs_external_memory_bytes'),
  };
}

interface WorkerProcess {
  child: ChildProcess;
  adminUrl: string;
  exited: Promise<number | null>;
}

async function startWorkerProcess(sim: SimProcess, databaseUrl: string, logPath: string): Promise<WorkerProcess> {
  // a directory of its own: no .env or retention.yaml of the repository is read
  const cwd = mkdtempSync(join(tmpdir(), 'alw-soak-'));
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    AFFOGATO_API_KEY: sim.apiKeys.affogato,
    AFFOGATO_BASE_URL: sim.baseUrls.affogato,
    AFFOGATO_RPS: '10000',
    SYNC_CRON: NEVER,
    RETENTION_CRON: NEVER,
    ADMIN_PORT: '0',
    LOG_LEVEL: 'info',
    HISTORY_KEEP_DAYS: String(keepDays),
  };
  const child = spawn(process.execPath, [...NODE_ARGS, CLI.path, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.pipe(createWriteStream(logPath));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const adminUrl = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const announced = /^admin server listening on (\S+)/.exec(line);
      if (announced?.[1] !== undefined) resolve(announced[1]);
    });
    void exited.then((code) => reject(new Error(`start exited with ${code} before it was up; see ${logPath}`)));
  });
  return { child, adminUrl, exited };
}

interface SyncFigures extends HeapFigures {
  index: number;
  seconds: number;
  rssMb: number;
  peakRssMb: number;
  keys: number;
}

const sim = await startSimProcess(['--affogato', String(assets)]);
const db = await createBenchDb(serverUrl).catch(async (error: unknown) => {
  await sim.stop();
  throw error;
});
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queues = createQueues(redis, prefix);
const logPath = join(mkdtempSync(join(tmpdir(), 'alw-soak-log-')), 'start.log');
let worker: WorkerProcess | undefined;
try {
  const seeded = await seedBackdatedHistory(db.pool, historyScale, keepDays);
  worker = await startWorkerProcess(sim, db.url, logPath);
  const pid = worker.child.pid ?? 0;
  out(
    `soak: ${syncs} full syncs of ${fmt(assets)} Affogato assets by \`start\` (node ${process.version} ${NODE_ARGS.join(' ')}, ` +
      `${runsCompiled(import.meta.url) ? 'compiled build' : 'sources through tsx'}), ${changes} assets added, deleted and archived ` +
      `before each sync after the first, ${churn} finished jobs of churn per sync; queue prefix ${prefix}; start's log: ${logPath}`,
  );
  out(`start process ${pid}: RSS ${rssMb(pid).toFixed(1)} MB once up; Redis keys under the prefix: ${(await keysUnder(redis, `${prefix}:*`)).length}`);

  const figures: SyncFigures[] = [];
  for (let index = 1; index <= syncs; index += 1) {
    if (index > 1) await changeAssets(sim, db.pool);
    let peak = 0;
    const started = performance.now();
    const syncJob = await finished(queues, await enqueue(queues, 'sync.provider', { provider: 'affogato' }), () => (peak = Math.max(peak, rssMb(pid))));
    const seconds = (performance.now() - started) / 1000;
    if ((await syncJob.getState()) !== 'completed') throw new Error(`sync ${index} failed: ${syncJob.failedReason}`);
    const result = syncJob.returnvalue as { state: string; seen: number; inserted: number; updated: number; removed: number };
    for (const job of await enqueueChurn(queues)) await finished(queues, job); // each is among the last 1,000, not trimmed yet
    await sleep(1_000);
    const rss = rssMb(pid);
    const heap = await heapOf(worker.adminUrl);
    const keys = (await keysUnder(redis, `${prefix}:*`)).length;
    const done = await finishedJobs(queues);
    figures.push({ index, seconds, rssMb: rss, peakRssMb: Math.max(peak, rss), keys, ...heap });
    out(
      `sync ${index}/${syncs}${index <= warmup ? ' (warm-up)' : ''}: ${result.state}, ${fmt(result.seen)} seen, ${result.inserted} inserted, ` +
        `${result.updated} updated, ${result.removed} removed, ${seconds.toFixed(2)} s; start RSS ${rss.toFixed(1)} MB after ` +
        `(peak seen during the sync ${Math.max(peak, rss).toFixed(1)} MB; V8 heap ${heap.heapUsedMb.toFixed(1)} MB used of ` +
        `${heap.heapTotalMb.toFixed(1)} MB, external ${heap.externalMb.toFixed(1)} MB); Redis: ${fmt(keys)} keys under the prefix ` +
        `(finished jobs kept: ${fmt(done.completed)} completed, ${fmt(done.failed)} failed)`,
    );
  }

  const counted = figures.filter((f) => f.index > warmup);
  const rssSlope = slope(counted.map((f) => [f.index, f.rssMb]));
  const peakSlope = slope(counted.map((f) => [f.index, f.peakRssMb]));
  const allSlope = slope(figures.map((f) => [f.index, f.rssMb]));
  const rssValues = counted.map((f) => f.rssMb);
  out(
    `RSS after each sync, syncs ${warmup + 1}–${syncs}: ${Math.min(...rssValues).toFixed(1)} – ${Math.max(...rssValues).toFixed(1)} MB, ` +
      `least-squares slope ${signed(rssSlope)} MB/sync (peak during syncs: ${signed(peakSlope)} MB/sync); ` +
      `over all ${syncs} syncs, warm-up included: ${signed(allSlope)} MB/sync`,
  );
  const heapSlope = slope(counted.map((f) => [f.index, f.heapUsedMb]));
  const heapTotalSlope = slope(counted.map((f) => [f.index, f.heapTotalMb]));
  out(
    `V8 heap after each sync, syncs ${warmup + 1}–${syncs}: used ${signed(heapSlope)} MB/sync, allocated ${signed(heapTotalSlope)} MB/sync; ` +
      `external ${signed(slope(counted.map((f) => [f.index, f.externalMb])))} MB/sync`,
  );
  const keyCounts = figures.map((f) => f.keys);
  out(
    `Redis keys under the prefix: ${fmt(keyCounts[0] ?? 0)} after sync 1, at most ${fmt(Math.max(...keyCounts))}, ${fmt(keyCounts.at(-1) ?? 0)} after sync ${syncs} ` +
      `(completed and failed jobs are each kept to the last 1,000 per queue)`,
  );
  const budgetKeys = await keysUnder(redis, 'asset-worker:ratelimit:*');
  const withoutTtl = (await Promise.all(budgetKeys.map((key) => redis.pttl(key)))).filter((ttl) => ttl === -1).length;
  out(`request-budget keys on this Redis (every process's, not under the prefix): ${budgetKeys.length}, ${withoutTtl} of them without an expiry`);

  // the prune, on the history seeded before the run and the soak's own
  const before: HistoryCounts = await countHistoryRows(db.pool);
  const pruneStarted = performance.now();
  const pruneJob = await finished(queues, await enqueue(queues, 'history.prune', {}));
  const pruneSeconds = (performance.now() - pruneStarted) / 1000;
  if ((await pruneJob.getState()) !== 'completed') throw new Error(`history.prune failed: ${pruneJob.failedReason}`);
  const pruned = pruneJob.returnvalue as { cutoff: string; deleted: HistoryCounts; finished: boolean };
  const left = await countHistoryRows(db.pool);
  out(`history prune (HISTORY_KEEP_DAYS ${keepDays}, finished before ${pruned.cutoff}) in ${pruneSeconds.toFixed(2)} s, finished: ${pruned.finished}`);
  out('  table              before  seeded old  deleted     left');
  for (const table of HISTORY_TABLES) {
    out(
      `  ${table.padEnd(17)} ${fmt(before[table]).padStart(7)} ${fmt(seeded.old[table] ?? 0).padStart(11)} ${fmt(pruned.deleted[table]).padStart(8)} ` +
        `${fmt(left[table]).padStart(8)}`,
    );
  }
  const open = await db.pool.query<{ what: string; n: number }>(
    `SELECT 'applying retention runs' AS what, count(*)::int AS n FROM retention_runs WHERE state = 'applying'
     UNION ALL SELECT 'unfinished bulk operations', count(*)::int FROM bulk_operations WHERE state <> 'done'
     UNION ALL SELECT 'open DAG runs', count(*)::int FROM dag_action_runs WHERE outcome IN ('starting', 'running')
     UNION ALL SELECT 'old sync runs kept as the latest complete or finished of their provider', count(*)::int FROM sync_runs WHERE finished_at < $1
     UNION ALL SELECT 'their old quarantined records', count(*)::int FROM quarantine WHERE received_at < $1
     UNION ALL SELECT 'finished retention runs, bulk operations and DAG runs older than the window',
       (SELECT count(*)::int FROM retention_runs WHERE finished_at < $1) + (SELECT count(*)::int FROM bulk_operations WHERE finished_at < $1)
       + (SELECT count(*)::int FROM dag_action_runs WHERE finished_at < $1)`,
    [pruned.cutoff],
  );
  out(`  left after the prune: ${open.rows.map((row) => `${row.what} ${row.n}`).join(', ')} (seeded as old as the rest: ${seeded.openOfEachKind} open of each kind)`);
  const logLine = readFileSync(logPath, 'utf8')
    .split('\n')
    .find((line) => line.includes('"msg":"history pruned'));
  if (logLine !== undefined) out(`start's log line: ${(JSON.parse(logLine) as { msg: string }).msg}`);
} finally {
  if (worker !== undefined) {
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    out(`start stopped with exit status ${code}`);
  }
  await obliterateQueues(queues);
  await closeQueues(queues);
  redis.disconnect();
  await db.drop();
  await sim.stop();
}
