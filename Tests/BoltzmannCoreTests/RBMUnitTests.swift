import Glibc
import Testing

@testable import BoltzmannCore

/// Kernels, Gaussian visibles, the pseudo-log-likelihood, sampling and CD's bias.
@Suite("RBM units, sampling and estimators")
struct RBMUnitTests {
    private func randomMachine(visible: Int, hidden: Int, units: VisibleUnits = .bernoulli, scale: Double = 1, seed: UInt64) throws -> RBM {
        var random = RandomStream(seed: seed)
        return try RBM(weights: (0..<(visible * hidden)).map { _ in Float(scale * random.normal()) },
                       visibleBias: (0..<visible).map { _ in Float(0.5 * random.normal()) },
                       hiddenBias: (0..<hidden).map { _ in Float(0.5 * random.normal()) }, units: units)
    }

    /// Bernoulli draws (eight SIMD lanes, then a scalar tail): at each probability the
    /// count of ones is within 5 binomial standard deviations of n p; p = 0 and p = 1
    /// are exact; different calls draw differently.
    @Test func bernoulliFrequencies() {
        var random = RandomStream(seed: 11)
        let n = 100_003  // not a multiple of 8: the tail runs too
        var out = [Float](repeating: -1, count: n)
        for p: Float in [0, 1e-3, 0.1, 0.5, 0.9, 1] {
            let probabilities = [Float](repeating: p, count: n)
            UnitKernels.bernoulli(probabilities, &out, n, &random)
            let ones = out.reduce(0) { $0 + Double($1) }
            #expect(out.allSatisfy { $0 == 0 || $0 == 1 })
            let mean = Double(n) * Double(p), sd = (mean * (1 - Double(p))).squareRoot()
            #expect(abs(ones - mean) <= max(5 * sd, 0), "p = \(p): \(ones) ones, expected \(mean) +- \(sd)")
        }
        let half = [Float](repeating: 0.5, count: 64)
        var first = [Float](repeating: 0, count: 64), second = first
        UnitKernels.bernoulli(half, &first, 64, &random)
        UnitKernels.bernoulli(half, &second, 64, &random)
        #expect(first != second)
    }

    /// The vector exp and sigmoid against Glibc's, on a grid over their range, and
    /// the double softplus sums against log1p-based softplus.
    @Test func kernelsMatchLibm() {
        var worstExp: Float = 0, worstSigmoid: Float = 0
        for k in -8700...8700 {
            let x = Float(k) / 100
            worstExp = max(worstExp, abs(UnitKernels.exp(x) / expf(x) - 1))
            worstSigmoid = max(worstSigmoid, abs(UnitKernels.sigmoid(x) * (1 + expf(-x)) - 1))
        }
        #expect(worstExp < 3e-7 && worstSigmoid < 5e-7, "exp \(worstExp), sigmoid \(worstSigmoid)")
        var random = RandomStream(seed: 3)
        for count in [1, 3, 7, 513, 1500] {
            let x = (0..<count).map { _ in Float(30 * random.normal()) }
            let naive = x.reduce(0.0) { $0 + softplus(0.7 * Double($1)) }
            let fast = x.withUnsafeBufferPointer { UnitKernels.softplusSum($0.baseAddress!, count, scale: 0.7) }
            #expect(abs(fast - naive) <= 1e-12 * max(1, abs(naive)))
            let doubles = x.map { Double($0) }
            let fastDouble = doubles.withUnsafeBufferPointer { UnitKernels.softplusSum($0.baseAddress!, count) }
            #expect(abs(fastDouble - doubles.reduce(0.0) { $0 + softplus($1) }) <= 1e-12 * max(1, abs(naive)))
        }
    }

    /// Gaussian visibles: the closed-form log Z against a quadrature of e^{-F(v)}
    /// over a 2-D grid (F is smooth and its tails Gaussian, so the trapezoid rule
    /// converges geometrically), and AIS against it within 3 standard errors.
    @Test func gaussianPartitionFunction() throws {
        let rbm = try randomMachine(visible: 2, hidden: 3, units: .gaussian, scale: 0.8, seed: 5)
        let exact = try rbm.exactLogPartition()
        let step: Float = 0.02, side = 1500  // [-15, 15]^2
        var grid: [Float] = []
        for a in 0..<side { for b in 0..<side { grid += [Float(a - side / 2) * step, Float(b - side / 2) * step] } }
        let f = try rbm.freeEnergy(grid)
        let top = f.map { -$0 }.max()!
        let quadrature = top + log(f.reduce(0.0) { $0 + exp(-$1 - top) } * Double(step * step))
        #expect(abs(exact - quadrature) < 1e-6, "closed form \(exact), quadrature \(quadrature)")
        let estimate = try rbm.annealedImportanceSampling(runs: 200, betas: (0...2000).map { Double($0) / 2000 }, seed: 1)
        #expect(abs(estimate.logZ - exact) < 3 * estimate.standardError + 1e-3, "AIS \(estimate) vs \(exact)")
        #expect(throws: EngineError.self) { try rbm.annealedImportanceSampling(runs: 10, base: [0, 0], seed: 0) }
        #expect(throws: EngineError.self) { try rbm.pseudoLogLikelihood([0, 0]) }
        // Gaussian inputs are any finite reals; the visible conditional is the mean b + W h.
        #expect(try rbm.freeEnergy([3, -7]).count == 1)
        let mean = try rbm.visibleProbabilities([1, 0, 1])
        for i in 0..<2 { #expect(abs(mean[i] - (rbm.visibleBias[i] + rbm.weights[i * 3] + rbm.weights[i * 3 + 2])) < 1e-6) }
    }

    /// Training a Gaussian RBM on standardised two-cluster data raises its exact
    /// log-likelihood above that of the standard normal (the untrained machine).
    @Test func gaussianTraining() throws {
        var random = RandomStream(seed: 9)
        let data = (0..<400).flatMap { r -> [Float] in
            let centre: Float = r % 2 == 0 ? 1 : -1
            return (0..<4).map { _ in centre * 0.9 + Float(0.43 * random.normal()) }
        }
        var options = RBMTraining()
        options.learningRate = 0.01
        options.batchSize = 20
        options.persistentChains = 50
        let trainer = try RBMTrainer(try RBM(visible: 4, hidden: 6, units: .gaussian, seed: 1), options: options, seed: 4)
        let before = try trainer.machine.exactLogLikelihood(data)
        try trainer.fit(data, epochs: 100)
        let after = try trainer.machine.exactLogLikelihood(data)
        #expect(after > before + 0.5, "log-likelihood \(before) -> \(after)")
    }

    /// The pseudo-log-likelihood against log p(v) - log(p(v) + p(v')) from free energies.
    @Test func pseudoLogLikelihoodMatchesConditionals() throws {
        let rbm = try randomMachine(visible: 5, hidden: 4, seed: 2)
        let rows: [Float] = [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0.5, 0.25, 1, 0, 0]
        let pll = try rbm.pseudoLogLikelihood(rows)
        for r in 0..<3 {
            let v = Array(rows[(r * 5)..<(r * 5 + 5)])
            var expected = 0.0
            for i in 0..<5 {
                var flipped = v
                flipped[i] = 1 - v[i]
                let f = try rbm.freeEnergy(v + flipped)
                expected -= softplus(f[0] - f[1])  // log sigmoid(F(v') - F(v))
            }
            #expect(abs(pll[r] - expected) < 1e-5, "row \(r): \(pll[r]) vs \(expected)")
        }
    }

    /// Block-Gibbs samples of a 4-visible machine against its exact distribution:
    /// every state's frequency among 20,000 independent chains within 5 standard errors.
    @Test func samplingMatchesExactDistribution() throws {
        let rbm = try randomMachine(visible: 4, hidden: 3, seed: 8)
        let chains = 20_000
        let v = try rbm.sample(chains: chains, steps: 60, seed: 11)
        var counts = [Int](repeating: 0, count: 16)
        for c in 0..<chains { counts[(0..<4).reduce(0) { $0 | Int(v[c * 4 + $1]) << $1 }] += 1 }
        let states = (0..<16).flatMap { s in (0..<4).map { Float(s >> $0 & 1) } }
        let f = try rbm.freeEnergy(states), logZ = try rbm.exactLogPartition()
        for s in 0..<16 {
            let p = exp(-f[s] - logZ), observed = Double(counts[s]) / Double(chains)
            #expect(abs(observed - p) < 5 * (p * (1 - p) / Double(chains)).squareRoot() + 1e-4, "state \(s): \(observed) vs \(p)")
        }
        #expect(try rbm.sample(chains: 3, steps: 2, seed: 1) == rbm.sample(chains: 3, steps: 2, seed: 1))
        #expect(throws: EngineError.self) { try rbm.sample(chains: 0, steps: 1, seed: 0) }
        #expect(throws: EngineError.self) { try rbm.sample(chains: 2, steps: 1, start: [1, 0, 1, 0], seed: 0) }
    }

    /// CD-k's expected update approaches the exact gradient as k grows: on a 6 x 4
    /// machine with weights of order 1 (slow mixing, so CD-1 is biased), one step of
    /// rate 1, no momentum, over 40,000 copies of the data gives the CD estimate;
    /// CD-1 is far off, CD-200 within Monte Carlo error (about 0.005 per entry).
    @Test func contrastiveDivergenceApproachesExactGradient() throws {
        let rbm = try randomMachine(visible: 6, hidden: 4, scale: 1.5, seed: 4)
        let patterns: [Float] = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]
        let exact = try rbm.exactGradient(patterns).weights
        let batch = (0..<10_000).flatMap { _ in patterns }
        func cdError(_ k: Int) throws -> Double {
            var options = RBMTraining()
            options.learningRate = 1
            options.momentum = 0
            options.steps = k
            let trainer = try RBMTrainer(rbm, options: options, seed: 6)
            try trainer.partialFit(batch)
            return zip(zip(trainer.machine.weights, rbm.weights), exact).map { abs(Double($0.0 - $0.1) - $1) }.max()!
        }
        let (one, many) = (try cdError(1), try cdError(200))
        #expect(one > 0.05 && many < 0.025 && many < one / 3, "CD-1 max error \(one), CD-200 \(many)")
    }

}

@Suite("RBM files")
struct RBMFileTests {
    /// Save and load are bit-exact; every kind of damage is refused with `.badFormat`:
    /// each truncation point, each single flipped byte, a wrong magic, trailing bytes.
    @Test func roundTripAndDamage() throws {
        var random = RandomStream(seed: 1)
        let rbm = try RBM(weights: (0..<12).map { _ in Float(random.normal()) }, visibleBias: [0.5, -1, 2], hiddenBias: [1, 2, 3, -0.0],
                          units: .gaussian)
        let bytes = rbm.serialized()
        #expect(bytes.count == 40 + 4 * (12 + 3 + 4) + 4)
        let back = try bytes.withUnsafeBytes { try RBM(serialized: $0) }
        #expect(back.weights.map(\.bitPattern) == rbm.weights.map(\.bitPattern))
        #expect(back.hiddenBias.map(\.bitPattern) == rbm.hiddenBias.map(\.bitPattern) && back.visibleUnits == .gaussian)
        func refused(_ damaged: [UInt8]) -> Bool {
            do { _ = try damaged.withUnsafeBytes { try RBM(serialized: $0) }; return false } catch { return (error as? EngineError)?.kind == .badFormat }
        }
        for cut in 0..<bytes.count { #expect(refused(Array(bytes[0..<cut])), "cut at \(cut)") }
        for k in bytes.indices {
            var flipped = bytes
            flipped[k] ^= 0x10
            #expect(refused(flipped), "byte \(k) flipped")
        }
        #expect(refused(bytes + [0]))
        // Files: atomic save, then load; a missing file is an I/O error.
        let path = "/tmp/boltzmann-test-\(getpid()).rbm"
        defer { unlink(path) }
        try rbm.save(to: path)
        #expect(try RBM.load(from: path).serialized() == bytes)
        do { _ = try RBM.load(from: "/nonexistent/x.rbm"); Issue.record("loaded a missing file") } catch { #expect(error.kind == .io) }
    }
}

@Suite("Fully visible Boltzmann machine")
struct FullyVisibleTests {
    /// 40,000 exact samples of a known 16-spin model (couplings of a ring plus random
    /// long-range ones, fields): the Boltzmann-machine rule with exact statistics
    /// recovers every J_ij and h_i within 0.05 (0.027 here; the sampling error of
    /// each is about 0.006); with 2000 persistent chains, within 0.08 (0.034).
    @Test func recoversAKnownModel() throws {
        let n = 16
        var random = RandomStream(seed: 12)
        var edges: [(Int, Int, Double)] = (0..<n).map { ($0, ($0 + 1) % n, 0.4 + 0.2 * random.uniform()) }
        for _ in 0..<12 {
            let i = Int(random.next() % UInt64(n)), j = Int(random.next() % UInt64(n))
            if i != j { edges.append((i, j, 0.3 * random.normal())) }
        }
        let truth = try IsingModel(spinCount: n, edges: edges, fields: (0..<n).map { _ in 0.2 * random.normal() })
        // Exact sampling through the cumulative distribution of all 2^16 states.
        var states = [Int8](repeating: 0, count: (1 << n) * n)
        for s in 0..<(1 << n) { for i in 0..<n { states[s * n + i] = s >> i & 1 == 1 ? 1 : -1 } }
        let energies = try states.withUnsafeBufferPointer { try truth.energies(spins: $0) }
        let low = energies.min()!
        var cumulative: [Double] = []
        var total = 0.0
        for e in energies { total += exp(low - e); cumulative.append(total) }
        var data: [Int8] = []
        for _ in 0..<40_000 {
            let u = random.uniform() * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < u { lo = mid + 1 } else { hi = mid } }
            data += states[(lo * n)..<(lo * n + n)]
        }
        func dense(_ model: IsingModel) -> [Double] {
            var j = [Double](repeating: 0, count: n * n)
            for k in 0..<model.couplingCount {
                let a = Int(model.edgeFirst[k]), b = Int(model.edgeSecond[k])
                j[a * n + b] = model.edgeCoupling[k]; j[b * n + a] = model.edgeCoupling[k]
            }
            return j + model.fields
        }
        let exact = try BoltzmannMachine.fit(spins: data, spinCount: n, seed: 1)
        let exactError = zip(dense(exact.model), dense(truth)).map { abs($0 - $1) }.max()!
        #expect(exactError < 0.05 && exact.gradient < 1e-6, "exact: max error \(exactError) after \(exact.iterations) iterations")
        var options = BoltzmannLearning()
        options.chains = 2000
        options.iterations = 400
        options.learningRate = 0.05
        let sampled = try BoltzmannMachine.fit(spins: data, spinCount: n, options: options, seed: 1)
        let sampledError = zip(dense(sampled.model), dense(truth)).map { abs($0 - $1) }.max()!
        #expect(sampledError < 0.08, "PCD: max error \(sampledError)")
        #expect(throws: EngineError.self) { try BoltzmannMachine.fit(spins: [1, 0], spinCount: 2, seed: 0) }
        #expect(throws: EngineError.self) { try BoltzmannMachine.fit(spins: [Int8](repeating: 1, count: 21), spinCount: 21, seed: 0) }
    }
}
