import Glibc

extension RBM {
    /// Block-Gibbs sampling: `chains` chains, from the rows of `start` (chains x
    /// n_v) or, without it, from random visible states (fair coins, or standard
    /// normals for Gaussian units), each making `steps` sweeps h ~ p(h | v),
    /// v ~ p(v | h). Returns the final visible states (chains x n_v); with
    /// `means`, E[v | h] of the last sweep instead of a draw. Draws depend on `seed`
    /// only. Progress counts sweeps.
    public func sample(chains: Int, steps: Int, start: [Float]? = nil, means: Bool = false, seed: UInt64,
                       monitor: WorkMonitor = .none()) throws(EngineError) -> [Float] {
        try Limit.batch.check(chains, "n_chains")
        try Limit.iterations.check(steps, "steps", from: 0)
        guard chains <= Limit.blas.value / max(visibleCount, hiddenCount) else { throw EngineError(.limitExceeded, "\(chains) chains of this machine are more than the library accepts") }
        var random = RandomStream(seed: seed)
        var v: [Float]
        if let start {
            guard try checkVisible(start) == chains else {
                throw EngineError(.shapeMismatch, "start has \(start.count / visibleCount) rows but n_chains is \(chains)")
            }
            v = start
        } else {
            v = (0..<(chains * visibleCount)).map { _ in
                visibleUnits == .bernoulli ? Float(random.next() >> 63) : Float(random.normal())
            }
        }
        var h = [Float](repeating: 0, count: chains * hiddenCount), ph = h
        var pv = v
        guard monitor.start(total: steps) else { try monitor.checkNotStopped(); return v }
        for step in 0..<steps {
            ph.withUnsafeMutableBufferPointer { ph in h.withUnsafeMutableBufferPointer { h in v.withUnsafeMutableBufferPointer { v in
                pv.withUnsafeMutableBufferPointer { pv in
                    activations(v.baseAddress!, rows: chains, transposed: false, into: ph.baseAddress!)
                    UnitKernels.activate(ph.baseAddress!, samples: h.baseAddress!, rows: chains, width: hiddenCount, logistic: true, seed: random.next())
                    activations(h.baseAddress!, rows: chains, transposed: true, into: pv.baseAddress!)
                    let last = means && step == steps - 1
                    UnitKernels.activate(pv.baseAddress!, samples: last ? nil : v.baseAddress!, rows: chains, width: visibleCount,
                                         logistic: visibleUnits == .bernoulli, seed: random.next())
                    if last { v.baseAddress!.update(from: pv.baseAddress!, count: v.count) }
                }
            } } }
            if !monitor.advance(by: 1) { break }
        }
        try monitor.finish()
        return v
    }
}
