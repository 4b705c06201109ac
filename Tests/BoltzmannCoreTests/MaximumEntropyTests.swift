import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Maximum entropy")
struct MaximumEntropyTests {
    /// Two levels {0, 1}: <E> = 1 / (e^beta + 1), so beta = ln((1 - m) / m).
    @Test func twoLevelMultiplierIsExact() throws {
        let s = try Spectrum(energies: [0, 1])
        for m in [1e-12, 0.01, 0.3, 0.5, 0.77, 0.999999] {
            let beta = try s.solveBeta(targetMean: m)
            let exact = log((1 - m) / m)
            #expect(abs(beta - exact) <= 1e-12 * max(1, abs(exact)), "target \(m): \(beta) vs \(exact)")
        }
    }

    /// Jaynes' Brandeis dice: faces 1..6 with mean 4.5. The solution reproduces the
    /// mean to rounding, and beta < 0 (the mean is above 3.5).
    @Test func brandeisDice() throws {
        let die = try Spectrum(energies: [1, 2, 3, 4, 5, 6])
        let beta = try die.solveBeta(targetMean: 4.5)
        #expect(beta < 0)
        let mean = try die.thermodynamics(betas: [beta]).energy[0]
        #expect(abs(mean - 4.5) < 1e-14)
        let p = try die.probabilities(beta: beta)
        // Jaynes (1963): p = (0.0543, 0.0788, 0.1142, 0.1654, 0.2398, 0.3475).
        for (got, want) in zip(p, [0.05435, 0.07877, 0.11416, 0.16545, 0.23977, 0.34749]) {
            #expect(abs(got - want) < 1e-5)
        }
        #expect(try die.solveBeta(targetMean: 3.5) == 0)
    }

    @Test func degeneraciesAndLargeSpectra() throws {
        var rng = SplitMix64(seed: 9)
        let n = 30_000
        let s = try Spectrum(energies: (0..<n).map { _ in 10 * rng.unit() }, degeneracies: (0..<n).map { _ in 1 + rng.unit() })
        for target in [0.001, 1, 4.9, 9.5, 9.999] {
            let beta = try s.solveBeta(targetMean: target)
            let mean = try s.thermodynamics(betas: [beta]).energy[0]
            #expect(abs(mean - target) < 1e-11, "target \(target)")
        }
    }

    @Test func unattainableTargetsAreInvalidArguments() throws {
        let s = try Spectrum(energies: [0, 1, 2])
        for t in [0.0, 2.0, -1, 3] {
            #expect(throws: EngineError.self) { try s.solveBeta(targetMean: t) }
        }
        #expect(throws: EngineError.self) { try s.solveBeta(targetMean: .nan) }
        #expect(throws: EngineError.self) { try Spectrum(energies: [1, 1]).solveBeta(targetMean: 1) }
    }
}
