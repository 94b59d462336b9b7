/**
 * The chaos suite's world: one private Redis and one private Postgres cluster for the whole run (on free loopback
 * ports, never the shared servers), and per scenario a Stage of its own: a database, a queue prefix, a simulator,
 * the environment the worker's processes get, and the processes themselves (all stopped when the stage closes).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropDatabase, migrateDatabase } from '../src/db/migrate.ts';
import { closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { SIM_PROVIDERS, startSimulator, type SimProvider, type Simulator, type SimulatorOptions } from '../src/simulator/simulator.ts';
import { portAnswers, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../test/support/private-servers.ts';
import { WorkerProcess, type Exit } from './processes.ts';

/** Yearly: `start`'s own schedules never fire during a scenario, so every piece of work is the scenario's. */
const NEVER_CRON = '0 0 1 1 *';

export interface SuiteSettings {
  reduced: boolean;
  seed: number;
  /** one folder per scenario below it, one log file per process */
  logRoot: string;
}

export class World {
  private constructor(
    readonly redis: PrivateRedis,
    readonly postgres: PrivatePostgres,
  ) {}

  static async start(): Promise<World> {
    const redis = await startPrivateRedis();
    try {
      return new World(redis, await startPrivatePostgres());
    } catch (error) {
      await redis.close();
      throw error;
    }
  }

  /** starts again whichever server a scenario left down, so the next scenario begins with both up */
  async ensureUp(): Promise<void> {
    if (!(await portAnswers('127.0.0.1', this.redis.port))) await this.redis.start();
    if (!(await portAnswers('127.0.0.1', this.postgres.port))) await this.postgres.start();
  }

  async close(): Promise<void> {
    await this.redis.close();
    await this.postgres.close();
  }
}

export type ProviderRates = Partial<Record<SimProvider, number>>;

export class Stage {
  readonly logDir: string;
  readonly prefix: string;
  readonly databaseName: string;
  readonly databaseUrl: string;
  private simulator: Simulator | undefined;
  private pgPool: pg.Pool | undefined;
  private redisClient: Redis | undefined;
  private queueSet: Queues | undefined;
  private readonly processes: WorkerProcess[] = [];
  private counter = 0;

  constructor(
    readonly world: World,
    readonly scenario: string,
    readonly settings: SuiteSettings,
  ) {
    this.logDir = path.join(settings.logRoot, scenario);
    mkdirSync(this.logDir, { recursive: true });
    const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
    this.prefix = `chaos-${scenario}-${suffix}`;
    this.databaseName = `chaos_${scenario.replaceAll('-', '_')}_${suffix}`;
    this.databaseUrl = world.postgres.urlFor(this.databaseName);
  }

  get sim(): Simulator {
    if (this.simulator === undefined) throw new Error('the scenario has not started its simulator');
    return this.simulator;
  }

  async startSimulator(options: SimulatorOptions): Promise<Simulator> {
    this.simulator = await startSimulator({ seed: this.settings.seed, ...options });
    return this.simulator;
  }

  /** creates and migrates the scenario's database (a scenario about booting on a fresh one skips this) */
  async migrate(): Promise<void> {
    await migrateDatabase(this.databaseUrl);
  }

  /** the harness's own connections; errors of a server being restarted are expected, the next query reports them */
  get pool(): pg.Pool {
    if (this.pgPool === undefined) {
      this.pgPool = new pg.Pool({ connectionString: this.databaseUrl, max: 3, application_name: 'chaos-harness' });
      this.pgPool.on('error', () => undefined);
      this.pgPool.on('connect', (client) => client.on('error', () => undefined));
    }
    return this.pgPool;
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  get redis(): Redis {
    if (this.redisClient === undefined) {
      this.redisClient = new Redis(this.world.redis.url, { maxRetriesPerRequest: 2 });
      this.redisClient.on('error', () => undefined);
    }
    return this.redisClient;
  }

  /** the queues under the scenario's prefix, for enqueueing work as the schedules would */
  get queues(): Queues {
    if (this.queueSet === undefined) {
      this.queueSet = createQueues(this.redis, this.prefix);
      // the suite kills Redis on purpose: a queue's connection errors are expected, not news
      for (const queue of Object.values(this.queueSet)) queue.on('error', () => undefined);
    }
    return this.queueSet;
  }

  /** the environment every worker process of the scenario gets */
  env(rates: ProviderRates, extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.world.redis.url,
      QUEUE_PREFIX: this.prefix,
      ADMIN_PORT: '0',
      SYNC_CRON: NEVER_CRON,
      RETENTION_CRON: NEVER_CRON,
      LOG_LEVEL: 'warn',
    };
    for (const provider of SIM_PROVIDERS) {
      const rps = rates[provider];
      if (rps === undefined) continue;
      const name = provider.toUpperCase();
      env[`${name}_API_KEY`] = this.sim.apiKeys[provider];
      env[`${name}_BASE_URL`] = this.sim.baseUrls[provider];
      env[`${name}_RPS`] = String(rps);
    }
    return { ...env, ...extra };
  }

  spawn(label: string, args: string[], env: Record<string, string>): WorkerProcess {
    this.counter += 1;
    const process = new WorkerProcess(`${String(this.counter).padStart(2, '0')}-${label}`, args, env, this.logDir);
    this.processes.push(process);
    return process;
  }

  /** runs a command to its end (killed and reported after `timeoutMs`) */
  async run(label: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ process: WorkerProcess; exit: Exit }> {
    const process = this.spawn(label, args, env);
    return { process, exit: await process.finish(timeoutMs) };
  }

  /** `start`, once its admin server is up; fails with its output if it exits or stalls first */
  async startWorker(label: string, env: Record<string, string>, timeoutMs = 60_000): Promise<{ process: WorkerProcess; adminUrl: string }> {
    const process = this.spawn(label, ['start'], env);
    const match = await process.waitForOutput(/admin server listening on (http:\/\/\S+)/, timeoutMs);
    return { process, adminUrl: (match[1] ?? '').replace('0.0.0.0', '127.0.0.1') };
  }

  /** SIGKILL to every process the stage started (an interrupted suite leaves none behind) */
  killAll(): void {
    for (const process of this.processes) process.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.killAll();
    await Promise.all(this.processes.map((process) => process.exited));
    if (this.queueSet !== undefined) await closeQueues(this.queueSet).catch(() => undefined);
    if (this.redisClient !== undefined) {
      const keys = await this.scanPrefix().catch(() => []);
      if (keys.length > 0) await this.redisClient.del(...keys).catch(() => undefined);
      this.redisClient.disconnect();
    }
    await this.pgPool?.end().catch(() => undefined);
    await this.simulator?.close();
    await dropDatabase(this.databaseUrl).catch(() => undefined);
  }

  private async scanPrefix(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    return keys;
  }
}
