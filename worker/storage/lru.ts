// A small least-recently-used map for the isolate. Only for immutable values
// keyed by something that names their version (an R2 key such as
// `metadata/7.snapshot.json`, a content hash): an entry can be old, never
// wrong, so sharing it across the requests an isolate serves is safe.

export class Lru<V> {
  readonly #entries = new Map<string, V>();
  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
