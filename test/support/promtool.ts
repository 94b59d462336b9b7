/**
 * promtool (Debian package "prometheus") run as a child process, for the tests of the shipped alert rules and of
 * the /metrics text. Where it is not installed those tests are skipped and say so: .ci/run installs it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { it } from 'vitest';

export const PROMTOOL_MISSING = 'promtool is missing (Debian package "prometheus": apt-get install prometheus; .ci/run installs it)';

function findPromtool(): string | undefined {
  const candidates = ['/usr/bin/promtool', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'promtool'))];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** the promtool binary, or undefined (the tests that need it are skipped, naming PROMTOOL_MISSING) */
export const promtool = findPromtool();

/** a test that needs promtool: skipped where it is missing, its name then saying why (vitest lists skipped tests by name) */
export function itWithPromtool(name: string, test: () => void | Promise<void>): void {
  it.skipIf(promtool === undefined)(promtool === undefined ? `${name} — skipped: ${PROMTOOL_MISSING}` : name, test);
}

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together, for a failed assertion to show */
  output: string;
}

export function runPromtool(args: string[], options: { cwd?: string; input?: string } = {}): PromtoolResult {
  if (promtool === undefined) throw new Error(PROMTOOL_MISSING);
  const result = spawnSync(promtool, args, { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
