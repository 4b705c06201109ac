import Glibc

/// Options of `Likelihood.logDensity`; defaults as documented by each field.
public struct LikelihoodOptions: Sendable {
    public enum Divergence: Sendable {
        /// tr(ds/dx) exactly: analytic for a mixture, d vector-Jacobian products for a network.
        case exact
        /// Hutchinson's u^T (ds/dx) u with a Rademacher probe u fixed along each solve
        /// (Grathwohl et al. 2019, FFJORD): unbiased for log p, one product per evaluation.
        case hutchinson
    }

    public var divergence = Divergence.exact
    /// Independent solves per row, each with its own probe (Hutchinson); the estimate is
    /// their mean and its standard error their spread over sqrt(probes) (NaN for one).
    public var probes = 1
    /// The start time: the data are taken as x_epsilon (Song et al. 2021 use 1e-5).
    public var epsilon = 1e-5
    /// The adaptive solver's tolerances on the augmented state (x, integral of div v).
    public var rtol = 1e-5, atol = 1e-5

    public init() {}
}

/// Per-row log-densities and what they cost.
public struct LikelihoodResult: Sendable {
    /// log p_epsilon(x) in nats (count).
    public var logDensity: [Double]
    /// Their standard errors: 0 for the exact divergence (the ODE error is set by rtol and
    /// atol), the probes' spread over sqrt(probes) for Hutchinson's (NaN for one probe).
    public var standardError: [Double]
    /// Score (and divergence) evaluations per row and probe, the mean over them.
    public var evaluations: Double
}

/// Exact likelihoods of a score model through the probability-flow ODE (Song et al.
/// 2021, appendix D.2; Chen et al. 2018's instantaneous change of variables): along
/// dx/dt = v(x, t) = f(t) x - g(t)^2 s(x, t) / 2,
///
///     log p_epsilon(x_epsilon) = log p_1(x_1) + integral_epsilon^1 div v(x_t, t) dt,
///     div v = f(t) d - g(t)^2 tr(ds/dx) / 2,
///
/// integrated from the data at t = epsilon up to t = 1 with the augmented state (x, l) by
/// the adaptive Dormand-Prince pair (`DormandPrince`), a step per row. The prior term is
/// the model's own log p_1 when it has one (a mixture: exact), else the samplers' prior
/// N(0, I) (N(0, sigma_1^2 I) for VE).
public enum Likelihood {
    public static func logDensity(model: some ScoreModel, process: ForwardProcess, x: UnsafeBufferPointer<Float>, count: Int,
                                  options: LikelihoodOptions = LikelihoodOptions(), seed: UInt64,
                                  monitor: WorkMonitor = .none()) throws(EngineError) -> LikelihoodResult {
        let d = model.dimension
        try Limit.iterations.check(count, "n", from: 1)
        guard x.count == count * d else { throw EngineError(.shapeMismatch, "x has \(x.count) values, expected n x dim = \(count * d)") }
        if let k = x.firstIndex(where: { !$0.isFinite }) { throw EngineError(.nonFinite, "x[\(k / d)][\(k % d)] is \(x[k])") }
        guard options.epsilon.isFinite, options.epsilon > 0, options.epsilon < 1 else {
            throw .invalid("epsilon must be in (0, 1), got \(options.epsilon)")
        }
        guard options.rtol.isFinite, options.rtol > 0, options.atol.isFinite, options.atol > 0 else {
            throw .invalid("rtol and atol must be finite and > 0, got \(options.rtol) and \(options.atol)")
        }
        try Limit.batch.check(options.probes, "probes")
        if options.divergence == .exact && options.probes != 1 {
            throw .invalid("probes is Hutchinson's; the exact divergence takes 1, got \(options.probes)")
        }
        let probes = options.probes, rows = count * probes, width = d + 1
        guard rows <= Limit.storedValues.value / (12 * width) else {
            throw EngineError(.limitExceeded, "n x probes x (dim + 1) = \(rows) x \(width) is more than the library integrates at once")
        }
        try Memory.reserve([(rows * width, 8 * 12), (rows * d, options.divergence == .exact ? 8 * d : 8)],
                           for: "the likelihood of \(count) rows of dimension \(d)")
        // Probe (row r, probe p): Rademacher signs from stream (seed, r), p x d draws in.
        var probeValues: [Double] = []
        if options.divergence == .hutchinson {
            probeValues = [Double](repeating: 0, count: rows * d)
            for r in 0..<count {
                var random = RandomStream(seed: seed, stream: UInt64(r))
                for k in 0..<(probes * d) { probeValues[r * probes * d + k] = random.next() & 1 == 0 ? -1 : 1 }
            }
        }
        // The augmented states: x, then the integral of div v (0 at epsilon).
        var state = [Double](repeating: 0, count: rows * width)
        for r in 0..<count {
            for p in 0..<probes {
                for k in 0..<d { state[(r * probes + p) * width + k] = Double(x[r * d + k]) }
            }
        }
        var points = [Double](repeating: 0, count: rows * d), scores = points, gathered = points
        var divergences = [Double](repeating: 0, count: rows)
        let exact = options.divergence == .exact
        let evaluations = try DormandPrince.integrate(
            rows: rows, width: width, state: &state, from: options.epsilon, to: 1, rtol: options.rtol, atol: options.atol,
            monitor: monitor
        ) { (active: [Int], times: [Double], states: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>) throws(EngineError) in
            let m = active.count
            for j in 0..<m {
                for k in 0..<d { points[j * d + k] = states[j * width + k] }
                if !exact { for k in 0..<d { gathered[j * d + k] = probeValues[active[j] * d + k] } }
            }
            let supported = points.withUnsafeBufferPointer { x in
                times.withUnsafeBufferPointer { t in
                    gathered.withUnsafeBufferPointer { u in
                        scores.withUnsafeMutableBufferPointer { s in
                            divergences.withUnsafeMutableBufferPointer { div in
                                model.scoreAndDivergence(x.baseAddress!, count: m, times: t.baseAddress!, process: process,
                                                         probes: exact ? nil : u.baseAddress!, score: s.baseAddress!,
                                                         divergence: div.baseAddress!)
                            }
                        }
                    }
                }
            }
            guard supported else {
                throw EngineError(.unsupported, "this score model has no Jacobian (a caller's function, or the empirical score): "
                    + "its likelihood needs tr(ds/dx); mixtures and learned scores have one")
            }
            for j in 0..<m {
                let t = times[j], f = process.drift(t), g = process.diffusion(t), half = g * g / 2
                for k in 0..<d { out[j * width + k] = f * states[j * width + k] - half * scores[j * d + k] }
                out[j * width + d] = f * Double(d) - half * divergences[j]
            }
        }
        // The prior term at t = 1.
        var ends = [Double](repeating: 0, count: rows * d)
        for row in 0..<rows { for k in 0..<d { ends[row * d + k] = state[row * width + k] } }
        let prior: [Double]
        if let exactPrior = ends.withUnsafeBufferPointer({ model.logDensity($0.baseAddress!, count: rows, time: 1, process: process) }) {
            prior = exactPrior
        } else {
            let variance = process.kind == .ve ? pow(process.sigma(1), 2) : 1
            prior = (0..<rows).map { row in
                var squares = 0.0
                for k in 0..<d { squares += ends[row * d + k] * ends[row * d + k] }
                return -0.5 * squares / variance - 0.5 * Double(d) * log(2 * Double.pi * variance)
            }
        }
        var logDensity = [Double](repeating: 0, count: count), standardError = logDensity
        for r in 0..<count {
            let values = (0..<probes).map { p in prior[r * probes + p] + state[(r * probes + p) * width + d] }
            let mean = values.reduce(0, +) / Double(probes)
            logDensity[r] = mean
            if exact {
                standardError[r] = 0
            } else if probes > 1 {
                let spread = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(probes - 1)
                standardError[r] = (spread / Double(probes)).squareRoot()
            } else {
                standardError[r] = .nan
            }
            guard mean.isFinite else { throw EngineError(.nonFinite, "row \(r)'s log-density is \(mean): the score diverged") }
        }
        try monitor.finish()
        return LikelihoodResult(logDensity: logDensity, standardError: standardError, evaluations: Double(evaluations) / Double(rows))
    }
}
