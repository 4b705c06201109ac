import Glibc

/// The kind of an RBM's visible units.
public enum VisibleUnits: Sendable {
    /// v_i in {0, 1} (or a probability in [0, 1]); p(v_i = 1 | h) = sigmoid(b_i + (W h)_i).
    case bernoulli
    /// v_i real with unit variance; v_i | h ~ Normal(b_i + (W h)_i, 1). Data should be
    /// standardised by the caller.
    case gaussian

    var name: String { self == .bernoulli ? "Bernoulli" : "Gaussian" }
}

/// A restricted Boltzmann machine (Smolensky 1986; Hinton 2002): hidden units h in {0, 1}^n_h and
/// visible units v of either kind, with the energy
///
///     E(v, h) = -b.v - c.h - v^T W h                 (Bernoulli visibles)
///     E(v, h) = |v - b|^2 / 2 - c.h - v^T W h        (Gaussian visibles, unit variance)
///
/// with weights W (n_v x n_h, row-major), visible biases b and hidden biases c, all
/// single precision. Summing out the hidden layer gives the free energy
///
///     F(v) = -b.v - sum_j softplus(c_j + (v^T W)_j)          (Bernoulli)
///     F(v) = |v - b|^2 / 2 - sum_j softplus(c_j + (v^T W)_j)  (Gaussian)
///
/// and p(v) = e^{-F(v)} / Z. Bernoulli inputs may also be probabilities in [0, 1]
/// (as scikit-learn treats them).
public struct RBM: Sendable {
    public let visibleCount: Int
    public let hiddenCount: Int
    public let visibleUnits: VisibleUnits
    /// W[i * n_h + j]: the coupling of visible i and hidden j.
    public internal(set) var weights: [Float]
    public internal(set) var visibleBias: [Float]
    public internal(set) var hiddenBias: [Float]

    /// Largest smaller layer for the exact partition function (2^32 states).
    public static let maxExactUnits = 32

    /// A machine with weights drawn from Normal(0, 0.01^2) (Hinton's practical
    /// guide) from the stream seeded by `seed`, and zero biases.
    public init(visible: Int, hidden: Int, units: VisibleUnits = .bernoulli, seed: UInt64) throws(EngineError) {
        try Limit.units.check(visible, "n_visible")
        try Limit.units.check(hidden, "n_hidden")
        guard visible <= Limit.blas.value / hidden else {
            throw EngineError(.limitExceeded, "\(visible) x \(hidden) weights is more than the library accepts (\(Limit.blas.text))")
        }
        try Memory.reserve(visible * hidden, bytesEach: 4, for: "the weights (\(visible) x \(hidden) floats)")
        var random = RandomStream(seed: seed)
        visibleCount = visible
        hiddenCount = hidden
        visibleUnits = units
        weights = [Float](unsafeUninitializedCapacity: visible * hidden) { buffer, initialized in
            random.fillNormal(buffer, scale: 0.01)
            initialized = buffer.count
        }
        visibleBias = [Float](repeating: 0, count: visible)
        hiddenBias = [Float](repeating: 0, count: hidden)
    }

    /// A machine with the given parameters (W row-major n_v x n_h, b, c).
    public init(weights: [Float], visibleBias: [Float], hiddenBias: [Float], units: VisibleUnits = .bernoulli) throws(EngineError) {
        let nv = visibleBias.count, nh = hiddenBias.count
        guard nv >= 1, nh >= 1, nv <= Limit.units.value, nh <= Limit.units.value else {
            throw .invalid("both layers need between 1 and \(Limit.units.text) units, got \(nv) visible and \(nh) hidden")
        }
        guard weights.count == nv * nh else {
            throw EngineError(.shapeMismatch, "weights has \(weights.count) entries but \(nv) x \(nh) needs \(nv * nh)")
        }
        for (name, values) in [("weights", weights), ("visible_bias", visibleBias), ("hidden_bias", hiddenBias)] {
            try Check.allFinite(values, name)
        }
        visibleCount = nv
        hiddenCount = nh
        visibleUnits = units
        self.weights = weights
        self.visibleBias = visibleBias
        self.hiddenBias = hiddenBias
    }

    /// Check a batch of visible rows: whole rows, finite, and for Bernoulli units
    /// each value in [0, 1]. Returns the number of rows.
    @discardableResult
    public func checkVisible(_ v: [Float]) throws(EngineError) -> Int {
        try v.withUnsafeBufferPointer { v throws(EngineError) in try checkVisible(v) }
    }

    /// `checkVisible` on rows in place.
    public func checkVisible(_ v: UnsafeBufferPointer<Float>) throws(EngineError) -> Int {
        guard v.count % visibleCount == 0 else {
            throw EngineError(.shapeMismatch, "data has \(v.count) values, not a multiple of n_visible = \(visibleCount)")
        }
        let bernoulli = visibleUnits == .bernoulli
        // A branch-free scan first (it vectorises); the offender is looked for only if there is one.
        let (low, high): (Float, Float) = bernoulli ? (0, 1) : (-.greatestFiniteMagnitude, .greatestFiniteMagnitude)
        var outside: UInt8 = 0  // NaN fails both comparisons
        for x in v { outside |= (x >= low ? 0 : 1) | (x <= high ? 0 : 1) }
        guard outside != 0 else { return v.count / visibleCount }
        for (k, x) in v.enumerated() where !(x.isFinite && (!bernoulli || (x >= 0 && x <= 1))) {
            let (row, column) = k.quotientAndRemainder(dividingBy: visibleCount)
            if !x.isFinite { throw EngineError(.nonFinite, "data[\(row), \(column)] must be finite, got \(x)") }
            throw .invalid("data[\(row), \(column)] must be in [0, 1] for Bernoulli visible units, got \(x)")
        }
        return v.count / visibleCount
    }

    /// out = bias + x A for `rows` rows of x: (rows x k) x (k x m) by `BLAS.sgemm`,
    /// with A = W (transposed false, k = n_v, bias c) or W^T (true, k = n_h, bias b).
    func activations(_ x: UnsafePointer<Float>, rows: Int, transposed: Bool, into out: UnsafeMutablePointer<Float>, tiled: Bool = true) {
        let m = transposed ? visibleCount : hiddenCount, k = transposed ? hiddenCount : visibleCount
        (transposed ? visibleBias : hiddenBias).withUnsafeBufferPointer { bias in
            for r in 0..<rows { (out + r * m).update(from: bias.baseAddress!, count: m) }
        }
        guard rows > 0 else { return }
        weights.withUnsafeBufferPointer { w in
            BLAS.sgemm(transA: false, transB: transposed, m: rows, n: m, k: k, alpha: 1, a: x, lda: k,
                       b: w.baseAddress!, ldb: hiddenCount, beta: 1, c: out, ldc: m, tiled: tiled)
        }
    }

    /// The pre-activations as a new array (rows x m).
    func activations(_ x: [Float], rows: Int, transposed: Bool) -> [Float] {
        let m = transposed ? visibleCount : hiddenCount
        return [Float](unsafeUninitializedCapacity: rows * m) { out, count in
            x.withUnsafeBufferPointer { x in activations(x.baseAddress!, rows: rows, transposed: transposed, into: out.baseAddress!) }
            count = rows * m
        }
    }

    /// p(h_j = 1 | v) = sigmoid(c_j + (v^T W)_j) for each row of v (rows x n_h).
    public func hiddenProbabilities(_ v: [Float]) throws(EngineError) -> [Float] {
        let rows = try checkVisible(v)
        var a = activations(v, rows: rows, transposed: false)
        a.withUnsafeMutableBufferPointer { UnitKernels.sigmoid($0.baseAddress!, $0.count) }
        return a
    }

    /// E[v_i | h] for each row of h (rows x n_v): p(v_i = 1 | h) = sigmoid(b_i + (W h)_i)
    /// for Bernoulli units, the mean b_i + (W h)_i for Gaussian ones.
    public func visibleProbabilities(_ h: [Float]) throws(EngineError) -> [Float] {
        guard h.count % hiddenCount == 0 else {
            throw EngineError(.shapeMismatch, "hidden has \(h.count) values, not a multiple of n_hidden = \(hiddenCount)")
        }
        if let k = h.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) { throw .invalid("hidden[\(k)] must be in [0, 1], got \(h[k])") }
        var a = activations(h, rows: h.count / hiddenCount, transposed: true)
        if visibleUnits == .bernoulli { a.withUnsafeMutableBufferPointer { UnitKernels.sigmoid($0.baseAddress!, $0.count) } }
        return a
    }

    /// F(v) per row: pre-activations by sgemm (single precision, relative error about
    /// 1e-7), softplus and sums in double precision.
    public func freeEnergy(_ v: [Float]) throws(EngineError) -> [Double] {
        let rows = try checkVisible(v)
        let a = activations(v, rows: rows, transposed: false)
        return (0..<rows).map { r in
            var f = 0.0
            for i in 0..<visibleCount {
                let x = Double(v[r * visibleCount + i]), b = Double(visibleBias[i])
                f += visibleUnits == .bernoulli ? -b * x : (x - b) * (x - b) / 2
            }
            for j in 0..<hiddenCount { f -= softplus(Double(a[r * hiddenCount + j])) }
            return f
        }
    }
}

/// log(1 + e^x) without overflow or loss for any x.
@inline(__always)
func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
