/**
 * What the rest of the worker knows about a provider. Each provider is a client (HTTP only), an adapter that
 * implements this interface (and holds every assumption about the provider's API), and a pure transform.
 */
import type { IdSet } from '../util/compact-id-set.ts';
import type { AssetAction } from '../domain/action-names.ts';
import type { DagRunPhase, DagRunSnapshot } from '../domain/dag-run.ts';
import type { CatalogEffect, ProviderName } from '../domain/provider-facts.ts';

export type { AssetAction } from '../domain/action-names.ts';
export type { DagRunPhase, DagRunSnapshot } from '../domain/dag-run.ts';

/** One asset as the catalog stores it; produced by a provider's pure transform. */
export interface CatalogRecord {
  assetId: string;
  kind: string | null;
  /** the provider's own status, verbatim */
  status: string | null;
  title: string | null;
  description: string | null;
  category: string | null;
  url: string | null;
  width: number | null;
  height: number | null;
  /** decimal as text, so no precision is lost on the way to a numeric column */
  durationSeconds: string | null;
  frames: number | null;
  sizeBytes: number | null;
  tags: string[] | null;
  providerCreatedAt: Date | null;
  providerUpdatedAt: Date | null;
  /** Media Pocket: when the asset went to the trash bin; null for everything else */
  trashedAt: Date | null;
  /** the payload as received, minus anything volatile (signed URLs) */
  raw: unknown;
}

export type TransformResult =
  | { ok: true; record: CatalogRecord }
  | { ok: false; reason: string; assetId: string | null; raw: unknown };

export interface ListingPage {
  /** unique within one pass of a run (e.g. "17" for page 17, a sequence number for cursor pages) */
  key: string;
  items: TransformResult[];
  /** the listing position after this page, persisted with it so a crash resumes here */
  progress: Record<string, unknown>;
  /** the provider's reported total, when its listing reports one */
  total?: number | undefined;
}

export interface ListingContext {
  /** the position committed with the last stored page of this pass; {} for a fresh pass */
  readonly progress: Record<string, unknown>;
  /** page keys of this pass already committed (page-number listings skip them on resume) */
  readonly committedPageKeys: ReadonlySet<string>;
  /** ids stored by this run so far, kept up to date as pages commit */
  readonly seenIds: IdSet;
  readonly signal: AbortSignal;
}

export type LookupResult =
  | { state: 'present'; item: TransformResult }
  /** still at the provider, but in its trash bin */
  | { state: 'trashed'; item: TransformResult; trashedAt: Date }
  | { state: 'gone' };

export interface SuspectContext {
  /** ids stored by this run (every pass, and removals already confirmed) */
  readonly seenIds: IdSet;
  /** the position committed with the run's last listing page */
  readonly progress: Record<string, unknown>;
  readonly signal: AbortSignal;
}


export interface ActionResult {
  /** the provider confirmed the action */
  done: string[];
  /** the provider answered 404: the asset is already gone */
  gone: string[];
  /** the provider did not act on these (e.g. absent from a batch answer); safe to try again */
  notDone: string[];
}

/** Did an action that was (perhaps) sent take effect, as the detail endpoint shows it. */
export type ObservedEffect = 'applied' | 'gone' | 'not_applied';

export type { CatalogEffect } from '../domain/provider-facts.ts';

export interface AssetProvider {
  readonly name: ProviderName;
  /** pages of the provider's listing, from the context's position; ends when the provider's listing ends */
  list(context: ListingContext): AsyncIterable<ListingPage>;
  /** the detail endpoint, used to confirm an asset missing from a listing before it is marked removed */
  lookup(assetId: string): Promise<LookupResult>;
  /**
   * Optional, called once a trusted listing has ended: ids this run listed that the provider can no longer vouch
   * for (e.g. deleted after the listing had passed them). The engine confirms each with `lookup`, like the assets
   * the listing did not show. Called again when a run resumes its confirmation, so it must not rely on memory.
   */
  suspects?(context: SuspectContext): Promise<string[]>;
  readonly supportedActions: readonly AssetAction[];
  /** how many ids one call of `perform` takes for this action (1 for per-asset endpoints) */
  batchSize(action: AssetAction): number;
  /**
   * Performs an action on up to batchSize(action) ids. Throws a ProviderError when the call as a whole failed
   * (auth, permission, exhausted retries); per-id outcomes are in the result.
   */
  perform(action: AssetAction, assetIds: string[]): Promise<ActionResult>;
  /** how a lookup shows whether `action` took effect (read before an uncertain action is retried or failed) */
  effectSeen(action: AssetAction, lookup: LookupResult): ObservedEffect;
  /** what `action`, once done, changes in the catalog row */
  catalogEffect(action: AssetAction): CatalogEffect;
  /**
   * how many listing pages may be fetched at once (1 for cursor and offset listings). Above 1, pages are keyed
   * by position and the listing's progress does not depend on their order, so batches may also commit side by side.
   */
  readonly listingConcurrency: number;
}


export interface DagActionsApi {
  start(assetId: string, dagActionId: string): Promise<DagRunSnapshot>;
  listRuns(assetId: string): Promise<DagRunSnapshot[]>;
  /** maps a status verbatim to what it means (the assumed status list lives in the adapter) */
  phaseOf(status: string): DagRunPhase;
}
