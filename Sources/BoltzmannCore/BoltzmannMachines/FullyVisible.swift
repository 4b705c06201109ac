import Glibc

/// Options of Boltzmann-machine learning for a fully visible machine; the defaults
/// here are the library's only copy (`bz_bm_options_init` reports them).
public struct BoltzmannLearning: Sendable {
    public var learningRate = 0.1
    /// Heavy-ball momentum in [0, 1).
    public var momentum = 0.9
    public var iterations = 2000
    /// Stop once every component of the gradient is below this (exact statistics
    /// only; sampled gradients never settle).
    public var tolerance = 1e-6
    /// 0: exact model statistics by enumerating all 2^N states (N <= 20). Otherwise
    /// the number of persistent Gibbs chains (PCD) that estimate them.
    public var chains = 0
    /// Heat-bath sweeps of every chain per iteration.
    public var sweeps = 1

    public init() {}

    func check() throws(EngineError) {
        try Check.finite(learningRate, "learning_rate")
        guard learningRate > 0 else { throw .invalid("learning_rate must be > 0, got \(learningRate)") }
        try Check.finite(momentum, "momentum")
        guard momentum >= 0, momentum < 1 else { throw .invalid("momentum must be in [0, 1), got \(momentum)") }
        try Limit.iterations.check(iterations, "iterations")
        try Check.finite(tolerance, "tolerance")
        guard tolerance >= 0 else { throw .invalid("tolerance must be >= 0, got \(tolerance)") }
        try Limit.batch.check(chains, "chains", from: 0)
        try Limit.steps.check(sweeps, "sweeps")
    }
}

/// A learned fully visible Boltzmann machine: the Ising model and how the fit ended.
public struct BoltzmannMachineFit: Sendable {
    public let model: IsingModel
    public let iterations: Int
    /// The largest component of the last gradient (of the mean log-likelihood).
    public let gradient: Double
}

/// The fully visible Boltzmann machine (Ackley, Hinton & Sejnowski 1985): an Ising model
/// p(s) = e^{-E(s)} / Z, E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i, whose
/// couplings and fields are learned from +-1 data by gradient ascent on the mean
/// log-likelihood, whose gradient is the Boltzmann-machine rule
///
///     dL/dJ_ij = <s_i s_j>_data - <s_i s_j>_model,   dL/dh_i = <s_i>_data - <s_i>_model.
///
/// The model's moments come exactly from all 2^N states (N <= 20) in blocks, each
/// block's energies and second moments by dgemm, or from persistent heat-bath chains.
public enum BoltzmannMachine {
    public static let maxExactSpins = 20

    public static func fit(spins data: [Int8], spinCount n: Int, options: BoltzmannLearning = BoltzmannLearning(), seed: UInt64,
                           monitor: WorkMonitor = .none()) throws(EngineError) -> BoltzmannMachineFit {
        try options.check()
        _ = BLAS.singleThreaded  // dgemm below: the same rounding on any thread count
        try Limit.pairwiseUnits.check(n, "n_spins")
        guard data.count % n == 0, data.count >= n else { throw EngineError(.shapeMismatch, "spins has \(data.count) values, not a positive multiple of n_spins = \(n)") }
        if let k = data.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw .invalid("spins[\(k / n), \(k % n)] must be -1 or +1, got \(data[k])")
        }
        if options.chains == 0 && n > maxExactSpins {
            throw EngineError(.limitExceeded, "exact statistics enumerate 2^n_spins states; n_spins = \(n) is above \(maxExactSpins): use chains > 0")
        }
        let rows = data.count / n
        // Data moments: C = S^T S / rows (n x n), m = mean s.
        let s = data.map(Double.init)
        var dataSecond = [Double](repeating: 0, count: n * n), dataFirst = [Double](repeating: 0, count: n)
        BLAS.dgemm(transA: true, transB: false, m: n, n: n, k: rows, alpha: 1 / Double(rows), a: s, lda: n, b: s, ldb: n, beta: 0, c: &dataSecond, ldc: n)
        for r in 0..<rows { for i in 0..<n { dataFirst[i] += s[r * n + i] / Double(rows) } }

        var couplings = [Double](repeating: 0, count: n * n), fields = [Double](repeating: 0, count: n)
        var velocityJ = couplings, velocityH = fields
        var random = RandomStream(seed: seed)
        var chains = (0..<(options.chains * n)).map { _ in Int8(random.next() >> 63 == 0 ? 1 : -1) }
        var iteration = 0, largest = Double.infinity
        guard monitor.start(total: options.iterations) else { try monitor.checkNotStopped(); throw EngineError(.cancelled, "stopped before the first iteration") }
        while iteration < options.iterations {
            // Gradient at the look-ahead point (Nesterov): J + momentum V.
            let aheadJ = (0..<(n * n)).map { couplings[$0] + options.momentum * velocityJ[$0] }
            let aheadH = (0..<n).map { fields[$0] + options.momentum * velocityH[$0] }
            let (modelSecond, modelFirst) = options.chains == 0
                ? exactMoments(couplings: aheadJ, fields: aheadH, n: n)
                : sampledMoments(couplings: aheadJ, fields: aheadH, n: n, chains: &chains, sweeps: options.sweeps, random: &random)
            largest = 0
            for i in 0..<n {
                let g = dataFirst[i] - modelFirst[i]
                largest = max(largest, abs(g))
                velocityH[i] = options.momentum * velocityH[i] + options.learningRate * g
                for j in 0..<n where j != i {
                    let gij = dataSecond[i * n + j] - modelSecond[i * n + j]
                    largest = max(largest, abs(gij))
                    velocityJ[i * n + j] = options.momentum * velocityJ[i * n + j] + options.learningRate * gij
                }
            }
            for k in 0..<(n * n) { couplings[k] += velocityJ[k] }
            for i in 0..<n { fields[i] += velocityH[i] }
            iteration += 1
            if !monitor.advance(by: 1, metric: largest) { break }
            if options.chains == 0 && largest < options.tolerance { break }
        }
        try monitor.finish(metric: largest)
        for k in 0..<(n * n) where !couplings[k].isFinite {
            throw EngineError(.notConverged, "learning diverged (a coupling became \(couplings[k])): lower learning_rate")
        }
        // Symmetrise exactly (the updates are symmetric up to rounding of the same sums).
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { let x = (couplings[i * n + j] + couplings[j * n + i]) / 2; couplings[i * n + j] = x; couplings[j * n + i] = x } }
        let model = try IsingModel(spinCount: n, denseCouplings: couplings, fields: fields)
        return BoltzmannMachineFit(model: model, iterations: iteration, gradient: largest)
    }

    /// <s s^T> and <s> under p(s) ∝ e^{s^T J s / 2 + h.s} over all 2^n states: energies
    /// and weighted second moments of blocks of 4096 states by dgemm, in two passes
    /// (the largest exponent first, so no weight overflows).
    static func exactMoments(couplings: [Double], fields: [Double], n: Int) -> ([Double], [Double]) {
        let states = 1 << n, block = min(states, 4096)
        var s = [Double](repeating: 0, count: block * n), js = s, exponent = [Double](repeating: 0, count: states)
        func fill(_ first: Int) {
            for r in 0..<block { for i in 0..<n { s[r * n + i] = (first + r) >> i & 1 == 1 ? 1 : -1 } }
            BLAS.dgemm(transA: false, transB: false, m: block, n: n, k: n, alpha: 1, a: s, lda: n, b: couplings, ldb: n, beta: 0, c: &js, ldc: n)
        }
        for first in stride(from: 0, to: states, by: block) {
            fill(first)
            for r in 0..<block {
                var e = 0.0
                for i in 0..<n { e += s[r * n + i] * (js[r * n + i] / 2 + fields[i]) }
                exponent[first + r] = e
            }
        }
        let top = exponent.max()!
        var z = 0.0
        var second = [Double](repeating: 0, count: n * n), first = [Double](repeating: 0, count: n)
        var weighted = s
        for start in stride(from: 0, to: states, by: block) {
            fill(start)
            for r in 0..<block {
                let w = exp(exponent[start + r] - top)
                z += w
                for i in 0..<n { weighted[r * n + i] = w * s[r * n + i]; first[i] += weighted[r * n + i] }
            }
            BLAS.dgemm(transA: true, transB: false, m: n, n: n, k: block, alpha: 1, a: weighted, lda: n, b: s, ldb: n, beta: 1, c: &second, ldc: n)
        }
        return (second.map { $0 / z }, first.map { $0 / z })
    }

    /// The moments over persistent chains after `sweeps` heat-bath sweeps each
    /// (sequential order; p(s_i = +1 | rest) = sigmoid(2 (J s + h)_i)).
    static func sampledMoments(couplings: [Double], fields: [Double], n: Int, chains: inout [Int8], sweeps: Int,
                               random: inout RandomStream) -> ([Double], [Double]) {
        let count = chains.count / n
        for c in 0..<count {
            for _ in 0..<sweeps {
                for i in 0..<n {
                    var local = fields[i]
                    for j in 0..<n { local += couplings[i * n + j] * Double(chains[c * n + j]) }
                    chains[c * n + i] = random.uniform() * (1 + exp(-2 * local)) < 1 ? 1 : -1
                }
            }
        }
        let s = chains.map(Double.init)
        var second = [Double](repeating: 0, count: n * n), first = [Double](repeating: 0, count: n)
        BLAS.dgemm(transA: true, transB: false, m: n, n: n, k: count, alpha: 1 / Double(count), a: s, lda: n, b: s, ldb: n, beta: 0, c: &second, ldc: n)
        for c in 0..<count { for i in 0..<n { first[i] += s[c * n + i] / Double(count) } }
        return (second, first)
    }
}
