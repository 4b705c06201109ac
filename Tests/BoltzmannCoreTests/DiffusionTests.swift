import Glibc
import Testing

@testable import BoltzmannCore

/// Score-based diffusion against exact answers: schedule values from the papers,
/// the SDE/marginal consistency d sigma^2/dt = 2 f sigma^2 + g^2, the exact mixture
/// score against finite differences of its log-density, samplers on Gaussian data
/// against the exact affine recursion of their mean and variance, samplers on
/// 8 Gaussians by the metrics, the empirical score's memorisation and its identity
/// with a dense Hopfield update, and the metrics against closed forms.
@Suite("Diffusion")
struct DiffusionTests {
    static func processes() throws -> [ForwardProcess] {
        [try .vp(), try .subVP(), try .ve(), try .ddpm(), try .ddpm(schedule: .cosine)]
    }

    @Test func scheduleValues() throws {
        let vp = try ForwardProcess.vp()
        #expect(abs(vp.sigma(1e-3) - 0.0104854) < 5e-8, "VP sigma(1e-3) = \(vp.sigma(1e-3))")
        let ddpm = try ForwardProcess.ddpm()
        #expect(abs(ddpm.ddpmAlphaBar(1000) / 4.0358e-5 - 1) < 1e-4, "alpha-bar_T = \(ddpm.ddpmAlphaBar(1000))")
        #expect(abs(ddpm.alpha(1) * ddpm.alpha(1) - ddpm.ddpmAlphaBar(1000)) < 1e-15)
        #expect(abs(ddpm.ddpmBeta(1) - 1e-4) < 1e-15 && abs(ddpm.ddpmBeta(1000) - 0.02) < 1e-15)
        let cosine = try ForwardProcess.ddpm(schedule: .cosine)
        #expect(cosine.ddpmAlphaBar(500) > 0.4 && cosine.ddpmAlphaBar(500) < 0.6, "cosine alpha-bar at T/2 ~ 1/2")
        let ve = try ForwardProcess.ve(sigmaMin: 0.01, sigmaMax: 50)
        #expect(abs(ve.sigma(1) - (50.0 * 50 - 0.01 * 0.01).squareRoot()) < 1e-9)
        for t in [0.01, 0.5, 1.0] { #expect(abs(vp.alpha(t) * vp.alpha(t) + vp.sigma(t) * vp.sigma(t) - 1) < 1e-14) }
    }

    /// d sigma_t^2 / dt = 2 f sigma_t^2 + g^2 and d log alpha_t / dt = f (central
    /// differences, h = 1e-6 inside a DDPM step), and t(snr(t)) = t.
    @Test func coefficientsAreConsistent() throws {
        for process in try Self.processes() {
            for t in [0.0123, 0.3004, 0.7771] {
                let h = 1e-6
                let dVariance = (pow(process.sigma(t + h), 2) - pow(process.sigma(t - h), 2)) / (2 * h)
                let expected = 2 * process.drift(t) * pow(process.sigma(t), 2) + pow(process.diffusion(t), 2)
                #expect(abs(dVariance - expected) < 1e-5 * max(1, abs(expected)), "\(process.kind) t = \(t): \(dVariance) vs \(expected)")
                let dLogAlpha = (log(process.alpha(t + h)) - log(process.alpha(t - h))) / (2 * h)
                #expect(abs(dLogAlpha - process.drift(t)) < 1e-5 * max(1, abs(process.drift(t))), "\(process.kind) t = \(t)")
                #expect(abs(process.time(snr: process.snr(t)) - t) < 1e-8, "\(process.kind) t(snr(t)) = \(process.time(snr: process.snr(t))) for \(t)")
            }
        }
    }

    /// Eight isotropic Gaussians of std 0.1 on the circle of radius 2.
    static func eightGaussians(std: Double = 0.1) throws -> GaussianMixtureScore {
        var means: [Double] = []
        for k in 0..<8 { means += [2 * cos(Double(k) * .pi / 4), 2 * sin(Double(k) * .pi / 4)] }
        return try GaussianMixtureScore(weights: [Double](repeating: 1, count: 8), means: means,
                                        covariances: [Double](repeating: std * std, count: 16), dimension: 2, diagonal: true)
    }

    @Test func mixtureScoreEqualsFiniteDifferences() throws {
        let full = try GaussianMixtureScore(
            weights: [0.2, 0.5, 0.3], means: [0, 1, -1, 2, 0.5, 0, -1, -1, 1],
            covariances: [0.5, 0.1, 0, 0.1, 0.3, 0.05, 0, 0.05, 0.2,
                          1, 0, 0, 0, 1, 0, 0, 0, 1,
                          0.04, -0.01, 0.01, -0.01, 0.09, 0, 0.01, 0, 0.01], dimension: 3, diagonal: false)
        let diagonal = try GaussianMixtureScore(weights: [1, 2], means: [0, 0, 0, 1, 1, 1], covariances: [0.1, 0.2, 0.3, 1, 1, 0.5],
                                                dimension: 3, diagonal: true)
        for model in [full, diagonal] {
            for process in [try ForwardProcess.vp(), try .ve(sigmaMax: 10), try .subVP()] {
                for t in [0.01, 0.2, 0.9] {
                    var x: [Double] = [0.3, -0.7, 1.1], gradient = [Double](repeating: 0, count: 3)
                    _ = model.logDensity(x, time: t, process: process, gradient: &gradient)
                    for i in 0..<3 {
                        let h = 1e-5, keep = x[i]
                        x[i] = keep + h
                        let up = model.logDensity(x, time: t, process: process)
                        x[i] = keep - h
                        let down = model.logDensity(x, time: t, process: process)
                        x[i] = keep
                        let numeric = (up - down) / (2 * h)
                        #expect(abs(numeric - gradient[i]) < 1e-6 * max(1, abs(gradient[i])),
                                "\(process.kind) t = \(t), d/dx\(i): \(numeric) vs \(gradient[i])")
                    }
                }
            }
        }
        // The eigendecomposition reproduces the covariance: the t -> 0 marginal of one
        // full component has log-density of N(mu, Sigma).
        let single = try GaussianMixtureScore(weights: [1], means: [0, 0], covariances: [2, 0.5, 0.5, 1], dimension: 2, diagonal: false)
        let logp = single.logDensity([1, -1], time: 1e-9, process: try .ve(sigmaMin: 1e-9, sigmaMax: 1))
        let det = 2.0 * 1 - 0.25, quadratic = (1 * 1 * 1 - 2 * 0.5 * 1 * -1 + 2 * 1) / det  // x^T Sigma^{-1} x
        #expect(abs(logp - (-0.5 * quadratic - 0.5 * log(4 * .pi * .pi * det))) < 1e-8)
    }

    /// One Gaussian N(mu, s^2) in one dimension: every sampler except PC is affine in
    /// (x, z) per step, so its output mean and variance follow an exact recursion from
    /// the prior's; the samples must match it within 4 standard errors.
    @Test func gaussianDataFollowsTheAffineRecursion() throws {
        let mu = 1.5, s2 = 0.25, n = 50_000
        let model = try GaussianMixtureScore(weights: [1], means: [mu], covariances: [s2], dimension: 1, diagonal: true)
        let cases: [(ForwardProcess, SamplingMethod, Int)] = [
            (try .vp(), .eulerMaruyama, 100), (try .vp(), .odeEuler, 50), (try .vp(), .odeHeun, 20),
            (try .vp(), .ancestral, 50), (try .ve(sigmaMax: 5), .reverseDiffusion, 50), (try .subVP(), .eulerMaruyama, 100),
            (try .ddpm(), .ancestral, 40),
        ]
        for (process, method, steps) in cases {
            var options = SamplerOptions()
            options.steps = steps
            let samples = try DiffusionSampler.sample(model: model, process: process, count: n, method: method, options: options, seed: 3)
            let epsilon = process.defaultSamplingEpsilon, h = (1 - epsilon) / Double(steps)
            var mean = 0.0, variance = process.kind == .ve ? pow(process.sigma(1), 2) : 1
            // s(x, t) = -(x - alpha mu) / V_t, V_t = alpha^2 s2 + sigma^2: each step x' = A x + B + C z.
            func scoreLine(_ t: Double) -> (Double, Double) {
                let a = process.alpha(t), v = a * a * s2 + pow(process.sigma(t), 2)
                return (-1 / v, a * mu / v)
            }
            for i in 0..<steps {
                let t = 1 - Double(i) * h, next = t - h
                let (k, c0) = scoreLine(t), f = process.drift(t), g = process.diffusion(t)
                var a = 0.0, b = 0.0, c = 0.0
                switch method {
                case .eulerMaruyama:
                    a = 1 - f * h + g * g * h * k; b = g * g * h * c0; c = g * h.squareRoot()
                case .odeEuler:
                    a = 1 - h * (f - 0.5 * g * g * k); b = h * 0.5 * g * g * c0
                case .odeHeun:
                    let (k2, c2) = scoreLine(next), f2 = process.drift(next), g2 = process.diffusion(next)
                    let p1 = f - 0.5 * g * g * k, q1 = -0.5 * g * g * c0, p2 = f2 - 0.5 * g2 * g2 * k2, q2 = -0.5 * g2 * g2 * c2
                    // x1 = x - h (p1 x + q1); x' = x - h/2 (p1 x + q1 + p2 x1 + q2)
                    a = 1 - h / 2 * (p1 + p2 * (1 - h * p1)); b = -h / 2 * (q1 + q2 - p2 * h * q1)
                case .ancestral:
                    let ratio = process.alpha(t) / process.alpha(next), beta = 1 - ratio * ratio
                    a = (1 + beta * k) / ratio; b = beta * c0 / ratio; c = beta.squareRoot()
                case .reverseDiffusion:
                    let variance = pow(process.sigma(t), 2) - pow(process.sigma(next), 2)
                    a = 1 + variance * k; b = variance * c0; c = variance.squareRoot()
                default: Issue.record("no recursion for \(method)")
                }
                if i == steps - 1 { c = 0 }  // the last step returns its mean
                mean = a * mean + b
                variance = a * a * variance + c * c
            }
            let sampleMean = samples.reduce(0.0) { $0 + Double($1) } / Double(n)
            let sampleVariance = samples.reduce(0.0) { $0 + pow(Double($1) - sampleMean, 2) } / Double(n - 1)
            let meanError = (variance / Double(n)).squareRoot(), varianceError = variance * (2.0 / Double(n)).squareRoot()
            #expect(abs(sampleMean - mean) < 4 * meanError, "\(process.kind) \(method): mean \(sampleMean) vs \(mean)")
            #expect(abs(sampleVariance - variance) < 4 * varianceError, "\(process.kind) \(method): variance \(sampleVariance) vs \(variance)")
        }
    }

    /// 8 Gaussians with the exact score: EM 100, PF-ODE Euler 50, ancestral 50 and
    /// PC 100 steps reach mode coverage >= 0.98 (true samples: 1 - e^{-4.5} = 0.989)
    /// with every mode's share within 4 binomial standard errors of 0.989 / 8
    /// (n = 3000). The energy-distance and MMD bounds at n = 10^4 are checked from
    /// Python, on the release build (these O(n^2) sums are slow in a debug build).
    @Test func samplersReachTheMixture() throws {
        let model = try Self.eightGaussians(), n = 3000, process = try ForwardProcess.vp()
        for (method, steps) in [(SamplingMethod.eulerMaruyama, 100), (.odeEuler, 50), (.ancestral, 50), (.predictorCorrector, 100)] {
            var options = SamplerOptions()
            options.steps = steps
            let samples = try DiffusionSampler.sample(model: model, process: process, count: n, method: method, options: options, seed: 5)
            let coverage = try samples.withUnsafeBufferPointer { try SampleMetrics.modeCoverage($0, dimension: 2, means: model.means, deviations: [Double](repeating: 0.1, count: 8)) }
            #expect(coverage.covered >= 0.98, "\(method): coverage \(coverage.covered)")
            let share = 0.989 / 8, bound = 4 * (share * (1 - share) / Double(n)).squareRoot()
            #expect(coverage.weights.allSatisfy { abs($0 - share) < bound }, "\(method): mode weights \(coverage.weights)")
        }
    }

    /// The probability-flow ODE of Gaussian data N(mu, diag(s^2)) is solved in closed
    /// form: x_eps = alpha_eps mu + (v_eps / v_1)^(1/2) (x_1 - alpha_1 mu) per coordinate,
    /// v_t = alpha_t^2 s^2 + sigma_t^2. The adaptive sampler from the same priors
    /// (stream (seed, r)) lands near it on VP, sub-VP and VE. Local error control
    /// bounds the global error only to C tol: scipy's RK45 on this VP problem (200
    /// rows, rtol = atol = 1e-4) ends 5.9e-3 off with 12,310 evaluations; ours 1.1e-2
    /// with 12,848. So: at most 500 tol at tol = 1e-4, 200 tol at 1e-6 (float32 scores
    /// set a floor), the error falling over 30x as the tolerance falls 100x, and
    /// fewer evaluations at the looser one.
    @Test func adaptiveODEMatchesTheClosedForm() throws {
        let mu = [1.5, -0.5], s2 = [0.25, 0.01], n = 200
        let model = try GaussianMixtureScore(weights: [1], means: mu, covariances: s2, dimension: 2, diagonal: true)
        for process in [try ForwardProcess.vp(), try .subVP(), try .ve(sigmaMax: 10)] {
            var evaluations: [Int] = [], errors: [Double] = []
            for tolerance in [1e-4, 1e-6] {
                var x = [Float](repeating: 0, count: 2 * n)
                var run = DiffusionSampler.Run(model: model, process: process, count: n, dimension: 2, seed: 4)
                run.prior(&x)
                let start = x, epsilon = process.defaultSamplingEpsilon
                evaluations.append(try AdaptiveODE.integrate(model: model, process: process, x: &x, count: n, epsilon: epsilon,
                                                             rtol: tolerance, atol: tolerance, monitor: .none()))
                var worst = 0.0
                for r in 0..<n {
                    for k in 0..<2 {
                        func v(_ t: Double) -> Double { pow(process.alpha(t), 2) * s2[k] + pow(process.sigma(t), 2) }
                        let exact = process.alpha(epsilon) * mu[k]
                            + (v(epsilon) / v(1)).squareRoot() * (Double(start[2 * r + k]) - process.alpha(1) * mu[k])
                        worst = max(worst, abs(Double(x[2 * r + k]) - exact))
                    }
                }
                errors.append(worst)
                #expect(worst < (tolerance > 1e-5 ? 500 : 200) * tolerance, "\(process.kind) tolerance \(tolerance): error \(worst)")
            }
            #expect(errors[0] > 30 * errors[1], "\(process.kind): errors \(errors)")
            #expect(evaluations[0] < evaluations[1], "\(process.kind): evaluations \(evaluations)")
        }
    }

    /// The empirical score memorises: every ancestral sample (1000 steps) lands within
    /// 0.05 of one of the 64 training points. And its denoiser is the dense Hopfield update of x / alpha_t at
    /// beta = alpha_t^2 / sigma_t^2 (points of equal norm make the bias a constant).
    @Test func empiricalScoreMemorisesAndIsAHopfieldUpdate() throws {
        var random = RandomStream(seed: 12)
        let points: [Float] = (0..<128).map { _ in Float(4 * random.uniform() - 2) }
        let model = try points.withUnsafeBufferPointer { try EmpiricalScore(points: $0, dimension: 2) }
        let samples = try DiffusionSampler.sample(model: model, process: try .vp(), count: 400, method: .ancestral, seed: 13)
        var worst = 0.0
        for r in 0..<400 {
            var nearest = Double.infinity
            for j in 0..<64 { nearest = min(nearest, hypot(Double(samples[2 * r] - points[2 * j]), Double(samples[2 * r + 1] - points[2 * j + 1]))) }
            worst = max(worst, nearest)
        }
        #expect(worst < 0.05, "farthest sample from the training set: \(worst)")

        let d = 8, n = 300
        var sphere = (0..<(n * d)).map { _ in Float(random.normal()) }
        for j in 0..<n {
            let norm = (0..<d).reduce(Float(0)) { $0 + sphere[j * d + $1] * sphere[j * d + $1] }.squareRoot()
            for k in 0..<d { sphere[j * d + k] /= norm }
        }
        let empirical = try sphere.withUnsafeBufferPointer { try EmpiricalScore(points: $0, dimension: d) }
        let process = try ForwardProcess.vp(), t = 0.3, alpha = process.alpha(t), sigma = process.sigma(t)
        let queries = (0..<(10 * d)).map { _ in Float(random.normal()) }
        var denoised = [Float](repeating: 0, count: 10 * d)
        empirical.denoise(queries, count: 10, time: t, process: process, into: &denoised)
        let hopfield = try sphere.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: d, beta: alpha * alpha / (sigma * sigma)) }
        var updated = queries.map { $0 / Float(alpha) }
        try updated.withUnsafeMutableBufferPointer { try hopfield.retrieve($0, steps: 1) }
        let difference = zip(denoised, updated).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-5, "empirical denoiser vs Hopfield update: \(difference)")
    }

    /// Energy distance, MMD and sliced Wasserstein between N(0, 1) and N(1, 1)
    /// samples against their closed forms (ED^2 = 0.5418, MMD^2 = 0.17727 at h = 1),
    /// and SW_2 between N(0, I) and N(e_1, I) in 2D: 1 / sqrt(2); bad arguments.
    @Test func metricsMatchClosedForms() throws {
        var random = RandomStream(seed: 21)
        let n = 2000
        let x = (0..<n).map { _ in Float(random.normal()) }, y = (0..<n).map { _ in Float(random.normal() + 1) }
        let ed = try x.withUnsafeBufferPointer { a in try y.withUnsafeBufferPointer { try SampleMetrics.energyDistance(a, $0, dimension: 1) } }
        let mmd = try x.withUnsafeBufferPointer { a in try y.withUnsafeBufferPointer { try SampleMetrics.mmd(a, $0, dimension: 1, bandwidths: [1]) } }
        let e1 = 2.0.squareRoot() * (2 / Double.pi).squareRoot() * exp(-0.25) + (1 - erfc(0.5))
        let expectedED = 2 * (e1 - 2 / Double.pi.squareRoot())
        // Spreads at n = 2000, measured over 30 draws: sd 0.039 (ED^2), 0.013 (MMD^2), 0.025 (SW_2); 4 sd allowed.
        #expect(abs(ed - expectedED) < 0.16, "ED^2 \(ed) vs \(expectedED)")
        #expect(abs(mmd - 2 / 3.0.squareRoot() * (1 - exp(-1.0 / 6))) < 0.052, "MMD^2 \(mmd)")
        let x2 = (0..<(2 * n)).map { _ in Float(random.normal()) }
        let y2 = (0..<(2 * n)).map { k in Float(random.normal() + (k % 2 == 0 ? 1 : 0)) }
        let sw = try x2.withUnsafeBufferPointer { a in try y2.withUnsafeBufferPointer { try SampleMetrics.slicedWasserstein(a, $0, dimension: 2, projections: 400, seed: 1) } }
        #expect(abs(sw - 0.5.squareRoot()) < 0.10, "SW_2 \(sw)")
        #expect(throws: EngineError.self) { try x.withUnsafeBufferPointer { a in try y.withUnsafeBufferPointer { try SampleMetrics.mmd(a, $0, dimension: 1, bandwidths: [0]) } } }
        #expect(throws: EngineError.self) { try x.withUnsafeBufferPointer { a in try y.withUnsafeBufferPointer { try SampleMetrics.energyDistance(a, $0, dimension: 7) } } }
    }

    /// On N(1, 1/2) (a one-component mixture at t ~ 0): ULA's stationary variance is
    /// s^2 / (1 - h / (2 s^2)) = 0.625 at h = 0.2, MALA's is s^2 = 0.5; 4000 chains of
    /// 200 steps (relaxation time s^2 / h = 2.5 steps), within 4 standard errors
    /// (v sqrt(2 / n)).
    @Test func langevinStationaryVariances() throws {
        let model = try GaussianMixtureScore(weights: [1], means: [1], covariances: [0.5], dimension: 1, diagonal: true)
        let target = MixtureMarginal(model: model, process: try .ve(sigmaMin: 1e-4, sigmaMax: 1), time: 1e-6)
        let n = 4000
        for (method, expected) in [(LangevinSampler.Method.unadjusted, 0.625), (.metropolisAdjusted, 0.5)] {
            var states = [Double](repeating: 0, count: n)
            let acceptance = try states.withUnsafeMutableBufferPointer {
                try LangevinSampler.run(target: target, states: $0, method: method, steps: 200, stepSize: 0.2, seed: 4)
            }
            let mean = states.reduce(0, +) / Double(n)
            let variance = states.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            #expect(abs(variance - expected) < 4 * expected * (2.0 / Double(n)).squareRoot(), "\(method): variance \(variance) vs \(expected)")
            #expect(abs(mean - 1) < 4 * (expected / Double(n)).squareRoot(), "\(method): mean \(mean)")
            #expect(method == .unadjusted ? acceptance == 1 : acceptance > 0.8 && acceptance < 1)
        }
    }

    /// Ito's identity: sum W dW - (W^2/2 - t/2) averages to 0 within 4 standard errors,
    /// and the ordinary-calculus answer is off by -t/2.
    @Test func itoIdentity() throws {
        let result = try StochasticCalculus.itoIntegral(paths: 4000, steps: 200, time: 2, seed: 6)
        #expect(abs(result.ito.0) < 4 * result.ito.1, "Ito residual \(result.ito)")
        #expect(abs(result.naive.0 + 1) < 4 * result.naive.1, "naive residual \(result.naive)")
        #expect(throws: EngineError.self) { try StochasticCalculus.itoIntegral(paths: 1, steps: 10, time: 1, seed: 0) }
    }
}
