/** The test-only fifth provider, defined exactly as the built-in ones are (src/providers/<name>/<name>.definition.ts). */
import type { ProviderDefinition } from '../../src/providers/provider-definition.ts';
import { createShelfClient } from './shelf.client.ts';
import { createShelfProvider, SHELF_SHELVE_BATCH, SHELF_SHELVED_STATUS } from './shelf.provider.ts';

export const shelfDefinition: ProviderDefinition = {
  name: 'shelf',
  displayName: 'Shelf',
  env: { prefix: 'SHELF', baseUrl: { requiredHint: 'Shelf runs on the test machine' }, defaultRps: 50 },
  retention: {
    action: 'archive',
    reversal: { kind: 'irreversible', why: 'Shelf offers no way to take an asset off the shelf' },
    doneState: { kind: 'status', status: SHELF_SHELVED_STATUS },
    kinds: ['image', 'document'],
    statuses: ['active', 'shelved'],
    hasTags: false,
    hasCategory: false,
  },
  bulkActions: ['archive', 'delete'],
  batchSizes: { archive: SHELF_SHELVE_BATCH },
  create(config, deps) {
    const client = createShelfClient({ config, rateLimiter: deps.rateLimiter, logger: deps.logger });
    return { provider: createShelfProvider(client), close: () => client.close() };
  },
};
