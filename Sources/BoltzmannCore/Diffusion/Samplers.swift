import Glibc

/// The reverse-time samplers of score-based diffusion (Song et al. 2021; Ho et al.
/// 2020; Song & Ermon 2019; Song, Meng & Ermon 2021; Karras et al. 2022; Lu et al.
/// 2022). Time runs from t_0 = 1 down to the end time t_steps = epsilon on a grid of
/// `steps` steps (`NoiseGrid`; time-uniform t_i = 1 - i h unless chosen otherwise):
/// `steps` is the number of grid steps for every sampler, and `evaluations(options:)`
/// the score evaluations (NFE) that costs per sample. With `denoiseAtEnd` (the default
/// of EDM, DDIM, DPM-Solver++ and UniPC, whose papers end at noise 0) one more evaluation maps
/// x_epsilon to E[x_0 | x_epsilon]: the last step "to sigma = 0" of those papers, so
/// that EDM's 18 noise levels (35 NFE) are 17 steps here. The stochastic samplers'
/// last step returns its mean, adding no noise (as DDPM's last step and Song et al.'s
/// samplers do): noise added at epsilon would only blur the samples.
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
    /// Karras et al. 2022's sampler (their Algorithms 1 and 2): Heun's method on the
    /// scaled ODE d x-hat / d sigma-hat = (x-hat - D) / sigma-hat, x-hat = x / alpha_t,
    /// on the EDM grid by default; with `churn` > 0 each step first raises the noise by
    /// gamma = min(churn / steps, sqrt 2 - 1) (levels in [churnMin, churnMax]), adding
    /// N(0, (sigma-tilde^2 - sigma-hat^2) churnNoise^2) noise. Two evaluations per step.
    case edmHeun
    /// DDIM (Song, Meng & Ermon 2021): x_s = alpha_s D + sqrt(sigma_s^2 - c^2) eps-hat + c z
    /// with eps-hat = (x - alpha_t D) / sigma_t and c = eta sigma_s sigma_{t|s} / sigma_t,
    /// sigma_{t|s}^2 = sigma_t^2 - (alpha_t / alpha_s)^2 sigma_s^2: eta = 0 is the
    /// probability-flow ODE's exponential-integrator step, eta = 1 the posterior
    /// q(x_s | x_t, D) of ancestral sampling.
    case ddim
    /// DPM-Solver++(2M) (Lu et al. 2022, data prediction, multistep): with
    /// lambda = log(alpha / sigma) and h = lambda_s - lambda_t,
    /// x_s = (sigma_s / sigma_t) x - alpha_s (e^-h - 1) [(1 + 1/2r) D_t - D_prev / 2r],
    /// r = h_prev / h; the first step is first order. On the EDM grid by default.
    case dpmSolver2M
    /// DPM-Solver++(3M): the third-order multistep update in data prediction, warming
    /// up through orders 1 and 2, with the Taylor coefficient of its second difference
    /// (see `Run.dpmSolver`): the reference code's and diffusers' use half of it, which
    /// leaves their 3M second order. On the log-SNR grid by default.
    case dpmSolver3M
    /// UniPC-2 (Zhao et al. 2023, "bh2", data prediction; diffusers' default): the
    /// DPM-Solver++(2M) predictor, and after each step a corrector that reuses the next
    /// step's evaluation (see `Run.uniPC`), so third order at one evaluation per step.
    /// On the EDM grid by default. Under strong guidance, whose denoiser is stiff, the
    /// second-order 2M (or DDIM) is steadier, as Lu et al. advise against 3M there.
    case uniPC

    /// The grid the method uses when the options name none: Karras et al.'s for EDM, for
    /// DPM-Solver++(2M) ("DPM++ 2M Karras", the common pairing) and for UniPC (8
    /// Gaussians, VP, at 15 and 20 NFE: coverage 0.987 and 0.981 there, 0.973 and 0.974
    /// on log-SNR, as diffusers' UniPC with Karras sigmas; at 10 NFE log-SNR's 0.967
    /// beats its 0.850); log-SNR-uniform
    /// for (3M), whose extrapolation through three unequal steps suffers on the EDM grid
    /// (8 Gaussians at 20 NFE: mode coverage 0.86 there, 0.974 on log-SNR); uniform
    /// in t for the others.
    public var defaultGrid: NoiseGrid {
        switch self {
        case .edmHeun, .dpmSolver2M, .uniPC: return .edm
        case .dpmSolver3M: return .logSNR
        default: return .timeUniform
        }
    }

    /// Whether the method ends with a denoising step unless the options say: the
    /// samplers whose papers step to noise 0 (EDM, DDIM, DPM-Solver++).
    public var denoisesByDefault: Bool {
        switch self {
        case .edmHeun, .ddim, .dpmSolver2M, .dpmSolver3M, .uniPC: return true
        default: return false
        }
    }

    /// Score evaluations per sample (NFE) with `options`; nil for the adaptive ODE
    /// sampler, whose count depends on the path (the call reports it).
    /// With guidance (labels and w other than 0 and 1) each evaluation is two of the
    /// model's; with resampling each step is done `resample` times.
    public func evaluations(options: SamplerOptions) -> Int? {
        let steps = options.steps * max(options.resample, 1), final = options.denoises(self) ? 1 : 0
        let guided = options.labels != nil && options.guidance != 0 && options.guidance != 1 ? 2 : 1
        switch self {
        case .eulerMaruyama, .odeEuler, .ancestral, .reverseDiffusion, .ddim, .dpmSolver2M, .dpmSolver3M, .uniPC:
            return guided * (steps + final)
        case .odeHeun, .edmHeun: return guided * (2 * steps + final)
        case .predictorCorrector: return guided * (steps * (1 + options.langevinSteps) + final)
        case .annealedLangevin: return guided * (steps * options.langevinSteps + final)
        case .odeRK45: return nil
        }
    }
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
    /// End with one Tweedie denoising step x <- E[x_0 | x_epsilon]; nil takes the
    /// method's own choice (`SamplingMethod.denoisesByDefault`).
    public var denoiseAtEnd: Bool? = nil
    /// The noise-level grid; nil takes the method's own (`SamplingMethod.defaultGrid`).
    public var grid: NoiseGrid? = nil
    /// The EDM grid's rho (Karras et al.: 7).
    public var rho = 7.0
    /// The grid's noise range in sigma-hat = sigma_t / alpha_t; nil takes the process's
    /// own from t = 1 (the largest) down to epsilon. `sigmaMin` replaces epsilon.
    public var sigmaMin: Double? = nil, sigmaMax: Double? = nil
    /// EDM's stochastic sampler: S_churn (0: deterministic), the noise levels
    /// [S_tmin, S_tmax] where it churns, and S_noise (Karras et al.'s names).
    public var churn = 0.0, churnMin = 0.0, churnMax = Double.infinity, churnNoise = 1.0
    /// DDIM's eta in [0, 1] (0: deterministic).
    public var eta = 0.0
    /// Class labels per row for a class-conditional model (0..<classCount, or -1 for
    /// none), nil for unconditional sampling; and the classifier-free guidance scale
    /// w (`GuidedScore`: 0 unconditional, 1 conditional).
    public var labels: [Int32]? = nil, guidance = 1.0
    /// Inpainting (clamping): known values and a mask (count x d, 1 = known) per row. After
    /// every step the known coordinates are replaced by a fresh forward sample
    /// alpha_s x_known + sigma_s z of the step's time, and the output carries them exactly.
    public var known: [Float]? = nil, knownMask: [UInt8]? = nil
    /// RePaint's resampling (Lugmayr et al. 2022, jump length 1): each step is done this
    /// many times, the state noised back one step in between, so the free coordinates
    /// settle with the known ones. 1: plain replacement.
    public var resample = 1
    /// Grid steps after which to record the samples (in increasing order), for trajectories.
    public var record: [Int] = []
    /// The adaptive ODE sampler's relative and absolute tolerances (Song et al.'s 1e-5).
    public var rtol = 1e-5, atol = 1e-5

    public init() {}

    /// Whether `method` ends with a denoising step under these options.
    public func denoises(_ method: SamplingMethod) -> Bool { denoiseAtEnd ?? method.denoisesByDefault }
}

/// What a sampling call returns: the samples (count x d, row-major) and the score
/// evaluations per sample it made (NFE; the mean over rows for the adaptive sampler).
public struct SamplingResult: Sendable {
    public var samples: [Float]
    public var evaluations: Double
}

public enum DiffusionSampler {
    /// `count` samples (count x d, row-major) of the data distribution a score
    /// model describes, by `method` on `process`: `run(...)`'s samples.
    public static func sample(model: some ScoreModel, process: ForwardProcess, count: Int, method: SamplingMethod,
                              options: SamplerOptions = SamplerOptions(), seed: UInt64, trajectory: UnsafeMutablePointer<Float>? = nil,
                              monitor: WorkMonitor = .none()) throws(EngineError) -> [Float] {
        try run(model: model, process: process, count: count, method: method, options: options, seed: seed, trajectory: trajectory,
                monitor: monitor).samples
    }

    /// Checks the options that do not depend on the grid.
    static func check(_ options: SamplerOptions, method: SamplingMethod, process: ForwardProcess) throws(EngineError) {
        try Limit.samplerSteps.check(options.steps, "steps")
        guard options.snr.isFinite, options.snr > 0 else { throw .invalid("snr must be finite and > 0, got \(options.snr)") }
        guard options.stepSize.isFinite, options.stepSize > 0 else { throw .invalid("step_size must be finite and > 0, got \(options.stepSize)") }
        try Limit.steps.check(options.langevinSteps, "langevin_steps")
        var previousRecord = 0
        for step in options.record {
            guard step >= 1, step <= options.steps, step > previousRecord else {
                throw .invalid("record must list increasing steps in [1, \(options.steps)], got \(step)")
            }
            previousRecord = step
        }
        guard options.rtol.isFinite, options.rtol > 0, options.atol.isFinite, options.atol > 0 else {
            throw .invalid("rtol and atol must be finite and > 0, got \(options.rtol) and \(options.atol)")
        }
        guard options.churn.isFinite, options.churn >= 0 else { throw .invalid("s_churn must be finite and >= 0, got \(options.churn)") }
        guard !options.churnMin.isNaN, !options.churnMax.isNaN, options.churnMin >= 0, options.churnMin <= options.churnMax else {
            throw .invalid("s_tmin and s_tmax must satisfy 0 <= s_tmin <= s_tmax, got \(options.churnMin) and \(options.churnMax)")
        }
        guard options.churnNoise.isFinite, options.churnNoise >= 0 else {
            throw .invalid("s_noise must be finite and >= 0, got \(options.churnNoise)")
        }
        guard options.eta.isFinite, options.eta >= 0, options.eta <= 1 else { throw .invalid("eta must be in [0, 1], got \(options.eta)") }
        if method == .odeRK45 {
            guard options.record.isEmpty else { throw EngineError(.unsupported, "the adaptive ODE sampler has no grid to record a trajectory on") }
            guard options.grid == nil, options.sigmaMin == nil, options.sigmaMax == nil else {
                throw EngineError(.unsupported, "the adaptive ODE sampler has no grid: give epsilon, not a grid or a noise range")
            }
        }
        if method == .ancestral && process.kind == .subVP {
            throw EngineError(.unsupported, "ancestral sampling is defined for VP, DDPM and VE processes, not sub-VP")
        }
        if options.churn > 0 && method != .edmHeun {
            throw .invalid("s_churn is the EDM sampler's (method edm_heun), not \(method)'s")
        }
        if options.eta > 0 && method != .ddim { throw .invalid("eta is DDIM's (method ddim), not \(method)'s") }
        guard options.guidance.isFinite else { throw .invalid("guidance must be finite, got \(options.guidance)") }
        if options.labels == nil && options.guidance != 1 {
            throw .invalid("guidance needs labels: it mixes a class-conditional model's conditional and unconditional denoisers")
        }
        try Limit.steps.check(options.resample, "resample")
        if options.known != nil || options.knownMask != nil || options.labels != nil || options.resample > 1 {
            guard method != .odeRK45 else {
                throw EngineError(.unsupported, "the adaptive ODE sampler takes no labels, known values or resampling: choose a grid sampler")
            }
        }
        if options.resample > 1 {
            guard options.known != nil else { throw .invalid("resample is for inpainting: give known values and a mask") }
            guard ![.dpmSolver2M, .dpmSolver3M, .uniPC, .annealedLangevin].contains(method) else {
                throw EngineError(.unsupported, "resampling redoes single steps: \(method) is not a one-step sampler")
            }
        }
    }

    /// Checks the inpainting arrays against the batch.
    static func checkKnown(_ options: SamplerOptions, count: Int, dimension d: Int) throws(EngineError) {
        guard (options.known == nil) == (options.knownMask == nil) else { throw .invalid("known values and their mask come together") }
        guard let known = options.known, let mask = options.knownMask else { return }
        guard known.count == count * d, mask.count == count * d else {
            throw EngineError(.shapeMismatch, "known and known_mask need n x dim = \(count * d) values, got \(known.count) and \(mask.count)")
        }
        if let k = mask.firstIndex(where: { $0 > 1 }) { throw .invalid("known_mask[\(k / d)][\(k % d)] must be 0 or 1, got \(mask[k])") }
        if let k = known.indices.first(where: { mask[$0] == 1 && !known[$0].isFinite }) {
            throw EngineError(.nonFinite, "known[\(k / d)][\(k % d)] is \(known[k])")
        }
    }

    /// Samples as `sample`, with the score evaluations they cost. Row r draws all its
    /// noise (prior and steps) from stream (seed, r), and scores are computed row by
    /// row, so the result does not depend on the thread count or on how the rows are
    /// batched. Recorded states (record.count x count x d) go to `trajectory`. The
    /// monitor counts steps (arrived rows for `odeRK45`).
    public static func run(model: some ScoreModel, process: ForwardProcess, count: Int, method: SamplingMethod,
                           options: SamplerOptions = SamplerOptions(), seed: UInt64, trajectory: UnsafeMutablePointer<Float>? = nil,
                           monitor: WorkMonitor = .none()) throws(EngineError) -> SamplingResult {
        let d = model.dimension, steps = options.steps
        try Limit.iterations.check(count, "n", from: 0)
        guard count * d <= Limit.storedValues.value else {
            throw EngineError(.limitExceeded, "n x dim = \(count) x \(d) values are more than the library samples at once (\(Limit.storedValues.text))")
        }
        try check(options, method: method, process: process)
        try checkKnown(options, count: count, dimension: d)
        if let labels = options.labels {
            guard let conditional = model as? any ConditionalScoreModel, conditional.classCount > 0 else {
                throw EngineError(.unsupported, "labels and guidance need a class-conditional model; this score model has no classes")
            }
            guard labels.count == count else { throw EngineError(.shapeMismatch, "labels has \(labels.count) entries, expected n = \(count)") }
            let classes = conditional.classCount
            if let k = labels.firstIndex(where: { $0 < -1 || Int($0) >= classes }) {
                throw .invalid("labels[\(k)] must be a class in [0, \(classes)) or -1 for none, got \(labels[k])")
            }
            let labels = labels.map { $0 == -1 ? Int32(classes) : $0 }  // the model's "no label"
            var inner = options
            inner.labels = nil
            inner.guidance = 1
            func guided<Conditional: ConditionalScoreModel>(_ model: Conditional) throws(EngineError) -> SamplingResult {
                let wrapper = GuidedScore(model: model, labels: labels, guidance: options.guidance)
                var result = try run(model: wrapper, process: process, count: count, method: method, options: inner, seed: seed,
                                     trajectory: trajectory, monitor: monitor)
                result.evaluations *= Double(wrapper.evaluationsPerCall)
                return result
            }
            return try guided(conditional)
        }
        let (start, epsilon) = try gridEnds(process: process, options: options)
        let times = method == .odeRK45 ? [] : try Self.times(process: process, grid: options.grid ?? method.defaultGrid, options: options)
        // The samples and the run's buffers (scores, noise, a stream per row, the
        // multistep history); RK45 keeps seven stages and its state in double.
        let perValue = method == .odeRK45 ? 100 : method == .uniPC ? 28 : method == .dpmSolver3M ? 24 : 20
        try Memory.reserve([(count * d, perValue), (count, 48)], for: "\(count) samples of dimension \(d)")
        var x = [Float](repeating: 0, count: count * d)
        guard count > 0 else { return SamplingResult(samples: x, evaluations: Double(method.evaluations(options: options) ?? 0)) }
        var sampler = Run(model: model, process: process, count: count, dimension: d, seed: seed)
        sampler.prior(&x, at: start)
        let denoise = options.denoises(method)
        if method == .odeRK45 {
            let evaluations = try AdaptiveODE.integrate(model: model, process: process, x: &x, count: count, epsilon: epsilon,
                                                        rtol: options.rtol, atol: options.atol, monitor: monitor)
            let samples = try finish(x, model: model, process: process, count: count, epsilon: epsilon, denoise: denoise, monitor: monitor)
            return SamplingResult(samples: samples, evaluations: Double(evaluations) / Double(count) + (denoise ? 1 : 0))
        }
        var recorded = 0
        var history = MultistepHistory()
        let clamp = options.known.map { known in (known: known, mask: options.knownMask!) }
        guard monitor.start(total: steps) else { try monitor.checkNotStopped(); return SamplingResult(samples: x, evaluations: 0) }
        for i in 0..<steps {
            let t = times[i], next = times[i + 1], last = i == steps - 1
            for round in 0..<options.resample {
                if round > 0 { sampler.renoise(&x, from: next, to: t) }
                switch method {
                case .eulerMaruyama: sampler.eulerMaruyama(&x, t, t - next, last: last)
                case .predictorCorrector:
                    for _ in 0..<options.langevinSteps { sampler.corrector(&x, t, next, snr: options.snr) }
                    sampler.reverseDiffusion(&x, t, next, last: last)
                case .odeEuler: sampler.odeEuler(&x, t, t - next)
                case .odeHeun: sampler.odeHeun(&x, t, t - next)
                case .ancestral: sampler.ancestral(&x, t, next, last: last)
                case .reverseDiffusion: sampler.reverseDiffusion(&x, t, next, last: last)
                case .odeRK45: break  // integrated above
                case .annealedLangevin:
                    let sigmaEnd = process.sigma(epsilon), level = process.sigma(t)
                    let stepSize = options.stepSize * (level * level) / (sigmaEnd * sigmaEnd)
                    for _ in 0..<options.langevinSteps { sampler.langevin(&x, t, stepSize: stepSize) }
                case .edmHeun:
                    let gamma = options.churn > 0 && (options.churnMin...options.churnMax).contains(process.noiseLevel(t))
                        ? min(options.churn / Double(steps), 2.0.squareRoot() - 1) : 0
                    sampler.edmHeun(&x, t, next, gamma: gamma, noiseScale: options.churnNoise)
                case .ddim: sampler.ddim(&x, t, next, eta: options.eta, last: last && !denoise)
                case .dpmSolver2M: sampler.dpmSolver(&x, times: times, step: i, order: 2, history: &history)
                case .dpmSolver3M: sampler.dpmSolver(&x, times: times, step: i, order: 3, history: &history)
                case .uniPC: sampler.uniPC(&x, times: times, step: i, history: &history)
                }
                if let clamp { sampler.replaceKnown(&x, at: next, known: clamp.known, mask: clamp.mask) }
            }
            if recorded < options.record.count, options.record[recorded] == i + 1, let trajectory {
                (trajectory + recorded * count * d).update(from: x, count: count * d)
                recorded += 1
            }
            guard monitor.advance(by: 1) else { break }
        }
        try monitor.checkNotStopped()
        var samples = try finish(x, model: model, process: process, count: count, epsilon: epsilon, denoise: denoise, monitor: monitor)
        if let clamp {
            for k in samples.indices where clamp.mask[k] == 1 { samples[k] = clamp.known[k] }
        }
        return SamplingResult(samples: samples, evaluations: Double(method.evaluations(options: options) ?? 0))
    }

    /// The optional Tweedie step, the finiteness check, and the monitor's end.
    private static func finish(_ samples: [Float], model: some ScoreModel, process: ForwardProcess, count: Int, epsilon: Double,
                               denoise: Bool, monitor: WorkMonitor) throws(EngineError) -> [Float] {
        var x = samples
        if denoise {
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

        /// The known coordinates replaced by a forward sample of time t:
        /// alpha_t x_known + sigma_t z (RePaint's known part).
        mutating func replaceKnown(_ x: inout [Float], at t: Double, known: [Float], mask: [UInt8]) {
            drawNoise()
            let alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
            for k in x.indices where mask[k] == 1 { x[k] = alpha * known[k] + sigma * noise[k] }
        }

        /// The forward transition from s back up to t > s: x <- (alpha_t / alpha_s) x +
        /// sqrt(sigma_t^2 - (alpha_t / alpha_s)^2 sigma_s^2) z (RePaint's jump back).
        mutating func renoise(_ x: inout [Float], from s: Double, to t: Double) {
            drawNoise()
            let ratio = process.alpha(t) / process.alpha(s), sigmaS = process.sigma(s), sigmaT = process.sigma(t)
            let a = Float(ratio), c = Float(max(sigmaT * sigmaT - ratio * ratio * sigmaS * sigmaS, 0).squareRoot())
            for k in x.indices { x[k] = a * x[k] + c * noise[k] }
        }

        /// x ~ N(0, sigma_t^2 I) for VE, N(0, I) otherwise, at the grid's start t.
        mutating func prior(_ x: inout [Float], at t: Double = 1) {
            let scale = process.kind == .ve ? process.sigma(t) : 1
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
