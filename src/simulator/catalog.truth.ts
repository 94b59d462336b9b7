import type { AffogatoStore } from './affogato/affogato.store.ts';
import type { MediaPocketStore } from './mediapocket/mediapocket.store.ts';
import type { RoughyStore } from './roughy/roughy.store.ts';
import type { SimProvider } from './simulator.types.ts';

/**
 * What a complete, correct catalog must hold for one asset that exists at the provider, in the reporting view's
 * terms (`catalog_assets`): the provider's own kind and status verbatim, and `trashed_at` for Media Pocket.
 * Only the columns every provider fixes unambiguously; compare the rest against `all()` payloads.
 */
export interface CatalogTruthRow {
  provider: SimProvider;
  asset_id: string;
  kind: string | null;
  status: string;
  trashed_at: string | null;
}

export interface CatalogTruthSource {
  affogato: AffogatoStore;
  mediapocket: MediaPocketStore;
  roughy: RoughyStore;
}

/** Every asset present at the provider (Media Pocket: trashed ones too, with `trashed_at`), sorted by id. */
export function catalogTruth(source: CatalogTruthSource, provider: SimProvider): CatalogTruthRow[] {
  let rows: CatalogTruthRow[];
  switch (provider) {
    case 'affogato':
      rows = source.affogato
        .all()
        .map((a) => ({ provider, asset_id: a.id, kind: a.type, status: a.status, trashed_at: null }));
      break;
    case 'mediapocket':
      rows = [...source.mediapocket.all(), ...source.mediapocket.allTrashed()].map((a) => ({
        provider,
        asset_id: a.id,
        kind: a.media_type,
        status: a.status,
        trashed_at: a.deleted,
      }));
      break;
    case 'roughy':
      rows = source.roughy
        .all()
        .map((a) => ({ provider, asset_id: a.id, kind: a.type, status: a.state, trashed_at: null }));
      break;
  }
  return rows.sort((a, b) => (a.asset_id < b.asset_id ? -1 : a.asset_id > b.asset_id ? 1 : 0));
}
