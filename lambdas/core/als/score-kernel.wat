;; Rows × items dot products in WebAssembly SIMD (two float64 lanes): the scoring kernel behind
;; `ItemScorer` (item-scorer.ts), which every list of the product goes through — a user's top-N
;; (stored by training and served on-line), a folded-in profile's list, and similar movies.
;; `npm run build:wasm` assembles it into score-kernel-wasm.ts.
;;
;; The product S = X·Yᵀ of R query rows X (users, or movies for similarity) and all items Y is a
;; matrix multiply: R·n·rank multiply-adds. Each entry is a dot product S[r][i] = Σₖ x[r][k]·y[i][k].
;;
;; Bits: every entry is one float64 running sum over k in order from +0, (((x₀y₀) + x₁y₁) + …),
;; a multiply then an add (never fused), lanes holding different items of the same row. So an
;; entry is the same bits as the plain scalar loop `s = 0; for k: s += x[k]·y[k]`, whatever the
;; tile it fell in, how many rows were scored together, or the CPU (IEEE add and mul only): a list
;; computed in a batch of users equals the one computed for that user alone.
;;
;; Speed: the items are laid out once in panels of 8 (for each k, the k-th value of 8 items side
;; by side), float32 as trained: one list reads every item factor once, so memory traffic bounds
;; it (16 MB a list at 62k movies × rank 64, half what float64 panels would move). Many rows at
;; once: each panel is widened (exactly) to float64 in a 4 KB scratch that stays in L1 while every
;; row pair of the call passes over it, in register tiles of 2 rows × 8 items (eight
;; accumulators): per k two splatted row values and four loads for 16 multiply-adds.
;;
;; Layout (byte offsets): rows holds rowCount × rank float64 (row-major); panels holds
;; panelCount × rank × 8 float32 (items past the end are zero); scratch has room for rank × 8
;; float64; out receives rowCount rows of panelCount·8 float64 each.
(module
  (memory (export "memory") 1)

  (func $scores (export "scores") (param $rows i32) (param $rowCount i32) (param $rank i32)
        (param $panels i32) (param $panelCount i32) (param $out i32) (param $scratch i32)
    (local $rowBytes i32) (local $panelBytes i32) (local $outRowBytes i32)
    (local $panel i32) (local $panelEnd i32) (local $r i32) (local $pa i32) (local $pb i32)
    (local $py i32) (local $end i32) (local $o i32) (local $src i32)
    (local $xa v128) (local $xb v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $rowBytes (i32.shl (local.get $rank) (i32.const 3)))
    ;; a panel: rank × 8 float64 in scratch (64 bytes a step), rank × 8 float32 in memory
    (local.set $panelBytes (i32.shl (local.get $rank) (i32.const 6)))
    (local.set $outRowBytes (i32.shl (local.get $panelCount) (i32.const 6)))
    (local.set $src (local.get $panels))
    (local.set $panelEnd (i32.add (local.get $panels)
      (i32.mul (local.get $panelCount) (i32.shl (local.get $rank) (i32.const 5)))))
    (local.set $panel (local.get $scratch))
    (local.set $end (i32.add (local.get $scratch) (local.get $panelBytes)))
    (local.set $o (local.get $out))
    (block $panelsDone
      (loop $eachPanel
        (br_if $panelsDone (i32.ge_u (local.get $src) (local.get $panelEnd)))
        ;; widen the panel: two float32 at a time to two float64 (exact)
        (local.set $py (local.get $scratch))
        (loop $widen
          (v128.store (local.get $py)
            (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $src))))
          (local.set $src (i32.add (local.get $src) (i32.const 8)))
          (local.set $py (i32.add (local.get $py) (i32.const 16)))
          (br_if $widen (i32.lt_u (local.get $py) (local.get $end))))
        (local.set $r (i32.const 0))
        ;; Row pairs r, r+1: a 2 × 8 tile of S.
        (block $pairsDone
          (loop $eachPair
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rowCount)))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
            (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
            (local.set $pa (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $rowBytes))))
            (local.set $pb (i32.add (local.get $pa) (local.get $rowBytes)))
            (local.set $py (local.get $panel))
            (loop $eachK
              (local.set $xa (v128.load64_splat (local.get $pa)))
              (local.set $xb (v128.load64_splat (local.get $pb)))
              (local.set $v0 (v128.load (local.get $py)))
              (local.set $v1 (v128.load offset=16 (local.get $py)))
              (local.set $v2 (v128.load offset=32 (local.get $py)))
              (local.set $v3 (v128.load offset=48 (local.get $py)))
              (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $xa) (local.get $v0))))
              (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $xa) (local.get $v1))))
              (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $xa) (local.get $v2))))
              (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $xa) (local.get $v3))))
              (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $xb) (local.get $v0))))
              (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $xb) (local.get $v1))))
              (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $xb) (local.get $v2))))
              (local.set $c7 (f64x2.add (local.get $c7) (f64x2.mul (local.get $xb) (local.get $v3))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
              (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
              (local.set $py (i32.add (local.get $py) (i32.const 64)))
              (br_if $eachK (i32.lt_u (local.get $py) (local.get $end))))
            (local.set $pa (i32.add (local.get $o) (i32.mul (local.get $r) (local.get $outRowBytes))))
            (v128.store (local.get $pa) (local.get $c0))
            (v128.store offset=16 (local.get $pa) (local.get $c1))
            (v128.store offset=32 (local.get $pa) (local.get $c2))
            (v128.store offset=48 (local.get $pa) (local.get $c3))
            (local.set $pa (i32.add (local.get $pa) (local.get $outRowBytes)))
            (v128.store (local.get $pa) (local.get $c4))
            (v128.store offset=16 (local.get $pa) (local.get $c5))
            (v128.store offset=32 (local.get $pa) (local.get $c6))
            (v128.store offset=48 (local.get $pa) (local.get $c7))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $eachPair)))
        ;; An odd last row: a 1 × 8 tile, the same sum per entry.
        (if (i32.lt_u (local.get $r) (local.get $rowCount))
          (then
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $pa (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $rowBytes))))
            (local.set $py (local.get $panel))
            (loop $eachKOdd
              (local.set $xa (v128.load64_splat (local.get $pa)))
              (local.set $c0 (f64x2.add (local.get $c0)
                (f64x2.mul (local.get $xa) (v128.load (local.get $py)))))
              (local.set $c1 (f64x2.add (local.get $c1)
                (f64x2.mul (local.get $xa) (v128.load offset=16 (local.get $py)))))
              (local.set $c2 (f64x2.add (local.get $c2)
                (f64x2.mul (local.get $xa) (v128.load offset=32 (local.get $py)))))
              (local.set $c3 (f64x2.add (local.get $c3)
                (f64x2.mul (local.get $xa) (v128.load offset=48 (local.get $py)))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
              (local.set $py (i32.add (local.get $py) (i32.const 64)))
              (br_if $eachKOdd (i32.lt_u (local.get $py) (local.get $end))))
            (local.set $pa (i32.add (local.get $o) (i32.mul (local.get $r) (local.get $outRowBytes))))
            (v128.store (local.get $pa) (local.get $c0))
            (v128.store offset=16 (local.get $pa) (local.get $c1))
            (v128.store offset=32 (local.get $pa) (local.get $c2))
            (v128.store offset=48 (local.get $pa) (local.get $c3))))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (br $eachPanel))))

  ;; One row (a served list, a fold-in): S[0][i] for every item, two panels (16 items) at a time,
  ;; widening the float32 panels in registers. The many-rows path would run one 1 × 8 tile per
  ;; panel, whose four accumulators wait on the add latency every step; eight independent sums
  ;; keep the adder busy. Same sum per entry.
  (func (export "scoresOfRow") (param $row i32) (param $rank i32) (param $panels i32)
        (param $panelCount i32) (param $out i32) (param $scratch i32)
    (local $panelBytes i32) (local $panel i32) (local $pairEnd i32) (local $px i32) (local $py i32)
    (local $end i32) (local $o i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    ;; rank × 8 float32 a panel
    (local.set $panelBytes (i32.shl (local.get $rank) (i32.const 5)))
    (local.set $panel (local.get $panels))
    ;; the first panel past the last whole pair
    (local.set $pairEnd (i32.add (local.get $panels) (i32.mul
      (i32.and (local.get $panelCount) (i32.const -2)) (local.get $panelBytes))))
    (local.set $o (local.get $out))
    (block $pairsDone
      (loop $eachPair
        (br_if $pairsDone (i32.ge_u (local.get $panel) (local.get $pairEnd)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
        (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
        (local.set $px (local.get $row))
        (local.set $py (local.get $panel))
        (local.set $end (i32.add (local.get $panel) (local.get $panelBytes)))
        (loop $eachK
          (local.set $x (v128.load64_splat (local.get $px)))
          (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $py))))))
          (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $py))))))
          (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $py))))))
          (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $py))))))
          (local.set $py (i32.add (local.get $py) (local.get $panelBytes)))
          (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $py))))))
          (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $py))))))
          (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $py))))))
          (local.set $c7 (f64x2.add (local.get $c7) (f64x2.mul (local.get $x)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $py))))))
          (local.set $py (i32.sub (i32.add (local.get $py) (i32.const 32)) (local.get $panelBytes)))
          (local.set $px (i32.add (local.get $px) (i32.const 8)))
          (br_if $eachK (i32.lt_u (local.get $py) (local.get $end))))
        (v128.store (local.get $o) (local.get $c0))
        (v128.store offset=16 (local.get $o) (local.get $c1))
        (v128.store offset=32 (local.get $o) (local.get $c2))
        (v128.store offset=48 (local.get $o) (local.get $c3))
        (v128.store offset=64 (local.get $o) (local.get $c4))
        (v128.store offset=80 (local.get $o) (local.get $c5))
        (v128.store offset=96 (local.get $o) (local.get $c6))
        (v128.store offset=112 (local.get $o) (local.get $c7))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $panelBytes) (i32.const 1))))
        (local.set $o (i32.add (local.get $o) (i32.const 128)))
        (br $eachPair)))
    ;; An odd last panel through the many-rows path, one row.
    (if (i32.and (local.get $panelCount) (i32.const 1))
      (then (call $scores (local.get $row) (i32.const 1) (local.get $rank) (local.get $panel)
        (i32.const 1) (local.get $o) (local.get $scratch)))))

  ;; The neighbour (EASE) part of a list: out[j] = Σ_c x_c · W[i_c][j], the weighted sum of the
  ;; rows of B for the movies a user rated (i_c, with weight x_c from their stars), for every
  ;; column j. W is float32, `stride` floats a row (a multiple of 16, zero-padded); `rows` holds
  ;; count int32 row indices, `xs` count float64 weights, `out` receives stride float64.
  ;;
  ;; Bits: each out[j] is one float64 sum over c in the given order from +0 of x_c·float64(W),
  ;; exactly the scalar loop `for c: for j: out[j] += x_c·W[i_c][j]`. The 16 columns of a tile
  ;; (one 64-byte line of each row) stay in eight registers while every rated row passes.
  (func (export "weightedRowSum") (param $weights i32) (param $stride i32) (param $rows i32)
        (param $xs i32) (param $count i32) (param $out i32)
    (local $j i32) (local $c i32) (local $p i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $j (i32.const 0))
    (block $done
      (loop $eachTile
        (br_if $done (i32.ge_u (local.get $j) (local.get $stride)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
        (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_u (local.get $c) (local.get $count)))
            (local.set $x (v128.load64_splat
              (i32.add (local.get $xs) (i32.shl (local.get $c) (i32.const 3)))))
            ;; &W[i_c][j]
            (local.set $p (i32.add (local.get $weights) (i32.shl (i32.add (local.get $j)
              (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $c) (i32.const 2))))
                (local.get $stride))) (i32.const 2))))
            (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $p))))))
            (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))))))
            (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $p))))))
            (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $p))))))
            (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=32 (local.get $p))))))
            (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=40 (local.get $p))))))
            (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=48 (local.get $p))))))
            (local.set $c7 (f64x2.add (local.get $c7) (f64x2.mul (local.get $x)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=56 (local.get $p))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $eachRow)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (v128.store offset=0 (local.get $p) (local.get $c0))
        (v128.store offset=16 (local.get $p) (local.get $c1))
        (v128.store offset=32 (local.get $p) (local.get $c2))
        (v128.store offset=48 (local.get $p) (local.get $c3))
        (v128.store offset=64 (local.get $p) (local.get $c4))
        (v128.store offset=80 (local.get $p) (local.get $c5))
        (v128.store offset=96 (local.get $p) (local.get $c6))
        (v128.store offset=112 (local.get $p) (local.get $c7))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $eachTile)))))
