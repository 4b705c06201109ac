import Glibc

extension RBM {
    /// The pseudo-log-likelihood of each row, sum_i log p(v_i | v_-i), exactly (all
    /// n_v units; scikit-learn's `score_samples` flips one random unit and scales by
    /// n_v, an unbiased estimate of this). With v' = v with unit i flipped
    /// (v_i -> 1 - v_i, so d = 1 - 2 v_i):
    ///
    ///     log p(v_i | v_-i) = -softplus(F(v) - F(v')),
    ///     F(v') - F(v) = -b_i d - sum_j [softplus(a_j + d W_ij) - softplus(a_j)],
    ///
    /// a = c + v^T W. Bernoulli visibles only. Rows run in parallel; double sums.
    public func pseudoLogLikelihood(_ v: [Float]) throws(EngineError) -> [Double] {
        guard visibleUnits == .bernoulli else {
            throw EngineError(.unsupported, "the pseudo-log-likelihood needs Bernoulli visible units (Gaussian ones are continuous)")
        }
        let rows = try checkVisible(v)
        let a = activations(v, rows: rows, transposed: false)
        let nv = visibleCount, nh = hiddenCount
        var out = [Double](repeating: 0, count: rows)
        let rowsPerTask = max(1, (1 << 16) / (nv * nh)), tasks = (rows + rowsPerTask - 1) / rowsPerTask
        out.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            Parallel.forEach(tasks, parallel: rows * nv * nh >= 1 << 18) { task in
                var shifted = [Float](repeating: 0, count: nh)  // once per task
                a.withUnsafeBufferPointer { a in
                    shifted.withUnsafeMutableBufferPointer { shifted in
                        let flippedRow = shifted.baseAddress!
                        for r in (task * rowsPerTask)..<min(rows, (task + 1) * rowsPerTask) {
                            let row = a.baseAddress! + r * nh
                            let base = UnitKernels.softplusSum(row, nh, scale: 1)
                            var total = 0.0
                            for i in 0..<nv {
                                let d = 1 - 2 * v[r * nv + i]
                                for j in 0..<nh { flippedRow[j] = row[j] + d * weights[i * nh + j] }
                                let flipped = UnitKernels.softplusSum(flippedRow, nh, scale: 1)
                                let gap = -Double(visibleBias[i] * d) - (flipped - base)  // F(v') - F(v)
                                total -= softplus(-gap)
                            }
                            out[r] = total
                        }
                    }
                }
            }
        }
        return out
    }
}
