/**
 * `npm run bench:export` (builds first and runs this compiled): seeds a bench database with `--rows` catalog rows
 * (default 1,000,000) of realistic widths in one INSERT … SELECT generate_series, then times `catalog export` of
 * all of them as csv and as jsonl, and a csv export filtered by --changed-since (1 % of the rows changed), each
 * in a fresh process of its own started like production, writing to /dev/null. Prints rows/s, bytes and the
 * export process's peak RSS. It reports figures; it never passes or fails on time.
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { readEnvironment } from '../src/config.ts';
import type { CatalogExportResult } from '../src/reporting/catalog-export.ts';
import { createBenchDb } from './bench-db.ts';
import { childScript, runsCompiled } from './child-script.ts';
import { seedCatalog } from './export-seed.ts';
import { productionNodeFlags } from './production-flags.ts';

const run = promisify(execFile);
const EXPORT_ONE = childScript('./export-one', import.meta.url);
const NODE_ARGS = [...productionNodeFlags(), ...EXPORT_ONE.loader];

const { values } = parseArgs({ options: { rows: { type: 'string' } } });
const rows = Number(values.rows ?? 1_000_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${values.rows}`);

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface ExportFigures extends CatalogExportResult {
  cpuSeconds: number;
  peakRssMb: number;
  baselineRssMb: number;
}

async function exportInOwnProcess(databaseUrl: string, args: string[]): Promise<ExportFigures> {
  const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, EXPORT_ONE.path, '--database', databaseUrl, ...args], { maxBuffer: 1 << 20 });
  process.stderr.write(stderr);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ExportFigures;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

const db = await createBenchDb(serverUrl);
try {
  process.stdout.write(
    `bench export: ${rows} catalog rows, node ${process.version} ${NODE_ARGS.join(' ')}, ${runsCompiled(import.meta.url) ? 'compiled build' : 'sources through tsx'}\n`,
  );
  const seeded = await seedCatalog(db.pool, rows);
  process.stdout.write(
    `seeded in ${seeded.seconds.toFixed(1)} s: raw ${seeded.rawBytes.toFixed(0)} bytes and title ${seeded.titleChars.toFixed(0)} characters on average; ` +
      `${seeded.changed} rows changed after ${seeded.changedAt.toISOString()}\n`,
  );
  const runs: Array<[string, string[]]> = [
    ['csv', ['--format', 'csv']],
    ['jsonl', ['--format', 'jsonl']],
    [`csv --changed-since (${seeded.changed} of ${rows})`, ['--format', 'csv', '--changed-since', seeded.changedAt.toISOString()]],
  ];
  for (const [label, args] of runs) {
    const f = await exportInOwnProcess(db.url, args);
    process.stdout.write(
      `${label}: ${f.rows} rows, ${mb(f.bytes)} MB in ${f.seconds.toFixed(2)} s = ${Math.round(f.rows / f.seconds)} rows/s, ` +
        `${(f.bytes / 1e6 / f.seconds).toFixed(0)} MB/s (CPU of the export process ${f.cpuSeconds.toFixed(2)} s); ` +
        `peak RSS ${f.peakRssMb.toFixed(0)} MB (${f.baselineRssMb.toFixed(0)} MB before the export began)\n`,
    );
  }
} finally {
  await db.drop();
}
