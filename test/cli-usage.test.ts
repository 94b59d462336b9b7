/**
 * Usage of the CLI itself: --help is a success, a command group without its subcommand or an unknown option is a
 * usage error (exit 2), so scripts never mistake a typo for a run that did nothing.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { redisUrl } from './support/services.ts';

describe('command line usage', () => {
  it.each([['--help'], ['retention', '--help'], ['retention', 'plan', '--help'], ['dag', 'start', '--help'], ['bulk', '--help']])(
    '%s … prints help and exits 0',
    async (...args) => {
      const result = await runCli(args, {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: asset-worker');
    },
  );

  it.each([[[]], [['retention']], [['dag']], [['retention', 'plan', '--no-such-option']], [['no-such-command']]])(
    '%j is a usage error: exit 2 with help on stderr',
    async (args) => {
      const result = await runCli(args, {});
      expect(result.code).toBe(2);
      expect(result.stderr.length).toBeGreaterThan(0);
    },
  );

  it.each([[['sync']], [['retention', 'plan']], [['retention', 'apply']]])('%j with no provider configured is a configuration error (exit 2)', async (args) => {
    const result = await runCli(args, { REDIS_URL: redisUrl() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no provider is enabled: set AFFOGATO_API_KEY');
  });
});
