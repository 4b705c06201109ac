/// How a Hopfield network turns patterns into couplings.
public enum HopfieldRule: Sendable {
    /// J = (1/N) sum_mu xi^mu xi^mu^T, zero diagonal (Hebb 1949; Hopfield 1982).
    case hebb
    /// Storkey's incremental rule (1997), whose local-field corrections raise the
    /// capacity: for each new pattern xi, with f = J xi and
    /// h_ij = sum_{k != i, j} J_ik xi_k = f_i - J_ij xi_j,
    ///
    ///     J_ij += (1/N) (xi_i xi_j - xi_i h_ji - h_ij xi_j)
    ///           = (1/N) (xi_i xi_j - xi_i f_j - f_i xi_j + 2 J_ij),   i != j.
    case storkey
}

/// Where the local fields come from.
public enum HopfieldStorage: Sendable {
    /// `patterns` when the matrix would be large or the patterns few (see
    /// `HopfieldNetwork.usesMatrix`), else `matrix`.
    case automatic
    /// The N x N coupling matrix: O(N) per flip, N^2 floats of memory.
    case matrix
    /// Storage-free: f = (1/N) Xi^T (Xi s) - (P/N) s from the P x N patterns, O(P)
    /// per neuron update and per flip (Hebb only).
    case patterns
}

/// A classical Hopfield network (Hopfield 1982; Amit, Gutfreund & Sompolinsky 1985): N neurons s_i in {-1, +1}, couplings J
/// (symmetric, zero diagonal) learned from P stored patterns, thresholds theta, and
/// the energy
///
///     E(s) = -1/2 s^T J s + theta^T s,
///
/// which asynchronous zero-temperature dynamics never increase. The local field of
/// neuron i is f_i = (J s)_i - theta_i; s_i follows its sign. Patterns, couplings
/// and thresholds are single precision (J_ij is a multiple of 1/N for Hebb);
/// energies are accumulated in double.
public struct HopfieldNetwork: Sendable {
    public let neuronCount: Int
    public let rule: HopfieldRule
    /// The stored patterns, P x N, row-major, entries +-1.
    public private(set) var patterns: [Float] = []
    public private(set) var patternCount = 0
    /// theta, one per neuron (zero by default).
    public private(set) var thresholds: [Float]
    public private(set) var storage = HopfieldStorage.automatic
    /// J (N x N, row-major) when formed: always for Storkey, for Hebb when the
    /// matrix is in use; empty otherwise.
    public private(set) var matrix: [Float] = []

    /// Networks of at most `Limit.width` neurons with a matrix (16 GiB of
    /// couplings); storage-free networks up to `Limit.spins`.
    public init(neurons: Int, rule: HopfieldRule = .hebb) throws(EngineError) {
        try Limit.spins.check(neurons, "n_neurons", from: 2)
        if rule == .storkey { try Self.checkMatrixSize(neurons) }
        neuronCount = neurons
        self.rule = rule
        thresholds = [Float](repeating: 0, count: neurons)
        if rule == .storkey {
            try Memory.reserve(neurons * neurons, bytesEach: 4, for: "the coupling matrix (\(neurons) x \(neurons) floats)")
            matrix = [Float](repeating: 0, count: neurons * neurons)
        }
    }

    private static func checkMatrixSize(_ n: Int) throws(EngineError) {
        guard n <= Limit.width.value else {
            throw EngineError(.limitExceeded, "a coupling matrix of \(n) neurons is more than the library holds (\(Limit.width.text)); use the storage-free mode (Hebb)")
        }
    }

    /// Whether local fields come from the matrix: forced by `storage`, always for
    /// Storkey; automatically when N <= 2^13 (at most 256 MiB) and P > 32 (below
    /// that, O(P) per update beats keeping N^2 couplings in cache).
    public var usesMatrix: Bool {
        switch storage {
        case .matrix: return true
        case .patterns: return false
        case .automatic: return rule == .storkey || (neuronCount <= 1 << 13 && patternCount > 32)
        }
    }

    /// Checks that `states` holds whole rows of N entries, each -1 or +1; returns the row count.
    public func checkStates(_ states: UnsafeBufferPointer<Int8>, _ name: String) throws(EngineError) -> Int {
        guard states.count % neuronCount == 0 else {
            throw EngineError(.shapeMismatch, "\(name) has \(states.count) entries, not a multiple of n_neurons = \(neuronCount)")
        }
        var bad = false
        for value in states { bad = bad || (value != 1 && value != -1) }
        if bad, let k = states.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw .invalid("\(name)[\(k / neuronCount)][\(k % neuronCount)] must be -1 or +1, got \(states[k])")
        }
        return states.count / neuronCount
    }

    /// Stores `count` more patterns (count x N, +-1) by the network's rule. Bad
    /// input changes nothing.
    public mutating func store(_ new: UnsafeBufferPointer<Int8>) throws(EngineError) {
        let count = try checkStates(new, "patterns")
        guard count >= 1 else { throw .invalid("patterns must hold at least one pattern") }
        guard patternCount + count <= 1 << 24, (patternCount + count) * neuronCount <= Limit.storedValues.value else {
            throw EngineError(.limitExceeded, "\(patternCount + count) patterns of \(neuronCount) neurons are more than the library holds")
        }
        let n = neuronCount, first = patterns.count
        // Memory first, so that a refusal changes nothing: the patterns as floats, and
        // the Hebb matrix when this store makes the network form it.
        var grown = self
        grown.patternCount += count
        let formsMatrix = rule == .hebb && matrix.isEmpty && grown.usesMatrix
        try Memory.reserve([(count * n, 4), (formsMatrix ? n * n : 0, 4)], for: "\(count) more patterns of \(n) neurons")
        patterns.append(contentsOf: new.lazy.map { Float($0) })
        patternCount += count
        switch rule {
        case .hebb:
            if !matrix.isEmpty { addHebb(rows: first / n, count: count) } else if usesMatrix { formMatrix() }
        case .storkey:
            for p in (first / n)..<patternCount { addStorkey(pattern: p) }
        }
    }

    /// J += (1/N) Xi_new^T Xi_new with the diagonal kept at zero, by one sgemm
    /// (all entries are multiples of 1/N, exact in single precision up to 2^24 / N patterns).
    private mutating func addHebb(rows first: Int, count: Int) {
        let n = neuronCount
        patterns.withUnsafeBufferPointer { xi in
            matrix.withUnsafeMutableBufferPointer { j in
                BLAS.sgemm(transA: true, transB: false, m: n, n: n, k: count, alpha: 1 / Float(n),
                           a: xi.baseAddress! + first * n, lda: n, b: xi.baseAddress! + first * n, ldb: n,
                           beta: 1, c: j.baseAddress!, ldc: n)
                for i in 0..<n { j[i * n + i] = 0 }
            }
        }
    }

    /// Storkey's update for stored pattern `p` (see `HopfieldRule.storkey`): a scaling
    /// and two rank-one updates, J <- (1 + 2/N) J + (1/N) (xi (xi - f)^T - f xi^T), O(N^2).
    private mutating func addStorkey(pattern p: Int) {
        let n = neuronCount
        var f = [Float](repeating: 0, count: n), difference = f
        patterns.withUnsafeBufferPointer { xi in
            matrix.withUnsafeMutableBufferPointer { j in
                let xi = xi.baseAddress! + p * n, j = j.baseAddress!
                BLAS.sgemv(m: n, n: n, alpha: 1, a: j, lda: n, x: xi, beta: 0, y: &f)
                for i in 0..<n { difference[i] = xi[i] - f[i] }
                BLAS.sscal(count: n * n, alpha: 1 + 2 / Float(n), x: j)
                BLAS.sger(m: n, n: n, alpha: 1 / Float(n), x: xi, y: difference, a: j, lda: n)
                BLAS.sger(m: n, n: n, alpha: -1 / Float(n), x: f, y: xi, a: j, lda: n)
                // The two rank-one updates round J_ij and J_ji differently: keep J exactly
                // symmetric (the upper triangle wins) with a zero diagonal.
                for i in 0..<n {
                    j[i * n + i] = 0
                    for k in (i + 1)..<n { j[k * n + i] = j[i * n + k] }
                }
            }
        }
    }

    /// The Hebb matrix from all stored patterns.
    private mutating func formMatrix() {
        matrix = [Float](repeating: 0, count: neuronCount * neuronCount)
        if patternCount > 0 { addHebb(rows: 0, count: patternCount) }
    }

    /// Chooses where local fields come from; `.patterns` needs the Hebb rule.
    public mutating func setStorage(_ new: HopfieldStorage) throws(EngineError) {
        if new == .patterns && rule == .storkey {
            throw EngineError(.unsupported, "storage-free recall needs the Hebb rule: Storkey's couplings are not a sum over patterns")
        }
        if new == .matrix { try Self.checkMatrixSize(neuronCount) }
        if new == .matrix && matrix.isEmpty {
            try Memory.reserve(neuronCount * neuronCount, bytesEach: 4, for: "the coupling matrix (\(neuronCount) x \(neuronCount) floats)")
        }
        storage = new  // automatic takes the matrix only for N <= 2^13, so it always fits
        if usesMatrix {
            if matrix.isEmpty { formMatrix() }
        } else if rule == .hebb {
            matrix = []
        }
    }

    /// New thresholds theta (N, finite).
    public mutating func setThresholds(_ new: [Float]) throws(EngineError) {
        guard new.count == neuronCount else {
            throw EngineError(.shapeMismatch, "thresholds has \(new.count) entries but the network has \(neuronCount) neurons")
        }
        try Check.allFinite(new, "thresholds")
        thresholds = new
    }

    /// The coupling J_ij: the matrix entry, or (xi_i . xi_j) / N in double when no
    /// matrix is kept (what the storage-free fields and energies use).
    public func coupling(_ i: Int, _ j: Int) -> Double {
        if !matrix.isEmpty { return Double(matrix[i * neuronCount + j]) }
        guard i != j else { return 0 }
        var sum: Float = 0  // an integer, exact
        for p in 0..<patternCount { sum += patterns[p * neuronCount + i] * patterns[p * neuronCount + j] }
        return Double(sum) / Double(neuronCount)
    }

    /// Overlaps m^mu = (1/N) xi^mu . s of each state with each stored pattern
    /// (states x P, row-major), exact (sums of +-1 in double).
    public func overlaps(_ states: UnsafeBufferPointer<Int8>) throws(EngineError) -> [Double] {
        let rows = try checkStates(states, "states"), n = neuronCount, p = patternCount
        var out = [Double](repeating: 0, count: rows * p)
        guard p > 0 else { return out }
        var s = [Float](repeating: 0, count: rows * n), m = [Float](repeating: 0, count: rows * p)
        for k in 0..<(rows * n) { s[k] = Float(states[k]) }
        // Integer sums up to N <= 2^24 are exact in single precision.
        patterns.withUnsafeBufferPointer { xi in
            BLAS.sgemm(transA: false, transB: true, m: rows, n: p, k: n, alpha: 1, a: s, lda: n,
                       b: xi.baseAddress!, ldb: n, beta: 0, c: &m, ldc: p)
        }
        for k in out.indices { out[k] = Double(m[k]) / Double(n) }
        return out
    }

    /// E(s) = -1/2 s^T J s + theta^T s per state, accumulated in double from the
    /// single-precision couplings (so that the exported Ising model, whose couplings
    /// are these values, gives the same energies).
    public func energies(_ states: UnsafeBufferPointer<Int8>) throws(EngineError) -> [Double] {
        let rows = try checkStates(states, "states"), n = neuronCount
        var out = [Double](repeating: 0, count: rows)
        let input = UncheckedPointer(states.baseAddress!)
        out.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            Parallel.forEach(rows, parallel: rows * n * max(n, patternCount) >= 1 << 20) { r in
                let s = input.base + r * n
                var linear = 0.0
                for i in 0..<n { linear += Double(thresholds[i]) * Double(s[i]) }
                out[r] = -0.5 * quadraticForm(s) + linear
            }
        }
        return out
    }

    /// s^T J s in double.
    private func quadraticForm(_ s: UnsafePointer<Int8>) -> Double {
        let n = neuronCount
        if !matrix.isEmpty {
            return matrix.withUnsafeBufferPointer { j in
                var total = 0.0
                for i in 0..<n {
                    let row = j.baseAddress! + i * n
                    var sum = 0.0
                    for k in 0..<n { sum += Double(row[k]) * Double(s[k]) }
                    total += Double(s[i]) * sum
                }
                return total
            }
        }
        // Hebb from the patterns: sum_mu (xi^mu . s)^2 / N - P (the diagonal removed).
        var total = 0.0
        for p in 0..<patternCount {
            var dot = 0.0
            for i in 0..<n { dot += Double(patterns[p * n + i]) * Double(s[i]) }
            total += dot * dot
        }
        return total / Double(n) - Double(patternCount)
    }

    /// The network as an Ising model: E_Ising(s) = -sum_{i<j} J_ij s_i s_j - h.s with
    /// the couplings J_ij (as doubles) and fields h = -theta, so the energies agree.
    public func isingModel() throws(EngineError) -> IsingModel {
        let n = neuronCount
        guard n * (n - 1) / 2 <= Limit.couplings.value else {
            throw EngineError(.limitExceeded, "\(n) fully coupled neurons are more couplings than an Ising model holds")
        }
        var edges: [(Int, Int, Double)] = []
        edges.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let value = coupling(i, j)
                if value != 0 { edges.append((i, j, value)) }
            }
        }
        return try IsingModel(spinCount: n, edges: edges, fields: thresholds.map { -Double($0) })
    }
}
