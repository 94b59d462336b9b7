/**
 * `catalog export` through the real binary against a catalog written by the real repositories: csv and jsonl read
 * back to exactly the catalog_assets view's rows (backslashes, quotes, newlines, tabs, unicode, emoji included),
 * the provider and changed-since filters, the atomic --output, a closed pipe, and the usage errors.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertRecords } from '../src/db/catalog.repository.ts';
import { setChangeContext } from '../src/db/change-context.ts';
import { withTransaction } from '../src/db/transaction.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import type { CatalogRecord } from '../src/providers/provider.ts';
import { exportCatalogToFile } from '../src/reporting/catalog-export.ts';
import { createAtomicFile } from '../src/util/atomic-file.ts';
import { catalogRecord as record } from './support/catalog-records.ts';
import { runCli, startCli } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-02-01T00:00:00Z');
const T2 = new Date('2025-03-01T12:00:00Z');
const T3 = new Date('2025-04-01T00:00:00Z');
/** enough rows that the export outgrows a pipe's buffer */
const BULK_ROWS = 3000;

/** Text that breaks naive CSV and COPY text handling. */
const NASTY = 'back\\slash \\N "quoted", tab\there\r\nnew\nline \u0001\u0002 ünïcødé 中文 😀👩‍👩‍👧';
const NASTY_RECORDS: Record<string, CatalogRecord[]> = {
  affogato: [
    record('a1', { title: NASTY, tags: ['a,b', '"q"', '{brace}', 'back\\slash', 'new\nline', '', '😀', 'NULL'], raw: { t: NASTY, n: [1, 2.5, null], nested: { '\\': '\\"' } } }),
    record('a2', { title: '', tags: [], durationSeconds: '12.500', raw: { note: 'empty title, no tags' } }),
    record('a3', { title: null, tags: null, kind: null, status: null, width: null, height: null, sizeBytes: null, url: null, providerCreatedAt: null }),
    record('a4', { title: '\\.', tags: ['\\.'], raw: { marker: '\\.', ctrl: '\u001f', sep: '\u2028' } }),
  ],
  mediapocket: [record('m1', { kind: 'video', durationSeconds: '3.25', frames: 78, status: 'ready' })],
  roughy: [record('r1', { tags: ['x'] }), record('r2', { title: 'to be removed' })],
};

async function write(pool: pg.Pool, at: Date, provider: ProviderName, records: CatalogRecord[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await setChangeContext(client, { source: 'sync', at });
    await upsertRecords(client, provider, records, at);
  });
}

/** A strict RFC 4180 reader: an unquoted empty field is null (COPY's NULL), a quoted one the empty text. */
function parseCsv(text: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let at = 0;
  while (at < text.length) {
    let value: string | null;
    if (text[at] === '"') {
      value = '';
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error('unterminated quoted field');
        value += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        value += '"';
        at += 1;
      }
    } else {
      const end = text.slice(at).search(/[,\n]/);
      const raw = end < 0 ? text.slice(at) : text.slice(at, at + end);
      if (raw.includes('"')) throw new Error(`a quote inside an unquoted field: ${raw}`);
      value = raw === '' ? null : raw;
      at += raw.length;
    }
    row.push(value);
    if (text[at] === ',') {
      at += 1;
    } else if (text[at] === '\n') {
      rows.push(row);
      row = [];
      at += 1;
    } else {
      throw new Error(`unexpected ${JSON.stringify(text[at])} after a field at ${at}`);
    }
  }
  if (row.length > 0) throw new Error('the last line has no line feed');
  return rows;
}

/** The view's rows as pg reads them, and as Postgres's own text (UTC, ISO), in the export's order. */
async function viewRows(pool: pg.Pool, where = 'true'): Promise<{ typed: Array<Record<string, unknown>>; text: Array<Record<string, string | null>>; columns: string[] }> {
  const sql = `SELECT * FROM catalog_assets c WHERE ${where} ORDER BY provider, asset_id`;
  const client = await pool.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    await client.query("SET DateStyle = 'ISO, YMD'");
    const typed = await client.query<Record<string, unknown>>(sql);
    const text = await client.query<Record<string, string | null>>({ text: sql, types: { getTypeParser: () => (value: string) => value } });
    return { typed: typed.rows, text: text.rows, columns: typed.fields.map((field) => field.name) };
  } finally {
    await client.query('RESET ALL');
    client.release();
  }
}

describe('catalog export', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let outDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url };
    outDir = mkdtempSync(join(tmpdir(), 'alw-export-'));
    const pool = database.pool;
    // T0: the first import
    for (const [provider, records] of Object.entries(NASTY_RECORDS)) await write(pool, T0, provider as ProviderName, records);
    const bulk = Array.from({ length: BULK_ROWS }, (_, i) =>
      record(`bulk-${String(i).padStart(5, '0')}`, { tags: ['bulk', `n${i}`], raw: { i, pad: 'x'.repeat(300), title: `bulk ${i} "q" \\ 😀` } }),
    );
    await write(pool, T0, 'mediapocket', bulk);
    // T1: a title changes, tags change (the payload with them: the merge rewrites a row whose raw changed)
    await write(pool, T1, 'affogato', [{ ...(NASTY_RECORDS.affogato?.[2] as CatalogRecord), title: 'named at last', raw: { id: 'a3', title: 'named at last' } }]);
    await write(pool, T1, 'roughy', [record('r1', { tags: ['x', 'y'], raw: { id: 'r1', tags: ['x', 'y'] } })]);
    // T2: trashed, removed (by the sync's removal check), and a change to raw alone, which catalog_changes does not record
    await write(pool, T2, 'mediapocket', [record('m1', { kind: 'video', durationSeconds: '3.25', frames: 78, status: 'ready', trashedAt: T2 })]);
    await write(pool, T2, 'affogato', [{ ...(NASTY_RECORDS.affogato?.[3] as CatalogRecord), raw: { marker: '\\.', changed: true } }]);
    await withTransaction(pool, async (client) => {
      await setChangeContext(client, { source: 'sync', at: T2 });
      await client.query(`UPDATE assets SET removed_at = $1 WHERE provider = 'roughy' AND asset_id = 'r2'`, [T2]);
    });
    // T3: a new asset appears
    await write(pool, T3, 'affogato', [record('a9', { title: 'newcomer' })]);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('csv: a header of the view columns, then lines that read back to exactly the view rows', async () => {
    const result = await runCli(['catalog', 'export'], env);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = parseCsv(result.stdout);
    const view = await viewRows(database.pool);
    expect(header).toEqual(view.columns);
    expect(rows).toHaveLength(view.typed.length);
    expect(rows.length).toBe(7 + BULK_ROWS + 1);
    rows.forEach((row, i) => {
      const typed = view.typed[i] as Record<string, unknown>;
      const text = view.text[i] as Record<string, string | null>;
      view.columns.forEach((column, c) => {
        const field = row[c] ?? null;
        if (column === 'tags') expect(field === null ? null : JSON.parse(field)).toEqual(typed.tags);
        else if (column === 'raw') expect(JSON.parse(field ?? 'null')).toEqual(typed.raw);
        else expect(field, `${text.asset_id}.${column}`).toBe(text[column]);
      });
    });
    const a1 = rows.find((row) => row[1] === 'a1');
    expect(a1?.[view.columns.indexOf('title')]).toBe(NASTY);
    // an empty title is "" and a null one an empty field; no tags is [] and null tags an empty field
    const a2 = rows.find((row) => row[1] === 'a2');
    const a3 = rows.find((row) => row[1] === 'a3');
    expect([a2?.[view.columns.indexOf('title')], a2?.[view.columns.indexOf('tags')]]).toEqual(['', '[]']);
    expect([a3?.[view.columns.indexOf('kind')], a3?.[view.columns.indexOf('tags')]]).toEqual([null, null]);
  });

  it('jsonl: one JSON object per line, keyed by the view columns in order, equal to the view rows', async () => {
    const result = await runCli(['catalog', 'export', '--format', 'jsonl'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    const lines = result.stdout.slice(0, -1).split('\n');
    const view = await viewRows(database.pool);
    expect(lines).toHaveLength(view.typed.length);
    const expected = await database.pool.query<{ j: Record<string, unknown> }>('SELECT row_to_json(c) AS j FROM catalog_assets c ORDER BY provider, asset_id');
    lines.forEach((line, i) => {
      const object = JSON.parse(line) as Record<string, unknown>;
      const typed = view.typed[i] as Record<string, unknown>;
      expect(Object.keys(object)).toEqual(view.columns);
      expect(object).toEqual(expected.rows[i]?.j);
      for (const column of view.columns) {
        const value = object[column];
        const want = typed[column];
        if (want instanceof Date) expect(new Date(value as string).getTime()).toBe(want.getTime());
        else if (column === 'duration_seconds') expect(value === null ? null : Number(value)).toBe(want === null ? null : Number(want));
        else expect(value, `${String(typed.asset_id)}.${column}`).toEqual(want);
      }
    });
    const a1 = JSON.parse(lines.find((line) => line.includes('"asset_id":"a1"')) ?? '{}') as { title: string; tags: string[]; raw: { t: string } };
    expect(a1.title).toBe(NASTY);
    expect(a1.raw.t).toBe(NASTY);
    expect(a1.tags).toContain('back\\slash');
  });

  it('--provider (repeatable) exports those providers only', async () => {
    const result = await runCli(['catalog', 'export', '--format', 'jsonl', '--provider', 'roughy', '--provider', 'affogato', '--provider', 'roughy'], env);
    expect(result.code, result.stderr).toBe(0);
    const ids = result.stdout.trimEnd().split('\n').map((line) => `${JSON.parse(line).provider}/${JSON.parse(line).asset_id}`);
    expect(ids).toEqual(['affogato/a1', 'affogato/a2', 'affogato/a3', 'affogato/a4', 'affogato/a9', 'roughy/r1', 'roughy/r2']);
  });

  it.each([
    ['2024-06-01', null],
    ['2025-02-01', ['affogato/a3', 'affogato/a9', 'mediapocket/m1', 'roughy/r1', 'roughy/r2']],
    ['2025-03-01T12:00:00Z', ['affogato/a9', 'mediapocket/m1', 'roughy/r2']],
    ['2025-03-01T13:00+01:00', ['affogato/a9', 'mediapocket/m1', 'roughy/r2']],
    ['2025-03-01T12:00:00.001Z', ['affogato/a9']],
    ['2025-04-02', []],
  ])('--changed-since %s exports exactly the assets with a catalog_changes row at or after it', async (since, expected) => {
    const result = await runCli(['catalog', 'export', '--changed-since', since], env);
    expect(result.code, result.stderr).toBe(0);
    const [, ...rows] = parseCsv(result.stdout);
    const ids = rows.map((row) => `${row[0]}/${row[1]}`);
    const changes = await database.pool.query<{ id: string }>(
      `SELECT DISTINCT provider || '/' || asset_id AS id FROM catalog_changes WHERE observed_at >= $1 ORDER BY 1`,
      [since.includes('T') ? since : `${since}T00:00:00Z`],
    );
    expect(ids).toEqual(changes.rows.map((row) => row.id));
    if (expected === null) expect(ids).toHaveLength(7 + BULK_ROWS + 1);
    else expect(ids).toEqual(expected);
  });

  it('--changed-since with --provider: both filters', async () => {
    const result = await runCli(['catalog', 'export', '--changed-since', '2025-02-01', '--provider', 'mediapocket', '--format', 'jsonl'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).asset_id)).toEqual(['m1']);
  });

  it('--output writes the same bytes as stdout, renamed into place, with a summary on stderr and no temporary file left', async () => {
    const dir = mkdtempSync(join(outDir, 'ok-'));
    const path = join(dir, 'catalog.jsonl');
    const [toFile, toStdout] = await Promise.all([
      runCli(['catalog', 'export', '--format', 'jsonl', '--output', path], env),
      runCli(['catalog', 'export', '--format', 'jsonl'], env),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(path, 'utf8')).toBe(toStdout.stdout);
    expect(readdirSync(dir)).toEqual(['catalog.jsonl']);
    const bytes = Buffer.byteLength(toStdout.stdout);
    // stderr is not a terminal here: plain progress lines, then the summary
    const lines = toFile.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((line) => /^export: \d+ rows, \d+\.\d MB$/.test(line)), toFile.stderr).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^exported ${7 + BULK_ROWS + 1} rows, ${bytes} bytes in \\d+\\.\\d\\d s to `));
  });

  it('a stopped export deletes its temporary file and leaves the file under the name as it was', async () => {
    const dir = mkdtempSync(join(outDir, 'stop-'));
    const path = join(dir, 'catalog.csv');
    writeFileSync(path, 'the previous export\n');
    const file = await createAtomicFile(path);
    expect(readdirSync(dir)).toHaveLength(2);
    const stop = new AbortController();
    stop.abort(new DOMException('stopped', 'AbortError'));
    await expect(exportCatalogToFile(database.pool, { format: 'csv', providers: [] }, file, { signal: stop.signal })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['catalog.csv']);
    expect(readFileSync(path, 'utf8')).toBe('the previous export\n');
    // the aborted COPY's connection was dropped, not returned to the pool mid-COPY
    expect((await database.pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n).toBe(1);
  });

  it.each([
    [['--format', 'xml'], '--format'],
    [['--changed-since', 'last tuesday'], '--changed-since'],
    [['--changed-since', '2025-02-30'], '--changed-since'],
    [['--provider', 'nosuch'], 'nosuch'],
    [['--provider', 'roughy', '--provider', 'Affogato'], 'Affogato'],
  ])('%j is a usage error (exit 2) naming %s, and writes nothing', async (args, named) => {
    const dir = mkdtempSync(join(outDir, 'bad-'));
    const result = await runCli(['catalog', 'export', ...args, '--output', join(dir, 'out.csv')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(named);
    expect(result.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--output in a directory that does not exist is a usage error naming --output', async () => {
    const result = await runCli(['catalog', 'export', '--output', join(outDir, 'no-such-dir', 'out.csv')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write --output');
  });

  it('a reader that closes the pipe early (| head) ends the export quietly with exit 0', async () => {
    const cli = startCli(['catalog', 'export'], env);
    await new Promise<void>((resolve) => cli.child.stdout?.once('data', () => resolve()));
    cli.child.stdout?.destroy();
    const result = await cli.result;
    expect(result.code).toBe(0);
    // nothing but progress lines: no error, no stack trace
    expect(result.stderr.split('\n').filter((line) => line !== '' && !/^export: \d+ rows, \d+\.\d MB$/.test(line))).toEqual([]);
  });

  it('--help describes the options, formats and columns', async () => {
    const result = await runCli(['catalog', 'export', '--help'], {});
    expect(result.code).toBe(0);
    for (const text of ['--provider', '--format', 'csv', 'jsonl', '--changed-since', '--output', 'catalog_assets', 'first_seen_at']) {
      expect(result.stdout).toContain(text);
    }
  });
});
