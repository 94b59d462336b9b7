/**
 * Runs the chaos scenarios one after another against one private Redis and Postgres, each on a stage of its own,
 * and collects their verdicts. Used by `npm run chaos` (chaos/run.ts) and by test/chaos.test.ts (reduced set).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateServersUnavailable } from '../test/support/private-servers.ts';
import { Stage, World, type SuiteSettings } from './harness.ts';
import type { Scenario } from './scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { Verdict } from './verdict.ts';

export interface SuiteOptions {
  reduced: boolean;
  seed: number;
  /** scenario names; empty: every scenario of the set */
  only: readonly string[];
  /** progress lines (one per scenario started and finished) */
  progress?: (line: string) => void;
}

export interface ScenarioResult {
  name: string;
  failures: string[];
  notes: string[];
  recoverMs: number | null;
  durationMs: number;
  logDir: string;
}

export type SuiteOutcome = { skipped: string } | { results: ScenarioResult[]; logRoot: string };

/** The scenarios a run takes: those named (whatever the set), else the reduced set or all. */
export function selectScenarios(options: Pick<SuiteOptions, 'reduced' | 'only'>): Scenario[] {
  if (options.only.length > 0) {
    const unknown = options.only.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
    if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return SCENARIOS.filter((scenario) => options.only.includes(scenario.name));
  }
  return SCENARIOS.filter((scenario) => !options.reduced || scenario.reduced);
}

/** the stage of the scenario running now: an interrupted suite kills its processes */
let currentStage: Stage | undefined;

async function runScenario(world: World, scenario: Scenario, settings: SuiteSettings): Promise<ScenarioResult> {
  const stage = new Stage(world, scenario.name, settings);
  currentStage = stage;
  const verdict = new Verdict();
  const startedAt = Date.now();
  try {
    await scenario.run(stage, verdict);
  } catch (error) {
    verdict.fail(error instanceof Error ? error.message : String(error));
  } finally {
    await stage.close().catch((error: unknown) => verdict.note(`cleanup failed: ${(error as Error).message}`));
    // a scenario that left a server down must not take the next one with it
    await world.ensureUp().catch((error: unknown) => verdict.note(`restarting the servers failed: ${(error as Error).message}`));
  }
  return {
    name: scenario.name,
    failures: verdict.failures,
    notes: verdict.notes,
    recoverMs: verdict.recoverMs,
    durationMs: Date.now() - startedAt,
    logDir: stage.logDir,
  };
}

export async function runSuite(options: SuiteOptions): Promise<SuiteOutcome> {
  const unavailable = privateServersUnavailable();
  if (unavailable !== undefined) return { skipped: `chaos suite skipped: ${unavailable} (it needs its own redis-server and Postgres cluster)` };
  const scenarios = selectScenarios(options);
  const logRoot = mkdtempSync(path.join(tmpdir(), 'alw-chaos-'));
  const settings: SuiteSettings = { reduced: options.reduced, seed: options.seed, logRoot };
  const world = await World.start();
  // pg_ctl detaches the cluster from this process: an interrupted run must stop it (and Redis) itself
  const interrupted = (signal: NodeJS.Signals) => {
    currentStage?.killAll();
    void world.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      options.progress?.(`▶ ${scenario.name}: ${scenario.summary}`);
      const result = await runScenario(world, scenario, settings);
      options.progress?.(`  ${result.failures.length === 0 ? 'passed' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)} s`);
      results.push(result);
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await world.close();
  }
  return { results, logRoot };
}
