import type { ProviderDefinition } from '../provider-definition.ts';
import { createAffogatoClient } from './affogato.client.ts';
import { AFFOGATO_ARCHIVE_BATCH, AFFOGATO_ARCHIVED_STATUS, createAffogatoProvider } from './affogato.provider.ts';

export const affogatoDefinition: ProviderDefinition = {
  name: 'affogato',
  displayName: 'Affogato',
  env: { prefix: 'AFFOGATO', baseUrl: { default: 'https://api.rendernet.ai' }, defaultRps: 5 },
  retention: {
    // the API documents archiving only, no unarchive
    action: 'archive',
    reversal: { kind: 'irreversible', why: 'Affogato documents no way to unarchive an asset' },
    doneState: { kind: 'status', status: AFFOGATO_ARCHIVED_STATUS },
    kinds: ['image', 'video', 'audio'],
    statuses: ['active', 'archive', 'pending', 'censored', 'processing'],
    // its v2 assets carry no tags and no category
    hasTags: false,
    hasCategory: false,
  },
  bulkActions: ['archive'],
  batchSizes: { archive: AFFOGATO_ARCHIVE_BATCH },
  create(config, deps) {
    const client = createAffogatoClient({ config, rateLimiter: deps.rateLimiter, logger: deps.logger });
    return { provider: createAffogatoProvider(client), close: () => client.close() };
  },
};
