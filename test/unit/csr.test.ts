import { describe, expect, it } from 'vitest';
import {
  buildRatingMatrices,
  csrBlockFromCoordinates,
  csrFromCoordinates,
  decodeCsr,
  encodeCsr,
  nnz,
  partitionRows,
  selectCsrRows,
  splitIntoBlocks,
  type CsrBlock,
} from '../../lambdas/core/matrix/csr.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { ratingsTable } from '../support/ratings-table.ts';
import { plantedRatings } from '../support/planted-ratings.ts';

const rows = Int32Array.of(2, 0, 2, 1, 0, 2);
const cols = Int32Array.of(3, 1, 0, 2, 0, 1);
const vals = Float32Array.of(5, 4, 3.5, 1, 2, 0.5);

function entries(block: CsrBlock): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let r = 0; r < block.rows.length; r++) {
    for (let k = block.rowPtr[r]!; k < block.rowPtr[r + 1]!; k++) {
      out.push([block.rows[r]!, block.colIdx[k]!, block.values[k]!]);
    }
  }
  return out;
}

describe('CSR blocks', () => {
  it('groups entries by row with columns ascending inside each row', () => {
    const csr = csrFromCoordinates(rows, cols, vals, 3, 4);
    expect(Array.from(csr.rows)).toEqual([0, 1, 2]);
    expect(Array.from(csr.rowPtr)).toEqual([0, 2, 3, 6]);
    expect(entries(csr)).toEqual([
      [0, 0, 2],
      [0, 1, 4],
      [1, 2, 1],
      [2, 0, 3.5],
      [2, 1, 0.5],
      [2, 3, 5],
    ]);
    expect(nnz(csr)).toBe(6);
  });

  it("builds the worked example of CsrBlock's doc comment", () => {
    const { byUser, byItem } = buildRatingMatrices(
      ratingsTable([
        [10, 1, 4],
        [10, 7, 3.5],
        [20, 7, 5],
        [30, 1, 2],
        [30, 3, 1],
        [30, 7, 4],
      ]),
    );
    const plain = (block: CsrBlock) => ({
      rows: [...block.rows],
      rowPtr: [...block.rowPtr],
      colIdx: [...block.colIdx],
      values: [...block.values],
      totalRows: block.totalRows,
      numCols: block.numCols,
    });
    expect(plain(byUser)).toEqual({
      rows: [0, 1, 2],
      rowPtr: [0, 2, 3, 6],
      colIdx: [0, 2, 2, 0, 1, 2],
      values: [4, 3.5, 5, 2, 1, 4],
      totalRows: 3,
      numCols: 3,
    });
    expect(splitIntoBlocks(byUser, 2).map(plain)).toEqual([
      {
        rows: [0, 1],
        rowPtr: [0, 2, 3],
        colIdx: [0, 2, 2],
        values: [4, 3.5, 5],
        totalRows: 3,
        numCols: 3,
      },
      { rows: [2], rowPtr: [0, 3], colIdx: [0, 1, 2], values: [2, 1, 4], totalRows: 3, numCols: 3 },
    ]);
    expect(byItem.colIdx.subarray(byItem.rowPtr[0]!, byItem.rowPtr[1]!)).toEqual(
      Int32Array.of(0, 2),
    );
    expect(byItem.values.subarray(byItem.rowPtr[0]!, byItem.rowPtr[1]!)).toEqual(
      Float32Array.of(4, 2),
    );
  });

  it('round-trips through the binary encoding bit for bit', () => {
    const csr = csrFromCoordinates(rows, cols, vals, 3, 4);
    const bytes = encodeCsr(csr);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe('RSCSRBK1');
    const back = decodeCsr(bytes);
    expect(back.totalRows).toBe(3);
    expect(back.numCols).toBe(4);
    expect(back.rows).toEqual(csr.rows);
    expect(back.rowPtr).toEqual(csr.rowPtr);
    expect(back.colIdx).toEqual(csr.colIdx);
    expect(back.values).toEqual(csr.values);
  });

  it('decodes from an unaligned view inside a larger buffer', () => {
    const bytes = encodeCsr(csrFromCoordinates(rows, cols, vals, 3, 4));
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(entries(decodeCsr(padded.subarray(3)))).toEqual(
      entries(csrFromCoordinates(rows, cols, vals, 3, 4)),
    );
  });

  it('rejects wrong magic, truncation and corrupt structure', () => {
    const bytes = encodeCsr(csrFromCoordinates(rows, cols, vals, 3, 4));
    const wrong = bytes.slice();
    wrong[0] = 88;
    expect(() => decodeCsr(wrong)).toThrow(/magic/);
    expect(() => decodeCsr(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    const corrupt = csrFromCoordinates(rows, cols, vals, 3, 4);
    corrupt.colIdx[0] = 3; // now row 0 has columns 3, 1: out of order
    expect(() => decodeCsr(encodeCsr(corrupt))).toThrow(/corrupt CSR/);
  });

  it('partitions rows so every row lands in exactly one block, ascending', () => {
    const { byUser, userIds } = buildRatingMatrices(
      plantedRatings({ users: 97, items: 40, rank: 3, density: 0.2, noise: 0.1, seed: 1 }).table,
    );
    for (const strategy of ['range', 'hash'] as const) {
      for (const blockCount of [1, 4, 7]) {
        const parts = partitionRows(byUser.totalRows, blockCount, strategy, {
          rowPtr: byUser.rowPtr,
          ids: userIds,
        });
        expect(parts).toHaveLength(blockCount);
        const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: byUser.totalRows }, (_, r) => r));
        for (const p of parts)
          for (let k = 1; k < p.length; k++) expect(p[k]!).toBeGreaterThan(p[k - 1]!);
      }
    }
    const balanced = partitionRows(byUser.totalRows, 4, 'range', { rowPtr: byUser.rowPtr });
    const sizes = balanced.map((p) =>
      p.reduce((s, r) => s + byUser.rowPtr[r + 1]! - byUser.rowPtr[r]!, 0),
    );
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.5);
  });

  it('splits into blocks whose entries are exactly the full matrix rows', () => {
    const full = csrFromCoordinates(rows, cols, vals, 3, 4);
    const blocks = splitIntoBlocks(full, 2, 'hash');
    const merged = blocks.flatMap(entries).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(merged).toEqual(entries(full));
    const one = selectCsrRows(full, Int32Array.of(2));
    expect(entries(one)).toEqual(entries(full).filter((e) => e[0] === 2));
    expect(entries(selectCsrRows(one, Int32Array.of(2)))).toEqual(entries(one));
    const built = csrBlockFromCoordinates(rows, cols, vals, Int32Array.of(0, 2), 3, 4);
    expect(entries(built)).toEqual(entries(selectCsrRows(full, Int32Array.of(0, 2))));
  });

  it('builds consistent user and item orientations from a ratings table', () => {
    const table = ratingsTable([
      [10, 500, 4],
      [3, 7, 2.5],
      [10, 7, 1],
      [99, 500, 5],
    ]);
    const m = buildRatingMatrices(table);
    expect(Array.from(m.userIds.ids)).toEqual([3, 10, 99]);
    expect(Array.from(m.itemIds.ids)).toEqual([7, 500]);
    const userSide = entries(m.byUser)
      .map(([u, i, r]) => `${u},${i},${r}`)
      .sort();
    const itemSide = entries(m.byItem)
      .map(([i, u, r]) => `${u},${i},${r}`)
      .sort();
    expect(itemSide).toEqual(userSide);
    const restricted = buildRatingMatrices(table, { userIds: IdMap.fromIds([10]) });
    expect(nnz(restricted.byUser)).toBe(2);
  });
});
