import Glibc
import Testing

@testable import BoltzmannCore

/// Exact samples of open planar lattices (the separator sampler over the dual's
/// Fisher lattice) against enumeration's whole distribution. (The Python suite checks
/// them against the planar Pfaffian's bond correlations on larger glasses.)
@Suite("Planar exact samples")
struct PlanarSamplingTests {
    /// The exact probability of every state, by enumeration.
    static func distribution(_ model: IsingModel, beta: Double) -> [Double] {
        let n = model.spinCount
        var logWeights = [Double](repeating: 0, count: 1 << n)
        for state in 0..<(1 << n) {
            var energy = 0.0
            for e in model.edgeCoupling.indices {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                energy -= model.edgeCoupling[e] * ((state >> i & 1) == (state >> j & 1) ? 1 : -1)
            }
            logWeights[state] = -beta * energy
        }
        let top = logWeights.max()!
        let weights = logWeights.map { exp($0 - top) }, z = weights.reduce(0, +)
        return weights.map { $0 / z }
    }

    /// Pearson's chi-square of 10,000 sampled states against the exact distribution
    /// (states expected fewer than 5 times pooled) within mean + 4 sd of its law, on
    /// open glasses (Gaussian and +-J) warm and cold (beta J_rms 2.8: the gauge's
    /// reference state in use), a chain, and a 4 x 4 glass whose nested dissection
    /// has two levels (so phantoms carry the root's choices into the leaves).
    @Test(arguments: [(3, 3, 1.0, false), (2, 5, 0.6, true), (3, 3, 2.0, false), (3, 4, 2.0, true), (1, 6, 0.8, false),
                      (4, 4, 0.7, false)])
    func matchesTheWholeDistribution(_ rows: Int, _ columns: Int, _ beta: Double, _ bimodal: Bool) throws {
        let model = try PlanarIsingTests.glass(rows, columns, periodic: false, bimodal: bimodal, seed: 3)
        let spins = try PlanarIsing.samples(model, beta: beta, count: 10_000, seed: 7)
        Self.expectPearson(model, beta: beta, spins)
    }

    /// Pearson's chi-square of sampled states (count x N) against enumeration's
    /// distribution, states expected fewer than 5 times pooled: within mean + 4 sd.
    static func expectPearson(_ model: IsingModel, beta: Double, _ spins: [Int8]) {
        let n = model.spinCount, count = spins.count / n
        let exact = Self.distribution(model, beta: beta)
        var observed = [Double](repeating: 0, count: 1 << n)
        for r in 0..<count {
            var state = 0
            for i in 0..<n where spins[r * n + i] > 0 { state |= 1 << i }
            observed[state] += 1
        }
        var chi2 = 0.0, cells = 0, pooledExpected = 0.0, pooledObserved = 0.0
        for state in exact.indices {
            let expected = exact[state] * Double(count)
            if expected < 5 { pooledExpected += expected; pooledObserved += observed[state]; continue }
            chi2 += (observed[state] - expected) * (observed[state] - expected) / expected
            cells += 1
        }
        if pooledExpected >= 5 {
            chi2 += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected
            cells += 1
        }
        let dof = Double(cells - 1)
        #expect(cells > 10)
        #expect(chi2 <= dof + 4 * (2 * dof).squareRoot(), "chi2 \(chi2) over \(cells) cells")
    }

    /// The same stream gives the same samples whatever the count, and a torus,
    /// a field or a non-lattice model are refused by name.
    @Test func streamsAndRefusals() throws {
        let model = try PlanarIsingTests.glass(6, 7, periodic: false, seed: 4)
        let few = try PlanarIsing.samples(model, beta: 0.9, count: 3, seed: 5)
        let more = try PlanarIsing.samples(model, beta: 0.9, count: 9, seed: 5)
        #expect(Array(more[0..<few.count]) == few)
        #expect(few.allSatisfy { $0 == 1 || $0 == -1 })
        let torus = try PlanarIsingTests.glass(4, 4, periodic: true, seed: 4)
        #expect(throws: EngineError.self) { try PlanarIsing.samples(torus, beta: 0.5, count: 2, seed: 1) }
        let field = try IsingModel.edwardsAnderson([4, 4], distribution: .gaussian, scale: 1, field: 0.3, periodic: false, seed: 1)
        #expect(throws: EngineError.self) { try PlanarIsing.samples(field, beta: 0.5, count: 2, seed: 1) }
    }
}
