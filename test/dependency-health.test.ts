/**
 * The up/down state of a dependency, with probes the test controls: a flood of connection errors is one "down"
 * line and one "back" line; an error while the dependency answers is logged as itself.
 */
import { describe, expect, it } from 'vitest';
import { createDependencyHealth, type Dependency } from '../src/health/dependency-health.ts';
import { createLogger } from '../src/logger.ts';
import { waitFor } from './support/catalog.ts';

function harness() {
  const lines: Array<{ msg: string; dependency?: string; errorsWhileDown?: number; queue?: string }> = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const answering: Record<Dependency, boolean> = { postgres: true, redis: true };
  let probes = 0;
  const probe = (dependency: Dependency) => async () => {
    probes += 1;
    if (!answering[dependency]) throw new Error(`${dependency} refused the connection`);
  };
  const health = createDependencyHealth({ logger, probes: { postgres: probe('postgres'), redis: probe('redis') }, recheckMs: 20 });
  return { lines, answering, health, probes: () => probes, said: (msg: string) => lines.filter((line) => line.msg === msg) };
}

describe('dependency health', () => {
  it('collapses a flood of errors into one down line, rechecks while down, and logs one back line', async () => {
    const { lines, answering, health, said } = harness();
    answering.redis = false;
    for (let i = 0; i < 200; i += 1) health.reportFailure('redis', new Error('connect ECONNREFUSED'), { message: 'worker error' });
    await waitFor(async () => (said('redis down').length > 0 ? true : undefined), 5);
    expect(health.status('redis')).toMatchObject({ up: false, error: 'connect ECONNREFUSED' });
    expect(health.status('postgres').up).toBe(true);
    for (let i = 0; i < 50; i += 1) health.reportFailure('redis', new Error('connect ECONNREFUSED'));
    await new Promise((resolve) => setTimeout(resolve, 100));

    answering.redis = true;
    await waitFor(async () => (said('redis back').length > 0 ? true : undefined), 5);
    expect(health.status('redis').up).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual(['redis down', 'redis back']);
    expect(said('redis back')[0]?.errorsWhileDown).toBe(250);
    health.close();
  });

  it('an error while the dependency answers is not an outage: it is logged as itself', async () => {
    const { health, said } = harness();
    health.reportFailure('redis', new Error('Missing lock for job 7'), { message: 'worker error', fields: { queue: 'bulk' } });
    await waitFor(async () => (said('worker error').length > 0 ? true : undefined), 5);
    expect(said('worker error')).toMatchObject([{ dependency: 'redis', queue: 'bulk' }]);
    expect(said('redis down')).toEqual([]);
    expect(health.status('redis').up).toBe(true);
    health.close();
  });

  it('with a heartbeat, an outage is found without any error reported', async () => {
    const { answering, said, lines } = harness();
    const health = createDependencyHealth({
      logger: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }),
      probes: { postgres: async () => (answering.postgres ? undefined : Promise.reject(new Error('connect ECONNREFUSED'))), redis: async () => undefined },
      heartbeatMs: 10,
    });
    answering.postgres = false;
    await waitFor(async () => (said('postgres down').length > 0 ? true : undefined), 5);
    expect(health.status('postgres')).toMatchObject({ up: false, error: 'connect ECONNREFUSED' });
    health.close();
  });

  it('check() probes now and reports the state; after close() nothing is probed or logged', async () => {
    const { answering, health, probes, lines } = harness();
    answering.postgres = false;
    expect(await health.check('postgres')).toMatchObject({ up: false, error: 'postgres refused the connection' });
    health.close();
    const before = probes();
    health.reportFailure('postgres', new Error('terminating connection due to administrator command'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(probes()).toBe(before);
    expect(lines.map((line) => line.msg)).toEqual(['postgres down']);
  });
});
