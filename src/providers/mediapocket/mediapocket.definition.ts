import type { ProviderDefinition } from '../provider-definition.ts';
import { createMediaPocketDagActions } from './mediapocket-dag.provider.ts';
import { createMediaPocketClient } from './mediapocket.client.ts';
import { createMediaPocketProvider } from './mediapocket.provider.ts';

export const mediaPocketDefinition: ProviderDefinition = {
  name: 'mediapocket',
  displayName: 'Media Pocket',
  env: {
    prefix: 'MEDIAPOCKET',
    baseUrl: { requiredHint: 'Media Pocket is per tenant, e.g. https://<tenant>.mediapocket.fi' },
    defaultRps: 5,
  },
  retention: {
    action: 'trash',
    reversal: { kind: 'reversible', undoAction: 'restore', how: 'restored from the trash bin (POST /api/v2/assets/:id/restore)' },
    doneState: { kind: 'trashed' },
    kinds: ['image', 'video', 'audio', 'article', 'placeholder'],
    statuses: undefined,
    hasTags: true,
    hasCategory: true,
  },
  bulkActions: ['trash', 'restore', 'delete', 'dag'],
  batchSizes: {},
  create(config, deps) {
    const client = createMediaPocketClient({ config, rateLimiter: deps.rateLimiter, logger: deps.logger });
    return {
      provider: createMediaPocketProvider(client, { logger: deps.logger }),
      dagActions: createMediaPocketDagActions(client),
      close: () => client.close(),
    };
  },
};
