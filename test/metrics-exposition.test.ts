/**
 * The /metrics of a real `start` (runWorker on the suite's Postgres and Redis, a provider on the simulator), with a
 * little of every kind of state seeded: `promtool check metrics` accepts it, the new gauges carry what the alerts
 * need, and every metric the shipped rules and dashboard use is in it, so renaming a metric breaks this test.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AppContext } from '../src/app/context.ts';
import { runWorker, type RunningWorker } from '../src/app/run-worker.ts';
import { enqueue } from '../src/jobs/queues.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { contextFor } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { itWithPromtool, runPromtool } from './support/promtool.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

/** weekdays at 06:00: the longest gap is Friday to Monday */
const SYNC_CRON = '0 6 * * 1-5';
const METRIC_PREFIXES = /\b((?:asset_worker|process|nodejs)_[a-z0-9_]+)/g;

/** metric names a PromQL text uses (recorded series such as asset_worker:x:y are not metrics of the worker) */
function metricNames(exprs: string[]): Set<string> {
  return new Set(exprs.flatMap((expr) => [...expr.matchAll(METRIC_PREFIXES)].map((match) => match[1] ?? '')));
}

describe('the worker /metrics as Prometheus reads it', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let controller: AbortController;
  let worker: RunningWorker;
  let text: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 12, counts: { affogato: 40, roughy: 30 } });
    context = contextFor(
      simulatorEnv(sim, database.url, prefix, { affogato: 500, roughy: 500 }, { ADMIN_PORT: '0', SYNC_CRON, LOG_LEVEL: 'silent' }),
    );
    const query = (sql: string, params: unknown[] = []) => database.pool.query(sql, params);
    // a partial Roughy listing, a refused apply, a failed action in a finished apply, a timed-out DAG run
    await query("INSERT INTO sync_runs (provider, state, phase, finished_at, partial_reason) VALUES ('roughy', 'partial', 'done', now(), 'listing ended short')");
    await query("INSERT INTO retention_runs (mode, providers, evaluated_at, finished_at, state, refusal) VALUES ('apply', '{roughy}', now(), now(), 'refused', 'the last listing was partial')");
    const applied = await query(
      "INSERT INTO retention_runs (mode, providers, evaluated_at, finished_at, state) VALUES ('apply', '{affogato}', now(), now(), 'done') RETURNING id",
    );
    await query(
      `INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at)
       VALUES ($1, 'affogato', 'a-1', 'old-ones', 'archive', 'failed', 'older than 30 days', now())`,
      [applied.rows[0]?.id],
    );
    await query(
      `INSERT INTO dag_action_runs (asset_id, dag_action_id, provider_run_id, status, outcome, started_at, finished_at, deadline_at)
       VALUES ('mp-1', 'act-1', 'run-1', 'running', 'timed_out', now() - interval '40 minutes', now(), now() - interval '10 minutes')`,
    );

    controller = new AbortController();
    worker = await runWorker(context, { signal: controller.signal, adminHost: '127.0.0.1' });
    // one real sync through the queue: a complete run with its age, and a job attempt counted
    const job = await enqueue(worker.queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await worker.queues.sync.getJob(job.id ?? ''))?.finishedOn === undefined ? undefined : true), 100);
    const response = await fetch(`${worker.adminUrl}/metrics`);
    expect(response.status).toBe(200);
    text = await response.text();
  });
  afterAll(async () => {
    controller.abort();
    await worker.stopped;
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('carries what the alerts need: schedule intervals, the age and partial flag, runs and actions by state with zeros', () => {
    // 06:00 Friday to 06:00 Monday; only enabled providers (both here) have a schedule
    expect(text).toContain('asset_worker_sync_schedule_interval_seconds{provider="affogato"} 259200');
    expect(text).toContain('asset_worker_sync_schedule_interval_seconds{provider="roughy"} 259200');
    expect(text).not.toContain('asset_worker_sync_schedule_interval_seconds{provider="mediapocket"}');
    expect(text).toMatch(/^asset_worker_last_complete_sync_age_seconds\{provider="affogato"\} \d+$/m);
    expect(text).toContain('asset_worker_last_sync_partial{provider="roughy"} 1');
    expect(text).toContain('asset_worker_last_sync_partial{provider="affogato"} 0');
    expect(text).toContain('asset_worker_retention_runs{state="refused"} 1');
    expect(text).toContain('asset_worker_retention_runs{state="done"} 1');
    expect(text).toContain('asset_worker_retention_runs{state="failed"} 0');
    expect(text).toContain('asset_worker_retention_actions{provider="affogato",state="failed"} 1');
    // zeros for every registered provider and state, so the first failure is a rise from 0
    expect(text).toContain('asset_worker_retention_actions{provider="roughy",state="failed"} 0');
    expect(text).toContain('asset_worker_retention_actions{provider="mediapocket",state="applied"} 0');
    expect(text).toContain('asset_worker_dag_runs{outcome="timed_out"} 1');
    expect(text).toContain('asset_worker_dag_runs{outcome="failed"} 0');
    expect(text).toContain('asset_worker_schedules_missing 0');
    expect(text).toContain('asset_worker_job_attempts_total{queue="sync",job="sync.provider",outcome="completed"} 1');
  });

  itWithPromtool('passes `promtool check metrics`: no error and no lint finding (exit 0)', () => {
    const result = runPromtool(['check', 'metrics'], { input: text });
    expect(result.output.split('\n').filter((line) => line !== '')).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('has every metric the shipped alert rules and dashboard use', () => {
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] ?? ''));
    const rules = parse(readFileSync('ops/prometheus/asset-worker.rules.yml', 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const ruleExprs = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
    const dashboard = JSON.parse(readFileSync('ops/grafana/asset-worker.dashboard.json', 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const dashboardExprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    const used = metricNames([...ruleExprs, ...dashboardExprs]);
    expect(used.size).toBeGreaterThan(15);
    expect(used).toContain('asset_worker_sync_schedule_interval_seconds');
    expect(used).toContain('process_resident_memory_bytes');
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
