import Glibc

extension RBM {
    /// The exact log Z, by summing the other layer out analytically and enumerating
    /// the smaller one (at most `maxExactUnits` units):
    ///
    ///     log Z = log sum_h exp(c.h + sum_i softplus(b_i + (W h)_i))   (n_h <= n_v)
    ///
    /// and symmetrically over v otherwise. Gaussian visibles are integrated out,
    /// so the hidden layer is enumerated whatever its size:
    ///
    ///     log Z = n_v/2 log 2 pi - |b|^2/2 + log sum_h exp(c.h + |b + W h|^2 / 2).
    /// States are visited in Gray-code order, so
    /// each step adds one column of W to the pre-activations; blocks of 4096 states
    /// start from a direct computation (rounding drift stays below 1e-12) and run in
    /// parallel, each keeping a streaming log-sum-exp, merged in block order, so the
    /// result does not depend on the thread count. Cost: 2^m x n_other softplus.
    public func exactLogPartition(monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let gaussian = visibleUnits == .gaussian
        let overHidden = gaussian || hiddenCount <= visibleCount
        let m = overHidden ? hiddenCount : visibleCount, p = overHidden ? visibleCount : hiddenCount
        guard m <= Self.maxExactUnits else {
            let layer = gaussian ? "the hidden layer (Gaussian visibles are integrated out)" : "the smaller layer"
            throw EngineError(.limitExceeded, "the exact partition function enumerates \(layer), here \(m) units (2^\(m) states); the limit is \(Self.maxExactUnits): use AIS")
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
        guard monitor.start(total: states) else { try monitor.checkNotStopped(); return .nan }
        partial.withUnsafeMutableBufferPointer { partial in
            let partial = SharedPointer(partial.baseAddress!)
            Parallel.forEach(blocks, parallel: blocks > 1 && states * p >= 1 << 16) { block in
                // A stop skips the remaining blocks (milliseconds each).
                if monitor.isStopped { return }
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
                    if gaussian {
                        for t in 0..<p { term += a[t] * a[t] / 2 }
                    } else {
                        term += a.withUnsafeBufferPointer { UnitKernels.softplusSum($0.baseAddress!, p) }
                    }
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
        guard gaussian else { return maximum + log(sum) }
        let squares = visibleBias.reduce(0.0) { $0 + Double($1) * Double($1) }
        return Double(visibleCount) / 2 * log(2 * Double.pi) - squares / 2 + maximum + log(sum)
    }

    /// The exact mean log-likelihood of the rows of v: -<F(v)> - log Z.
    public func exactLogLikelihood(_ v: [Float], monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let f = try freeEnergy(v)
        guard !f.isEmpty else { throw .invalid("data must hold at least one row") }
        let logZ = try exactLogPartition(monitor: monitor)
        return -f.reduce(0, +) / Double(f.count) - logZ
    }
}

extension RBM {
    /// The exact gradient of the mean log-likelihood of the rows of v, by enumerating
    /// all 2^n_v visible states (n_v <= 24), in double precision:
    ///
    ///     dL/dW_ij = <v_i p_j(v)>_data - <v_i p_j(v)>_model,
    ///     dL/db_i  = <v_i>_data - <v_i>_model,   dL/dc_j = <p_j(v)>_data - <p_j(v)>_model,
    ///
    /// with p_j(v) = p(h_j = 1 | v) and the model average weighted by e^{-F(v)} / Z.
    /// For checking estimators such as CD-k against the truth.
    public func exactGradient(_ data: [Float]) throws(EngineError) -> (weights: [Double], visibleBias: [Double], hiddenBias: [Double]) {
        guard visibleUnits == .bernoulli else { throw EngineError(.unsupported, "the exact gradient enumerates Bernoulli visible units") }
        let rows = try checkVisible(data)
        guard rows >= 1 else { throw .invalid("data must hold at least one row") }
        let nv = visibleCount, nh = hiddenCount
        guard nv <= 24 else { throw EngineError(.limitExceeded, "the exact gradient enumerates the visible layer, here \(nv) units; the limit is 24") }
        let w = weights.map(Double.init), b = visibleBias.map(Double.init), c = hiddenBias.map(Double.init)
        /// Adds weight x the statistics of visible state v into (gW, gb, gc);
        /// returns -F(v).
        func accumulate(_ v: [Double], _ weight: Double?, _ gW: inout [Double], _ gb: inout [Double], _ gc: inout [Double]) -> Double {
            var minusF = 0.0
            for i in 0..<nv { minusF += b[i] * v[i] }
            var p = [Double](repeating: 0, count: nh)
            for j in 0..<nh {
                var a = c[j]
                for i in 0..<nv { a += v[i] * w[i * nh + j] }
                minusF += softplus(a)
                p[j] = 1 / (1 + exp(-a))
            }
            if let weight {
                for i in 0..<nv where v[i] != 0 { for j in 0..<nh { gW[i * nh + j] += weight * v[i] * p[j] } }
                for i in 0..<nv { gb[i] += weight * v[i] }
                for j in 0..<nh { gc[j] += weight * p[j] }
            }
            return minusF
        }
        var gW = [Double](repeating: 0, count: nv * nh), gb = [Double](repeating: 0, count: nv), gc = [Double](repeating: 0, count: nh)
        for r in 0..<rows {
            _ = accumulate((0..<nv).map { Double(data[r * nv + $0]) }, 1 / Double(rows), &gW, &gb, &gc)
        }
        // Model side: -F(v) for every state, then the weighted statistics.
        let states = (0..<(1 << nv)).map { s in (0..<nv).map { Double(s >> $0 & 1) } }
        var none: ([Double], [Double], [Double]) = ([], [], [])
        let minusF = states.map { accumulate($0, nil, &none.0, &none.1, &none.2) }
        let top = minusF.max()!
        let z = minusF.reduce(0) { $0 + exp($1 - top) }
        var mW = [Double](repeating: 0, count: nv * nh), mb = [Double](repeating: 0, count: nv), mc = [Double](repeating: 0, count: nh)
        for (s, v) in states.enumerated() { _ = accumulate(v, exp(minusF[s] - top) / z, &mW, &mb, &mc) }
        return (zip(gW, mW).map { $0 - $1 }, zip(gb, mb).map { $0 - $1 }, zip(gc, mc).map { $0 - $1 })
    }
}
