import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = 'test/fixtures/layer-rules';

async function checkDependencies(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/check-dependencies.mjs', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the dependency rules', () => {
  it('fail on an upward import (type-only) and on a cycle between folders', async () => {
    const result = await checkDependencies(['--cwd', FIXTURE, '--config', '.dependency-cruiser.cjs', '--known', `${FIXTURE}/known-violations.json`]);
    expect(result.code).toBe(1);
    const reported = result.stderr.trim().split('\n').sort();
    expect(reported).toEqual([
      'infra-not-upward: src/jobs/queue.ts → src/sync/picker.ts',
      'no-folder-cycle: src/db → src/providers (cycle: src/db → src/providers → src/db)',
      'no-folder-cycle: src/providers → src/db (cycle: src/providers → src/db → src/providers)',
    ]);
    expect(result.stdout).toContain('3 dependency rule violations; 0 known');
  });

  it('pass on src/, with the known violations counted', async () => {
    const result = await checkDependencies([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^0 dependency rule violations; \d+ known/);
  });
});
