/**
 * The BullMQ dashboard (bull-board) as a fastify plugin; the caller mounts it under its prefix, behind auth.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginCallback } from 'fastify';
import type { Queues } from '../jobs/queues.ts';

export const DASHBOARD_PATH = '/admin/queues';

export function queueDashboardPlugin(queues: Queues, queuePrefix: string): FastifyPluginCallback {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(queues).map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: `asset-worker (${queuePrefix})` } },
  });
  return serverAdapter.registerPlugin();
}
