/**
 * The infrastructure faults: Redis killed and started again empty (it keeps nothing on disk), Postgres restarted
 * (`pg_ctl restart -m fast`: every session terminated with 57P01, the data kept). Each returns when the server
 * is back: the moment a scenario's time to recover counts from.
 */
import type { Stage } from './harness.ts';
import { sleep } from './wait.ts';

export interface Outage {
  /** what the table and the failures call it */
  describe: string;
  /** causes the fault; resolves with the time the server was back */
  cause(stage: Stage): Promise<number>;
}

export function redisEmptied(downMs: number): Outage {
  return {
    describe: `Redis killed, back empty after ${downMs / 1000} s`,
    async cause(stage) {
      await stage.world.redis.kill();
      await sleep(downMs);
      await stage.world.redis.start();
      return Date.now();
    },
  };
}

export const postgresRestarted: Outage = {
  describe: 'Postgres restarted (fast shutdown)',
  async cause(stage) {
    await stage.world.postgres.restart();
    return Date.now();
  },
};
