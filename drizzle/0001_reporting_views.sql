-- Reporting views (CONTRACT.md). Their columns only grow: add at the end, never rename or drop.
CREATE VIEW catalog_assets AS
SELECT
  a.provider,
  a.asset_id,
  a.kind,
  a.status,
  a.title,
  a.url,
  a.width,
  a.height,
  a.duration_seconds,
  a.frames,
  a.size_bytes,
  a.tags,
  a.provider_created_at,
  a.provider_updated_at,
  a.first_seen_at,
  -- Unchanged rows are not rewritten by a sync, so an asset still present after the provider's last complete
  -- sync was seen by that sync.
  CASE
    WHEN a.removed_at IS NULL AND last_sync.finished_at > a.last_seen_at THEN last_sync.finished_at
    ELSE a.last_seen_at
  END AS last_seen_at,
  a.trashed_at,
  a.removed_at,
  a.raw
FROM assets a
LEFT JOIN LATERAL (
  SELECT max(r.finished_at) AS finished_at
  FROM sync_runs r
  WHERE r.provider = a.provider AND r.state = 'complete'
) last_sync ON true;
--> statement-breakpoint
CREATE VIEW retention_log AS
SELECT
  r.run_id,
  r.provider,
  r.asset_id,
  r.rule,
  r.action,
  -- an action interrupted mid-call is still only planned until its outcome is known
  CASE WHEN r.state = 'in_flight' THEN 'planned' ELSE r.state END AS state,
  r.reason,
  r.decided_at,
  r.applied_at,
  r.error
FROM retention_actions r;
--> statement-breakpoint
CREATE VIEW dag_runs AS
SELECT
  d.asset_id,
  d.dag_action_id,
  d.provider_run_id AS run_id,
  d.status,
  CASE WHEN d.outcome = 'starting' THEN 'running' ELSE d.outcome END AS outcome,
  d.started_at,
  d.finished_at,
  d.last_polled_at,
  d.messages
FROM dag_action_runs d;
