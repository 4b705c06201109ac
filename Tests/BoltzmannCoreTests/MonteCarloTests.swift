import Glibc
import Testing

@testable import BoltzmannCore

/// |estimate - exact| <= k standard errors (and the error is a real, positive number).
private func within(_ estimate: Estimate, _ exact: Double, sigmas k: Double) -> Bool {
    estimate.error > 0 && abs(estimate.mean - exact) <= k * estimate.error
}

@Suite("Monte Carlo")
struct MonteCarloTests {
    /// A 4 x 4 torus: <e>, <|m|>, <m^2> of every rule and order within 4 sigma of
    /// exact enumeration, below, near and above the finite-size transition.
    @Test(arguments: [(MonteCarloAlgorithm.metropolis, SweepOrder.sequential), (.heatBath, .random), (.metropolis, .checkerboard), (.heatBath, .colored), (.wolff, .sequential), (.swendsenWang, .sequential)])
    func smallTorusMatchesEnumeration(_ options: (MonteCarloAlgorithm, SweepOrder)) throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        for (k, beta) in [0.3, 0.44, 0.6].enumerated() {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [beta])
            let mc = try MonteCarlo(model: model, beta: beta, algorithm: options.0, order: options.1, chains: 4, seed: UInt64(10 + k))
            try mc.run(sweeps: 20_000, burnIn: 500, measureEvery: 1)
            let r = try mc.results()
            #expect(within(r[0], exact.table.energy[0] / 16, sigmas: 4), "e at \(beta): \(r[0]) vs \(exact.table.energy[0] / 16)")
            #expect(within(r[2], exact.absMagnetization[0], sigmas: 4), "|m| at \(beta): \(r[2]) vs \(exact.absMagnetization[0])")
            #expect(within(r[3], exact.magnetizationSquared[0], sigmas: 4), "m^2 at \(beta)")
            #expect(within(r[5], exact.table.heatCapacity[0] / 16, sigmas: 5), "c at \(beta): \(r[5]) vs \(exact.table.heatCapacity[0] / 16)")
            // The two error estimates agree to within their own noise.
            #expect(r[0].binningError > 0.5 * r[0].error && r[0].binningError < 2 * r[0].error)
        }
    }

    /// Fixed-order Metropolis used to take every dE = 0 flip: on a 4 x 4 torus at
    /// beta = 0.7 a chain could enter a cycle of equal-energy states (every spin with
    /// two agreeing neighbours flips each sweep) and never leave it: e = -1.840 against
    /// the exact -1.963 (seed 70, 16 chains, one stuck at e = 0). With lazy ties
    /// (`Acceptance`) every fixed order, on the generic, byte-spin and multi-spin
    /// paths, matches enumeration: 10,016 chains in all over 31 runs of several chain
    /// counts and seeds, at beta = 0.7 and 0.3; each run's e within 5 sigma, and no
    /// chain's energy constant over its 400 measured sweeps (staying in the ground
    /// state that long has probability ~1e-10 at beta = 0.7).
    @Test(arguments: [(MonteCarloAlgorithm.metropolis, SweepOrder.sequential), (.metropolis, .checkerboard), (.metropolis, .colored),
                      (.multispin, .sequential), (.multispinShared, .sequential)])
    func fixedOrderMetropolisHasNoCycles(_ options: (MonteCarloAlgorithm, SweepOrder)) throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        let betas = [0.7, 0.3], exact = try IsingEnumeration.thermodynamics(model, betas: betas).table.energy.map { $0 / 16 }
        let multispin = options.0 == .multispin || options.0 == .multispinShared
        let runs = multispin ? [64, 128, 256, 512, 1024] : [16, 16, 64, 128, 256, 512, 1024]
        for (k, chains) in runs.enumerated() {
            let beta = betas[k % 2]
            let mc = try MonteCarlo(model: model, beta: beta, algorithm: options.0, order: options.1, chains: chains, seed: UInt64(70 + k))
            try mc.run(sweeps: 400, burnIn: 100, measureEvery: 1)
            let e = try mc.results()[0]
            #expect(within(e, exact[k % 2], sigmas: 5), "\(options) beta \(beta), \(chains) chains: \(e) vs \(exact[k % 2])")
            let frozen = mc.energySeries.filter { series in series.allSatisfy { $0 == series[0] } }.count
            #expect(frozen == 0, "\(options) beta \(beta): \(frozen) of \(chains) chains never changed energy")
        }
    }

    /// The same torus with J = 0.1 at beta = 7 (the same physics): real couplings take
    /// the exponential path, whose fields drift by rounding, so ties are recognised
    /// within 2^-29 F. And a ring without field, once refused for fixed-order
    /// Metropolis (domain walls rode the sweep), now matches enumeration.
    @Test func lazyTiesWithRealCouplingsAndOnRings() throws {
        let torus = try IsingModel.square(4, 4, coupling: 0.1, field: 0, periodic: true)
        let ring = try IsingModel.chain(16, coupling: 1, field: 0, periodic: true)
        for (model, beta) in [(torus, 7.0), (ring, 0.8)] {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [beta]).table.energy[0] / 16
            for order in [SweepOrder.sequential, .checkerboard] {
                let mc = try MonteCarlo(model: model, beta: beta, algorithm: .metropolis, order: order, chains: 256, seed: 5)
                try mc.run(sweeps: 1000, burnIn: 100, measureEvery: 1)
                let e = try mc.results()[0]
                #expect(within(e, exact, sigmas: 5), "\(order) beta \(beta): \(e) vs \(exact)")
                #expect(mc.energySeries.allSatisfy { series in series.contains { $0 != series[0] } })
            }
        }
    }

    /// Real couplings (the exponential path, with field): a 10-spin SK instance.
    @Test func spinGlassWithFieldMatchesEnumeration() throws {
        let model = try IsingModel.sherringtonKirkpatrick(10, scale: 1, field: 0.2, seed: 4)
        for rule in [MonteCarloAlgorithm.metropolis, .heatBath] {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [1.2])
            let mc = try MonteCarlo(model: model, beta: 1.2, algorithm: rule, order: .sequential, chains: 4, seed: 3)
            try mc.run(sweeps: 20_000, burnIn: 200, measureEvery: 1)
            let r = try mc.results()
            #expect(within(r[0], exact.table.energy[0] / 10, sigmas: 4), "\(rule): \(r[0]) vs \(exact.table.energy[0] / 10)")
            #expect(within(r[1], exact.magnetization[0], sigmas: 4), "\(rule) m")
        }
    }

    /// An AR(1) series x_t = phi x_{t-1} + noise has tau_int = (1 + phi) / (2 (1 - phi)).
    @Test func autocorrelationTimeOfAutoregressiveSeries() throws {
        var random = RandomStream(seed: 1)
        for phi in [0.0, 0.5, 0.8] {
            var x = 0.0
            let series = (0..<(1 << 17)).map { _ in x = phi * x + random.normal(); return x }
            let tau = series.withUnsafeBufferPointer { TimeSeries.autocorrelationTime($0) }
            let expected = (1 + phi) / (2 * (1 - phi))
            #expect(abs(tau - expected) < 0.1 * expected, "phi \(phi): tau \(tau) vs \(expected)")
            let e = TimeSeries.estimate([series])
            #expect(e.binningError > 0.7 * e.error && e.binningError < 1.3 * e.error, "\(e)")
        }
    }

    /// A ring without field: every order and rule (fixed-order Metropolis with lazy
    /// ties, random order, heat bath) within 4 sigma of enumeration, also at beta = 0,
    /// where fixed-order Metropolis would otherwise flip every spin each sweep.
    @Test func ringsMatchEnumerationInEveryOrder() throws {
        let ring = try IsingModel.chain(12, coupling: 1, field: 0, periodic: true)
        for beta in [0.7, 0.0] {
            let exact = try IsingEnumeration.thermodynamics(ring, betas: [beta]).table.energy[0] / 12
            for (algorithm, order) in [(MonteCarloAlgorithm.metropolis, SweepOrder.sequential), (.metropolis, .checkerboard), (.metropolis, .colored),
                                       (.metropolis, .random), (.heatBath, .sequential)] {
                let mc = try MonteCarlo(model: ring, beta: beta, algorithm: algorithm, order: order, chains: 4, seed: 1)
                try mc.run(sweeps: 10_000, burnIn: 100, measureEvery: 1)
                #expect(within(try mc.results()[0], exact, sigmas: 4), "\(algorithm) \(order) at \(beta)")
            }
        }
    }

    @Test func badInputIsNamed() throws {
        let triangle = try IsingModel(spinCount: 3, edges: [(0, 1, 1), (1, 2, 1), (0, 2, 1)])
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: 1, algorithm: .metropolis, order: .checkerboard, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: -1, algorithm: .metropolis, order: .sequential, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: .nan, algorithm: .metropolis, order: .sequential, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: 1, algorithm: .metropolis, order: .sequential, chains: 0, seed: 0) }
        let mc = try MonteCarlo(model: triangle, beta: 1, algorithm: .heatBath, order: .sequential, chains: 2, seed: 0)
        #expect(throws: EngineError(.wrongState, "no measurements yet: call run first")) { try mc.results() }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 0, burnIn: 0, measureEvery: 1) }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 10, burnIn: -1, measureEvery: 1) }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 10, burnIn: 0, measureEvery: 11) }
        try mc.run(sweeps: 10, burnIn: 0, measureEvery: 2)
        #expect(mc.energySeries[1].count == 5)
        // Cluster updates refuse frustration and fields; clamps are checked.
        let antiferro = try IsingModel.square(4, 4, coupling: -1, field: 0, periodic: true)
        let field = try IsingModel.square(4, 4, coupling: 1, field: 0.1, periodic: true)
        for algorithm in [MonteCarloAlgorithm.wolff, .swendsenWang] {
            for model in [antiferro, field] {
                #expect(throws: EngineError.self) { try MonteCarlo(model: model, beta: 1, algorithm: algorithm, order: .sequential, chains: 1, seed: 0) }
            }
        }
        let wolff = try MonteCarlo(model: try .square(4, 4, coupling: 1, field: 0, periodic: true), beta: 1, algorithm: .wolff, order: .sequential, chains: 1, seed: 0)
        #expect(throws: EngineError.self) { try wolff.clamp(indices: [0], values: [1]) }
        #expect(throws: EngineError.self) { try mc.clamp(indices: [3], values: [1]) }
        #expect(throws: EngineError.self) { try mc.clamp(indices: [0], values: [0]) }
        #expect(throws: EngineError.self) { try mc.clamp(indices: [0, 1], values: [1]) }
        try mc.clamp(indices: [0, 1, 2], values: [1, -1, 1])
        #expect(throws: EngineError.self) { try mc.run(sweeps: 10, burnIn: 0, measureEvery: 1) }
        mc.releaseClamps()
        try mc.run(sweeps: 10, burnIn: 0, measureEvery: 1)
    }

    /// Clamping spin 0 to +1 samples the conditional distribution: the model on the
    /// other spins with fields h_j + J_0j, whose moments enumeration gives exactly.
    @Test(arguments: [SweepOrder.sequential, .colored])
    func clampedSpinSamplesConditional(_ order: SweepOrder) throws {
        let model = try IsingModel.sherringtonKirkpatrick(10, scale: 1, field: 0.1, seed: 7)
        var edges: [(Int, Int, Double)] = []
        var fields = Array(model.fields.dropFirst())
        for k in 0..<model.couplingCount {
            let i = Int(model.edgeFirst[k]), j = Int(model.edgeSecond[k])
            if i == 0 { fields[j - 1] += model.edgeCoupling[k] } else { edges.append((i - 1, j - 1, model.edgeCoupling[k])) }
        }
        let rest = try IsingModel(spinCount: 9, edges: edges, fields: fields)
        let exact = try IsingEnumeration.thermodynamics(rest, betas: [1.5])
        let energy = (exact.table.energy[0] - model.fields[0]) / 10
        let magnetization = (1 + 9 * exact.magnetization[0]) / 10
        let mc = try MonteCarlo(model: model, beta: 1.5, algorithm: .heatBath, order: order, chains: 4, seed: 11)
        try mc.clamp(indices: [0], values: [1])
        try mc.run(sweeps: 20_000, burnIn: 200, measureEvery: 1)
        let r = try mc.results()
        #expect(within(r[0], energy, sigmas: 4), "\(r[0]) vs \(energy)")
        #expect(within(r[1], magnetization, sigmas: 4), "\(r[1]) vs \(magnetization)")
        #expect(mc.spins().enumerated().allSatisfy { $0.offset % 10 != 0 || $0.element == 1 })
    }
}

@Suite("Multi-spin coding")
struct MultiSpinTests {
    /// 64 independent replicas per word: <e>, <|m|>, c of a square torus (z = 4), a
    /// +-J glass on it, an antiferromagnetic and a ferromagnetic cubic torus (z = 6),
    /// against enumeration.
    @Test(arguments: [0, 1, 2, 3])
    func replicasMatchEnumeration(_ which: Int) throws {
        let model: IsingModel = switch which {
        case 0: try .square(4, 4, coupling: 1, field: 0, periodic: true)
        case 1: try .edwardsAnderson([4, 4], distribution: .bimodal, scale: 1, field: 0, periodic: true, seed: 3)
        case 2: try .cubic(3, 3, 3, coupling: 1, field: 0, periodic: true)
        default: try .cubic(3, 3, 3, coupling: -1, field: 0, periodic: true)
        }
        let n = Double(model.spinCount)
        for (k, beta) in [0.25, 0.45, 0.7].enumerated() {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [beta])
            let mc = try MonteCarlo(model: model, beta: beta, algorithm: .multispin, order: .sequential, chains: 64, seed: UInt64(k))
            try mc.run(sweeps: 4000, burnIn: 200, measureEvery: 1)
            let r = try mc.results()
            #expect(within(r[0], exact.table.energy[0] / n, sigmas: 4), "\(which) e at \(beta): \(r[0]) vs \(exact.table.energy[0] / n)")
            #expect(within(r[2], exact.absMagnetization[0], sigmas: 4), "\(which) |m| at \(beta): \(r[2]) vs \(exact.absMagnetization[0])")
            #expect(within(r[5], exact.table.heatCapacity[0] / n, sigmas: 5), "\(which) c at \(beta): \(r[5]) vs \(exact.table.heatCapacity[0] / n)")
        }
    }

    /// Shared uniforms: each replica exact, errors from words of 64 taken as one chain.
    @Test func sharedUniformsMatchEnumeration() throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        for (k, beta) in [0.3, 0.45].enumerated() {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [beta])
            let mc = try MonteCarlo(model: model, beta: beta, algorithm: .multispinShared, order: .sequential, chains: 512, seed: UInt64(k))
            try mc.run(sweeps: 4000, burnIn: 200, measureEvery: 1)
            let r = try mc.results()
            #expect(within(r[0], exact.table.energy[0] / 16, sigmas: 4), "e at \(beta): \(r[0])")
            #expect(within(r[5], exact.table.heatCapacity[0] / 16, sigmas: 5), "c at \(beta): \(r[5])")
        }
    }

    /// The measured energies are those of the unpacked spins; replicas differ.
    @Test func unpackedSpinsAgreeWithMeasurements() throws {
        let model = try IsingModel.edwardsAnderson([6, 6], distribution: .bimodal, scale: 1, field: 0, periodic: true, seed: 1)
        let mc = try MonteCarlo(model: model, beta: 0.8, algorithm: .multispin, order: .sequential, chains: 128, seed: 2)
        try mc.run(sweeps: 50, burnIn: 0, measureEvery: 50)
        let spins = mc.spins()
        let energies = try spins.withUnsafeBufferPointer { try model.energies(spins: $0) }
        for c in 0..<128 { #expect(abs(energies[c] / 36 - mc.energySeries[c][0]) < 1e-12) }
        #expect(Set(energies).count > 4)
    }

    @Test func refusesWhatItCannotCode() throws {
        let open = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: false)
        let field = try IsingModel.square(4, 4, coupling: 1, field: 0.5, periodic: true)
        let gaussian = try IsingModel.edwardsAnderson([4, 4], distribution: .gaussian, scale: 1, field: 0, periodic: true, seed: 1)
        let ring = try IsingModel.chain(12, coupling: 1, field: 0, periodic: true)
        for model in [open, field, gaussian, ring] {
            #expect(throws: EngineError.self) { try MonteCarlo(model: model, beta: 1, algorithm: .multispin, order: .sequential, chains: 64, seed: 0) }
        }
        let torus = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        #expect(throws: EngineError.self) { try MonteCarlo(model: torus, beta: 1, algorithm: .multispin, order: .sequential, chains: 32, seed: 0) }
        let mc = try MonteCarlo(model: torus, beta: 1, algorithm: .multispin, order: .sequential, chains: 64, seed: 0)
        #expect(throws: EngineError.self) { try mc.clamp(indices: [0], values: [1]) }
        #expect(throws: EngineError.self) { try mc.setCorrelationAxis(0) }
        #expect(throws: EngineError.self) { try mc.sample(count: 1, every: 1, burnIn: 0) }
    }
}

@Suite("Byte-spin checkerboard")
struct ByteLatticeTests {
    /// The fast path takes periodic even square lattices with one coupling and no
    /// field; a ferromagnet and an antiferromagnet match enumeration.
    @Test(arguments: [1.0, -1.0])
    func matchesEnumeration(_ coupling: Double) throws {
        let model = try IsingModel.square(4, 6, coupling: coupling, field: 0, periodic: true)
        for rule in [MonteCarloAlgorithm.metropolis, .heatBath] {
            for (k, beta) in [0.3, 0.6].enumerated() {
                let exact = try IsingEnumeration.thermodynamics(model, betas: [beta])
                let mc = try MonteCarlo(model: model, beta: beta, algorithm: rule, order: .checkerboard, chains: 4, seed: UInt64(k))
                #expect(mc.byteLattice != nil)
                try mc.run(sweeps: 20_000, burnIn: 200, measureEvery: 1)
                let r = try mc.results()
                #expect(within(r[0], exact.table.energy[0] / 24, sigmas: 4), "\(rule) J \(coupling) beta \(beta): \(r[0])")
                #expect(within(r[3], exact.magnetizationSquared[0], sigmas: 4), "\(rule) J \(coupling) beta \(beta): m^2 \(r[3])")
            }
        }
    }

    /// The vectorised rows (16 sites a step): a 16 x 48 torus against Kaufman, for
    /// both couplings' signs (an antiferromagnet on a bipartite torus has the same
    /// energy) and both rules.
    @Test func vectorisedRowsMatchKaufman() throws {
        for (coupling, rule) in [(1.0, MonteCarloAlgorithm.metropolis), (-1.0, .heatBath)] {
            let model = try IsingModel.square(16, 48, coupling: coupling, field: 0, periodic: true)
            for (k, beta) in [0.3, 0.4407, 0.5].enumerated() {
                let exact = try IsingSquare.kaufman(rows: 16, columns: 48, coupling: 1, betas: [beta])
                let mc = try MonteCarlo(model: model, beta: beta, algorithm: rule, order: .checkerboard, chains: 4, seed: UInt64(k))
                try mc.run(sweeps: 8000, burnIn: 2000, measureEvery: 1)
                let r = try mc.results()
                #expect(within(r[0], exact.energy[0] / 768, sigmas: 4), "\(rule) J \(coupling) beta \(beta): \(r[0]) vs \(exact.energy[0] / 768)")
                #expect(within(r[5], exact.heatCapacity[0] / 768, sigmas: 5), "\(rule) J \(coupling) beta \(beta): c \(r[5])")
            }
        }
    }

    /// The tracked energy is that of the spins; clamping leaves the fast path and
    /// carries the state over.
    @Test func stateAndHandOver() throws {
        let model = try IsingModel.square(40, 36, coupling: 1, field: 0, periodic: true)
        #expect(ByteLattice(try .square(6, 5, coupling: 1, field: 0, periodic: true)) == nil)
        #expect(ByteLattice(try .square(6, 6, coupling: 1, field: 0.1, periodic: true)) == nil)
        let mc = try MonteCarlo(model: model, beta: 0.5, algorithm: .metropolis, order: .checkerboard, chains: 2, seed: 1)
        try mc.run(sweeps: 300, burnIn: 0, measureEvery: 300)
        let spins = mc.spins()
        let energies = try spins.withUnsafeBufferPointer { try model.energies(spins: $0) }
        for c in 0..<2 { #expect(abs(energies[c] / 1440 - mc.energySeries[c][0]) < 1e-12) }
        try mc.clamp(indices: [0], values: [Int8(spins[0])])
        #expect(mc.byteLattice == nil && mc.spins() == spins)
        try mc.run(sweeps: 10, burnIn: 0, measureEvery: 10)
        #expect(mc.spins()[0] == spins[0])
    }
}
