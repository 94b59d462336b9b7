import { describe, expect, it } from 'vitest';
import type { AffogatoClient } from '../../src/providers/affogato/affogato.client.ts';
import { createAffogatoProvider } from '../../src/providers/affogato/affogato.provider.ts';
import type { MediaPocketClient } from '../../src/providers/mediapocket/mediapocket.client.ts';
import { createMediaPocketProvider } from '../../src/providers/mediapocket/mediapocket.provider.ts';
import type { LookupResult, TransformResult } from '../../src/providers/provider.ts';
import type { RoughyClient } from '../../src/providers/roughy/roughy.client.ts';
import { createRoughyProvider } from '../../src/providers/roughy/roughy.provider.ts';

// reading an effect never calls the provider: an adapter without a client answers it
const affogato = createAffogatoProvider({} as AffogatoClient);
const mediapocket = createMediaPocketProvider({} as MediaPocketClient);
const roughy = createRoughyProvider({} as RoughyClient);

const item = (status: string): TransformResult => ({
  ok: true,
  record: {
    assetId: 'x', kind: null, status, title: null, description: null, category: null, url: null, width: null, height: null,
    durationSeconds: null, frames: null, sizeBytes: null, tags: null, providerCreatedAt: null, providerUpdatedAt: null, trashedAt: null, raw: {},
  },
});
const present = (status = 'active'): LookupResult => ({ state: 'present', item: item(status) });
const trashed: LookupResult = { state: 'trashed', item: item('active'), trashedAt: new Date() };
const gone: LookupResult = { state: 'gone' };

describe('how a lookup shows an action took effect', () => {
  it('Affogato: archived once its status is its own word "archive"', () => {
    expect(affogato.effectSeen('archive', present('archive'))).toBe('applied');
    expect(affogato.effectSeen('archive', present('active'))).toBe('not_applied');
    expect(affogato.effectSeen('archive', gone)).toBe('gone');
  });

  it('Media Pocket: trash, restore and delete read from the trash bin and 404s', () => {
    expect(mediapocket.effectSeen('trash', trashed)).toBe('applied');
    expect(mediapocket.effectSeen('trash', present())).toBe('not_applied');
    expect(mediapocket.effectSeen('trash', gone)).toBe('gone');
    expect(mediapocket.effectSeen('restore', present())).toBe('applied');
    expect(mediapocket.effectSeen('restore', trashed)).toBe('not_applied');
    expect(mediapocket.effectSeen('delete', gone)).toBe('applied');
    expect(mediapocket.effectSeen('delete', trashed)).toBe('not_applied');
  });

  it('Roughy: a delete is done once the asset is gone', () => {
    expect(roughy.effectSeen('delete', gone)).toBe('applied');
    expect(roughy.effectSeen('delete', present('ready'))).toBe('not_applied');
  });
});

describe('what a done action changes in the catalog row', () => {
  it('maps each action to its effect', () => {
    expect(affogato.catalogEffect('archive')).toEqual({ kind: 'status', status: 'archive' });
    expect(mediapocket.catalogEffect('trash')).toEqual({ kind: 'trashed' });
    expect(mediapocket.catalogEffect('restore')).toEqual({ kind: 'restored' });
    expect(mediapocket.catalogEffect('delete')).toEqual({ kind: 'removed' });
    expect(roughy.catalogEffect('delete')).toEqual({ kind: 'removed' });
  });
});
