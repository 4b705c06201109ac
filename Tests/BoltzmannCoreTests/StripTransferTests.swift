import Glibc
import Testing

@testable import BoltzmannCore

/// The frontier transfer matrix against enumeration, and its plans. (The Python suite
/// covers more shapes, Kaufman's torus and the derivatives on long strips.)
@Suite("Strip transfer matrix")
struct StripTransferTests {
    /// A Gaussian glass on a rows x columns lattice with fields 0.3 cos(i).
    static func glass(_ rows: Int, _ columns: Int, periodic: Bool, seed: UInt64) throws -> IsingModel {
        let model = try IsingModel.edwardsAnderson([rows, columns], distribution: .gaussian, scale: 1, field: 0,
                                                   periodic: periodic, seed: seed)
        return try model.withFields((0..<model.spinCount).map { 0.3 * cos(Double($0)) })
    }

    @Test func plansFollowTheSpan() throws {
        let open = try Self.glass(6, 4, periodic: false, seed: 1), torus = try Self.glass(6, 4, periodic: true, seed: 1)
        let ring = try IsingModel.chain(12, coupling: 1, field: 0, periodic: true)
        let complete = try IsingModel.complete(7, coupling: 1, field: 0), lone = try IsingModel(spinCount: 3, edges: [])
        #expect(StripTransfer.plan(open) == .init(frontier: 4, conditioned: 0))
        #expect(StripTransfer.plan(torus) == .init(frontier: 4, conditioned: 4))
        #expect(StripTransfer.plan(ring) == .init(frontier: 1, conditioned: 1))
        #expect(StripTransfer.plan(complete) == .init(frontier: 6, conditioned: 0))
        #expect(StripTransfer.plan(lone) == .init(frontier: 1, conditioned: 0))
    }

    /// log Z to 1e-12 relative; U, C, <m>, <m^2> to 1e-9 (ratios and a difference of sums).
    @Test(arguments: [false, true])
    func matchesEnumeration(_ periodic: Bool) throws {
        let model = try Self.glass(4, 4, periodic: periodic, seed: 7)
        let betas = [0, 0.4, 1.5, 12, -0.7]
        let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
        let transfer = try StripTransfer.thermodynamics(model, betas: betas)
        for k in betas.indices {
            #expect(abs(transfer.table.logZ[k] - exact.table.logZ[k]) <= 1e-12 * abs(exact.table.logZ[k]))
            #expect(abs(transfer.table.energy[k] - exact.table.energy[k]) <= 1e-9 * (1 + abs(exact.table.energy[k])))
            #expect(abs(transfer.table.heatCapacity[k] - exact.table.heatCapacity[k]) <= 1e-9 * (1 + exact.table.heatCapacity[k]))
            #expect(abs(transfer.magnetization[k] - exact.magnetization[k]) <= 1e-9)
            #expect(abs(transfer.magnetizationSquared[k] - exact.magnetizationSquared[k]) <= 1e-9)
            #expect(transfer.absMagnetization[k].isNaN)
        }
        // log Z alone: the same numbers (to rounding: the weights multiply in another
        // order) without the moments.
        let bare = try StripTransfer.thermodynamics(model, betas: betas, moments: false)
        for k in betas.indices { #expect(abs(bare.table.logZ[k] - transfer.table.logZ[k]) <= 1e-13 * abs(transfer.table.logZ[k])) }
        #expect(bare.table.energy.allSatisfy { $0.isNaN })
    }

    @Test func capsAreNamed() throws {
        let dense = try IsingModel.complete(30, coupling: 1, field: 0), small = try Self.glass(3, 3, periodic: false, seed: 1)
        #expect(throws: EngineError.self) { try StripTransfer.thermodynamics(dense, betas: [1]) }
        #expect(throws: EngineError.self) { try StripTransfer.thermodynamics(small, betas: [1], maxBits: 31) }
    }
}
