/**
 * The one place that reads the environment. Everything else receives the frozen Config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cronParser from 'cron-parser';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { ProviderName } from './domain/provider-facts.ts';
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
  /** the enabled providers (their key is set), in registry order */
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
  /** auto: the scheduled retention applies; approve: it only records plans awaiting approval */
  readonly retentionMode: RetentionMode;
  /** `retention apply --plan` refuses a plan older than this */
  readonly retentionPlanMaxAgeMinutes: number;
  /** `retention apply --plan` refuses when a complete sync since the plan dropped more than this share of it */
  readonly retentionPlanMaxDrift: number;
  /** a plan awaiting approval expires after this */
  readonly retentionApprovalTtlHours: number;
  /** where events are POSTed, signed with its secret; undefined: no event is recorded or sent */
  readonly notifyWebhook: NotifyWebhookConfig | undefined;
}

export interface NotifyWebhookConfig {
  readonly url: string;
  /** Standard Webhooks secret, `whsec_<base64>` */
  readonly secret: Secret;
}

export type RetentionMode = 'auto' | 'approve';

/** `<prefix>_API_KEY` enables a provider; `<prefix>_BASE_URL` and `<prefix>_RPS` tune it. */
export interface ProviderEnvSpec {
  readonly prefix: string;
  /** the base URL's default, or why there is none: then `<prefix>_BASE_URL` is required with the key */
  readonly baseUrl: { readonly default: string } | { readonly requiredHint: string };
  readonly defaultRps: number;
}

/** The providers whose variables config reads: the provider registry (passed in, so config lists no provider). */
export interface ConfigProviders {
  readonly definitions: readonly { readonly name: ProviderName; readonly env: ProviderEnvSpec }[];
}

/** Variables whose values are never shown, not even in a message about them. */
export function secretVariables(providers: ConfigProviders): string[] {
  return [...providers.definitions.map((definition) => `${definition.env.prefix}_API_KEY`), 'ADMIN_TOKEN', 'NOTIFY_WEBHOOK_SECRET'];
}

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

/** Standard Webhooks secret: `whsec_` then base64 of at least 24 bytes (the spec's minimum key size). */
const webhookSecret = z.string().refine(
  (value) => {
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
    return match?.[1] !== undefined && Buffer.from(match[1], 'base64').length >= 24;
  },
  { message: 'must be a Standard Webhooks secret: "whsec_" followed by base64 of 24 to 64 random bytes' },
);

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

const baseShape = {
  DATABASE_URL: z.preprocess(blankToUndefined, url(['postgres:', 'postgresql:'], 'postgres').default('postgres://postgres@127.0.0.1:5432/asset_worker')),
  REDIS_URL: z.preprocess(blankToUndefined, url(['redis:', 'rediss:'], 'redis').default('redis://127.0.0.1:6379')),
  QUEUE_PREFIX: z.preprocess(
    blankToUndefined,
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"').default('alw'),
  ),
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
  NOTIFY_WEBHOOK_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
  NOTIFY_WEBHOOK_SECRET: z.preprocess(blankToUndefined, webhookSecret.optional()),
  HISTORY_KEEP_DAYS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 (day)')
      .max(36_500, 'must be at most 36500 (days)')
      .default(90),
  ),
  RETENTION_MODE: z.preprocess(blankToUndefined, z.enum(['auto', 'approve'], { message: 'must be auto or approve' }).default('auto')),
  RETENTION_PLAN_MAX_AGE_MINUTES: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number of minutes')
      .min(1, 'must be at least 1 (minute)')
      .max(525_600, 'must be at most 525600 (minutes, a year)')
      .default(1440),
  ),
  RETENTION_PLAN_MAX_DRIFT: z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: 'must be a fraction such as 0.1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.1),
  ),
  RETENTION_APPROVAL_TTL_HOURS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: 'must be a number of hours' })
      .positive('must be greater than 0 (hours)')
      .max(8_760, 'must be at most 8760 (hours, a year)')
      .default(72),
  ),
};

/** `<prefix>_API_KEY`, `<prefix>_BASE_URL`, `<prefix>_RPS` of one provider. */
function providerShape(env: ProviderEnvSpec) {
  const baseUrl = 'default' in env.baseUrl ? httpUrl.default(env.baseUrl.default) : httpUrl.optional();
  return {
    [`${env.prefix}_API_KEY`]: optionalString,
    [`${env.prefix}_BASE_URL`]: z.preprocess(blankToUndefined, baseUrl),
    [`${env.prefix}_RPS`]: z.preprocess(blankToUndefined, rps.default(env.defaultRps)),
  };
}

function envSchema(providers: ConfigProviders) {
  const { DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ...rest } = baseShape;
  // the providers' variables sit where they always did, so messages keep their order
  const providerShapes = Object.assign({}, ...providers.definitions.map((definition) => providerShape(definition.env))) as Record<string, z.ZodType>;
  return z.object({ DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ...providerShapes, ...rest });
}

type Env = Record<string, string | undefined>;

/** Values from a `.env` file in `cwd`; the real environment wins over the file. */
export function readEnvironment(processEnv: Env, cwd: string): Env {
  const dotenvPath = resolve(cwd, '.env');
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...processEnv };
}

function describeIssue(issue: z.core.$ZodIssue, env: Env, secrets: readonly string[]): string {
  const variable = String(issue.path[0] ?? 'environment');
  const raw = env[variable];
  const shown = raw === undefined || secrets.includes(variable) ? '' : ` (got ${JSON.stringify(raw)})`;
  return `${variable} ${issue.message}${shown}`;
}

export function loadConfig(env: Env, providers: ConfigProviders): Config {
  const parsed = envSchema(providers).safeParse(env);
  if (!parsed.success) {
    const secrets = secretVariables(providers);
    const lines = parsed.error.issues.map((issue) => `  - ${describeIssue(issue, env, secrets)}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data as z.infer<ReturnType<typeof envSchema>> & Record<string, unknown>;
  const enabled: Record<ProviderName, ProviderConfig> = {};
  const missing: string[] = [];
  for (const { name, env: spec } of providers.definitions) {
    const apiKey = e[`${spec.prefix}_API_KEY`] as string | undefined;
    const baseUrl = e[`${spec.prefix}_BASE_URL`] as string | undefined;
    if (apiKey === undefined) continue;
    if (baseUrl === undefined) {
      const hint = 'requiredHint' in spec.baseUrl ? ` (${spec.baseUrl.requiredHint})` : '';
      missing.push(`  - ${spec.prefix}_BASE_URL is required when ${spec.prefix}_API_KEY is set${hint}`);
      continue;
    }
    enabled[name] = Object.freeze({ apiKey: new Secret(apiKey), baseUrl, rps: e[`${spec.prefix}_RPS`] as number });
  }
  if (e.NOTIFY_WEBHOOK_URL !== undefined && e.NOTIFY_WEBHOOK_SECRET === undefined) {
    missing.push('  - NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set (a Standard Webhooks secret, "whsec_<base64>")');
  }
  if (e.NOTIFY_WEBHOOK_SECRET !== undefined && e.NOTIFY_WEBHOOK_URL === undefined) {
    // a secret alone is a half-done set-up: say so rather than send nothing in silence
    missing.push('  - NOTIFY_WEBHOOK_URL is required when NOTIFY_WEBHOOK_SECRET is set (where the events are sent)');
  }
  if (missing.length > 0) throw new ConfigError(`Invalid configuration:\n${missing.join('\n')}`);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    providers: Object.freeze(enabled),
    retentionRulesPath: e.RETENTION_RULES ?? 'retention.yaml',
    retentionRulesExplicit: e.RETENTION_RULES !== undefined,
    syncCron: e.SYNC_CRON,
    retentionCron: e.RETENTION_CRON,
    scheduleTz: e.SCHEDULE_TZ,
    adminPort: e.ADMIN_PORT,
    adminToken: e.ADMIN_TOKEN === undefined ? undefined : new Secret(e.ADMIN_TOKEN),
    logLevel: e.LOG_LEVEL,
    historyKeepDays: e.HISTORY_KEEP_DAYS,
    retentionMode: e.RETENTION_MODE,
    retentionPlanMaxAgeMinutes: e.RETENTION_PLAN_MAX_AGE_MINUTES,
    retentionPlanMaxDrift: e.RETENTION_PLAN_MAX_DRIFT,
    retentionApprovalTtlHours: e.RETENTION_APPROVAL_TTL_HOURS,
    notifyWebhook:
      e.NOTIFY_WEBHOOK_URL === undefined || e.NOTIFY_WEBHOOK_SECRET === undefined
        ? undefined
        : Object.freeze({ url: e.NOTIFY_WEBHOOK_URL, secret: new Secret(e.NOTIFY_WEBHOOK_SECRET) }),
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
