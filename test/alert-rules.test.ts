/**
 * The shipped Prometheus rules and Grafana dashboard (ops/): promtool checks the rules and runs their unit tests,
 * every alert is tested firing and quiet and documented in the README, and the dashboard is importable and
 * parses. That their metric names exist in the worker's real /metrics is test/metrics-exposition.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { itWithPromtool, runPromtool } from './support/promtool.ts';

const RULES_DIR = 'ops/prometheus';
const RULES_FILE = join(RULES_DIR, 'asset-worker.rules.yml');
const RULES_TEST_FILE = join(RULES_DIR, 'asset-worker.rules.test.yml');
const DASHBOARD_FILE = 'ops/grafana/asset-worker.dashboard.json';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesTestFile {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}
interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
const rulesTests = parse(readFileSync(RULES_TEST_FILE, 'utf8')) as RulesTestFile;
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
const graphPanels = dashboard.panels.filter((panel) => panel.type !== 'row');

describe('the alert rules under promtool', () => {
  itWithPromtool('pass `promtool check rules`', () => {
    const result = runPromtool(['check', 'rules', RULES_FILE]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status, result.output).toBe(0);
  });

  itWithPromtool('pass their unit tests (`promtool test rules`)', () => {
    const result = runPromtool(['test', 'rules', 'asset-worker.rules.test.yml'], { cwd: RULES_DIR });
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  itWithPromtool('every dashboard expression is valid PromQL', () => {
    // promtool has no expression checker: each expression becomes a recording rule of a throwaway file
    const dir = mkdtempSync(join(tmpdir(), 'alw-dashboard-'));
    try {
      const exprs = graphPanels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr.replaceAll('$job', 'asset-worker')));
      const file = join(dir, 'dashboard.rules.yml');
      const body = exprs.map((expr, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(expr)}\n`).join('');
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${body}`);
      const result = runPromtool(['check', 'rules', file]);
      expect(result.status, result.output).toBe(0);
      expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the alert rules', () => {
  it('every alert has a severity, a summary, a description and a runbook pointing at the README section', () => {
    expect(alerts.length).toBe(10);
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.includes('\n## Alerts and dashboards\n')).toBe(true);
    for (const alert of alerts) {
      expect(['warning', 'critical'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(alert.annotations?.description, alert.alert).toBeTruthy();
      expect(alert.annotations?.runbook, alert.alert).toBe('README.md#alerts-and-dashboards');
      // the README's table of alerts names each one
      expect(readme.includes(`| \`${alert.alert}\` |`), `${alert.alert} in the README's table`).toBe(true);
    }
  });

  it('every alert has a unit test where it fires and one where it stays quiet', () => {
    expect(rulesTests.rule_files).toEqual(['asset-worker.rules.yml']);
    const cases = rulesTests.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert.alert);
      expect(own.some((c) => (c.exp_alerts ?? []).length > 0), `${alert.alert} fires in a test`).toBe(true);
      expect(own.some((c) => (c.exp_alerts ?? []).length === 0), `${alert.alert} stays quiet in a test`).toBe(true);
    }
    // and no test names an alert that does not exist
    expect(cases.filter((c) => !alerts.some((alert) => alert.alert === c.alertname))).toEqual([]);
  });
});

describe('the Grafana dashboard', () => {
  it('is importable: uid, title, a templated Prometheus data source every panel and query uses', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBe('Asset lifecycle worker');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.find((variable) => variable.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(graphPanels.length).toBeGreaterThan(0);
    for (const panel of graphPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    }
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
  });

  it('has the panels an operator needs, each over the metric it is about', () => {
    const exprsOf = (title: string) => {
      const panel = graphPanels.find((p) => p.title === title);
      expect(panel, title).toBeDefined();
      return (panel?.targets ?? []).map((target) => target.expr).join('\n');
    };
    const expected: Record<string, string[]> = {
      'Catalog size per provider': ['asset_worker_catalog_assets'],
      'Last complete sync age vs what the schedule allows': ['asset_worker_last_complete_sync_age_seconds', 'asset_worker_sync_schedule_interval_seconds'],
      'Partial listings (latest finished sync)': ['asset_worker_last_sync_partial'],
      'Retention actions by state': ['asset_worker_retention_actions'],
      'Retention runs by state': ['asset_worker_retention_runs'],
      'DAG run outcomes': ['asset_worker_dag_runs'],
      'Queue jobs by state': ['asset_worker_queue_jobs'],
      'Job attempts per second': ['asset_worker_job_attempts_total'],
      'Dependency up': ['asset_worker_dependency_up'],
      'Metrics source up': ['asset_worker_metrics_source_up'],
      'Worker scraped (up)': ['up{'],
      'Schedules missing': ['asset_worker_schedules_missing'],
      Memory: ['process_resident_memory_bytes'],
      CPU: ['process_cpu_user_seconds_total'],
    };
    for (const [title, metrics] of Object.entries(expected)) {
      for (const metric of metrics) expect(exprsOf(title), title).toContain(metric);
    }
  });
});
