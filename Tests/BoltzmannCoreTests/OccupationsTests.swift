import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Fermi-Dirac and mean-field occupations")
struct OccupationsTests {
    @Test func fermiDiracValuesAndSymmetry() throws {
        let f = try Occupations.fermiDirac(energies: [-1e308, -1, 0, 0.5, 1, 1e308], beta: 2, mu: 0.5)
        #expect(f[0] == 1 && f[5] == 0)
        #expect(abs(f[1] - 1 / (1 + exp(-3.0))) < 1e-16)
        #expect(f[3] == 0.5)
        // f(mu + x) + f(mu - x) = 1.
        #expect(abs(f[2] + f[4] - 1) < 1e-16)
        #expect(try Occupations.fermiDirac(energies: [1e308], beta: 0, mu: -1e308) == [0.5])
        #expect(throws: EngineError.self) { try Occupations.fermiDirac(energies: [0], beta: .nan, mu: 0) }
    }

    /// U = 0 is the non-interacting case: converged at once, equal to Fermi-Dirac.
    @Test func noInteractionIsFermiDirac() throws {
        let energies = [-0.5, 0, 0.3, 1.2]
        let r = try Occupations.meanField(energies: energies, interaction: 0, beta: 3, mu: 0.1,
                                          damping: 0.5, tolerance: 1e-14, maxIterations: 10)
        #expect(r.converged && r.iterations == 0)
        #expect(r.occupations == (try Occupations.fermiDirac(energies: energies, beta: 3, mu: 0.1)))
    }

    /// The returned occupations satisfy the self-consistency equations to the tolerance.
    @Test func fixedPointIsSelfConsistent() throws {
        let energies = (0..<50).map { Double($0) / 10 - 2 }
        let (u, beta, mu) = (0.05, 4.0, 0.3)
        let r = try Occupations.meanField(energies: energies, interaction: u, beta: beta, mu: mu,
                                          damping: 0.5, tolerance: 1e-13, maxIterations: 10_000)
        #expect(r.converged && r.residual <= 1e-13)
        let total = r.occupations.reduce(0, +)
        for (e, f) in zip(energies, r.occupations) {
            let phi = 1 / (1 + exp(beta * (e + u * (total - f) - mu)))
            #expect(abs(phi - f) <= 1e-13 + 1e-15)
        }
    }

    /// Strong repulsion without damping oscillates: reported, with the last iterate.
    @Test func nonConvergenceIsReported() throws {
        let energies = [Double](repeating: 0, count: 20)
        let r = try Occupations.meanField(energies: energies, interaction: 5, beta: 10, mu: 1,
                                          damping: 0, tolerance: 1e-12, maxIterations: 50)
        #expect(!r.converged && r.iterations == 50 && r.residual > 0.1)
        #expect(r.occupations.count == 20)
        // With damping the same problem converges.
        let damped = try Occupations.meanField(energies: energies, interaction: 5, beta: 10, mu: 1,
                                               damping: 0.95, tolerance: 1e-12, maxIterations: 100_000)
        #expect(damped.converged)
    }

    @Test func parametersAreValidated() {
        for (damping, tolerance, iterations) in [(1.0, 1e-9, 10), (-0.1, 1e-9, 10), (0.5, 0.0, 10), (0.5, 1e-9, 0), (0.5, .nan, 10)] {
            #expect(throws: EngineError.self) {
                try Occupations.meanField(energies: [0], interaction: 1, beta: 1, mu: 0,
                                          damping: damping, tolerance: tolerance, maxIterations: iterations)
            }
        }
    }
}
