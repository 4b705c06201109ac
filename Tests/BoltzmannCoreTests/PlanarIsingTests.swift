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
    /// both parities, at both signs of beta; at beta = 2 the torus's four Pfaffians
    /// cancel (a +-J glass keeps about 1e-8 of log Z), so there only the open lattices
    /// are held to these bounds.
    @Test(arguments: [(4, 4, false), (5, 5, false), (4, 6, false), (1, 7, false), (6, 1, false), (2, 3, false),
                      (3, 3, true), (4, 4, true), (3, 5, true), (4, 5, true), (5, 4, true)])
    func matchesEnumeration(_ rows: Int, _ columns: Int, _ periodic: Bool) throws {
        for seed: UInt64 in [1, 2] {
            let model = try Self.glass(rows, columns, periodic: periodic, bimodal: seed == 2, seed: seed)
            let betas = periodic ? [0, 0.4, 1.5, -0.7] : [0, 0.4, 1.5, 2, -0.7]
            let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
            let planar = try PlanarIsing.thermodynamics(model, betas: betas)
            for k in betas.indices {
                #expect(abs(planar.logZ[k] - exact.table.logZ[k]) <= 1e-12 * abs(exact.table.logZ[k]))
                #expect(abs(planar.energy[k] - exact.table.energy[k]) <= 1e-9 * (1 + abs(exact.table.energy[k])))
                #expect(abs(planar.heatCapacity[k] - exact.table.heatCapacity[k]) <= 1e-9 * (1 + exact.table.heatCapacity[k]))
            }
        }
    }

    /// A frustrated model beyond beta J_rms = 3 is refused (UNSUPPORTED), an
    /// unfrustrated one (the ferromagnet) is not.
    @Test func refusesLostDigits() throws {
        let glass = try Self.glass(6, 6, periodic: false, bimodal: true, seed: 1)
        #expect(throws: EngineError.self) { try PlanarIsing.thermodynamics(glass, betas: [3.5]) }
        #expect(PlanarIsing.obstacle(glass, beta: 3.5) != nil && PlanarIsing.obstacle(glass, beta: 2.5) == nil)
        let ferromagnet = try IsingModel.square(4, 5, coupling: 1, field: 0, periodic: false)
        let exact = try IsingEnumeration.thermodynamics(ferromagnet, betas: [8])
        let planar = try PlanarIsing.thermodynamics(ferromagnet, betas: [8])
        #expect(abs(planar.logZ[0] - exact.table.logZ[0]) <= 1e-12 * exact.table.logZ[0])
    }
}
