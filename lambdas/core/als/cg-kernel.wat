;; Conjugate-gradient row solver for ALS in WebAssembly SIMD (128-bit, four float32 lanes).
;;
;; `npm run build:wasm` assembles this file (with the `wabt` package) into cg-kernel-wasm.ts, the
;; base64 bytes the block solver instantiates; test/unit/als-cg.test.ts fails if the two drift.
;; conjugate-gradient.ts holds the JavaScript side (memory layout, one call per row) and the same
;; algorithm in plain float64 TypeScript as the reference.
;;
;; ── The problem ──────────────────────────────────────────────────────────────────────────────
;; One row of ALS solves the k × k system A x = b, with
;;     A = diag(D) + G + Σ_j w_j · y_j y_jᵀ          b = Σ_j t_j · y_j
;; where j runs over the row's n rated columns, y_j is that column's fixed factor, w_j its extra
;; weight and t_j its target (implicit: G = α₀·YᵀY, w = c − α₀, t = c·p; explicit: G = 0, w = 1,
;; t = the rating minus mean and biases, and a constant 1 feature carries the bias), and D the
;; per-dimension penalty (λ_row on factor dimensions, biasReg on the bias, 0 on padding).
;;
;; Forming A costs n·k² (the Cholesky path does that, then k³/3 to factor it). Conjugate gradient
;; only needs products A·v, and
;;     A·v = D∘v + G·v + Σ_j (w_j · (y_j·v)) · y_j
;; costs k² + 4·n·k flops: a dot product and an axpy per rated entry. Started from the previous
;; iteration's x (a warm start), a few steps (benfred/implicit uses 3) get close enough for ALS,
;; which re-solves every row each iteration anyway (Takács, Pilászy & Tikk 2011).
;;
;; CG (Hestenes–Stiefel), from x₀:
;;     r = b − A·x₀,  p = r,  ρ = r·r
;;     repeat: q = A·p;  α = ρ / (p·q);  x += α·p;  r −= α·q;  ρ' = r·r;  p = r + (ρ'/ρ)·p;  ρ = ρ'
;; Every step costs one product A·p; the first residual costs one more (A·x₀), which here also
;; gathers the row's factors into a contiguous scratch Y and folds in b, so b is never stored.
;;
;; ── Layout (all addresses are byte offsets into the exported memory, 16-byte aligned) ───────
;; Vectors hold kp floats, kp = k rounded up to a multiple of 4 (padding lanes are 0 everywhere,
;; so they stay 0 through every step); `rowBytes` = 4·kp. F: the fixed side's factors, one padded
;; row per column, plus one all-zero row that padding entries point at. Y: the n gathered rows,
;; interleaved by tiles of four (see $addRatedProducts).
;; G: kp × kp, full (both triangles), row-major. cols/w/t: n int32/float32 each, n a multiple of
;; 4 (padding entries point at the zero row with w = t = 0, so they add exact zeros).
;;
;; ── Precision ────────────────────────────────────────────────────────────────────────────────
;; float32, as benfred/implicit: three warm-started steps stop far above float32's round-off, and
;; run to convergence the kernel reaches the float64 Cholesky solution to ~1e-6 of its scale
;; (test/unit/als-cg.test.ts). Four lanes of float32 do twice the work of two lanes of float64.
;;
;; ── Determinism ──────────────────────────────────────────────────────────────────────────────
;; Only IEEE add/mul/div (no fused multiply-add, no relaxed SIMD, whose madd may round differently
;; by CPU and is not promised to match between V8's baseline and optimizing compilers): every
;; result is the same bits on any CPU and tier. The summation order depends only on kp and the
;; row's own entries, in their stored order, so a row solves identically whatever block it is in.
(module
  (memory (export "memory") 1)

  ;; Σ_i a[i]·b[i] over `bytes` bytes (a multiple of 16, at least 16).
  (func $dot (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $acc v128) (local $end i32)
    (local.set $end (i32.add (local.get $a) (local.get $bytes)))
    (loop $next
      (local.set $acc
        (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $acc
      (f32x4.add (local.get $acc)
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
    (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc))))

  ;; out = D∘v + G·v, D = reg·mask + bias (mask: 1 on factor dimensions; bias: biasReg on the
  ;; bias dimension). G (kp × kp, symmetric) is skipped when its address is 0.
  ;;
  ;; G·v walks G by rows: with G symmetric, row b is column b, so out += v[b]·G[b, ·] for every b
  ;; streams G once with unit stride. Four output vectors (16 dimensions) are summed at a time in
  ;; registers, four independent addition chains. (Eight, with even and odd b apart, did not fit
  ;; V8's x64 vector registers: two accumulators lived on the stack, 5% slower overall.)
  (func $diagGramProduct (param $v i32) (param $out i32) (param $rowBytes i32)
        (param $reg f32) (param $mask i32) (param $bias i32) (param $G i32)
    (local $i i32) (local $regs v128) (local $blk i32) (local $pG i32)
    (local $pV i32) (local $vEnd i32) (local $vb0 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $regs (f32x4.splat (local.get $reg)))
    (loop $diag
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.mul
          (f32x4.add
            (f32x4.mul (local.get $regs) (v128.load (i32.add (local.get $mask) (local.get $i))))
            (v128.load (i32.add (local.get $bias) (local.get $i))))
          (v128.load (i32.add (local.get $v) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $diag (i32.lt_u (local.get $i) (local.get $rowBytes))))
    (if (i32.eqz (local.get $G)) (then (return)))
    (local.set $vEnd (i32.add (local.get $v) (local.get $rowBytes)))
    ;; Blocks of four output vectors, one row of G per pass.
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $blk) (i32.const 64)) (local.get $rowBytes)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $pG (i32.add (local.get $G) (local.get $blk)))
        (local.set $pV (local.get $v))
        (loop $rows
          (local.set $vb0 (v128.load32_splat (local.get $pV)))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load (local.get $pG)) (local.get $vb0))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load offset=16 (local.get $pG)) (local.get $vb0))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load offset=32 (local.get $pG)) (local.get $vb0))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load offset=48 (local.get $pG)) (local.get $vb0))))
          (local.set $pG (i32.add (local.get $pG) (local.get $rowBytes)))
          (local.set $pV (i32.add (local.get $pV) (i32.const 4)))
          (br_if $rows (i32.lt_u (local.get $pV) (local.get $vEnd))))
        (local.set $pV (i32.add (local.get $out) (local.get $blk)))
        (v128.store (local.get $pV) (f32x4.add (v128.load (local.get $pV)) (local.get $c0)))
        (v128.store offset=16 (local.get $pV) (f32x4.add (v128.load offset=16 (local.get $pV)) (local.get $c1)))
        (v128.store offset=32 (local.get $pV) (f32x4.add (v128.load offset=32 (local.get $pV)) (local.get $c2)))
        (v128.store offset=48 (local.get $pV) (f32x4.add (v128.load offset=48 (local.get $pV)) (local.get $c3)))
        (local.set $blk (i32.add (local.get $blk) (i32.const 64)))
        (br $blocks)))
    ;; The last one to three output vectors, one at a time, four rows of G per pass.
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $blk) (local.get $rowBytes)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $pG (i32.add (local.get $G) (local.get $blk)))
        (local.set $pV (local.get $v))
        (loop $rows4
          (local.set $c0 (f32x4.add (local.get $c0)
            (f32x4.mul (v128.load (local.get $pG)) (v128.load32_splat (local.get $pV)))))
          (local.set $pG (i32.add (local.get $pG) (local.get $rowBytes)))
          (local.set $c1 (f32x4.add (local.get $c1)
            (f32x4.mul (v128.load (local.get $pG)) (v128.load32_splat offset=4 (local.get $pV)))))
          (local.set $pG (i32.add (local.get $pG) (local.get $rowBytes)))
          (local.set $c2 (f32x4.add (local.get $c2)
            (f32x4.mul (v128.load (local.get $pG)) (v128.load32_splat offset=8 (local.get $pV)))))
          (local.set $pG (i32.add (local.get $pG) (local.get $rowBytes)))
          (local.set $c3 (f32x4.add (local.get $c3)
            (f32x4.mul (v128.load (local.get $pG)) (v128.load32_splat offset=12 (local.get $pV)))))
          (local.set $pG (i32.add (local.get $pG) (local.get $rowBytes)))
          (local.set $pV (i32.add (local.get $pV) (i32.const 16)))
          (br_if $rows4 (i32.lt_u (local.get $pV) (local.get $vEnd))))
        (local.set $pV (i32.add (local.get $out) (local.get $blk)))
        (v128.store (local.get $pV)
          (f32x4.add (v128.load (local.get $pV))
            (f32x4.add (f32x4.add (local.get $c0) (local.get $c1))
                       (f32x4.add (local.get $c2) (local.get $c3)))))
        (local.set $blk (i32.add (local.get $blk) (i32.const 16)))
        (br $rest))))

  ;; Y holds the gathered rows four at a time, interleaved: in the tile of entries j..j+3, the
  ;; four rows' vectors at position i (16 bytes each) sit side by side at tile + 64·i, so one
  ;; pointer and constant offsets address all four (no per-row address arithmetic in the loops).

  ;; out += Σ_j (w_j · (y_j·v)) · y_j over the n gathered rows, one tile of four entries per pass:
  ;; first the four dot products side by side (four independent addition chains), then one sweep
  ;; that adds all four scaled rows to out, so out is loaded and stored once per four entries.
  (func $addRatedProducts (param $Y i32) (param $w i32) (param $t i32) (param $tStep i32)
        (param $n i32) (param $rowBytes i32) (param $v i32) (param $out i32)
    (local $tile i32) (local $end i32) (local $q i32) (local $pv i32) (local $vEnd i32)
    (local $o i32) (local $oEnd i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $vi v128)
    (local $u v128) (local $s v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $tile (local.get $Y))
    (local.set $end (i32.add (local.get $Y) (i32.mul (local.get $n) (local.get $rowBytes))))
    (local.set $vEnd (i32.add (local.get $v) (local.get $rowBytes)))
    (local.set $oEnd (i32.add (local.get $out) (local.get $rowBytes)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $tile) (local.get $end)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $q (local.get $tile))
        (local.set $pv (local.get $v))
        (loop $dots
          (local.set $vi (v128.load (local.get $pv)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q)) (local.get $vi))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $vi))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $q)) (local.get $vi))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $q)) (local.get $vi))))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $pv (i32.add (local.get $pv) (i32.const 16)))
          (br_if $dots (i32.lt_u (local.get $pv) (local.get $vEnd))))
        ;; [Σa0, Σa1, Σa2, Σa3]: a 4 × 4 transpose folded into the additions
        (local.set $u
          (f32x4.add
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $s
          (f32x4.add
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $s
          (f32x4.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u) (local.get $s))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u) (local.get $s))))
        ;; s = [w_j·(y_j·v) − t_j] for the four entries, then each as a splat
        (local.set $s (f32x4.sub (f32x4.mul (local.get $s) (v128.load (local.get $w))) (v128.load (local.get $t))))
        (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s) (local.get $s)))
        (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s) (local.get $s)))
        (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s) (local.get $s)))
        (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s) (local.get $s)))
        ;; out += s0·y0 + s1·y1 + s2·y2 + s3·y3
        (local.set $q (local.get $tile))
        (local.set $o (local.get $out))
        (loop $axpy
          (v128.store (local.get $o)
            (f32x4.add (v128.load (local.get $o))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $s0) (v128.load (local.get $q)))
                  (f32x4.mul (local.get $s1) (v128.load offset=16 (local.get $q))))
                (f32x4.add
                  (f32x4.mul (local.get $s2) (v128.load offset=32 (local.get $q)))
                  (f32x4.mul (local.get $s3) (v128.load offset=48 (local.get $q)))))))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $axpy (i32.lt_u (local.get $o) (local.get $oEnd))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $t (i32.add (local.get $t) (local.get $tStep)))
        (local.set $tile (local.get $q))
        (br $tiles))))

;; The row's factor rows, copied from F into the tiles of Y. A plain copy keeps many loads in flight,
  ;; which matters: F is larger than the cache, so every row is a miss.
  (func $gather (param $F i32) (param $cols i32) (param $n i32) (param $rowBytes i32) (param $Y i32)
    (local $f0 i32) (local $f1 i32) (local $f2 i32) (local $f3 i32)
    (local $q i32) (local $end i32) (local $i i32)
    (local.set $q (local.get $Y))
    (local.set $end (i32.add (local.get $Y) (i32.mul (local.get $n) (local.get $rowBytes))))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $f0 (i32.add (local.get $F) (i32.mul (i32.load (local.get $cols)) (local.get $rowBytes))))
        (local.set $f1 (i32.add (local.get $F) (i32.mul (i32.load offset=4 (local.get $cols)) (local.get $rowBytes))))
        (local.set $f2 (i32.add (local.get $F) (i32.mul (i32.load offset=8 (local.get $cols)) (local.get $rowBytes))))
        (local.set $f3 (i32.add (local.get $F) (i32.mul (i32.load offset=12 (local.get $cols)) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (loop $copy
          (v128.store (local.get $q) (v128.load (i32.add (local.get $f0) (local.get $i))))
          (v128.store offset=16 (local.get $q) (v128.load (i32.add (local.get $f1) (local.get $i))))
          (v128.store offset=32 (local.get $q) (v128.load (i32.add (local.get $f2) (local.get $i))))
          (v128.store offset=48 (local.get $q) (v128.load (i32.add (local.get $f3) (local.get $i))))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $copy (i32.lt_u (local.get $i) (local.get $rowBytes))))
        (local.set $cols (i32.add (local.get $cols) (i32.const 16)))
        (br $tiles))))

  ;; One row: at most `steps` CG steps from the x stored at $x, which receives the result.
  ;; $q is scratch for A·p. Stops early when p·A·p is not positive (nothing left to do, or
  ;; round-off) or the residual has shrunk by 10⁶ in norm (ρ ≤ 10⁻¹²·ρ₀: float32 cannot do
  ;; better). Returns the number of steps taken.
  (func (export "solveRow")
        (param $F i32) (param $cols i32) (param $w i32) (param $t i32) (param $n i32)
        (param $rowBytes i32) (param $Y i32) (param $G i32) (param $reg f32) (param $mask i32)
        (param $bias i32) (param $x i32) (param $r i32) (param $p i32) (param $q i32)
        (param $zero i32) (param $steps i32) (result i32)
    (local $i i32) (local $step i32) (local $rho f32) (local $rhoNext f32) (local $tol f32)
    (local $pq f32) (local $alpha v128) (local $beta v128) (local $ri v128) (local $acc v128)
    ;; r = b − A·x: q = D∘x + G·x + Σ_j (w_j·(y_j·x) − t_j)·y_j (that is A·x − b, since
    ;; b = Σ_j t_j·y_j), then r = −q
    (call $gather (local.get $F) (local.get $cols) (local.get $n) (local.get $rowBytes) (local.get $Y))
    (call $diagGramProduct (local.get $x) (local.get $q) (local.get $rowBytes) (local.get $reg)
      (local.get $mask) (local.get $bias) (local.get $G))
    (call $addRatedProducts (local.get $Y) (local.get $w) (local.get $t) (i32.const 16)
      (local.get $n) (local.get $rowBytes) (local.get $x) (local.get $q))
    (loop $negate
      (v128.store (i32.add (local.get $r) (local.get $i))
        (f32x4.neg (v128.load (i32.add (local.get $q) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $negate (i32.lt_u (local.get $i) (local.get $rowBytes))))
    ;; p = r, ρ = r·r
    (local.set $rho (call $dot (local.get $r) (local.get $r) (local.get $rowBytes)))
    (local.set $tol (f32.mul (local.get $rho) (f32.const 1e-12)))
    (local.set $i (i32.const 0))
    (loop $copy
      (v128.store (i32.add (local.get $p) (local.get $i)) (v128.load (i32.add (local.get $r) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $copy (i32.lt_u (local.get $i) (local.get $rowBytes))))
    (block $converged
      (loop $cg
        (br_if $converged (i32.ge_u (local.get $step) (local.get $steps)))
        (br_if $converged (i32.eqz (f32.gt (local.get $rho) (local.get $tol))))
        ;; q = A·p
        (call $diagGramProduct (local.get $p) (local.get $q) (local.get $rowBytes) (local.get $reg)
          (local.get $mask) (local.get $bias) (local.get $G))
        (call $addRatedProducts (local.get $Y) (local.get $w) (local.get $zero) (i32.const 0)
          (local.get $n) (local.get $rowBytes) (local.get $p) (local.get $q))
        (local.set $pq (call $dot (local.get $p) (local.get $q) (local.get $rowBytes)))
        (br_if $converged (i32.eqz (f32.gt (local.get $pq) (f32.const 0))))
        ;; x += α·p, r −= α·q, ρ' = r·r in one sweep
        (local.set $alpha (f32x4.splat (f32.div (local.get $rho) (local.get $pq))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (loop $update
          (v128.store (i32.add (local.get $x) (local.get $i))
            (f32x4.add (v128.load (i32.add (local.get $x) (local.get $i)))
              (f32x4.mul (local.get $alpha) (v128.load (i32.add (local.get $p) (local.get $i))))))
          (local.set $ri
            (f32x4.sub (v128.load (i32.add (local.get $r) (local.get $i)))
              (f32x4.mul (local.get $alpha) (v128.load (i32.add (local.get $q) (local.get $i))))))
          (v128.store (i32.add (local.get $r) (local.get $i)) (local.get $ri))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $ri) (local.get $ri))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $update (i32.lt_u (local.get $i) (local.get $rowBytes))))
        (local.set $acc
          (f32x4.add (local.get $acc)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (local.set $rhoNext
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc))))
        ;; p = r + β·p, β = ρ'/ρ
        (local.set $beta (f32x4.splat (f32.div (local.get $rhoNext) (local.get $rho))))
        (local.set $i (i32.const 0))
        (loop $direction
          (v128.store (i32.add (local.get $p) (local.get $i))
            (f32x4.add (v128.load (i32.add (local.get $r) (local.get $i)))
              (f32x4.mul (local.get $beta) (v128.load (i32.add (local.get $p) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $direction (i32.lt_u (local.get $i) (local.get $rowBytes))))
        (local.set $rho (local.get $rhoNext))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $cg)))
    (local.get $step))
)
