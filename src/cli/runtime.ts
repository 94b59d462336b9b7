/**
 * What every command shares: reading the configuration once, building the context, mapping failures to the
 * contract's exit statuses (0 success, 1 the work failed or a safety limit stopped it, 2 bad usage/config),
 * and turning SIGINT/SIGTERM, or the exit of the launching process, into an orderly stop.
 */
import { loadConfig, readEnvironment, type Config } from '../config.ts';
import { createAppContext, type AppContext } from '../app/context.ts';
import { ConfigError, InvalidRequestError, ProviderError, SafetyLimitError, errorMessage } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';
import { UsageError } from './usage-error.ts';
import { joinAlternatives } from '../domain/provider-facts.ts';
import { builtinProviderRegistry, type ProviderRegistry } from '../providers/registry.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** true when stdout is a terminal: show progress bars instead of log lines */
  interactive: boolean;
  /** aborted on SIGINT/SIGTERM */
  signal: AbortSignal;
}

/** The one place failures become exit statuses: the CLI's usage errors and the services' invalid requests are 2. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof InvalidRequestError) return EXIT_USAGE;
  return EXIT_FAILED;
}

export function describeFailure(error: unknown): string {
  if (error instanceof SafetyLimitError) return `refused: ${error.message}`;
  if (error instanceof ProviderError && error.kind === 'auth') {
    const prefix = builtinProviderRegistry.get(error.provider)?.env.prefix ?? error.provider.toUpperCase();
    return `${error.message}\n  (check ${prefix}_API_KEY and the key's permissions)`;
  }
  if (error instanceof Error && error.name === 'AbortError') return 'stopped by a signal; run the command again to resume';
  return errorMessage(error);
}

/** "A_API_KEY, B_API_KEY (with B_BASE_URL) or C_API_KEY": what enables each registered provider. */
export function enablingVariables(registry: ProviderRegistry): string {
  return joinAlternatives(
    registry.definitions.map(({ env }) => `${env.prefix}_API_KEY${'requiredHint' in env.baseUrl ? ` (with ${env.prefix}_BASE_URL)` : ''}`),
  );
}

/** The providers a command acts on: those named, or every enabled one; none enabled is a configuration error. */
export function requireProviders(context: AppContext, names: readonly string[]): ProviderHandle[] {
  const handles = context.selectProviders(names);
  if (handles.length === 0) {
    throw new ConfigError(`no provider is enabled: set ${enablingVariables(context.registry)}`);
  }
  return handles;
}

let cachedConfig: Config | undefined;

/** The one read of the environment (and .env) for this process. */
export function processConfig(): Config {
  cachedConfig ??= loadConfig(readEnvironment(process.env, process.cwd()), builtinProviderRegistry);
  return cachedConfig;
}

/**
 * The same stop request can arrive twice at once: Ctrl-C under `npm start` reaches the whole foreground process
 * group, and npm passes its own copy on to us. Within this window a repeat is that copy, not a second request.
 */
const REPEATED_SIGNAL_WINDOW_MS = 500;
/** How often the parent process is checked for: a launcher that died without passing the signal on. */
const PARENT_CHECK_MS = 1_000;

export type StopCause = NodeJS.Signals | 'parent-exit';

/**
 * Stops the process's work when its parent is gone. `npx asset-worker …` runs us under `sh -c`, and a SIGTERM to
 * npx kills that shell, which does not pass it on: without this, the command would run on, orphaned.
 */
export function watchParent(onParentExit: () => void, checkMs = PARENT_CHECK_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onParentExit();
  }, checkMs);
  // never the reason the process stays up
  timer.unref();
  return () => clearInterval(timer);
}

function createIo(): { io: CommandIo; dispose: () => void } {
  const controller = new AbortController();
  let firstStopAt: number | undefined;
  const stop = (cause: StopCause) => {
    const now = Date.now();
    if (firstStopAt !== undefined) {
      if (cause !== 'parent-exit' && now - firstStopAt > REPEATED_SIGNAL_WINDOW_MS) process.exit(EXIT_FAILED);
      return;
    }
    firstStopAt = now;
    const what = cause === 'parent-exit' ? 'the process that started this command exited' : `${cause} received`;
    process.stderr.write(`\n${what}: finishing what is in flight (send SIGTERM or SIGINT again to exit at once)\n`);
    controller.abort(new DOMException(`stopped by ${cause === 'parent-exit' ? 'the exit of the parent process' : cause}`, 'AbortError'));
  };
  const onSignal = (name: NodeJS.Signals) => stop(name);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopWatchingParent = watchParent(() => stop('parent-exit'));
  return {
    io: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      interactive: process.stdout.isTTY === true,
      signal: controller.signal,
    },
    dispose: () => {
      stopWatchingParent();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

type Action = (context: AppContext, io: CommandIo) => Promise<number | void>;
type BareAction = (config: Config, logger: Logger, io: CommandIo) => Promise<number | void>;

/** Runs a command that needs only the configuration (e.g. migrate). */
export async function runBare(action: BareAction): Promise<never> {
  const { io, dispose } = createIo();
  let code: number = EXIT_OK;
  try {
    const config = processConfig();
    const logger = createLogger(config.logLevel);
    code = (await action(config, logger, io)) ?? EXIT_OK;
  } catch (error) {
    io.err(`asset-worker: ${describeFailure(error)}`);
    code = exitCodeFor(error);
  } finally {
    dispose();
  }
  process.exit(code);
}

/** Runs a command with the full context (database, Redis, providers), closing it afterwards. */
export function runWithContext(action: Action): Promise<never> {
  return runBare(async (config, logger, io) => {
    const context = createAppContext(config, logger);
    try {
      return await action(context, io);
    } finally {
      await context.close();
    }
  });
}
