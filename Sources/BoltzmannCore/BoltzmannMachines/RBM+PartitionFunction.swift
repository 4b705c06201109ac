import Glibc

extension RBM {
    /// The exact log Z, by summing the other layer out analytically and enumerating
    /// the smaller one (at most `maxExactUnits` units):
    ///
    ///     log Z = log sum_h exp(c.h + sum_i softplus(b_i + (W h)_i))   (n_h <= n_v)
    ///
    /// and symmetrically over v otherwise. States are visited in Gray-code order, so
    /// each step adds one column of W to the pre-activations; blocks of 4096 states
    /// start from a direct computation (rounding drift stays below 1e-12) and run in
    /// parallel, each keeping a streaming log-sum-exp, merged in block order, so the
    /// result does not depend on the thread count. Cost: 2^m x n_other softplus.
    public func exactLogPartition(monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let overHidden = hiddenCount <= visibleCount
        let m = overHidden ? hiddenCount : visibleCount, p = overHidden ? visibleCount : hiddenCount
        guard m <= Self.maxExactUnits else {
            throw EngineError(.limitExceeded, "the exact partition function enumerates the smaller layer, here \(m) units (2^\(m) states); the limit is \(Self.maxExactUnits): use AIS")
        }
        let enumerated = (overHidden ? hiddenBias : visibleBias).map(Double.init)
        let other = (overHidden ? visibleBias : hiddenBias).map(Double.init)
        // columns[u * p + t]: the coupling of enumerated unit u to other unit t.
        let columns = (0..<(m * p)).map { k in
            let (u, t) = k.quotientAndRemainder(dividingBy: p)
            return Double(weights[overHidden ? t * hiddenCount + u : u * hiddenCount + t])
        }
        let states = 1 << m, blockSize = min(states, 1 << 12), blocks = states / blockSize
        var partial = [(maximum: Double, sum: Double)](repeating: (-.infinity, 0), count: blocks)
        guard monitor.start() else { try monitor.checkNotStopped(); return .nan }
        partial.withUnsafeMutableBufferPointer { partial in
            let partial = SharedPointer(partial.baseAddress!)
            Parallel.forEach(blocks, parallel: blocks > 1 && states * p >= 1 << 16) { block in
                var a = other, linear = 0.0
                let first = block * blockSize
                var state = first ^ (first >> 1)  // Gray code of the block's first index
                for u in 0..<m where state >> u & 1 == 1 {
                    linear += enumerated[u]
                    for t in 0..<p { a[t] += columns[u * p + t] }
                }
                var maximum = -Double.infinity, sum = 0.0
                for index in first..<(first + blockSize) {
                    if index > first {
                        let u = index.trailingZeroBitCount, sign = state >> u & 1 == 1 ? -1.0 : 1.0
                        state ^= 1 << u
                        linear += sign * enumerated[u]
                        for t in 0..<p { a[t] += sign * columns[u * p + t] }
                    }
                    var term = linear
                    for t in 0..<p { term += softplus(a[t]) }
                    if term > maximum {
                        sum = sum * exp(maximum - term) + 1
                        maximum = term
                    } else {
                        sum += exp(term - maximum)
                    }
                }
                partial[block] = (maximum, sum)
                _ = monitor.advance(by: Int64(blockSize))
            }
        }
        try monitor.finish()
        let maximum = partial.map(\.maximum).max() ?? 0
        let sum = partial.reduce(0.0) { $0 + $1.sum * exp($1.maximum - maximum) }
        return maximum + log(sum)
    }

    /// The exact mean log-likelihood of the rows of v: -<F(v)> - log Z.
    public func exactLogLikelihood(_ v: [Float], monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let f = try freeEnergy(v)
        guard !f.isEmpty else { throw .invalid("data must hold at least one row") }
        let logZ = try exactLogPartition(monitor: monitor)
        return -f.reduce(0, +) / Double(f.count) - logZ
    }
}
