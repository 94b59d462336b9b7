/**
 * Logs an operator can read, as the CLI writes them: an expected outcome (a 404 confirming a removal) is never a
 * warning, no line repeats a key, and a sync, a retention run and a bulk operation each end with one summary line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RULES_YAML } from '../src/demo/demo-rules.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { emptyWorkDir, runCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const ASSETS = 400;
const WARN = 40;

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** The keys of a JSON object's top level, in order, repeats included (JSON.parse keeps only the last). */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      expectKey = false;
      i = end;
    } else if (char === '{' || char === '[') {
      depth += 1;
      expectKey = char === '{' && depth === 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
    } else if (char === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function logLines(stderr: string): LogLine[] {
  const lines = stderr.split('\n').filter((line) => line.startsWith('{'));
  for (const line of lines) {
    const keys = topLevelKeys(line);
    expect(new Set(keys).size, `a key repeats in ${line}`).toBe(keys.length);
  }
  return lines.map((line) => JSON.parse(line) as LogLine);
}

describe('operator logs', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  const workDir = emptyWorkDir();
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 83, counts: { affogato: ASSETS, roughy: 60 } });
    writeFileSync(join(workDir, 'retention.yaml'), DEMO_RULES_YAML);
    env = simulatorEnv(sim, database.url, prefix, { affogato: 500, roughy: 500 }, { LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('topLevelKeys sees a repeated key that JSON.parse would hide, and not the keys of nested objects', () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2,"c":[{"a":3}]},"s":"x,\\"a\\":y","a":4}')).toEqual(['a', 'b', 's', 'a']);
  });

  it('a listing that lost almost every asset: each removal confirmed by a 404 at debug, one summary line', async () => {
    const first = await runCli(['sync', '--provider', 'affogato'], env, workDir);
    expect(first.code, first.stderr).toBe(0);
    const gone = sim.affogato.ids().slice(0, ASSETS - 10);
    for (const id of gone) sim.affogato.remove(id);

    const second = await runCli(['sync', '--provider', 'affogato'], env, workDir);
    expect(second.code, second.stderr).toBe(0);
    const lines = logLines(second.stderr);
    const warnings = lines.filter((line) => line.level >= WARN);
    // the sharp shrink is worth one warning; no 404 is
    expect(warnings.map((line) => line.msg)).toEqual(['listing shrank sharply; a sample confirms the removals, checking each one']);
    expect(lines.filter((line) => line.msg.includes('not found') || line.status === 404)).toEqual([]);
    const summaries = lines.filter((line) => line.msg === 'sync finished');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ provider: 'affogato', removed: gone.length, state: 'complete' });
    const removed = await database.pool.query("SELECT count(*)::int AS n FROM catalog_assets WHERE provider = 'affogato' AND removed_at IS NOT NULL");
    expect(removed.rows[0].n).toBe(gone.length);
  });

  it('a retention apply logs one summary line per provider', async () => {
    const synced = await runCli(['sync', '--provider', 'roughy'], env, workDir);
    expect(synced.code, synced.stderr).toBe(0);
    const applied = await runCli(['retention', 'apply', '--provider', 'affogato', '--provider', 'roughy'], env, workDir);
    const summaries = logLines(applied.stderr).filter((line) => line.msg.startsWith('retention '));
    expect(summaries.map((line) => line.msg.split(/[ :]/)[1])).toEqual(['affogato', 'roughy']);
  });

  it('a bulk operation logs one summary line with its counts', async () => {
    const ids = sim.affogato.ids().slice(0, 4);
    const result = await runCli(['bulk', 'archive', '--provider', 'affogato', '--ids', [...ids, 'no-such-asset'].join(','), '--wait'], env, workDir);
    const summaries = logLines(result.stderr).filter((line) => line.msg.startsWith('bulk operation finished'));
    expect(summaries, result.stderr).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ provider: 'affogato', action: 'archive', items: 5 });
    expect((summaries[0]?.done as number) + (summaries[0]?.failed as number)).toBe(5);
  });
});
