/**
 * The drift-proof walk over Roughy's newest-first offset listing, driven against the simulator's own store
 * (the same slices its HTTP listing serves) with creations and deletions between pages. The HTTP path is
 * covered by test/sync-roughy*.test.ts; here hundreds of shifting scenarios run in well under a second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_ROUGHY_STATE, walkRoughyListing, type RoughyListingState } from '../../src/providers/roughy/roughy.listing.ts';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';

/** mulberry32: a seeded stream so every scenario can be replayed */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Mutation = (fetch: number, offset: number) => void;

interface WalkResult {
  seen: Set<string>;
  state: RoughyListingState;
  pages: number;
}

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
  sims = [];
});

async function simWith(count: number, seed: number): Promise<Simulator> {
  const sim = await startSimulator({ seed, counts: { roughy: count } });
  sims.push(sim);
  return sim;
}

async function walk(
  sim: Simulator,
  options: { limit: number; mutate?: Mutation; state?: RoughyListingState; seenBefore?: Set<string>; stopAfter?: number },
): Promise<WalkResult> {
  const seen = new Set<string>();
  let state = options.state ?? INITIAL_ROUGHY_STATE;
  let fetches = 0;
  let pages = 0;
  const steps = walkRoughyListing(state, {
    limit: options.limit,
    isSeen: (id) => options.seenBefore?.has(id) ?? false,
    fetchPage: async (offset, limit) => {
      fetches += 1;
      options.mutate?.(fetches, offset);
      return sim.roughy.page({ offset, limit });
    },
  });
  for await (const step of steps) {
    for (const item of step.items) seen.add((item as { id: string }).id);
    // the state is committed as JSON: it must survive the round trip
    state = JSON.parse(JSON.stringify(step.state)) as RoughyListingState;
    pages += 1;
    if (options.stopAfter !== undefined && pages >= options.stopAfter) break;
  }
  return { seen, state, pages };
}

/** Plain offset paging, as a naive client does: the control that shows a scenario really loses assets. */
async function naiveWalk(sim: Simulator, limit: number, mutate: Mutation): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let offset = 0, fetch = 1; ; offset += limit, fetch += 1) {
    mutate(fetch, offset);
    const { items } = sim.roughy.page({ offset, limit });
    for (const item of items) seen.add(item.id);
    if (items.length < limit) return seen;
  }
}

function missing(sim: Simulator, seen: Set<string>): string[] {
  return sim.roughy.ids().filter((id) => !seen.has(id));
}

/** Deletes `n` assets already read (above `offset`) and creates `m`, for the first `until` page requests. */
function churn(sim: Simulator, random: () => number, until: number, n: number, m: number): Mutation {
  return (fetch, offset) => {
    if (fetch > until) return;
    const ids = sim.roughy.ids();
    for (let i = 0; i < n && offset > 0; i += 1) {
      const victim = ids[Math.floor(random() * Math.min(offset, ids.length))];
      if (victim !== undefined) sim.roughy.remove(victim);
    }
    for (let i = 0; i < m; i += 1) sim.roughy.add();
  };
}

describe('Roughy listing walk', () => {
  it('reads a quiet listing once, with one item of overlap per page and one head check', async () => {
    const sim = await simWith(1_000, 1);
    const result = await walk(sim, { limit: 100 });
    expect(result.seen).toEqual(new Set(sim.roughy.ids()));
    // 1,000 items at 99 new per page after the first: 11 pages, then the head once
    expect(result.pages).toBe(12);
    expect(result.state).toMatchObject({ phase: 'done', round: 1, roundFoundNew: false, seq: 12 });
  });

  it('misses nothing when assets are created and deleted between pages (200 random scenarios)', async () => {
    let naiveMisses = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = seeded(seed);
      const count = 150 + Math.floor(random() * 600);
      const limit = 10 + Math.floor(random() * 91);
      const sim = await simWith(count, seed);
      const twin = await simWith(count, seed);
      const deletions = Math.floor(random() * 4);
      const creations = Math.floor(random() * 4);
      // mutations stop within the main pass or soon after, so the head re-reads can catch up (see the last test)
      const until = Math.floor(random() * (count / limit + 3));
      const result = await walk(sim, { limit, mutate: churn(sim, seeded(seed * 7), until, deletions, creations) });
      expect(missing(sim, result.seen), `seed ${seed}: count ${count}, limit ${limit}`).toEqual([]);
      const naive = await naiveWalk(twin, limit, churn(twin, seeded(seed * 7), until, deletions, creations));
      naiveMisses += missing(twin, naive).length;
      await Promise.all([sim.close(), twin.close()]);
      sims = [];
    }
    // the same mutations do lose assets for a plain offset walk: the scenarios bite
    expect(naiveMisses).toBeGreaterThan(100);
  });

  it('finds its place when the anchor itself is deleted', async () => {
    const sim = await simWith(300, 2);
    const mutate: Mutation = (fetch) => {
      if (fetch !== 2) return;
      // the anchor (position 49) and the items just above it
      for (const id of sim.roughy.ids().slice(45, 50)) sim.roughy.remove(id);
    };
    const result = await walk(sim, { limit: 50, mutate });
    expect(missing(sim, result.seen)).toEqual([]);
  });

  it('steps back over a deleted block larger than several pages, and forward over a burst of creations', async () => {
    const sim = await simWith(2_000, 3);
    const mutate: Mutation = (fetch) => {
      if (fetch === 6) for (const id of sim.roughy.ids().slice(0, 230)) sim.roughy.remove(id);
      if (fetch === 12) for (let i = 0; i < 170; i += 1) sim.roughy.add();
    };
    const result = await walk(sim, { limit: 40, mutate });
    expect(missing(sim, result.seen)).toEqual([]);
    const naive = await naiveWalk(await simWith(2_000, 3), 40, () => undefined);
    expect(naive.size).toBe(2_000);
  });

  it('ends when everything after the anchor was deleted', async () => {
    const sim = await simWith(500, 4);
    const mutate: Mutation = (fetch) => {
      if (fetch === 3) for (const id of sim.roughy.ids().slice(150)) sim.roughy.remove(id);
    };
    const result = await walk(sim, { limit: 100, mutate });
    expect(missing(sim, result.seen)).toEqual([]);
    expect(result.state.phase).toBe('done');
  });

  it('catches assets created at the head while it pages, re-reading the head until nothing is new', async () => {
    const sim = await simWith(400, 5);
    const created: string[] = [];
    const mutate: Mutation = (fetch) => {
      if (fetch <= 6) created.push(sim.roughy.add().id);
    };
    const result = await walk(sim, { limit: 100, mutate });
    for (const id of created) expect(result.seen.has(id)).toBe(true);
    expect(result.state.round).toBeGreaterThanOrEqual(2);
  });

  it('resumes from a committed state after drift in between, and from each phase', async () => {
    for (const stopAfter of [1, 3, 5, 6]) {
      const sim = await simWith(500, 10 + stopAfter);
      const first = await walk(sim, { limit: 100, stopAfter });
      expect(first.state.phase).toBe(stopAfter === 6 ? 'head' : 'main');
      // while "crashed": deletions above the position, creations at the head
      const ids = sim.roughy.ids();
      for (let i = 0; i < 30; i += 1) {
        const id = ids[i * 7];
        if (id !== undefined) sim.roughy.remove(id);
      }
      for (let i = 0; i < 15; i += 1) sim.roughy.add();
      const second = await walk(sim, { limit: 100, state: first.state, seenBefore: first.seen });
      const union = new Set([...first.seen, ...second.seen]);
      expect(missing(sim, union), `stopped after ${stopAfter} pages in phase ${first.state.phase}`).toEqual([]);
    }
  });

  it('gives up on head re-reads after a bounded number of rounds when creation never stops', async () => {
    const sim = await simWith(200, 6);
    const result = await walk(sim, { limit: 50, mutate: () => void sim.roughy.add() });
    expect(result.state).toMatchObject({ phase: 'done', round: 10 });
  });
});
