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

    /// <s_i s_j> on every coupling against enumeration, to 1e-11: open lattices of
    /// both shapes, Gaussian and +-J, hot, cold (beta 2.5: the gauge from an annealed
    /// state, its signs undone) and at negative beta; and a ferromagnet at beta = 30.
    @Test(arguments: [(4, 4), (3, 5), (1, 7), (5, 1), (3, 4)])
    func edgeCorrelationsMatchEnumeration(_ rows: Int, _ columns: Int) throws {
        for seed: UInt64 in [1, 2] {
            let model = try Self.glass(rows, columns, periodic: false, bimodal: seed == 2, seed: seed)
            for beta in [0.3, 1.0, 2.5, -0.8] {
                let planar = try PlanarIsing.edgeCorrelations(model, beta: beta)
                let exact = Self.enumeratedCorrelations(model, beta: beta)
                #expect(planar.count == exact.count)
                for (p, e) in zip(planar, exact) { #expect(abs(p - e) <= 1e-11, "beta \(beta) seed \(seed)") }
            }
        }
        let ferromagnet = try IsingModel.square(rows, columns, coupling: 1, field: 0, periodic: false)
        let cold = try PlanarIsing.edgeCorrelations(ferromagnet, beta: 30)
        #expect(cold.allSatisfy { abs($0 - 1) < 1e-12 })
    }

    /// Tori: the four Pfaffians' shares combined, to 1e-9 of enumeration (their
    /// cancellation costs digits as log Z's does), odd and even sides, +-J and
    /// Gaussian; the cold odd antiferromagnet is refused as log Z is.
    @Test(arguments: [(3, 3), (4, 4), (3, 4), (4, 5)])
    func torusEdgeCorrelationsMatchEnumeration(_ rows: Int, _ columns: Int) throws {
        for seed: UInt64 in [1, 2] {
            let model = try Self.glass(rows, columns, periodic: true, bimodal: seed == 2, seed: seed)
            for beta in [0.3, 1.0, -0.6] {
                guard let planar = try? PlanarIsing.edgeCorrelations(model, beta: beta) else {
                    #expect(PlanarIsing.obstacle(model, beta: beta) == nil && (try? PlanarIsing.thermodynamics(model, betas: [beta])) == nil)
                    continue
                }
                let exact = Self.enumeratedCorrelations(model, beta: beta)
                for (p, e) in zip(planar, exact) { #expect(abs(p - e) <= 1e-9, "beta \(beta) seed \(seed)") }
            }
        }
        let antiferromagnet = try IsingModel.square(3, 5, coupling: -1, field: 0, periodic: true)
        #expect(throws: EngineError.self) { try PlanarIsing.edgeCorrelations(antiferromagnet, beta: 3) }
    }

    /// On a 32 x 32 glass: sum_ij J_ij <s_i s_j> = -U (the Pfaffian's own beta
    /// derivative) to 1e-10, at beta 1 and 2.5; on a 24 x 24 torus to 1e-9.
    @Test func edgeCorrelationsSumToTheEnergy() throws {
        let model = try Self.glass(32, 32, periodic: false, seed: 5)
        for beta in [1.0, 2.5] {
            let correlations = try PlanarIsing.edgeCorrelations(model, beta: beta)
            let energy = -zip(model.edgeCoupling, correlations).reduce(0) { $0 + $1.0 * $1.1 }
            let u = try PlanarIsing.thermodynamics(model, betas: [beta]).energy[0]
            #expect(abs(energy - u) <= 1e-10 * abs(u))
            #expect(correlations.allSatisfy { $0 >= -1 - 1e-12 && $0 <= 1 + 1e-12 })
        }
        let torus = try Self.glass(24, 24, periodic: true, seed: 6)
        let correlations = try PlanarIsing.edgeCorrelations(torus, beta: 0.8)
        let energy = -zip(torus.edgeCoupling, correlations).reduce(0) { $0 + $1.0 * $1.1 }
        let u = try PlanarIsing.thermodynamics(torus, betas: [0.8]).energy[0]
        #expect(abs(energy - u) <= 1e-9 * abs(u))
    }

    /// <s_i s_j> for each coupling by enumerating every state.
    static func enumeratedCorrelations(_ model: IsingModel, beta: Double) -> [Double] {
        let n = model.spinCount, edges = model.edgeCoupling.count
        var logWeights = [Double](repeating: 0, count: 1 << n)
        for state in 0..<(1 << n) {
            var energy = 0.0
            for e in 0..<edges {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                energy -= model.edgeCoupling[e] * ((state >> i & 1) == (state >> j & 1) ? 1 : -1)
            }
            logWeights[state] = -beta * energy
        }
        let top = logWeights.max()!
        var z = 0.0, sums = [Double](repeating: 0, count: edges)
        for state in 0..<(1 << n) {
            let w = exp(logWeights[state] - top)
            z += w
            for e in 0..<edges {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                sums[e] += (state >> i & 1) == (state >> j & 1) ? w : -w
            }
        }
        return sums.map { $0 / z }
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

/// The engine's choice of exact method (`IsingPartition.exactThermodynamics`).
@Suite("Exact method choice")
struct ExactMethodChoiceTests {
    @Test func picksTheCheapestExactMethod() throws {
        let small = try IsingModel.square(4, 4, coupling: 1, field: 0, periodic: true)
        #expect(try IsingPartition.exactThermodynamics(small, betas: [0.4]).method == .enumerate)
        let strip = try IsingModel.edwardsAnderson([40, 6], distribution: .gaussian, scale: 1, field: 0.3, periodic: false, seed: 1)
        #expect(try IsingPartition.exactThermodynamics(strip, betas: [0.4]).method == .transfer)
        let glass = try IsingModel.edwardsAnderson([40, 40], distribution: .gaussian, scale: 1, field: 0, periodic: false, seed: 1)
        let (planar, method) = try IsingPartition.exactThermodynamics(glass, betas: [0.4, 1])
        #expect(method == .planar && planar.magnetization.allSatisfy(\.isNaN))
        #expect(planar.table.logZ == (try PlanarIsing.thermodynamics(glass, betas: [0.4, 1])).logZ)
        // Past the frustrated limit at one beta, in a field: nothing applies, and the message says why.
        for (model, betas) in [(glass, [1.0, 4.0]), (try IsingModel.edwardsAnderson([30, 30], distribution: .gaussian, scale: 1, field: 0.1,
                                                                                      periodic: false, seed: 1), [1.0])] {
            do {
                _ = try IsingPartition.exactThermodynamics(model, betas: betas)
                Issue.record("expected LIMIT_EXCEEDED")
            } catch {
                #expect(error.kind == .limitExceeded && error.message.contains("enumeration cap") && error.message.contains("planar Pfaffian:"))
            }
        }
    }
}
