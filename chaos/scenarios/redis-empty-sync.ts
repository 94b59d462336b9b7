/** Redis killed mid-sync and started again empty: `start` finishes the sync and has its schedules again. */
import { redisEmptied } from '../outages.ts';
import type { Scenario } from '../scenario.ts';
import { syncThroughOutage } from '../work-through-outage.ts';

export const redisEmptySync: Scenario = {
  name: 'redis-empty-sync',
  summary: 'Redis killed mid-sync and started again empty; start finishes the sync and keeps its schedules',
  reduced: true,
  run(stage, verdict) {
    return syncThroughOutage(stage, verdict, redisEmptied(stage.settings.reduced ? 2_000 : 5_000));
  },
};
