import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('evicts the least recently used entry past its capacity (by count)', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('bounds total weight, replacing an entry counts once, and never keeps one heavier than the capacity', () => {
    const lru = new Lru<Uint8Array>(10, (b) => b.length);
    lru.set('a', new Uint8Array(4));
    lru.set('a', new Uint8Array(4)); // replaced, not counted twice
    lru.set('b', new Uint8Array(6));
    expect(lru.get('a')?.length).toBe(4);
    lru.set('c', new Uint8Array(1)); // 11 > 10: the least recent (b) goes
    expect([lru.get('a')?.length, lru.get('b'), lru.get('c')?.length]).toEqual([4, undefined, 1]);
    lru.set('huge', new Uint8Array(11));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('a')?.length).toBe(4);
  });
});
