/**
 * An array kept in order, so that a listing page is a slice (O(page size)) and a keyset cursor is a binary search.
 * Inserts and removals shift the array (a memmove), which stays cheap at 100,000 entries and only happens when
 * the truth changes, never per page request.
 */
export class SortedList<T> {
  private readonly items: T[];

  constructor(
    private readonly compare: (a: T, b: T) => number,
    initial: readonly T[] = [],
    alreadySorted = false,
  ) {
    this.items = alreadySorted ? initial.slice() : [...initial].sort(compare);
  }

  /** Views that are subsets of one sorted list are filtered from it rather than sorted again. */
  static fromSorted<T>(compare: (a: T, b: T) => number, sorted: readonly T[]): SortedList<T> {
    return new SortedList(compare, sorted, true);
  }

  get length(): number {
    return this.items.length;
  }

  /** Index of the first item for which `position(item) > 0` (position: item compared with a sought key). */
  firstAfter(position: (item: T) => number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (position(this.items[mid] as T) > 0) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  insert(item: T): void {
    const index = this.firstAfter((existing) => this.compare(existing, item));
    this.items.splice(index, 0, item);
  }

  /** Removes this very item (identity), which must still sort where it was inserted. */
  remove(item: T): boolean {
    let index = this.firstAfter((existing) => (this.compare(existing, item) >= 0 ? 1 : -1));
    for (; index < this.items.length; index += 1) {
      const candidate = this.items[index] as T;
      if (candidate === item) {
        this.items.splice(index, 1);
        return true;
      }
      if (this.compare(candidate, item) !== 0) return false;
    }
    return false;
  }

  indexOf(item: T): number {
    let index = this.firstAfter((existing) => (this.compare(existing, item) >= 0 ? 1 : -1));
    for (; index < this.items.length; index += 1) {
      const candidate = this.items[index] as T;
      if (candidate === item) return index;
      if (this.compare(candidate, item) !== 0) return -1;
    }
    return -1;
  }

  slice(start: number, end: number): T[] {
    return this.items.slice(start, end);
  }

  toArray(): T[] {
    return this.items.slice();
  }
}
