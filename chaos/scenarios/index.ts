/** Every scenario, in the order the suite runs them. */
import type { Scenario } from '../scenario.ts';
import { emptyListing } from './empty-listing.ts';
import { htmlAnswers } from './html-answers.ts';
import { killApply } from './kill-apply.ts';
import { killBulk } from './kill-bulk.ts';
import { postgresRestartApply } from './postgres-restart-apply.ts';
import { postgresRestartSync } from './postgres-restart-sync.ts';
import { redisEmptyApply } from './redis-empty-apply.ts';
import { redisEmptySync } from './redis-empty-sync.ts';
import { replicaSigterm } from './replica-sigterm.ts';
import { replicasBoot } from './replicas-boot.ts';
import { storm429 } from './storm-429.ts';
import { syncKills } from './sync-kills.ts';

export const SCENARIOS: readonly Scenario[] = [
  syncKills,
  killApply,
  killBulk,
  redisEmptySync,
  redisEmptyApply,
  postgresRestartSync,
  postgresRestartApply,
  storm429,
  htmlAnswers,
  emptyListing,
  replicasBoot,
  replicaSigterm,
];
