/**
 * No secret reaches an output stream (CONTRACT.md): API keys, the admin token and a database password, through
 * real CLI processes logging at trace level, against providers that refuse the key or misbehave.
 */
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { clearPrefix, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';

const KEYS = { affogato: 'aff-live-7Qx2Lm9KeY', mediapocket: 'mp-live-R4nd0mKeY55', roughy: 'sk_live_r0ughyS3cretKey' };
const WRONG = { affogato: 'aff-wrong-Zz81Pq', mediapocket: 'mp-wrong-Yy72Ab', roughy: 'sk_wrong_Xx63Cd' };
const ADMIN_TOKEN = 'adm-T0ken-9vQpW';
const DB_PASSWORD = 'pg-Pa55word-e1x';
const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-Secret-for-the-secrets-test').toString('base64')}`;

/** Every secret, and enough of each that a partial print would show too. */
function expectNoSecret(output: string): void {
  const secrets = [...Object.values(KEYS), ...Object.values(WRONG), ADMIN_TOKEN, DB_PASSWORD, WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length)];
  for (const secret of secrets) {
    expect(output, `output contains ${secret}`).not.toContain(secret);
    expect(output).not.toContain(secret.slice(-8));
  }
}

describe('secrets never reach the output', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let env: Record<string, string>;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await createTestDatabase();
    // the refused syncs below record sync.failed events; `start` delivers them here, logging at trace
    receiver = await startWebhookReceiver();
    sim = await startSimulator({ seed: 51, counts: { affogato: 300, mediapocket: 200, roughy: 200 }, apiKeys: KEYS });
    const withPassword = new URL(database.url);
    withPassword.password = DB_PASSWORD;
    env = {
      DATABASE_URL: withPassword.toString(),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      AFFOGATO_API_KEY: KEYS.affogato,
      AFFOGATO_BASE_URL: sim.baseUrls.affogato,
      MEDIAPOCKET_API_KEY: KEYS.mediapocket,
      MEDIAPOCKET_BASE_URL: sim.baseUrls.mediapocket,
      ROUGHY_API_KEY: KEYS.roughy,
      ROUGHY_BASE_URL: sim.baseUrls.roughy,
      AFFOGATO_RPS: '200',
      MEDIAPOCKET_RPS: '200',
      ROUGHY_RPS: '200',
      ADMIN_TOKEN,
      ADMIN_PORT: '0',
      LOG_LEVEL: 'trace',
      NOTIFY_WEBHOOK_URL: receiver.url,
      NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
  });
  afterAll(async () => {
    await receiver.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('a sync with keys the providers refuse (401) says which key to check, and prints none', async () => {
    const result = await runCli(['sync'], {
      ...env,
      AFFOGATO_API_KEY: WRONG.affogato,
      MEDIAPOCKET_API_KEY: WRONG.mediapocket,
      ROUGHY_API_KEY: WRONG.roughy,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('check AFFOGATO_API_KEY');
    expect(result.stderr).toContain('check MEDIAPOCKET_API_KEY');
    expect(result.stderr).toContain('check ROUGHY_API_KEY');
    expect(sim.stats.count('affogato', 'list', 401)).toBeGreaterThan(0);
    expect(sim.stats.count('roughy', 'list', 401)).toBeGreaterThan(0);
    expectNoSecret(result.stdout + result.stderr);
  });

  it('a sync through 429s, 5xx, HTML gateways and malformed bodies, logged at trace, prints no secret', async () => {
    const faults = { rate429: 0.05, retryAfterSeconds: 1, rate500: 0.1, rate502Html: 0.05, rateMalformedJson: 0.05, rateErrorIn200: 0.05 };
    sim.setFaults('affogato', faults);
    sim.setFaults('mediapocket', faults);
    sim.setFaults('roughy', faults);
    sim.stats.reset();
    try {
      const result = await runCli(['sync'], env);
      const output = result.stdout + result.stderr;
      // the faults were met and logged (trace/debug lines exist), yet no secret shows
      expect(sim.stats.served429 + sim.stats.count('affogato', 'list', 500) + sim.stats.count('roughy', 'list', 500)).toBeGreaterThan(0);
      expect(output.split('\n').filter((line) => line.startsWith('{')).length).toBeGreaterThan(3);
      expectNoSecret(output);
    } finally {
      sim.setFaults('affogato', undefined);
      sim.setFaults('mediapocket', undefined);
      sim.setFaults('roughy', undefined);
    }
  });

  it('start: boot logs, admin requests with right and wrong tokens, and the shutdown print no secret', async () => {
    const worker = startCli(['start'], env);
    let output = '';
    worker.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const adminUrl = await Promise.race([
        waitFor(async () => /admin server listening on (http:\/\/[^\s]+)/.exec(output)?.[1], 50),
        worker.result.then((exited) => Promise.reject(new Error(`start exited (${exited.code}) before serving:\n${output}`))),
      ]);
      expect((await fetch(`${adminUrl}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${adminUrl}/admin/queues`, { headers: { authorization: `Bearer ${WRONG.affogato}` } })).status).toBe(401);
      expect((await fetch(`${adminUrl}/admin/queues?token=${ADMIN_TOKEN}`, { redirect: 'manual' })).status).toBe(303);
      expect((await fetch(`${adminUrl}/admin/queues?token=${WRONG.roughy}`, { redirect: 'manual' })).status).toBe(401);
      expect((await fetch(`${adminUrl}/metrics`)).status).toBe(200);
      expect(output).toContain('"msg":"worker started"');
      // the sync.failed events the refused syncs recorded are delivered (and logged) by this worker
      await waitFor(async () => (output.includes('"msg":"notification event delivered"') ? true : undefined), 50);
      expect(receiver.accepted().length).toBeGreaterThan(0);
    } finally {
      worker.child.kill('SIGTERM');
    }
    const result = await worker.result;
    expect(result.code, output).toBe(0);
    expectNoSecret(output);
  });
});
