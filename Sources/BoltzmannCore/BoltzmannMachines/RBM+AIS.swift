import Glibc

/// An estimate of log Z with its uncertainty.
public struct PartitionEstimate: Sendable, Equatable {
    public let logZ: Double
    /// Standard error of logZ from the spread of the importance weights (the delta
    /// method on the log of their mean).
    public let standardError: Double
    /// (sum w)^2 / sum w^2: how many of the runs effectively count.
    public let effectiveSampleSize: Double
}

extension RBM {
    /// Salakhutdinov & Murray's schedule (ICML 2008): 500 betas up to 0.5, 4000 up
    /// to 0.9 and 10000 up to 1, evenly spaced; 14,501 values from 0 to 1.
    public static let aisSchedule: [Double] = {
        var betas: [Double] = [0]
        for (from, to, steps) in [(0.0, 0.5, 500), (0.5, 0.9, 4000), (0.9, 1.0, 10000)] {
            for k in 1...steps { betas.append(k == steps ? to : from + (to - from) * Double(k) / Double(steps)) }
        }
        return betas
    }()

    /// The number of groups AIS splits `runs` into: its progress total is that times
    /// the number of steps between betas.
    public static func aisGroups(runs: Int) -> Int { (max(runs, 1) + 63) / 64 }

    /// log Z by Annealed Importance Sampling (Neal 2001; Salakhutdinov & Murray 2008).
    /// The base model has no weights or hidden biases, so Z_A is exact and it is
    /// sampled exactly. For Bernoulli visibles its visible biases are `base` (from
    /// the data's marginals, log(p / (1 - p)); zeros for the uniform model),
    /// Z_A = 2^{n_h} prod_i (1 + e^{base_i}), and the intermediate models are
    ///
    ///     log f_k(v) = (1 - beta_k) base.v + beta_k b.v + sum_j softplus(beta_k a_j(v));
    ///
    /// for Gaussian visibles the base is Normal(b, 1) per unit (`base` must be nil),
    /// Z_A = (2 pi)^{n_v/2} 2^{n_h}, and
    ///
    ///     log f_k(v) = -|v - b|^2 / 2 + sum_j softplus(beta_k a_j(v)),
    ///
    /// with a_j(v) = c_j + (v^T W)_j, from f_0 (the base) to f_K = e^{-F} (this
    /// machine). Each run moves from beta_{k-1} to beta_k by one Gibbs sweep that
    /// leaves f_k invariant, gathering log w += log f_k(v) - log f_{k-1}(v). All
    /// runs are split into fixed groups of at most 64 that advance together through
    /// sgemm, one group per thread (a single group threads within); weights
    /// accumulate in double precision. The draws depend on `seed` only. Progress
    /// counts betas times groups.
    public func annealedImportanceSampling(
        runs: Int, betas: [Double] = RBM.aisSchedule, base: [Float]? = nil, seed: UInt64, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> PartitionEstimate {
        try Limit.chains.check(runs, "runs")
        guard betas.count >= 2, betas.first == 0, betas.last == 1 else {
            throw .invalid("betas must run from 0 to 1 (at least two values), got \(betas.count) values from \(betas.first ?? .nan) to \(betas.last ?? .nan)")
        }
        for k in 1..<betas.count where !(betas[k] >= betas[k - 1]) {
            throw .invalid("betas must not decrease: betas[\(k)] = \(betas[k]) follows \(betas[k - 1])")
        }
        let gaussian = visibleUnits == .gaussian
        if gaussian && base != nil { throw EngineError(.unsupported, "base applies to Bernoulli visible units; the Gaussian base model is Normal(b, 1)") }
        let baseBias = base ?? [Float](repeating: 0, count: visibleCount)
        guard baseBias.count == visibleCount else {
            throw EngineError(.shapeMismatch, "base has \(baseBias.count) entries but the machine has \(visibleCount) visible units")
        }
        try Check.allFinite(baseBias, "base")
        guard runs <= Limit.blas.value / max(visibleCount, hiddenCount) else { throw EngineError(.limitExceeded, "\(runs) runs of this machine are more than the library accepts") }
        let nv = visibleCount, nh = hiddenCount
        // Runs are independent chains: groups of at most 64 (a fixed split, so the
        // result does not depend on the thread count) each advance through every beta.
        let groups = Self.aisGroups(runs: runs), groupSize = (runs + groups - 1) / groups
        var logW = [Double](repeating: 0, count: runs)
        let shift = (0..<nv).map { visibleBias[$0] - baseBias[$0] }
        let machine = self, bias = visibleBias
        guard monitor.start(total: groups * (betas.count - 1)) else { try monitor.checkNotStopped(); return PartitionEstimate(logZ: .nan, standardError: .nan, effectiveSampleSize: 0) }
        logW.withUnsafeMutableBufferPointer { logW in
            let logW = SharedPointer(logW.baseAddress!)
            do {  // groups in parallel
                // Several groups run side by side, each on one thread (measured: faster
                // than one group threading each product and layer, whose 6 fork-joins
                // per beta cost more than the packing of W they save). A single
                // group (up to 64 runs) threads within: tiled products, the runs'
                // weights in fixed chunks, the layers by `UnitKernels.activate`.
                let within = groups == 1
                Parallel.forEach(groups, parallel: groups > 1) { group in
                    let first = group * groupSize, count = min(groupSize, runs - first)
                    guard count > 0 else { return }
                    var random = RandomStream(seed: seed, stream: UInt64(group))
                    var v = [Float](repeating: 0, count: count * nv), back = v
                    var a = [Float](repeating: 0, count: count * nh), h = a
                    var linear = [Float](repeating: 0, count: count)
                    // The visible pre-activations before the product: b (Gaussian), or (1 - beta) base + beta b.
                    var interpolated = bias
                    v.withUnsafeMutableBufferPointer { v in back.withUnsafeMutableBufferPointer { back in
                    a.withUnsafeMutableBufferPointer { a in h.withUnsafeMutableBufferPointer { h in
                    linear.withUnsafeMutableBufferPointer { linear in shift.withUnsafeBufferPointer { shift in
                        let v = v.baseAddress!, back = back.baseAddress!, a = a.baseAddress!, h = h.baseAddress!
                        // v_0 from the base model, exactly.
                        for r in 0..<count { for i in 0..<nv { back[r * nv + i] = gaussian ? bias[i] : baseBias[i] } }
                        UnitKernels.activate(back, samples: v, rows: count, width: nv, logistic: !gaussian, seed: random.next(),
                                             threaded: within)
                        let chunk = 16, chunks = (count + chunk - 1) / chunk
                        let shared = (a: SharedPointer(a), back: SharedPointer(back), linear: SharedPointer(linear.baseAddress!))
                        for k in 1..<betas.count {
                            let previous = betas[k - 1], beta = betas[k], step = beta - previous
                            machine.activations(v, rows: count, transposed: false, into: a, tiled: within)
                            if !gaussian {
                                // (beta_k - beta_{k-1}) (b - base).v for every run at once.
                                BLAS.sgemv(m: count, n: nv, alpha: 1, a: v, lda: nv, x: shift.baseAddress!, beta: 0, y: linear.baseAddress!)
                            }
                            Parallel.forEach(chunks, parallel: within && count * nh >= UnitKernels.parallelValues) { c in
                                for r in (c * chunk)..<min(count, (c + 1) * chunk) {
                                    let row = shared.a.base + r * nh
                                    var delta = UnitKernels.softplusDifference(row, nh, beta: Float(beta), previous: Float(previous),
                                                                               step: Double(Float(beta)) - Double(Float(previous)))
                                    if !gaussian { delta += step * Double(shared.linear[r]) }
                                    logW[first + r] += delta
                                }
                            }
                            // h ~ p_k(h | v) (the probabilities are in a), then v ~ p_k(v | h): logistic of
                            // (1 - beta) base + beta b + beta W h, or Normal(b + beta W h, 1), the
                            // product added by sgemm (alpha = beta) to rows holding the rest.
                            UnitKernels.activate(a, samples: h, rows: count, width: nh, logistic: true, probabilities: true,
                                                 seed: random.next(), threaded: within)
                            interpolated.withUnsafeMutableBufferPointer { start in
                                let start = start.baseAddress!
                                if !gaussian { for i in 0..<nv { start[i] = Float(1 - beta) * baseBias[i] + Float(beta) * bias[i] } }
                                for r in 0..<count { (back + r * nv).update(from: start, count: nv) }
                            }
                            weights.withUnsafeBufferPointer { w in
                                BLAS.sgemm(transA: false, transB: true, m: count, n: nv, k: nh, alpha: Float(beta), a: h, lda: nh,
                                           b: w.baseAddress!, ldb: nh, beta: 1, c: back, ldc: nv, tiled: within)
                            }
                            UnitKernels.activate(back, samples: v, rows: count, width: nv, logistic: !gaussian, seed: random.next(),
                                                 threaded: within)
                            if !monitor.advance(by: 1) { break }
                        }
                    } } } } } }
                }
            }
        }
        try monitor.finish()
        var logZA = Double(nh) * log(2.0)
        if gaussian {
            logZA += Double(nv) / 2 * log(2 * Double.pi)
        } else {
            for i in 0..<nv { logZA += softplus(Double(baseBias[i])) }
        }
        let top = logW.max()!
        let w = logW.map { exp($0 - top) }
        let mean = w.reduce(0, +) / Double(runs)
        let variance = runs > 1 ? w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs - 1) : .nan
        let squares = w.reduce(0) { $0 + $1 * $1 }
        return PartitionEstimate(logZ: logZA + top + log(mean),
                                 standardError: (variance / Double(runs)).squareRoot() / mean,
                                 effectiveSampleSize: pow(w.reduce(0, +), 2) / squares)
    }
}
