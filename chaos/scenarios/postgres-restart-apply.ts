/** Postgres restarted mid-apply; start survives and finishes the apply, nothing twice. */
import { postgresRestarted } from '../outages.ts';
import type { Scenario } from '../scenario.ts';
import { applyThroughOutage } from '../work-through-outage.ts';

export const postgresRestartApply: Scenario = {
  name: 'postgres-restart-apply',
  summary: 'Postgres restarted mid-apply; start survives and finishes the apply, nothing twice',
  reduced: false,
  run(stage, verdict) {
    return applyThroughOutage(stage, verdict, postgresRestarted);
  },
};
