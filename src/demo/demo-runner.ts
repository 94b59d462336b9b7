/**
 * `demo`: the whole loop on this machine with no account. The simulator stands in for the three providers on
 * loopback; everything else is the real worker, against the demo's own database and queue prefix.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext } from '../app/context.ts';
import { CATALOG_REPORT_PATH } from '../admin/catalog-report-page.ts';
import { DASHBOARD_PATH } from '../admin/queue-dashboard.ts';
import { redactUrl, type Config } from '../config.ts';
import { buildCatalogReport } from '../db/catalog-report.repository.ts';
import { createLogger } from '../logger.ts';
import { formatCatalogReport } from '../reporting/catalog-report.format.ts';
import { runWorker } from '../app/run-worker.ts';
import { startSimulator, type FaultConfig } from '../simulator/simulator.ts';
import { runDemoDag } from './demo-dag.step.ts';
import { runDemoDaily } from './demo-daily.step.ts';
import { buildDemoConfig } from './demo-environment.ts';
import { createDemoOutput } from './demo-output.ts';
import { clearDemoQueues, resetDemoDatabase } from './demo-reset.ts';
import { runDemoRetention } from './demo-retention.step.ts';
import { DEMO_RULES_YAML } from './demo-rules.ts';
import { runDemoSync } from './demo-sync.step.ts';

export interface DemoOptions {
  /** simulated assets per provider */
  assets: number;
  seed: number;
}

/**
 * A few listing requests fail the way real APIs fail (429 with Retry-After, 500, an HTML 502, a cut-off body), and
 * some Affogato archive answers leave ids out: the worker's retries are visible. Destructive and DAG calls are
 * otherwise left alone, so the demo's outcome is the same every time.
 */
const DEMO_FAULTS: FaultConfig = {
  rate429: 0.03,
  retryAfterSeconds: 1,
  rate500: 0.04,
  rate502Html: 0.02,
  rateMalformedJson: 0.02,
  rateArchivePartial: 0.3,
  onlyListing: true,
};

/**
 * The demo talks in sections, and its tables count the retries: the log shows errors only, unless LOG_LEVEL asks
 * for debug or trace (then every retry is logged as well).
 */
function demoLogLevel(level: Config['logLevel']): Config['logLevel'] {
  return level === 'debug' || level === 'trace' || level === 'silent' || level === 'fatal' ? level : 'error';
}

/** Where the demo writes, and the signal that stops it (the CLI's command io is one). */
export interface DemoIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** true when stdout is a terminal: progress bars instead of log lines */
  interactive: boolean;
  signal: AbortSignal;
}

export async function runDemo(base: Config, io: DemoIo, options: DemoOptions): Promise<void> {
  const out = createDemoOutput(io.out);
  out.section('Provider simulator');
  const sim = await startSimulator({
    seed: options.seed,
    counts: { affogato: options.assets, mediapocket: options.assets, roughy: options.assets },
    faults: { affogato: DEMO_FAULTS, mediapocket: DEMO_FAULTS, roughy: DEMO_FAULTS },
    host: '127.0.0.1',
  });
  const rulesDir = await mkdtemp(join(tmpdir(), 'asset-worker-demo-'));
  try {
    out.line(`Affogato, Media Pocket and Roughy answer on ${sim.url}, ${options.assets} generated assets each (seed ${options.seed})`);
    out.line('a few listing requests fail on purpose (429, 500, 502, malformed JSON), and some archive answers leave ids out');
    const rulesPath = join(rulesDir, 'retention.yaml');
    await writeFile(rulesPath, DEMO_RULES_YAML);
    const demo = buildDemoConfig(base, sim, rulesPath);
    const { config } = demo;

    out.section('Database');
    await resetDemoDatabase(config.databaseUrl);
    out.line(`${redactUrl(config.databaseUrl)}: created afresh and migrated (the demo's own; nothing else is touched)`);
    out.line(`queue prefix "${config.queuePrefix}" on ${redactUrl(config.redisUrl)}`);

    const context = createAppContext(config, createLogger(demoLogLevel(base.logLevel)));
    try {
      await clearDemoQueues(context.redis, config.queuePrefix);

      out.section('Sync: the three accounts into the catalog');
      await runDemoSync(context, sim, out, { interactive: io.interactive, write: io.err, signal: io.signal });

      out.section('Retention: plan, then apply');
      out.line(`rules: ${rulesPath}`);
      await runDemoRetention(context, sim, out, io.signal);

      out.section('Media Pocket DAG action');
      await runDemoDag(context, out, io.signal);

      out.section('Daily catalog figures');
      await runDemoDaily(context, out, io.signal);

      out.section('Catalog report');
      out.line(formatCatalogReport(await buildCatalogReport(context.db, context.registry.names)));

      out.section('Worker and admin server');
      const worker = await runWorker(context, { signal: io.signal, adminHost: '127.0.0.1' });
      const tokenQuery = demo.adminToken.generated ? `?token=${demo.adminToken.value}` : '?token=<your ADMIN_TOKEN>';
      out.line(`admin server: ${worker.adminUrl}   (health /healthz, readiness /readyz, metrics /metrics)`);
      out.line(`dashboard:    ${worker.adminUrl}${DASHBOARD_PATH}${tokenQuery}`);
      out.line(`report page:  ${worker.adminUrl}${CATALOG_REPORT_PATH}${tokenQuery}`);
      if (demo.adminToken.generated) out.line('               (a token made up for this demo run only: ADMIN_TOKEN is not set)');
      out.line(`schedules:    ${worker.schedules.map((s) => `${s.id} "${s.pattern}"`).join(', ')}`);
      out.line('The worker is running. Press Ctrl-C to stop.');
      await worker.stopped;
      out.line('stopped.');
    } finally {
      await context.close();
    }
  } finally {
    await sim.close();
    await rm(rulesDir, { recursive: true, force: true });
  }
}
