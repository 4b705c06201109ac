import Glibc
import Testing

@testable import BoltzmannCore

/// The transfer matrix's exact density of states against enumeration (every count),
/// Beale's torus, and its own log Z.
@Suite("Exact density of states by the transfer matrix")
struct TransferDensityTests {
    /// Every count equal to enumeration's: an open +-J glass in a field, a torus (the
    /// plan conditions on a row), a ring, and whole-number couplings of several sizes
    /// with fields of both signs on a random sparse graph.
    @Test func matchesEnumeration() throws {
        var models = [
            try IsingModel.edwardsAnderson([4, 5], distribution: .bimodal, scale: 1, field: 1, periodic: false, seed: 3),
            try IsingModel.square(4, 5, coupling: -1, field: 0, periodic: true),
            try IsingModel.square(1, 9, coupling: 2, field: 1, periodic: true),
        ]
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        var edges: [(Int, Int, Double)] = []
        for i in 0..<18 { for d in 1...3 where i + d < 18 && next() % 3 != 0 { edges.append((i, i + d, Double(next() % 7 - 3))) } }
        models.append(try IsingModel(spinCount: 18, edges: edges, fields: (0..<18).map { Double(Int($0 % 5) - 2) }))
        for model in models {
            let exact = try IsingEnumeration.densityOfStates(model, byMagnetization: false)
            let dos = try StripTransfer.densityOfStates(model)
            let occurring = exact.counts.enumerated().filter { $0.element > 0 }
            #expect(dos.energies == occurring.map { Double(exact.minEnergy + $0.offset) })
            for (k, level) in occurring.enumerated() {
                #expect(dos.count(at: k).first == UInt64(level.element) && dos.count(at: k).dropFirst().allSatisfy { $0 == 0 })
            }
        }
    }

    /// The 4 x 6 torus: the same words as Beale's.
    @Test func matchesBeale() throws {
        let model = try IsingModel.square(4, 6, coupling: 1, field: 0, periodic: true)
        #expect(try StripTransfer.densityOfStates(model) == IsingSquare.bealeDensity(rows: 4, columns: 6, coupling: 1))
    }

    /// A 30 x 4 open strip (120 spins, counts past 2^64) with fields: sum g = 2^120
    /// exactly, and ln sum g e^(-beta E) equals the transfer matrix's log Z to 1e-12.
    @Test func reproducesLogZ() throws {
        let model = try IsingModel.edwardsAnderson([30, 4], distribution: .bimodal, scale: 1, field: 1, periodic: false, seed: 5)
        let dos = try StripTransfer.densityOfStates(model)
        #expect(dos.words == 2)
        var low: UInt64 = 0, high: UInt64 = 0
        for k in dos.energies.indices {
            let (sum, carry) = low.addingReportingOverflow(dos.count(at: k)[k * 2])
            low = sum
            high += dos.count(at: k)[k * 2 + 1] + (carry ? 1 : 0)
        }
        #expect(low == 0 && high == 1 << 56)
        let betas = [0.1, 0.5, 1.5]
        let table = try StripTransfer.thermodynamics(model, betas: betas, moments: false).table
        for (i, beta) in betas.enumerated() {
            let terms = zip(dos.logG, dos.energies).map { $0 - beta * $1 }, top = terms.max()!
            let logZ = top + log(terms.reduce(0) { $0 + exp($1 - top) })
            #expect(abs(logZ - table.logZ[i]) <= 1e-12 * abs(table.logZ[i]))
        }
    }

    @Test func refusals() throws {
        let real = try IsingModel.square(3, 3, coupling: 0.5, field: 0, periodic: false)
        #expect(throws: EngineError.self) { try StripTransfer.densityOfStates(real) }
        let wide = try IsingModel.square(4, 30, coupling: 1, field: 0, periodic: false)
        #expect(throws: EngineError.self) { try StripTransfer.densityOfStates(wide, maxBits: 2) }
    }
}

/// Exact samples by forward filtering, backward sampling, against enumeration's
/// magnetisations and correlations (each within 5 standard errors) and the planar
/// Pfaffian's bond correlations.
@Suite("Exact samples by the transfer matrix")
struct TransferSamplingTests {
    /// <s_i> and <s_i s_j> of every coupled pair from 20,000 samples, within 5
    /// standard errors of enumeration, on an open glass in a field and on a torus
    /// (its plan conditions on a row), hot and cold; and the same seed gives the same
    /// first samples whatever the count.
    @Test func matchEnumeration() throws {
        let models = [try IsingModel.edwardsAnderson([3, 5], distribution: .gaussian, scale: 1, field: 0.5, periodic: false, seed: 2),
                      try IsingModel.edwardsAnderson([3, 4], distribution: .bimodal, scale: 1, field: 0.3, periodic: true, seed: 4)]
        for model in models {
            for beta in [0.4, 1.5] {
                let n = model.spinCount, count = 20_000
                let samples = try StripTransfer.samples(model, beta: beta, count: count, seed: 9)
                let exact = Self.enumerated(model, beta: beta)
                var quantities: [(Double, Double)] = []  // (sample mean, exact)
                for i in 0..<n {
                    let mean = (0..<count).reduce(0.0) { $0 + Double(samples[$1 * n + i]) } / Double(count)
                    quantities.append((mean, exact.magnetization[i]))
                }
                for e in model.edgeCoupling.indices {
                    let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                    let mean = (0..<count).reduce(0.0) { $0 + Double(samples[$1 * n + i] * samples[$1 * n + j]) } / Double(count)
                    quantities.append((mean, exact.correlation[e]))
                }
                for (mean, truth) in quantities {
                    let error = ((1 - truth * truth) / Double(count)).squareRoot()
                    #expect(abs(mean - truth) <= 5 * error + 1e-12, "beta \(beta)")
                }
                let fewer = try StripTransfer.samples(model, beta: beta, count: 10, seed: 9)
                #expect(Array(samples[0..<(10 * n)]) == fewer)
            }
        }
    }

    /// <s_i> and <s_i s_j> for each coupling by enumerating every state.
    static func enumerated(_ model: IsingModel, beta: Double) -> (magnetization: [Double], correlation: [Double]) {
        let n = model.spinCount, edges = model.edgeCoupling.count
        var logWeights = [Double](repeating: 0, count: 1 << n)
        for state in 0..<(1 << n) {
            var energy = 0.0
            for i in 0..<n { energy -= model.fields[i] * (state >> i & 1 == 1 ? 1 : -1) }
            for e in 0..<edges {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                energy -= model.edgeCoupling[e] * ((state >> i & 1) == (state >> j & 1) ? 1 : -1)
            }
            logWeights[state] = -beta * energy
        }
        let top = logWeights.max()!
        var z = 0.0, m = [Double](repeating: 0, count: n), c = [Double](repeating: 0, count: edges)
        for state in 0..<(1 << n) {
            let w = exp(logWeights[state] - top)
            z += w
            for i in 0..<n { m[i] += state >> i & 1 == 1 ? w : -w }
            for e in 0..<edges {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                c[e] += (state >> i & 1) == (state >> j & 1) ? w : -w
            }
        }
        return (m.map { $0 / z }, c.map { $0 / z })
    }
}
