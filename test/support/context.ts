/**
 * An application context built from a test's environment, as the CLI builds one, and BullMQ workers running on it
 * in the test's own process.
 */
import { createAppContext, type AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config.ts';
import type { HandlerDeps } from '../../src/app/job-handlers/handler-deps.ts';
import type { QueueName } from '../../src/jobs/job-definitions.ts';
import { createJobRegistry, type AnyJobHandler } from '../../src/jobs/job-registry.ts';
import { closeQueues, createQueues, type Queues } from '../../src/jobs/queues.ts';
import { startWorkers, type WorkerSet } from '../../src/jobs/workers.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { builtinProviderRegistry, type ProviderRegistry } from '../../src/providers/registry.ts';

/**
 * The real configuration path (loadConfig) rather than a hand-made config object, silent unless told otherwise;
 * the built-in providers unless a test registers its own.
 */
export function contextFor(
  env: Record<string, string>,
  logger: Logger = createLogger('silent'),
  registry: ProviderRegistry = builtinProviderRegistry,
): AppContext {
  return createAppContext(loadConfig(env, registry), logger, registry);
}

export interface InProcessWorker {
  context: AppContext;
  queues: Queues;
  workers: WorkerSet;
  /** signals shutdown to the handlers, then closes the workers, the queues and the context */
  close(): Promise<void>;
}

export interface InProcessWorkerOptions {
  /** the handlers under test, built on the worker's own deps (each test picks its poll policy) */
  handlers: (deps: HandlerDeps) => AnyJobHandler[];
  queues: QueueName[];
  concurrency?: Partial<Record<QueueName, number>>;
  /** the providers the worker knows (default: the built-in ones) */
  registry?: ProviderRegistry;
}

/** Tests that drive jobs end to end in one process all need the same context, queues, registry and workers. */
export function startInProcessWorker(env: Record<string, string>, options: InProcessWorkerOptions): InProcessWorker {
  const context = contextFor(env, createLogger('silent'), options.registry);
  const queues = createQueues(context.redis, context.config.queuePrefix);
  const shutdown = new AbortController();
  const registry = createJobRegistry(options.handlers({ context, queues, shutdownSignal: shutdown.signal }), options.queues);
  const workers = startWorkers({
    connection: context.redis,
    prefix: context.config.queuePrefix,
    registry,
    logger: context.logger,
    health: context.health,
    queues: options.queues,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  return {
    context,
    queues,
    workers,
    async close() {
      shutdown.abort();
      await workers.close();
      await closeQueues(queues);
      await context.close();
    },
  };
}
