/**
 * Runs the provider simulator as its own process:
 *   node --import tsx src/simulator/main.ts --seed 1 --affogato 100000 --mediapocket 3000 --roughy 3000 [--port N]
 * Prints one JSON line `{"url", "baseUrls", "apiKeys"}` once listening, then serves until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.ts';

const USAGE =
  'usage: main.ts [--seed N] [--affogato N] [--mediapocket N] [--roughy N] [--port N] [--host H] [--latency-ms N]';

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      affogato: { type: 'string' },
      mediapocket: { type: 'string' },
      roughy: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const simulator = await startSimulator({
    seed: count(values.seed, 'seed', 1),
    counts: {
      affogato: count(values.affogato, 'affogato', 0),
      mediapocket: count(values.mediapocket, 'mediapocket', 0),
      roughy: count(values.roughy, 'roughy', 0),
    },
    port: count(values.port, 'port', 0),
    host: values.host ?? '127.0.0.1',
    latencyMs: count(values['latency-ms'], 'latency-ms', 0),
  });
  const { url, baseUrls, apiKeys } = simulator;
  process.stdout.write(`${JSON.stringify({ url, baseUrls, apiKeys })}\n`);

  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
});
