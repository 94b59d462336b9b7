/**
 * Finds Postgres and Redis for the suite: TEST_DATABASE_URL / TEST_REDIS_URL (or the local defaults) when they
 * answer; otherwise testcontainers starts both (where a Docker engine is available).
 */
import type { TestProject } from 'vitest/node';
import { portAnswers } from './private-servers.ts';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    redisUrl: string;
  }
}

function answers(url: string, defaultPort: number): Promise<boolean> {
  const parsed = new URL(url);
  return portAnswers(parsed.hostname, Number(parsed.port || defaultPort));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
  const stops: Array<() => Promise<unknown>> = [];

  if (await answers(databaseUrl, 5432)) {
    project.provide('databaseServerUrl', databaseUrl);
  } else {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    stops.push(() => container.stop());
    project.provide('databaseServerUrl', container.getConnectionUri());
  }
  if (await answers(redisUrl, 6379)) {
    project.provide('redisUrl', redisUrl);
  } else {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => container.stop());
    project.provide('redisUrl', container.getConnectionUrl());
  }
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
