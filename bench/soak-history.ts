/**
 * Backdated history for the soak: finished rows of every kind older than the keep window (what the prune must
 * delete), a few open ones just as old and a few recent ones (what it must keep). Written with generate_series,
 * one transaction, before the worker starts.
 */
import type pg from 'pg';

export interface SeededHistory {
  /** rows older than the window that are finished: the prune's to delete */
  old: Record<string, number>;
  /** open work as old as the rest, which the prune must keep: an applying retention run, an unfinished bulk operation, a running DAG run */
  openOfEachKind: number;
}

const ACTIONS_PER_RUN = 20;
const ITEMS_PER_OPERATION = 250;

/**
 * `scale` old sync runs (one in ten of Roughy, not enabled in the soak, so its latest complete and latest finished
 * runs are old and must be kept), twice as many quarantined records, scale/2 retention runs, scale/10 bulk operations, scale DAG runs. */
export async function seedBackdatedHistory(pool: pg.Pool, scale: number, keepDays: number): Promise<SeededHistory> {
  const retentionRuns = Math.max(1, Math.floor(scale / 2));
  const operations = Math.max(1, Math.floor(scale / 10));
  const leftPages = Math.floor(scale / 10);
  // finished 1 to 300 days beyond the window
  const age = (i: string) => `now() - make_interval(days => ${keepDays + 1} + (${i} % 300))`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO sync_runs (provider, state, phase, started_at, finished_at, pages, seen)
       SELECT CASE WHEN i % 10 = 0 THEN 'roughy' ELSE 'affogato' END, (ARRAY['complete', 'partial', 'failed'])[1 + i % 3], 'done', ${age('i')} - interval '2 minutes', ${age('i')}, 1000, 100000
         FROM generate_series(1, $1) AS i`,
      [scale],
    );
    // pages a crash left behind on finished runs, 100 ids each; on Roughy's, which no sync of the soak touches
    await client.query(
      `INSERT INTO sync_pages (run_id, page_key, asset_ids)
       SELECT r.id, 'left-behind', ARRAY(SELECT 'ast_' || g FROM generate_series(1, 100) AS g)
         FROM (SELECT id FROM sync_runs WHERE provider = 'roughy' ORDER BY id LIMIT $1) AS r`,
      [leftPages],
    );
    await client.query(
      `INSERT INTO quarantine (provider, run_id, asset_id, reason, raw, raw_hash, received_at)
       SELECT 'affogato', r.id, NULL, 'missing id', jsonb_build_object('n', q), md5(r.id || '-' || q), r.finished_at
         FROM sync_runs r, generate_series(1, 2) AS q`,
    );
    await client.query(
      `WITH runs AS (
         INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, finished_at, state)
         SELECT (ARRAY['plan', 'apply'])[1 + i % 2], '{affogato}', ${age('i')}, ${age('i')}, ${age('i')}, (ARRAY['planned', 'done'])[1 + i % 2]
           FROM generate_series(1, $1) AS i
         RETURNING id, evaluated_at)
       INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at, applied_at)
       SELECT runs.id, 'affogato', 'ast_' || a, 'stale', 'archive', 'applied', 'older than 30 days', runs.evaluated_at, runs.evaluated_at
         FROM runs, generate_series(1, ${ACTIONS_PER_RUN}) AS a`,
      [retentionRuns],
    );
    await client.query(
      `WITH operations AS (
         INSERT INTO bulk_operations (provider, action, state, total, chunk_size, created_at, finished_at)
         SELECT 'affogato', 'archive', 'done', ${ITEMS_PER_OPERATION}, 250, ${age('i')}, ${age('i')} FROM generate_series(1, $1) AS i
         RETURNING id, finished_at)
       INSERT INTO bulk_items (operation_id, position, chunk, asset_id, state, outcome, updated_at)
       SELECT o.id, p, 0, 'ast_' || p, 'done', 'applied', o.finished_at FROM operations o, generate_series(0, ${ITEMS_PER_OPERATION - 1}) AS p`,
      [operations],
    );
    await client.query(
      `INSERT INTO dag_action_runs (asset_id, dag_action_id, provider_run_id, status, outcome, started_at, finished_at, deadline_at)
       SELECT 'mp_' || i, 'act_1', 'run_' || i, 'done', 'succeeded', ${age('i')}, ${age('i')}, ${age('i')} + interval '30 minutes'
         FROM generate_series(1, $1) AS i`,
      [scale],
    );
    // open work as old as the rest, and recent history: all of it stays
    await client.query(
      `WITH run AS (
         INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, state)
         VALUES ('apply', '{affogato}', ${age('0')}, ${age('0')}, 'applying') RETURNING id, evaluated_at)
       INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at)
       SELECT run.id, 'affogato', 'ast_open_' || a, 'stale', 'archive', 'planned', 'older than 30 days', run.evaluated_at FROM run, generate_series(1, 3) AS a`,
    );
    // its items are done but its own finish was never recorded: nothing for the lost-job sweep to enqueue
    await client.query(
      `WITH operation AS (
         INSERT INTO bulk_operations (provider, action, state, total, chunk_size, created_at)
         VALUES ('affogato', 'archive', 'running', 2, 250, ${age('0')}) RETURNING id)
       INSERT INTO bulk_items (operation_id, position, chunk, asset_id, state, outcome)
       SELECT operation.id, p, 0, 'ast_open_' || p, 'done', 'applied' FROM operation, generate_series(0, 1) AS p`,
    );
    // no next poll time: the sweep leaves it alone (Media Pocket is not enabled in the soak)
    await client.query(
      `INSERT INTO dag_action_runs (asset_id, dag_action_id, provider_run_id, status, outcome, started_at, deadline_at)
       VALUES ('mp_open', 'act_1', 'run_open', 'running', 'running', ${age('0')}, now() + interval '1 day')`,
    );
    await client.query(
      `INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, finished_at, state)
       SELECT 'plan', '{affogato}', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', 'planned' FROM generate_series(1, 5)`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return {
    old: {
      sync_runs: scale,
      sync_pages: leftPages,
      quarantine: 2 * scale,
      retention_runs: retentionRuns,
      retention_actions: retentionRuns * ACTIONS_PER_RUN,
      bulk_operations: operations,
      bulk_items: operations * ITEMS_PER_OPERATION,
      dag_action_runs: scale,
    },
    openOfEachKind: 1,
  };
}
