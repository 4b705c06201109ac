import Glibc

/// Two-sample distances for judging generated samples against data (rows of d
/// floats), accumulated in double. Each should be read beside its floor: the same
/// distance between two independent true samples of the same sizes.
public enum SampleMetrics {
    /// Checks two sample sets of width d; returns their row counts.
    static func shapes(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, _ d: Int, minimum: Int) throws(EngineError) -> (Int, Int) {
        try Limit.dimension.check(d, "dim")
        for (values, name) in [(x, "x"), (y, "y")] {
            guard values.count % d == 0 else { throw EngineError(.shapeMismatch, "\(name) has \(values.count) entries, not a multiple of dim = \(d)") }
            guard values.count / d >= minimum else { throw .invalid("\(name) needs at least \(minimum) samples, got \(values.count / d)") }
            try Check.allFinite(values, name, width: d)
        }
        return (x.count / d, y.count / d)
    }

    /// sum over pairs (i in a, j in b, j != i when `same`) of kernel(|a_i - b_j|^2),
    /// four j at a time, rows of a in parallel chunks summed in chunk order. Stops
    /// (with a meaningless sum: the caller checks `monitor`) once `monitor` is.
    static func pairSum<Kernel: PairKernel>(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, _ d: Int, same: Bool,
                                            _ kernel: Kernel, monitor: WorkMonitor) -> Double {
        let n = a.count / d, m = b.count / d, chunk = 64, chunks = (n + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        let pa = UncheckedPointer(a.baseAddress!), pb = UncheckedPointer(b.baseAddress!)
        partial.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            Parallel.forEach(chunks, parallel: n * m * d >= 1 << 16) { c in
                var total = 0.0
                for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                    if monitor.isStopped { break }
                    let row = pa.base + i * d
                    var lanes = SIMD4<Double>(repeating: 0), j = 0
                    while j + 4 <= m {
                        var squared = SIMD4<Double>(repeating: 0)
                        for k in 0..<d {
                            let x = Double(row[k])
                            let y = SIMD4<Double>(Double(pb.base[j * d + k]), Double(pb.base[(j + 1) * d + k]),
                                                  Double(pb.base[(j + 2) * d + k]), Double(pb.base[(j + 3) * d + k]))
                            let diff = x - y
                            squared += diff * diff
                        }
                        var values = kernel(squared)
                        if same && i >= j && i < j + 4 { values[i - j] = 0 }
                        lanes += values
                        j += 4
                    }
                    var rowSum = lanes.sum()
                    while j < m {
                        if !(same && j == i) {
                            var squared = 0.0
                            for k in 0..<d {
                                let diff = Double(row[k]) - Double(pb.base[j * d + k])
                                squared += diff * diff
                            }
                            rowSum += kernel(SIMD4<Double>(repeating: squared))[0]
                        }
                        j += 1
                    }
                    total += rowSum
                }
                out[c] = total
            }
        }
        return partial.reduce(0, +)
    }

    /// The squared energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely &
    /// Rizzo), with unbiased within-sample means (pairs i != j): zero in expectation
    /// for equal distributions, and > 0 otherwise. O((n + m)^2 d).
    /// `monitor` stops the call (each row of pairs checks it).
    public static func energyDistance(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, dimension d: Int,
                                      monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let (n, m) = try shapes(x, y, d, minimum: 2)
        let distance = DistanceKernel()
        let xy = pairSum(x, y, d, same: false, distance, monitor: monitor) / Double(n * m)
        let xx = pairSum(x, x, d, same: true, distance, monitor: monitor) / Double(n * (n - 1))
        let yy = pairSum(y, y, d, same: true, distance, monitor: monitor) / Double(m * (m - 1))
        try monitor.checkNotStopped()
        return 2 * xy - xx - yy
    }

    /// The unbiased squared maximum mean discrepancy (Gretton et al. 2012) with the
    /// kernel sum_b exp(-|u - v|^2 / (2 h_b^2)) over `bandwidths` h_b (> 0).
    public static func mmd(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, dimension d: Int,
                           bandwidths: [Double], monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let (n, m) = try shapes(x, y, d, minimum: 2)
        guard !bandwidths.isEmpty else { throw .invalid("bandwidths must not be empty") }
        if let i = bandwidths.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .invalid("bandwidths[\(i)] must be finite and > 0, got \(bandwidths[i])")
        }
        let kernel = GaussianKernels(factors: bandwidths.map { -1 / (2 * $0 * $0) })
        let xx = pairSum(x, x, d, same: true, kernel, monitor: monitor) / Double(n * (n - 1))
        let yy = pairSum(y, y, d, same: true, kernel, monitor: monitor) / Double(m * (m - 1))
        let xy = pairSum(x, y, d, same: false, kernel, monitor: monitor) / Double(n * m)
        try monitor.checkNotStopped()
        return xx + yy - 2 * xy
    }

    /// The sliced 2-Wasserstein distance: the root mean over `projections` random
    /// unit directions (stream (seed, 0)) of W_2^2 between the projected samples,
    /// each computed from sorted projections (quantiles matched at the larger count
    /// by linear interpolation when the counts differ).
    public static func slicedWasserstein(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, dimension d: Int,
                                         projections: Int, seed: UInt64, monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let (n, m) = try shapes(x, y, d, minimum: 1)
        try Limit.batch.check(projections, "projections")
        try Memory.reserve([(projections * d, 8), (2 * Parallel.hardwareThreads * (n + m), 8)],
                           for: "\(projections) projections in \(d) dimensions")
        var random = RandomStream(seed: seed, stream: 0)
        var directions = [Double](repeating: 0, count: projections * d)
        for p in 0..<projections {
            var norm = 0.0
            repeat {
                norm = 0
                for k in 0..<d { directions[p * d + k] = random.normal(); norm += directions[p * d + k] * directions[p * d + k] }
            } while norm == 0
            for k in 0..<d { directions[p * d + k] /= norm.squareRoot() }
        }
        var perProjection = [Double](repeating: 0, count: projections)
        let px = UncheckedPointer(x.baseAddress!), py = UncheckedPointer(y.baseAddress!)
        directions.withUnsafeBufferPointer { dirs in perProjection.withUnsafeMutableBufferPointer { out in
            let dirs = UncheckedPointer(dirs.baseAddress!), out = SharedPointer(out.baseAddress!)
            Parallel.forEach(projections, parallel: (n + m) * d * projections >= 1 << 16) { p in
                if monitor.isStopped { return }
                func project(_ base: UnsafePointer<Float>, _ rows: Int) -> [Double] {
                    (0..<rows).map { r in
                        var sum = 0.0
                        for k in 0..<d { sum += Double(base[r * d + k]) * dirs.base[p * d + k] }
                        return sum
                    }.sorted()
                }
                let a = project(px.base, n), b = project(py.base, m)
                let size = max(n, m)
                func quantile(_ sorted: [Double], _ q: Double) -> Double {
                    let position = q * Double(sorted.count - 1), low = Int(position)
                    let high = min(low + 1, sorted.count - 1), fraction = position - Double(low)
                    return sorted[low] + fraction * (sorted[high] - sorted[low])
                }
                var total = 0.0
                for i in 0..<size {
                    let q = size == 1 ? 0 : Double(i) / Double(size - 1)
                    let diff = (n == size ? a[i] : quantile(a, q)) - (m == size ? b[i] : quantile(b, q))
                    total += diff * diff
                }
                out[p] = total / Double(size)
            }
        } }
        try monitor.checkNotStopped()
        return (perProjection.reduce(0, +) / Double(projections)).squareRoot()
    }

    /// Mode coverage of a mixture with isotropic modes (means K x d, one standard
    /// deviation each): the fraction of samples within 3 standard deviations of
    /// some mode, and per mode the fraction of samples nearest to it (within 3 sd).
    public static func modeCoverage(_ samples: UnsafeBufferPointer<Float>, dimension d: Int, means: [Double],
                                    deviations: [Double]) throws(EngineError) -> (covered: Double, weights: [Double]) {
        guard d >= 1, samples.count % d == 0 else { throw EngineError(.shapeMismatch, "samples has \(samples.count) entries, not a multiple of dim = \(d)") }
        let k = deviations.count
        guard k >= 1, means.count == k * d else { throw EngineError(.shapeMismatch, "means must hold n_modes x dim = \(k * d) values, got \(means.count)") }
        if let i = deviations.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .invalid("stds[\(i)] must be finite and > 0, got \(deviations[i])")
        }
        try Check.allFinite(means, "means")
        let n = samples.count / d
        guard n > 0 else { throw .invalid("samples must hold at least one sample") }
        var counts = [Int](repeating: 0, count: k), covered = 0
        for r in 0..<n {
            var best = -1, bestRatio = Double.infinity
            for c in 0..<k {
                var squared = 0.0
                for j in 0..<d {
                    let diff = Double(samples[r * d + j]) - means[c * d + j]
                    squared += diff * diff
                }
                let ratio = squared.squareRoot() / deviations[c]
                if ratio < bestRatio { bestRatio = ratio; best = c }
            }
            if bestRatio <= 3 { covered += 1; counts[best] += 1 }
        }
        return (Double(covered) / Double(n), counts.map { Double($0) / Double(n) })
    }
}

/// A function of squared distances, four at a time, for `SampleMetrics.pairSum`.
protocol PairKernel: Sendable {
    func callAsFunction(_ squared: SIMD4<Double>) -> SIMD4<Double>
}

/// |u - v|: the energy distance's kernel.
struct DistanceKernel: PairKernel {
    @inline(__always)
    func callAsFunction(_ squared: SIMD4<Double>) -> SIMD4<Double> { squared.squareRoot() }
}

/// sum_b exp(factor_b |u - v|^2) with factor_b = -1 / (2 h_b^2) (MMD's kernel), by
/// the engine's vector exponential (within 2 ulp).
struct GaussianKernels: PairKernel {
    let factors: [Double]
    @inline(__always)
    func callAsFunction(_ squared: SIMD4<Double>) -> SIMD4<Double> {
        var sum = SIMD4<Double>(repeating: 0)
        for factor in factors { sum += expNonPositive(factor * squared) }
        return sum
    }
}
