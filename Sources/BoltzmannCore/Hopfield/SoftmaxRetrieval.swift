import Glibc

/// The kernel of dense Hopfield retrieval (Ramsauer et al. 2020) and of the
/// empirical (optimal) score of a finite training set in diffusion: for each query
/// q_r, a row of Q (m x d), against n stored rows x_j of X (n x d),
///
///     l_rj   = scale (q_r . x_j) + bias_j,
///     out_r  = sum_j softmax_j(l_r) x_j  = X^T softmax(l_r),
///     lse_r  = log sum_j exp(l_rj).
///
/// With scale = beta and no bias, out_r is one dense Hopfield update of q_r; with
/// scale = alpha_t / sigma_t^2 and bias_j = -alpha_t^2 |x_j|^2 / (2 sigma_t^2) it is
/// E[x_0 | x_t = q_r], the optimal denoiser of the training set under VP noising.
///
/// Method: queries in blocks of `queryRows`, one parallel task each; within a
/// block, X in tiles of `patternRows` rows, each tile's logits by one sgemm and
/// exponentiated against the running row maxima in one pass and folded into
/// running row sums (the online softmax of flash attention; a tile holding a new
/// maximum is rescaled), the weighted rows added to the block's accumulator by a second sgemm after it is
/// rescaled to the new maxima. Scratch is a block's logits for one tile, never the
/// m x n matrix. Row sums are in double; logits, weights and outputs in single
/// precision (weights carry the relative error of `UnitKernels.exp`, below 2e-7).
/// Block sizes depend on nothing but constants, so a row's result does not depend on
/// the thread count.
enum SoftmaxRetrieval {
    /// Measured on n = 10^5, d = 64, 4000 queries (2 cores): 256 x 1024 (a 1 MiB
    /// logit tile) ran 10-20% faster than 128 x 2048 or 64 x 1024.
    static let queryRows = 256
    static let patternRows = 1024

    /// Runs the kernel; `out` (m x d) may be `queries` itself (each block reads its
    /// own queries only, and writes them after its last tile); either output may be
    /// nil. Returns false when a logit overflowed single precision (the outputs
    /// are then unspecified). Once `monitor` stops the call, blocks not yet started
    /// are skipped: the caller checks it.
    /// - Complexity: 2 m n d multiply-adds with `out`, m n d without; m n exponentials.
    static func run(patterns: UnsafePointer<Float>, count n: Int, dimension d: Int,
                    queries: UnsafePointer<Float>, queryCount m: Int, scale: Float, bias: UnsafePointer<Float>? = nil,
                    out: UnsafeMutablePointer<Float>?, logSumExp: UnsafeMutablePointer<Double>?,
                    monitor: WorkMonitor = .none()) -> Bool {
        guard m > 0, n > 0, d > 0 else { return true }
        let blocks = (m + queryRows - 1) / queryRows
        let x = UncheckedPointer(patterns), q = UncheckedPointer(queries)
        let b = bias.map(UncheckedPointer.init), output = out.map(SharedPointer.init), lse = logSumExp.map(SharedPointer.init)
        let overflowed = InterruptFlag()  // an atomic flag, raised by any block
        // Weights below e^negligible of the row's largest are dropped: n of them add less
        // than n e^negligible = e^-17.4 = 2.8e-8 to a sum of at least 1, under half an ulp
        // of single precision (2^-24 = 6e-8), so outputs and log-sum-exps do not change
        // beyond their own rounding. Peaked rows (large beta, a query near a pattern)
        // skip most of their exponentials.
        let negligible = -Float(Glibc.log(Double(n)) + 17.4)
        Parallel.forEach(blocks, parallel: blocks > 1 && n * d >= 1 << 12) { block in
            guard !monitor.isStopped else { return }
            let first = block * queryRows, rows = min(queryRows, m - first)
            let logits = UnsafeMutablePointer<Float>.allocate(capacity: rows * min(n, patternRows))
            let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: output == nil ? 0 : rows * d)
            var maxima = [Float](repeating: -.infinity, count: rows), sums = [Double](repeating: 0, count: rows)
            defer { logits.deallocate(); accumulator.deallocate() }
            let blockQueries = q.base + first * d
            for start in stride(from: 0, to: n, by: patternRows) {
                let width = min(patternRows, n - start), tile = x.base + start * d
                BLAS.sgemm(transA: false, transB: true, m: rows, n: width, k: d, alpha: scale, a: blockQueries, lda: d,
                           b: tile, ldb: d, beta: 0, c: logits, ldc: width, tiled: false)
                for r in 0..<rows {
                    let row = logits + r * width
                    if let b { for j in 0..<width { row[j] += b.base[start + j] } }
                    // Exponentiate against the running maximum (the first tile against its
                    // own), and move to a larger maximum if the tile holds one: rare once a
                    // few tiles are in, so one pass over the logits, not two.
                    let previous = maxima[r]
                    var shift = previous == -.infinity ? maximum(row, width) : previous
                    guard shift < .infinity else { overflowed.raise(); return }
                    var (tileSum, largest) = exponentiate(row, width, shift: shift, negligible: negligible)
                    guard largest < .infinity else { overflowed.raise(); return }
                    if largest > shift {
                        if largest - shift <= 80 {
                            let factor = UnitKernels.exp(shift - largest)
                            for j in 0..<width { row[j] *= factor }
                            tileSum *= Double(factor)
                        } else {
                            // Clamped exponentials (and lane sums near overflow): recompute the
                            // row's logits and exponentiate them against the new maximum.
                            BLAS.sgemv(m: width, n: d, alpha: scale, a: tile, lda: d, x: blockQueries + r * d, beta: 0, y: row)
                            if let b { for j in 0..<width { row[j] += b.base[start + j] } }
                            tileSum = exponentiate(row, width, shift: largest, negligible: negligible).sum
                        }
                        shift = largest
                    }
                    let shrink = previous == -.infinity ? 0 : Glibc.exp(Double(previous) - Double(shift))
                    sums[r] = sums[r] * shrink + tileSum
                    maxima[r] = shift
                    if output != nil, start > 0, shrink != 1 {
                        let factor = Float(shrink), acc = accumulator + r * d
                        for k in 0..<d { acc[k] *= factor }
                    }
                }
                if output != nil {
                    BLAS.sgemm(transA: false, transB: false, m: rows, n: d, k: width, alpha: 1, a: logits, lda: width,
                               b: tile, ldb: d, beta: start == 0 ? 0 : 1, c: accumulator, ldc: d, tiled: false)
                }
            }
            for r in 0..<rows {
                if let output {
                    let inverse = Float(1 / sums[r]), acc = accumulator + r * d, target = output.base + (first + r) * d
                    for k in 0..<d { target[k] = acc[k] * inverse }
                }
                lse?.base[first + r] = Double(maxima[r]) + Glibc.log(sums[r])
            }
            _ = monitor.advance(by: Int64(rows))
        }
        return !overflowed.isRaised
    }

    /// The largest of x[0..<count] (NaN-free input), eight lanes at a time.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var lanes = SIMD8<Float>(repeating: -.infinity), k = 0
        while k + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            lanes.replace(with: v, where: v .> lanes)  // a compare and a blend; pointwiseMax branches per lane
            k += 8
        }
        var result = lanes.max()
        while k < count { result = Swift.max(result, x[k]); k += 1 }
        return result
    }

    /// x[k] = e^(x[k] - shift) for k < count (arguments clamped to [-87, 87]),
    /// their sum, and the largest x[k] before the update (NaN-free input). Eight
    /// single-precision lanes, each summing at most patternRows / 8 terms, combined
    /// in double; when no x[k] exceeds `shift` every term is at most 1. A group of
    /// eight whose arguments are all below `negligible` is set to 0 unexponentiated.
    @inline(__always)
    static func exponentiate(_ x: UnsafeMutablePointer<Float>, _ count: Int, shift: Float, negligible: Float) -> (sum: Double, largest: Float) {
        let raw = UnsafeMutableRawPointer(x), shifts = SIMD8<Float>(repeating: shift)
        let negligible = SIMD8<Float>(repeating: negligible)
        var lanes = SIMD8<Float>(repeating: 0), largest = SIMD8<Float>(repeating: -.infinity), k = 0
        while k + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            largest.replace(with: v, where: v .> largest)
            let argument = v - shifts
            if all(argument .< negligible) {
                raw.storeBytes(of: SIMD8<Float>(), toByteOffset: 4 * k, as: SIMD8<Float>.self)
            } else {
                let e = UnitKernels.exp(argument)
                raw.storeBytes(of: e, toByteOffset: 4 * k, as: SIMD8<Float>.self)
                lanes += e
            }
            k += 8
        }
        var sum = 0.0, top = largest.max()
        for lane in 0..<8 { sum += Double(lanes[lane]) }
        while k < count {
            top = Swift.max(top, x[k])
            x[k] = UnitKernels.exp(x[k] - shift)
            sum += Double(x[k])
            k += 1
        }
        return (sum, top)
    }
}
