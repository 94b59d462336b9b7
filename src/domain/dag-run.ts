/** A Media Pocket DAG action run as the worker sees it. */
export interface DagRunSnapshot {
  runId: string;
  status: string;
  /** the DAG action the run belongs to, when the provider says (resolving an interrupted start needs it) */
  dagActionId?: string | undefined;
  createdAt: Date | null;
  messages: unknown[];
  raw: unknown;
}

export type DagRunPhase = 'running' | 'succeeded' | 'failed' | 'unknown';
