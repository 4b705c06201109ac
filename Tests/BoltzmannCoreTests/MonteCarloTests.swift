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
    @Test(arguments: [(SingleSpinRule.metropolis, SweepOrder.sequential), (.heatBath, .random), (.metropolis, .checkerboard), (.heatBath, .checkerboard)])
    func smallTorusMatchesEnumeration(_ options: (SingleSpinRule, SweepOrder)) throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        for (k, beta) in [0.3, 0.44, 0.6].enumerated() {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [beta])
            let mc = try MonteCarlo(model: model, beta: beta, rule: options.0, order: options.1, chains: 4, seed: UInt64(10 + k))
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

    /// Real couplings (the exponential path, with field): a 10-spin SK instance.
    @Test func spinGlassWithFieldMatchesEnumeration() throws {
        let model = try IsingModel.sherringtonKirkpatrick(10, scale: 1, field: 0.2, seed: 4)
        for rule in SingleSpinRule.allCases {
            let exact = try IsingEnumeration.thermodynamics(model, betas: [1.2])
            let mc = try MonteCarlo(model: model, beta: 1.2, rule: rule, order: .sequential, chains: 4, seed: 3)
            try mc.run(sweeps: 20_000, burnIn: 200, measureEvery: 1)
            let r = try mc.results()
            #expect(within(r[0], exact.table.energy[0] / 10, sigmas: 4), "\(rule): \(r[0]) vs \(exact.table.energy[0] / 10)")
            #expect(within(r[1], exact.magnetization[0], sigmas: 4), "\(rule) m")
        }
    }

    /// Same seed, same results, whatever the thread count; another seed differs.
    @Test func deterministicAcrossThreadCounts() throws {
        let model = try IsingModel.square(6, 6, coupling: 1, field: 0, periodic: true)
        func run(_ seed: UInt64) throws -> [Estimate] {
            let mc = try MonteCarlo(model: model, beta: 0.4, rule: .metropolis, order: .random, chains: 5, seed: seed)
            try mc.run(sweeps: 300, burnIn: 10, measureEvery: 1)
            return try mc.results()
        }
        let threads = Parallel.maxThreads
        defer { Parallel.setMaxThreads(threads) }
        Parallel.setMaxThreads(1)
        let one = try run(9)
        Parallel.setMaxThreads(2)
        #expect(try run(9) == one)
        #expect(try run(10) != one)
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

    @Test func badInputIsNamed() throws {
        let triangle = try IsingModel(spinCount: 3, edges: [(0, 1, 1), (1, 2, 1), (0, 2, 1)])
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: 1, rule: .metropolis, order: .checkerboard, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: -1, rule: .metropolis, order: .sequential, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: .nan, rule: .metropolis, order: .sequential, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try MonteCarlo(model: triangle, beta: 1, rule: .metropolis, order: .sequential, chains: 0, seed: 0) }
        let mc = try MonteCarlo(model: triangle, beta: 1, rule: .heatBath, order: .sequential, chains: 2, seed: 0)
        #expect(throws: EngineError(.wrongState, "no measurements yet: call run first")) { try mc.results() }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 0, burnIn: 0, measureEvery: 1) }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 10, burnIn: -1, measureEvery: 1) }
        #expect(throws: EngineError.self) { try mc.run(sweeps: 10, burnIn: 0, measureEvery: 11) }
        try mc.run(sweeps: 10, burnIn: 0, measureEvery: 2)
        #expect(mc.energySeries[1].count == 5)
    }
}
