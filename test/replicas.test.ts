/**
 * Three `start` replicas on one Redis and one database, as a rolling restart meets them: booting at once on a
 * database that does not exist yet, one replica SIGTERMed in the middle of a sync and one in the middle of a
 * retention apply (each replaced by a fresh one). The work finishes exactly once: the interrupted sync run is
 * resumed, not redone, and ends with the catalog equal to the simulator's truth; every destructive call is sent
 * once; every scheduled tick (SYNC_CRON every 5 seconds) runs once across the replicas.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Job } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../src/db/migrate.ts';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { providerLockKey } from '../src/domain/provider-lock-key.ts';
import { SIM_PROVIDERS as PROVIDER_NAMES } from '../src/simulator/simulator.types.ts';
import { catalogTruth, startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, waitFor } from './support/catalog.ts';
import { startCli, type RunningCli } from './support/cli.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createRedis, testQueuePrefix, uniqueName } from './support/services.ts';
import {
  affogatoAging,
  ageAssets,
  callsAfterSuccess,
  expectedPlan,
  protectSome,
  retentionLog,
  rulesYaml,
  successfulCalls,
  writeRules,
  type ExpectedPlan,
} from './retention-fixtures.ts';

const AFFOGATO_ASSETS = 3_000;
const MIGRATIONS = readdirSync(resolve(import.meta.dirname, '../drizzle')).filter((name) => name.endsWith('.sql')).length;

interface Replica {
  name: string;
  cli: RunningCli;
  output: () => string;
}

/** The JSON log lines of a replica whose message is `msg`. */
function logLines(replica: Replica, msg: string): Array<Record<string, unknown>> {
  return replica
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('three start replicas, rolling restarts', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let databaseUrl: string;
  let pool: pg.Pool;
  let sim: Simulator;
  let queues: Queues;
  let env: Record<string, string>;
  let replicas: Replica[] = [];
  let started = 0;
  /** BullMQ jobs a SIGTERM parked: they run again after the restart, by design */
  const parkedJobs = new Set<string>();

  const startReplica = (): Replica => {
    const name = `replica-${++started}`;
    const cli = startCli(['start'], env);
    let text = '';
    cli.child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    cli.child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const replica = { name, cli, output: () => text };
    replicas.push(replica);
    return replica;
  };

  const serving = (replica: Replica) =>
    Promise.race([
      waitFor(async () => (replica.output().includes('admin server listening on') ? true : undefined), 50),
      replica.cli.result.then((exited) => Promise.reject(new Error(`${replica.name} exited (${exited.code}) before serving:\n${replica.output()}`))),
    ]);

  /** SIGTERM as a process manager sends it; the replica must stop gracefully on its own. */
  const stopReplica = async (replica: Replica) => {
    const signalledAt = Date.now();
    replica.cli.child.kill('SIGTERM');
    const exited = await replica.cli.result;
    console.info(`${replica.name} stopped ${Date.now() - signalledAt} ms after SIGTERM`);
    expect(exited.code, `${replica.name}:\n${replica.output()}`).toBe(0);
    expect(replica.output()).toContain('"msg":"worker stopped"');
    replicas = replicas.filter((other) => other !== replica);
  };

  beforeAll(async () => {
    // a database that does not exist yet: the replicas create and migrate it
    const url = new URL(inject('databaseServerUrl'));
    url.pathname = `/${uniqueName('alw_test_replicas')}`;
    databaseUrl = url.toString();
    // every answer takes 40 ms, and Affogato's budget (10 requests a second, shared by the replicas through
    // Redis) makes its sync last about six seconds: long enough to be caught in the middle
    sim = await startSimulator({ seed: 1234, counts: { affogato: AFFOGATO_ASSETS, mediapocket: 1_500, roughy: 1_500 }, latencyMs: 40 });
    protectSome(sim, 2);
    queues = createQueues(redis, prefix);
    env = workerEnv(sim, databaseUrl, prefix, {
      LOG_LEVEL: 'info',
      ADMIN_PORT: '0',
      AFFOGATO_RPS: '10',
      MEDIAPOCKET_RPS: '25',
      ROUGHY_RPS: '25',
      SYNC_CRON: '*/5 * * * * *',
      // never during the test: retention is enqueued by hand, once
      RETENTION_CRON: '0 0 1 1 *',
      RETENTION_RULES: writeRules(rulesYaml({ maxActionsPerRun: 2_000 })).path,
    });
  });
  afterAll(async () => {
    for (const replica of replicas) replica.cli.child.kill('SIGKILL');
    await Promise.all(replicas.map((replica) => replica.cli.result));
    await closeQueues(queues);
    redis.disconnect();
    await pool?.end();
    await sim.close();
    await dropDatabase(databaseUrl);
    await clearPrefix(prefix);
  });

  const affogatoRun = async (id: number) =>
    (await pool.query<{ id: number; state: string; pages: number; seen: number; started_at: Date; finished_at: Date | null }>(
      'SELECT id, state, pages, seen, started_at, finished_at FROM sync_runs WHERE id = $1',
      [id],
    )).rows[0];

  it('boot at once on a missing database: all come up, the migrations are applied once, by one of them', async () => {
    const booting = [startReplica(), startReplica(), startReplica()];
    await Promise.all(booting.map(serving));
    const reports = booting.map((replica) => {
      const line = /database (created|exists); migrations applied by this process: (\d+)/.exec(replica.output());
      expect(line, replica.output()).not.toBeNull();
      return { created: line?.[1] === 'created', applied: Number(line?.[2]), waited: replica.output().includes('waiting for another process to finish applying migrations') };
    });
    expect(reports.filter((report) => report.created)).toHaveLength(1);
    // one replica applied every migration; the others found them applied, after waiting if they came in time
    expect(reports.map((report) => report.applied).sort()).toEqual([0, 0, MIGRATIONS]);
    pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    const recorded = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    expect(recorded.rows[0]?.n).toBe(MIGRATIONS);
    // each replica registered the same seven schedules under the same ids: seven schedulers, not twenty-one
    const schedulers = (await Promise.all(Object.values(queues).map((queue) => queue.getJobSchedulers()))).flat();
    expect(sorted(schedulers.map((scheduler) => scheduler.key ?? ''))).toEqual(['catalog:daily', 'dag:sweep', 'history:prune', 'retention:apply', 'sync:affogato', 'sync:mediapocket', 'sync:roughy']);
    console.info(`replicas booting together: ${JSON.stringify(reports)}`);
  });

  it('a replica SIGTERMed mid-sync parks it; another resumes the same run to a catalog equal to the truth', async () => {
    // the ticks have imported every provider once
    await waitFor(async () => {
      const complete = await pool.query<{ n: number }>("SELECT count(DISTINCT provider)::int AS n FROM sync_runs WHERE state = 'complete'");
      return complete.rows[0]?.n === PROVIDER_NAMES.length ? true : undefined;
    }, 200);
    // the truth moves on, so the next sync has work to do
    for (let i = 0; i < 30; i += 1) sim.affogato.add();
    for (const id of sim.affogato.ids().sort().slice(0, 10)) sim.affogato.remove(id);
    const changedAt = new Date();

    // an Affogato sync that started after the change, well under way
    const run = await waitFor(async () => {
      const running = await pool.query<{ id: number; pages: number }>(
        "SELECT id, pages FROM sync_runs WHERE provider = 'affogato' AND state = 'running' AND started_at > $1",
        [changedAt],
      );
      const found = running.rows[0];
      return found !== undefined && found.pages >= 10 ? found : undefined;
    }, 20);
    const holder = replicas.find((replica) => logLines(replica, 'sync started').some((line) => line.provider === 'affogato' && line.runId === run.id));
    expect(holder, `no replica logged the start of run ${run.id}`).toBeDefined();
    if (holder === undefined) return;
    await stopReplica(holder);
    // what the stopped replica was running, or waiting on a lock to run, it parked: delayed, already started once
    for (const job of await queues.sync.getJobs(['delayed'])) if (job.processedOn !== undefined) parkedJobs.add(job.id ?? '');
    expect(parkedJobs.size).toBeGreaterThan(0);
    const atStop = await affogatoRun(run.id);
    expect(atStop?.state).toBe('running');
    expect(atStop?.pages).toBeLessThan(Math.ceil(sim.affogato.size() / 50));
    // the rolling restart brings up a replacement
    await serving(startReplica());

    const finished = await waitFor(async () => {
      const current = await affogatoRun(run.id);
      return current?.state !== 'running' ? current : undefined;
    }, 200);
    expect(finished?.state).toBe('complete');
    // resumed from its committed pages, not paged again: each page of the listing committed once
    expect(finished?.pages).toBe(Math.ceil(sim.affogato.size() / 50));
    expect(finished?.seen).toBe(sim.affogato.size());
    const resumedBy = replicas.filter((replica) => logLines(replica, 'resuming sync run').some((line) => line.provider === 'affogato' && line.runId === run.id));
    expect(resumedBy.length).toBeGreaterThan(0);
    // no second run of the provider overlapped the interrupted one
    const overlapping = await pool.query(
      "SELECT id FROM sync_runs WHERE provider = 'affogato' AND id <> $1 AND started_at < $2 AND (finished_at IS NULL OR finished_at > $3)",
      [run.id, finished?.finished_at, finished?.started_at],
    );
    expect(overlapping.rows).toEqual([]);

    const catalog = await catalogOf(pool, 'affogato');
    for (const asset of sim.affogato.all()) expect(catalog.get(asset.id)?.raw).toEqual(asset);
    const live = [...catalog.values()].filter((row) => row.removed_at === null);
    expect(sorted(live.map((row) => row.asset_id))).toEqual(sorted(sim.affogato.ids()));
  });

  let expected: ExpectedPlan;

  it('a replica SIGTERMed mid-apply stops between waves; another finishes the run: every destructive call once', async () => {
    const aging = affogatoAging(sim);
    await ageAssets(pool, 'affogato', aging.days40, 40);
    await ageAssets(pool, 'affogato', aging.days70, 70);
    expected = expectedPlan(sim, aging);
    expect(expected.affogato.size).toBeGreaterThan(0);
    expect(expected.mediapocket.size).toBeGreaterThan(30);
    expect(expected.roughy.size).toBeGreaterThan(30);
    sim.stats.reset();

    const job = await enqueue(queues, 'retention.apply', {});
    const mediapocketCounts = async () => {
      const result = await pool.query<{ state: string; n: number }>(
        "SELECT state, count(*)::int AS n FROM retention_actions WHERE provider = 'mediapocket' GROUP BY state",
      );
      return Object.fromEntries(result.rows.map((row) => [row.state, row.n])) as Record<string, number | undefined>;
    };
    await waitFor(async () => {
      const counts = await mediapocketCounts();
      return (counts.applied ?? 0) >= 10 && (counts.planned ?? 0) > 0 ? true : undefined;
    }, 10);
    const holder = replicas.find((replica) => logLines(replica, 'plan accepted; applying').some((line) => line.provider === 'mediapocket'));
    expect(holder, 'no replica logged the Media Pocket plan').toBeDefined();
    if (holder === undefined) return;
    await stopReplica(holder);
    for (const parked of await queues.sync.getJobs(['delayed'])) if (parked.processedOn !== undefined) parkedJobs.add(parked.id ?? '');
    const atStop = await mediapocketCounts();
    // stopped between waves: nothing in flight, work left for another replica
    expect(atStop.in_flight ?? 0).toBe(0);
    expect(atStop.planned ?? 0).toBeGreaterThan(0);
    await serving(startReplica());

    await waitFor(async () => ((await (await queues.retention.getJob(job.id ?? ''))?.getState()) === 'completed' ? true : undefined), 200);
    const runs = await pool.query<{ id: number; state: string; provider: string; refusal: string | null }>(
      "SELECT id, state, providers[1] AS provider, refusal FROM retention_runs WHERE mode = 'apply' ORDER BY id",
    );
    // every run finished, the interrupted one by another replica (a provider it had finished is planned anew
    // when the parked job resumes, and finds nothing left)
    expect(runs.rows.filter((row) => row.state !== 'done')).toEqual([]);
    expect(new Set(runs.rows.map((row) => row.provider))).toEqual(new Set(PROVIDER_NAMES));
    const retentionJob = await queues.retention.getJob(job.id ?? '');
    // one attempt (BullMQ counts the one that completed): parking for the shutdown spent none
    expect(retentionJob?.attemptsMade).toBe(1);

    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(sorted(expected.mediapocket.keys()));
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map([...expected.mediapocket.keys()].map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    for (const id of expected.roughy.keys()) expect(sim.roughy.get(id), id).toBeUndefined();
    expect(successfulCalls(sim, 'roughy')).toEqual(new Map([...expected.roughy.keys()].map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'roughy')).toEqual([]);
    for (const id of expected.affogato.keys()) expect(sim.affogato.isArchived(id), id).toBe(true);
    expect(successfulCalls(sim, 'affogato')).toEqual(new Map([...expected.affogato.keys()].map((id) => [id, 1])));
    const log = await retentionLog(pool, runs.rows.map((row) => row.id));
    const applied = log.filter((row) => row.state === 'applied').map((row) => `${row.provider}/${row.asset_id}`);
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied.length).toBe(expected.affogato.size + expected.mediapocket.size + expected.roughy.size);
    console.info(
      `retention: Media Pocket ${atStop.applied ?? 0} of ${expected.mediapocket.size} trashed when its replica was stopped; ` +
        `${applied.length} actions applied in all (affogato ${expected.affogato.size}, mediapocket ${expected.mediapocket.size}, roughy ${expected.roughy.size})`,
    );
  });

  it('a replica waiting for a provider lock another process holds stops at once on SIGTERM, its job parked', async () => {
    // the test takes the Affogato sync lock itself, as a long sync on another replica would hold it
    const lockHolder = await pool.connect();
    try {
      const waitingLine = 'another process is syncing this provider; waiting for it to finish';
      const before = new Map(replicas.map((replica) => [replica, logLines(replica, waitingLine).length]));
      await lockHolder.query('SELECT pg_advisory_lock(7420010, $1)', [providerLockKey('affogato')]);
      // the next Affogato tick waits for it on some replica
      const waiting = await waitFor(async () => replicas.find((replica) => logLines(replica, waitingLine).length > (before.get(replica) ?? 0)), 50);
      await stopReplica(waiting);
      // it stopped while the lock was still held: it did not wait for the holder to finish
      const held = await lockHolder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 7420010 AND granted AND pid = pg_backend_pid()");
      expect(held.rows[0]?.n).toBe(1);
      for (const job of await queues.sync.getJobs(['delayed'])) if (job.processedOn !== undefined) parkedJobs.add(job.id ?? '');
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock_all()');
      lockHolder.release();
    }
    // two replicas carry on
  });

  it('every tick ran once across the replicas; the next syncs bring the catalog to the truth; all stop with 0', async () => {
    const retentionDone = new Date();
    // a complete sync of each provider that started after the retention's effects
    await waitFor(async () => {
      const after = await pool.query<{ n: number }>(
        "SELECT count(DISTINCT provider)::int AS n FROM sync_runs WHERE state = 'complete' AND started_at > $1",
        [retentionDone],
      );
      return after.rows[0]?.n === PROVIDER_NAMES.length ? true : undefined;
    }, 200);
    for (const replica of [...replicas]) await stopReplica(replica);

    for (const provider of PROVIDER_NAMES) {
      const catalog = await catalogOf(pool, provider);
      const live = [...catalog.values()]
        .filter((row) => row.removed_at === null)
        .map((row) => ({ provider, asset_id: row.asset_id, kind: row.kind, status: row.status, trashed: row.trashed_at !== null }))
        .sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1));
      const truth = catalogTruth(sim, provider).map((row) => ({ provider, asset_id: row.asset_id, kind: row.kind, status: row.status, trashed: row.trashed_at !== null }));
      expect(live, provider).toEqual(truth);
    }

    // one job per tick and scheduler, each run once (the jobs a SIGTERM parked ran again to resume)
    const tickJobs = (await queues.sync.getJobs(['completed', 'failed', 'active', 'delayed', 'wait', 'prioritized'])).filter(
      (job: Job) => job.repeatJobKey !== undefined,
    );
    const ticks = new Map<string, number>();
    for (const job of tickJobs) {
      const tick = `${job.repeatJobKey}@${(job.opts as { prevMillis?: number }).prevMillis}`;
      ticks.set(tick, (ticks.get(tick) ?? 0) + 1);
    }
    expect([...ticks.values()].every((count) => count === 1), JSON.stringify([...ticks])).toBe(true);
    const ran = tickJobs.filter((job) => job.finishedOn !== undefined);
    expect(ran.length).toBeGreaterThan(PROVIDER_NAMES.length * 3);
    for (const job of ran) {
      expect(await job.getState(), job.id).toBe('completed');
      expect(job.stalledCounter, job.id).toBe(0);
      if (!parkedJobs.has(job.id ?? '')) expect(job.attemptsStarted, job.id).toBe(1);
    }
    console.info(`tick jobs: ${tickJobs.length}, ran: ${ran.length}, ticks: ${ticks.size}, parked and resumed: ${parkedJobs.size}`);
  });
});
