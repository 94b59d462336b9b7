import type { Command } from 'commander';
import { runDemo } from '../demo/demo-runner.ts';
import { UsageError } from './usage-error.ts';
import { runBare } from './runtime.ts';

function positiveInteger(value: string, option: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${option} must be a whole number from 1 to ${max} (got "${value}")`);
  return n;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole loop with no account: the built-in provider simulator on loopback, migrate, sync, retention plan and apply, ' +
        'a DAG action run, the report, then the worker and admin server until Ctrl-C. Uses its own database (<name>_demo) and queue prefix (<prefix>-demo).',
    )
    .option('--assets <n>', 'simulated assets per provider', '3000')
    .option('--seed <n>', 'seed of the generated assets', '7')
    .action((options: { assets: string; seed: string }) =>
      runBare(async (config, _logger, io) => {
        await runDemo(config, io, {
          assets: positiveInteger(options.assets, '--assets', 100_000),
          seed: positiveInteger(options.seed, '--seed', 1_000_000),
        });
      }),
    );
}
