import Glibc
import Testing

@testable import BoltzmannCore

/// The planar Pfaffian against enumeration and the transfer matrix. (The Python suite
/// covers the front door, Kaufman's tori and the timing shapes.)
@Suite("Planar Pfaffian")
struct PlanarIsingTests {
    static func glass(_ rows: Int, _ columns: Int, periodic: Bool, bimodal: Bool = false, seed: UInt64) throws -> IsingModel {
        try IsingModel.edwardsAnderson([rows, columns], distribution: bimodal ? .bimodal : .gaussian, scale: 1, field: 0,
                                       periodic: periodic, seed: seed)
    }

    /// log Z to 1e-12 relative, U and C to 1e-9, on open and periodic lattices of
    /// both parities, from high temperature to beta = 2 (beta J_rms up to 2.9, the
    /// Gaussian samples' J_rms reaching 1.43), at both signs of beta. On a torus a glass
    /// keeps 1e-10 of log Z and 1e-7 of U and C (the four Pfaffians cancel up to 1 part
    /// in 1e4), and at 2 may be refused (they cancel past that).
    @Test(arguments: [(4, 4, false), (5, 5, false), (4, 6, false), (1, 7, false), (6, 1, false), (2, 3, false),
                      (3, 3, true), (4, 4, true), (3, 5, true), (4, 5, true), (5, 4, true)])
    func matchesEnumeration(_ rows: Int, _ columns: Int, _ periodic: Bool) throws {
        for seed: UInt64 in [1, 2] {
            let model = try Self.glass(rows, columns, periodic: periodic, bimodal: seed == 2, seed: seed)
            let betas = [0, 0.4, 1.5, 2, -0.7]
            let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
            let planar = try PlanarIsing.thermodynamics(model, betas: periodic ? betas.filter { $0 != 2 } : betas)
            if periodic, let cold = try? PlanarIsing.thermodynamics(model, betas: [2]) {
                #expect(abs(cold.logZ[0] - exact.table.logZ[3]) <= 1e-10 * abs(exact.table.logZ[3]))
            }
            for k in planar.beta.indices {
                let k = betas.firstIndex(of: planar.beta[k])!, p = planar.beta.firstIndex(of: betas[k])!
                let (z, d) = periodic ? (1e-10, 1e-7) : (1e-12, 1e-9)
                #expect(abs(planar.logZ[p] - exact.table.logZ[k]) <= z * abs(exact.table.logZ[k]))
                #expect(abs(planar.energy[p] - exact.table.energy[k]) <= d * (1 + abs(exact.table.energy[k])))
                #expect(abs(planar.heatCapacity[p] - exact.table.heatCapacity[k]) <= d * (1 + exact.table.heatCapacity[k]))
            }
        }
    }

    /// An antiferromagnet on an odd torus: matches enumeration while warm; cold,
    /// the twisted boundary conditions dominate both expansions' classes by e^(beta
    /// seam energy), the four Pfaffians cancel, and the call says so.
    @Test func oddAntiferromagneticTorus() throws {
        let model = try IsingModel.square(3, 5, coupling: -1, field: 0, periodic: true)
        let betas = [0.2, 0.6]
        let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
        let planar = try PlanarIsing.thermodynamics(model, betas: betas)
        for k in betas.indices { #expect(abs(planar.logZ[k] - exact.table.logZ[k]) <= 1e-12 * abs(exact.table.logZ[k])) }
        #expect(throws: EngineError.self) { try PlanarIsing.thermodynamics(model, betas: [3]) }
    }

    /// A frustrated model beyond beta J_rms = 3 is refused, an unfrustrated one only
    /// beyond double range (2 |beta| max |J| > 600), and matches enumeration up to it.
    @Test func refusesLostDigits() throws {
        let glass = try Self.glass(6, 6, periodic: false, bimodal: true, seed: 1)
        #expect(throws: EngineError.self) { try PlanarIsing.thermodynamics(glass, betas: [3.5]) }
        #expect(PlanarIsing.obstacle(glass, beta: 3.5) != nil && PlanarIsing.obstacle(glass, beta: 2.9) == nil)
        let ferromagnet = try IsingModel.square(4, 5, coupling: 1, field: 0, periodic: false)
        #expect(PlanarIsing.obstacle(ferromagnet, beta: 301) != nil)
        let exact = try IsingEnumeration.thermodynamics(ferromagnet, betas: [8, 250])
        let planar = try PlanarIsing.thermodynamics(ferromagnet, betas: [8, 250])
        for k in 0..<2 { #expect(abs(planar.logZ[k] - exact.table.logZ[k]) <= 1e-12 * exact.table.logZ[k]) }
    }
}
