import Glibc
import Testing

@testable import BoltzmannCore

/// Plain two-pass reference: log-sum-exp with Glibc's exp, then the weighted moments.
private func reference(_ energies: [Double], _ logG: [Double], _ beta: Double)
    -> (logZ: Double, energy: Double, entropy: Double, heatCapacity: Double) {
    let a = zip(energies, logG).map { $1 - beta * $0 }
    let m = a.max()!
    let logZ = m + log(a.reduce(0) { $0 + exp($1 - m) })
    let p = a.map { exp($0 - logZ) }
    let u = zip(p, energies).reduce(0) { $0 + $1.0 * $1.1 }
    let variance = zip(p, energies).reduce(0) { $0 + $1.0 * ($1.1 - u) * ($1.1 - u) }
    return (logZ, u, beta * u + logZ, beta * beta * variance)
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

@Suite("Spectrum thermodynamics")
struct SpectrumTests {
    /// Two levels 0 and eps: Z = 1 + e^(-beta eps), U = eps / (e^(beta eps) + 1),
    /// C = (beta eps)^2 e^(beta eps) / (e^(beta eps) + 1)^2, S = beta U + log Z.
    /// Betas of both signs and far into the tails; 1e-14 is a few ulps of these sizes.
    @Test func twoLevelSystemMatchesClosedForm() throws {
        let eps = 1.5
        let spectrum = try Spectrum(energies: [0, eps])
        let betas = [-40, -3, -0.5, -1e-9, 0, 1e-9, 0.1, 1, 2.5, 10, 40, 300]
        let table = try spectrum.thermodynamics(betas: betas)
        for (k, beta) in betas.enumerated() {
            let x = beta * eps
            let logZ = x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x))
            let u = eps / (exp(x) + 1)
            let c = x * x / (4 * pow(cosh(x / 2), 2))
            #expect(close(table.logZ[k], logZ, 1e-14), "log Z at beta \(beta)")
            #expect(close(table.energy[k], u, 1e-14), "U at beta \(beta)")
            #expect(close(table.entropy[k], beta * u + logZ, 1e-14), "S at beta \(beta)")
            #expect(close(table.heatCapacity[k], c, 1e-13), "C at beta \(beta)")
            if beta == 0 {
                #expect(table.freeEnergy[k].isNaN)
            } else {
                #expect(close(table.freeEnergy[k], -logZ / beta, 1e-13), "F at beta \(beta)")
            }
        }
    }

    /// Deep in the ground state, log Z = log(1 + e^(-beta eps)) ~ e^(-beta eps) and
    /// S ~ (1 + beta eps) e^(-beta eps) are tiny: they must keep their *relative*
    /// precision (log(1 + 5e-17) rounds to 0; the kernel must not).
    @Test func lowTemperatureKeepsRelativePrecision() throws {
        let spectrum = try Spectrum(energies: [0, 1, 2.5], degeneracies: [1, 2, 1])
        let betas = [20.0, 37.5, 50, 200]
        let t = try spectrum.thermodynamics(betas: betas)
        for (k, beta) in betas.enumerated() {
            let x1 = 2 * exp(-beta), x2 = exp(-2.5 * beta)
            let logZ = log1p(x1 + x2)
            let u = (1 * x1 + 2.5 * x2) / (1 + x1 + x2)
            #expect(abs(t.logZ[k] / logZ - 1) < 1e-13, "log Z at beta \(beta): \(t.logZ[k]) vs \(logZ)")
            #expect(abs(t.freeEnergy[k] / (-logZ / beta) - 1) < 1e-13)
            #expect(abs(t.entropy[k] / (beta * u + logZ) - 1) < 1e-13, "S at beta \(beta)")
            #expect(abs(t.energy[k] / u - 1) < 1e-13)
        }
    }

    /// Random spectra with degeneracies against the plain two-pass reference.
    @Test func randomSpectraMatchTwoPassReference() throws {
        var rng = SplitMix64(seed: 11)
        for trial in 0..<5 {
            let n = [1, 3, 777, 5_000, 40_000][trial]
            let energies = (0..<n).map { _ in 20 * rng.unit() - 5 }
            let logG = (0..<n).map { _ in 3 * rng.unit() }
            let betas = [-2, -0.3, 0, 0.01, 0.7, 4, 25]
            let table = try Spectrum(energies: energies, logDegeneracies: logG).thermodynamics(betas: betas)
            for (k, beta) in betas.enumerated() {
                let r = reference(energies, logG, beta)
                // Sums of n terms: n * eps relative error bound is loose; 1e-12 is ample.
                #expect(close(table.logZ[k], r.logZ, 1e-12))
                #expect(close(table.energy[k], r.energy, 1e-12))
                #expect(close(table.entropy[k], r.entropy, 1e-12))
                #expect(close(table.heatCapacity[k], r.heatCapacity, 1e-11))
            }
        }
    }

    /// A level of degeneracy 3 is three levels of degeneracy 1.
    @Test func degeneracyCountsMicrostates() throws {
        let merged = try Spectrum(energies: [0, 1, 2], degeneracies: [1, 3, 2])
        let split = try Spectrum(energies: [0, 1, 1, 1, 2, 2])
        let betas = [-1.0, 0, 0.5, 3]
        let a = try merged.thermodynamics(betas: betas), b = try split.thermodynamics(betas: betas)
        for k in betas.indices {
            #expect(close(a.logZ[k], b.logZ[k], 1e-15))
            #expect(close(a.energy[k], b.energy[k], 1e-15))
            #expect(close(a.entropy[k], b.entropy[k], 1e-15))
            #expect(close(a.heatCapacity[k], b.heatCapacity[k], 1e-14))
        }
        #expect(close(a.logZ[1], log(6), 1e-15))     // beta = 0: log of the total count
        #expect(close(a.entropy[1], log(6), 1e-15))  // and S = ln Omega
        #expect(a.heatCapacity[1] == 0)
    }

    /// |beta E| up to 1e300: finite, exact limits, no NaN.
    @Test func extremeProductsStayFinite() throws {
        let wide = try Spectrum(energies: [-1e150, 1e150])
        let t = try wide.thermodynamics(betas: [1e150, -1e150, 1e-300])
        let product = 1e150 * 1e150  // |beta E| = 1e300, as binary arithmetic rounds it
        #expect(t.logZ[0] == product)
        #expect(t.energy[0] == -1e150)
        #expect(t.entropy[0] == 0 && t.heatCapacity[0] == 0)
        #expect(t.logZ[1] == product && t.energy[1] == 1e150)
        // beta = 1e-300 against a spread of 2e150: beta E ~ 1e-150, an infinite temperature.
        #expect(close(t.logZ[2], log(2), 1e-15) && close(t.energy[2], 0, 1e-15))

        let unit = try Spectrum(energies: [0, 1])
        let cold = try unit.thermodynamics(betas: [1e300, 800, 1e-300, 1e-320])
        #expect(cold.logZ[0] == 0 && cold.energy[0] == 0 && cold.entropy[0] == 0 && cold.heatCapacity[0] == 0)
        // beta = 800: e^-800 underflows, so C = 800^2 e^-800 is 0 to double precision.
        #expect(cold.heatCapacity[1] < 1e-300)
        #expect(close(cold.energy[2], 0.5, 1e-15) && close(cold.energy[3], 0.5, 1e-15))
        // C = beta^2 Var(E) = 0.25e-600 underflows: exactly 0, never NaN.
        #expect(cold.heatCapacity[2] == 0 && cold.heatCapacity[3] == 0)
        for value in cold.logZ + cold.energy + cold.entropy + cold.heatCapacity { #expect(value.isFinite) }

        // Beyond |beta E| = DBL_MAX log Z itself overflows, but F = E_ref - LSE/beta does not.
        let far = try Spectrum(energies: [10, 11]).thermodynamics(betas: [1e308, -1e308])
        #expect(far.logZ[0] == -.infinity && far.freeEnergy[0] == 10 && far.energy[0] == 10)
        #expect(far.freeEnergy[1] == 11 && far.energy[1] == 11)

        // beta (E - E_ref) overflowing a double is a weight of exactly 0, not a NaN.
        let huge = try Spectrum(energies: [0, 1e308])
        let h = try huge.thermodynamics(betas: [10, 1e-310])
        #expect(h.logZ[0] == 0 && h.energy[0] == 0 && h.heatCapacity[0] == 0)
        #expect(h.logZ[1].isFinite && h.energy[1].isFinite)
    }

    @Test func probabilitiesAreTheSoftmax() throws {
        var rng = SplitMix64(seed: 3)
        let n = 20_003
        let energies = (0..<n).map { _ in 4 * rng.unit() }
        let g = (0..<n).map { _ in 1 + 5 * rng.unit() }
        let s = try Spectrum(energies: energies, degeneracies: g)
        for beta in [-1.0, 0, 2.5] {
            let p = try s.probabilities(beta: beta)
            let logZ = try s.logPartitionFunction(beta: beta)
            #expect(abs(p.reduce(0, +) - 1) < 1e-13)
            for i in stride(from: 0, to: n, by: 997) {
                #expect(close(p[i], g[i] * exp(-beta * energies[i] - logZ), 1e-13))
            }
        }
    }

    @Test func badInputIsReportedNotTrapped() {
        #expect(throws: EngineError.self) { try Spectrum(energies: []) }
        #expect(throws: EngineError(.nonFinite, "energies[1] must be finite, got nan")) {
            try Spectrum(energies: [0, .nan])
        }
        #expect(throws: EngineError.invalid("degeneracies[0] must be > 0, got 0.0")) {
            try Spectrum(energies: [0, 1], degeneracies: [0, 1])
        }
        #expect(throws: EngineError.self) { try Spectrum(energies: [0, 1], degeneracies: [1]) }
        #expect(throws: EngineError.self) { try Spectrum(energies: [-1e308, 1e308]) }
        let s = try! Spectrum(energies: [0, 1])
        #expect(throws: EngineError.self) { try s.thermodynamics(betas: [1, .infinity]) }
        #expect(throws: EngineError.self) { try s.thermodynamics(betas: []) }
        #expect(throws: EngineError.self) { try s.probabilities(beta: .nan) }
    }
}
