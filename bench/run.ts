/**
 * `npm run bench` (which builds first and runs this compiled): syncs simulator catalogs with no latency and
 * prints figures. It never passes or fails on time; it reports. Options: --affogato N (default 100000)
 * --mediapocket N --roughy N (default 20000 each) --runs N (default 3).
 *
 * The simulator runs in its own process, and so does each provider's sync, so every peak RSS figure is that
 * sync's own. Each provider is synced once to warm the simulator up, then `--runs` times; each sync is done by a
 * fresh process into a fresh database, and an unchanged re-sync follows each. For Affogato, a raw COPY of the
 * same rows into an empty table, timed right after each sync on the same server, gives the ceiling to compare
 * against; the median of the runs' ratios is the figure. A last Affogato sync, into an empty database with the
 * listing replayed from memory, times the write path alone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config.ts';
import { SIM_PROVIDERS as PROVIDER_NAMES, type SimProvider as ProviderName } from '../src/simulator/simulator.types.ts';
import { createBenchDb, type BenchDb } from './bench-db.ts';
import { childScript, runsCompiled } from './child-script.ts';
import { timeRawCopy } from './copy-baseline.ts';
import { productionNodeFlags } from './production-flags.ts';
import { startSimProcess } from './sim-process.ts';

const run = promisify(execFile);
// `npm run bench` runs the compiled build, as production does: the sync processes then need no TypeScript loader.
// Run from the sources (node --import tsx bench/run.ts), they load it too, and their RSS includes it.
const SYNC_ONE = childScript('./sync-one', import.meta.url);
const NODE_ARGS = [...productionNodeFlags(), ...SYNC_ONE.loader];

const { values } = parseArgs({
  options: { affogato: { type: 'string' }, mediapocket: { type: 'string' }, roughy: { type: 'string' }, runs: { type: 'string' } },
});
const runs = Number(values.runs ?? 3);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
const runsText = `${runs} counted run${runs === 1 ? '' : 's'}`;
const counts: Record<ProviderName, number> = {
  affogato: Number(values.affogato ?? 100_000),
  mediapocket: Number(values.mediapocket ?? 20_000),
  roughy: Number(values.roughy ?? 20_000),
};

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = environment.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface SyncFigures {
  provider: ProviderName;
  seen: number;
  pages: number;
  seconds: number;
  /** the sync process's own CPU time (user + system) during the first sync */
  cpuSeconds: number;
  /** CPU time of the whole machine (sync, simulator, Postgres, the rest) during the first sync; null off Linux */
  machineBusySeconds: number | null;
  cores: number;
  peakRssMb: number;
  /** the process before its sync started: Node, the TypeScript loader and the modules */
  baselineRssMb: number;
  resync: { inserted: number; updated: number; tupleUpdates: number };
}

function machineCpu(f: SyncFigures): string {
  if (f.machineBusySeconds === null) return 'whole machine not measured';
  return `whole machine ${f.machineBusySeconds.toFixed(2)} s of the ${(f.seconds * f.cores).toFixed(2)} s its ${f.cores} cores had`;
}

/** Runs one provider's sync (then an unchanged re-sync) in a process of its own; its figures. */
async function syncInOwnProcess(provider: ProviderName, databaseUrl: string, extra: string[] = []): Promise<SyncFigures> {
  const { stdout, stderr } = await run(
    process.execPath,
    [...NODE_ARGS, SYNC_ONE.path, '--provider', provider, '--database', databaseUrl, '--redis', redisUrl, '--prefix', `alw-bench-${process.pid}`, '--sim', JSON.stringify(sim), ...extra],
    { maxBuffer: 1 << 20 },
  );
  process.stderr.write(stderr);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as SyncFigures;
}

interface RunFigures {
  sync: SyncFigures;
  /** a raw COPY of the run's rows, timed right after its sync (Affogato only) */
  copy?: { rows: number; seconds: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const rate = (f: SyncFigures) => f.seen / f.seconds;
const copyRate = (copy: { rows: number; seconds: number }) => copy.rows / copy.seconds;
/** the median rate of the runs' raw COPYs (Affogato's runs have them) */
const medianCopyRate = (results: RunFigures[]) => median(results.flatMap((r) => (r.copy === undefined ? [] : [copyRate(r.copy)])));

/** One sync by a fresh process into a fresh database (and its unchanged re-sync); for Affogato, a raw COPY after it. */
async function timedRun(provider: ProviderName): Promise<RunFigures> {
  const db: BenchDb = await createBenchDb(serverUrl);
  try {
    const sync = await syncInOwnProcess(provider, db.url);
    return provider === 'affogato' ? { sync, copy: await timeRawCopy(db.pool, provider) } : { sync };
  } finally {
    await db.drop();
  }
}

/** `index` is the run's number, 0 for the warm-up */
function runLine(provider: ProviderName, index: number, { sync: f, copy }: RunFigures): string {
  const copyPart =
    copy === undefined
      ? ''
      : `; raw COPY of the same ${copy.rows} rows into an empty table: ${copy.seconds.toFixed(2)} s = ${Math.round(copyRate(copy))} rows/s; ` +
        `sync ÷ COPY = ${(rate(f) / copyRate(copy)).toFixed(2)}`;
  return (
    `${provider} ${index === 0 ? 'warm-up run (not counted)' : `run ${index} of ${runs}`}: ${f.seen} assets (${f.pages} pages) in ${f.seconds.toFixed(2)} s = ${Math.round(rate(f))} assets/s ` +
    `(CPU: sync process ${f.cpuSeconds.toFixed(2)} s, ${machineCpu(f)}); peak RSS ${f.peakRssMb.toFixed(0)} MB ` +
    `(${f.baselineRssMb.toFixed(0)} MB before the sync began); unchanged re-sync: ${f.resync.tupleUpdates} rows updated per pg_stat n_tup_upd ` +
    `(${f.resync.inserted} inserted, ${f.resync.updated} updated)${copyPart}\n`
  );
}

function summaryLine(provider: ProviderName, results: RunFigures[]): string {
  const syncs = results.map((r) => r.sync);
  const ratios = results.flatMap((r) => (r.copy === undefined ? [] : [rate(r.sync) / copyRate(r.copy)]));
  const ratioPart =
    ratios.length === 0
      ? ''
      : `, raw COPY ${Math.round(medianCopyRate(results))} rows/s, sync ÷ COPY = ${median(ratios).toFixed(2)} ` +
        `(runs: ${ratios.map((r) => r.toFixed(2)).join(', ')})`;
  const updated = Math.max(...syncs.map((f) => f.resync.tupleUpdates));
  return (
    `${provider}: median of ${runsText}: ${Math.round(median(syncs.map(rate)))} assets/s${ratioPart}; ` +
    `peak RSS at most ${Math.max(...syncs.map((f) => f.peakRssMb)).toFixed(0)} MB; ` +
    `unchanged re-sync: at most ${updated} rows updated in any counted run\n`
  );
}

const sim = await startSimProcess(['--affogato', String(counts.affogato), '--mediapocket', String(counts.mediapocket), '--roughy', String(counts.roughy)]);
try {
  process.stdout.write(
    `bench: ${Object.entries(counts).map(([p, n]) => `${p} ${n}`).join(', ')} assets, no latency, a warm-up run and ${runsText} each, node ${process.version} ` +
      `${NODE_ARGS.join(' ')}, ${runsCompiled(import.meta.url) ? 'compiled build' : 'sources through tsx'}\n`,
  );
  for (const provider of PROVIDER_NAMES) {
    if (counts[provider] === 0) continue;
    const results: RunFigures[] = [];
    // The simulator stands in for a provider's servers, which are warm; started cold, it serves its first listing
    // markedly slower (JIT compilation, the first serialization of every asset). Each sync process starts cold.
    process.stdout.write(runLine(provider, 0, await timedRun(provider)));
    for (let index = 1; index <= runs; index += 1) {
      const result = await timedRun(provider);
      results.push(result);
      process.stdout.write(runLine(provider, index, result));
    }
    process.stdout.write(summaryLine(provider, results));
    if (provider === 'affogato') {
      // the same sync into an empty catalog with the listing replayed from memory: the write path alone
      const copyMedian = medianCopyRate(results);
      const replayDb = await createBenchDb(serverUrl);
      try {
        const r = await syncInOwnProcess(provider, replayDb.url, ['--replay']);
        process.stdout.write(
          `${provider}: write path alone (listing replayed from memory, no HTTP): ${r.seen} assets in ${r.seconds.toFixed(2)} s = ` +
            `${Math.round(rate(r))} assets/s; write path ÷ median COPY = ${(rate(r) / copyMedian).toFixed(2)}\n`,
        );
      } finally {
        await replayDb.drop();
      }
    }
  }
} finally {
  await sim.stop();
}
