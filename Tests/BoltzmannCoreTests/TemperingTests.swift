import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Parallel tempering and annealing")
struct TemperingTests {
    /// A 16-spin SK instance: <e> at every beta of the ladder within 4 sigma of
    /// enumeration; swaps are accepted at a sensible rate and walkers make round trips.
    @Test func temperingMatchesEnumeration() throws {
        let model = try IsingModel.sherringtonKirkpatrick(16, scale: 1, field: 0, seed: 21)
        let betas = try Annealing.schedule(.geometric, first: 0.3, last: 3, count: 8)
        let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
        let pt = try ParallelTempering(model: model, betas: betas, algorithm: .metropolis, replicas: 4, seed: 5)
        try pt.run(sweeps: 20_000, burnIn: 1000, swapEvery: 1)
        for k in betas.indices {
            let r = try pt.results(slot: k)
            let e = exact.table.energy[k] / 16
            #expect(r[0].error > 0 && abs(r[0].mean - e) <= 4 * r[0].error, "beta \(betas[k]): \(r[0]) vs \(e)")
        }
        for (accepted, attempted) in zip(pt.swapAccepted, pt.swapAttempted) {
            #expect(attempted > 0 && Double(accepted) / Double(attempted) > 0.2)
        }
        #expect(pt.roundTrips > 10)
        // P(q) is a distribution on the N + 1 overlaps, symmetric at h = 0, broad when cold.
        let cold = try pt.overlapDistribution(slot: betas.count - 1)
        #expect(cold.count == 17 && abs(cold.reduce(0, +) - 1) < 1e-12)
        #expect(cold[16] + cold[0] > 0.1 && cold[8] < 0.2)
    }

    /// SA on a 24-spin SK instance reaches the exact ground state in >= 90% of reads.
    @Test func annealingFindsTheGroundState() throws {
        let model = try IsingModel.sherringtonKirkpatrick(24, scale: 1, field: 0, seed: 8)
        let ground = try IsingEnumeration.groundState(model)
        let betas = try Annealing.schedule(.geometric, first: 0.1, last: 10, count: 1000)
        let r = try Annealing.anneal(model, betas: betas, sweepsPerBeta: 10, reads: 100, algorithm: .metropolis, seed: 4)
        let hits = r.energies.filter { abs($0 - ground.energy) < 1e-9 }.count
        #expect(hits >= 90, "\(hits) of 100 reads at the ground state \(ground.energy)")
        #expect(abs(r.energies[r.best] - ground.energy) < 1e-9)
        #expect(r.energies.allSatisfy { $0 >= ground.energy - 1e-9 })
        // The reported energies are those of the reported states.
        let energies = try r.spins.withUnsafeBufferPointer { try model.energies(spins: $0) }
        for (a, b) in zip(energies, r.energies) { #expect(abs(a - b) < 1e-9) }
    }

    @Test func badInputIsNamed() throws {
        let model = try IsingModel.sherringtonKirkpatrick(6, scale: 1, field: 0, seed: 1)
        #expect(throws: EngineError.self) { try ParallelTempering(model: model, betas: [1], algorithm: .metropolis, replicas: 1, seed: 0) }
        #expect(throws: EngineError.self) { try ParallelTempering(model: model, betas: [1, 1], algorithm: .metropolis, replicas: 1, seed: 0) }
        #expect(throws: EngineError.self) { try ParallelTempering(model: model, betas: [1, 0.5], algorithm: .metropolis, replicas: 1, seed: 0) }
        #expect(throws: EngineError.self) { try ParallelTempering(model: model, betas: [-1, 0.5], algorithm: .metropolis, replicas: 1, seed: 0) }
        #expect(throws: EngineError.self) { try ParallelTempering(model: model, betas: [0.5, 1], algorithm: .wolff, replicas: 1, seed: 0) }
        let pt = try ParallelTempering(model: model, betas: [0.5, 1], algorithm: .metropolis, replicas: 1, seed: 0)
        #expect(throws: EngineError.self) { try pt.results(slot: 0) }
        #expect(throws: EngineError.self) { try pt.run(sweeps: 1, burnIn: 0, swapEvery: 2) }
        try pt.run(sweeps: 10, burnIn: 0, swapEvery: 1)
        #expect(throws: EngineError.self) { try pt.overlapDistribution(slot: 0) }
        #expect(throws: EngineError.self) { try pt.results(slot: 2) }
        #expect(throws: EngineError.self) { try Annealing.schedule(.geometric, first: 0, last: 1, count: 3) }
        #expect(throws: EngineError.self) { try Annealing.anneal(model, betas: [], sweepsPerBeta: 1, reads: 1, algorithm: .metropolis, seed: 0) }
        #expect(throws: EngineError.self) { try Annealing.anneal(model, betas: [1], sweepsPerBeta: 0, reads: 1, algorithm: .metropolis, seed: 0) }
        #expect(throws: EngineError.self) { try Annealing.anneal(model, betas: [1], sweepsPerBeta: 1, reads: 1, algorithm: .swendsenWang, seed: 0) }
        #expect(try Annealing.schedule(.linear, first: 0, last: 1, count: 5) == [0, 0.25, 0.5, 0.75, 1])
        // The default range: the largest flip accepted half the time at the hot end,
        // the smallest 1% of the time at the cold end.
        let square = try IsingModel.square(4, 4, coupling: 1, field: 0.5, periodic: true)
        let (hot, cold) = Annealing.defaultBetaRange(square)
        #expect(abs(exp(-hot * 2 * 4.5) - 0.5) < 1e-12 && abs(exp(-cold * 2 * 0.5) - 0.01) < 1e-12)
    }
}
