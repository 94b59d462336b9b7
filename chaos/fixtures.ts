/**
 * Data and commands the scenarios share: the simulator's sizes, a synced catalog, a retention plan that has
 * work at every provider, and the operator's commands with their expected outcomes.
 */
import type { QueueName } from '../src/jobs/job-definitions.ts';
import type { SimProvider } from '../src/simulator/simulator.ts';
import { affogatoAging, ageAssets, protectSome, rulesYaml, writeRules } from '../test/retention-fixtures.ts';
import type { ProviderRates, Stage } from './harness.ts';
import type { WorkerProcess } from './processes.ts';
import { until } from './wait.ts';

export const PROVIDERS: readonly SimProvider[] = ['affogato', 'mediapocket', 'roughy'];

/** Requests a second at which a command never waits on its budget: setup steps, final syncs. */
export const FAST: ProviderRates = { affogato: 400, mediapocket: 400, roughy: 400 };

/** Runs `sync` for every configured provider and requires it to complete (a setup step or the final sync). */
export async function syncToCompletion(stage: Stage, env: Record<string, string>, label = 'sync', timeoutMs = 180_000): Promise<WorkerProcess> {
  const { process, exit } = await stage.run(label, ['sync'], env, timeoutMs);
  if (exit.code !== 0) throw new Error(`${label} did not complete (${process.describeExit()})\n${process.tail()}`);
  return process;
}

/**
 * A catalog ready for retention: synced, some Affogato rows made old (Affogato exposes no dates), legal-hold on
 * two Media Pocket assets the rule would trash. Returns the rules file's path.
 */
export async function prepareRetention(stage: Stage): Promise<string> {
  protectSome(stage.sim, 2);
  await syncToCompletion(stage, stage.env(FAST), 'setup-sync');
  const aging = affogatoAging(stage.sim);
  await ageAssets(stage.pool, 'affogato', aging.days40, 40);
  await ageAssets(stage.pool, 'affogato', aging.days70, 70);
  return writeRules(rulesYaml({ maxActionsPerRun: 2_000, maxCatalogFraction: 0.6, maxSyncAgeMinutes: 120 })).path;
}

/** Counts of a provider's retention actions by state, across apply runs. */
export async function retentionStates(stage: Stage, provider: SimProvider): Promise<Record<string, number>> {
  const rows = await stage.query<{ state: string; n: number }>(
    `SELECT a.state, count(*)::int AS n FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id
      WHERE r.mode = 'apply' AND a.provider = $1 GROUP BY a.state`,
    [provider],
  );
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

/** Waits until an apply has done some of its calls at `provider` and has calls in flight: "mid-apply". */
export async function midApply(stage: Stage, provider: SimProvider, timeoutMs: number, minApplied = 10): Promise<Record<string, number>> {
  return until(
    async () => {
      const states = await retentionStates(stage, provider);
      return (states.applied ?? 0) >= minApplied && (states.in_flight ?? 0) > 0 ? states : undefined;
    },
    { timeoutMs, pollMs: 10, what: `an apply at ${provider} with ${minApplied} actions applied and calls in flight` },
  );
}

/**
 * Whether the apply is finished: nothing planned or in flight in any apply run, and every provider has an apply
 * run begun at or after `since` (the apply's enqueueing) that has ended. An apply goes through the providers one
 * at a time, so between one provider's run and the next nothing is open while the next provider is still to come.
 */
export async function applyFinished(stage: Stage, since: number): Promise<boolean> {
  const ended = await stage.query<{ n: number }>(
    `SELECT count(DISTINCT p)::int AS n FROM retention_runs, unnest(providers) AS p
      WHERE mode = 'apply' AND started_at >= $1 AND finished_at IS NOT NULL`,
    [new Date(since)],
  );
  if ((ended[0]?.n ?? 0) < PROVIDERS.length) return false;
  const rows = await stage.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id
      WHERE r.mode = 'apply' AND a.state IN ('planned', 'in_flight')`,
  );
  const open = await stage.query<{ n: number }>("SELECT count(*)::int AS n FROM retention_runs WHERE mode = 'apply' AND state = 'applying'");
  const runs = await stage.query<{ n: number }>("SELECT count(*)::int AS n FROM retention_runs WHERE mode = 'apply'");
  return (rows[0]?.n ?? 1) === 0 && (open[0]?.n ?? 1) === 0 && (runs[0]?.n ?? 0) > 0;
}

/** Pages the open sync run of `provider` has committed (0 when none is open). */
export async function openRunPages(stage: Stage, provider: SimProvider): Promise<number> {
  const rows = await stage.query<{ pages: number }>("SELECT pages FROM sync_runs WHERE provider = $1 AND state = 'running'", [provider]);
  return rows[0]?.pages ?? 0;
}

/** Sync runs by provider and state. */
export async function syncRunStates(stage: Stage): Promise<Array<{ id: number; provider: string; state: string }>> {
  return stage.query<{ id: number; provider: string; state: string }>('SELECT id, provider, state FROM sync_runs ORDER BY id');
}

/** true once every given provider's latest sync run is complete (or partial) and none is running. */
export async function syncsFinished(stage: Stage, providers: readonly SimProvider[], sinceRunId = 0): Promise<boolean> {
  const runs = (await syncRunStates(stage)).filter((run) => run.id > sinceRunId);
  return providers.every((provider) => {
    const mine = runs.filter((run) => run.provider === provider);
    return mine.length > 0 && mine.every((run) => run.state !== 'running') && mine.some((run) => run.state === 'complete');
  });
}

/** The log lines of a process that show a failure, the most telling first: what a failed scenario quotes. */
export function errorLines(process: WorkerProcess, limit = 4): string[] {
  const fatal = /Unhandled|uncaught|"level":60|FATAL/i;
  const failing = /"level":50|Error|error:|ECONNREFUSED|57P01|terminating connection/;
  const lines = process.lines(failing);
  const ordered = [...process.lines(fatal), ...lines.filter((line) => !fatal.test(line))];
  return [...new Set(ordered)].slice(0, limit).map((line) => `${process.label}| ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
}

/** Waits until BullMQ reports every given job completed; a failure names the states they were left in. */
export async function jobsCompleted(stage: Stage, jobIds: readonly string[], timeoutMs: number, queue: QueueName = 'sync'): Promise<string | undefined> {
  let states: Array<string | undefined> = [];
  try {
    await until(
      async () => {
        states = await Promise.all(jobIds.map(async (id) => (await stage.queues[queue].getJob(id))?.getState()));
        return states.every((state) => state === 'completed') || undefined;
      },
      { timeoutMs, pollMs: 250, what: 'jobs completed' },
    );
    return undefined;
  } catch {
    return `${queue} jobs left ${states.map((state) => state ?? 'missing').join(', ')} ${Math.round(timeoutMs / 1000)} s after their runs completed`;
  }
}

/**
 * Changes the truth between two syncs, as months of use do: some assets removed at each provider, some added.
 * Returns how many of each, for the scenario's note.
 */
export function changeTruth(stage: Stage, random: () => number, share = 0.02): { removed: number; added: number } {
  const sim = stage.sim;
  let removed = 0;
  let added = 0;
  const removeSome = (ids: string[], remove: (id: string) => boolean) => {
    for (const id of ids) if (random() < share && remove(id)) removed += 1;
  };
  removeSome(sim.affogato.ids(), (id) => sim.affogato.remove(id));
  removeSome(sim.mediapocket.ids(), (id) => sim.mediapocket.remove(id));
  removeSome(sim.roughy.ids(), (id) => sim.roughy.remove(id));
  const addSome = (count: number, add: () => unknown) => {
    for (let i = 0; i < count; i += 1) {
      add();
      added += 1;
    }
  };
  addSome(Math.ceil(sim.affogato.size() * share), () => sim.affogato.add());
  addSome(Math.ceil(sim.mediapocket.ids().length * share), () => sim.mediapocket.add());
  addSome(Math.ceil(sim.roughy.size() * share), () => sim.roughy.add());
  return { removed, added };
}
