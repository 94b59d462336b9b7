import { randomBytes } from 'node:crypto';
import { applyPatch, deepFreeze } from '../core/deep.freeze.ts';
import { randomUuid, type Random } from '../core/seeded.random.ts';
import { SortedList } from '../core/sorted.list.ts';
import { generateRoughyAsset, roughyProjects } from './roughy.generate.ts';
import type { RoughyAsset, RoughyAssetDetail, RoughyListItem, RoughyState } from './roughy.wire.ts';

const SIGNED_URL_TTL_MS = 15 * 60 * 1000;

interface RoughyRecord {
  asset: RoughyAsset;
  time: number;
}

/** Newest first; equal times by id so the order is total. */
function newestFirst(a: RoughyRecord, b: RoughyRecord): number {
  if (a.time !== b.time) return a.time > b.time ? -1 : 1;
  return a.asset.id < b.asset.id ? -1 : a.asset.id > b.asset.id ? 1 : 0;
}

function recordOf(asset: RoughyAsset): RoughyRecord {
  const time = Date.parse(asset.created_at);
  return { asset, time: Number.isFinite(time) ? time : 0 };
}

/** Each asset sits in four views: all, its state, its project, its state within its project. */
function viewKeys(asset: RoughyAsset): string[] {
  return ['*|*', `${asset.state}|*`, `*|${asset.project_id}`, `${asset.state}|${asset.project_id}`];
}

export function toListItem(asset: RoughyAsset): RoughyListItem {
  const { error_code: _code, error_message: _message, upload_url: _upload, ...item } = asset;
  return item;
}

export interface RoughyQuery {
  offset: number;
  limit: number;
  state?: RoughyState;
  projectId?: string;
}

export interface RoughyPage {
  items: RoughyListItem[];
  total: number;
}

/**
 * The truth behind the simulated Roughy: newest first by created_at, offset paging. An added asset is created
 * now, so it lands at offset 0 and pushes every other one down; a removed one pulls the rest up. Each filter
 * combination keeps its own ordered view, so a filtered page is a slice too.
 */
export class RoughyStore {
  private readonly byId = new Map<string, RoughyRecord>();
  private readonly views = new Map<string, SortedList<RoughyRecord>>();
  private readonly projects: string[];

  constructor(
    private readonly random: Random,
    count: number,
    private readonly referenceTime: number,
  ) {
    this.projects = roughyProjects(random);
    const records: RoughyRecord[] = [];
    for (let i = 0; i < count; i += 1) {
      const record = recordOf(deepFreeze(generateRoughyAsset(random, this.freshId(), this.projects, referenceTime)));
      this.byId.set(record.asset.id, record);
      records.push(record);
    }
    records.sort(newestFirst);
    const grouped = new Map<string, RoughyRecord[]>();
    for (const record of records) {
      for (const key of viewKeys(record.asset)) {
        const group = grouped.get(key) ?? [];
        group.push(record);
        grouped.set(key, group);
      }
    }
    for (const [key, group] of grouped) this.views.set(key, SortedList.fromSorted(newestFirst, group));
  }

  /** The handful of project ids generated assets belong to. */
  projectIds(): string[] {
    return this.projects.slice();
  }

  size(): number {
    return this.byId.size;
  }

  /** Ids newest first (the listing's order). */
  ids(): string[] {
    return this.view('*|*').toArray().map((record) => record.asset.id);
  }

  /** Every asset newest first, as `GET /v1/assets/{id}` returns it minus the volatile `download_url`. */
  all(): RoughyAsset[] {
    return this.view('*|*').toArray().map((record) => record.asset);
  }

  get(id: string): RoughyAsset | undefined {
    return this.byId.get(id)?.asset;
  }

  /** The detail as served: a freshly signed `download_url` (new signature on every call) for ready assets. */
  detail(id: string, now = Date.now()): RoughyAssetDetail | undefined {
    const asset = this.byId.get(id)?.asset;
    if (asset === undefined) return undefined;
    let downloadUrl: string | null = null;
    if (asset.state === 'ready') {
      const expires = Math.floor((now + SIGNED_URL_TTL_MS) / 1000);
      const file = `original.${asset.extension ?? 'bin'}`;
      const signature = randomBytes(16).toString('hex');
      downloadUrl = `https://cdn.roughy.invalid/assets/${id}/${file}?expires=${expires}&signature=${signature}`;
    }
    return { ...asset, download_url: downloadUrl };
  }

  /**
   * Creates a generated asset, created now by default (so it is first in the listing). `overrides` replace
   * generated fields. Throws if `overrides.id` already exists.
   */
  add(overrides: Partial<RoughyAsset> = {}): RoughyAsset {
    const id = overrides.id ?? this.freshId();
    if (this.byId.has(id)) throw new Error(`roughy asset ${id} already exists`);
    const generated = generateRoughyAsset(this.random, id, this.projects, this.referenceTime, Date.now());
    const record = recordOf(deepFreeze(applyPatch(generated, { ...overrides, id })));
    this.byId.set(id, record);
    this.index(record);
    return record.asset;
  }

  /** Changes fields of an asset (state, created_at, …), moving it in the views. Throws if unknown. */
  update(id: string, patch: Partial<Omit<RoughyAsset, 'id'>>): RoughyAsset {
    const record = this.byId.get(id);
    if (record === undefined) throw new Error(`roughy asset ${id} does not exist`);
    this.unindex(record);
    const next = recordOf(deepFreeze(applyPatch(record.asset, { ...patch, id })));
    this.byId.set(id, next);
    this.index(next);
    return next.asset;
  }

  /** Deletes an asset (what `DELETE /v1/assets/{id}` does). */
  remove(id: string): boolean {
    const record = this.byId.get(id);
    if (record === undefined) return false;
    this.unindex(record);
    this.byId.delete(id);
    return true;
  }

  /** One listing page: a slice of the view for the filters. */
  page(query: RoughyQuery): RoughyPage {
    const view = this.views.get(`${query.state ?? '*'}|${query.projectId ?? '*'}`);
    if (view === undefined) return { items: [], total: 0 };
    const records = view.slice(query.offset, query.offset + query.limit);
    return { items: records.map((record) => toListItem(record.asset)), total: view.length };
  }

  private view(key: string): SortedList<RoughyRecord> {
    let view = this.views.get(key);
    if (view === undefined) {
      view = new SortedList(newestFirst);
      this.views.set(key, view);
    }
    return view;
  }

  private index(record: RoughyRecord): void {
    for (const key of viewKeys(record.asset)) this.view(key).insert(record);
  }

  private unindex(record: RoughyRecord): void {
    for (const key of viewKeys(record.asset)) this.views.get(key)?.remove(record);
  }

  private freshId(): string {
    for (;;) {
      const id = randomUuid(this.random);
      if (!this.byId.has(id)) return id;
    }
  }
}
