/**
 * Dense Cholesky for the item-item system of the neighbour model (thousands of rows, once per
 * training run): A = L Lᵀ with L lower triangular, stored row-major in an n × n Float64Array whose
 * upper triangle is ignored.
 *
 * The Cholesky–Crout order computes L row by row:
 *   L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j]   (j < i)
 *   L[i][i] = √(A[i][i] − Σ_{k<i} L[i][k]²)
 * so every inner loop is a dot product of two contiguous row prefixes, which streams through the
 * cache. Rows i and i+1 are done together against rows j and j+1 (a 2 × 2 register tile: four dot
 * products share each load), which is what lifts it past one multiply-add per load in V8.
 * The summation order is fixed by n alone, so the result is the same on every run.
 */
export function choleskyInPlace(A: Float64Array, n: number): void {
  if (A.length < n * n) throw new RangeError(`matrix holds ${A.length} values, need ${n * n}`);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ri = i * n;
    const rk = ri + n; // row i + 1
    let j = 0;
    for (; j + 1 < i; j += 2) {
      const rj = j * n;
      const rl = rj + n; // row j + 1
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < j; k++) {
        const a = A[ri + k]!;
        const b = A[rk + k]!;
        const c = A[rj + k]!;
        const d = A[rl + k]!;
        s00 += a * c;
        s01 += a * d;
        s10 += b * c;
        s11 += b * d;
      }
      // Column j first, then column j + 1, which also needs L[·][j] from this tile.
      const ljj = A[rj + j]!;
      const li0 = (A[ri + j]! - s00) / ljj;
      const lk0 = (A[rk + j]! - s10) / ljj;
      A[ri + j] = li0;
      A[rk + j] = lk0;
      const lj1 = A[rl + j]!; // L[j+1][j]
      const lj1j1 = A[rl + j + 1]!;
      A[ri + j + 1] = (A[ri + j + 1]! - s01 - li0 * lj1) / lj1j1;
      A[rk + j + 1] = (A[rk + j + 1]! - s11 - lk0 * lj1) / lj1j1;
    }
    for (; j < i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < j; k++) {
        const c = A[rj + k]!;
        s0 += A[ri + k]! * c;
        s1 += A[rk + k]! * c;
      }
      const ljj = A[rj + j]!;
      A[ri + j] = (A[ri + j]! - s0) / ljj;
      A[rk + j] = (A[rk + j]! - s1) / ljj;
    }
    // The 2 × 2 diagonal corner: L[i][i], L[i+1][i], L[i+1][i+1].
    let sii = 0;
    let ski = 0;
    for (let k = 0; k < i; k++) {
      const a = A[ri + k]!;
      sii += a * a;
      ski += A[rk + k]! * a;
    }
    const lii = pivot(A[ri + i]! - sii, i);
    A[ri + i] = lii;
    const lki = (A[rk + i]! - ski) / lii;
    A[rk + i] = lki;
    let skk = 0;
    for (let k = 0; k <= i; k++) skk += A[rk + k]! * A[rk + k]!;
    A[rk + i + 1] = pivot(A[rk + i + 1]! - skk, i + 1);
  }
  if (i < n) {
    // Odd n: the last row alone.
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = 0; k < j; k++) s += A[ri + k]! * A[rj + k]!;
      A[ri + j] = (A[ri + j]! - s) / A[rj + j]!;
    }
    let s = 0;
    for (let k = 0; k < i; k++) s += A[ri + k]! * A[ri + k]!;
    A[ri + i] = pivot(A[ri + i]! - s, i);
  }
}

function pivot(value: number, row: number): number {
  if (!(value > 0))
    throw new Error(`matrix is not positive definite (pivot ${value} at row ${row})`);
  return Math.sqrt(value);
}

/**
 * Column j of A⁻¹ from the factor L (A = L Lᵀ): solve L y = e_j, then Lᵀ x = y. y is zero above
 * row j, so the forward pass starts there. `out` (length n) receives x. Cost ≈ n² − j²/2.
 */
export function inverseColumn(L: Float64Array, n: number, j: number, out: Float64Array): void {
  out.fill(0, 0, n);
  // Forward: L y = e_j (row-oriented: y_i = (δ_ij − Σ_{k<i} L[i][k] y_k) / L[i][i]).
  out[j] = 1 / L[j * n + j]!;
  for (let i = j + 1; i < n; i++) {
    const ri = i * n;
    let s = 0;
    for (let k = j; k < i; k++) s += L[ri + k]! * out[k]!;
    out[i] = -s / L[ri + i]!;
  }
  // Backward: Lᵀ x = y, column-oriented so L is still read along its rows.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = out[i]! / L[ri + i]!;
    out[i] = xi;
    for (let k = 0; k < i; k++) out[k]! -= L[ri + k]! * xi;
  }
}

/**
 * Four columns j0..j3 of A⁻¹ at once (the same two triangular solves as `inverseColumn`): every
 * element of L loaded is used for four right-hand sides, which is what the solve is bound by.
 * `work` holds the four vectors interleaved (k·4 + c), length ≥ 4n; column c of the result is
 * read back with `work[k * 4 + c]`. Each column's arithmetic is exactly `inverseColumn`'s, so the
 * bits do not depend on how columns are grouped (the forward pass starts each column at its own
 * j: entries above it stay exactly zero and add nothing).
 */
export function inverseColumns4(
  L: Float64Array,
  n: number,
  cols: readonly [number, number, number, number],
  work: Float64Array,
): void {
  work.fill(0, 0, 4 * n);
  const first = Math.min(cols[0], cols[1], cols[2], cols[3]);
  for (let c = 0; c < 4; c++) work[cols[c]! * 4 + c] = 1 / L[cols[c]! * n + cols[c]!]!;
  // Forward: L y = e_j for the four columns together.
  for (let i = first + 1; i < n; i++) {
    const ri = i * n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = first; k < i; k++) {
      const l = L[ri + k]!;
      const w = k * 4;
      s0 += l * work[w]!;
      s1 += l * work[w + 1]!;
      s2 += l * work[w + 2]!;
      s3 += l * work[w + 3]!;
    }
    const d = L[ri + i]!;
    const w = i * 4;
    // Row i of column c is the unit entry itself when i = j_c (already set); otherwise solved.
    if (i > cols[0]) work[w] = -s0 / d;
    if (i > cols[1]) work[w + 1] = -s1 / d;
    if (i > cols[2]) work[w + 2] = -s2 / d;
    if (i > cols[3]) work[w + 3] = -s3 / d;
  }
  // Backward: Lᵀ x = y.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const d = L[ri + i]!;
    const w = i * 4;
    const x0 = work[w]! / d;
    const x1 = work[w + 1]! / d;
    const x2 = work[w + 2]! / d;
    const x3 = work[w + 3]! / d;
    work[w] = x0;
    work[w + 1] = x1;
    work[w + 2] = x2;
    work[w + 3] = x3;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k]!;
      const v = k * 4;
      work[v]! -= l * x0;
      work[v + 1]! -= l * x1;
      work[v + 2]! -= l * x2;
      work[v + 3]! -= l * x3;
    }
  }
}
