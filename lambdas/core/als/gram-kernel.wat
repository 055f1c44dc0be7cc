;; YᵀY of a chunk of factor rows in WebAssembly SIMD (two float64 lanes): the Gram kernel behind
;; `gramOfRows` (gram.ts). `npm run build:wasm` assembles it into gram-kernel-wasm.ts.
;;
;; Implicit ALS adds α₀·YᵀY = α₀·Σᵢ yᵢ yᵢᵀ to every row's system, so each half-step needs the Gram
;; matrix of the whole fixed side: numRows·k(k+1)/2 multiply-adds, as much as a CG step over
;; every row at rank 128. Training sums it in fixed chunks of rows (GRAM_CHUNK_ROWS) so that a
;; distributed run can compute chunks anywhere and add them in chunk order.
;;
;; Bits: each entry G[a][b] is one float64 running sum over the chunk's rows in order, starting
;; from +0: ((yᵢ₀ₐ·yᵢ₀ᵦ + yᵢ₁ₐ·yᵢ₁ᵦ) + …). The products of two float32 values are exact in
;; float64, and the lanes of a vector hold different entries (never different rows of one entry),
;; so the result is the same bits as the plain scalar loop, on any CPU (IEEE add and mul only).
;;
;; Speed: entries are summed in register tiles of 2 rows × 8 columns of G (eight accumulators):
;; per row yᵢ the tile loads 2 scalars (splat) and 4 vectors for 16 multiply-adds, instead of a
;; load and a store of G for every one.
;;
;; Layout (byte offsets): src holds count × rank float32 (the chunk as stored); rows receives
;; them as float64, one padded row of kp2 = rank rounded up to even per factor row; T receives
;; the kp2 × kp2 result, row-major, of which the caller reads the upper triangle (a ≤ b < rank).
(module
  (memory (export "memory") 1)

  (func (export "gram") (param $src i32) (param $count i32) (param $rank i32) (param $rows i32)
        (param $T i32)
    (local $rowBytes i32) (local $i i32) (local $a i32) (local $p i32) (local $q i32) (local $end i32)
    (local $b i32) (local $pa i32) (local $pb i32)
    (local $ya0 v128) (local $ya1 v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    ;; kp2 · 8 bytes per float64 row
    (local.set $rowBytes (i32.shl (i32.and (i32.add (local.get $rank) (i32.const 1)) (i32.const -2)) (i32.const 3)))
    ;; float32 → float64, padding lane zeroed
    (local.set $p (local.get $src))
    (local.set $q (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $rowBytes))))
    (block $converted
      (loop $convert
        (br_if $converted (i32.ge_u (local.get $q) (local.get $end)))
        (f64.store offset=0 (i32.sub (i32.add (local.get $q) (local.get $rowBytes)) (i32.const 8))
          (f64.const 0))
        (local.set $a (i32.const 0))
        (loop $lane
          (f64.store (i32.add (local.get $q) (i32.shl (local.get $a) (i32.const 3)))
            (f64.promote_f32 (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (br_if $lane (i32.lt_u (local.get $a) (local.get $rank))))
        (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
        (br $convert)))
    ;; Tiles: rows a, a+1 of G (a even) × columns b..b+7 (b from a up), summed over the chunk.
    (local.set $a (i32.const 0))
    (loop $pairs
      (local.set $b (local.get $a))
      (block $tilesDone
        (loop $tiles
          (br_if $tilesDone (i32.ge_u (i32.shl (local.get $b) (i32.const 3)) (local.get $rowBytes)))
          (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
          (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
          (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
          (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
          (local.set $pa (i32.add (local.get $rows) (i32.shl (local.get $a) (i32.const 3))))
          (local.set $pb (i32.add (local.get $rows) (i32.shl (local.get $b) (i32.const 3))))
          (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $count) (local.get $rowBytes))))
          (if (i32.le_u (i32.shl (i32.add (local.get $b) (i32.const 8)) (i32.const 3)) (local.get $rowBytes))
            (then
              ;; a full tile: eight columns
              (loop $sum8
                (local.set $ya0 (v128.load64_splat (local.get $pa)))
                (local.set $ya1 (v128.load64_splat offset=8 (local.get $pa)))
                (local.set $v0 (v128.load (local.get $pb)))
                (local.set $v1 (v128.load offset=16 (local.get $pb)))
                (local.set $v2 (v128.load offset=32 (local.get $pb)))
                (local.set $v3 (v128.load offset=48 (local.get $pb)))
                (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $ya0) (local.get $v0))))
                (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $ya0) (local.get $v1))))
                (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $ya0) (local.get $v2))))
                (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $ya0) (local.get $v3))))
                (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $ya1) (local.get $v0))))
                (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $ya1) (local.get $v1))))
                (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $ya1) (local.get $v2))))
                (local.set $c7 (f64x2.add (local.get $c7) (f64x2.mul (local.get $ya1) (local.get $v3))))
                (local.set $pa (i32.add (local.get $pa) (local.get $rowBytes)))
                (local.set $pb (i32.add (local.get $pb) (local.get $rowBytes)))
                (br_if $sum8 (i32.lt_u (local.get $pa) (local.get $end))))
              (local.set $p (i32.add (local.get $T)
                (i32.add (i32.mul (local.get $a) (local.get $rowBytes)) (i32.shl (local.get $b) (i32.const 3)))))
              (v128.store (local.get $p) (local.get $c0))
              (v128.store offset=16 (local.get $p) (local.get $c1))
              (v128.store offset=32 (local.get $p) (local.get $c2))
              (v128.store offset=48 (local.get $p) (local.get $c3))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (v128.store (local.get $p) (local.get $c4))
              (v128.store offset=16 (local.get $p) (local.get $c5))
              (v128.store offset=32 (local.get $p) (local.get $c6))
              (v128.store offset=48 (local.get $p) (local.get $c7))
              (local.set $b (i32.add (local.get $b) (i32.const 8))))
            (else
              ;; the last one to three column pairs, one pair at a time
              (loop $sum2
                (local.set $v0 (v128.load (local.get $pb)))
                (local.set $c0 (f64x2.add (local.get $c0)
                  (f64x2.mul (v128.load64_splat (local.get $pa)) (local.get $v0))))
                (local.set $c4 (f64x2.add (local.get $c4)
                  (f64x2.mul (v128.load64_splat offset=8 (local.get $pa)) (local.get $v0))))
                (local.set $pa (i32.add (local.get $pa) (local.get $rowBytes)))
                (local.set $pb (i32.add (local.get $pb) (local.get $rowBytes)))
                (br_if $sum2 (i32.lt_u (local.get $pa) (local.get $end))))
              (local.set $p (i32.add (local.get $T)
                (i32.add (i32.mul (local.get $a) (local.get $rowBytes)) (i32.shl (local.get $b) (i32.const 3)))))
              (v128.store (local.get $p) (local.get $c0))
              (v128.store (i32.add (local.get $p) (local.get $rowBytes)) (local.get $c4))
              (local.set $b (i32.add (local.get $b) (i32.const 2)))))
          (br $tiles)))
      (local.set $a (i32.add (local.get $a) (i32.const 2)))
      (br_if $pairs (i32.lt_u (local.get $a) (local.get $rank))))))
