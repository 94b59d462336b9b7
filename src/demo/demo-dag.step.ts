/**
 * Demo step: a Media Pocket DAG action run on one catalogued asset, started and polled to its end the way
 * `dag start --wait` does it (a durable run row, poll jobs parked between polls, a worker for the 'dag' queue).
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../app/context.ts';
import { jobWorkerDeps } from '../app/job-handlers/index.ts';
import { runQueueWorkers } from '../jobs/queue-workers.ts';
import { followDagRun } from '../dag/dag-run-follow.ts';
import { describeProgress, formatDagRun } from '../dag/dag-run-report.ts';
import { describeStartFailure } from '../dag/dag-run-starter.ts';
import { dagActionsOf, startDagRun } from '../dag/start-dag-run.ts';
import type { DagRun } from '../db/dag-runs.repository.ts';
import { assets } from '../db/schema.ts';
import { isOpenOutcome } from '../domain/dag-poll-policy.ts';
import { closeQueues, createQueues } from '../jobs/queues.ts';
import type { DemoOutput } from './demo-output.ts';

/** The simulator's "Transcode": running, running, finished. */
export const DEMO_DAG_ACTION_ID = '1';
const DEMO_DAG_TIMEOUT_MS = 5 * 60_000;

async function pickAsset(context: AppContext): Promise<string> {
  const [asset] = await context.db
    .select({ assetId: assets.assetId })
    .from(assets)
    .where(and(eq(assets.provider, 'mediapocket'), isNull(assets.removedAt), isNull(assets.trashedAt)))
    .orderBy(asc(assets.assetId))
    .limit(1);
  if (asset === undefined) throw new Error('the demo catalog has no live Media Pocket asset to run a DAG action on');
  return asset.assetId;
}

export async function runDemoDag(context: AppContext, out: DemoOutput, signal: AbortSignal): Promise<DagRun> {
  const dagActions = dagActionsOf(context);
  const assetId = await pickAsset(context);
  out.line(`asset ${assetId}, DAG action ${DEMO_DAG_ACTION_ID} (Transcode)`);

  const queues = createQueues(context.redis, context.config.queuePrefix);
  const worker = runQueueWorkers(jobWorkerDeps(context, queues), ['dag']);
  try {
    const { run, error } = await startDagRun(context, queues, dagActions, { assetId, dagActionId: DEMO_DAG_ACTION_ID, timeoutMs: DEMO_DAG_TIMEOUT_MS });
    if (error !== undefined && !isOpenOutcome(run.outcome)) throw new Error(describeStartFailure(error));
    const final = await followDagRun({ db: context.db, queues, signal, onChange: (changed) => out.line(describeProgress(changed)) }, run.id);
    out.line(formatDagRun(final).join('\n'));
    return final;
  } finally {
    await worker.close();
    await closeQueues(queues);
  }
}
