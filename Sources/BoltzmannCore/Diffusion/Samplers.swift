import Glibc

/// The reverse-time samplers of score-based diffusion (Song et al. 2021; Ho et al.
/// 2020; Song & Ermon 2019). Time runs from 1 down to the end time epsilon on the
/// uniform grid t_i = 1 - i h, h = (1 - epsilon) / steps. The stochastic samplers'
/// last step returns its mean, adding no noise (as DDPM's last step and Song et
/// al.'s samplers do): noise added at epsilon would only blur the samples.
public enum SamplingMethod: Sendable {
    /// Euler-Maruyama on the reverse SDE dx = [f x - g^2 s] dt + g dw-bar:
    /// x <- x - (f x - g^2 s) h + g sqrt(h) z.
    case eulerMaruyama
    /// Predictor-corrector: per step `langevinSteps` Langevin corrector steps at
    /// signal-to-noise ratio `snr` (x <- x + e s + sqrt(2e) z, e = 2 a (snr sigma_t)^2,
    /// a = 1 - beta_i for the VP family, 1 for VE: Song et al.'s step with the norms
    /// at their typical values, see `Run.corrector`), then the reverse-diffusion predictor.
    case predictorCorrector
    /// The probability-flow ODE dx/dt = f x - g^2 s / 2 by Euler steps.
    case odeEuler
    /// The same ODE by Heun's method (two score evaluations per step).
    case odeHeun
    /// Ancestral sampling: DDPM's x <- (x + beta_i s) / sqrt(1 - beta_i) + sqrt(beta_i) z
    /// with beta_i = 1 - alpha_{t_i}^2 / alpha_{t_{i-1}}^2 (VP, DDPM), or SMLD's
    /// x <- x + (v_i - v_{i-1}) s + sqrt(v_{i-1} (v_i - v_{i-1}) / v_i) z, v = sigma_t^2 (VE).
    case ancestral
    /// Annealed Langevin dynamics (NCSN): at each of `steps` noise levels t_i,
    /// `langevinSteps` steps x <- x + (e_i / 2) s + sqrt(e_i) z with e_i = stepSize sigma_{t_i}^2 / sigma_epsilon^2.
    case annealedLangevin
    /// The reverse-diffusion predictor alone: the forward process's own one-step
    /// transition reversed, x <- x - f_i + G_i^2 s + G_i z.
    case reverseDiffusion
    /// The probability-flow ODE by the adaptive Dormand-Prince 5(4) pair with a step
    /// per row under `rtol` and `atol` (see `AdaptiveODE`); `steps` is not used.
    case odeRK45
}

/// Options of `DiffusionSampler.sample`; defaults as documented by each field.
public struct SamplerOptions: Sendable {
    /// Steps of the time grid (noise levels for annealed Langevin).
    public var steps = 1000
    /// End time; nil takes the process's default (1e-3, or 1e-5 for VE).
    public var epsilon: Double? = nil
    /// Corrector signal-to-noise ratio (PC).
    public var snr = 0.16
    /// Langevin steps per noise level (annealed Langevin) or corrector steps per step (PC).
    public var langevinSteps = 1
    /// Annealed Langevin's base step size (Song & Ermon: 2e-5).
    public var stepSize = 2e-5
    /// End with one Tweedie denoising step x <- E[x_0 | x_epsilon].
    public var denoiseAtEnd = false
    /// Grid steps after which to record the samples (in increasing order), for trajectories.
    public var record: [Int] = []
    /// The adaptive ODE sampler's relative and absolute tolerances (Song et al.'s 1e-5).
    public var rtol = 1e-5, atol = 1e-5

    public init() {}
}

public enum DiffusionSampler {
    /// `count` samples (count x d, row-major) of the data distribution a score
    /// model describes, by `method` on `process`. Row r draws all its noise (prior
    /// and steps) from stream (seed, r), and scores are computed row by row, so the
    /// result does not depend on the thread count or on how the rows are batched.
    /// Recorded states (record.count x count x d) go to `trajectory`. The monitor
    /// counts steps (arrived rows for `odeRK45`).
    public static func sample(model: some ScoreModel, process: ForwardProcess, count: Int, method: SamplingMethod,
                              options: SamplerOptions = SamplerOptions(), seed: UInt64, trajectory: UnsafeMutablePointer<Float>? = nil,
                              monitor: WorkMonitor = .none()) throws(EngineError) -> [Float] {
        let d = model.dimension, steps = options.steps
        try Limit.iterations.check(count, "n", from: 0)
        guard count * d <= Limit.storedValues.value else {
            throw EngineError(.limitExceeded, "n x dim = \(count) x \(d) values are more than the library samples at once (\(Limit.storedValues.text))")
        }
        try Limit.samplerSteps.check(steps, "steps")
        let epsilon = options.epsilon ?? process.defaultSamplingEpsilon
        guard epsilon.isFinite, epsilon > 0, epsilon < 1 else { throw .invalid("epsilon must be in (0, 1), got \(epsilon)") }
        guard options.snr.isFinite, options.snr > 0 else { throw .invalid("snr must be finite and > 0, got \(options.snr)") }
        guard options.stepSize.isFinite, options.stepSize > 0 else { throw .invalid("step_size must be finite and > 0, got \(options.stepSize)") }
        try Limit.steps.check(options.langevinSteps, "langevin_steps")
        var previousRecord = 0
        for step in options.record {
            guard step >= 1, step <= steps, step > previousRecord else {
                throw .invalid("record must list increasing steps in [1, \(steps)], got \(step)")
            }
            previousRecord = step
        }
        guard options.rtol.isFinite, options.rtol > 0, options.atol.isFinite, options.atol > 0 else {
            throw .invalid("rtol and atol must be finite and > 0, got \(options.rtol) and \(options.atol)")
        }
        if method == .odeRK45 {
            guard options.record.isEmpty else { throw EngineError(.unsupported, "the adaptive ODE sampler has no grid to record a trajectory on") }
        }
        if method == .ancestral && process.kind == .subVP {
            throw EngineError(.unsupported, "ancestral sampling is defined for VP, DDPM and VE processes, not sub-VP")
        }
        // The samples and the run's buffers (scores, noise, a stream per row); RK45 keeps
        // seven stages and its state in double.
        try Memory.reserve([(count * d, method == .odeRK45 ? 100 : 16), (count, 48)], for: "\(count) samples of dimension \(d)")
        var x = [Float](repeating: 0, count: count * d)
        guard count > 0 else { return x }
        var sampler = Run(model: model, process: process, count: count, dimension: d, seed: seed)
        sampler.prior(&x)
        if method == .odeRK45 {
            _ = try AdaptiveODE.integrate(model: model, process: process, x: &x, count: count, epsilon: epsilon, rtol: options.rtol,
                                          atol: options.atol, monitor: monitor)
            return try finish(x, model: model, process: process, count: count, epsilon: epsilon, options: options, monitor: monitor)
        }
        let h = (1 - epsilon) / Double(steps)
        var recorded = 0
        guard monitor.start(total: steps) else { try monitor.checkNotStopped(); return x }
        for i in 0..<steps {
            let t = 1 - Double(i) * h, next = t - h, last = i == steps - 1
            switch method {
            case .eulerMaruyama: sampler.eulerMaruyama(&x, t, h, last: last)
            case .predictorCorrector:
                for _ in 0..<options.langevinSteps { sampler.corrector(&x, t, next, snr: options.snr) }
                sampler.reverseDiffusion(&x, t, next, last: last)
            case .odeEuler: sampler.odeEuler(&x, t, h)
            case .odeHeun: sampler.odeHeun(&x, t, h)
            case .ancestral: sampler.ancestral(&x, t, next, last: last)
            case .reverseDiffusion: sampler.reverseDiffusion(&x, t, next, last: last)
            case .odeRK45: break  // integrated above
            case .annealedLangevin:
                let sigmaEnd = process.sigma(epsilon), level = process.sigma(t)
                let stepSize = options.stepSize * (level * level) / (sigmaEnd * sigmaEnd)
                for _ in 0..<options.langevinSteps { sampler.langevin(&x, t, stepSize: stepSize) }
            }
            if recorded < options.record.count, options.record[recorded] == i + 1, let trajectory {
                (trajectory + recorded * count * d).update(from: x, count: count * d)
                recorded += 1
            }
            guard monitor.advance(by: 1) else { break }
        }
        try monitor.checkNotStopped()
        return try finish(x, model: model, process: process, count: count, epsilon: epsilon, options: options, monitor: monitor)
    }

    /// The optional Tweedie step, the finiteness check, and the monitor's end.
    private static func finish(_ samples: [Float], model: some ScoreModel, process: ForwardProcess, count: Int, epsilon: Double,
                               options: SamplerOptions, monitor: WorkMonitor) throws(EngineError) -> [Float] {
        var x = samples
        if options.denoiseAtEnd {
            var out = x
            model.denoise(x, count: count, time: epsilon, process: process, into: &out)
            x = out
        }
        if let k = x.firstIndex(where: { !$0.isFinite }) {
            throw EngineError(.nonFinite, "sample \(k / model.dimension) diverged (\(x[k])): too few steps for this process, or a bad model")
        }
        try monitor.finish()
        return x
    }

    /// The state of one sampling run: the model, per-row random streams and scratch.
    struct Run<Model: ScoreModel> {
        let model: Model
        let process: ForwardProcess
        let count: Int, dimension: Int
        var streams: [RandomStream]
        var score: [Float], noise: [Float], scratch: [Float]

        init(model: Model, process: ForwardProcess, count: Int, dimension: Int, seed: UInt64) {
            self.model = model
            self.process = process
            self.count = count
            self.dimension = dimension
            streams = (0..<count).map { RandomStream(seed: seed, stream: UInt64($0)) }
            score = [Float](repeating: 0, count: count * dimension)
            noise = score
            scratch = score
        }

        /// x ~ N(0, sigma_1^2 I) for VE, N(0, I) otherwise.
        mutating func prior(_ x: inout [Float]) {
            let scale = process.kind == .ve ? process.sigma(1) : 1
            drawNoise()
            for k in x.indices { x[k] = Float(scale) * noise[k] }
        }

        /// noise <- standard normal draws, row r from its own stream.
        mutating func drawNoise() {
            let d = dimension, count = count
            streams.withUnsafeMutableBufferPointer { streams in
                noise.withUnsafeMutableBufferPointer { noise in
                    let streams = SharedPointer(streams.baseAddress!), noise = SharedPointer(noise.baseAddress!)
                    Parallel.forEach((count + 255) / 256, parallel: count * d >= 1 << 14) { chunk in
                        for r in (chunk * 256)..<min(count, (chunk + 1) * 256) {
                            for k in 0..<d { noise[r * d + k] = Float(streams.base[r].normal()) }
                        }
                    }
                }
            }
        }

        mutating func computeScore(_ x: [Float], _ t: Double) {
            model.score(x, count: count, time: t, process: process, into: &score)
        }

        /// x <- a x + b score + c noise, elementwise over the batch.
        func combine(_ x: inout [Float], _ a: Double, _ b: Double, _ c: Double) {
            let a = Float(a), b = Float(b), c = Float(c)
            if c == 0 {
                for k in x.indices { x[k] = a * x[k] + b * score[k] }
            } else {
                for k in x.indices { x[k] = a * x[k] + b * score[k] + c * noise[k] }
            }
        }

        mutating func eulerMaruyama(_ x: inout [Float], _ t: Double, _ h: Double, last: Bool) {
            computeScore(x, t)
            drawNoise()
            let f = process.drift(t), g = process.diffusion(t)
            combine(&x, 1 - f * h, g * g * h, last ? 0 : g * h.squareRoot())
        }

        /// The forward transition from `next` to t, f_i x and G_i: exact for the VP
        /// family's mean and VE's variance, Euler-Maruyama's for sub-VP.
        func transition(_ t: Double, _ next: Double) -> (meanFactor: Double, variance: Double) {
            switch process.kind {
            case .vp, .ddpm:
                let ratio = process.alpha(t) / process.alpha(next)
                return (ratio, 1 - ratio * ratio)
            case .ve:
                let s1 = process.sigma(t), s0 = process.sigma(next)
                return (1, s1 * s1 - s0 * s0)
            case .subVP:
                let h = t - next, g = process.diffusion(t)
                return (1 + process.drift(t) * h, g * g * h)
            }
        }

        mutating func reverseDiffusion(_ x: inout [Float], _ t: Double, _ next: Double, last: Bool) {
            computeScore(x, t)
            drawNoise()
            let (factor, variance) = transition(t, next)
            // x <- x - (factor - 1) x + G^2 s + G z
            combine(&x, 2 - factor, variance, last ? 0 : variance.squareRoot())
        }

        mutating func ancestral(_ x: inout [Float], _ t: Double, _ next: Double, last: Bool) {
            computeScore(x, t)
            drawNoise()
            if process.kind == .ve {
                let v1 = process.sigma(t) * process.sigma(t), v0 = process.sigma(next) * process.sigma(next)
                combine(&x, 1, v1 - v0, last ? 0 : (v0 * (v1 - v0) / v1).squareRoot())
            } else {
                let (factor, beta) = transition(t, next)
                // (x + beta s) / sqrt(1 - beta) + sqrt(beta) z, with sqrt(1 - beta) = factor
                combine(&x, 1 / factor, beta / factor, last ? 0 : beta.squareRoot())
            }
        }

        /// One Langevin corrector step with e = 2 a (snr sigma_t)^2: Song et al.'s
        /// e = 2 a (snr |z| / |s|)^2 with the norms at their typical values |z|^2 = d
        /// and |s|^2 = d / sigma_t^2 (the score of the added noise), not the drawn
        /// ones: per-sample ratios swing wildly in low dimension (|s| vanishes between
        /// modes), and batch-averaged ones would tie each sample to its batch.
        mutating func corrector(_ x: inout [Float], _ t: Double, _ next: Double, snr: Double) {
            computeScore(x, t)
            drawNoise()
            // a = 1 - beta_i of the VP family's step on this grid, 1 for VE.
            let a = process.kind == .ve ? 1 : 1 - transition(t, next).variance
            let sigma = process.sigma(t), e = 2 * a * snr * snr * sigma * sigma
            combine(&x, 1, e, (2 * e).squareRoot())
        }

        mutating func langevin(_ x: inout [Float], _ t: Double, stepSize e: Double) {
            computeScore(x, t)
            drawNoise()
            combine(&x, 1, e / 2, e.squareRoot())
        }

        /// The probability-flow velocity v = f x - g^2 s / 2 at t, left in `score`.
        mutating func velocity(_ x: [Float], _ t: Double) {
            computeScore(x, t)
            let f = Float(process.drift(t)), g = process.diffusion(t), half = Float(g * g / 2)
            for k in x.indices { score[k] = f * x[k] - half * score[k] }
        }

        mutating func odeEuler(_ x: inout [Float], _ t: Double, _ h: Double) {
            velocity(x, t)
            let step = Float(h)
            for k in x.indices { x[k] -= step * score[k] }
        }

        /// Heun: v1 at (x, t) kept in `scratch`, the Euler prediction in `noise` (the
        /// ODE draws none), v2 at (prediction, t - h) in `score`.
        mutating func odeHeun(_ x: inout [Float], _ t: Double, _ h: Double) {
            velocity(x, t)
            let step = Float(h)
            for k in x.indices {
                scratch[k] = score[k]
                noise[k] = x[k] - step * score[k]
            }
            velocity(noise, t - h)
            for k in x.indices { x[k] -= step * 0.5 * (scratch[k] + score[k]) }
        }
    }
}
