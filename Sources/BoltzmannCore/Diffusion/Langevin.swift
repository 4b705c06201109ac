import Glibc

/// A density p(x) ∝ exp(-E(x)) for Langevin MCMC: log p (up to a constant) and its
/// gradient at a point, in double precision. `threadSafe` says whether chains may
/// evaluate it concurrently (a user callback may not be).
public protocol LangevinTarget {
    var dimension: Int { get }
    var threadSafe: Bool { get }
    /// log p(x) + const, writing grad log p(x) to `gradient` (d).
    func logDensity(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>) throws(EngineError) -> Double
}

/// A Gaussian mixture's marginal p_t at a fixed time, as a Langevin target.
public struct MixtureMarginal: LangevinTarget {
    public let model: GaussianMixtureScore
    private let fixed: GaussianMixtureScore.Marginal
    public var dimension: Int { model.dimension }
    public var threadSafe: Bool { true }

    public init(model: GaussianMixtureScore, process: ForwardProcess, time: Double) {
        self.model = model
        fixed = model.marginal(time: time, process: process)
    }

    public func logDensity(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>) throws(EngineError) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: model.scratchCount) { scratch in
            model.logDensity(x, marginal: fixed, scratch: scratch.baseAddress!, gradient: gradient)
        }
    }
}

/// Langevin Monte Carlo for a target density (Roberts & Tweedie 1996):
///
///     ULA:   x <- x + h grad log p(x) + sqrt(2h) z,
///     MALA:  propose y by the same step and accept with probability
///            min(1, p(y) q(x | y) / (p(x) q(y | x))), q(y | x) = N(y; x + h grad log p(x), 2h I).
///
/// ULA is biased at finite h (on N(0, s^2) its stationary variance is
/// s^2 / (1 - h / (2 s^2))); MALA's accept step removes the bias.
public enum LangevinSampler {
    public enum Method: Sendable {
        case unadjusted, metropolisAdjusted
    }

    /// Runs `steps` steps of each chain (rows of `states`, count x d, updated in
    /// place); chain r draws from stream (seed, r). Returns the fraction of MALA
    /// proposals accepted (1 for ULA). Chains run in parallel when the target is
    /// thread-safe. A failed or stopped call leaves `states` partly updated
    /// (callers work on a copy).
    public static func run(target: some LangevinTarget, states: UnsafeMutableBufferPointer<Double>, method: Method, steps: Int,
                           stepSize h: Double, seed: UInt64, monitor: WorkMonitor = .none()) throws(EngineError) -> Double {
        let d = target.dimension
        guard states.count % d == 0 else { throw EngineError(.shapeMismatch, "states has \(states.count) entries, not a multiple of dim = \(d)") }
        try Limit.iterations.check(steps, "steps")
        guard h.isFinite, h > 0 else { throw .invalid("step_size must be finite and > 0, got \(h)") }
        try Check.allFinite(states, "states", width: d)
        let chains = states.count / d
        guard chains > 0 else { return 1 }
        guard monitor.start(total: chains) else { try monitor.checkNotStopped(); return 1 }
        // Per chain: its accepted proposals and its error, each written by its own task.
        let accepted = UnsafeMutablePointer<Int>.allocate(capacity: chains)
        let errors = UnsafeMutablePointer<EngineError?>.allocate(capacity: chains)
        accepted.initialize(repeating: 0, count: chains)
        errors.initialize(repeating: nil, count: chains)
        defer { errors.deinitialize(count: chains); errors.deallocate(); accepted.deallocate() }
        let counts = SharedPointer(accepted), errorSlots = SharedPointer(errors), rows = SharedPointer(states.baseAddress!)
        let failed = InterruptFlag()  // raised by the first failing chain: the others stop
        let body = { (r: Int) in
            do throws(EngineError) {
                counts[r] = try chain(target, rows.base + r * d, method: method, steps: steps, h: h,
                                      random: RandomStream(seed: seed, stream: UInt64(r)), stop: { monitor.isStopped || failed.isRaised })
            } catch {
                errorSlots[r] = error
                failed.raise()
            }
            _ = monitor.advance(by: 1)
        }
        withoutActuallyEscaping(body) { body in
            // The target need not be Sendable: chains run concurrently only when it says it is thread-safe.
            let task = UncheckedBody(body)
            Parallel.forEach(chains, parallel: target.threadSafe && chains > 1 && chains * steps * d >= 1 << 12) { task.body($0) }
        }
        if let failure = (0..<chains).lazy.compactMap({ errors[$0] }).first { throw failure }
        try monitor.checkNotStopped()
        let total = (0..<chains).reduce(0) { $0 + accepted[$1] }
        try monitor.finish()
        return method == .unadjusted ? 1 : Double(total) / Double(chains * steps)
    }

    /// One chain; returns its accepted MALA proposals.
    private static func chain(_ target: some LangevinTarget, _ x: UnsafeMutablePointer<Double>, method: Method, steps: Int, h: Double,
                              random: RandomStream, stop: () -> Bool) throws(EngineError) -> Int {
        var random = random
        let d = target.dimension, spread = (2 * h).squareRoot()
        var gradient = [Double](repeating: 0, count: d), proposal = gradient, proposalGradient = gradient
        var logP = try gradient.withUnsafeMutableBufferPointer { g throws(EngineError) in try target.logDensity(x, gradient: g.baseAddress!) }
        try check(logP, gradient, "the start")
        var accepted = 0
        for step in 0..<steps {
            if step % 64 == 0, stop() { break }
            for k in 0..<d { proposal[k] = x[k] + h * gradient[k] + spread * random.normal() }
            let logQ = try proposal.withUnsafeBufferPointer { p throws(EngineError) in
                try proposalGradient.withUnsafeMutableBufferPointer { g throws(EngineError) in try target.logDensity(p.baseAddress!, gradient: g.baseAddress!) }
            }
            try check(logQ, proposalGradient, "step \(step)")
            var accept = true
            if method == .metropolisAdjusted {
                // log q(x | y) - log q(y | x), q(b | a) = N(b; a + h grad(a), 2h I)
                var forward = 0.0, backward = 0.0
                for k in 0..<d {
                    let f = proposal[k] - x[k] - h * gradient[k], b = x[k] - proposal[k] - h * proposalGradient[k]
                    forward += f * f
                    backward += b * b
                }
                let logRatio = logQ - logP + (forward - backward) / (4 * h)
                accept = logRatio >= 0 || log(random.uniform()) < logRatio
            }
            if accept {
                for k in 0..<d { x[k] = proposal[k] }
                swap(&gradient, &proposalGradient)
                logP = logQ
                accepted += 1
            }
        }
        return accepted
    }

    private static func check(_ value: Double, _ gradient: [Double], _ whereabouts: String) throws(EngineError) {
        guard value.isFinite || value == -.infinity, gradient.allSatisfy(\.isFinite) else {
            throw EngineError(.nonFinite, "the target's log density or gradient is not finite at \(whereabouts) (log p = \(value))")
        }
    }
}

/// A closure carried into `Parallel.forEach` (the chains write only their own rows).
private struct UncheckedBody: @unchecked Sendable {
    let body: (Int) -> Void
    init(_ body: @escaping (Int) -> Void) { self.body = body }
}

/// Checks from stochastic calculus (Øksendal, "Stochastic Differential Equations", §4.1): on `paths` Brownian paths of
/// `steps` increments over [0, t], the Itô sum sum_k W(t_k) (W(t_{k+1}) - W(t_k))
/// against W(t)^2 / 2 - t / 2 (Itô) and against W(t)^2 / 2 (the chain rule of
/// ordinary calculus, off by t/2 on average).
public enum StochasticCalculus {
    /// (mean, standard error) over the paths of Itô sum - (W^2/2 - t/2), and the
    /// same for Itô sum - W^2/2. Path p draws from stream (seed, p).
    public static func itoIntegral(paths: Int, steps: Int, time t: Double, seed: UInt64,
                                   monitor: WorkMonitor = .none()) throws(EngineError) -> (ito: (Double, Double), naive: (Double, Double)) {
        try Limit.iterations.check(paths, "paths", from: 2)
        try Limit.iterations.check(steps, "steps")
        guard t.isFinite, t > 0 else { throw .invalid("t must be finite and > 0, got \(t)") }
        let chunk = 256, chunks = (paths + chunk - 1) / chunk
        var sums = [Double](repeating: 0, count: 4 * chunks)
        let dt = t / Double(steps), scale = dt.squareRoot()
        sums.withUnsafeMutableBufferPointer { sums in
            let out = SharedPointer(sums.baseAddress!)
            Parallel.forEach(chunks, parallel: paths * steps >= 1 << 14) { c in
                var ito = 0.0, itoSquares = 0.0, naive = 0.0, naiveSquares = 0.0
                for p in (c * chunk)..<min(paths, (c + 1) * chunk) {
                    var random = RandomStream(seed: seed, stream: UInt64(p))
                    var w = 0.0, integral = 0.0
                    for step in 0..<steps {
                        // A path may be 2^30 steps (seconds): check the monitor within it.
                        if step & 0xFFFF == 0, monitor.isStopped { return }
                        let dw = scale * random.normal()
                        integral += w * dw
                        w += dw
                    }
                    let a = integral - (w * w / 2 - t / 2), b = integral - w * w / 2
                    ito += a; itoSquares += a * a; naive += b; naiveSquares += b * b
                }
                out[4 * c] = ito; out[4 * c + 1] = itoSquares; out[4 * c + 2] = naive; out[4 * c + 3] = naiveSquares
            }
        }
        try monitor.checkNotStopped()
        func summary(_ offset: Int) -> (Double, Double) {
            var sum = 0.0, squares = 0.0
            for c in 0..<chunks { sum += sums[4 * c + offset]; squares += sums[4 * c + offset + 1] }
            let n = Double(paths), mean = sum / n
            return (mean, (max(0, squares / n - mean * mean) * n / (n - 1) / n).squareRoot())
        }
        return (summary(0), summary(2))
    }
}
