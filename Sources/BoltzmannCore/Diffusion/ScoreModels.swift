import Glibc

/// A model of the data that the reverse-time samplers query: the denoiser
/// D(x, t) = E[x_0 | x_t = x] and the score s(x, t) = grad log p_t(x), related by
/// Tweedie's formula s = (alpha_t D - x) / sigma_t^2.
///
/// Batches are rows of `x` (count x dimension, single precision); rows are
/// independent, so results do not depend on how a batch is split. Implementations
/// provide `denoise`; `score` defaults to Tweedie's formula.
public protocol ScoreModel: Sendable {
    var dimension: Int { get }
    func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>)
    func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>)
    /// The score with a time per row (times: count values in (0, 1]), for samplers
    /// whose rows move through time at their own pace (the adaptive ODE sampler).
    /// Defaults to one `score` call per run of equal consecutive times.
    func score(_ x: UnsafePointer<Float>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess, into out: UnsafeMutablePointer<Float>)
    /// For the probability-flow likelihood (`Likelihood`): at the rows of x (count x d,
    /// double) and their times, the score into `score` (count x d) and per row the
    /// divergence of the score, tr(ds/dx), into `divergence`, or with `probes` (count x d)
    /// Hutchinson's u^T (ds/dx) u for each row's probe u. False when the model has no
    /// Jacobian (a caller's score function); the default.
    func scoreAndDivergence(_ x: UnsafePointer<Double>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                            probes: UnsafePointer<Double>?, score: UnsafeMutablePointer<Double>,
                            divergence: UnsafeMutablePointer<Double>) -> Bool
    /// log p_t(x) of the rows when the model has a density (a mixture), else nil: the
    /// likelihood's prior term uses it at t = 1.
    func logDensity(_ x: UnsafePointer<Double>, count: Int, time t: Double, process: ForwardProcess) -> [Double]?
}

extension ScoreModel {
    public func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        denoise(x, count: count, time: t, process: process, into: out)
        let alpha = Float(process.alpha(t)), sigma = process.sigma(t), inverseVariance = Float(1 / (sigma * sigma))
        for k in 0..<(count * dimension) { out[k] = (alpha * out[k] - x[k]) * inverseVariance }
    }

    public func scoreAndDivergence(_ x: UnsafePointer<Double>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                                   probes: UnsafePointer<Double>?, score: UnsafeMutablePointer<Double>,
                                   divergence: UnsafeMutablePointer<Double>) -> Bool { false }

    public func logDensity(_ x: UnsafePointer<Double>, count: Int, time t: Double, process: ForwardProcess) -> [Double]? { nil }

    public func score(_ x: UnsafePointer<Float>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                      into out: UnsafeMutablePointer<Float>) {
        var first = 0
        while first < count {
            var end = first + 1
            while end < count && times[end] == times[first] { end += 1 }
            score(x + first * dimension, count: end - first, time: times[first], process: process, into: out + first * dimension)
            first = end
        }
    }
}

/// A score model of classes 0..<classCount: the denoiser given a label per row, the
/// label `classCount` meaning "no label" (the unconditional model). Sampled with
/// classifier-free guidance (`GuidedScore`).
public protocol ConditionalScoreModel: ScoreModel {
    /// The number of classes; 0 when this model has none.
    var classCount: Int { get }
    /// D(x, t | y) for each row's label y (count labels, in 0...classCount).
    func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, labels: UnsafePointer<Int32>,
                 into out: UnsafeMutablePointer<Float>)
}

/// Classifier-free guidance (Ho & Salimans 2022) in diffusers' convention: with labels
/// y per row and scale w,
///
///     D_w(x, t) = D(x, t) + w (D(x, t | y) - D(x, t)),
///
/// so w = 0 samples the unconditional model, w = 1 the conditional one, w > 1 sharpens
/// the classes. The score follows by Tweedie's formula (the same combination of
/// scores, whose weights sum to 1). Two evaluations a call unless w is 0 or 1. Rows
/// are taken in order: the samplers call it with the whole batch.
public struct GuidedScore<Model: ConditionalScoreModel>: ScoreModel {
    public let model: Model
    public let labels: [Int32]
    public let guidance: Double
    /// "No label" for every row: the unconditional model's labels, made once.
    private let unconditional: [Int32]
    private let scratch: GuidanceScratch

    public var dimension: Int { model.dimension }

    public init(model: Model, labels: [Int32], guidance: Double) {
        self.model = model
        self.labels = labels
        self.guidance = guidance
        unconditional = [Int32](repeating: Int32(model.classCount), count: labels.count)
        scratch = GuidanceScratch()
    }

    /// Evaluations of the model per call.
    public var evaluationsPerCall: Int { guidance == 0 || guidance == 1 ? 1 : 2 }

    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        let n = min(count, labels.count), d = dimension
        if guidance == 0 {
            unconditional.withUnsafeBufferPointer { model.denoise(x, count: n, time: t, process: process, labels: $0.baseAddress!, into: out) }
            return
        }
        labels.withUnsafeBufferPointer { model.denoise(x, count: n, time: t, process: process, labels: $0.baseAddress!, into: out) }
        guard guidance != 1 else { return }
        let buffer = scratch.buffer(n * d), w = Float(guidance)
        unconditional.withUnsafeBufferPointer { model.denoise(x, count: n, time: t, process: process, labels: $0.baseAddress!, into: buffer) }
        for k in 0..<(n * d) { out[k] = buffer[k] + w * (out[k] - buffer[k]) }
    }
}

/// A buffer reused across a guided sampler's calls (one sampling call owns it).
final class GuidanceScratch: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Float>? = nil, capacity = 0
    func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            storage?.deallocate()
            storage = .allocate(capacity: count)
            capacity = count
        }
        return storage!
    }
    deinit { storage?.deallocate() }
}

/// The exact score of a Gaussian mixture p_0 = sum_k w_k N(mu_k, Sigma_k) under a
/// forward process: p_t = sum_k w_k N(alpha_t mu_k, C_k), C_k = alpha_t^2 Sigma_k + sigma_t^2 I,
///
///     log p_t(x) = logsumexp_k [log w_k - (x - alpha_t mu_k)^T C_k^{-1} (x - alpha_t mu_k) / 2 - log det(2 pi C_k) / 2],
///     s(x) = -sum_k r_k(x) C_k^{-1} (x - alpha_t mu_k),   r_k the responsibilities,
///
/// all in double precision: the test oracle of every sampler. Covariances are
/// diagonal (variances) or full (symmetric positive definite), the latter held as
/// Sigma_k = U_k diag(lambda_k) U_k^T so that C_k's inverse and determinant cost O(d^2)
/// at any t.
public struct GaussianMixtureScore: ConditionalScoreModel {
    public let dimension: Int
    public let componentCount: Int
    /// Each component's class (K), or empty: a labeled mixture is class-conditional,
    /// p_0(x | y) the mixture of y's components (its weights renormalised), the exact
    /// oracle of guided sampling.
    public let classes: [Int]
    public let classCount: Int
    /// Normalised weights (K).
    public let weights: [Double]
    /// Means (K x d).
    public let means: [Double]
    /// Eigenvalues of each covariance (K x d): the variances when diagonal.
    private let eigenvalues: [Double]
    /// Eigenvectors (K x d x d, columns), empty when diagonal.
    private let eigenvectors: [Double]

    public var isDiagonal: Bool { eigenvectors.isEmpty }

    /// `weights` (K, positive, normalised here), `means` (K x d) and `covariances`:
    /// K x d variances (`diagonal`) or K x d x d symmetric positive-definite matrices.
    public init(weights: [Double], means: [Double], covariances: [Double], dimension d: Int, diagonal: Bool,
                classes: [Int] = []) throws(EngineError) {
        let k = weights.count
        if !classes.isEmpty {
            guard classes.count == k else { throw EngineError(.shapeMismatch, "classes has \(classes.count) entries, expected n_components = \(k)") }
            if let i = classes.firstIndex(where: { $0 < 0 || $0 >= k }) {
                throw .invalid("classes[\(i)] must be in [0, n_components), got \(classes[i])")
            }
            let count = classes.max()! + 1
            if let missing = (0..<count).first(where: { !classes.contains($0) }) {
                throw .invalid("classes must use every label from 0 to \(count - 1); \(missing) has no component")
            }
        }
        self.classes = classes
        classCount = classes.isEmpty ? 0 : classes.max()! + 1
        try Limit.pairwiseUnits.check(d, "dim")
        try Limit.batch.check(k, "n_components")
        guard means.count == k * d else { throw EngineError(.shapeMismatch, "means has \(means.count) entries, expected n_components x dim = \(k * d)") }
        let expected = diagonal ? k * d : k * d * d
        guard covariances.count == expected else {
            throw EngineError(.shapeMismatch, "covariances has \(covariances.count) entries, expected \(expected)")
        }
        try Check.allFinite(weights, "weights")
        try Check.allFinite(means, "means")
        try Check.allFinite(covariances, "covariances")
        if let i = weights.firstIndex(where: { $0 <= 0 }) { throw .invalid("weights[\(i)] must be positive, got \(weights[i])") }
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        self.means = means
        dimension = d
        componentCount = k
        if diagonal {
            if let i = covariances.firstIndex(where: { $0 <= 0 }) {
                throw .invalid("covariances[\(i / d)][\(i % d)] (a variance) must be positive, got \(covariances[i])")
            }
            eigenvalues = covariances
            eigenvectors = []
        } else {
            var values = [Double](repeating: 0, count: k * d), vectors = [Double](repeating: 0, count: k * d * d)
            for c in 0..<k {
                let matrix = Array(covariances[(c * d * d)..<((c + 1) * d * d)])
                for i in 0..<d { for j in 0..<i where abs(matrix[i * d + j] - matrix[j * d + i]) > 1e-12 * max(1, abs(matrix[i * d + j])) {
                    throw .invalid("covariances[\(c)] must be symmetric: entries (\(i), \(j)) and (\(j), \(i)) differ")
                } }
                let (lambda, u) = SymmetricEigen.decompose(matrix, d)
                if let i = lambda.firstIndex(where: { !($0 > 1e-12 * max(1, lambda.max() ?? 1)) }) {
                    throw .invalid("covariances[\(c)] must be positive definite (eigenvalue \(lambda[i]))")
                }
                for i in 0..<d { values[c * d + i] = lambda[i] }
                for i in 0..<(d * d) { vectors[c * d * d + i] = u[i] }
            }
            eigenvalues = values
            eigenvectors = vectors
        }
    }

    /// What a time fixes for every point: alpha_t, the inverse variances
    /// 1 / (alpha_t^2 lambda_kj + sigma_t^2) (K x d) and the constants
    /// log w_k - log det(2 pi C_k) / 2 (K).
    public struct Marginal: Sendable {
        let alpha: Double
        let inverseVariances: [Double]
        let constants: [Double]
    }

    public func marginal(time t: Double, process: ForwardProcess) -> Marginal {
        let d = dimension, alpha = process.alpha(t), sigma = process.sigma(t)
        var inverse = [Double](repeating: 0, count: componentCount * d), constants = [Double](repeating: 0, count: componentCount)
        for c in 0..<componentCount {
            var logDet = 0.0
            for j in 0..<d {
                let variance = alpha * alpha * eigenvalues[c * d + j] + sigma * sigma
                inverse[c * d + j] = 1 / variance
                logDet += log(2 * Double.pi * variance)
            }
            constants[c] = log(weights[c]) - 0.5 * logDet
        }
        return Marginal(alpha: alpha, inverseVariances: inverse, constants: constants)
    }

    /// Doubles of scratch that `logDensity(_:marginal:scratch:gradient:)` needs.
    public var scratchCount: Int { componentCount * (dimension + 1) + 2 * dimension }

    /// log p_t(x) for one point and, when `gradient` is given (d), the score there.
    public func logDensity(_ x: UnsafePointer<Double>, time t: Double, process: ForwardProcess, gradient: UnsafeMutablePointer<Double>? = nil) -> Double {
        let fixed = marginal(time: t, process: process)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { scratch in
            logDensity(x, marginal: fixed, scratch: scratch.baseAddress!, gradient: gradient)
        }
    }

    /// log p_t(x) at the time `marginal` was made for, with `scratchCount` doubles of
    /// `scratch` (no allocation: the samplers call this per point and step).
    public func logDensity(_ x: UnsafePointer<Double>, marginal fixed: Marginal, scratch: UnsafeMutablePointer<Double>,
                           gradient: UnsafeMutablePointer<Double>?, label: Int? = nil) -> Double {
        let d = dimension, k = componentCount, alpha = fixed.alpha
        let logs = scratch, pulls = scratch + k, y = pulls + k * d, z = y + d  // pulls: -C^{-1}(x - alpha mu)
        // Given a label, the other classes' components are left out (weight 0) and the
        // class's weights renormalised.
        let label = label.flatMap { $0 < classCount ? $0 : nil }
        var classWeight = 1.0
        if let label {
            classWeight = 0
            for c in 0..<k where classes[c] == label { classWeight += weights[c] }
        }
        for c in 0..<k {
            if let label, classes[c] != label {
                logs[c] = -.infinity
                if gradient != nil { for i in 0..<d { pulls[c * d + i] = 0 } }
                continue
            }
            for i in 0..<d { y[i] = x[i] - alpha * means[c * d + i] }
            if isDiagonal {
                for j in 0..<d { z[j] = y[j] }
            } else {  // z = U^T y
                for j in 0..<d {
                    var sum = 0.0
                    for i in 0..<d { sum += eigenvectors[c * d * d + i * d + j] * y[i] }
                    z[j] = sum
                }
            }
            var quadratic = 0.0
            for j in 0..<d {
                let scaled = z[j] * fixed.inverseVariances[c * d + j]
                quadratic += z[j] * scaled
                z[j] = scaled
            }
            logs[c] = fixed.constants[c] - 0.5 * quadratic
            if gradient != nil {
                for i in 0..<d {
                    if isDiagonal {
                        pulls[c * d + i] = -z[i]
                    } else {  // U z
                        var sum = 0.0
                        for j in 0..<d { sum += eigenvectors[c * d * d + i * d + j] * z[j] }
                        pulls[c * d + i] = -sum
                    }
                }
            }
        }
        var top = -Double.infinity
        for c in 0..<k { top = max(top, logs[c]) }
        var total = 0.0
        for c in 0..<k { logs[c] = exp(logs[c] - top); total += logs[c] }
        if let gradient {
            for i in 0..<d { gradient[i] = 0 }
            for c in 0..<k {
                let r = logs[c] / total
                for i in 0..<d { gradient[i] += r * pulls[c * d + i] }
            }
        }
        return top + log(total) - log(classWeight)
    }

    /// D(x, t | y) per row: the denoiser of the label's components (all of them for
    /// the label `classCount`).
    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, labels: UnsafePointer<Int32>,
                        into out: UnsafeMutablePointer<Float>) {
        let fixed = marginal(time: t, process: process), alpha = process.alpha(t), sigma = process.sigma(t), d = dimension
        let labels = UncheckedPointer(labels)
        rows(x, count: count, out: out) { row, point, result, scratch in
            _ = logDensity(point, marginal: fixed, scratch: scratch, gradient: result, label: Int(labels.base[row]))
            for i in 0..<d { result[i] = (point[i] + sigma * sigma * result[i]) / alpha }
        }
    }

    public func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        let fixed = marginal(time: t, process: process)
        rows(x, count: count, out: out) { _, point, gradient, scratch in
            _ = logDensity(point, marginal: fixed, scratch: scratch, gradient: gradient)
        }
    }

    public func logDensity(_ x: UnsafePointer<Double>, count: Int, time t: Double, process: ForwardProcess) -> [Double]? {
        let fixed = marginal(time: t, process: process)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { scratch in
            (0..<count).map { r in logDensity(x + r * dimension, marginal: fixed, scratch: scratch.baseAddress!, gradient: nil) }
        }
    }

    /// The Jacobian of the mixture's score is the Hessian of log p_t,
    ///
    ///     ds/dx = sum_k r_k (-C_k^{-1}) + sum_k r_k g_k g_k^T - s s^T,   g_k = -C_k^{-1} (x - alpha mu_k),
    ///
    /// so tr(ds/dx) = -sum_k r_k tr C_k^{-1} + sum_k r_k |g_k|^2 - |s|^2 and
    /// u^T (ds/dx) u = -sum_k r_k u^T C_k^{-1} u + sum_k r_k (g_k . u)^2 - (s . u)^2, in double.
    public func scoreAndDivergence(_ x: UnsafePointer<Double>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                                   probes: UnsafePointer<Double>?, score: UnsafeMutablePointer<Double>,
                                   divergence: UnsafeMutablePointer<Double>) -> Bool {
        let d = dimension, k = componentCount, scratchCount = scratchCount
        let x = UncheckedPointer(x), times = UncheckedPointer(times), probes = probes.map(UncheckedPointer.init)
        let score = SharedPointer(score), divergence = SharedPointer(divergence)
        let chunk = 64, chunks = (count + chunk - 1) / chunk
        Parallel.forEach(chunks, parallel: count * k * d >= 1 << 12) { c in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
            defer { scratch.deallocate() }
            var fixed: Marginal? = nil, fixedTime = Double.nan
            for r in (c * chunk)..<min(count, (c + 1) * chunk) {
                if times.base[r] != fixedTime {
                    fixedTime = times.base[r]
                    fixed = marginal(time: fixedTime, process: process)
                }
                let point = x.base + r * d, s = score.base + r * d, m = fixed!
                _ = logDensity(point, marginal: m, scratch: scratch, gradient: s)
                // logDensity leaves e^(log_k - top) in scratch[0..<k] and the pulls g_k after them.
                let weights = scratch, pulls = scratch + k
                var total = 0.0
                for j in 0..<k { total += weights[j] }
                var result = 0.0
                if let probes {
                    let u = probes.base + r * d
                    var su = 0.0
                    for i in 0..<d { su += s[i] * u[i] }
                    result -= su * su
                    for j in 0..<k {
                        let responsibility = weights[j] / total
                        // u^T C_k^{-1} u = sum_i (U^T u)_i^2 / (alpha^2 lambda_i + sigma^2).
                        var quadratic = 0.0, gu = 0.0
                        for i in 0..<d {
                            var projected = u[i]
                            if !isDiagonal {
                                projected = 0
                                for l in 0..<d { projected += eigenvectors[j * d * d + l * d + i] * u[l] }
                            }
                            quadratic += projected * projected * m.inverseVariances[j * d + i]
                            gu += pulls[j * d + i] * u[i]
                        }
                        result += responsibility * (gu * gu - quadratic)
                    }
                } else {
                    for i in 0..<d { result -= s[i] * s[i] }
                    for j in 0..<k {
                        let responsibility = weights[j] / total
                        var trace = 0.0, squared = 0.0
                        for i in 0..<d {
                            trace += m.inverseVariances[j * d + i]
                            squared += pulls[j * d + i] * pulls[j * d + i]
                        }
                        result += responsibility * (squared - trace)
                    }
                }
                divergence.base[r] = result
            }
        }
        return true
    }

    /// D = (x + sigma_t^2 s(x)) / alpha_t, in double before rounding.
    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        let fixed = marginal(time: t, process: process), alpha = process.alpha(t), sigma = process.sigma(t), d = dimension
        rows(x, count: count, out: out) { _, point, result, scratch in
            _ = logDensity(point, marginal: fixed, scratch: scratch, gradient: result)
            for i in 0..<d { result[i] = (point[i] + sigma * sigma * result[i]) / alpha }
        }
    }

    /// Runs `body(row, x_row, out_row, scratch)` in double over the rows, in parallel
    /// chunks, each with its own buffers.
    private func rows(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>,
                      _ body: @Sendable (Int, UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        let d = dimension, input = UncheckedPointer(x), output = SharedPointer(out), scratchCount = scratchCount
        let chunk = 64, chunks = (count + chunk - 1) / chunk
        Parallel.forEach(chunks, parallel: count * componentCount * d >= 1 << 12) { c in
            let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 2 * d + scratchCount)
            defer { buffer.deallocate() }
            let point = buffer, result = buffer + d, scratch = buffer + 2 * d
            for r in (c * chunk)..<min(count, (c + 1) * chunk) {
                for i in 0..<d { point[i] = Double(input.base[r * d + i]) }
                body(r, point, result, scratch)
                for i in 0..<d { output.base[r * d + i] = Float(result[i]) }
            }
        }
    }

    /// Exact samples of p_0 (count x d), row r from stream (seed, r).
    /// Component c's covariance (d x d, row-major).
    public func covariance(_ c: Int) -> [Double] {
        let d = dimension
        var sigma = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d {
                if isDiagonal {
                    if i == j { sigma[i * d + i] = eigenvalues[c * d + i] }
                } else {
                    var sum = 0.0
                    for l in 0..<d { sum += eigenvectors[c * d * d + i * d + l] * eigenvalues[c * d + l] * eigenvectors[c * d * d + j * d + l] }
                    sigma[i * d + j] = sum
                }
            }
        }
        return sigma
    }

    /// The exact conditional p_0(x_F | x_O = v) of the free coordinates F given the known
    /// ones O (`known`: d flags) at the values `values` (d, read where known): again a
    /// mixture, with per component
    ///
    ///     w'_k ~ w_k N(v; mu_O, S_OO),   mu'_k = mu_F + S_FO S_OO^{-1} (v - mu_O),
    ///     S'_k = S_FF - S_FO S_OO^{-1} S_OF
    ///
    /// (a Cholesky solve per component, in double). Classes are kept. Sampling it is
    /// exact inpainting for a mixture, the oracle of the samplers' replacement method.
    public func conditioned(on known: [Bool], values: [Double]) throws(EngineError) -> GaussianMixtureScore {
        let d = dimension
        guard known.count == d, values.count == d else { throw EngineError(.shapeMismatch, "known and values need dim = \(d) entries") }
        let observed = (0..<d).filter { known[$0] }, free = (0..<d).filter { !known[$0] }
        guard !free.isEmpty else { throw .invalid("every coordinate is known: nothing is left to sample") }
        guard !observed.isEmpty else { return self }
        if let i = observed.first(where: { !values[$0].isFinite }) { throw EngineError(.nonFinite, "values[\(i)] is \(values[i])") }
        let m = observed.count, f = free.count
        var logWeights: [Double] = [], means: [Double] = [], covariances: [Double] = []
        for c in 0..<componentCount {
            let sigma = covariance(c)
            // Cholesky of S_OO = L L^T.
            var chol = [Double](repeating: 0, count: m * m)
            for i in 0..<m {
                for j in 0...i {
                    var sum = sigma[observed[i] * d + observed[j]]
                    for l in 0..<j { sum -= chol[i * m + l] * chol[j * m + l] }
                    if i == j {
                        guard sum > 0 else { throw .invalid("component \(c)'s covariance of the known coordinates is singular") }
                        chol[i * m + i] = sum.squareRoot()
                    } else {
                        chol[i * m + j] = sum / chol[j * m + j]
                    }
                }
            }
            // Solves L L^T x = b in place.
            func solve(_ b: inout [Double]) {
                for i in 0..<m {
                    var sum = b[i]
                    for l in 0..<i { sum -= chol[i * m + l] * b[l] }
                    b[i] = sum / chol[i * m + i]
                }
                for i in stride(from: m - 1, through: 0, by: -1) {
                    var sum = b[i]
                    for l in (i + 1)..<m { sum -= chol[l * m + i] * b[l] }
                    b[i] = sum / chol[i * m + i]
                }
            }
            var residual = observed.map { values[$0] - self.means[c * d + $0] }
            // log N(v; mu_O, S_OO) = -(r^T S^-1 r)/2 - log det L - m log(2 pi)/2.
            var z = residual
            for i in 0..<m {  // forward only: |L^-1 r|^2 = r^T S^-1 r
                var sum = z[i]
                for l in 0..<i { sum -= chol[i * m + l] * z[l] }
                z[i] = sum / chol[i * m + i]
            }
            var logDet = 0.0, quadratic = 0.0
            for i in 0..<m { logDet += log(chol[i * m + i]); quadratic += z[i] * z[i] }
            logWeights.append(log(weights[c]) - 0.5 * quadratic - logDet - 0.5 * Double(m) * log(2 * Double.pi))
            solve(&residual)  // S_OO^{-1} (v - mu_O)
            for a in free {
                var shift = 0.0
                for (i, o) in observed.enumerated() { shift += sigma[a * d + o] * residual[i] }
                means.append(self.means[c * d + a] + shift)
            }
            var block = [Double](repeating: 0, count: f * f)
            for (j, b) in free.enumerated() {
                var column = observed.map { sigma[$0 * d + b] }  // S_OB
                solve(&column)
                for (i, a) in free.enumerated() {
                    var correction = 0.0
                    for (l, o) in observed.enumerated() { correction += sigma[a * d + o] * column[l] }
                    block[i * f + j] = sigma[a * d + b] - correction
                }
            }
            for i in 0..<f { for j in 0..<i {  // exact symmetry for the eigensolver's check
                let mean = 0.5 * (block[i * f + j] + block[j * f + i])
                block[i * f + j] = mean
                block[j * f + i] = mean
            } }
            covariances += block
        }
        let top = logWeights.max()!
        let newWeights = logWeights.map { exp($0 - top) }
        // Components the known values make negligible keep a tiny positive weight (the
        // mixture needs positive weights); their share is below 1e-300 of the largest.
        return try GaussianMixtureScore(weights: newWeights.map { max($0, 1e-300) }, means: means, covariances: covariances,
                                        dimension: f, diagonal: false, classes: classes)
    }

    /// With a label (in 0..<classCount), samples of that class's mixture.
    public func sample(count: Int, seed: UInt64, label: Int? = nil) -> [Float] {
        let d = dimension
        var out = [Float](repeating: 0, count: count * d)
        let label = label.flatMap { $0 < classCount ? $0 : nil }
        let kept = (0..<componentCount).map { c in label == nil || classes[c] == label ? weights[c] : 0 }
        let scale = 1 / kept.reduce(0, +)
        let cumulative = kept.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1 * scale) }
        var z = [Double](repeating: 0, count: d)
        for r in 0..<count {
            var random = RandomStream(seed: seed, stream: UInt64(r))
            let u = random.uniform()
            let c = cumulative.firstIndex { u < $0 } ?? (kept.lastIndex { $0 > 0 } ?? componentCount - 1)
            for j in 0..<d { z[j] = random.normal() * eigenvalues[c * d + j].squareRoot() }
            for i in 0..<d {
                var value = means[c * d + i]
                if isDiagonal {
                    value += z[i]
                } else {
                    for j in 0..<d { value += eigenvectors[c * d * d + i * d + j] * z[j] }
                }
                out[r * d + i] = Float(value)
            }
        }
        return out
    }
}

/// The optimal score of a finite training set {x_j} (n x d): p_0 is the empirical
/// distribution, p_t a mixture of N(alpha_t x_j, sigma_t^2 I), and the denoiser
///
///     D(x, t) = sum_j softmax_j(alpha_t x . x_j / sigma_t^2 - alpha_t^2 |x_j|^2 / (2 sigma_t^2)) x_j,
///
/// one dense Hopfield update of x / alpha_t at beta = alpha_t^2 / sigma_t^2 with a
/// bias per stored pattern, computed by the same kernel (`SoftmaxRetrieval`).
/// Sampling with it reproduces the training points: the "overloaded Hopfield"
/// memorisation of a network past capacity (Ramsauer et al. 2021 relate the update
/// to modern Hopfield networks).
public struct EmpiricalScore: ScoreModel {
    public let dimension: Int
    public let pointCount: Int
    /// The training points (n x d).
    public let points: [Float]
    private let squaredNorms: [Double]

    public init(points: UnsafeBufferPointer<Float>, dimension d: Int) throws(EngineError) {
        try Limit.dimension.check(d, "dim")
        guard points.count % d == 0 else { throw EngineError(.shapeMismatch, "data has \(points.count) entries, not a multiple of dim = \(d)") }
        guard points.count > 0 else { throw .invalid("data must hold at least one point") }
        if let k = points.firstIndex(where: { !$0.isFinite || abs($0) > 1e15 }) {
            throw EngineError(.nonFinite, "data[\(k / d)][\(k % d)] must be finite (and below 1e15), got \(points[k])")
        }
        dimension = d
        pointCount = points.count / d
        self.points = Array(points)
        squaredNorms = (0..<(points.count / d)).map { j in
            var sum = 0.0
            for k in 0..<d { sum += Double(points[j * d + k]) * Double(points[j * d + k]) }
            return sum
        }
    }

    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        let alpha = process.alpha(t), sigma = process.sigma(t), variance = sigma * sigma
        let bias = squaredNorms.map { Float(-alpha * alpha * $0 / (2 * variance)) }
        points.withUnsafeBufferPointer { p in
            bias.withUnsafeBufferPointer { b in
                _ = SoftmaxRetrieval.run(patterns: p.baseAddress!, count: pointCount, dimension: dimension, queries: x, queryCount: count,
                                         scale: Float(alpha / variance), bias: b.baseAddress!, out: out, logSumExp: nil)
            }
        }
    }
}

/// Eigendecomposition of a small symmetric matrix by cyclic Jacobi rotations, in double.
enum SymmetricEigen {
    /// (eigenvalues, eigenvectors as the columns of a row-major d x d matrix) of the
    /// symmetric d x d `matrix`.
    static func decompose(_ matrix: [Double], _ d: Int) -> ([Double], [Double]) {
        var a = matrix, v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<d { for j in 0..<d where i != j { off += a[i * d + j] * a[i * d + j] } }
            var scale = 0.0
            for i in 0..<d { scale += a[i * d + i] * a[i * d + i] }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<d {
                for q in (p + 1)..<d where a[p * d + q] != 0 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {  // A <- A J (columns p, q)
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {  // A <- J^T A (rows p, q)
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
