import type { AppContext } from '../context.ts';
import type { Queues } from '../../jobs/queues.ts';

/** What every job handler may use; built once by the process that runs workers. */
export interface HandlerDeps {
  context: AppContext;
  queues: Queues;
  /** aborted when the process is asked to stop: long handlers commit what they have and park */
  shutdownSignal: AbortSignal;
}
