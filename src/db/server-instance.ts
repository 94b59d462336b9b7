/**
 * Which run of the Postgres server a connection talks to. A page batch commits without waiting for its WAL
 * flush, so a server that crashed and came back may have lost batches this process saw committed: a process that
 * outlives the outage must not go on from what it holds in memory. Work that relies on such commits records the
 * server's start time when it begins and checks it where it commits.
 */
import type pg from 'pg';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The server's start time, as text: equal values mean the same run of the server. */
export async function serverStartedAt(db: Queryable): Promise<string> {
  const result = await db.query<{ started: string }>('SELECT pg_postmaster_start_time()::text AS started');
  const started = result.rows[0]?.started;
  if (started === undefined) throw new Error('pg_postmaster_start_time() returned no row');
  return started;
}

/** The server restarted since the work began: what it held in memory may be ahead of what the database kept. */
export class DatabaseRestartedError extends Error {
  constructor() {
    super('the database server restarted during the run: resuming from what it kept');
    this.name = 'DatabaseRestartedError';
  }
}

export async function assertSameServer(db: Queryable, startedAt: string): Promise<void> {
  if ((await serverStartedAt(db)) !== startedAt) throw new DatabaseRestartedError();
}
