import Glibc
import Testing

@testable import BoltzmannCore

/// The single-spin acceptance for real parameters decides from brackets on the
/// probability and evaluates exp only inside them: every decision must be the one the
/// exponential makes, at every bucket edge (where rounding can move y to a neighbour)
/// and at the rules' limits.
@Suite("Acceptance brackets")
struct AcceptanceTests {
    /// The decision made from p directly: Metropolis flips when u < min(1, e^{-y})
    /// (u = 0 only for y >= negligible, a tie's coin at 1/2), the heat bath sets +1
    /// when u < 1 / (1 + e^{-y}) (u = 0 only for y <= -negligible).
    private func direct(_ a: Acceptance, x: Double, u: Double) -> Bool {
        let y = 2 * (a.beta * x)
        switch a.rule {
        case .metropolis:
            if abs(x) <= a.tie { return u < 0.5 }
            if y <= 0 { return true }
            if y >= Acceptance.negligible { return u == 0 }
            return u < exp(-y)
        case .heatBath:
            if y <= -Acceptance.negligible { return u == 0 }
            if y >= Acceptance.negligible { return true }
            return u < 1 / (1 + exp(-y))
        }
    }

    /// 64 random bits whose uniform (the top 53 bits) is u.
    private func bits(_ u: Double) -> UInt64 { UInt64(u * 0x1p53) << 11 }

    /// The uniforms that probe a decision at p: p's neighbours on the 2^-53 grid, and
    /// the bracket's ends.
    private func probes(_ p: Double) -> [Double] {
        let grid = (p * 0x1p53).rounded(.down) / 0x1p53
        return [0, grid - 0x1p-53, grid, grid + 0x1p-53, grid + 0x1p-52, 0.5, 1 - 0x1p-53]
            .filter { $0 >= 0 && $0 < 1 }
    }

    @Test(arguments: [SingleSpinRule.metropolis, .heatBath])
    func bracketsDecideAsTheExponential(_ rule: SingleSpinRule) throws {
        var random = RandomStream(seed: 2026)
        var checked = 0
        for beta in [0.0, 0.37, 1.0, 3.3, 1e6] {
            for lazy in [nil, 8.0] as [Double?] {
                let a = Acceptance(rule: rule, beta: beta, tableOffset: nil, lazyTies: lazy)
                // Every bucket edge in y, its neighbours a few ulps away, and random y.
                var ys: [Double] = []
                for k in -1200...1200 {
                    let edge = Double(k) / ProbabilityBrackets.perUnit
                    ys += [edge, edge.nextUp, edge.nextDown, edge.nextUp.nextUp, edge.nextDown.nextDown]
                }
                ys += [Acceptance.negligible, -Acceptance.negligible, 40, -40, 800, -800, 0]
                ys += (0..<2000).map { _ in (Double(random.next() >> 11) * 0x1p-53 - 0.5) * 80 }
                for y in ys {
                    // The x that gives this y, when beta > 0; at beta = 0, x = y / 2.
                    let x = beta > 0 ? y / (2 * beta) : y / 2
                    let p: Double
                    switch rule {
                    case .metropolis: p = min(1, exp(-2 * (beta * x)))
                    case .heatBath: p = 1 / (1 + exp(-2 * (beta * x)))
                    }
                    for u in probes(p) {
                        let made = rule == .metropolis ? a.metropolisFlips(x, bits(u)) : a.heatBathSetsUp(x, bits(u))
                        #expect(made == direct(a, x: x, u: u), "\(rule) beta \(beta) lazy \(String(describing: lazy)) x \(x) u \(u)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 100_000)
    }

    /// `frozenField` is the least x from which Metropolis flips only on u = 0.
    @Test func frozenFieldIsTight() {
        for beta in [1e-3, 0.37, 1.0, 3.3, 1e6, 1e300] {
            let a = Acceptance(rule: .metropolis, beta: beta, tableOffset: nil, lazyTies: 4.0)
            let x = a.frozenField
            #expect(2 * (beta * Double(x)) >= Acceptance.negligible && Double(x) > a.tie)
            let below = x.nextDown
            #expect(2 * (beta * Double(below)) < Acceptance.negligible || Double(below) <= a.tie, "beta \(beta)")
        }
        #expect(Acceptance(rule: .metropolis, beta: 0, tableOffset: nil, lazyTies: 4.0).frozenField == .infinity)
    }
}
