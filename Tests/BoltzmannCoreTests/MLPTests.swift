import Glibc
import Testing

@testable import BoltzmannCore

/// The score network's multilayer perceptron: back-propagated gradients equal
/// central finite differences of the same code built in double precision.
@Suite("MLP")
struct MLPTests {
    /// L = sum_k c_k out_k for fixed random c: dL/d(parameters) by backward against
    /// (L(p + h e_i) - L(p - h e_i)) / 2h, h = 1e-6, for every parameter of a
    /// 3 -> 5 -> 4 -> 2 network on 7 rows; relative error below 1e-4 (the issue's bound).
    @Test func gradientsEqualFiniteDifferences() throws {
        var net = try MLP<Double>(widths: [3, 5, 4, 2], seed: 3)
        var random = RandomStream(seed: 4)
        for k in net.parameters.indices { net.parameters[k] += 0.1 * random.normal() }  // non-zero biases too
        let rows = 7
        let input = (0..<(rows * 3)).map { _ in random.normal() }, weights = (0..<(rows * 2)).map { _ in random.normal() }
        let workspace = MLP<Double>.Workspace(network: net, rows: rows)
        func loss(_ network: MLP<Double>) -> Double {
            network.forward(input, workspace)
            return (0..<(rows * 2)).reduce(0) { $0 + weights[$1] * workspace.output[$1] }
        }
        _ = loss(net)
        var gradient = [Double](repeating: 0, count: net.parameters.count)
        net.backward(input, weights, workspace, into: &gradient)
        var worst = 0.0
        for i in net.parameters.indices {
            let h = 1e-6, keep = net.parameters[i]
            net.parameters[i] = keep + h
            let up = loss(net)
            net.parameters[i] = keep - h
            let down = loss(net)
            net.parameters[i] = keep
            let numeric = (up - down) / (2 * h)
            worst = max(worst, abs(numeric - gradient[i]) / max(1e-3, abs(numeric)))
        }
        #expect(worst < 1e-4, "largest relative gradient error \(worst)")
    }

    /// The Float network computes what the Double one does, to single precision.
    @Test func singlePrecisionAgrees() throws {
        let double = try MLP<Double>(widths: [4, 16, 16, 3], seed: 5), single = try MLP<Float>(widths: [4, 16, 16, 3], seed: 5)
        #expect(single.parameters == double.parameters.map { Float($0) })
        var random = RandomStream(seed: 6)
        let input = (0..<40).map { _ in random.normal() }
        let dw = MLP<Double>.Workspace(network: double, rows: 10), sw = MLP<Float>.Workspace(network: single, rows: 10)
        double.forward(input, dw)
        single.forward(input.map { Float($0) }, sw)
        let error = (0..<30).map { abs(Double(sw.output[$0]) - dw.output[$0]) }.max()!
        #expect(error < 1e-5, "float vs double outputs differ by \(error)")
        #expect(throws: EngineError.self) { try MLP<Float>(widths: [3], seed: 0) }
    }
}

/// Denoising score matching learns a known score: on 2D Gaussian data
/// N((1, -1), diag(0.25, 0.04)), for each parametrisation, the trained network's
/// sigma_t s(x, t) (the noise it infers, unit scale: what the loss weighs) comes within
/// 0.1 RMS of the exact one on points of p_t.
@Suite("Score training")
struct ScoreTrainingTests {
    @Test func learnsAGaussianScore() throws {
        let exact = try GaussianMixtureScore(weights: [1], means: [1, -1], covariances: [0.25, 0.04], dimension: 2, diagonal: true)
        let data = exact.sample(count: 4000, seed: 1), process = try ForwardProcess.vp()
        for parametrisation in [ScoreParametrisation.epsilon, .data, .score] {
            var model = try MLPScore(dimension: 2, hidden: [64, 64], parametrisation: parametrisation, seed: 2)
            var options = ScoreTrainingOptions()
            options.steps = 1500
            options.batchSize = 128
            options.learningRate = 3e-3
            options.ema = 0.99
            let losses = try data.withUnsafeBufferPointer { try model.train(data: $0, process: process, options: options, seed: 3) }
            let early = losses[0..<100].reduce(0, +) / 100, late = losses[(losses.count - 100)...].reduce(0, +) / 100
            #expect(late < 0.6 * early, "\(parametrisation): loss \(early) -> \(late)")
            for t in [0.3, 0.7] {
                let alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
                var random = RandomStream(seed: 4)
                let points = (0..<400).map { k in alpha * data[k] + sigma * Float(random.normal()) }
                var learned = [Float](repeating: 0, count: 400), truth = learned
                model.score(points, count: 200, time: t, process: process, into: &learned)
                exact.score(points, count: 200, time: t, process: process, into: &truth)
                let rms = (zip(learned, truth).reduce(0.0) { $0 + Double(sigma * sigma * ($1.0 - $1.1) * ($1.0 - $1.1)) } / 400).squareRoot()
                #expect(rms < 0.1, "\(parametrisation) t = \(t): RMS gap of sigma s \(rms)")
            }
        }
    }
}

/// The EMA's warm-up, min(ema, t / (t + 9)) at step t (diffusers' EMAModel: (1 + n) /
/// (10 + n) after n updates): 0.1 at the first step, 0.99 at step 891, the decay asked
/// for from step 8991 on, and never above it.
@Suite("EMA warm-up")
struct EMAWarmUpTests {
    @Test func decaySchedule() {
        var options = ScoreTrainingOptions()
        #expect(options.emaDecay(step: 1) == 0.1)
        #expect(abs(options.emaDecay(step: 891) - 0.99) < 1e-15)
        #expect(options.emaDecay(step: 8991) == 0.999 && options.emaDecay(step: 100_000) == 0.999)
        #expect((1..<20_000).allSatisfy { options.emaDecay(step: $0) <= options.emaDecay(step: $0 + 1) })
        options.ema = 0.5
        #expect(options.emaDecay(step: 9) == 0.5 && options.emaDecay(step: 8) == 8.0 / 17 && options.emaDecay(step: 1) == 0.1)
    }
}

/// Evaluation and persistence of a learned score.
@Suite("MLP score model")
struct MLPScoreModelTests {
    static func model(_ parametrisation: ScoreParametrisation = .epsilon, embedding: TimeEmbedding = .gaussianFourier(count: 16, scale: 4))
        throws -> MLPScore {
        var model = try MLPScore(dimension: 3, hidden: [32, 16], embedding: embedding, parametrisation: parametrisation, seed: 5)
        let data = (0..<600).map { Float(sin(Double($0))) }
        var options = ScoreTrainingOptions()
        options.steps = 20
        options.batchSize = 16
        _ = try data.withUnsafeBufferPointer { try model.train(data: $0, process: try .vp(), options: options, seed: 6) }
        return model
    }

    /// serialize -> deserialize -> serialize is the identity, and the reloaded model
    /// scores bit for bit alike, for each parametrisation and embedding, with and
    /// without EMA parameters.
    @Test func roundTripIsExact() throws {
        let process = try ForwardProcess.ve()
        var random = RandomStream(seed: 8)
        let x = (0..<30).map { _ in Float(random.normal()) }
        for (parametrisation, embedding) in [(ScoreParametrisation.epsilon, TimeEmbedding.gaussianFourier(count: 8, scale: 16)),
                                             (.data, .sinusoidal(count: 12)), (.score, .gaussianFourier(count: 2, scale: 1))] {
            let trained = try Self.model(parametrisation, embedding: embedding)
            let fresh = try MLPScore(dimension: 3, hidden: [4], embedding: embedding, parametrisation: parametrisation, seed: 1)
            for model in [trained, fresh] {
                let bytes = model.serialized()
                let back = try bytes.withUnsafeBytes { try MLPScore(serialized: $0) }
                #expect(back.serialized() == bytes)
                #expect(back.averaged.isEmpty == model.averaged.isEmpty)
                var a = x, b = x
                model.score(x, count: 10, time: 0.3, process: process, into: &a)
                back.score(x, count: 10, time: 0.3, process: process, into: &b)
                #expect(a == b)
            }
        }
        // Version 2: a class-conditional EDM model keeps its classes, sigma_data and labelled
        // outputs; an unconditional model of the first three parametrisations stays version 1.
        let conditional = try MLPScore(dimension: 3, hidden: [6], parametrisation: .edm, sigmaData: 0.3, classes: 4, seed: 2)
        let bytes = conditional.serialized()
        #expect(bytes[8] == 2)
        #expect(try MLPScore(dimension: 3, hidden: [4], seed: 1).serialized()[8] == 1)
        let back = try bytes.withUnsafeBytes { try MLPScore(serialized: $0) }
        #expect(back.classCount == 4 && back.sigmaData == 0.3 && back.parametrisation == .edm && back.serialized() == bytes)
        let labels: [Int32] = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
        var a = x, b = x
        conditional.denoise(x, count: 10, time: 0.3, process: process, labels: labels, into: &a)
        back.denoise(x, count: 10, time: 0.3, process: process, labels: labels, into: &b)
        #expect(a == b)
    }

    /// The EDM skip connection: as the noise level goes to 0, c_skip -> 1 and c_out -> 0, so
    /// any network's denoiser is x / alpha_t there (the identity the network need not
    /// learn); the score is Tweedie's (alpha D - x) / sigma^2 of that denoiser.
    @Test func edmPreconditioningSkipsAtLowNoise() throws {
        let process = try ForwardProcess.vp()
        var model = try MLPScore(dimension: 4, hidden: [16], parametrisation: .edm, sigmaData: 0.5, seed: 3)
        model.network.parameters = model.network.parameters.map { $0 * 3 }
        var random = RandomStream(seed: 1)
        let x = (0..<20).map { _ in Float(random.normal()) }
        for t in [1e-5, 0.3, 0.9] {
            var denoised = x, score = x
            model.denoise(x, count: 5, time: t, process: process, into: &denoised)
            model.score(x, count: 5, time: t, process: process, into: &score)
            let alpha = process.alpha(t), sigma = process.sigma(t)
            for k in 0..<20 {
                let tweedie = (alpha * Double(denoised[k]) - Double(x[k])) / (sigma * sigma)
                #expect(abs(Double(score[k]) - tweedie) < 1e-3 * max(1, abs(tweedie)), "t \(t): score \(score[k]) vs Tweedie \(tweedie)")
                if t == 1e-5 {
                    let level = sigma / alpha  // |D - x / alpha| = c_out |o| <= level |o|
                    #expect(abs(Double(denoised[k]) - Double(x[k]) / alpha) < 20 * level, "t \(t): D \(denoised[k]) vs x / alpha")
                }
            }
        }
    }

    /// Every truncation point, every flipped byte (sampled), a wrong magic and a
    /// trailing byte each throw badFormat; none traps.
    @Test func damageIsReported() throws {
        let bytes = try Self.model().serialized()
        func check(_ damaged: [UInt8], _ expected: String) {
            do {
                _ = try damaged.withUnsafeBytes { raw throws(EngineError) in try MLPScore(serialized: raw) }
                Issue.record("accepted damaged bytes (\(expected))")
            } catch let error as EngineError {
                #expect(error.kind == .badFormat)
                #expect(error.message.contains(expected), "\(error.message)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        for length in stride(from: 0, to: bytes.count, by: 7) {
            check(Array(bytes[0..<length]), length < 8 ? "magic" : "truncated")
        }
        for offset in stride(from: 8, to: bytes.count, by: 13) {
            var damaged = bytes
            damaged[offset] ^= 0x10
            do {
                _ = try damaged.withUnsafeBytes { raw throws(EngineError) in try MLPScore(serialized: raw) }
                Issue.record("accepted a flipped byte at \(offset)")
            } catch let error as EngineError {
                #expect(error.kind == .badFormat)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        check([0x50, 0x4B] + bytes[2...], "magic")
        check(bytes + [0], "unexpected")
    }
}
