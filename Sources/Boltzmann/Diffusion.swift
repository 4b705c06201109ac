import BoltzmannCore
import CBoltzmann
import Synchronization

// Header section "Score-based diffusion" (the metrics are in Metrics.swift).

/// The forward process behind a `bz_sde *` (immutable).
typealias SDEHandle = SharedHandle<ForwardProcess>

/// The score model behind a `bz_score *`. Calls read a snapshot of the model (a
/// value), so any number may sample at once; training (one call at a time) works
/// on a copy and publishes it when done, or when stopped, never half a step.
final class ScoreHandle: Interruptible, @unchecked Sendable {
    static let typeName = "bz_score"
    private let current: ForkSafeMutex<any ScoreModel>
    private let training = BusyFlag()
    let interrupt = InterruptFlag()
    init(_ model: any ScoreModel) { current = ForkSafeMutex(model) }

    var model: any ScoreModel { current.withLock { $0 } }

    /// Publish a trained model; the one it replaces is released outside the lock.
    private func publish(_ learned: MLPScore) {
        var replaced: any ScoreModel = learned
        current.withLock { swap(&$0, &replaced) }
    }

    /// Runs `body` on a copy of the learned model and publishes what it returns,
    /// refusing a second concurrent training call (BZ_ERR_BUSY).
    func train<R>(_ body: (inout MLPScore) throws(EngineError) -> R) throws(EngineError) -> R {
        guard training.tryAcquire() else { throw EngineError(.busy, "the bz_score handle is being trained by another call") }
        defer { training.release() }
        guard var learned = model as? MLPScore else { throw EngineError(.unsupported, "score is not a learned (MLP) model: only those train") }
        do {
            let result = try body(&learned)
            publish(learned)
            return result
        } catch {
            if error.kind == .cancelled { publish(learned) }
            throw error
        }
    }
}

func process(_ pointer: OpaquePointer?) throws(EngineError) -> ForwardProcess {
    try Handles.lookup(pointer, as: SDEHandle.self, "sde").value
}

func scoreHandle(_ pointer: OpaquePointer?) throws(EngineError) -> ScoreHandle {
    try Handles.lookup(pointer, as: ScoreHandle.self, "score")
}

private func mixture(_ pointer: OpaquePointer?) throws(EngineError) -> GaussianMixtureScore {
    guard let model = try scoreHandle(pointer).model as? GaussianMixtureScore else {
        throw EngineError(.unsupported, "score is not a Gaussian-mixture model")
    }
    return model
}

@c @implementation
public func bz_sde_create_vp(_ out: HandleOut, _ kind: Int32, _ betaMin: Double, _ betaMax: Double) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        switch kind {
        case BZ_SDE_VP: SDEHandle(try .vp(betaMin: betaMin, betaMax: betaMax))
        case BZ_SDE_SUB_VP: SDEHandle(try .subVP(betaMin: betaMin, betaMax: betaMax))
        default: throw .invalid("kind must be BZ_SDE_VP (\(BZ_SDE_VP)) or BZ_SDE_SUB_VP (\(BZ_SDE_SUB_VP)), got \(kind)")
        }
    }
}

@c @implementation
public func bz_sde_create_ve(_ out: HandleOut, _ sigmaMin: Double, _ sigmaMax: Double) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        SDEHandle(try .ve(sigmaMin: sigmaMin, sigmaMax: sigmaMax))
    }
}

@c @implementation
public func bz_sde_create_ddpm(_ out: HandleOut, _ steps: Int64, _ schedule: Int32, _ a: Double, _ b: Double) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let kind = try Code.ddpmSchedule.decode(schedule, "schedule")
        return switch kind {
        case .linear: SDEHandle(try .ddpm(steps: Int(clamping: steps), schedule: .linear, betaStart: a, betaEnd: b))
        case .cosine: SDEHandle(try .ddpm(steps: Int(clamping: steps), schedule: .cosine, cosineOffset: a))
        }
    }
}

@c @implementation
public func bz_sde_free(_ sde: OpaquePointer?) {
    Handles.release(sde, as: SDEHandle.self)
}

@c @implementation
public func bz_sde_info(_ sde: OpaquePointer?, _ outKind: UnsafeMutablePointer<Int32>?, _ outEpsilon: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let p = try process(sde)
        outKind?.pointee = Code.sde.code(p.kind)
        outEpsilon?.pointee = p.defaultSamplingEpsilon
    }
}

@c @implementation
public func bz_sde_coefficients(
    _ sde: OpaquePointer?, _ times: UnsafePointer<Double>?, _ n: Int64, _ alpha: UnsafeMutablePointer<Double>?,
    _ sigma: UnsafeMutablePointer<Double>?, _ drift: UnsafeMutablePointer<Double>?, _ diffusion: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let p = try process(sde)
        let t = try Argument.array(times, try Argument.count(n, "n"), "times")
        if let k = t.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) { throw .invalid("times[\(k)] must be in [0, 1], got \(t[k])") }
        for (k, value) in t.enumerated() {
            alpha?[k] = p.alpha(value)
            sigma?[k] = p.sigma(value)
            drift?[k] = p.drift(value)
            diffusion?[k] = p.diffusion(value)
        }
    }
}

@c @implementation
public func bz_sde_time_of_snr(_ sde: OpaquePointer?, _ snr: UnsafePointer<Double>?, _ n: Int64, _ times: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let p = try process(sde)
        let values = try Argument.array(snr, try Argument.count(n, "n"), "snr")
        if let k = values.firstIndex(where: { !($0 > 0) || $0.isNaN }) { throw .invalid("snr[\(k)] must be > 0, got \(values[k])") }
        let out = try Argument.output(times, "times")
        for (k, value) in values.enumerated() { out[k] = p.time(snr: value) }
    }
}

@c @implementation
public func bz_sde_perturb(
    _ sde: OpaquePointer?, _ x0: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64, _ times: UnsafePointer<Double>?, _ seed: UInt64,
    _ xt: UnsafeMutablePointer<Float>?, _ noise: UnsafeMutablePointer<Float>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let p = try process(sde)
        let data = try rows(x0, n, dim: dim, "x0")
        try Check.allFinite(data, "x0", width: Int(dim))
        guard n > 0 else { return }
        let t = try Argument.array(times, Int(n), "times")
        for (k, value) in t.enumerated() { try ForwardProcess.checkTime(value, "times[\(k)]") }
        let out = try Argument.output(xt, "xt"), d = Int(dim)
        for r in 0..<Int(n) {
            var random = RandomStream(seed: seed, stream: UInt64(r))
            let a = Float(p.alpha(t[r])), s = Float(p.sigma(t[r]))
            for k in 0..<d {
                let z = Float(random.normal())
                out[r * d + k] = a * data[r * d + k] + s * z
                noise?[r * d + k] = z
            }
        }
    }
}

/// A mixture handle from the caller's arrays, labeled when `classes` is given (`.some`).
private func mixtureHandle(_ weights: UnsafePointer<Double>?, _ means: UnsafePointer<Double>?, _ covariances: UnsafePointer<Double>?,
                           classes: (UnsafePointer<Int32>?)?, _ nComponents: Int64, _ dim: Int64,
                           _ diagonal: Int32) throws(EngineError) -> ScoreHandle {
    let k = try Limit.batch.check(nComponents, "n_components"), d = try Limit.pairwiseUnits.check(dim, "dim")
    guard diagonal == 0 || diagonal == 1 else { throw .invalid("diagonal must be 0 or 1, got \(diagonal)") }
    let covarianceCount = try Argument.product(k, d, diagonal == 1 ? 1 : d, name: "n_components x dim x dim")
    var labels: [Int] = []
    if let classes { labels = try Argument.array(classes, k, "classes").map { Int($0) } }
    let model = try GaussianMixtureScore(
        weights: try Argument.array(weights, k, "weights"), means: try Argument.array(means, k * d, "means"),
        covariances: try Argument.array(covariances, covarianceCount, "covariances"),
        dimension: d, diagonal: diagonal == 1, classes: labels)
    return ScoreHandle(model)
}

@c @implementation
public func bz_score_create_gmm(
    _ out: HandleOut, _ weights: UnsafePointer<Double>?, _ means: UnsafePointer<Double>?, _ covariances: UnsafePointer<Double>?, _ nComponents: Int64,
    _ dim: Int64, _ diagonal: Int32
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        try mixtureHandle(weights, means, covariances, classes: nil, nComponents, dim, diagonal)
    }
}

@c @implementation
public func bz_score_create_gmm_classes(
    _ out: HandleOut, _ weights: UnsafePointer<Double>?, _ means: UnsafePointer<Double>?, _ covariances: UnsafePointer<Double>?,
    _ classes: UnsafePointer<Int32>?, _ nComponents: Int64, _ dim: Int64, _ diagonal: Int32
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        try mixtureHandle(weights, means, covariances, classes: .some(classes), nComponents, dim, diagonal)
    }
}

@c @implementation
public func bz_score_gmm_info(_ score: OpaquePointer?, _ components: UnsafeMutablePointer<Int64>?, _ diagonal: UnsafeMutablePointer<Int32>?) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try mixture(score)
        components?.pointee = Int64(model.componentCount)
        diagonal?.pointee = model.isDiagonal ? 1 : 0
    }
}

@c @implementation
public func bz_score_gmm_parameters(_ score: OpaquePointer?, _ weights: UnsafeMutablePointer<Double>?, _ means: UnsafeMutablePointer<Double>?,
                                    _ covariances: UnsafeMutablePointer<Double>?, _ classes: UnsafeMutablePointer<Int32>?) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try mixture(score)
        weights?.write(model.weights)
        means?.write(model.means)
        if let covariances {
            let block = model.dimension * model.dimension
            for c in 0..<model.componentCount { (covariances + c * block).write(model.covariance(c)) }
        }
        classes?.write(model.classes.isEmpty ? [Int32](repeating: -1, count: model.componentCount) : model.classes.map { Int32($0) })
    }
}

@c @implementation
public func bz_score_gmm_condition(_ out: HandleOut, _ score: OpaquePointer?, _ values: UnsafePointer<Double>?,
                                   _ mask: UnsafePointer<UInt8>?, _ dim: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let model = try mixture(score)
        try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
        let flags = try Argument.array(mask, model.dimension, "known_mask")
        if let i = flags.firstIndex(where: { $0 > 1 }) { throw .invalid("known_mask[\(i)] must be 0 or 1, got \(flags[i])") }
        let given = try Argument.array(values, model.dimension, "values")
        return ScoreHandle(try model.conditioned(on: flags.map { $0 == 1 }, values: given))
    }
}

@c @implementation
public func bz_score_classes(_ score: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let output = try Argument.output(out, "out_n_classes")
        let model = try scoreHandle(score).model
        output.pointee = Int64((model as? any ConditionalScoreModel)?.classCount ?? 0)
    }
}

@c @implementation
public func bz_score_create_empirical(_ out: HandleOut, _ data: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let points = try rows(data, n, dim: dim, "data", minRows: 1)
        return ScoreHandle(try EmpiricalScore(points: points, dimension: Int(dim)))
    }
}

@c @implementation
public func bz_score_free(_ score: OpaquePointer?) {
    Handles.release(score, as: ScoreHandle.self)
}

@c @implementation
public func bz_score_dim(_ score: OpaquePointer?, _ outDim: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(outDim, "out_dim")
        out.pointee = Int64(try scoreHandle(score).model.dimension)
    }
}

@c @implementation
public func bz_score_eval(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64, _ t: Double,
    _ scoreOut: UnsafeMutablePointer<Float>?, _ denoised: UnsafeMutablePointer<Float>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let (model, failure) = modelForCall(try scoreHandle(score).model)
        let p = try process(sde)
        try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
        let input = try rows(x, n, dim: dim, "x")
        try Check.allFinite(input, "x", width: Int(dim))
        try ForwardProcess.checkTime(t)
        guard n > 0 else { return }
        if let scoreOut { model.score(input.baseAddress!, count: Int(n), time: t, process: p, into: scoreOut) }
        if let denoised { model.denoise(input.baseAddress!, count: Int(n), time: t, process: p, into: denoised) }
        if let error = failure?.error { throw error }
    }
}

@c @implementation
public func bz_score_gmm_log_density(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ x: UnsafePointer<Double>?, _ n: Int64, _ dim: Int64, _ t: Double,
    _ logDensity: UnsafeMutablePointer<Double>?, _ gradient: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try mixture(score), p = try process(sde)
        try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
        let input = try rows(x, n, dim: dim, "x")
        try Check.allFinite(input, "x", width: Int(dim))
        try ForwardProcess.checkTime(t)
        guard n > 0 else { return }
        let out = try Argument.output(logDensity, "log_density"), d = Int(dim)
        for r in 0..<Int(n) {
            out[r] = model.logDensity(input.baseAddress! + r * d, time: t, process: p, gradient: gradient.map { $0 + r * d })
        }
    }
}

@c @implementation
public func bz_score_gmm_sample(_ score: OpaquePointer?, _ n: Int64, _ seed: UInt64, _ out: UnsafeMutablePointer<Float>?) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try mixture(score)
        try Limit.iterations.check(n, "n", from: 0)
        guard n > 0 else { return }
        let output = try Argument.output(out, "out")
        output.write(model.sample(count: Int(n), seed: seed))
    }
}

/// The header's defaults of bz_sampler_options, from the engine's.
private func defaultSamplerOptions() -> bz_sampler_options {
    let defaults = SamplerOptions()
    return bz_sampler_options(
        version: BZ_SAMPLER_OPTIONS_VERSION, steps: Int64(defaults.steps), epsilon: 0, snr: defaults.snr,
        langevin_steps: Int64(defaults.langevinSteps), step_size: defaults.stepSize, denoise: -1, rtol: defaults.rtol,
        atol: defaults.atol, grid: Code.grid.code(defaults.grid), rho: defaults.rho, sigma_min: 0, sigma_max: 0,
        s_churn: defaults.churn, s_tmin: defaults.churnMin, s_tmax: defaults.churnMax, s_noise: defaults.churnNoise,
        eta: defaults.eta, out_nfe: nil, labels: nil, guidance: defaults.guidance, known: nil, known_mask: nil,
        resample: Int64(defaults.resample))
}

@c @implementation
public func bz_sampler_options_init(_ options: UnsafeMutablePointer<bz_sampler_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        try Argument.output(options, "options").pointee = defaultSamplerOptions()
    }
}

/// Version 2 (library 3.0) ended at atol; its callers get the later fields' defaults.
private let samplerOptionsVersion2Bytes = MemoryLayout<bz_sampler_options>.offset(of: \bz_sampler_options.atol)! + MemoryLayout<Double>.size

/// The engine's options from the caller's (NULL: defaults), and where the call's NFE goes.
private func samplerOptions(_ options: UnsafePointer<bz_sampler_options>?) throws(EngineError)
    -> (SamplerOptions, UnsafeMutablePointer<Double>?) {
    var settings = SamplerOptions()
    guard let o = try versioned(options, BZ_SAMPLER_OPTIONS_VERSION, "BZ_SAMPLER_OPTIONS_VERSION", "bz_sampler_options_init",
                                older: [(2, samplerOptionsVersion2Bytes)], defaults: defaultSamplerOptions()) else {
        return (settings, nil)
    }
    guard (-1...1).contains(o.denoise) else { throw .invalid("options.denoise must be -1, 0 or 1, got \(o.denoise)") }
    settings.steps = Int(clamping: o.steps)
    settings.epsilon = o.epsilon == 0 ? nil : o.epsilon
    settings.snr = o.snr
    settings.langevinSteps = Int(clamping: o.langevin_steps)
    settings.stepSize = o.step_size
    settings.denoiseAtEnd = o.denoise == -1 ? nil : o.denoise == 1
    settings.rtol = o.rtol
    settings.atol = o.atol
    settings.grid = try Code.grid.decode(o.grid, "options.grid")
    settings.rho = o.rho
    settings.sigmaMin = o.sigma_min == 0 ? nil : o.sigma_min
    settings.sigmaMax = o.sigma_max == 0 ? nil : o.sigma_max
    settings.churn = o.s_churn
    settings.churnMin = o.s_tmin
    settings.churnMax = o.s_tmax
    settings.churnNoise = o.s_noise
    settings.eta = o.eta
    settings.guidance = o.guidance
    settings.resample = Int(clamping: o.resample)
    return (settings, o.out_nfe)
}

/// The per-row arrays of the options (labels [n], known and known_mask [n x dim]), read
/// once n and dim are checked (NULL: none; `options` NULL: none).
private func samplerRows(_ options: UnsafePointer<bz_sampler_options>?, into settings: inout SamplerOptions, n: Int,
                         dim: Int) throws(EngineError) {
    guard let options, UnsafeRawPointer(options).load(as: Int32.self) == BZ_SAMPLER_OPTIONS_VERSION else { return }
    let o = options.pointee
    if let labels = o.labels { settings.labels = Array(UnsafeBufferPointer(start: labels, count: n)) }
    guard (o.known == nil) == (o.known_mask == nil) else {
        throw EngineError(.nullPointer, "options.known and options.known_mask come together: \(o.known == nil ? "known" : "known_mask") is NULL")
    }
    if let known = o.known, let mask = o.known_mask {
        settings.known = Array(UnsafeBufferPointer(start: known, count: n * dim))
        settings.knownMask = Array(UnsafeBufferPointer(start: mask, count: n * dim))
    }
}

@c @implementation
public func bz_diffusion_nfe(_ method: Int32, _ options: UnsafePointer<bz_sampler_options>?, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let output = try Argument.output(out, "out_nfe")
        let kind = try Code.sampling.decode(method, "method")
        var (settings, _) = try samplerOptions(options)
        try Limit.samplerSteps.check(settings.steps, "steps")
        try Limit.steps.check(settings.langevinSteps, "langevin_steps")
        try Limit.steps.check(settings.resample, "resample")
        // Labels (their count is the call's n) only mark guided sampling here.
        if let options, UnsafeRawPointer(options).load(as: Int32.self) == BZ_SAMPLER_OPTIONS_VERSION, options.pointee.labels != nil {
            settings.labels = []
        }
        guard let count = kind.evaluations(options: settings) else {
            throw EngineError(.unsupported, "the adaptive ODE sampler's evaluations depend on the path: bz_diffusion_sample reports them in out_nfe")
        }
        output.pointee = Int64(count)
    }
}

@c @implementation
public func bz_diffusion_grid(_ sde: OpaquePointer?, _ method: Int32, _ options: UnsafePointer<bz_sampler_options>?,
                              _ times: UnsafeMutablePointer<Double>?, _ nTimes: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let p = try process(sde), kind = try Code.sampling.decode(method, "method")
        let (settings, _) = try samplerOptions(options)
        guard kind != .odeRK45 else { throw EngineError(.unsupported, "the adaptive ODE sampler has no grid") }
        let grid = try DiffusionSampler.times(process: p, grid: settings.grid ?? kind.defaultGrid, options: settings)
        guard nTimes == Int64(grid.count) else { throw .invalid("n_times must be steps + 1 = \(grid.count), got \(nTimes)") }
        try Argument.output(times, "times").write(grid)
    }
}

@c @implementation
public func bz_diffusion_sample(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ n: Int64, _ dim: Int64, _ method: Int32,
    _ options: UnsafePointer<bz_sampler_options>?, _ seed: UInt64, _ out: UnsafeMutablePointer<Float>?,
    _ record: UnsafePointer<Int64>?, _ nRecord: Int64, _ trajectory: UnsafeMutablePointer<Float>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try scoreHandle(score), p = try process(sde), (model, failure) = modelForCall(h.model)
        try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
        let kind = try Code.sampling.decode(method, "method")
        var (settings, nfe) = try samplerOptions(options)
        guard nRecord >= 0, nRecord <= Int64(settings.steps) else { throw .invalid("n_record must be in [0, steps], got \(nRecord)") }
        if nRecord > 0 {
            settings.record = try Argument.array(record, Int(nRecord), "record").map { Int($0) }
            guard trajectory != nil else { throw EngineError(.nullPointer, "trajectory is NULL (n_record > 0)") }
        }
        let output = n > 0 ? try Argument.output(out, "out") : nil  // out may be NULL for no samples
        try Limit.iterations.check(n, "n", from: 0)
        guard n * dim <= Int64(Limit.storedValues.value) else {
            throw EngineError(.limitExceeded, "n x dim = \(n) x \(dim) values are more than the library samples at once (\(Limit.storedValues.text))")
        }
        try samplerRows(options, into: &settings, n: Int(n), dim: Int(dim))
        let result: SamplingResult
        do throws(EngineError) {
            result = try DiffusionSampler.run(model: model, process: p, count: Int(clamping: n), method: kind, options: settings,
                                              seed: seed, trajectory: nRecord > 0 ? trajectory : nil,
                                              monitor: monitor(progress, user, interrupt: h.interrupt, stoppingOn: failure))
        } catch {
            throw failure?.error ?? error  // a callback's failure, not the stop it caused
        }
        if let error = failure?.error { throw error }
        output?.write(result.samples)
        nfe?.pointee = result.evaluations
    }
}

@c @implementation
public func bz_likelihood_options_init(_ options: UnsafeMutablePointer<bz_likelihood_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let defaults = LikelihoodOptions()
        try Argument.output(options, "options").pointee = bz_likelihood_options(
            version: BZ_LIKELIHOOD_OPTIONS_VERSION, divergence: Code.divergence.code(defaults.divergence), probes: Int64(defaults.probes),
            epsilon: defaults.epsilon, rtol: defaults.rtol, atol: defaults.atol)
    }
}

@c @implementation
public func bz_diffusion_log_likelihood(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64,
    _ options: UnsafePointer<bz_likelihood_options>?, _ seed: UInt64, _ logDensity: UnsafeMutablePointer<Double>?,
    _ standardError: UnsafeMutablePointer<Double>?, _ nfe: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?,
    _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try scoreHandle(score), p = try process(sde), (model, failure) = modelForCall(h.model)
        try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
        var settings = LikelihoodOptions()
        if let o = try versioned(options, BZ_LIKELIHOOD_OPTIONS_VERSION, "BZ_LIKELIHOOD_OPTIONS_VERSION", "bz_likelihood_options_init") {
            settings.divergence = try Code.divergence.decode(o.divergence, "options.divergence")
            settings.probes = Int(clamping: o.probes)
            settings.epsilon = o.epsilon
            settings.rtol = o.rtol
            settings.atol = o.atol
        }
        let points = try rows(x, n, dim: dim, "x", minRows: 1)
        let output = try Argument.output(logDensity, "log_density")
        let result: LikelihoodResult
        do throws(EngineError) {
            result = try Likelihood.logDensity(model: model, process: p, x: points, count: Int(n), options: settings, seed: seed,
                                               monitor: monitor(progress, user, interrupt: h.interrupt, stoppingOn: failure))
        } catch {
            throw failure?.error ?? error
        }
        output.write(result.logDensity)
        standardError?.write(result.standardError)
        nfe?.pointee = result.evaluations
    }
}

@c @implementation
public func bz_toy_data(_ kind: Int32, _ n: Int64, _ seed: UInt64, _ scale: Double, _ out: UnsafeMutablePointer<Float>?) -> bz_status {
    guarded { () throws(EngineError) in
        let data = try Code.toyData.decode(kind, "kind")
        try Limit.iterations.check(n, "n", from: 0)
        guard !scale.isNaN else { throw EngineError(.nonFinite, "scale must not be NaN") }
        let points = try data.generate(count: Int(n), seed: seed, scale: scale < 0 ? nil : scale)
        guard n > 0 else { return }
        try Argument.output(out, "out").write(points)
    }
}

/// A C energy callback as a Langevin target: log p = -E, grad log p = -grad E.
private struct CallbackTarget: LangevinTarget {
    let energy: bz_energy_fn
    let user: UnsafeMutableRawPointer?
    let dimension: Int
    var threadSafe: Bool { false }

    func logDensity(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>) throws(EngineError) -> Double {
        let e = energy(user, x, Int64(dimension), gradient)
        for k in 0..<dimension { gradient[k] = -gradient[k] }
        return -e
    }
}

@c @implementation
public func bz_langevin(
    _ energy: bz_energy_fn?, _ user: UnsafeMutableRawPointer?, _ score: OpaquePointer?, _ sde: OpaquePointer?, _ t: Double,
    _ states: UnsafeMutablePointer<Double>?, _ nChains: Int64, _ dim: Int64, _ method: Int32, _ steps: Int64, _ stepSize: Double,
    _ seed: UInt64, _ outAcceptance: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ progressUser: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let kind = try Code.langevin.decode(method, "method")
        guard (energy == nil) != (score == nil) else { throw .invalid("give exactly one target: energy (with score NULL) or score (with energy NULL)") }
        let start = try rows(UnsafePointer(states), nChains, dim: dim, "states", rowsName: "n_chains", minRows: 1)
        var work = Array(start)  // a failed or cancelled call leaves the caller's states as they were
        let acceptance: Double
        if let energy {
            acceptance = try work.withUnsafeMutableBufferPointer { buffer throws(EngineError) in
                try LangevinSampler.run(target: CallbackTarget(energy: energy, user: user, dimension: Int(dim)), states: buffer, method: kind,
                                        steps: Int(clamping: steps), stepSize: stepSize, seed: seed,
                                        monitor: monitor(progress, progressUser, interrupt: nil))
            }
        } else {
            let h = try scoreHandle(score)
            guard let model = h.model as? GaussianMixtureScore else {
                throw EngineError(.unsupported, "score has no density to run Langevin on: give a Gaussian-mixture score or an energy")
            }
            try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
            let p = try process(sde)
            try ForwardProcess.checkTime(t)
            acceptance = try work.withUnsafeMutableBufferPointer { buffer throws(EngineError) in
                try LangevinSampler.run(target: MixtureMarginal(model: model, process: p, time: t), states: buffer, method: kind,
                                        steps: Int(clamping: steps), stepSize: stepSize, seed: seed,
                                        monitor: monitor(progress, progressUser, interrupt: h.interrupt))
            }
        }
        states!.write(work)
        outAcceptance?.pointee = acceptance
    }
}

@c @implementation
public func bz_ito_integral(
    _ paths: Int64, _ steps: Int64, _ t: Double, _ seed: UInt64, _ itoMean: UnsafeMutablePointer<Double>?,
    _ itoError: UnsafeMutablePointer<Double>?, _ naiveMean: UnsafeMutablePointer<Double>?, _ naiveError: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let result = try StochasticCalculus.itoIntegral(paths: Int(paths), steps: Int(steps), time: t, seed: seed,
                                                        monitor: monitor(interrupt: nil))
        itoMean?.pointee = result.ito.0
        itoError?.pointee = result.ito.1
        naiveMean?.pointee = result.naive.0
        naiveError?.pointee = result.naive.1
    }
}
