import Testing

@testable import BoltzmannCore

/// A sampler restored from its saved state continues bit for bit: the original and the
/// copy, run the same way, end with the same spins and the same series.
private func restore(_ sampler: MonteCarlo, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in try sampler.restoreState(raw) }
}

private func restore(_ sampler: ParallelTempering, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in try sampler.restoreState(raw) }
}

private func ladder(_ model: IsingModel) throws -> ParallelTempering {
    try ParallelTempering(model: model, betas: [0.2, 0.4, 0.6], algorithm: .metropolis, replicas: 2, seed: 5)
}

@Suite("Sampler states")
struct SamplerStateTests {
    @Test(arguments: [(MonteCarloAlgorithm.metropolis, SweepOrder.sequential, 2), (.heatBath, .checkerboard, 2),
                      (.wolff, .sequential, 2), (.multispin, .sequential, 64)])
    func monteCarloContinuesExactly(_ options: (MonteCarloAlgorithm, SweepOrder, Int)) throws {
        let model = try IsingModel.square(8, 8, coupling: 1, field: 0, periodic: true)
        let original = try MonteCarlo(model: model, beta: 0.44, algorithm: options.0, order: options.1, chains: options.2, seed: 3)
        try original.run(sweeps: 50, burnIn: 0, measureEvery: 1)
        let bytes = original.serializedState(algorithmCode: 0, orderCode: 0)
        let copy = try MonteCarlo(model: model, beta: 0.44, algorithm: options.0, order: options.1, chains: options.2, seed: 3)
        try restore(copy, bytes)
        for sampler in [original, copy] { try sampler.run(sweeps: 40, burnIn: 5, measureEvery: 1) }
        #expect(copy.spins() == original.spins())
        #expect(copy.energySeries == original.energySeries)
    }

    @Test func aStateRestoresOnlyOntoItsModel() throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        let other = try IsingModel.square(4, 4, coupling: 0.5, field: 0, periodic: true)
        let sampler = try MonteCarlo(model: model, beta: 0.4, algorithm: .metropolis, order: .sequential, chains: 1, seed: 1)
        let bytes = sampler.serializedState(algorithmCode: 0, orderCode: 0)
        let stranger = try MonteCarlo(model: other, beta: 0.4, algorithm: .metropolis, order: .sequential, chains: 1, seed: 1)
        #expect(throws: EngineError.self) { try restore(stranger, bytes) }
    }

    @Test func temperingContinuesExactly() throws {
        let model = try IsingModel.square(6, 6, coupling: 1, field: 0, periodic: true)
        let original = try ladder(model)
        try original.run(sweeps: 30, burnIn: 0, swapEvery: 1)
        let bytes = original.serializedState(algorithmCode: 0)
        let copy = try ladder(model)
        try restore(copy, bytes)
        for sampler in [original, copy] { try sampler.run(sweeps: 30, burnIn: 0, swapEvery: 2) }
        #expect(copy.energySeries == original.energySeries && copy.overlapSeries == original.overlapSeries)
        #expect(copy.swapAccepted == original.swapAccepted && copy.roundTrips == original.roundTrips)
    }
}
