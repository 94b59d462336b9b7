/**
 * Notification webhooks end to end: real Postgres and Redis, the providers through the simulator over HTTP, the
 * delivery job on BullMQ, and a receiver on loopback. Each event kind is produced by driving the real flow, its
 * signature is checked with the Standard Webhooks library, and no credential is in any body.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { bulkChunkHandler } from '../src/app/job-handlers/bulk-chunk.handler.ts';
import { dagPollHandler } from '../src/app/job-handlers/dag-poll.handler.ts';
import { dagSweepHandler } from '../src/app/job-handlers/dag-sweep.handler.ts';
import { notifyDeliverHandler } from '../src/app/job-handlers/notify-deliver.handler.ts';
import { submitBulkOperation } from '../src/bulk/bulk-submit.ts';
import { createStartingRun, submitStart, type DagDeps } from '../src/dag/dag-run-starter.ts';
import { getOperation } from '../src/db/bulk.repository.ts';
import { MAX_EVENT_DELIVERY_ATTEMPTS, recordNotificationEvent } from '../src/db/notification-events.repository.ts';
import { validateBulkRequest } from '../src/domain/bulk-request.ts';
import { DEFAULT_DAG_POLL_POLICY, isOpenOutcome, type DagPollPolicy } from '../src/domain/dag-poll-policy.ts';
import type { NotificationEvent } from '../src/domain/notification-event.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import { ensurePollJob } from '../src/jobs/dag-poll-jobs.ts';
import { sweepLostJobs } from '../src/jobs/lost-job-sweep.ts';
import { ensureDeliveryJob } from '../src/jobs/notify-jobs.ts';
import type { Queues } from '../src/jobs/queues.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';
import { applyRetention, type ProviderApplyResult } from '../src/retention/retention-apply.ts';
import { planForApproval } from '../src/retention/retention-approval.ts';
import { loadRetentionRules } from '../src/retention/retention-rules.loader.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { rulesYaml, syncAndAge, writeRules, type SafetyOverrides } from './retention-fixtures.ts';
import { waitFor } from './support/catalog.ts';
import { runCli } from './support/cli.ts';
import { contextFor, startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './support/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const FAST: DagPollPolicy = { ...DEFAULT_DAG_POLL_POLICY, baseMs: 100, capMs: 400, minMs: 20, startGraceMs: 600, startRecheckMs: 200 };

const headersOf = (request: ReceivedRequest): Record<string, string> => ({
  'webhook-id': String(request.headers['webhook-id']),
  'webhook-timestamp': String(request.headers['webhook-timestamp']),
  'webhook-signature': String(request.headers['webhook-signature']),
});

describe('notification webhooks', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let worker: InProcessWorker;
  let context: AppContext;
  let queues: Queues;
  let revoked: AppContext;
  let env: Record<string, string>;
  const prefix = testQueuePrefix();

  /** The accepted delivery of the one event of this type matching `where`, once the receiver has it. */
  const delivered = (type: string, where: (event: NotificationEvent) => boolean = () => true) =>
    waitFor(async () => {
      const hits = receiver.accepted().map((request) => JSON.parse(request.body) as NotificationEvent).filter((event) => event.type === type && where(event));
      return hits[0];
    }, 50);

  const apply = async (on: AppContext, provider: ProviderName, safety: SafetyOverrides = {}): Promise<ProviderApplyResult> => {
    const loaded = await loadRetentionRules({ retentionRulesPath: writeRules(rulesYaml(safety)).path, retentionRulesExplicit: true }, '/');
    const handle = on.providers.get(provider);
    if (handle === undefined) throw new Error(`${provider} not enabled`);
    const [outcome] = await applyRetention({ pool: on.pool, logger: on.logger, notifications: on.notifications }, loaded, [handle.provider]);
    if (outcome === undefined || 'error' in outcome) throw new Error(`apply of ${provider} crashed`);
    return outcome.result;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 613, counts: { affogato: 200, mediapocket: 300, roughy: 300 } });
    receiver = await startWebhookReceiver();
    env = workerEnv(sim, database.url, prefix, { NOTIFY_WEBHOOK_URL: receiver.url, NOTIFY_WEBHOOK_SECRET: SECRET });
    worker = startInProcessWorker(env, {
      handlers: (deps) => [notifyDeliverHandler(deps), dagPollHandler(deps, { policy: FAST }), dagSweepHandler(deps), bulkChunkHandler(deps, { dagPolicy: FAST })],
      queues: ['notify', 'dag', 'bulk'],
    });
    ({ context, queues } = worker);
    revoked = contextFor({ ...env, ROUGHY_API_KEY: 'revoked-key' });
    // the starting catalog (no outbox on these syncs: they report nothing)
    await syncAndAge(context, sim);
  });
  afterAll(async () => {
    await revoked?.close();
    await worker?.close();
    await receiver?.close();
    await sim?.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('a retention run applied, one refused by a safety limit and one that failed each send their event', async () => {
    const applied = await apply(context, 'affogato');
    expect(applied).toMatchObject({ failed: 0, refused: null });
    expect(applied.applied).toBeGreaterThan(0);
    const refused = await apply(context, 'mediapocket', { maxActionsPerRun: 1 });
    expect(refused.refused?.limit).toBe('max_actions');
    const failed = await apply(revoked, 'roughy');
    expect(failed.failed).toBeGreaterThan(0);

    expect((await delivered('retention.applied')).data).toEqual({
      provider: 'affogato',
      runId: applied.runId,
      planned: applied.applied,
      applied: applied.applied,
      failed: 0,
      skipped: applied.skipped,
    });
    const refusal = await delivered('retention.refused');
    expect(refusal.data).toMatchObject({ provider: 'mediapocket', runId: refused.runId, limit: 'max_actions', planned: refused.planned });
    expect((refusal.data as { reason: string }).reason).toMatch(/more than maxActionsPerRun 1/);
    expect((await delivered('retention.failed')).data).toMatchObject({ provider: 'roughy', runId: failed.runId, applied: 0, failed: failed.failed });
  });

  it('`retention apply` on the command line records its event and adds its delivery job before it exits', async () => {
    const rules = writeRules(rulesYaml({ maxActionsPerRun: 1 })).path;
    const result = await runCli(['retention', 'apply', '--provider', 'roughy'], { ...env, RETENTION_RULES: rules });
    expect(result.code, result.stderr).toBe(1);
    const [row] = (
      await database.pool.query<{ id: string; payload: NotificationEvent }>(
        "SELECT id, payload FROM notification_events WHERE type = 'retention.refused' AND payload->'data'->>'provider' = 'roughy'",
      )
    ).rows;
    if (row === undefined) throw new Error('no retention.refused event for roughy');
    // the command has exited: the job it added is what this test's worker delivers
    expect(await queues.notify.getJob(row.id)).toBeDefined();
    expect((await delivered('retention.refused', (event) => event.id === row.id)).data).toMatchObject({ provider: 'roughy', limit: 'max_actions' });
  });

  it('a sync that ends partial and one that fails each send their event', async () => {
    sim.setFaults('affogato', { emptyListing: true });
    try {
      const affogato = context.providers.get('affogato');
      if (affogato === undefined) throw new Error('affogato not enabled');
      const partial = await syncProvider({ pool: context.pool, logger: context.logger, notifications: context.notifications }, affogato.provider);
      expect(partial.state).toBe('partial');
      const event = await delivered('sync.partial');
      expect(event.data).toMatchObject({ provider: 'affogato', runId: partial.runId, reason: partial.partialReason });
      expect(partial.partialReason).not.toBeNull();
    } finally {
      sim.setFaults('affogato', undefined);
    }

    const roughy = revoked.providers.get('roughy');
    if (roughy === undefined) throw new Error('roughy not enabled');
    await expect(syncProvider({ pool: revoked.pool, logger: revoked.logger, notifications: revoked.notifications }, roughy.provider)).rejects.toThrow();
    const failed = await delivered('sync.failed');
    const run = await database.pool.query<{ id: number }>("SELECT id FROM sync_runs WHERE provider = 'roughy' ORDER BY id DESC LIMIT 1");
    expect(failed.data).toMatchObject({ provider: 'roughy', runId: run.rows[0]?.id });
    expect((failed.data as { reason: string }).reason).toMatch(/401/);
  });

  it('a DAG run that fails and one that times out each send their event', async () => {
    const dagActions = context.providers.get('mediapocket')?.dagActions;
    if (dagActions === undefined) throw new Error('no DAG actions');
    const deps: DagDeps = { pool: context.pool, db: context.db, dagActions, logger: context.logger, policy: FAST, clock: () => new Date(), notifications: context.notifications };
    const [failingAsset, slowAsset] = sim.mediapocket.ids().slice(-2) as [string, string];
    const start = async (assetId: string, dagActionId: string, timeoutMs: number) => {
      const { run } = await submitStart(deps, await createStartingRun(context.db, { assetId, dagActionId, timeoutMs }, FAST, new Date()));
      if (isOpenOutcome(run.outcome)) await ensurePollJob(queues, run.id, run.nextPollAt ?? undefined);
      return run;
    };
    // action 2 ends failed after two polls; action 3 never ends, so its 1.5 s deadline passes
    const failing = await start(failingAsset, '2', 60_000);
    const slow = await start(slowAsset, '3', 1_500);
    const failedEvent = await delivered('dag_run.failed', (event) => (event.data as { dagRunId: number }).dagRunId === failing.id);
    expect(failedEvent.data).toMatchObject({ provider: 'mediapocket', assetId: failingAsset, dagActionId: '2', status: 'failed' });
    const timedOut = await delivered('dag_run.timed_out', (event) => (event.data as { dagRunId: number }).dagRunId === slow.id);
    expect(timedOut.data).toMatchObject({ provider: 'mediapocket', assetId: slowAsset, dagActionId: '3' });
    expect((timedOut.data as { reason: string }).reason).toMatch(/no final status by the deadline/);
  });

  it('a bulk operation that finished with failed items sends its event (DAG and archive operations)', async () => {
    const submit = async (action: string, provider: string, ids: string[], dagActionId?: string) => {
      const { operation } = await submitBulkOperation(context, queues, validateBulkRequest(action, provider, dagActionId, builtinProviderRegistry), ids);
      await waitFor(async () => ((await getOperation(context.db, operation.id))?.state === 'done' ? true : undefined));
      return operation.id;
    };
    // every run of DAG action 2 fails: both items of the operation fail
    const dagOperation = await submit('dag', 'mediapocket', sim.mediapocket.ids().slice(0, 2), '2');
    expect((await delivered('bulk.finished_with_failures', (event) => (event.data as { operationId: number }).operationId === dagOperation)).data).toEqual({
      provider: 'mediapocket',
      operationId: dagOperation,
      action: 'dag',
      items: 2,
      done: 0,
      failed: 2,
      skipped: 0,
    });
    // every archive answer leaves at least one id out: after its three sends, that item is failed
    sim.setFaults('affogato', { rateArchivePartial: 1 });
    try {
      const archived = new Set(sim.affogato.archivedIds());
      const ids = sim.affogato.ids().filter((id) => !archived.has(id)).slice(0, 4);
      const archiveOperation = await submit('archive', 'affogato', ids);
      const event = await delivered('bulk.finished_with_failures', (candidate) => (candidate.data as { operationId: number }).operationId === archiveOperation);
      const data = event.data as { failed: number; done: number; items: number };
      expect(data.items).toBe(4);
      expect(data.failed).toBeGreaterThan(0);
      expect(data.done + data.failed).toBe(4);
    } finally {
      sim.setFaults('affogato', undefined);
    }
  });

  it('a plan recorded awaiting approval (approve mode) sends its event; a receiver that answers 500 twice gets it on the third try, same id, once accepted', async () => {
    receiver.failFirstOfType('retention.awaiting_approval', 2);
    const loaded = await loadRetentionRules({ retentionRulesPath: writeRules(rulesYaml()).path, retentionRulesExplicit: true }, '/');
    if (loaded.kind !== 'rules') throw new Error('the rules file was written');
    // what the scheduled retention does in RETENTION_MODE=approve: plan, and record the plan awaiting approval
    const [plan] = await planForApproval({ pool: context.pool, logger: context.logger, notifications: context.notifications }, loaded, ['mediapocket'], 24);
    if (plan?.runId == null || plan.planned === 0) throw new Error('a Media Pocket plan with actions was expected');
    const event = await delivered('retention.awaiting_approval');
    const eventId = event.id;
    expect(event).toMatchObject({ data: { provider: 'mediapocket', runId: plan.runId, planned: plan.planned } });
    const run = await database.pool.query<{ state: string; expires_at: Date }>('SELECT state, expires_at FROM retention_runs WHERE id = $1', [plan.runId]);
    expect(run.rows[0]?.state).toBe('awaiting_approval');
    expect((event.data as { expiresAt: string }).expiresAt).toBe(run.rows[0]?.expires_at.toISOString());
    const tries = receiver.requests.filter((request) => request.headers['webhook-id'] === eventId);
    expect(tries.map((request) => request.status)).toEqual([500, 500, 204]);
    // each try is signed afresh (its own timestamp) and verifies
    for (const request of tries) expect(new Webhook(SECRET).verify(request.body, headersOf(request))).toMatchObject({ id: eventId });
    const row = await database.pool.query('SELECT attempts, delivered_at, last_error FROM notification_events WHERE id = $1', [eventId]);
    expect(row.rows[0]).toMatchObject({ attempts: 3, last_error: null });
    expect(row.rows[0].delivered_at).not.toBeNull();
  }, 30_000);

  it('an event whose job is gone (Redis came back empty) is enqueued again by the lost-job sweep and delivered once', async () => {
    // written as a crash between the commit and the enqueue would leave it: in Postgres, with no job
    const lost = { recorded: () => undefined };
    const eventId = await recordNotificationEvent(context.pool, lost, 'sync.failed', { provider: 'roughy', runId: 1, reason: 'a test event with no job' });
    if (eventId === undefined) throw new Error('an event id was expected');
    expect(await queues.notify.getJob(eventId)).toBeUndefined();
    const sweep = { db: context.db, queues, logger: context.logger, providers: [], deliverEvents: true };
    expect((await sweepLostJobs(sweep)).eventsRequeued).toBe(1);
    await delivered('sync.failed', (event) => event.id === eventId);
    // delivered: nothing owed any more, and a second sweep adds nothing
    expect((await sweepLostJobs(sweep)).eventsRequeued).toBe(0);
    expect(receiver.accepted().filter((request) => request.headers['webhook-id'] === eventId)).toHaveLength(1);
  });

  it('a delivery job whose event never committed (its change rolled back) ends after three tries, delivering nothing', async () => {
    const eventId = 'evt_neverCommitted';
    await ensureDeliveryJob(queues.notify, eventId, 0);
    const job = await waitFor(async () => {
      const found = await queues.notify.getJob(eventId);
      return found !== undefined && (await found.isCompleted()) ? found : undefined;
    }, 100);
    expect(job.attemptsMade).toBe(3); // three tries, the last one completing
    expect(job.returnvalue).toEqual({ result: 'never committed' });
    expect(receiver.requests.filter((request) => request.headers['webhook-id'] === eventId)).toEqual([]);
  }, 30_000);

  it('an event refused MAX_EVENT_DELIVERY_ATTEMPTS times is given up: the sweep no longer enqueues it', async () => {
    const lost = { recorded: () => undefined };
    const eventId = await recordNotificationEvent(context.pool, lost, 'sync.failed', { provider: 'roughy', runId: 2, reason: 'a test event refused for good' });
    if (eventId === undefined) throw new Error('an event id was expected');
    await database.pool.query('UPDATE notification_events SET attempts = $2 WHERE id = $1', [eventId, MAX_EVENT_DELIVERY_ATTEMPTS]);
    const sweep = { db: context.db, queues, logger: context.logger, providers: [], deliverEvents: true };
    expect((await sweepLostJobs(sweep)).eventsRequeued).toBe(0);
    expect(await queues.notify.getJob(eventId)).toBeUndefined();
    // out of the way of the final check, which counts every event accepted
    await database.pool.query('DELETE FROM notification_events WHERE id = $1', [eventId]);
  });

  it('every event was accepted exactly once, each request verifies with the secret, and no body holds a secret', async () => {
    const rows = await waitFor(async () => {
      const result = await database.pool.query<{ id: string; delivered_at: Date | null }>('SELECT id, delivered_at FROM notification_events');
      return result.rows.every((row) => row.delivered_at !== null) ? result.rows : undefined;
    });
    const types = new Set(receiver.accepted().map((request) => (JSON.parse(request.body) as NotificationEvent).type));
    expect([...types].sort()).toEqual([
      'bulk.finished_with_failures',
      'dag_run.failed',
      'dag_run.timed_out',
      'retention.applied',
      'retention.awaiting_approval',
      'retention.failed',
      'retention.refused',
      'sync.failed',
      'sync.partial',
    ]);
    const acceptedIds = receiver.accepted().map((request) => String(request.headers['webhook-id']));
    expect(acceptedIds.sort()).toEqual(rows.map((row) => row.id).sort());
    const webhook = new Webhook(SECRET);
    const secrets = [SECRET, SECRET.slice('whsec_'.length), ...Object.values(sim.apiKeys), 'revoked-key'];
    for (const request of receiver.requests) {
      const event = JSON.parse(request.body) as NotificationEvent;
      expect(request.headers['webhook-id']).toBe(event.id);
      expect(request.headers['content-type']).toBe('application/json');
      expect(webhook.verify(request.body, headersOf(request))).toEqual(event);
      for (const secret of secrets) expect(request.body).not.toContain(secret);
      expect(request.body).not.toMatch(/signature=|X-Amz-|token=/i);
    }
    // a wrong secret does not verify
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(receiver.requests[0]?.body ?? '', headersOf(receiver.requests[0] as ReceivedRequest))).toThrow();
  });

  it('with NOTIFY_WEBHOOK_URL unset nothing is recorded', async () => {
    const quiet = contextFor(workerEnv(sim, database.url, prefix));
    try {
      expect(quiet.notifications).toBeUndefined();
      const before = await database.pool.query('SELECT count(*)::int AS n FROM notification_events');
      await recordNotificationEvent(quiet.pool, quiet.notifications, 'retention.awaiting_approval', { provider: 'roughy', runId: 1, planned: 1, expiresAt: null });
      const after = await database.pool.query('SELECT count(*)::int AS n FROM notification_events');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    } finally {
      await quiet.close();
    }
  });
});
