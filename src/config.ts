/**
 * The one place that reads the environment. Everything else receives the frozen Config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cronParser from 'cron-parser';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { ProviderName } from './providers/provider-names.ts';
import { Secret } from './secret.ts';

export interface ProviderConfig {
  readonly apiKey: Secret;
  readonly baseUrl: string;
  readonly rps: number;
}

export interface Config {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly providers: Readonly<Partial<Record<ProviderName, ProviderConfig>>>;
  readonly retentionRulesPath: string;
  /** true when RETENTION_RULES was set: then a missing file is an error, not "no rules" */
  readonly retentionRulesExplicit: boolean;
  readonly syncCron: string;
  readonly retentionCron: string;
  readonly scheduleTz: string;
  readonly adminPort: number;
  readonly adminToken: Secret | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** finished history (sync, retention, bulk and DAG runs, quarantine) older than this many days is pruned daily */
  readonly historyKeepDays: number;
}

export const SECRET_VARIABLES = ['AFFOGATO_API_KEY', 'MEDIAPOCKET_API_KEY', 'ROUGHY_API_KEY', 'ADMIN_TOKEN'] as const;

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());

const url = (protocols: string[], what: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );

const httpUrl = url(['http:', 'https:'], 'http(s)');
const rps = z.coerce.number({ message: 'must be a number' }).positive('must be greater than 0').max(10_000, 'must be at most 10000');

const cron = z.string().refine(
  (value) => {
    try {
      cronParser.parseExpression(value);
      return value.trim().split(/\s+/).length >= 5;
    } catch {
      return false;
    }
  },
  { message: 'must be a cron expression such as "0 * * * *"' },
);

const timeZone = z.string().refine(
  (value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as "UTC" or "Europe/Helsinki"' },
);

const envSchema = z.object({
  DATABASE_URL: z.preprocess(blankToUndefined, url(['postgres:', 'postgresql:'], 'postgres').default('postgres://postgres@127.0.0.1:5432/asset_worker')),
  REDIS_URL: z.preprocess(blankToUndefined, url(['redis:', 'rediss:'], 'redis').default('redis://127.0.0.1:6379')),
  QUEUE_PREFIX: z.preprocess(
    blankToUndefined,
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"').default('alw'),
  ),
  AFFOGATO_API_KEY: optionalString,
  AFFOGATO_BASE_URL: z.preprocess(blankToUndefined, httpUrl.default('https://api.rendernet.ai')),
  AFFOGATO_RPS: z.preprocess(blankToUndefined, rps.default(5)),
  MEDIAPOCKET_API_KEY: optionalString,
  MEDIAPOCKET_BASE_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
  MEDIAPOCKET_RPS: z.preprocess(blankToUndefined, rps.default(5)),
  ROUGHY_API_KEY: optionalString,
  ROUGHY_BASE_URL: z.preprocess(blankToUndefined, httpUrl.default('https://api.roughy.ai')),
  ROUGHY_RPS: z.preprocess(blankToUndefined, rps.default(5)),
  RETENTION_RULES: optionalString,
  SYNC_CRON: z.preprocess(blankToUndefined, cron.default('0 * * * *')),
  RETENTION_CRON: z.preprocess(blankToUndefined, cron.default('30 3 * * *')),
  SCHEDULE_TZ: z.preprocess(blankToUndefined, timeZone.default('UTC')),
  ADMIN_PORT: z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(65535, 'must be a port number (0-65535)').default(9400),
  ),
  ADMIN_TOKEN: optionalString,
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }).default('info'),
  ),
  HISTORY_KEEP_DAYS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 (day)')
      .max(36_500, 'must be at most 36500 (days)')
      .default(90),
  ),
});

type Env = Record<string, string | undefined>;

/** Values from a `.env` file in `cwd`; the real environment wins over the file. */
export function readEnvironment(processEnv: Env, cwd: string): Env {
  const dotenvPath = resolve(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...processEnv };
}

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const variable = String(issue.path[0] ?? 'environment');
  const raw = env[variable];
  const shown = raw === undefined || (SECRET_VARIABLES as readonly string[]).includes(variable) ? '' : ` (got ${JSON.stringify(raw)})`;
  return `${variable} ${issue.message}${shown}`;
}

export function loadConfig(env: Env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${describeIssue(issue, env)}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MEDIAPOCKET_API_KEY !== undefined && e.MEDIAPOCKET_BASE_URL === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  - MEDIAPOCKET_BASE_URL is required when MEDIAPOCKET_API_KEY is set (Media Pocket is per tenant, e.g. https://<tenant>.mediapocket.fi)',
    );
  }
  const providers: Partial<Record<ProviderName, ProviderConfig>> = {};
  if (e.AFFOGATO_API_KEY !== undefined) {
    providers.affogato = Object.freeze({ apiKey: new Secret(e.AFFOGATO_API_KEY), baseUrl: e.AFFOGATO_BASE_URL, rps: e.AFFOGATO_RPS });
  }
  if (e.MEDIAPOCKET_API_KEY !== undefined && e.MEDIAPOCKET_BASE_URL !== undefined) {
    providers.mediapocket = Object.freeze({ apiKey: new Secret(e.MEDIAPOCKET_API_KEY), baseUrl: e.MEDIAPOCKET_BASE_URL, rps: e.MEDIAPOCKET_RPS });
  }
  if (e.ROUGHY_API_KEY !== undefined) {
    providers.roughy = Object.freeze({ apiKey: new Secret(e.ROUGHY_API_KEY), baseUrl: e.ROUGHY_BASE_URL, rps: e.ROUGHY_RPS });
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    providers: Object.freeze(providers),
    retentionRulesPath: e.RETENTION_RULES ?? 'retention.yaml',
    retentionRulesExplicit: e.RETENTION_RULES !== undefined,
    syncCron: e.SYNC_CRON,
    retentionCron: e.RETENTION_CRON,
    scheduleTz: e.SCHEDULE_TZ,
    adminPort: e.ADMIN_PORT,
    adminToken: e.ADMIN_TOKEN === undefined ? undefined : new Secret(e.ADMIN_TOKEN),
    logLevel: e.LOG_LEVEL,
    historyKeepDays: e.HISTORY_KEEP_DAYS,
  });
}

/** Credentials embedded in a connection URL never reach a log: postgres://user:pw@host → postgres://user:***@host */
export function redactUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
