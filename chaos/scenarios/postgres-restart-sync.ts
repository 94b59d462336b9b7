/** Postgres restarted mid-sync; start survives and finishes the sync. */
import { postgresRestarted } from '../outages.ts';
import type { Scenario } from '../scenario.ts';
import { syncThroughOutage } from '../work-through-outage.ts';

export const postgresRestartSync: Scenario = {
  name: 'postgres-restart-sync',
  summary: 'Postgres restarted mid-sync; start survives and finishes the sync',
  reduced: true,
  run(stage, verdict) {
    return syncThroughOutage(stage, verdict, postgresRestarted);
  },
};
