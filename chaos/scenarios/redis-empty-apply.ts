/** Redis killed mid-apply and started again empty: `start` finishes the apply, no action twice. */
import { redisEmptied } from '../outages.ts';
import type { Scenario } from '../scenario.ts';
import { applyThroughOutage } from '../work-through-outage.ts';

export const redisEmptyApply: Scenario = {
  name: 'redis-empty-apply',
  summary: 'Redis killed mid-apply and started again empty; start finishes the apply, nothing twice',
  reduced: false,
  run(stage, verdict) {
    return applyThroughOutage(stage, verdict, redisEmptied(stage.settings.reduced ? 2_000 : 5_000));
  },
};
