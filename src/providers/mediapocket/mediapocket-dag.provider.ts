/**
 * Media Pocket DAG actions. There is no endpoint for one run: a run is found by id among the asset's runs.
 * The status list is ours (**assumed**, see the providers README); anything else is reported as 'unknown' and
 * recorded verbatim by the caller.
 */
import { ProviderError } from '../../errors.ts';
import type { DagActionsApi, DagRunPhase, DagRunSnapshot } from '../provider.ts';
import type { MediaPocketClient } from './mediapocket.client.ts';

const PHASES: Readonly<Record<string, DagRunPhase>> = {
  queued: 'running',
  pending: 'running',
  running: 'running',
  finished: 'succeeded',
  completed: 'succeeded',
  succeeded: 'succeeded',
  success: 'succeeded',
  failed: 'failed',
  error: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
  aborted: 'failed',
};

export function mediaPocketDagPhase(status: string): DagRunPhase {
  return Object.hasOwn(PHASES, status) ? (PHASES[status] ?? 'unknown') : 'unknown';
}

/** A `dag_action_run` payload → snapshot; undefined when it has no usable id or status. Pure. */
export function toDagRunSnapshot(raw: unknown): DagRunSnapshot | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { id, status, created_at: createdAt, dag_action_run_messages: messages } = raw as Record<string, unknown>;
  const runId = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : typeof id === 'string' && id !== '' ? id : undefined;
  if (runId === undefined || typeof status !== 'string') return undefined;
  const at = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  const actionId = (raw as { dag_action?: { id?: unknown } }).dag_action?.id;
  return {
    runId,
    status,
    dagActionId: typeof actionId === 'number' || (typeof actionId === 'string' && actionId !== '') ? String(actionId) : undefined,
    createdAt: at === undefined || Number.isNaN(at.getTime()) ? null : at,
    messages: Array.isArray(messages) ? messages : [],
    raw,
  };
}

function malformedRun(operation: string, raw: unknown): ProviderError {
  return new ProviderError(
    `mediapocket: ${operation} failed: a DAG action run without a usable id or status: ${JSON.stringify(raw)?.slice(0, 200)}`,
    { provider: 'mediapocket', kind: 'retryable', operation },
  );
}

export function createMediaPocketDagActions(client: MediaPocketClient): DagActionsApi {
  return {
    async start(assetId, dagActionId) {
      const raw = await client.startDagAction(assetId, dagActionId);
      const snapshot = toDagRunSnapshot(raw);
      if (snapshot === undefined) throw malformedRun(`start DAG action ${dagActionId} on asset ${assetId}`, raw);
      return snapshot;
    },
    async listRuns(assetId) {
      const runs = await client.listDagRuns(assetId);
      return runs.map((raw) => {
        const snapshot = toDagRunSnapshot(raw);
        if (snapshot === undefined) throw malformedRun(`list DAG action runs of asset ${assetId}`, raw);
        return snapshot;
      });
    },
    phaseOf: mediaPocketDagPhase,
  };
}
