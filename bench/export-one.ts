/**
 * One `catalog export` in a process of its own, so its peak RSS is its own: the export service the command runs,
 * into /dev/null. Prints one JSON line. Used by bench/export.ts; arguments:
 * --database URL --format csv|jsonl [--changed-since ISO]
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPool } from '../src/db/client.ts';
import type { CatalogExportFormat } from '../src/db/catalog-export.repository.ts';
import { exportCatalog } from '../src/reporting/catalog-export.ts';

const { values } = parseArgs({ options: { database: { type: 'string' }, format: { type: 'string' }, 'changed-since': { type: 'string' } } });
const format = values.format as CatalogExportFormat;
if (format !== 'csv' && format !== 'jsonl') throw new Error(`--format must be csv or jsonl, got ${values.format}`);
const since = values['changed-since'];

const pool = createPool(values.database ?? '', 1);
const baselineRssMb = process.memoryUsage.rss() / (1024 * 1024);
const cpuBefore = process.cpuUsage();
const result = await exportCatalog(pool, { format, providers: [], ...(since === undefined ? {} : { changedSince: new Date(since) }) }, createWriteStream('/dev/null'));
const cpu = process.cpuUsage(cpuBefore);
await pool.end();
process.stdout.write(
  `${JSON.stringify({
    ...result,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in kilobytes: the whole life of the process, its start-up included
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baselineRssMb,
  })}\n`,
);
