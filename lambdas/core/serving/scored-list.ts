import type { ScoredMovie, TopNHeap } from '../als/index.ts';

/** The heap's entries, best first, as (id, score): `idOf` maps a heap index to its movie or user id. */
export function drainScored(heap: TopNHeap, idOf: (index: number) => number): ScoredMovie[] {
  const items = new Int32Array(heap.length);
  const scores = new Float32Array(heap.length);
  const count = heap.drainSorted(items, scores);
  const out: ScoredMovie[] = [];
  for (let k = 0; k < count; k++) out.push({ movieId: idOf(items[k]!), score: scores[k]! });
  return out;
}
