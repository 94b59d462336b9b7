/**
 * Enqueueing with deterministic job ids, so a repeat is harmless. BullMQ ignores add() of an id it still holds,
 * including a finished job kept for history; `replaceFinished` removes such a job first, for work that Postgres
 * says is not done although its job ended (failed after its attempts, or completed by a crashed handler).
 */
import type { Queue } from 'bullmq';

export type EnsureResult = 'added' | 'exists' | 'replaced';

export async function ensureJob(queue: Queue, jobId: string, add: () => Promise<unknown>, options: { replaceFinished: boolean }): Promise<EnsureResult> {
  const existing = await queue.getJob(jobId);
  if (existing !== undefined) {
    const state = await existing.getState();
    const finished = state === 'completed' || state === 'failed';
    // 'unknown': the job vanished between the two reads (removed by its retention); add it again
    if (state !== 'unknown' && (!finished || !options.replaceFinished)) return 'exists';
    if (state !== 'unknown') await existing.remove();
    await add();
    return 'replaced';
  }
  await add();
  return 'added';
}
