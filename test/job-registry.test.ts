import { describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../src/jobs/job-definitions.ts';
import { createJobRegistry, JobRegistryError, type AnyJobHandler } from '../src/jobs/job-registry.ts';

const handlerFor = (name: AnyJobHandler['name']): AnyJobHandler => ({ name, handle: async () => name }) as AnyJobHandler;

describe('job registry', () => {
  it('accepts exactly one handler per job and dispatches by name', async () => {
    const registry = createJobRegistry(JOB_NAMES.map(handlerFor));
    await expect(registry.dispatch({ name: 'dag.sweep', id: '1' } as never, undefined)).resolves.toBe('dag.sweep');
  });

  it('refuses to boot when a job has no handler', () => {
    const [, ...rest] = JOB_NAMES;
    expect(() => createJobRegistry(rest.map(handlerFor))).toThrow(new RegExp(`job "${JOB_NAMES[0]}" has no handler`));
  });

  it('refuses to boot when a job has two handlers', () => {
    const handlers = [...JOB_NAMES.map(handlerFor), handlerFor('sync.provider')];
    expect(() => createJobRegistry(handlers)).toThrow(JobRegistryError);
    expect(() => createJobRegistry(handlers)).toThrow(/"sync.provider" has two handlers/);
  });
});
