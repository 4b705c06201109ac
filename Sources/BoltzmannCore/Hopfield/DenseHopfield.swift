import Glibc

/// The separation function of a dense associative memory.
public enum DenseSeparation: Sendable {
    /// Continuous states x in R^d (Ramsauer et al. 2020): the update
    /// x <- X^T softmax(beta X x) and the energy
    ///
    ///     E(x) = -lse(beta, X x) + |x|^2 / 2 + log(n) / beta + M^2 / 2,
    ///
    /// lse(beta, z) = log(sum_j exp(beta z_j)) / beta and M the largest pattern
    /// norm (the constants make E >= 0). The update never raises E.
    case softmax
    /// Binary states s in {-1, +1}^d (Krotov & Hopfield 2016): E(s) = -sum_mu F(xi^mu . s)
    /// with F(z) = z^n, minimised one neuron at a time,
    ///
    ///     s_i <- sign(sum_mu [F(h_mu + xi^mu_i) - F(h_mu - xi^mu_i)]),  h_mu = sum_{j != i} xi^mu_j s_j,
    ///
    /// (a zero sum keeps s_i). Degree 2 is the classical Hebbian network; each degree
    /// up stores about N times more patterns (capacity ~ N^{n-1}).
    case polynomial
}

/// A dense (modern) Hopfield network: n stored patterns X (n x d, single precision)
/// and a separation function, softmax at inverse temperature beta or a polynomial
/// of a degree. Retrieval runs batches of queries (rows), through BLAS.
public struct DenseHopfield: Sendable {
    public let patternCount: Int
    public let dimension: Int
    public let separation: DenseSeparation
    /// The inverse temperature of the softmax family (unused by the polynomial one).
    public private(set) var beta: Double
    /// The degree n of F(z) = z^n (polynomial family; 0 for softmax).
    public let degree: Int
    /// X, n x d, row-major.
    public let patterns: [Float]
    /// X^T (d x n) as +-1 bytes, for the polynomial family's per-neuron updates.
    private let columns: [Int8]
    /// M^2 = max_j |x_j|^2, for the softmax energy's constant.
    private let largestSquaredNorm: Double

    public static let maxDegree = 32

    /// A softmax network on `patterns` (count x dimension, finite) at `beta` > 0.
    public init(softmax patterns: UnsafeBufferPointer<Float>, dimension: Int, beta: Double) throws(EngineError) {
        let count = try Self.checkShape(patterns.count, dimension)
        try Check.allFinite(patterns, "patterns", width: dimension)
        try Self.checkBeta(beta)
        patternCount = count
        self.dimension = dimension
        separation = .softmax
        self.beta = beta
        degree = 0
        self.patterns = Array(patterns)
        columns = []
        var largest = 0.0
        for j in 0..<count {
            var norm = 0.0
            for k in 0..<dimension { norm += Double(patterns[j * dimension + k]) * Double(patterns[j * dimension + k]) }
            largest = max(largest, norm)
        }
        largestSquaredNorm = largest
    }

    /// A polynomial network of `degree` (2...32) on +-1 `patterns` (count x dimension).
    public init(polynomial patterns: UnsafeBufferPointer<Float>, dimension: Int, degree: Int) throws(EngineError) {
        let count = try Self.checkShape(patterns.count, dimension)
        if let k = patterns.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw .invalid("patterns[\(k / dimension)][\(k % dimension)] must be -1 or +1, got \(patterns[k])")
        }
        guard degree >= 2, degree <= Self.maxDegree else {
            throw .invalid("degree must be in [2, \(Self.maxDegree)], got \(degree)")
        }
        // Energies reach n d^degree; keep them, and the update sums, well inside double.
        guard Double(degree) * log10(Double(dimension)) + log10(Double(count)) < 300 else {
            throw EngineError(.limitExceeded, "n_patterns * dim^degree = \(count) * \(dimension)^\(degree) overflows double precision")
        }
        patternCount = count
        self.dimension = dimension
        separation = .polynomial
        beta = 1
        self.degree = degree
        self.patterns = Array(patterns)
        var transposed = [Int8](repeating: 0, count: count * dimension)
        for j in 0..<count { for k in 0..<dimension { transposed[k * count + j] = patterns[j * dimension + k] > 0 ? 1 : -1 } }
        columns = transposed
        largestSquaredNorm = Double(dimension)
    }

    private static func checkShape(_ total: Int, _ dimension: Int) throws(EngineError) -> Int {
        try Limit.dimension.check(dimension, "dim")
        guard total % dimension == 0 else {
            throw EngineError(.shapeMismatch, "patterns has \(total) entries, not a multiple of dim = \(dimension)")
        }
        guard total > 0 else { throw .invalid("patterns must hold at least one pattern") }
        guard total / dimension <= Limit.blas.value else { throw EngineError(.limitExceeded, "more than \(Limit.blas.text) patterns") }
        return total / dimension
    }

    private static func checkBeta(_ beta: Double) throws(EngineError) {
        guard beta.isFinite, beta > 0, beta <= Double(Float.greatestFiniteMagnitude) else {
            throw EngineError(.nonFinite, "beta must be finite and > 0, got \(beta)")
        }
    }

    /// Sets the softmax inverse temperature.
    public mutating func setBeta(_ beta: Double) throws(EngineError) {
        guard separation == .softmax else { throw EngineError(.unsupported, "beta belongs to the softmax separation; this network is polynomial") }
        try Self.checkBeta(beta)
        self.beta = beta
    }

    /// Checks that `states` holds whole rows of d entries, finite (softmax) or +-1
    /// (polynomial); returns the row count.
    public func checkStates(_ states: UnsafeBufferPointer<Float>, _ name: String) throws(EngineError) -> Int {
        guard states.count % dimension == 0 else {
            throw EngineError(.shapeMismatch, "\(name) has \(states.count) entries, not a multiple of dim = \(dimension)")
        }
        switch separation {
        case .softmax:
            try Check.allFinite(states, name, width: dimension)
        case .polynomial:
            if let k = states.firstIndex(where: { $0 != 1 && $0 != -1 }) {
                throw .invalid("\(name)[\(k / dimension)][\(k % dimension)] must be -1 or +1, got \(states[k])")
            }
        }
        return states.count / dimension
    }

    /// Runs `steps` updates from each row of `states` (in place): softmax updates
    /// (all `steps` of them), or asynchronous polynomial sweeps over neurons 0..<d in
    /// order (a sweep that flips nothing ends that row). Bad input changes nothing;
    /// a stopped call leaves `states` partly updated (callers work on a copy).
    public func retrieve(_ states: UnsafeMutableBufferPointer<Float>, steps: Int, monitor: WorkMonitor = .none()) throws(EngineError) {
        let rows = try checkStates(UnsafeBufferPointer(states), "queries")
        try Limit.steps.check(steps, "steps")
        guard rows > 0 else { return }
        guard monitor.start(total: separation == .softmax ? rows * steps : rows) else { try monitor.checkNotStopped(); return }
        switch separation {
        case .softmax:
            for _ in 0..<steps {
                let finite = patterns.withUnsafeBufferPointer { x in
                    SoftmaxRetrieval.run(patterns: x.baseAddress!, count: patternCount, dimension: dimension,
                                         queries: states.baseAddress!, queryCount: rows, scale: Float(beta),
                                         out: states.baseAddress!, logSumExp: nil, monitor: monitor)
                }
                try monitor.checkNotStopped()
                guard finite else { throw overflow() }
            }
        case .polynomial:
            polynomialSweeps(states, rows: rows, steps: steps, monitor: monitor)
            try monitor.checkNotStopped()
        }
        try monitor.finish()
    }

    private func overflow() -> EngineError {
        EngineError(.nonFinite, "beta * (x . xi) overflows single precision; scale the patterns or queries down")
    }

    /// E of each row of `states` (see `DenseSeparation`), in double precision.
    public func energies(_ states: UnsafeBufferPointer<Float>) throws(EngineError) -> [Double] {
        let rows = try checkStates(states, "states")
        var energies = [Double](repeating: 0, count: rows)
        guard rows > 0 else { return energies }
        let d = dimension, n = patternCount
        switch separation {
        case .softmax:
            let finite = patterns.withUnsafeBufferPointer { x in
                energies.withUnsafeMutableBufferPointer { e in
                    SoftmaxRetrieval.run(patterns: x.baseAddress!, count: n, dimension: d, queries: states.baseAddress!,
                                         queryCount: rows, scale: Float(beta), out: nil, logSumExp: e.baseAddress!)
                }
            }
            guard finite else { throw overflow() }
            let constant = Glibc.log(Double(n)) / beta + largestSquaredNorm / 2
            for r in 0..<rows {
                var squared = 0.0
                for k in 0..<d { squared += Double(states[r * d + k]) * Double(states[r * d + k]) }
                energies[r] = -energies[r] / beta + squared / 2 + constant
            }
        case .polynomial:
            let overlaps = polynomialOverlaps(states.baseAddress!, rows: rows)
            for r in 0..<rows {
                var sum = 0.0
                for mu in 0..<n { sum += power(Double(overlaps[r * n + mu]), degree) }
                energies[r] = -sum
            }
        }
        return energies
    }

    /// xi^mu . s for every row and pattern (rows x n), exact: +-1 products summed in
    /// single precision are integers below 2^24.
    private func polynomialOverlaps(_ states: UnsafePointer<Float>, rows: Int) -> [Float] {
        var overlaps = [Float](repeating: 0, count: rows * patternCount)
        patterns.withUnsafeBufferPointer { x in
            BLAS.sgemm(transA: false, transB: true, m: rows, n: patternCount, k: dimension, alpha: 1, a: states, lda: dimension,
                       b: x.baseAddress!, ldb: dimension, beta: 0, c: &overlaps, ldc: patternCount)
        }
        return overlaps
    }

    private func power(_ x: Double, _ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= x }
        return result
    }

    /// The polynomial family's asynchronous sweeps. Per row, the overlaps
    /// m_mu = xi^mu . s are kept up to date (O(n) per flip); neuron i's decision is
    ///
    ///     sum_mu [F(h_mu + xi^mu_i) - F(h_mu - xi^mu_i)] = sum_mu xi^mu_i G(h_mu),
    ///     G(h) = (h + 1)^n - (h - 1)^n = 2 sum_{k odd} C(n, k) h^{n-k},
    ///
    /// with h_mu = m_mu - xi^mu_i s_i. G's terms all have the sign of h^{n-1}
    /// (n - k has the parity of n - 1), so it is summed without cancellation, as a
    /// polynomial in h^2 by Horner's rule.
    private func polynomialSweeps(_ states: UnsafeMutableBufferPointer<Float>, rows: Int, steps: Int, monitor: WorkMonitor) {
        let n = patternCount, d = dimension
        // G(h) = 2 h^e sum_t c_t (h^2)^t with e = (n - 1) mod 2; c_t for increasing t.
        let odd = (degree - 1) % 2
        var coefficients: [Double] = []
        var k = degree - odd  // n - k = odd + 2t, so k = n - odd - 2t for t = 0, 1, ...
        var binomial = [Double](repeating: 0, count: degree + 1)
        binomial[0] = 1
        for i in 1...degree { for j in stride(from: i, through: 1, by: -1) { binomial[j] += binomial[j - 1] } }
        while k >= 1 { coefficients.append(2 * binomial[k]); k -= 2 }
        let overlaps = polynomialOverlaps(UnsafePointer(states.baseAddress!), rows: rows)
        let state = SharedPointer(states.baseAddress!)
        overlaps.withUnsafeBufferPointer { overlaps in columns.withUnsafeBufferPointer { columns in
            let start = UncheckedPointer(overlaps.baseAddress!), columns = UncheckedPointer(columns.baseAddress!)
            let c = coefficients
            Parallel.forEach(rows, parallel: rows > 1 && n * d >= 1 << 12) { r in
                guard !monitor.isStopped else { return }
                var m = [Double](repeating: 0, count: n)
                for mu in 0..<n { m[mu] = Double(start.base[r * n + mu]) }
                let s = state.base + r * d
                m.withUnsafeMutableBufferPointer { m in
                    for _ in 0..<steps {
                        var flips = 0
                        for i in 0..<d {
                            let xi = columns.base + i * n, current = Double(s[i])
                            var drive = 0.0
                            for mu in 0..<n {
                                let sign = Double(xi[mu]), h = m[mu] - sign * current, h2 = h * h
                                var g = 0.0
                                for t in stride(from: c.count - 1, through: 0, by: -1) { g = g * h2 + c[t] }
                                if odd == 1 { g *= h }
                                drive += sign * g
                            }
                            let next = drive > 0 ? 1.0 : (drive < 0 ? -1.0 : current)
                            guard next != current else { continue }
                            s[i] = Float(next)
                            for mu in 0..<n { m[mu] += 2 * next * Double(xi[mu]) }
                            flips += 1
                        }
                        if flips == 0 || monitor.isStopped { break }
                    }
                }
                _ = monitor.advance(by: 1)
            }
        } }
    }
}
