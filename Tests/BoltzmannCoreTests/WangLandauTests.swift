import Glibc
import Testing

@testable import BoltzmannCore

/// Wang-Landau against the exact g(E) of enumeration; the Python suite checks the
/// errors' honesty over seeds and log Z against the planar Pfaffian.
@Suite("Wang-Landau")
struct WangLandauTests {
    /// A 4 x 5 torus (20 spins, exact g(E) by enumeration): every level found, ln g
    /// within 5 standard errors and 0.1 of the truth, log Z at three betas within 4
    /// standard errors. (The Python suite runs the 5 x 6 torus to 1e-6.)
    @Test func matchesTheExactDensityOfStates() throws {
        let model = try IsingModel.square(4, 5, coupling: 1, field: 0, periodic: true)
        let exact = try IsingEnumeration.densityOfStates(model, byMagnetization: false)
        var options = WangLandau.Options()
        options.finalLogF = 1e-4
        options.runs = 4
        options.seed = 3
        let result = try WangLandau.run(model, options: options)
        #expect(result.converged)
        let levels = exact.counts.enumerated().filter { $0.element > 0 }.map { Double(exact.minEnergy + $0.offset) }
        #expect(result.energies == levels)
        var worst = 0.0
        for (k, energy) in result.energies.enumerated() {
            let truth = log(Double(exact.counts[Int(energy) - exact.minEnergy]))
            let miss = abs(result.logG[k] - truth)
            worst = max(worst, miss)
            #expect(miss <= 5 * result.logGError[k] + 1e-3, "E = \(energy)")
        }
        #expect(worst < 0.1)
        let betas = [0.2, 0.44, 1.0]
        let (table, errors) = result.thermodynamics(betas: betas)
        let truth = try IsingEnumeration.thermodynamics(model, betas: betas)
        for k in betas.indices { #expect(abs(table.logZ[k] - truth.table.logZ[k]) <= 4 * errors[k] + 1e-9) }
    }

    @Test func refusesBadOptions() throws {
        let glass = try IsingModel.edwardsAnderson([4, 4], distribution: .gaussian, scale: 1, field: 0, periodic: false, seed: 1)
        #expect(throws: EngineError.self) { try WangLandau.run(glass) }  // fractional couplings need a bin width
        var options = WangLandau.Options()
        options.runs = 1
        #expect(throws: EngineError.self) { try WangLandau.run(glass, options: options) }
    }
}
