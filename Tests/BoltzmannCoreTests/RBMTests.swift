import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Restricted Boltzmann machines")
struct RBMTests {
    /// A random machine with weights of order 1, so that log Z is far from trivial.
    private func randomMachine(visible: Int, hidden: Int, seed: UInt64) throws -> RBM {
        var random = RandomStream(seed: seed)
        return try RBM(weights: (0..<(visible * hidden)).map { _ in Float(random.normal()) },
                       visibleBias: (0..<visible).map { _ in Float(0.5 * random.normal()) },
                       hiddenBias: (0..<hidden).map { _ in Float(0.5 * random.normal()) })
    }

    /// Brute force over every joint state (v, h), in double precision.
    private func bruteForceLogZ(_ rbm: RBM) -> Double {
        let nv = rbm.visibleCount, nh = rbm.hiddenCount
        var terms: [Double] = []
        for v in 0..<(1 << nv) {
            for h in 0..<(1 << nh) {
                var minusE = 0.0
                for i in 0..<nv where v >> i & 1 == 1 { minusE += Double(rbm.visibleBias[i]) }
                for j in 0..<nh where h >> j & 1 == 1 {
                    minusE += Double(rbm.hiddenBias[j])
                    for i in 0..<nv where v >> i & 1 == 1 { minusE += Double(rbm.weights[i * nh + j]) }
                }
                terms.append(minusE)
            }
        }
        let top = terms.max()!
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    @Test func exactLogZMatchesBruteForce() throws {
        for (nv, nh) in [(7, 5), (4, 9)] {
            let rbm = try randomMachine(visible: nv, hidden: nh, seed: UInt64(nv * 10 + nh))
            let exact = try rbm.exactLogPartition(), brute = bruteForceLogZ(rbm)
            #expect(abs(exact - brute) <= 1e-12 * abs(brute), "\(nv)x\(nh): \(exact) vs \(brute)")
        }
    }

    /// A 12 x 10 machine, enumerated over its hidden layer, and its transpose (the
    /// same distribution with the layers' roles swapped), enumerated over the other:
    /// the two sums agree to 1e-10.
    @Test func bothLayersAgree() throws {
        let rbm = try randomMachine(visible: 12, hidden: 10, seed: 3)
        var transposed = [Float](repeating: 0, count: 120)
        for i in 0..<12 { for j in 0..<10 { transposed[j * 12 + i] = rbm.weights[i * 10 + j] } }
        let swapped = try RBM(weights: transposed, visibleBias: rbm.hiddenBias, hiddenBias: rbm.visibleBias)
        let a = try rbm.exactLogPartition(), b = try swapped.exactLogPartition()
        #expect(abs(a - b) <= 1e-10 * abs(a), "\(a) vs \(b)")
        // Normalised: the probabilities of all 2^12 visible states sum to 1, to the
        // single precision of the free energy's pre-activations (|F| ~ 10, so e^{-F}
        // carries relative errors of a few 1e-7).
        let all = (0..<4096).flatMap { v in (0..<12).map { Float(v >> $0 & 1) } }
        let f = try rbm.freeEnergy(all)
        #expect(abs(f.reduce(0) { $0 + exp(-$1 - a) } - 1) < 1e-6)
    }

    /// The exact gradient of a 6 x 4 machine against central differences of the
    /// exact log-likelihood (computed here in double precision by brute force), with
    /// steps of 2^-7, exact in single precision: agreement to 1e-4.
    @Test func exactGradientMatchesFiniteDifferences() throws {
        let rbm = try randomMachine(visible: 6, hidden: 4, seed: 9)
        var random = RandomStream(seed: 4)
        let data = (0..<(20 * 6)).map { _ in Float(random.next() >> 63) }
        func logLikelihood(_ m: RBM) -> Double {
            func minusF(_ v: [Double]) -> Double {
                var f = 0.0
                for i in 0..<6 { f += Double(m.visibleBias[i]) * v[i] }
                for j in 0..<4 {
                    var a = Double(m.hiddenBias[j])
                    for i in 0..<6 { a += v[i] * Double(m.weights[i * 4 + j]) }
                    f += max(a, 0) + log1p(exp(-abs(a)))
                }
                return f
            }
            let all = (0..<64).map { s in minusF((0..<6).map { Double(s >> $0 & 1) }) }
            let top = all.max()!
            let logZ = top + log(all.reduce(0) { $0 + exp($1 - top) })
            var total = 0.0
            for r in 0..<20 { total += minusF((0..<6).map { i in Double(data[r * 6 + i]) }) }
            return total / 20 - logZ
        }
        let gradient = try rbm.exactGradient(data)
        let h: Float = 0x1p-7
        for k in [0, 5, 13, 23] {
            var plus = rbm, minus = rbm
            plus.weights[k] += h
            minus.weights[k] -= h
            let difference = (logLikelihood(plus) - logLikelihood(minus)) / (2 * Double(h))
            #expect(abs(difference - gradient.weights[k]) < 1e-4, "W[\(k)]: \(difference) vs \(gradient.weights[k])")
        }
        for i in [0, 4] {
            var plus = rbm, minus = rbm
            plus.visibleBias[i] += h
            minus.visibleBias[i] -= h
            #expect(abs((logLikelihood(plus) - logLikelihood(minus)) / (2 * Double(h)) - gradient.visibleBias[i]) < 1e-4)
        }
        for j in [1, 3] {
            var plus = rbm, minus = rbm
            plus.hiddenBias[j] += h
            minus.hiddenBias[j] -= h
            #expect(abs((logLikelihood(plus) - logLikelihood(minus)) / (2 * Double(h)) - gradient.hiddenBias[j]) < 1e-4)
        }
    }

    /// CD-5 on bars and stripes, one batch of the 14 images, the rate decaying
    /// linearly from 0.1 to 0.
    private static let barsTraining: RBMTraining = {
        var options = RBMTraining()
        options.learningRate = 0.1
        options.steps = 5
        options.batchSize = 14
        options.finalLearningRate = 0
        return options
    }()

    /// 3 x 3 bars and stripes (14 images): CD-5 training with a learning rate
    /// decaying linearly to 0 reaches an exact mean log-likelihood within 0.3 nats
    /// of the optimum -ln 14 (0.11 to 0.15 nats short over seeds 2, 3, 4; without
    /// the decay, 0.16 to 0.46).
    @Test func learnsBarsAndStripes() throws {
        let data = try Datasets.barsAndStripes(side: 3)
        #expect(data.count == 14 * 9)
        let options = Self.barsTraining
        let trainer = try RBMTrainer(try RBM(visible: 9, hidden: 16, seed: 1), options: options, seed: 2)
        let before = try trainer.machine.exactLogLikelihood(data)
        let errors = try trainer.fit((0..<10).flatMap { _ in data }, epochs: 1000)
        let after = try trainer.machine.exactLogLikelihood(data)
        #expect(abs(before + 9 * log(2.0)) < 0.01)  // near-uniform at the start
        #expect(after > -log(14.0) - 0.3, "mean log-likelihood \(after), optimum \(-log(14.0))")
        #expect(errors.count == 1000 && errors.last! < errors.first!)
        // The same seed gives bit-identical weights for any thread count.
        let threads = Parallel.maxThreads
        defer { Parallel.setMaxThreads(threads) }
        Parallel.setMaxThreads(1)
        let again = try RBMTrainer(try RBM(visible: 9, hidden: 16, seed: 1), options: options, seed: 2)
        try again.fit((0..<10).flatMap { _ in data }, epochs: 1000)
        #expect(again.machine.weights == trainer.machine.weights)
    }

    /// AIS on a machine trained on bars and stripes (so its distribution is far
    /// from uniform): within 3 standard errors and 0.1 nats of the exact log Z, from
    /// the uniform base (here also the data's marginals, all 1/2) and from a
    /// deliberately biased one, p = 0.3 per unit.
    @Test func annealedImportanceSamplingMatchesExactLogZ() throws {
        let data = try Datasets.barsAndStripes(side: 3)
        let options = Self.barsTraining
        let trainer = try RBMTrainer(try RBM(visible: 9, hidden: 16, seed: 1), options: options, seed: 2)
        try trainer.fit((0..<10).flatMap { _ in data }, epochs: 300)
        let rbm = trainer.machine
        let exact = try rbm.exactLogPartition()
        let base = [Float](repeating: log(0.3 / 0.7), count: 9)
        let betas = (0...3000).map { Double($0) / 3000 }
        for start in [nil, base] {
            let estimate = try rbm.annealedImportanceSampling(runs: 100, betas: betas, base: start, seed: 7)
            #expect(abs(estimate.logZ - exact) < max(3 * estimate.standardError, 1e-3) && abs(estimate.logZ - exact) < 0.1,
                    "AIS \(estimate) vs exact \(exact)")
            #expect(estimate.effectiveSampleSize > 10 && estimate.effectiveSampleSize <= 100)
        }
        #expect(RBM.aisSchedule.count == 14_501 && RBM.aisSchedule[500] == 0.5 && RBM.aisSchedule[4500] == 0.9)
        #expect(throws: EngineError.self) { try rbm.annealedImportanceSampling(runs: 0, seed: 0) }
        #expect(throws: EngineError.self) { try rbm.annealedImportanceSampling(runs: 10, betas: [0, 0.5], seed: 0) }
        #expect(throws: EngineError.self) { try rbm.annealedImportanceSampling(runs: 10, betas: [0, 0.6, 0.5, 1], seed: 0) }
    }

    @Test func conditionalsAndBadInput() throws {
        let rbm = try randomMachine(visible: 3, hidden: 2, seed: 1)
        let ph = try rbm.hiddenProbabilities([1, 0, 1])
        for j in 0..<2 {
            let x = rbm.hiddenBias[j] + rbm.weights[0 * 2 + j] + rbm.weights[2 * 2 + j]
            #expect(abs(ph[j] - 1 / (1 + expf(-x))) < 1e-6)
        }
        let pv = try rbm.visibleProbabilities([0, 1])
        for i in 0..<3 { #expect(abs(pv[i] - 1 / (1 + expf(-(rbm.visibleBias[i] + rbm.weights[i * 2 + 1])))) < 1e-6) }
        #expect(throws: EngineError.self) { try rbm.hiddenProbabilities([1, 0]) }
        #expect(throws: EngineError.self) { try rbm.hiddenProbabilities([1, 0, 2]) }
        #expect(throws: EngineError.self) { try rbm.hiddenProbabilities([1, 0, .nan]) }
        #expect(throws: EngineError.self) { try RBM(visible: 0, hidden: 3, seed: 0) }
        #expect(throws: EngineError.self) { try RBM(weights: [1, 2], visibleBias: [0], hiddenBias: [0]) }
        #expect(throws: EngineError.self) { try RBM(visible: 40, hidden: 33, seed: 0).exactLogPartition() }
        var options = RBMTraining()
        options.steps = 0
        #expect(throws: EngineError.self) { try RBMTrainer(rbm, options: options, seed: 0) }
        options = RBMTraining()
        options.batchSize = 0
        #expect(throws: EngineError.self) { try RBMTrainer(rbm, options: options, seed: 0) }
        let trainer = try RBMTrainer(rbm, options: RBMTraining(), seed: 0)
        #expect(throws: EngineError.self) { try trainer.fit([0, 1, 0.5, 2, 0, 0], epochs: 1) }
        #expect(throws: EngineError.self) { try trainer.fit([0, 1], epochs: 1) }
        #expect(throws: EngineError.self) { try trainer.fit([0, 1, 1], epochs: 0) }
        #expect(trainer.machine.weights == rbm.weights)  // refused calls leave it as it was
    }
}
