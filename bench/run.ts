/**
 * `npm run bench` (which builds first and runs this compiled): syncs simulator catalogs with no latency and
 * prints figures. It never passes or fails on time; it reports. Options: --affogato N (default 100000)
 * --mediapocket N --roughy N (default 20000 each).
 *
 * The simulator runs in its own process, and so does each provider's sync, so every peak RSS figure is that
 * sync's own. An unchanged re-sync follows each first sync, and for Affogato a raw COPY of the same rows into an
 * empty table gives the ceiling to compare against; a second Affogato sync, into an empty database with the
 * listing replayed from memory, times the write path alone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config.ts';
import { PROVIDER_NAMES, type ProviderName } from '../src/providers/provider-names.ts';
import { createBenchDb } from './bench-db.ts';
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
  options: { affogato: { type: 'string' }, mediapocket: { type: 'string' }, roughy: { type: 'string' } },
});
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

const sim = await startSimProcess(['--affogato', String(counts.affogato), '--mediapocket', String(counts.mediapocket), '--roughy', String(counts.roughy)]);
const db = await createBenchDb(serverUrl);
try {
  process.stdout.write(
    `bench: ${Object.entries(counts).map(([p, n]) => `${p} ${n}`).join(', ')} assets, no latency, node ${process.version} ` +
      `${NODE_ARGS.join(' ')}, ${runsCompiled(import.meta.url) ? 'compiled build' : 'sources through tsx'}\n`,
  );
  for (const provider of PROVIDER_NAMES) {
    if (counts[provider] === 0) continue;
    const f = await syncInOwnProcess(provider, db.url);
    process.stdout.write(
      `${provider}: ${f.seen} assets (${f.pages} pages) in ${f.seconds.toFixed(2)} s = ${Math.round(f.seen / f.seconds)} assets/s (CPU: sync process ${f.cpuSeconds.toFixed(2)} s, ${machineCpu(f)}); ` +
        `peak RSS ${f.peakRssMb.toFixed(0)} MB (${f.baselineRssMb.toFixed(0)} MB before the sync began); unchanged re-sync: ${f.resync.tupleUpdates} rows updated per pg_stat n_tup_upd ` +
        `(${f.resync.inserted} inserted, ${f.resync.updated} updated)\n`,
    );
    if (provider === 'affogato') {
      const copy = await timeRawCopy(db.pool, provider);
      const copyRate = copy.rows / copy.seconds;
      process.stdout.write(
        `${provider}: raw COPY of the same ${copy.rows} rows into an empty table: median ${copy.seconds.toFixed(2)} s ` +
          `(of ${copy.all.map((s) => s.toFixed(2)).join(', ')}) = ${Math.round(copyRate)} rows/s; ` +
          `sync ÷ COPY = ${(f.seen / f.seconds / copyRate).toFixed(2)}\n`,
      );
      // the same sync into an empty catalog with the listing replayed from memory: the write path alone
      const replayDb = await createBenchDb(serverUrl);
      try {
        const r = await syncInOwnProcess(provider, replayDb.url, ['--replay']);
        process.stdout.write(
          `${provider}: write path alone (listing replayed from memory, no HTTP): ${r.seen} assets in ${r.seconds.toFixed(2)} s = ` +
            `${Math.round(r.seen / r.seconds)} assets/s; write path ÷ COPY = ${(r.seen / r.seconds / copyRate).toFixed(2)}\n`,
        );
      } finally {
        await replayDb.drop();
      }
    }
  }
} finally {
  await sim.stop();
  await db.drop();
}
