import { ensureJob, type EnsureResult } from './ensure-job.ts';
import { enqueue, type Queues } from './queues.ts';

export const bulkChunkJobId = (operationId: number, chunk: number) => `bulk-${operationId}-${chunk}`;

/**
 * Makes sure the chunk has a job. `replaceFinished`: a resume asked for by a person re-runs a chunk whose job
 * ended (e.g. failed after all its attempts while the provider was down); the periodic sweep only replaces
 * jobs that are gone, so a chunk that keeps failing is not retried every minute for ever.
 */
export function ensureChunkJob(queues: Queues, operationId: number, chunk: number, replaceFinished: boolean): Promise<EnsureResult> {
  const jobId = bulkChunkJobId(operationId, chunk);
  return ensureJob(queues.bulk, jobId, () => enqueue(queues, 'bulk.chunk', { operationId, chunk }, { jobId }), { replaceFinished });
}
