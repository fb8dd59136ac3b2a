// A small least-recently-used map for the isolate. Only for immutable values
// keyed by something that names their version (an R2 key such as
// `metadata/7.snapshot.json`, a content hash): an entry can be old, never
// wrong, so sharing it across the requests an isolate serves is safe.
// Bounded by total weight: by default each entry weighs 1 (a count), and a
// cache of bytes weighs entries by their length (the isolate has 128 MB).

export class Lru<V> {
  readonly #entries = new Map<string, V>();
  #weight = 0;
  /** `capacity` in units of `weigh`; an entry heavier than it is not kept. */
  constructor(
    readonly capacity: number,
    readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#remove(key);
    const weight = this.weigh(value);
    if (weight > this.capacity) return;
    this.#entries.set(key, value);
    this.#weight += weight;
    for (const oldest of this.#entries.keys()) {
      if (this.#weight <= this.capacity) break;
      this.#remove(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#weight -= this.weigh(old);
  }
}
