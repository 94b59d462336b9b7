import type { ProviderDefinition } from '../provider-definition.ts';
import { createRoughyClient } from './roughy.client.ts';
import { createRoughyProvider } from './roughy.provider.ts';

export const roughyDefinition: ProviderDefinition = {
  name: 'roughy',
  displayName: 'Roughy',
  env: { prefix: 'ROUGHY', baseUrl: { default: 'https://api.roughy.ai' }, defaultRps: 5 },
  retention: {
    action: 'delete',
    reversal: { kind: 'irreversible', why: 'Roughy deletes are permanent: a deleted asset cannot be brought back' },
    doneState: { kind: 'removed' },
    kinds: ['audio', 'video'],
    statuses: ['pending_upload', 'processing', 'pending_payment', 'ready', 'failed'],
    // its assets carry no tags and no category
    hasTags: false,
    hasCategory: false,
  },
  bulkActions: ['delete'],
  batchSizes: {},
  create(config, deps) {
    const client = createRoughyClient({ config, rateLimiter: deps.rateLimiter, logger: deps.logger });
    return { provider: createRoughyProvider(client), close: () => client.close() };
  },
};
