/**
 * `npm run bench:export` (builds first and runs this compiled): seeds a bench database with `--rows` catalog rows
 * (default 1,000,000) of realistic widths in one INSERT … SELECT generate_series, then times the compiled CLI's
 * `catalog export` of all of them as csv and as jsonl, and a csv export filtered by --changed-since (1 % of the
 * rows changed), each in a fresh process started like production (`config.node_flags`) with stdout on /dev/null,
 * after one export that selects nothing (the command's fixed cost). Prints wall time from spawn to exit, rows/s,
 * bytes and the command's peak RSS, which bench/export-exit-figures.ts (loaded with --import) reads as the
 * process exits. It reports figures; it never passes or fails on time.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config.ts';
import { catalogExportCountStatement } from '../src/db/catalog-export.repository.ts';
import { createBenchDb, type BenchDb } from './bench-db.ts';
import { childScript, runsCompiled } from './child-script.ts';
import { seedCatalog } from './export-seed.ts';
import { productionNodeFlags } from './production-flags.ts';

const EXIT_FIGURES = childScript('./export-exit-figures', import.meta.url);
const CLI = childScript('../src/cli/main', import.meta.url);
const NODE_ARGS = [...productionNodeFlags(), ...CLI.loader, '--import', EXIT_FIGURES.path];

const { values } = parseArgs({ options: { rows: { type: 'string' } } });
const rows = Number(values.rows ?? 1_000_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${values.rows}`);

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface CommandFigures {
  seconds: number;
  bytes: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** One `catalog export` command in a process of its own; its figures arrive on file descriptor 3 as it exits. */
async function exportCommand(databaseUrl: string, args: string[]): Promise<CommandFigures> {
  const devNull = openSync('/dev/null', 'w');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...NODE_ARGS, CLI.path, 'catalog', 'export', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', devNull, 'pipe', 'pipe'],
  });
  closeSync(devNull);
  let stderr = '';
  let figures = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdio[3]?.on('data', (chunk: Buffer) => (figures += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`catalog export ${args.join(' ')} exited ${code}: ${stderr}`);
  const measured = JSON.parse(figures.trim()) as { peakRssMb: number; cpuSeconds: number; stdoutBytes: number };
  return { seconds, bytes: measured.stdoutBytes, cpuSeconds: measured.cpuSeconds, peakRssMb: measured.peakRssMb };
}

/** The rows an export with this filter holds, counted in SQL beforehand (the command prints no count). */
async function expectedRows(db: BenchDb, since?: Date): Promise<number> {
  const statement = catalogExportCountStatement({ providers: [], ...(since === undefined ? {} : { changedSince: since }) });
  const result = await db.pool.query<{ n: number }>(statement);
  return result.rows[0]?.n ?? 0;
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
  const nothing = new Date('2999-01-01T00:00:00Z');
  const runs: Array<[string, string[], Date | undefined]> = [
    ['nothing selected (the fixed cost)', ['--format', 'csv', '--changed-since', nothing.toISOString()], nothing],
    ['csv', ['--format', 'csv'], undefined],
    ['jsonl', ['--format', 'jsonl'], undefined],
    [`csv --changed-since`, ['--format', 'csv', '--changed-since', seeded.changedAt.toISOString()], seeded.changedAt],
  ];
  for (const [label, args, since] of runs) {
    const rowCount = await expectedRows(db, since);
    const f = await exportCommand(db.url, args);
    process.stdout.write(
      `${label}: ${rowCount} rows, ${mb(f.bytes)} MB in ${f.seconds.toFixed(2)} s = ${Math.round(rowCount / f.seconds)} rows/s ` +
        `(CPU of the command ${f.cpuSeconds.toFixed(2)} s); peak RSS of the command ${f.peakRssMb.toFixed(0)} MB\n`,
    );
  }
} finally {
  await db.drop();
}
