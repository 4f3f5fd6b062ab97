/**
 * A set of strings kept in sorted order for paging. Appending names in order (as seeding does) is O(1);
 * an out-of-order insert marks the list unsorted and the next read sorts it once. A page is a binary
 * search plus the page itself, so listing 100,000 buckets page by page stays O(page) per request.
 */
export class SortedKeys {
  private list: string[] = [];
  private readonly members = new Set<string>();
  private sorted = true;

  get size(): number {
    return this.members.size;
  }

  has(key: string): boolean {
    return this.members.has(key);
  }

  add(key: string): void {
    if (this.members.has(key)) return;
    this.members.add(key);
    const last = this.list[this.list.length - 1];
    if (this.sorted && last !== undefined && key < last) this.sorted = false;
    this.list.push(key);
  }

  delete(key: string): void {
    if (!this.members.delete(key)) return;
    if (!this.sorted) {
      this.list = this.list.filter((k) => k !== key);
      return;
    }
    const i = this.lowerBound(key);
    if (this.list[i] === key) this.list.splice(i, 1);
  }

  /** Index of the first key >= `key` (after sorting if needed). */
  private lowerBound(key: string): number {
    this.ensureSorted();
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.list[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ensureSorted(): void {
    if (this.sorted) return;
    this.list.sort();
    this.sorted = true;
  }

  /**
   * Keys after `after` (exclusive) that start with `prefix`, in order, lazily: the caller stops when its
   * page is full.
   */
  *from(after: string, prefix: string): Generator<string> {
    let i = this.lowerBound(after > prefix ? after : prefix);
    if (this.list[i] === after) i += 1;
    for (; i < this.list.length; i += 1) {
      const key = this.list[i] as string;
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }
}
