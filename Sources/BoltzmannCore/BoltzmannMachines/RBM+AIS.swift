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

    /// log Z by Annealed Importance Sampling (Neal 2001; Salakhutdinov & Murray 2008).
    /// The base model has no weights or hidden biases and visible biases `base`
    /// (from the data's marginals, log(p / (1 - p)); zeros for the uniform model),
    /// so Z_A = 2^{n_h} prod_i (1 + e^{base_i}) is exact and it is sampled exactly.
    /// The intermediate models are
    ///
    ///     log f_k(v) = (1 - beta_k) base.v + beta_k b.v + sum_j softplus(beta_k a_j(v)),
    ///
    /// a_j(v) = c_j + (v^T W)_j, from f_0 (the base) to f_K = e^{-F} (this machine);
    /// each run moves from beta_{k-1} to beta_k by one Gibbs sweep that leaves f_k
    /// invariant, gathering log w += log f_k(v) - log f_{k-1}(v). All `runs` chains
    /// advance together through sgemm; weights accumulate in double precision.
    /// Run r draws from stream r of `seed`. Progress counts betas.
    public func annealedImportanceSampling(
        runs: Int, betas: [Double] = RBM.aisSchedule, base: [Float]? = nil, seed: UInt64, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> PartitionEstimate {
        guard runs >= 1, runs <= 1 << 16 else { throw .invalid("runs must be in [1, 65536], got \(runs)") }
        guard betas.count >= 2, betas.first == 0, betas.last == 1 else {
            throw .invalid("betas must run from 0 to 1 (at least two values), got \(betas.count) values from \(betas.first ?? .nan) to \(betas.last ?? .nan)")
        }
        for k in 1..<betas.count where !(betas[k] >= betas[k - 1]) {
            throw .invalid("betas must not decrease: betas[\(k)] = \(betas[k]) follows \(betas[k - 1])")
        }
        let baseBias = base ?? [Float](repeating: 0, count: visibleCount)
        guard baseBias.count == visibleCount else {
            throw EngineError(.shapeMismatch, "base has \(baseBias.count) entries but the machine has \(visibleCount) visible units")
        }
        if let k = baseBias.firstIndex(where: { !$0.isFinite }) { throw EngineError(.nonFinite, "base[\(k)] must be finite, got \(baseBias[k])") }
        let nv = visibleCount, nh = hiddenCount
        var random = (0..<runs).map { RandomStream(seed: seed, stream: UInt64($0)) }
        @inline(__always) func uniform(_ r: Int) -> Float { Float(random[r].next() >> 40) * 0x1p-24 }
        // v_0 from the base model, exactly.
        var v = [Float](repeating: 0, count: runs * nv)
        for r in 0..<runs { for i in 0..<nv { v[r * nv + i] = uniform(r) < sigmoid(baseBias[i]) ? 1 : 0 } }
        var logW = [Double](repeating: 0, count: runs)
        // The hidden biases enter through a = c + vW; the visible biases interpolate.
        var zeroBias = self
        zeroBias.visibleBias = [Float](repeating: 0, count: nv)
        guard monitor.start() else { try monitor.checkNotStopped(); return PartitionEstimate(logZ: .nan, standardError: .nan, effectiveSampleSize: 0) }
        var h = [Float](repeating: 0, count: runs * nh)
        for k in 1..<betas.count {
            let previous = betas[k - 1], beta = betas[k], step = Float(beta - previous)
            let a = activations(v, rows: runs, transposed: false)
            for r in 0..<runs {
                var delta = 0.0
                for i in 0..<nv where v[r * nv + i] != 0 { delta += Double(step * (visibleBias[i] - baseBias[i])) }
                for j in 0..<nh {
                    let x = Double(a[r * nh + j])
                    delta += softplus(beta * x) - softplus(previous * x)
                }
                logW[r] += delta
                // A Gibbs sweep at beta_k: h | v, then v | h.
                for j in 0..<nh { h[r * nh + j] = uniform(r) < sigmoid(Float(beta) * a[r * nh + j]) ? 1 : 0 }
            }
            let back = zeroBias.activations(h, rows: runs, transposed: true)  // (W h)_i
            for r in 0..<runs {
                for i in 0..<nv {
                    let x = Float(1 - beta) * baseBias[i] + Float(beta) * (visibleBias[i] + back[r * nv + i])
                    v[r * nv + i] = uniform(r) < sigmoid(x) ? 1 : 0
                }
            }
            if !monitor.advance(by: 1) { break }
        }
        try monitor.finish()
        var logZA = Double(nh) * log(2.0)
        for i in 0..<nv { logZA += softplus(Double(baseBias[i])) }
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
