/**
 * The configuration contract (CONTRACT.md): every variable's default, every kind of wrong value rejected with a
 * message naming the variable, `.env` read with the real environment winning, and the same through the CLI (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, readEnvironment } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { runCli } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env, builtinProviderRegistry);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

  it('NOTIFY_WEBHOOK_URL with its secret turns notifications on; the secret is never shown', () => {
    const config = loadConfig({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/asset-worker', NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET }, builtinProviderRegistry);
    expect(config.notifyWebhook?.url).toBe('https://hooks.example.com/asset-worker');
    expect(config.notifyWebhook?.secret.reveal()).toBe(WEBHOOK_SECRET);
    expect(inspect(config, { depth: 5 })).not.toContain(WEBHOOK_SECRET);
    expect(JSON.stringify(config)).not.toContain(WEBHOOK_SECRET);
  });

  it('rejects a webhook URL without its secret, a URL that is not http(s), and a malformed secret (never echoing it)', () => {
    expect(configError({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x' })).toContain('NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set');
    expect(configError({ NOTIFY_WEBHOOK_URL: 'ftp://hooks.example.com/x', NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET })).toContain(
      'NOTIFY_WEBHOOK_URL must be a http(s) URL',
    );
    for (const wrong of ['not-a-secret-at-all-but-long-enough', 'whsec_c2hvcnQ=', 'whsec_!!!notbase64!!!']) {
      const message = configError({ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x', NOTIFY_WEBHOOK_SECRET: wrong });
      expect(message).toContain('NOTIFY_WEBHOOK_SECRET must be a Standard Webhooks secret');
      expect(message).not.toContain(wrong);
    }
    // a secret alone is a half-done set-up, not silence
    expect(configError({ NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET })).toContain('NOTIFY_WEBHOOK_URL is required when NOTIFY_WEBHOOK_SECRET is set');
  });

  it('has the documented default for every variable', () => {
    const config = loadConfig({}, builtinProviderRegistry);
    expect({ ...config, providers: { ...config.providers } }).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/asset_worker',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'alw',
      providers: {},
      retentionRulesPath: 'retention.yaml',
      retentionRulesExplicit: false,
      syncCron: '0 * * * *',
      retentionCron: '30 3 * * *',
      scheduleTz: 'UTC',
      adminPort: 9400,
      adminToken: undefined,
      logLevel: 'info',
      historyKeepDays: 90,
      retentionMode: 'auto',
      retentionPlanMaxAgeMinutes: 1440,
      retentionPlanMaxDrift: 0.1,
      retentionApprovalTtlHours: 72,
      notifyWebhook: undefined,
    });
    expect('notifyWebhook' in config).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.providers)).toBe(true);
  });

  it('enables a provider by its key, with the default base URL and request budget', () => {
    const config = loadConfig({ AFFOGATO_API_KEY: 'a1', ROUGHY_API_KEY: 'r1', MEDIAPOCKET_API_KEY: 'm1', MEDIAPOCKET_BASE_URL: 'https://acme.mediapocket.fi' }, builtinProviderRegistry);
    expect(config.providers.affogato?.baseUrl).toBe('https://api.rendernet.ai');
    expect(config.providers.roughy?.baseUrl).toBe('https://api.roughy.ai');
    expect(config.providers.mediapocket?.baseUrl).toBe('https://acme.mediapocket.fi');
    expect([config.providers.affogato?.rps, config.providers.mediapocket?.rps, config.providers.roughy?.rps]).toEqual([5, 5, 5]);
    expect(config.providers.affogato?.apiKey.reveal()).toBe('a1');
    // a blank key is no key
    expect(loadConfig({ AFFOGATO_API_KEY: '  ' }, builtinProviderRegistry).providers.affogato).toBeUndefined();
  });

  it('reads every variable when it is set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u:p@db.internal:6543/catalog',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      QUEUE_PREFIX: 'alw-staging.2',
      AFFOGATO_API_KEY: 'a',
      AFFOGATO_BASE_URL: 'http://affogato.test',
      AFFOGATO_RPS: '2.5',
      MEDIAPOCKET_API_KEY: 'm',
      MEDIAPOCKET_BASE_URL: 'https://t.mediapocket.fi',
      MEDIAPOCKET_RPS: '7',
      ROUGHY_API_KEY: 'r',
      ROUGHY_BASE_URL: 'https://staging.roughy.ai',
      ROUGHY_RPS: '1',
      RETENTION_RULES: '/etc/alw/rules.json',
      SYNC_CRON: '*/15 * * * *',
      RETENTION_CRON: '0 2 * * 0',
      SCHEDULE_TZ: 'Europe/Helsinki',
      ADMIN_PORT: '0',
      ADMIN_TOKEN: 't0k',
      LOG_LEVEL: 'debug',
      HISTORY_KEEP_DAYS: '400',
      RETENTION_MODE: 'approve',
      RETENTION_PLAN_MAX_AGE_MINUTES: '90',
      RETENTION_PLAN_MAX_DRIFT: '0.25',
      RETENTION_APPROVAL_TTL_HOURS: '12',
    }, builtinProviderRegistry);
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db.internal:6543/catalog',
      redisUrl: 'rediss://cache.internal:6380/2',
      queuePrefix: 'alw-staging.2',
      retentionRulesPath: '/etc/alw/rules.json',
      retentionRulesExplicit: true,
      syncCron: '*/15 * * * *',
      retentionCron: '0 2 * * 0',
      scheduleTz: 'Europe/Helsinki',
      adminPort: 0,
      logLevel: 'debug',
      historyKeepDays: 400,
      retentionMode: 'approve',
      retentionPlanMaxAgeMinutes: 90,
      retentionPlanMaxDrift: 0.25,
      retentionApprovalTtlHours: 12,
    });
    expect(config.providers.affogato).toMatchObject({ baseUrl: 'http://affogato.test', rps: 2.5 });
    expect(config.providers.mediapocket).toMatchObject({ baseUrl: 'https://t.mediapocket.fi', rps: 7 });
    expect(config.providers.roughy).toMatchObject({ baseUrl: 'https://staging.roughy.ai', rps: 1 });
    expect(config.adminToken?.reveal()).toBe('t0k');
  });

  const wrongValues: Array<[string, string, string]> = [
    ['DATABASE_URL', 'mysql://db/catalog', 'DATABASE_URL must be a postgres URL'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL must be a postgres URL'],
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must be a redis URL'],
    ['QUEUE_PREFIX', 'has space', 'QUEUE_PREFIX must be 1-64 letters'],
    ['QUEUE_PREFIX', 'x'.repeat(65), 'QUEUE_PREFIX must be 1-64 letters'],
    ['AFFOGATO_BASE_URL', 'ftp://affogato', 'AFFOGATO_BASE_URL must be a http(s) URL'],
    ['MEDIAPOCKET_BASE_URL', 'acme.mediapocket.fi', 'MEDIAPOCKET_BASE_URL must be a http(s) URL'],
    ['ROUGHY_BASE_URL', '//api.roughy.ai', 'ROUGHY_BASE_URL must be a http(s) URL'],
    ['AFFOGATO_RPS', 'fast', 'AFFOGATO_RPS must be a number'],
    ['MEDIAPOCKET_RPS', '0', 'MEDIAPOCKET_RPS must be greater than 0'],
    ['ROUGHY_RPS', '-3', 'ROUGHY_RPS must be greater than 0'],
    ['ROUGHY_RPS', '20000', 'ROUGHY_RPS must be at most 10000'],
    ['SYNC_CRON', 'every hour', 'SYNC_CRON must be a cron expression'],
    ['RETENTION_CRON', '61 * * * *', 'RETENTION_CRON must be a cron expression'],
    ['SCHEDULE_TZ', 'Mars/Olympus_Mons', 'SCHEDULE_TZ must be an IANA time zone'],
    ['ADMIN_PORT', 'http', 'ADMIN_PORT must be a number'],
    ['ADMIN_PORT', '70000', 'ADMIN_PORT must be a port number'],
    ['ADMIN_PORT', '94.5', 'ADMIN_PORT must be a whole number'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    ['HISTORY_KEEP_DAYS', 'forever', 'HISTORY_KEEP_DAYS must be a number of days'],
    ['HISTORY_KEEP_DAYS', '0', 'HISTORY_KEEP_DAYS must be at least 1 (day)'],
    ['HISTORY_KEEP_DAYS', '-30', 'HISTORY_KEEP_DAYS must be at least 1 (day)'],
    ['HISTORY_KEEP_DAYS', '7.5', 'HISTORY_KEEP_DAYS must be a whole number of days'],
    ['HISTORY_KEEP_DAYS', '100000', 'HISTORY_KEEP_DAYS must be at most 36500 (days)'],
    ['RETENTION_MODE', 'manual', 'RETENTION_MODE must be auto or approve'],
    ['RETENTION_PLAN_MAX_AGE_MINUTES', 'soon', 'RETENTION_PLAN_MAX_AGE_MINUTES must be a number of minutes'],
    ['RETENTION_PLAN_MAX_AGE_MINUTES', '0', 'RETENTION_PLAN_MAX_AGE_MINUTES must be at least 1 (minute)'],
    ['RETENTION_PLAN_MAX_AGE_MINUTES', '2.5', 'RETENTION_PLAN_MAX_AGE_MINUTES must be a whole number of minutes'],
    ['RETENTION_PLAN_MAX_DRIFT', 'ten percent', 'RETENTION_PLAN_MAX_DRIFT must be a fraction such as 0.1'],
    ['RETENTION_PLAN_MAX_DRIFT', '10', 'RETENTION_PLAN_MAX_DRIFT must be between 0 and 1'],
    ['RETENTION_PLAN_MAX_DRIFT', '-0.1', 'RETENTION_PLAN_MAX_DRIFT must be between 0 and 1'],
    ['RETENTION_APPROVAL_TTL_HOURS', 'a day', 'RETENTION_APPROVAL_TTL_HOURS must be a number of hours'],
    ['RETENTION_APPROVAL_TTL_HOURS', '0', 'RETENTION_APPROVAL_TTL_HOURS must be greater than 0 (hours)'],
  ];

  it.each(wrongValues)('rejects %s=%j naming the variable and the value', (variable, value, expected) => {
    const message = configError({ [variable]: value });
    expect(message).toContain(expected);
    expect(message).toContain(`(got ${JSON.stringify(value)})`);
  });

  it('names every wrong variable at once', () => {
    const message = configError({ AFFOGATO_RPS: 'x', LOG_LEVEL: 'loud', SCHEDULE_TZ: 'Nowhere' });
    expect(message).toContain('AFFOGATO_RPS');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('SCHEDULE_TZ');
  });

  it('requires MEDIAPOCKET_BASE_URL with MEDIAPOCKET_API_KEY (Media Pocket is per tenant)', () => {
    expect(configError({ MEDIAPOCKET_API_KEY: 'mp-secret-key' })).toContain('MEDIAPOCKET_BASE_URL is required when MEDIAPOCKET_API_KEY is set');
  });

  it('never shows a secret in a message, a serialisation or an inspection of the config', () => {
    const secrets = { AFFOGATO_API_KEY: 'aff-SECRET-1', ROUGHY_API_KEY: 'sk_rough-SECRET-2', MEDIAPOCKET_API_KEY: 'mp-SECRET-3', ADMIN_TOKEN: 'adm-SECRET-4' };
    const message = configError({ ...secrets, LOG_LEVEL: 'nope' });
    const config = loadConfig({ ...secrets, MEDIAPOCKET_BASE_URL: 'https://t.mediapocket.fi' }, builtinProviderRegistry);
    for (const text of [message, JSON.stringify(config), inspect(config, { depth: 10 }), `${config.adminToken}`]) {
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    }
  });

  it('reads .env from the working directory; the real environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alw-env-'));
    writeFileSync(join(dir, '.env'), 'QUEUE_PREFIX=from-file\nLOG_LEVEL=debug\n# a comment\nSYNC_CRON="*/5 * * * *"\n');
    const env = readEnvironment({ LOG_LEVEL: 'warn' }, dir);
    const config = loadConfig(env, builtinProviderRegistry);
    expect([config.queuePrefix, config.logLevel, config.syncCron]).toEqual(['from-file', 'warn', '*/5 * * * *']);
    // no .env: only the environment
    expect(readEnvironment({ A: '1' }, mkdtempSync(join(tmpdir(), 'alw-env-')))).toEqual({ A: '1' });
  });
});

describe('configuration through the CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('exits 2 naming the variable for each kind of wrong value, before touching anything', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL must be a postgres URL'],
      [{ ROUGHY_RPS: 'lots' }, 'ROUGHY_RPS must be a number (got "lots")'],
      [{ SYNC_CRON: '* * *' }, 'SYNC_CRON must be a cron expression'],
      [{ SCHEDULE_TZ: 'Atlantis' }, 'SCHEDULE_TZ must be an IANA time zone'],
      [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL must be one of'],
      [{ MEDIAPOCKET_API_KEY: 'mp-cli-secret' }, 'MEDIAPOCKET_BASE_URL is required when MEDIAPOCKET_API_KEY is set'],
      [{ HISTORY_KEEP_DAYS: '0' }, 'HISTORY_KEEP_DAYS must be at least 1 (day) (got "0")'],
    ];
    const commands = [['report'], ['start'], ['sync'], ['migrate']];
    const results = await Promise.all(
      cases.map(([env, _], i) => runCli(commands[i % commands.length] ?? ['report'], { DATABASE_URL: database.url, ...env })),
    );
    results.forEach((result, i) => {
      const [, expected] = cases[i] ?? [{}, ''];
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('Invalid configuration');
      expect(result.stderr).toContain(expected);
      expect(`${result.stdout}${result.stderr}`).not.toContain('mp-cli-secret');
    });
  });

  it('reads .env in the working directory (a wrong value there exits 2; a right one is used)', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'alw-cli-env-'));
    writeFileSync(join(bad, '.env'), 'RETENTION_CRON=sometimes\n');
    const good = mkdtempSync(join(tmpdir(), 'alw-cli-env-'));
    writeFileSync(join(good, '.env'), `DATABASE_URL=${database.url}\nLOG_LEVEL=silent\n`);
    const [badResult, goodResult, overridden] = await Promise.all([
      runCli(['report'], {}, bad),
      runCli(['report', '--json'], {}, good),
      // the real environment wins over .env
      runCli(['report'], { DATABASE_URL: 'mysql://wins/x' }, good),
    ]);
    expect(badResult.code).toBe(2);
    expect(badResult.stderr).toContain('RETENTION_CRON must be a cron expression such as "0 * * * *" (got "sometimes")');
    expect(goodResult.code, goodResult.stderr).toBe(0);
    expect((JSON.parse(goodResult.stdout) as { providers: Array<{ provider: string }> }).providers.map((p) => p.provider)).toEqual([
      'affogato',
      'mediapocket',
      'roughy',
    ]);
    expect(overridden.code).toBe(2);
    expect(overridden.stderr).toContain('DATABASE_URL must be a postgres URL (postgres:// or postgresql://) (got "mysql://wins/x")');
  });
});
