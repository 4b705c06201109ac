import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Independent subsystems")
struct CompositionTests {
    @Test func logZIsAdditive() throws {
        var rng = SplitMix64(seed: 2)
        let a = try Spectrum(energies: (0..<40).map { _ in rng.unit() * 3 }, degeneracies: (0..<40).map { _ in 1 + rng.unit() })
        let b = try Spectrum(energies: (0..<25).map { _ in rng.unit() - 2 })
        let ab = try a.composed(with: b)
        let betas = [-2.0, 0, 0.3, 1, 7]
        let tA = try a.thermodynamics(betas: betas), tB = try b.thermodynamics(betas: betas)
        let tAB = try ab.thermodynamics(betas: betas)
        for k in betas.indices {
            #expect(abs(tAB.logZ[k] - (tA.logZ[k] + tB.logZ[k])) < 1e-12 * abs(tAB.logZ[k]) + 1e-13)
            #expect(abs(tAB.energy[k] - (tA.energy[k] + tB.energy[k])) < 1e-12)
            #expect(abs(tAB.entropy[k] - (tA.entropy[k] + tB.entropy[k])) < 1e-12)
            #expect(abs(tAB.heatCapacity[k] - (tA.heatCapacity[k] + tB.heatCapacity[k])) < 1e-11)
        }
    }

    /// Two spins-1/2 as levels {0, 1}: the pair has levels {0, 1, 2} with
    /// degeneracies {1, 2, 1}, equal energies merged.
    @Test func equalEnergiesMerge() throws {
        let two = try Spectrum(energies: [0, 1])
        let pair = try two.composed(with: two)
        #expect(pair.energies == [0, 1, 2])
        #expect(zip(pair.logDegeneracies, [0, log(2), 0]).allSatisfy { abs($0 - $1) < 1e-15 })
        // 0.1 + 0.2 != 0.3 in binary, yet they are one level.
        let c = try Spectrum(energies: [0.1, 0.0]).composed(with: try Spectrum(energies: [0.2, 0.3]))
        #expect(c.count == 3)
    }

    @Test func sizeLimitIsEnforced() throws {
        let s = try Spectrum(energies: (0..<100).map(Double.init))
        #expect(throws: EngineError.self) { try s.composed(with: s, maxLevels: 9_999) }
        #expect(try s.composed(with: s, maxLevels: 10_000).count == 199)
    }
}
