/**
 * `npm run chaos [-- --only NAME]... [--seed N] [--reduced]`: the chaos suite. Prints a table and, alone on the
 * last line, `N passed, M failed`; exits 1 if any scenario failed, 0 with a skip message where redis-server or
 * initdb/pg_ctl are missing, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report.ts';
import { runSuite } from './suite.ts';

const USAGE = 'usage: npm run chaos -- [--only NAME]... [--seed N] [--reduced]';

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      seed: { type: 'string' },
      reduced: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
  return { help: values.help === true, only: values.only ?? [], seed, reduced: values.reduced === true };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = options();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let outcome;
  try {
    outcome = await runSuite({ ...parsed, progress: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    if ((error as Error).message.startsWith('unknown scenario')) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if ('skipped' in outcome) {
    process.stdout.write(`${outcome.skipped}\n`);
    return 0;
  }
  process.stdout.write(`logs: ${outcome.logRoot}\n\n${formatReport(outcome.results)}\n`);
  return outcome.results.every((result) => result.failures.length === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos suite crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
