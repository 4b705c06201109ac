import Glibc
import Testing

@testable import BoltzmannCore

/// Likelihoods through the probability-flow ODE against exact answers: with a mixture's
/// exact score the ODE's log p_epsilon(x) is the mixture's own log-density at epsilon;
/// the divergences (the mixture's analytic Hessian trace, the network's d
/// vector-Jacobian products) against central differences of the score; Hutchinson's
/// estimate unbiased around the exact one with honest standard errors.
@Suite("Likelihood")
struct LikelihoodTests {
    /// A random mixture in d dimensions with full covariances (K components).
    static func mixture(dimension d: Int, components k: Int, seed: UInt64) throws -> GaussianMixtureScore {
        var random = RandomStream(seed: seed)
        var covariances: [Double] = []
        for _ in 0..<k {
            var a = [Double](repeating: 0, count: d * d)
            for i in 0..<(d * d) { a[i] = 0.3 * random.normal() / Double(d).squareRoot() }
            for i in 0..<d { for j in 0..<d {  // A A^T + 0.05 I
                var sum = i == j ? 0.05 : 0
                for l in 0..<d { sum += a[i * d + l] * a[j * d + l] }
                covariances.append(sum)
            } }
        }
        let means = (0..<(k * d)).map { _ in 1.5 * random.normal() }
        return try GaussianMixtureScore(weights: (0..<k).map { _ in 0.5 + random.uniform() }, means: means, covariances: covariances,
                                        dimension: d, diagonal: false)
    }

    /// The ODE's log-density of 40 exact samples at rtol = atol = 1e-6 equals the
    /// mixture's log p_epsilon, and its log p_0, to 1e-3 nats (measured: 2e-5 to 3e-5 in
    /// 2D, 8e-5 to 1.8e-4 in 16D), in 2D (eight Gaussians) and 16D (a full-covariance
    /// mixture of 3), on VP and VE.
    @Test func mixtureLikelihoodIsExact() throws {
        for (model, name) in [(try DiffusionTests.eightGaussians(), "eight Gaussians"), (try Self.mixture(dimension: 16, components: 3, seed: 3), "16-D")] {
            for process in [try ForwardProcess.vp(), try .ve(sigmaMax: 20)] {
                let n = 40, x = model.sample(count: n, seed: 9)
                var options = LikelihoodOptions()
                options.rtol = 1e-6
                options.atol = 1e-6
                let result = try x.withUnsafeBufferPointer {
                    try Likelihood.logDensity(model: model, process: process, x: $0, count: n, options: options, seed: 1)
                }
                let points = x.map(Double.init)
                let exact = points.withUnsafeBufferPointer { model.logDensity($0.baseAddress!, count: n, time: options.epsilon, process: process)! }
                let worst = zip(result.logDensity, exact).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-3, "\(name) \(process.kind): worst |log p error| \(worst)")
                // And the data's own density p_0 (the noise at epsilon = 1e-5 moves it by < 1e-4 nats here).
                let data = points.withUnsafeBufferPointer { model.logDensity($0.baseAddress!, count: n, time: 0, process: process)! }
                let worstData = zip(result.logDensity, data).map { abs($0 - $1) }.max()!
                #expect(worstData < 1e-3, "\(name) \(process.kind): worst |log p_0 error| \(worstData)")
                #expect(result.standardError.allSatisfy { $0 == 0 } && result.evaluations > 7)
            }
        }
    }

    /// tr(ds/dx) and u^T (ds/dx) u against central differences of the score (h = 1e-4 in
    /// double for the mixture; h = 1e-2 on the float32 networks, within 2e-3 relative),
    /// for an epsilon network and a class-conditional EDM-preconditioned one (whose
    /// input scaling and skip term enter the chain rule); the networks' double score
    /// also matches their float32 `score` (the sampler's path).
    @Test func divergencesMatchFiniteDifferences() throws {
        let mixture = try Self.mixture(dimension: 5, components: 3, seed: 4)
        var network = try MLPScore(dimension: 5, hidden: [32, 32], seed: 2)
        var preconditioned = try MLPScore(dimension: 5, hidden: [32, 32], parametrisation: .edm, sigmaData: 0.7, classes: 3, seed: 3)
        // Larger weights than the initial ones, so the networks are not nearly linear.
        network.network.parameters = network.network.parameters.map { $0 * 2 }
        preconditioned.network.parameters = preconditioned.network.parameters.map { $0 * 2 }
        var random = RandomStream(seed: 5)
        let n = 6, d = 5
        let x = (0..<(n * d)).map { _ in random.normal() }, u = (0..<(n * d)).map { _ in random.next() & 1 == 0 ? -1.0 : 1.0 }
        let times = [0.05, 0.2, 0.2, 0.5, 0.7, 0.95]
        let process = try ForwardProcess.vp()
        for (model, h, tolerance) in [(mixture as any ScoreModel, 1e-4, 1e-6), (network as any ScoreModel, 1e-2, 2e-3),
                                      (preconditioned as any ScoreModel, 1e-2, 2e-3)] {
            var score = [Double](repeating: 0, count: n * d), trace = [Double](repeating: 0, count: n), quadratic = trace
            #expect(model.scoreAndDivergence(x, count: n, times: times, process: process, probes: nil, score: &score, divergence: &trace))
            #expect(model.scoreAndDivergence(x, count: n, times: times, process: process, probes: u, score: &score, divergence: &quadratic))
            if model is MLPScore {
                var single = [Float](repeating: 0, count: n * d)
                model.score(x.map(Float.init), count: n, times: times, process: process, into: &single)
                for k in 0..<(n * d) {
                    #expect(abs(Double(single[k]) - score[k]) < 1e-4 * max(1, abs(score[k])), "float score \(single[k]) vs \(score[k])")
                }
            }
            for r in 0..<n {
                var expectedTrace = 0.0, expectedQuadratic = 0.0
                for k in 0..<d {
                    var plus = Array(x[(r * d)..<((r + 1) * d)]), minus = plus
                    plus[k] += h
                    minus[k] -= h
                    var sPlus = [Double](repeating: 0, count: d), sMinus = sPlus, ignored = [0.0]
                    _ = model.scoreAndDivergence(plus, count: 1, times: [times[r]], process: process, probes: nil, score: &sPlus, divergence: &ignored)
                    _ = model.scoreAndDivergence(minus, count: 1, times: [times[r]], process: process, probes: nil, score: &sMinus, divergence: &ignored)
                    // Column k of the Jacobian: (s(x + h e_k) - s(x - h e_k)) / 2h.
                    expectedTrace += (sPlus[k] - sMinus[k]) / (2 * h)
                    for i in 0..<d { expectedQuadratic += u[r * d + i] * (sPlus[i] - sMinus[i]) / (2 * h) * u[r * d + k] }
                }
                #expect(abs(trace[r] - expectedTrace) < tolerance * max(1, abs(expectedTrace)), "\(type(of: model)) row \(r): trace \(trace[r]) vs \(expectedTrace)")
                #expect(abs(quadratic[r] - expectedQuadratic) < tolerance * max(1, abs(expectedQuadratic)),
                        "\(type(of: model)) row \(r): u^T J u \(quadratic[r]) vs \(expectedQuadratic)")
            }
        }
    }

    /// Hutchinson's estimate with 16 probes per row: over 30 rows of eight Gaussians,
    /// z = (estimate - exact) / SE has mean within 4 / sqrt(30) of 0 and rms in
    /// [0.6, 1.5] (honest errors); each |z| < 5.
    @Test func hutchinsonIsUnbiasedWithHonestErrors() throws {
        let model = try DiffusionTests.eightGaussians(), process = try ForwardProcess.vp(), n = 30
        let x = model.sample(count: n, seed: 12)
        var options = LikelihoodOptions()
        let exact = try x.withUnsafeBufferPointer { try Likelihood.logDensity(model: model, process: process, x: $0, count: n, options: options, seed: 1) }
        options.divergence = .hutchinson
        options.probes = 16
        let estimate = try x.withUnsafeBufferPointer { try Likelihood.logDensity(model: model, process: process, x: $0, count: n, options: options, seed: 2) }
        let z = (0..<n).map { (estimate.logDensity[$0] - exact.logDensity[$0]) / estimate.standardError[$0] }
        let mean = z.reduce(0, +) / Double(n), rms = (z.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
        #expect(abs(mean) < 4 / Double(n).squareRoot() && rms > 0.6 && rms < 1.5 && z.allSatisfy { abs($0) < 5 }, "z \(z)")
        var bad = LikelihoodOptions()
        bad.probes = 4  // probes are Hutchinson's
        #expect(throws: EngineError.self) { try x.withUnsafeBufferPointer { try Likelihood.logDensity(model: model, process: process, x: $0, count: n, options: bad, seed: 1) } }
    }
}
