/**
 * The probes behind the dependency states: a trivial request on a connection of its own for Postgres (a pool
 * busy with a long sync must not look like an outage), a PING on the shared connection for Redis.
 */
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { DependencyProbe } from './dependency-health.ts';

export function postgresProbe(databaseUrl: string, timeoutMs = 2_000): DependencyProbe {
  return async () => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, application_name: 'asset-worker-probe' });
    // a socket error also fails the pending connect or query, which is what the probe reports
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      // ending a connection the server already dropped fails too; the probe's answer is known by then
      await client.end().catch(() => undefined);
    }
  };
}

export function redisProbe(redis: Redis): DependencyProbe {
  return async () => {
    // while reconnecting, a command would wait in the offline queue: the connection's state is the answer
    if (redis.status !== 'ready') throw new Error(`the redis connection is ${redis.status}`);
    await redis.ping();
  };
}
