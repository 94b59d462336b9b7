/**
 * Walks Roughy's newest-first offset listing so that no asset present throughout is skipped, whatever is created
 * or deleted while we page (the README's drift: a creation pushes everything down, so items repeat; a deletion
 * above us pulls everything up, so one would be skipped).
 *
 * - Each page overlaps the previous one by one item, the anchor (the last item read). Finding the anchor where
 *   expected proves nothing was skipped; finding it lower means creations pushed it down (only repeats).
 * - Not finding it: the listing moved. Its order is by `created_at` (**assumed** from "newest first"), so the
 *   anchor's time says on which side of it a page lies: a page that starts older than the anchor means deletions
 *   pulled items above our offset. We look for the place (doubling strides, then halving the bracket), resume
 *   reading right after the anchor, or after the last item newer than it if the anchor itself was deleted, and
 *   so read again everything a shift could have skipped. Equal times are treated as "maybe skipped": re-reading is
 *   harmless, skipping is not.
 * - Creations land at the head, above everything read: once the end is reached, the head is read again, page by
 *   page until a page shows only ids already seen, and again until a whole round finds nothing new.
 * Assets that vanished are not the walk's business: the engine confirms each with the detail endpoint, and the
 * adapter's `suspects` names those deleted after the walk had passed them.
 */
import { ProviderError } from '../../errors.ts';

export interface RoughyAnchor {
  id: string;
  /** created_at, epoch ms */
  at: number;
}

/** The walk's position, committed with each page so a resumed run continues here. JSON-safe. */
export interface RoughyListingState {
  phase: 'main' | 'head' | 'done';
  /** listing position just after the anchor */
  offset: number;
  anchor: RoughyAnchor | null;
  /** head re-reads started (phase 'head') */
  round: number;
  /** whether the current head round has met an id not seen before */
  roundFoundNew: boolean;
  /** pages served by this walk so far: page keys stay unique across a resume */
  seq: number;
}

export interface RoughyFetchedPage {
  items: unknown[];
  total: number | undefined;
}

export interface RoughyWalkStep extends RoughyFetchedPage {
  /** the state after this page */
  state: RoughyListingState;
}

export interface RoughyWalkOptions {
  fetchPage(offset: number, limit: number): Promise<RoughyFetchedPage>;
  limit: number;
  /** ids stored by this run before the walk (a resumed run, an earlier pass) */
  isSeen(id: string): boolean;
  maxHeadRounds?: number;
  /** consecutive pages that do not find our place before the walk gives up (the listing keeps churning) */
  maxProbes?: number;
}

export const INITIAL_ROUGHY_STATE: RoughyListingState = { phase: 'main', offset: 0, anchor: null, round: 0, roundFoundNew: false, seq: 0 };

export function positionOf(raw: unknown): RoughyAnchor | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { id, created_at: createdAt } = raw as { id?: unknown; created_at?: unknown };
  if (typeof id !== 'string' || id === '' || typeof createdAt !== 'string') return undefined;
  const at = Date.parse(createdAt);
  return Number.isNaN(at) ? undefined : { id, at };
}

type Located = { kind: 'at'; index: number } | { kind: 'back' } | { kind: 'forward' };

/** Where, in a page fetched at `start`, the items after the anchor begin. */
export function locate(positions: ReadonlyArray<RoughyAnchor | undefined>, anchor: RoughyAnchor | null, start: number, full: boolean): Located {
  if (anchor === null) return { kind: 'at', index: 0 };
  const found = positions.findIndex((p) => p?.id === anchor.id);
  if (found >= 0) return { kind: 'at', index: found + 1 };
  const newer = (p: RoughyAnchor | undefined) => p !== undefined && p.at > anchor.at;
  // the page starts at or after the anchor's time: items between the anchor and `start` may have been skipped
  if (positions.length === 0 || !newer(positions[0])) return start === 0 ? { kind: 'at', index: 0 } : { kind: 'back' };
  const boundary = positions.findIndex((p) => !newer(p));
  if (boundary >= 0) return { kind: 'at', index: boundary };
  // every item is newer than the anchor: creations pushed it below this page (or it and all after it are gone)
  return full ? { kind: 'forward' } : { kind: 'at', index: positions.length };
}

/** What the pages that did not find our place have shown so far (only while looking for it). */
interface Probe {
  /** a start whose first item is not newer than the anchor: the place is at or above it */
  above: number | undefined;
  /** a position holding an item newer than the anchor: the place is below it */
  below: number | undefined;
  backs: number;
  forwards: number;
}

/**
 * The next page to look at: doubling strides away from where we were until the place is bracketed, then
 * halving the bracket until one page spans it. Logarithmic in the size of the shift, however large.
 */
function nextProbe(probe: Probe, limit: number): number {
  const { above, below } = probe;
  const page = limit - 1;
  if (below === undefined) return Math.max(0, (above ?? 0) - page * 2 ** Math.max(0, probe.backs - 1));
  if (above === undefined) return below + page * (2 ** Math.max(0, probe.forwards - 1) - 1);
  if (above - below <= page) return below;
  return Math.floor((above + below) / 2);
}

export async function* walkRoughyListing(initial: RoughyListingState, options: RoughyWalkOptions): AsyncGenerator<RoughyWalkStep> {
  const { limit } = options;
  const maxHeadRounds = options.maxHeadRounds ?? 10;
  const maxProbes = options.maxProbes ?? 200;
  const seenHere = new Set<string>();
  const seen = (id: string) => seenHere.has(id) || options.isSeen(id);
  let state = { ...initial };
  let probe: Probe | undefined;
  let probeStart: number | undefined;
  let probes = 0;

  while (state.phase !== 'done') {
    const start = probeStart ?? (state.anchor === null ? state.offset : Math.max(0, state.offset - 1));
    const { items, total } = await options.fetchPage(start, limit);
    const positions = items.map(positionOf);
    const full = items.length >= limit;
    const where = locate(positions, state.anchor, start, full);
    const fresh = positions.some((p) => p !== undefined && !seen(p.id));
    for (const p of positions) if (p !== undefined) seenHere.add(p.id);

    if (where.kind !== 'at') {
      probes += 1;
      if (probes > maxProbes) {
        throw new ProviderError(`roughy: list assets failed: the listing kept shifting; ${maxProbes} pages did not find where the last page ended`, {
          provider: 'roughy',
          kind: 'retryable',
          operation: 'list assets',
        });
      }
      probe ??= { above: undefined, below: undefined, backs: 0, forwards: 0 };
      if (where.kind === 'back') {
        probe.above = Math.min(probe.above ?? start, start);
        probe.backs += 1;
      } else {
        probe.below = Math.max(probe.below ?? 0, start + items.length - 1);
        probe.forwards += 1;
      }
      probeStart = nextProbe(probe, limit);
      // the items are current data all the same; the position is unchanged until the anchor is found
      state = { ...state, seq: state.seq + 1 };
      yield { items, total, state };
      continue;
    }
    probes = 0;
    probe = undefined;
    probeStart = undefined;

    let last = -1;
    for (let i = positions.length - 1; i >= 0; i -= 1) {
      if (positions[i] !== undefined) {
        last = i;
        break;
      }
    }
    // the new anchor is the last item we can recognise again; a page without one advances blindly
    const anchor = last >= 0 ? (positions[last] ?? null) : null;
    const offset = last >= 0 ? start + last + 1 : start + items.length;
    const head = { offset: 0, anchor: null, roundFoundNew: false };
    let next: RoughyListingState;
    if (state.phase === 'main') {
      next = full ? { ...state, anchor, offset } : { ...state, ...head, phase: 'head', round: 1 };
    } else if (fresh && full) {
      next = { ...state, anchor, offset, roundFoundNew: true };
    } else if ((fresh || state.roundFoundNew) && state.round < maxHeadRounds) {
      next = { ...state, ...head, round: state.round + 1 };
    } else {
      next = { ...state, phase: 'done' };
    }
    state = { ...next, seq: state.seq + 1 };
    yield { items, total, state };
  }
}
