import { Option, type Command } from 'commander';
import { closePool, createPool } from '../db/client.ts';
import { CATALOG_EXPORT_FORMATS, type CatalogExportFormat } from '../db/catalog-export.repository.ts';
import { parseInstant } from '../domain/instant-text.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { errorMessage } from '../errors.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import {
  exportCatalog,
  exportCatalogToFile,
  type CatalogExportOptions,
  type CatalogExportRequest,
  type CatalogExportResult,
} from '../reporting/catalog-export.ts';
import { createAtomicFile, type AtomicFile } from '../util/atomic-file.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { EXIT_OK, runBare, type CommandIo } from './runtime.ts';
import { collect } from './sync.command.ts';
import { UsageError } from './usage-error.ts';

interface ExportOptions {
  provider: string[];
  format: CatalogExportFormat;
  changedSince?: string;
  output?: string;
}

const HELP_AFTER = `
Columns: those of the catalog_assets view, in its order (provider, asset_id, kind, status, title, url, width,
height, duration_seconds, frames, size_bytes, tags, provider_created_at, provider_updated_at, first_seen_at,
last_seen_at, trashed_at, removed_at, raw), ordered by provider and asset id; times in UTC.
  csv    a header line, then RFC 4180 lines; a null is an empty field, an empty text is ""; tags as a JSON array
  jsonl  one JSON object per line, keyed by the column names (tags a JSON array, raw a JSON object)

Examples:
  asset-worker catalog export --provider affogato > affogato.csv
  asset-worker catalog export --format jsonl --changed-since 2025-03-01 --output changes.jsonl`;

/** Every option checked before the database or the file is touched: a bad one writes nothing. */
function exportRequest(options: ExportOptions): CatalogExportRequest {
  const providers = [...new Set(options.provider.map((name) => builtinProviderRegistry.require(name).name as ProviderName))];
  let changedSince: Date | undefined;
  if (options.changedSince !== undefined) {
    changedSince = parseInstant(options.changedSince);
    if (changedSince === undefined) {
      throw new UsageError(
        `--changed-since takes an ISO date or timestamp (2025-03-01, 2025-03-01T12:00:00Z; UTC unless a zone is given), not "${options.changedSince}"`,
      );
    }
  }
  return { format: options.format, providers, ...(changedSince === undefined ? {} : { changedSince }) };
}

async function createOutputFile(path: string): Promise<AtomicFile> {
  try {
    return await createAtomicFile(path);
  } catch (error) {
    throw new UsageError(`cannot write --output ${path}: ${errorMessage(error)}`);
  }
}

/** The reader of stdout went away (`| head`): the export ends there, quietly, as a success. */
function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EPIPE';
}

/**
 * Rows and bytes on stderr: a bar on a terminal, a plain line every 2 s otherwise. Never on stdout, which may
 * be carrying the data.
 */
function progressFor(io: CommandIo): { options: CatalogExportOptions; stop(): void } {
  const display = createProgressDisplay(process.stderr.isTTY === true, io.err);
  const task = display.task('export');
  return {
    options: { signal: io.signal, onProgress: ({ rows, bytes }) => task.update(rows, undefined, `rows, ${(bytes / 1e6).toFixed(1)} MB`) },
    stop: () => display.stop(),
  };
}

const summary = (r: CatalogExportResult, path: string) =>
  `exported ${r.rows} rows, ${r.bytes} bytes in ${r.seconds.toFixed(2)} s to ${path}`;

export function registerCatalogExportCommand(catalog: Command): void {
  catalog
    .command('export')
    .description('streams the catalog (the catalog_assets view) as CSV or JSON lines to stdout or a file, in constant memory')
    .option('--provider <name>', 'only this provider (repeat for several)', collect, [])
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(CATALOG_EXPORT_FORMATS).default('csv'))
    .option('--changed-since <date>', 'only assets that appeared or changed at or after DATE (ISO date or timestamp; UTC unless a zone is given)')
    .option('--output <file>', 'write FILE instead of stdout: under a temporary name beside it, renamed once complete')
    .addHelpText('after', HELP_AFTER)
    .action((options: ExportOptions) =>
      // the catalog alone, as `report`: no Redis, no provider needs to be enabled
      runBare(async (config, _logger, io) => {
        const request = exportRequest(options);
        const file = options.output === undefined ? undefined : await createOutputFile(options.output);
        const pool = createPool(config.databaseUrl, 1);
        const progress = progressFor(io);
        try {
          if (file === undefined) {
            await exportCatalog(pool, request, process.stdout, progress.options);
          } else {
            const result = await exportCatalogToFile(pool, request, file, progress.options);
            progress.stop();
            io.err(summary(result, file.path));
          }
          return EXIT_OK;
        } catch (error) {
          if (file === undefined && isClosedPipe(error)) return EXIT_OK;
          // an export has nothing to resume: say what became of the output instead
          if (io.signal.aborted) {
            throw new Error(file === undefined ? 'stopped by a signal: the output is incomplete' : `stopped by a signal: ${file.path} was not written`);
          }
          throw error;
        } finally {
          progress.stop();
          await closePool(pool);
        }
      }),
    );
}
