/**
 * The catalog as Postgres itself writes it out: one COPY … TO STDOUT of the catalog_assets view, read as a
 * stream with the socket's backpressure, so the export holds a chunk at a time whatever the catalog's size.
 *
 * COPY takes no bind parameters, so the filter's values are written into the statement as literals: provider
 * names the registry knows and an instant printed by toISOString, quoted all the same (pg's escapeLiteral).
 */
import type { Readable } from 'node:stream';
import { escapeIdentifier, escapeLiteral } from 'pg';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ProviderName } from '../domain/provider-facts.ts';

const copyTo = copyStreams.to;

export type CatalogExportFormat = 'csv' | 'jsonl';
export const CATALOG_EXPORT_FORMATS: readonly CatalogExportFormat[] = ['csv', 'jsonl'];

export interface CatalogExportFilter {
  /** only these providers; empty: all */
  providers: readonly ProviderName[];
  /** only assets with a catalog_changes row observed at or after this instant (their appearance included) */
  changedSince?: Date;
}

export interface ViewColumn {
  name: string;
  isArray: boolean;
}

/**
 * jsonl is one text column per row, written by a CSV-format COPY whose quote and delimiter are the bytes 0x01 and
 * 0x02: JSON text escapes every control character, and no byte of a multi-byte UTF-8 character is below 0x80, so
 * neither ever occurs, no value is quoted, and each line is the JSON text verbatim. (COPY's text format would
 * double every backslash of it.)
 */
const JSONL_QUOTE = 0x01;
const JSONL_DELIMITER = 0x02;

/** The byte the format's COPY quotes fields with: a row ends at a line feed outside quotes. */
export const EXPORT_QUOTE_BYTE: Record<CatalogExportFormat, number> = { csv: 0x22, jsonl: JSONL_QUOTE };

const byteLiteral = (byte: number) => `E'\\x${byte.toString(16).padStart(2, '0')}'`;

const COPY_OPTIONS: Record<CatalogExportFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  jsonl: `FORMAT csv, QUOTE ${byteLiteral(JSONL_QUOTE)}, DELIMITER ${byteLiteral(JSONL_DELIMITER)}`,
};

/** The view's columns in its own order, read from the database, so the export follows the view as it grows. */
export async function catalogViewColumns(client: Pick<pg.PoolClient, 'query'>): Promise<ViewColumn[]> {
  const result = await client.query<{ name: string; is_array: boolean }>(
    `SELECT a.attname AS name, t.typcategory = 'A' AS is_array
     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = 'catalog_assets'::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
  );
  return result.rows.map((row) => ({ name: row.name, isArray: row.is_array }));
}

/**
 * The filter: the catalog_changes view is an 'appeared' row per asset at assets.first_seen_at plus every
 * asset_changes row, so "a change at or after T" is first_seen_at >= T or a matching asset_changes row, looked up
 * by its indexes rather than through the view's UNION.
 */
function whereClause(filter: CatalogExportFilter): string {
  const conditions: string[] = [];
  if (filter.providers.length > 0) conditions.push(`c.provider IN (${filter.providers.map(escapeLiteral).join(', ')})`);
  if (filter.changedSince !== undefined) {
    const since = `${escapeLiteral(filter.changedSince.toISOString())}::timestamptz`;
    conditions.push(
      `(c.first_seen_at >= ${since} OR EXISTS (SELECT 1 FROM asset_changes ch ` +
        `WHERE ch.provider = c.provider AND ch.asset_id = c.asset_id AND ch.observed_at >= ${since}))`,
    );
  }
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/**
 * The COPY statement. csv: the view's columns by name, an array (tags) as JSON array text, as catalog_changes
 * writes tags. jsonl: row_to_json of the view's row, its keys the view's columns in order.
 */
export function catalogExportStatement(format: CatalogExportFormat, filter: CatalogExportFilter, columns: readonly ViewColumn[]): string {
  const selected =
    format === 'jsonl'
      ? 'row_to_json(c)::text'
      : columns
          .map(({ name, isArray }) => (isArray ? `array_to_json(c.${escapeIdentifier(name)})::text AS ${escapeIdentifier(name)}` : `c.${escapeIdentifier(name)}`))
          .join(', ');
  const query = `SELECT ${selected} FROM catalog_assets c${whereClause(filter)} ORDER BY c.provider, c.asset_id`;
  return `COPY (${query}) TO STDOUT WITH (${COPY_OPTIONS[format]})`;
}

/** How many rows an export with this filter writes: the same filter, counted (the export bench's row counts). */
export function catalogExportCountStatement(filter: CatalogExportFilter): string {
  return `SELECT count(*)::int AS n FROM catalog_assets c${whereClause(filter)}`;
}

export interface CatalogCopy {
  /** the COPY's bytes */
  stream: Readable;
  /** after the stream has ended: ends the transaction and returns the rows the COPY wrote */
  finish(): Promise<number>;
  /** after a failure (or the reader going away): drops the connection, which ends the COPY at the server */
  abandon(error: Error): void;
}

/**
 * Starts the COPY on a connection of its own, in one read-only snapshot, with times written in UTC and ISO style
 * whatever the server's or the role's settings (SET LOCAL: they end with the transaction).
 */
export async function openCatalogCopy(pool: pg.Pool, format: CatalogExportFormat, filter: CatalogExportFilter): Promise<CatalogCopy> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query("SET LOCAL TimeZone = 'UTC'");
    await client.query("SET LOCAL DateStyle = 'ISO, YMD'");
    // the plan is a scan; compiling it (a filtered export's cost crosses jit_above_cost) took longer than it saved
    await client.query('SET LOCAL jit = off');
    // jsonl writes row_to_json of the whole row: only csv names the columns
    const columns = format === 'csv' ? await catalogViewColumns(client) : [];
    const copy = client.query(copyTo(catalogExportStatement(format, filter, columns)));
    return {
      stream: copy,
      async finish() {
        // COMMIT runs after the COPY's completion message, which carries its row count
        try {
          await client.query('COMMIT');
        } catch (error) {
          client.release(error as Error);
          throw error;
        }
        client.release();
        return copy.rowCount;
      },
      abandon(error) {
        client.release(error);
      },
    };
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}
