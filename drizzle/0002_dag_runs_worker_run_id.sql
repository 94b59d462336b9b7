-- The dag_runs view gains the worker's own number for a run: the one `dag start` prints and `dag status` takes.
-- Views only grow: the new column goes last, every earlier column stays as it was.
CREATE OR REPLACE VIEW dag_runs AS
SELECT
  d.asset_id,
  d.dag_action_id,
  d.provider_run_id AS run_id,
  d.status,
  CASE WHEN d.outcome = 'starting' THEN 'running' ELSE d.outcome END AS outcome,
  d.started_at,
  d.finished_at,
  d.last_polled_at,
  d.messages,
  d.id AS worker_run_id
FROM dag_action_runs d;
