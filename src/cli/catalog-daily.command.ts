/**
 * `catalog daily`: what the scheduled `catalog.daily` job does, once, by hand, but every day in one go (the job goes
 * in slices of 31 days so as not to hold up the retention queue); `--rebuild` recomputes final days too.
 */
import type { Command } from 'commander';
import { closePool, createPool } from '../db/client.ts';
import { parseDay, utcDay } from '../domain/catalog-days.ts';
import { formatDayWritten, runCatalogDaily } from '../reporting/catalog-daily.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { EXIT_FAILED, EXIT_OK, runBare } from './runtime.ts';
import { UsageError } from './usage-error.ts';

interface DailyOptions {
  rebuild?: boolean;
  from?: string;
  json?: boolean;
}

/** The checked --from, or undefined when not given; a malformed date or one after today is a usage error. */
function parseFromOption(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  const day = parseDay(value);
  if (day === undefined) throw new UsageError(`--from must be a date written YYYY-MM-DD (got ${JSON.stringify(value)})`);
  if (day > utcDay(now)) throw new UsageError(`--from ${day} is after today (${utcDay(now)} UTC): there is nothing to compute yet`);
  return day;
}

export function registerCatalogDailyCommand(catalog: Command): void {
  catalog
    .command('daily')
    .description(
      'computes the daily figures (the catalog_daily view) as the hourly job does, all in one go: every day from the one ' +
        'after the last final day (or from the first day of the catalog) through today; prints the days computed',
    )
    .option('--rebuild', 'recompute days already final too (from --from, default the first day of the catalog)')
    .option(
      '--from <date>',
      'YYYY-MM-DD (UTC): with --rebuild, the first day recomputed; without, the days not final from DATE on are computed ' +
        'too, and a DATE after the default start changes nothing (no day is ever skipped)',
    )
    .option('--json', 'print the days computed as JSON')
    .addHelpText(
      'after',
      '\nA day is a UTC date. A day that has ended is reconstructed from the catalog history as of its end and is final;\n' +
        'today is read from the live catalog and replaced by each later run until the day is over.',
    )
    .action((options: DailyOptions) =>
      // the catalog alone: works whether or not Redis, the providers or a `start` worker are up
      runBare(async (config, _logger, io) => {
        const now = new Date();
        const from = parseFromOption(options.from, now);
        const pool = createPool(config.databaseUrl, 2);
        // days done on stderr: a bar on a terminal, a plain line every 2 s otherwise; stdout carries the results
        const display = createProgressDisplay(process.stderr.isTTY === true, io.err);
        const task = display.task('days');
        let total = 0;
        let done = 0;
        try {
          const result = await runCatalogDaily(pool, {
            now,
            rebuild: options.rebuild === true,
            from,
            signal: io.signal,
            onPlan: (days) => {
              total = days;
              task.update(0, total);
            },
            onDay: (day) => {
              done += 1;
              task.update(done, total, day.day);
              if (options.json !== true) io.out(formatDayWritten(day));
            },
          });
          if (result.finished) task.finish(`${result.days.length}/${total} days`);
          display.stop();
          if (options.json === true) {
            const days = result.days.map((day) => ({ ...day, asOf: day.asOf.toISOString() }));
            io.out(JSON.stringify({ days, finished: result.finished }, null, 2));
          } else {
            io.out(`${result.days.length} day${result.days.length === 1 ? '' : 's'} computed`);
          }
          if (!result.finished) io.err('stopped by a signal before the last day; run the command again to carry on');
          return result.finished ? EXIT_OK : EXIT_FAILED;
        } finally {
          display.stop();
          await closePool(pool);
        }
      }),
    );
}
