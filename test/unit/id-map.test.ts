import { describe, expect, it } from 'vitest';
import { IdMap, decodeIdMap, encodeIdMap } from '../../lambdas/core/matrix/id-map.ts';

describe('IdMap', () => {
  it('maps ids to dense indices in ascending id order, whatever the input order', () => {
    const a = IdMap.fromIds([50, 7, 7, 1000, 3, 50]);
    const b = IdMap.fromIds([1000, 3, 50, 7]);
    expect(Array.from(a.ids)).toEqual([3, 7, 50, 1000]);
    expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
    expect(a.size).toBe(4);
    expect([3, 7, 50, 1000].map((id) => a.indexOf(id))).toEqual([0, 1, 2, 3]);
    expect(a.idAt(2)).toBe(50);
  });

  it('returns -1 for unknown ids, including ones outside the id range', () => {
    const map = IdMap.fromIds([10, 20, 30]);
    expect(map.indexOf(15)).toBe(-1);
    expect(map.indexOf(-5)).toBe(-1);
    expect(map.indexOf(1e9)).toBe(-1);
    expect(map.has(20)).toBe(true);
    expect(Array.from(map.indexAll([30, 31, 10]))).toEqual([2, -1, 0]);
  });

  it('handles ids too sparse for a direct table (binary-search path)', () => {
    const ids = [-2_000_000_000, -5, 0, 123_456_789, 2_000_000_000];
    const map = IdMap.fromIds([...ids].reverse());
    expect(ids.map((id) => map.indexOf(id))).toEqual([0, 1, 2, 3, 4]);
    expect(map.indexOf(1)).toBe(-1);
  });

  it('round-trips through its binary form', () => {
    const map = IdMap.fromIds([5, 1, 99, 42]);
    const back = decodeIdMap(encodeIdMap(map));
    expect(Array.from(back.ids)).toEqual(Array.from(map.ids));
    expect(back.indexOf(42)).toBe(2);
  });

  it('rejects unsorted stored ids and non-integer ids', () => {
    expect(() => IdMap.fromSortedUnique(Int32Array.of(1, 3, 3))).toThrow(/ascending/);
    expect(() => IdMap.fromIds([1, 2.5])).toThrow(/32-bit integer/);
  });

  it('handles an empty id list', () => {
    const map = IdMap.fromIds([]);
    expect(map.size).toBe(0);
    expect(map.indexOf(1)).toBe(-1);
  });
});
