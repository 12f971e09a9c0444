/**
 * A fixed-capacity open-addressing hash set of non-negative integer keys below 2^53 (e.g. an
 * undirected edge {a, b} keyed as min * n + max), stored in one Float64Array. Used by graph
 * generators that must test "is this edge already there?" in O(1) without a JS Set of boxed keys.
 */

const EMPTY = -1;
const DELETED = -2;

/**
 * @example
 * const s = new KeySet(100);
 * s.add(12); s.has(12); // true
 * s.delete(12); s.has(12); // false
 */
export class KeySet {
  private readonly slots: Float64Array;
  private readonly mask: number;
  size = 0;

  /** `maxInserts`: the most keys ever added over the set's life (deletions leave tombstones). */
  constructor(maxInserts: number) {
    let cap = 16;
    while (cap < 2 * maxInserts + 16) cap *= 2;
    this.slots = new Float64Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  private hash(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  has(key: number): boolean {
    for (let p = this.hash(key); ; p = (p + 1) & this.mask) {
      const v = this.slots[p];
      if (v === key) return true;
      if (v === EMPTY) return false;
    }
  }

  /** Adds `key`; returns false if it was already present. */
  add(key: number): boolean {
    let tomb = -1;
    for (let p = this.hash(key); ; p = (p + 1) & this.mask) {
      const v = this.slots[p];
      if (v === key) return false;
      if (v === DELETED && tomb < 0) tomb = p;
      if (v === EMPTY) {
        this.slots[tomb >= 0 ? tomb : p] = key;
        this.size++;
        return true;
      }
    }
  }

  /** Removes `key`; returns false if it was absent. */
  delete(key: number): boolean {
    for (let p = this.hash(key); ; p = (p + 1) & this.mask) {
      const v = this.slots[p];
      if (v === key) {
        this.slots[p] = DELETED;
        this.size--;
        return true;
      }
      if (v === EMPTY) return false;
    }
  }
}
