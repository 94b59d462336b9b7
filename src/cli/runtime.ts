/**
 * What every command shares: reading the configuration once, building the context, mapping failures to the
 * contract's exit statuses (0 success, 1 the work failed or a safety limit stopped it, 2 bad usage/config),
 * and turning SIGINT/SIGTERM into an orderly stop.
 */
import { loadConfig, readEnvironment, type Config } from '../config.ts';
import { createAppContext, type AppContext } from '../app/context.ts';
import { ConfigError, ProviderError, SafetyLimitError, UsageError, errorMessage } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';

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

export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UsageError) return EXIT_USAGE;
  return EXIT_FAILED;
}

export function describeFailure(error: unknown): string {
  if (error instanceof SafetyLimitError) return `refused: ${error.message}`;
  if (error instanceof ProviderError && error.kind === 'auth') {
    return `${error.message}\n  (check ${error.provider.toUpperCase()}_API_KEY and the key's permissions)`;
  }
  if (error instanceof Error && error.name === 'AbortError') return 'stopped by a signal; run the command again to resume';
  return errorMessage(error);
}

/** The providers a command acts on: those named, or every enabled one; none enabled is a configuration error. */
export function requireProviders(context: AppContext, names: readonly string[]): ProviderHandle[] {
  const handles = context.selectProviders(names);
  if (handles.length === 0) {
    throw new ConfigError('no provider is enabled: set AFFOGATO_API_KEY, MEDIAPOCKET_API_KEY (with MEDIAPOCKET_BASE_URL) or ROUGHY_API_KEY');
  }
  return handles;
}

let cachedConfig: Config | undefined;

/** The one read of the environment (and .env) for this process. */
export function processConfig(): Config {
  cachedConfig ??= loadConfig(readEnvironment(process.env, process.cwd()));
  return cachedConfig;
}

function createIo(): { io: CommandIo; dispose: () => void } {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(EXIT_FAILED);
    process.stderr.write(`\n${name} received: finishing what is in flight (send it again to exit at once)\n`);
    controller.abort(new DOMException(`stopped by ${name}`, 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    io: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      interactive: process.stdout.isTTY === true,
      signal: controller.signal,
    },
    dispose: () => {
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
