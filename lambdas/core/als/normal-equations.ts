/**
 * Dense kernels for the small symmetric positive-definite systems ALS solves once per row. Matrices
 * are stored packed: the upper triangle row by row, so entry (a, b) with a <= b sits at
 * `a*d - a*(a-1)/2 + (b - a)` and row a's tail (a, a..d-1) is contiguous.
 */

export function packedSize(d: number): number {
  return (d * (d + 1)) / 2;
}

export function packedIndex(d: number, a: number, b: number): number {
  return a * d - (a * (a - 1)) / 2 + (b - a);
}

/**
 * A[a][b] += Σ_j left[a][j] · right[b][j] over j < count, for a <= b. `left` and `right` are
 * dimension-major scratch (dimension a's values at a*stride .. a*stride+count-1), so every entry is
 * a dot product of two contiguous runs. Entries are computed in 2 × 4 register tiles: each tile
 * loads 6 values per j for 8 multiply-adds, which is what lifts this past a plain dot product in
 * V8 (no SIMD in JS). Summation order depends only on `count`, never on the caller's blocking.
 */
export function addOuterProducts(
  A: Float64Array,
  d: number,
  left: Float64Array,
  right: Float64Array,
  stride: number,
  count: number,
): void {
  let a = 0;
  for (; a + 1 < d; a += 2) {
    const p0 = packedIndex(d, a, a);
    const p1 = p0 + d - a; // packed (a+1, a+1)
    const l0 = a * stride;
    const l1 = l0 + stride;
    // The 2 × 2 corner on the diagonal: (a, a), (a, a+1), (a+1, a+1).
    let c00 = 0;
    let c01 = 0;
    let c11 = 0;
    for (let j = 0; j < count; j++) {
      const x0 = left[l0 + j]!;
      const x1 = left[l1 + j]!;
      const y0 = right[l0 + j]!;
      const y1 = right[l1 + j]!;
      c00 += x0 * y0;
      c01 += x0 * y1;
      c11 += x1 * y1;
    }
    A[p0]! += c00;
    A[p0 + 1]! += c01;
    A[p1]! += c11;
    let b = a + 2;
    for (; b + 3 < d; b += 4) {
      const r0 = b * stride;
      const r1 = r0 + stride;
      const r2 = r1 + stride;
      const r3 = r2 + stride;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let j = 0; j < count; j++) {
        const x0 = left[l0 + j]!;
        const x1 = left[l1 + j]!;
        const y0 = right[r0 + j]!;
        const y1 = right[r1 + j]!;
        const y2 = right[r2 + j]!;
        const y3 = right[r3 + j]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const o0 = p0 + b - a;
      const o1 = p1 + b - a - 1;
      A[o0]! += s00;
      A[o0 + 1]! += s01;
      A[o0 + 2]! += s02;
      A[o0 + 3]! += s03;
      A[o1]! += s10;
      A[o1 + 1]! += s11;
      A[o1 + 2]! += s12;
      A[o1 + 3]! += s13;
    }
    for (; b < d; b++) {
      const r0 = b * stride;
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < count; j++) {
        const y = right[r0 + j]!;
        s0 += left[l0 + j]! * y;
        s1 += left[l1 + j]! * y;
      }
      A[p0 + b - a]! += s0;
      A[p1 + b - a - 1]! += s1;
    }
  }
  if (a < d) {
    // Odd d: the last diagonal entry.
    const p = a * d - (a * (a - 1)) / 2;
    const l = a * stride;
    let s = 0;
    for (let j = 0; j < count; j++) s += left[l + j]! * right[l + j]!;
    A[p]! += s;
  }
}

/**
 * Solves A x = rhs in place by Cholesky (A = UᵀU): A is overwritten by U and rhs by x. Uses the
 * outer-product (right-looking) form so every inner loop walks one contiguous packed row. Returns
 * false, leaving rhs unspecified, when A is not numerically positive definite.
 */
export function choleskySolvePacked(A: Float64Array, d: number, rhs: Float64Array): boolean {
  let pk = 0; // packed index of (k, k)
  for (let k = 0; k < d; k++) {
    const pivot = A[pk]!;
    if (!(pivot > 0)) return false;
    const ukk = Math.sqrt(pivot);
    A[pk] = ukk;
    const inv = 1 / ukk;
    const rowLen = d - k;
    for (let t = 1; t < rowLen; t++) A[pk + t]! *= inv;
    // Trailing update: row i (i > k) of the remaining triangle -= U[k][i] · U[k][i..d-1].
    let pi = pk + rowLen; // packed index of (k+1, k+1)
    for (let i = k + 1; i < d; i++) {
      const uki = A[pk + (i - k)]!;
      const off = pk + (i - k);
      const len = d - i;
      for (let t = 0; t < len; t++) A[pi + t]! -= uki * A[off + t]!;
      pi += len;
    }
    pk += rowLen;
  }
  // Forward substitution Uᵀ y = rhs (column-oriented so U is read by rows).
  pk = 0;
  for (let k = 0; k < d; k++) {
    const yk = rhs[k]! / A[pk]!;
    rhs[k] = yk;
    for (let t = 1; t < d - k; t++) rhs[k + t]! -= A[pk + t]! * yk;
    pk += d - k;
  }
  // Back substitution U x = y, walking packed rows from the last one up.
  for (let k = d - 1; k >= 0; k--) {
    pk -= d - k;
    let s = rhs[k]!;
    for (let t = 1; t < d - k; t++) s -= A[pk + t]! * rhs[k + t]!;
    rhs[k] = s / A[pk]!;
  }
  return true;
}

/** y = A v for packed symmetric A (rank x rank), added into y. */
export function addPackedMatVec(
  A: Float64Array,
  d: number,
  v: Float64Array,
  y: Float64Array,
): void {
  let p = 0;
  for (let a = 0; a < d; a++) {
    const va = v[a]!;
    let s = A[p]! * va;
    for (let b = a + 1; b < d; b++) {
      const x = A[++p]!;
      s += x * v[b]!;
      y[b]! += x * va;
    }
    y[a]! += s;
    p++;
  }
}
