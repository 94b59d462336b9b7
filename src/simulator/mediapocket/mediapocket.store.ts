import type { DagActionSpec } from '../simulator.types.ts';
import { applyPatch, deepFreeze } from '../core/deep.freeze.ts';
import type { Random } from '../core/seeded.random.ts';
import { SortedList } from '../core/sorted.list.ts';
import { compareKeys, type MediaPocketKey } from './mediapocket.cursor.ts';
import { MediaPocketDag } from './mediapocket-dag.store.ts';
import { generateMediaPocketAsset, mediaPocketId } from './mediapocket.generate.ts';
import type {
  DagActionInfo,
  DagActionRun,
  MediaPocketAsset,
  MediaPocketPermission,
} from './mediapocket.wire.ts';

const TRASH_RETENTION_MS = 14 * 24 * 3600 * 1000;

interface MediaPocketRecord {
  asset: MediaPocketAsset;
  key: MediaPocketKey;
}

function keyOf(asset: MediaPocketAsset): MediaPocketKey {
  const time = Date.parse(asset.created_date);
  return { time: Number.isFinite(time) ? time : 0, id: asset.id };
}

export interface MediaPocketPage {
  assets: MediaPocketAsset[];
  /** Position of the page's last asset when more follow, else undefined (the listing ends here). */
  next: MediaPocketKey | undefined;
}

export type RestoreOutcome = 'restored' | 'not_trashed' | 'not_found';

/**
 * The truth behind the simulated Media Pocket. Listed assets are kept in keyset order (created_date, id); an
 * asset in the trash bin leaves the listing but stays readable with `deleted` set; `remove` is the permanent
 * delete. Assets are frozen; every change replaces the object.
 */
export class MediaPocketStore {
  private readonly byId = new Map<string, MediaPocketRecord>();
  private readonly listed: SortedList<MediaPocketRecord>;
  private readonly trashed = new Set<string>();
  private readonly dag: MediaPocketDag;

  constructor(
    private readonly random: Random,
    count: number,
    private readonly referenceTime: number,
    dagActions?: readonly DagActionSpec[],
  ) {
    const records: MediaPocketRecord[] = [];
    for (let i = 0; i < count; i += 1) {
      const asset = deepFreeze(generateMediaPocketAsset(random, this.freshId(), referenceTime));
      const record = { asset, key: keyOf(asset) };
      this.byId.set(asset.id, record);
      records.push(record);
    }
    this.listed = new SortedList((a, b) => compareKeys(a.key, b.key), records);
    this.dag = new MediaPocketDag(dagActions);
  }

  /** Number of listed assets (trashed ones excluded). */
  size(): number {
    return this.listed.length;
  }

  /** Listed ids in listing order. */
  ids(): string[] {
    return this.listed.toArray().map((record) => record.asset.id);
  }

  /** Listed assets in listing order, exactly as `GET /api/v2/assets/:id` returns them (`deleted: null`). */
  all(): MediaPocketAsset[] {
    return this.listed.toArray().map((record) => record.asset);
  }

  /** Assets in the trash bin (not listed, still readable), in the order they were trashed. */
  allTrashed(): MediaPocketAsset[] {
    const out: MediaPocketAsset[] = [];
    for (const id of this.trashed) {
      const record = this.byId.get(id);
      if (record !== undefined) out.push(record.asset);
    }
    return out;
  }

  /** Any asset that still exists, trashed or not. */
  get(id: string): MediaPocketAsset | undefined {
    return this.byId.get(id)?.asset;
  }

  isTrashed(id: string): boolean {
    return this.trashed.has(id);
  }

  /**
   * Creates a generated asset, by default created and modified now (so it sorts last in the listing).
   * `overrides` replace generated fields. Throws if `overrides.id` already exists.
   */
  add(overrides: Partial<Omit<MediaPocketAsset, 'deleted'>> = {}): MediaPocketAsset {
    const id = overrides.id ?? this.freshId();
    if (this.byId.has(id)) throw new Error(`mediapocket asset ${id} already exists`);
    const now = new Date().toISOString();
    const generated = generateMediaPocketAsset(this.random, id, this.referenceTime);
    const asset = deepFreeze(
      applyPatch(generated, { created_date: now, modification_date: now, ...overrides, id, deleted: null }),
    );
    const record = { asset, key: keyOf(asset) };
    this.byId.set(id, record);
    this.listed.insert(record);
    return asset;
  }

  /**
   * Changes fields of an asset, trashed or not. `modification_date` moves to now unless the patch sets it.
   * Throws if the asset does not exist.
   */
  update(id: string, patch: Partial<Omit<MediaPocketAsset, 'id' | 'deleted'>>): MediaPocketAsset {
    const record = this.byId.get(id);
    if (record === undefined) throw new Error(`mediapocket asset ${id} does not exist`);
    const listed = !this.trashed.has(id);
    if (listed) this.listed.remove(record);
    record.asset = deepFreeze(
      applyPatch(record.asset, { modification_date: new Date().toISOString(), ...patch, id }),
    );
    record.key = keyOf(record.asset);
    if (listed) this.listed.insert(record);
    return record.asset;
  }

  /**
   * Moves an asset to the trash bin, setting `deleted` to `at`. Trashing a trashed asset changes nothing.
   * False when the asset does not exist.
   */
  trash(id: string, at = new Date()): boolean {
    const record = this.byId.get(id);
    if (record === undefined) return false;
    if (this.trashed.has(id)) return true;
    this.listed.remove(record);
    this.trashed.add(id);
    record.asset = deepFreeze({ ...record.asset, deleted: at.toISOString() });
    return true;
  }

  restore(id: string): RestoreOutcome {
    const record = this.byId.get(id);
    if (record === undefined) return 'not_found';
    if (!this.trashed.has(id)) return 'not_trashed';
    this.trashed.delete(id);
    record.asset = deepFreeze({ ...record.asset, deleted: null });
    this.listed.insert(record);
    return 'restored';
  }

  /** Permanent delete, trashed or not: afterwards the asset is 404 everywhere. */
  remove(id: string): boolean {
    const record = this.byId.get(id);
    if (record === undefined) return false;
    if (this.trashed.has(id)) this.trashed.delete(id);
    else this.listed.remove(record);
    this.byId.delete(id);
    this.dag.forgetAsset(id);
    return true;
  }

  /** What the provider does on its own: deletes assets trashed at least `olderThanMs` ago (14 days). */
  purgeTrash(olderThanMs = TRASH_RETENTION_MS, now = Date.now()): string[] {
    const purged: string[] = [];
    for (const id of [...this.trashed]) {
      const deleted = this.byId.get(id)?.asset.deleted;
      if (deleted != null && now - Date.parse(deleted) >= olderThanMs) {
        this.remove(id);
        purged.push(id);
      }
    }
    return purged;
  }

  /** The listed assets after a keyset position (from the start when undefined): a binary search and a slice. */
  page(after: MediaPocketKey | undefined, perPage: number): MediaPocketPage {
    const start = after === undefined ? 0 : this.listed.firstAfter((record) => compareKeys(record.key, after));
    const records = this.listed.slice(start, start + perPage);
    const last = records[records.length - 1];
    const more = start + records.length < this.listed.length;
    return { assets: records.map((record) => record.asset), next: more && last !== undefined ? last.key : undefined };
  }

  /** The DAG action catalogue (the same for every asset). */
  dagActions(): DagActionInfo[] {
    return this.dag.catalogue();
  }

  hasDagAction(actionId: number): boolean {
    return this.dag.hasAction(actionId);
  }

  /** Starts a run of an action on an asset; undefined for an unknown asset or action. */
  startDagAction(assetId: string, actionId: number): DagActionRun | undefined {
    if (!this.byId.has(assetId)) return undefined;
    return this.dag.start(assetId, actionId);
  }

  /** Lists an asset's runs as a poll does: every run not yet on its last status moves one status on. */
  pollDagRuns(assetId: string): DagActionRun[] {
    return this.dag.poll(assetId);
  }

  /** An asset's runs as they stand (does not count as a poll). */
  dagRuns(assetId: string): DagActionRun[] {
    return this.dag.runs(assetId);
  }

  /** While denied, the endpoints that need the permission answer the reference's 403. */
  denyPermissions(kind: MediaPocketPermission, denied: boolean): void {
    this.dag.denyPermissions(kind, denied);
  }

  isDenied(kind: MediaPocketPermission): boolean {
    return this.dag.isDenied(kind);
  }

  private freshId(): string {
    for (;;) {
      const id = mediaPocketId(this.random);
      if (!this.byId.has(id)) return id;
    }
  }
}
