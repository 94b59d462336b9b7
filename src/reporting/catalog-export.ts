/**
 * `catalog export`: the COPY's bytes piped to a writable (stdout, or a file that appears complete or not at all),
 * a chunk at a time with the destination's backpressure, counted on the way for the progress display.
 */
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { CopyRowCounter } from '../domain/copy-row-counter.ts';
import {
  EXPORT_QUOTE_BYTE,
  openCatalogCopy,
  type CatalogExportFilter,
  type CatalogExportFormat,
} from '../db/catalog-export.repository.ts';
import type { AtomicFile } from '../util/atomic-file.ts';

export interface CatalogExportRequest extends CatalogExportFilter {
  format: CatalogExportFormat;
}

export interface CatalogExportProgress {
  /** rows written so far (for csv, not counting the header line) */
  rows: number;
  bytes: number;
}

export interface CatalogExportResult {
  rows: number;
  bytes: number;
  seconds: number;
}

export interface CatalogExportOptions {
  /** ends the export (an AbortError) */
  signal?: AbortSignal;
  /** called as chunks pass; rows are counted only when this is given */
  onProgress?: (progress: CatalogExportProgress) => void;
}

/** Counts the bytes (and, for progress, the rows) that pass, without copying them. */
function countingStream(format: CatalogExportFormat, progress: CatalogExportProgress, onProgress?: (progress: CatalogExportProgress) => void): Transform {
  const rows = onProgress === undefined ? undefined : new CopyRowCounter(EXPORT_QUOTE_BYTE[format]);
  const headerLines = format === 'csv' ? 1 : 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.bytes += chunk.length;
      if (rows !== undefined && onProgress !== undefined) {
        rows.add(chunk);
        progress.rows = Math.max(0, rows.count - headerLines);
        onProgress(progress);
      }
      done(null, chunk);
    },
  });
}

/** Streams the catalog into `destination` and ends it. Rejects as the destination does (EPIPE from a closed pipe). */
export async function exportCatalog(
  pool: pg.Pool,
  request: CatalogExportRequest,
  destination: Writable,
  options: CatalogExportOptions = {},
): Promise<CatalogExportResult> {
  const started = performance.now();
  const progress: CatalogExportProgress = { rows: 0, bytes: 0 };
  const copy = await openCatalogCopy(pool, request.format, request);
  try {
    await pipeline(copy.stream, countingStream(request.format, progress, options.onProgress), destination, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    copy.abandon(error as Error);
    throw error;
  }
  const rows = await copy.finish();
  return { rows, bytes: progress.bytes, seconds: (performance.now() - started) / 1000 };
}

/**
 * Exports into `file` (see createAtomicFile): on any failure or stop, the temporary file is deleted and whatever
 * was under the name before stays as it was. `file` is created by the caller, so it can tell a path it cannot
 * write to from a failed export.
 */
export async function exportCatalogToFile(
  pool: pg.Pool,
  request: CatalogExportRequest,
  file: AtomicFile,
  options: CatalogExportOptions = {},
): Promise<CatalogExportResult> {
  try {
    const result = await exportCatalog(pool, request, file.stream, options);
    await file.commit();
    return result;
  } catch (error) {
    await file.discard();
    throw error;
  }
}
