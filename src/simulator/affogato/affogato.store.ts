import { deepFreeze, applyPatch } from '../core/deep.freeze.ts';
import type { Random } from '../core/seeded.random.ts';
import { SortedList } from '../core/sorted.list.ts';
import { affogatoId, affogatoRank, generateAffogatoAsset } from './affogato.generate.ts';
import {
  AFFOGATO_TYPES,
  type AffogatoArchivedItem,
  type AffogatoAsset,
  type AffogatoAssetType,
} from './affogato.wire.ts';

interface AffogatoRecord {
  asset: AffogatoAsset;
  tags: readonly string[];
  rank: number;
}

function byRank(a: AffogatoRecord, b: AffogatoRecord): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.asset.id < b.asset.id ? -1 : a.asset.id > b.asset.id ? 1 : 0;
}

export interface AffogatoPage {
  items: AffogatoAsset[];
  total: number;
}

/**
 * The truth behind the simulated Affogato. The listing's order is undocumented, so the store keeps a stable
 * order of its own (a random rank per asset) and an added asset lands at a random place in it: pages after that
 * place shift by one, which is the drift a paging client has to survive. Archived assets stay listed with status
 * `archive`. Assets are frozen; every change replaces the object.
 */
export class AffogatoStore {
  private readonly byId = new Map<string, AffogatoRecord>();
  private readonly ordered: SortedList<AffogatoRecord>;
  private readonly byType = new Map<AffogatoAssetType, SortedList<AffogatoRecord>>();

  constructor(
    private readonly random: Random,
    count: number,
  ) {
    const records: AffogatoRecord[] = [];
    for (let i = 0; i < count; i += 1) {
      const record = this.generate(this.freshId());
      this.byId.set(record.asset.id, record);
      records.push(record);
    }
    records.sort(byRank);
    this.ordered = SortedList.fromSorted(byRank, records);
    for (const type of AFFOGATO_TYPES) {
      this.byType.set(type, SortedList.fromSorted(byRank, records.filter((record) => record.asset.type === type)));
    }
  }

  /** Number of assets (archived ones included: they are still listed). */
  size(): number {
    return this.ordered.length;
  }

  /** Ids in listing order. */
  ids(): string[] {
    return this.ordered.toArray().map((record) => record.asset.id);
  }

  /** Every asset in listing order, exactly as `GET /pub/v2/assets/{id}` returns it. */
  all(): AffogatoAsset[] {
    return this.ordered.toArray().map((record) => record.asset);
  }

  get(id: string): AffogatoAsset | undefined {
    return this.byId.get(id)?.asset;
  }

  /** The tags the archive answer reports for an asset (v2 payloads have none). */
  tagsOf(id: string): string[] | undefined {
    return this.byId.get(id)?.tags.slice();
  }

  isArchived(id: string): boolean {
    return this.byId.get(id)?.asset.status === 'archive';
  }

  /** Ids whose status is `archive`, in listing order (a full scan: for tests, not per request). */
  archivedIds(): string[] {
    return this.ordered
      .toArray()
      .filter((record) => record.asset.status === 'archive')
      .map((record) => record.asset.id);
  }

  /**
   * Creates a generated asset at a random place in the listing order. `overrides` replace generated fields;
   * giving `type` generates a size/duration/frames that fit it. Throws if `overrides.id` already exists.
   */
  add(overrides: Partial<AffogatoAsset> = {}): AffogatoAsset {
    const id = overrides.id ?? this.freshId();
    if (this.byId.has(id)) throw new Error(`affogato asset ${id} already exists`);
    const generated = this.generate(id, overrides.type);
    const record: AffogatoRecord = { ...generated, asset: deepFreeze(applyPatch(generated.asset, { ...overrides, id })) };
    this.byId.set(id, record);
    this.index(record);
    return record.asset;
  }

  /** Changes fields of an asset (an explicit `undefined` removes an optional field). Throws if unknown. */
  update(id: string, patch: Partial<Omit<AffogatoAsset, 'id'>>): AffogatoAsset {
    const record = this.byId.get(id);
    if (record === undefined) throw new Error(`affogato asset ${id} does not exist`);
    this.unindex(record);
    record.asset = deepFreeze(applyPatch(record.asset, { ...patch, id }));
    this.index(record);
    return record.asset;
  }

  /** Deletes an asset for good (Affogato has no delete endpoint: this is the truth changing under a client). */
  remove(id: string): boolean {
    const record = this.byId.get(id);
    if (record === undefined) return false;
    this.unindex(record);
    this.byId.delete(id);
    return true;
  }

  /**
   * Archives the known ids (already archived ones too: harmless) and answers them as the archive endpoint does.
   * Unknown ids are skipped and absent from the answer; a repeated id is answered once.
   */
  archive(ids: readonly string[]): AffogatoArchivedItem[] {
    const answered: AffogatoArchivedItem[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const record = this.byId.get(id);
      if (record === undefined) continue;
      if (record.asset.status !== 'archive') {
        record.asset = deepFreeze({ ...record.asset, status: 'archive' });
      }
      const { asset } = record;
      answered.push({
        id,
        status: 'archive',
        tags: record.tags.slice(),
        type: asset.type,
        data: { size: { ...asset.size }, url: asset.url },
      });
    }
    return answered;
  }

  /** One listing page (1-based), optionally only one type: a slice of the ordered index. */
  page(page: number, pageSize: number, type?: AffogatoAssetType): AffogatoPage {
    const list = type === undefined ? this.ordered : this.byType.get(type);
    if (list === undefined) return { items: [], total: 0 };
    const start = (page - 1) * pageSize;
    return { items: list.slice(start, start + pageSize).map((record) => record.asset), total: list.length };
  }

  private generate(id: string, type?: AffogatoAssetType): AffogatoRecord {
    const generated = generateAffogatoAsset(this.random, id, type);
    return { asset: deepFreeze(generated.asset), tags: generated.tags, rank: affogatoRank(this.random) };
  }

  private freshId(): string {
    for (;;) {
      const id = affogatoId(this.random);
      if (!this.byId.has(id)) return id;
    }
  }

  private index(record: AffogatoRecord): void {
    this.ordered.insert(record);
    this.byType.get(record.asset.type)?.insert(record);
  }

  private unindex(record: AffogatoRecord): void {
    this.ordered.remove(record);
    this.byType.get(record.asset.type)?.remove(record);
  }
}
