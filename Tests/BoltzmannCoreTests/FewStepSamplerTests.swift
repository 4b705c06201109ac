import Glibc
import Testing

@testable import BoltzmannCore

/// The noise-level grids and the few-step samplers (EDM's Heun, DDIM, DPM-Solver++, UniPC)
/// against exact answers: the grids' defining formulas and the round trip
/// t -> sigma-hat -> t, each deterministic sampler's order of convergence to the
/// closed-form probability-flow ODE solution of Gaussian data, DDIM at eta = 0
/// against the adaptive ODE solver, and the NFE each reports.
@Suite("Few-step samplers")
struct FewStepSamplerTests {
    /// t(sigma-hat(t)) = t to 1e-12 on every process, at times from 1e-5 to 1.
    @Test func noiseLevelRoundTrips() throws {
        for process in try DiffusionTests.processes() {
            for t in [1e-5, 1e-3, 0.0123, 0.25, 0.5, 0.7771, 0.999, 1] {
                let back = process.time(noiseLevel: process.noiseLevel(t))
                #expect(abs(back - t) < 1e-12, "\(process.kind) t = \(t): back \(back)")
            }
        }
    }

    /// The EDM grid is Karras et al.'s eq. 5 between sigma-hat(1) and sigma-hat(epsilon),
    /// the log-SNR grid has equal steps in log(alpha / sigma), the time grid equal steps
    /// in t; all run from 1 to epsilon, or between the given noise levels.
    @Test func gridsFollowTheirFormulas() throws {
        for process in try DiffusionTests.processes() {
            var options = SamplerOptions()
            options.steps = 12
            let epsilon = process.defaultSamplingEpsilon
            let edm = try DiffusionSampler.times(process: process, grid: .edm, options: options)
            let top = pow(process.noiseLevel(1), 1 / 7.0), bottom = pow(process.noiseLevel(epsilon), 1 / 7.0)
            for (i, t) in edm.enumerated() {
                let expected = pow(top + Double(i) / 12 * (bottom - top), 7)
                #expect(abs(process.noiseLevel(t) / expected - 1) < 1e-10, "\(process.kind) EDM level \(i)")
            }
            let logSNR = try DiffusionSampler.times(process: process, grid: .logSNR, options: options)
            let lambdas = logSNR.map { -log(process.noiseLevel($0)) }, h = (lambdas[12] - lambdas[0]) / 12
            for i in 1...12 { #expect(abs(lambdas[i] - lambdas[i - 1] - h) < 1e-9 * abs(h), "\(process.kind) log-SNR step \(i)") }
            let uniform = try DiffusionSampler.times(process: process, grid: .timeUniform, options: options)
            for i in 0...12 { #expect(abs(uniform[i] - (1 - Double(i) * (1 - epsilon) / 12)) < 1e-15) }
            for grid in [edm, logSNR, uniform] {
                #expect(grid.first == 1 && grid.last == epsilon)
                #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 > $1 })
            }
            options.sigmaMin = 0.05
            options.sigmaMax = 5
            let range = try DiffusionSampler.times(process: process, grid: .edm, options: options)
            #expect(abs(process.noiseLevel(range[0]) - 5) < 1e-9 && abs(process.noiseLevel(range[12]) - 0.05) < 1e-11)
        }
        var bad = SamplerOptions()
        bad.sigmaMin = 2
        bad.sigmaMax = 1
        #expect(throws: EngineError.self) { try DiffusionSampler.times(process: try .vp(), grid: .edm, options: bad) }
        bad.sigmaMin = nil
        bad.sigmaMax = 1e6  // above sigma-hat(1) = 152 of the default VP
        #expect(throws: EngineError.self) { try DiffusionSampler.times(process: try .vp(), grid: .edm, options: bad) }
        bad.sigmaMax = nil
        bad.rho = 0
        #expect(throws: EngineError.self) { try DiffusionSampler.times(process: try .vp(), grid: .edm, options: bad) }
    }

    /// The probability-flow ODE of N(mu, s^2) data is solved in closed form per
    /// coordinate: x_eps = alpha_eps mu + sqrt(v_eps / v_1) (x_1 - alpha_1 mu),
    /// v_t = alpha_t^2 s^2 + sigma_t^2. The worst error over 200 rows at `steps`.
    static func odeError(_ method: SamplingMethod, steps: Int, process: ForwardProcess, grid: NoiseGrid? = nil) throws -> Double {
        let mu = [1.5, -0.5], s2 = [0.25, 0.01], n = 200
        let model = try GaussianMixtureScore(weights: [1], means: mu, covariances: s2, dimension: 2, diagonal: true)
        var options = SamplerOptions()
        options.steps = steps
        options.denoiseAtEnd = false
        options.grid = grid
        let x = try DiffusionSampler.sample(model: model, process: process, count: n, method: method, options: options, seed: 4)
        var start = [Float](repeating: 0, count: 2 * n)
        var run = DiffusionSampler.Run(model: model, process: process, count: n, dimension: 2, seed: 4)
        run.prior(&start)
        let epsilon = process.defaultSamplingEpsilon
        var worst = 0.0
        for r in 0..<n {
            for k in 0..<2 {
                func v(_ t: Double) -> Double { pow(process.alpha(t), 2) * s2[k] + pow(process.sigma(t), 2) }
                let exact = process.alpha(epsilon) * mu[k] + (v(epsilon) / v(1)).squareRoot() * (Double(start[2 * r + k]) - process.alpha(1) * mu[k])
                worst = max(worst, abs(Double(x[2 * r + k]) - exact))
            }
        }
        return worst
    }

    /// The observed orders log2(e(N) / e(2N)) of the deterministic samplers on the VP,
    /// VE and DDPM processes on the log-SNR grid (where the steps are equal in the
    /// solvers' variable), averaged over two doublings (in the asymptotic regime,
    /// before float32 rounding at ~1e-6 takes over): DDIM (eta = 0) first order, EDM's
    /// Heun and DPM-Solver++(2M) second, each within 0.35 of its order; (3M) at least
    /// 2.7, as UniPC-2 (its predictor second order, its corrector third). Measured:
    /// 0.98-0.99, 2.05-2.15, 1.82-1.94, 2.86-2.91 for UniPC, and 3.8-4.2 for 3M, whose
    /// leading error term nearly integrates to zero here. The reference code's and
    /// diffusers' 3M, whose D2 = (D1_0 - D1_1) / (r0 + r1) is half the h^2 D'' of the
    /// Taylor term, measures 2.3-2.4 on this test: second order.
    @Test func deterministicSamplersConvergeAtTheirOrder() throws {
        let cases: [(SamplingMethod, Double, [Int])] = [
            (.ddim, 1, [40, 80, 160]), (.edmHeun, 2, [20, 40, 80]), (.dpmSolver2M, 2, [20, 40, 80]), (.dpmSolver3M, 3, [20, 40, 80]),
            (.uniPC, 3, [20, 40, 80]),
        ]
        for process in [try ForwardProcess.vp(), try .ve(sigmaMax: 20), try .ddpm(schedule: .cosine)] {
            for (method, order, steps) in cases {
                let errors = try steps.map { try Self.odeError(method, steps: $0, process: process, grid: .logSNR) }
                let observed = log2(errors[0] / errors[2]) / 2
                #expect(observed > order - 0.3, "\(process.kind) \(method): errors \(errors), order \(observed)")
                if order < 3 { #expect(observed < order + 0.35, "\(process.kind) \(method): errors \(errors), order \(observed)") }
            }
        }
    }

    /// The stochastic variants on N(mu, s^2) data (n = 40,000, within 4 standard errors).
    /// DDIM is affine per step, x_s = (a + b k_t) x + b (1 - k_t alpha_t) mu + c z with
    /// D = mu + k_t (x - alpha_t mu), k_t = alpha_t s^2 / v_t: at eta = 1 and 0.5 (100 steps)
    /// its mean and variance follow that recursion from the prior's. (Its bias is first
    /// order: at eta = 1 the variance is 4.7% low at 300 steps, 1.5% at 1000.) EDM with
    /// churn (S_churn 40 and 80, 150 steps), which forgets the prior, reaches the exact
    /// output law N(mu, (alpha s^2)^2 / v) of a sampler that ends with the denoiser.
    @Test func stochasticVariantsReachTheDistribution() throws {
        let mu = 1.5, s2 = 0.25, n = 40_000
        let model = try GaussianMixtureScore(weights: [1], means: [mu], covariances: [s2], dimension: 1, diagonal: true)
        let process = try ForwardProcess.vp(), epsilon = process.defaultSamplingEpsilon
        func gain(_ t: Double) -> Double { process.alpha(t) * s2 / (pow(process.alpha(t), 2) * s2 + pow(process.sigma(t), 2)) }
        func moments(_ x: [Float]) -> (Double, Double) {
            let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
            return (mean, x.reduce(0.0) { $0 + pow(Double($1) - mean, 2) } / Double(x.count - 1))
        }
        for eta in [1.0, 0.5] {
            var options = SamplerOptions()
            options.steps = 100
            options.eta = eta
            let x = try DiffusionSampler.sample(model: model, process: process, count: n, method: .ddim, options: options, seed: 8)
            let times = try DiffusionSampler.times(process: process, grid: .timeUniform, options: options)
            var mean = 0.0, variance = 1.0
            for i in 0..<options.steps {
                let t = times[i], s = times[i + 1], k = gain(t)
                let alphaT = process.alpha(t), sigmaT = process.sigma(t), alphaS = process.alpha(s), sigmaS = process.sigma(s)
                let c = eta * sigmaS * (sigmaT * sigmaT - pow(alphaT / alphaS * sigmaS, 2)).squareRoot() / sigmaT
                let direction = (sigmaS * sigmaS - c * c).squareRoot(), a = direction / sigmaT, b = alphaS - direction * alphaT / sigmaT
                mean = (a + b * k) * mean + b * (1 - k * alphaT) * mu
                variance = pow(a + b * k, 2) * variance + c * c
            }
            let k = gain(epsilon), alpha = process.alpha(epsilon)
            mean = mu + k * (mean - alpha * mu)
            variance *= k * k
            let (sampleMean, sampleVariance) = moments(x)
            #expect(abs(sampleMean - mean) < 4 * (variance / Double(n)).squareRoot(), "DDIM eta \(eta): mean \(sampleMean) vs \(mean)")
            #expect(abs(sampleVariance - variance) < 4 * variance * (2.0 / Double(n)).squareRoot(),
                    "DDIM eta \(eta): variance \(sampleVariance) vs \(variance)")
        }
        let alpha = process.alpha(epsilon), v = alpha * alpha * s2 + pow(process.sigma(epsilon), 2), variance = pow(alpha * s2, 2) / v
        for churn in [40.0, 80.0] {
            var options = SamplerOptions()
            options.steps = 150
            options.churn = churn
            let x = try DiffusionSampler.sample(model: model, process: process, count: n, method: .edmHeun, options: options, seed: 8)
            let (mean, sampleVariance) = moments(x)
            #expect(abs(mean - mu) < 4 * (variance / Double(n)).squareRoot(), "EDM churn \(churn): mean \(mean) vs \(mu)")
            #expect(abs(sampleVariance - variance) < 4 * variance * (2.0 / Double(n)).squareRoot(),
                    "EDM churn \(churn): variance \(sampleVariance) vs \(variance)")
        }
    }

    /// NFE: every grid sampler's count is what its loop evaluates (a counting model),
    /// and the adaptive sampler reports its own mean.
    @Test func evaluationsAreCounted() throws {
        final class Counter: @unchecked Sendable { var calls = 0 }
        struct Counting: ScoreModel {
            let inner: GaussianMixtureScore, counter: Counter
            var dimension: Int { inner.dimension }
            func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
                counter.calls += 1
                inner.denoise(x, count: count, time: t, process: process, into: out)
            }
            func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
                counter.calls += 1
                inner.score(x, count: count, time: t, process: process, into: out)
            }
        }
        let counter = Counter(), model = Counting(inner: try DiffusionTests.eightGaussians(), counter: counter)
        let methods: [SamplingMethod] = [.eulerMaruyama, .predictorCorrector, .odeEuler, .odeHeun, .ancestral, .annealedLangevin,
                                         .reverseDiffusion, .edmHeun, .ddim, .dpmSolver2M, .dpmSolver3M, .uniPC]
        for method in methods {
            for denoise in [false, true] {
                var options = SamplerOptions()
                options.steps = 7
                options.langevinSteps = 2
                options.denoiseAtEnd = denoise
                counter.calls = 0
                let result = try DiffusionSampler.run(model: model, process: try .vp(), count: 5, method: method, options: options, seed: 1)
                #expect(Double(counter.calls) == result.evaluations && method.evaluations(options: options) == counter.calls,
                        "\(method) denoise \(denoise): \(counter.calls) calls, reported \(result.evaluations)")
            }
        }
        let adaptive = try DiffusionSampler.run(model: try DiffusionTests.eightGaussians(), process: try .vp(), count: 20, method: .odeRK45, seed: 1)
        #expect(adaptive.evaluations > 6, "the adaptive sampler reported \(adaptive.evaluations) evaluations per sample")
    }
}
