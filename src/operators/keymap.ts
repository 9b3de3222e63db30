// A map keyed by record value: primitives by identity, arrays and objects by their JSON text,
// so that ["a", 1] found twice is one key, as Spark compares keys by equality.

export class KeyMap<V> {
  private readonly byValue = new Map<unknown, V>();
  private readonly byJson = new Map<string, { key: unknown; value: V }>();

  get size(): number {
    return this.byValue.size + this.byJson.size;
  }

  get(key: unknown): V | undefined {
    if (typeof key !== 'object' || key === null) return this.byValue.get(key);
    return this.byJson.get(JSON.stringify(key))?.value;
  }

  set(key: unknown, value: V): void {
    if (typeof key !== 'object' || key === null) this.byValue.set(key, value);
    else this.byJson.set(JSON.stringify(key), { key, value });
  }

  delete(key: unknown): void {
    if (typeof key !== 'object' || key === null) this.byValue.delete(key);
    else this.byJson.delete(JSON.stringify(key));
  }

  *entries(): IterableIterator<[unknown, V]> {
    yield* this.byValue.entries();
    for (const { key, value } of this.byJson.values()) yield [key, value];
  }

  forEach(fn: (value: V, key: unknown) => void): void {
    this.byValue.forEach(fn);
    for (const { key, value } of this.byJson.values()) fn(value, key);
  }

  /** A KeyMap of [key, value] entries, as entries() gives them: how saved state comes back. */
  static from<V>(entries: Iterable<[unknown, V]>): KeyMap<V> {
    const map = new KeyMap<V>();
    for (const [key, value] of entries) map.set(key, value);
    return map;
  }
}

/** An aggregator's save/load for a KeyMap state: its entries, a JSON array of [key, value]. */
export const savedAsEntries = {
  save: (map: KeyMap<unknown>): unknown => [...map.entries()],
  load: (saved: unknown): KeyMap<unknown> => KeyMap.from(saved as [unknown, unknown][]),
};
