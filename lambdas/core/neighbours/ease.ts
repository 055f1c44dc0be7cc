import type { CsrBlock, RatingMatrices } from '../matrix/csr.ts';
import { choleskyInPlace, inverseColumn, inverseColumns4 } from './dense-cholesky.ts';
import { ratingWeight, type NeighbourSettings } from './options.ts';
import type { NeighbourModel } from './model.ts';

/**
 * The movies that take part, as ascending dense item indices: the `maxItems` with the most
 * training ratings among those with at least `minSupport` (ties: the smaller index, i.e. id).
 * Ascending order makes a movie's neighbour index a function of the chosen set alone.
 */
export function neighbourMembers(
  support: ArrayLike<number>,
  settings: NeighbourSettings,
): Int32Array {
  const eligible: number[] = [];
  for (let i = 0; i < support.length; i++) if (support[i]! >= settings.minSupport) eligible.push(i);
  eligible.sort((a, b) => support[b]! - support[a]! || a - b);
  return Int32Array.from(eligible.slice(0, settings.maxItems)).sort();
}

/** Dense item index → neighbour index (−1 for movies that do not take part). */
export function memberPositions(members: Int32Array, itemCount: number): Int32Array {
  const position = new Int32Array(itemCount).fill(-1);
  members.forEach((item, n) => (position[item] = n));
  return position;
}

/**
 * Rows `rows` (neighbour indices) of G = XᵀX, M wide, with X[u][i] = ratingWeight(r_ui):
 *   G[a][b] = Σ_{u rated both} x_ua · x_ub.
 * `byItem` holds at least the item rows of these members (columns: users) and `byUser` every user
 * row (columns: items), so a block of item rows can be computed by itself in a Map. Weights are
 * small integers and so are the sums: exact in any order.
 */
export function gramRows(
  rows: Int32Array,
  members: Int32Array,
  position: Int32Array,
  byItem: CsrBlock,
  byUser: CsrBlock,
  settings: NeighbourSettings,
): Float64Array {
  const M = members.length;
  const out = new Float64Array(rows.length * M);
  const itemRow = rowLookup(byItem);
  const userRow = rowLookup(byUser);
  for (let r = 0; r < rows.length; r++) {
    const p = itemRow(members[rows[r]!]!);
    const base = r * M;
    for (let k = byItem.rowPtr[p]!; k < byItem.rowPtr[p + 1]!; k++) {
      const wa = ratingWeight(settings, byItem.values[k]!);
      const q = userRow(byItem.colIdx[k]!);
      for (let t = byUser.rowPtr[q]!; t < byUser.rowPtr[q + 1]!; t++) {
        const b = position[byUser.colIdx[t]!]!;
        if (b >= 0) out[base + b]! += wa * ratingWeight(settings, byUser.values[t]!);
      }
    }
  }
  return out;
}

/**
 * The lower triangle (b ≤ a) of Σ_u x_u x_uᵀ over the users of one user-row block, restricted to
 * the neighbour movies: a distributed run sums these partials over its user blocks (exactly: the
 * entries are integers), so each Map item reads only its own block. M × M row-major.
 */
export function gramOfUsers(
  byUser: CsrBlock,
  position: Int32Array,
  M: number,
  settings: NeighbourSettings,
): Float64Array {
  const out = new Float64Array(M * M);
  const members: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < byUser.rows.length; r++) {
    members.length = 0;
    weights.length = 0;
    for (let k = byUser.rowPtr[r]!; k < byUser.rowPtr[r + 1]!; k++) {
      const a = position[byUser.colIdx[k]!]!;
      if (a < 0) continue;
      members.push(a);
      weights.push(ratingWeight(settings, byUser.values[k]!));
    }
    // Columns ascend and positions follow dense order, so members ascend: b ≤ a below.
    for (let p = 0; p < members.length; p++) {
      const base = members[p]! * M;
      const wa = weights[p]!;
      for (let q = 0; q <= p; q++) out[base + members[q]!]! += wa * weights[q]!;
    }
  }
  return out;
}

function rowLookup(block: CsrBlock): (row: number) => number {
  if (block.rows.length === block.totalRows) return (row) => row;
  const index = new Int32Array(block.totalRows).fill(-1);
  block.rows.forEach((row, p) => (index[row] = p));
  return (row) => {
    const p = index[row]!;
    if (p === undefined || p < 0) throw new Error(`row ${row} is not in the block`);
    return p;
  };
}

/** G + λI factored in place into L (G = L Lᵀ). */
export function factorGram(gram: Float64Array, M: number, reg: number): void {
  for (let a = 0; a < M; a++) gram[a * M + a]! += reg;
  choleskyInPlace(gram, M);
}

/**
 * Columns `cols` of P = (G + λI)⁻¹ from its factor, as float32 rows (P is symmetric, so column j
 * is row j): `cols.length × M`, plus each column's diagonal entry P[j][j] in float64.
 */
export function inverseRows(
  factor: Float64Array,
  M: number,
  cols: Int32Array,
): { rows: Float32Array; diagonal: Float64Array } {
  const rows = new Float32Array(cols.length * M);
  const diagonal = new Float64Array(cols.length);
  const column = new Float64Array(M);
  const work = new Float64Array(4 * M);
  let r = 0;
  // Four columns per pass share every load of L (see inverseColumns4); same bits as one by one.
  for (; r + 3 < cols.length; r += 4) {
    const group = [cols[r]!, cols[r + 1]!, cols[r + 2]!, cols[r + 3]!] as const;
    inverseColumns4(factor, M, group, work);
    for (let c = 0; c < 4; c++) {
      const base = (r + c) * M;
      for (let k = 0; k < M; k++) rows[base + k] = work[k * 4 + c]!;
      diagonal[r + c] = work[group[c]! * 4 + c]!;
    }
  }
  for (; r < cols.length; r++) {
    const j = cols[r]!;
    inverseColumn(factor, M, j, column);
    diagonal[r] = column[j]!;
    rows.set(column, r * M);
  }
  return { rows, diagonal };
}

/**
 * B from every row of P and the whole diagonal: B[i][j] = −P[i][j] / P[j][j], B[j][j] = 0 —
 * the zero diagonal is EASE's constraint that no movie may predict itself. Row i of B (source
 * movie i) is row i of P scaled column by column, so it can be assembled row block by row block.
 */
export function easeWeightsInPlace(
  inverse: Float32Array,
  rows: Int32Array,
  diagonal: Float64Array,
): Float32Array {
  const M = diagonal.length;
  const scale = diagonal.map((d) => -1 / d);
  rows.forEach((i, r) => {
    const base = r * M;
    for (let j = 0; j < M; j++) inverse[base + j] = inverse[base + j]! * scale[j]!;
    inverse[base + i] = 0;
  });
  return inverse;
}

/** Fits the neighbour model in this process (the distributed run does the same steps by block). */
export function fitNeighbours(
  matrices: RatingMatrices,
  support: ArrayLike<number>,
  settings: NeighbourSettings,
): NeighbourModel {
  const members = neighbourMembers(support, settings);
  const M = members.length;
  const position = memberPositions(members, matrices.itemIds.size);
  const all = Int32Array.from({ length: M }, (_, n) => n);
  const gram = gramRows(all, members, position, matrices.byItem, matrices.byUser, settings);
  if (M > 0) factorGram(gram, M, settings.reg);
  const { rows, diagonal } = inverseRows(gram, M, all);
  const weights = easeWeightsInPlace(rows, all, diagonal);
  return {
    settings,
    movieIds: Int32Array.from(members, (item) => matrices.itemIds.ids[item]!),
    weights,
  };
}
