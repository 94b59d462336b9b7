/**
 * Demo step: the daily catalog figures computed once, by the service the `catalog.daily` job and `catalog daily`
 * run, so the report page's catalog charts have data at once instead of after the job's first run (minute 50).
 */
import type { AppContext } from '../app/context.ts';
import { formatDayWritten, runCatalogDaily } from '../reporting/catalog-daily.ts';
import type { DemoOutput } from './demo-output.ts';

export async function runDemoDaily(context: AppContext, out: DemoOutput, signal: AbortSignal): Promise<void> {
  const result = await runCatalogDaily(context.pool, { now: new Date(), signal });
  for (const day of result.days) out.line(formatDayWritten(day));
  if (!result.finished) out.line('stopped by a signal before the last day');
}
