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

/// The Dormand-Prince 5(4) pair (the coefficients of `AdaptiveODE`) on rows of a
/// state (rows x width, double) from t0 to t1 in either direction, each row with its
/// own error-controlled step, so a row's path depends on nothing but its own start.
enum DormandPrince {
    /// The vector field: for the active rows (indices) at their times and states
    /// (active.count x width), write the derivatives (active.count x width).
    typealias Field = (_ active: [Int], _ times: [Double], _ states: UnsafePointer<Double>,
                       _ out: UnsafeMutablePointer<Double>) throws(EngineError) -> Void

    /// Integrates in place; returns the row evaluations made. The monitor counts rows
    /// that have arrived.
    static func integrate(rows: Int, width: Int, state: inout [Double], from t0: Double, to t1: Double, rtol: Double,
                          atol: Double, monitor: WorkMonitor, field: Field) throws(EngineError) -> Int {
        let direction = t1 >= t0 ? 1.0 : -1.0, span = abs(t1 - t0)
        let c = AdaptiveODE.c, a = AdaptiveODE.a, errorWeights = AdaptiveODE.errorWeights
        var stages = [[Double]](repeating: [Double](repeating: 0, count: rows * width), count: 7)
        var done = [Double](repeating: 0, count: rows), step = done  // progress |t - t0| and step size per row
        var stepsTaken = [Int](repeating: 0, count: rows), proposal = [Double](repeating: 0, count: rows * width)
        var active = Array(0..<rows), evaluations = 0
        var input = [Double](repeating: 0, count: rows * width), output = input, times = [Double](repeating: 0, count: rows)

        func evaluate(_ stage: Int, at time: (Int) -> Double, point: (Int, UnsafeMutablePointer<Double>) -> Void) throws(EngineError) {
            let m = active.count
            input.withUnsafeMutableBufferPointer { buffer in
                for (j, row) in active.enumerated() {
                    point(row, buffer.baseAddress! + j * width)
                    times[j] = time(row)
                }
            }
            let current = Array(times[0..<m])
            try input.withUnsafeBufferPointer { (states: UnsafeBufferPointer<Double>) throws(EngineError) in
                try output.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<Double>) throws(EngineError) in
                    try field(active, current, states.baseAddress!, out.baseAddress!)
                }
            }
            evaluations += m
            for (j, row) in active.enumerated() {
                for k in 0..<width { stages[stage][row * width + k] = output[j * width + k] }
            }
        }

        guard rows > 0, span > 0 else { return 0 }
        guard monitor.start(total: rows) else { try monitor.checkNotStopped(); return 0 }
        try evaluate(0, at: { _ in t0 }) { row, out in for k in 0..<width { out[k] = state[row * width + k] } }
        for row in 0..<rows {
            var sizeY = 0.0, sizeF = 0.0
            for k in 0..<width {
                let scale = atol + rtol * abs(state[row * width + k])
                sizeY += (state[row * width + k] / scale) * (state[row * width + k] / scale)
                sizeF += (stages[0][row * width + k] / scale) * (stages[0][row * width + k] / scale)
            }
            let h = sizeY < 1e-10 || sizeF < 1e-10 ? 1e-6 : 0.01 * (sizeY / sizeF).squareRoot()
            step[row] = min(max(h, 1e-6 * span), span)
        }
        steps: while !active.isEmpty {
            for stage in 1..<7 {
                if monitor.isStopped { break steps }
                let coefficients = a[stage], offset = c[stage]
                try evaluate(stage, at: { row in t0 + direction * (done[row] + offset * step[row]) }) { row, out in
                    let h = direction * step[row]
                    for k in 0..<width {
                        var sum = 0.0
                        for (j, weight) in coefficients.enumerated() where weight != 0 { sum += weight * stages[j][row * width + k] }
                        let point = state[row * width + k] + h * sum
                        if stage == 6 { proposal[row * width + k] = point }
                        out[k] = point
                    }
                }
            }
            var still: [Int] = []
            var arrived: Int64 = 0
            for row in active {
                let h = step[row]
                stepsTaken[row] += 1
                var error = 0.0
                for k in 0..<width {
                    var difference = 0.0
                    for j in 0..<7 { difference += errorWeights[j] * stages[j][row * width + k] }
                    let scale = atol + rtol * max(abs(state[row * width + k]), abs(proposal[row * width + k]))
                    error += (h * difference / scale) * (h * difference / scale)
                }
                error = (error / Double(width)).squareRoot()
                guard error.isFinite else {
                    throw EngineError(.nonFinite, "row \(row) diverged in the adaptive ODE solver at t = \(t0 + direction * done[row])")
                }
                if error <= 1 {
                    for k in 0..<width {
                        state[row * width + k] = proposal[row * width + k]
                        stages[0][row * width + k] = stages[6][row * width + k]
                    }
                    done[row] += h
                }
                let factor = error == 0 ? 5 : min(5, max(0.2, 0.9 * pow(error, -0.2)))
                let remaining = span - done[row]
                if remaining <= 1e-12 * max(1, span) {
                    arrived += 1
                    continue
                }
                guard stepsTaken[row] < AdaptiveODE.maxSteps else {
                    throw EngineError(.notConverged, "row \(row) needed more than \(AdaptiveODE.maxSteps) steps: raise rtol or atol")
                }
                step[row] = min(h * (error <= 1 ? factor : min(1, factor)), remaining)
                still.append(row)
            }
            active = still
            guard monitor.advance(by: arrived) else { break }
        }
        try monitor.checkNotStopped()
        return evaluations
    }
}
