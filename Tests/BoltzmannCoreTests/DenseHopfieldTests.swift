import Glibc
import Testing

@testable import BoltzmannCore

/// Dense (modern) Hopfield networks against their definitions: the update equals
/// the attention formula X^T softmax(beta X q) computed in double, energies equal
/// their formulas and never rise along updates, random patterns are retrieved in
/// one step, and the polynomial family is the classical network at degree 2 and
/// stores far beyond the classical capacity at degree 3.
@Suite("Dense Hopfield networks")
struct DenseHopfieldTests {
    static func gaussians(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var random = RandomStream(seed: seed)
        return (0..<count).map { _ in Float(random.normal()) * scale }
    }

    /// X^T softmax(scale X q + bias) and log-sum-exp for one query, in double.
    static func attention(_ x: [Float], n: Int, d: Int, _ q: ArraySlice<Float>, scale: Double, bias: [Float]? = nil) -> ([Double], Double) {
        let q = Array(q)
        var logits = [Double](repeating: 0, count: n)
        for j in 0..<n {
            var dot = 0.0
            for k in 0..<d { dot += Double(x[j * d + k]) * Double(q[k]) }
            logits[j] = scale * dot + Double(bias?[j] ?? 0)
        }
        let top = logits.max()!
        var sum = 0.0
        for j in 0..<n { logits[j] = exp(logits[j] - top); sum += logits[j] }
        var out = [Double](repeating: 0, count: d)
        for j in 0..<n { for k in 0..<d { out[k] += logits[j] * Double(x[j * d + k]) / sum } }
        return (out, top + log(sum))
    }

    /// Several pattern tiles and query blocks (n > patternRows, m > queryRows), with
    /// and without a bias; outputs within 1e-5 of |x|'s scale, log-sum-exp within 1e-5 relative.
    @Test func kernelEqualsTheAttentionFormula() throws {
        let n = 2 * SoftmaxRetrieval.patternRows + 37, d = 12, m = SoftmaxRetrieval.queryRows + 5
        let x = Self.gaussians(n * d, seed: 1), q = Self.gaussians(m * d, seed: 2)
        let bias = Self.gaussians(n, seed: 3, scale: 2)
        for (scale, useBias) in [(0.7, false), (3.0, true)] {
            var out = [Float](repeating: 0, count: m * d), lse = [Double](repeating: 0, count: m)
            let finite = bias.withUnsafeBufferPointer { b in
                SoftmaxRetrieval.run(patterns: x, count: n, dimension: d, queries: q, queryCount: m, scale: Float(scale),
                                     bias: useBias ? b.baseAddress! : nil, out: &out, logSumExp: &lse)
            }
            #expect(finite)
            for r in [0, 1, m / 2, m - 1] {
                let (expected, expectedLSE) = Self.attention(x, n: n, d: d, q[(r * d)..<((r + 1) * d)], scale: scale, bias: useBias ? bias : nil)
                let error = (0..<d).map { abs(Double(out[r * d + $0]) - expected[$0]) }.max()!
                #expect(error < 1e-5, "scale \(scale), row \(r): max error \(error)")
                #expect(abs(lse[r] - expectedLSE) < 1e-5 * abs(expectedLSE), "row \(r): lse \(lse[r]) vs \(expectedLSE)")
            }
        }
    }

    /// A maximum in a late tile far above the running one (by more than the 80 the
    /// in-tile rescale allows, so the row is recomputed), with and without a bias.
    @Test func kernelHandlesALateLargeMaximum() throws {
        let n = 3 * SoftmaxRetrieval.patternRows + 11, d = 4, m = 3
        var x = Self.gaussians(n * d, seed: 8, scale: 0.05)
        let q = Self.gaussians(m * d, seed: 9)
        for r in 0..<m {  // pattern n - 5 - r points along query r, 60 times longer: logit ~ 60 |q|^2
            for k in 0..<d { x[(n - 5 - r) * d + k] = 60 * q[r * d + k] }
        }
        let bias = Self.gaussians(n, seed: 10)
        for useBias in [false, true] {
            var out = [Float](repeating: 0, count: m * d), lse = [Double](repeating: 0, count: m)
            let finite = bias.withUnsafeBufferPointer { b in
                SoftmaxRetrieval.run(patterns: x, count: n, dimension: d, queries: q, queryCount: m, scale: 1,
                                     bias: useBias ? b.baseAddress! : nil, out: &out, logSumExp: &lse)
            }
            #expect(finite)
            for r in 0..<m {
                let (expected, expectedLSE) = Self.attention(x, n: n, d: d, q[(r * d)..<((r + 1) * d)], scale: 1, bias: useBias ? bias : nil)
                #expect(expectedLSE > 100, "row \(r): the test needs a large jump, lse \(expectedLSE)")
                let error = (0..<d).map { abs(Double(out[r * d + $0]) - expected[$0]) }.max()!
                #expect(error < 1e-5 * 60, "row \(r): max error \(error)")
                #expect(abs(lse[r] - expectedLSE) < 1e-5 * expectedLSE, "row \(r): lse \(lse[r]) vs \(expectedLSE)")
            }
        }
    }

    /// In place (out = queries) gives the same as out of place.
    @Test func kernelRunsInPlace() throws {
        let n = 3000, d = 8, m = 300
        let x = Self.gaussians(n * d, seed: 4), q = Self.gaussians(m * d, seed: 5)
        var out = [Float](repeating: 0, count: m * d), inPlace = q
        _ = SoftmaxRetrieval.run(patterns: x, count: n, dimension: d, queries: q, queryCount: m, scale: 1.5, out: &out, logSumExp: nil)
        inPlace.withUnsafeMutableBufferPointer { b in
            _ = SoftmaxRetrieval.run(patterns: x, count: n, dimension: d, queries: b.baseAddress!, queryCount: m, scale: 1.5,
                                     out: b.baseAddress!, logSumExp: nil)
        }
        #expect(out == inPlace)
    }

    /// E(x) = -lse(beta, Xx) + |x|^2/2 + log(n)/beta + M^2/2 from its definition, and
    /// E never rises along iterated updates (Ramsauer et al., Theorem 1), at several beta.
    @Test func softmaxEnergyDecreasesAlongUpdates() throws {
        let n = 500, d = 16, m = 40
        let x = Self.gaussians(n * d, seed: 6, scale: 0.5)
        for beta in [0.3, 2.0, 10.0] {
            let net = try x.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: d, beta: beta) }
            var states = Self.gaussians(m * d, seed: 7)
            var previous = try states.withUnsafeBufferPointer { try net.energies($0) }
            let largest = (0..<n).map { j in (0..<d).reduce(0.0) { $0 + Double(x[j * d + $1] * x[j * d + $1]) } }.max()!
            for r in [0, m - 1] {
                let (_, lse) = Self.attention(x, n: n, d: d, states[(r * d)..<((r + 1) * d)], scale: beta)
                let squared = (0..<d).reduce(0.0) { $0 + Double(states[r * d + $1] * states[r * d + $1]) }
                let expected = -lse / beta + squared / 2 + log(Double(n)) / beta + largest / 2
                #expect(abs(previous[r] - expected) < 1e-5 * max(1, abs(expected)), "beta \(beta): E \(previous[r]) vs \(expected)")
            }
            #expect(previous.allSatisfy { $0 >= -1e-6 }, "E >= 0 with the constants")
            for step in 0..<8 {
                try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 1) }
                let now = try states.withUnsafeBufferPointer { try net.energies($0) }
                for r in 0..<m {
                    #expect(now[r] <= previous[r] + 1e-5 * max(1, abs(previous[r])), "beta \(beta), step \(step), row \(r): \(previous[r]) -> \(now[r])")
                }
                previous = now
            }
        }
    }

    /// 2 x 10^4 random +-1 patterns in d = 64 at beta = 1, queries with 6 of 64 signs
    /// flipped: one step lands on the pattern (self overlap 52 against cross overlaps of
    /// sd 8, weights e^-10 and less but for rare cross overlaps of 42 and more, about
    /// 2.5e-4 of queries here): every sign right, and nearly every query within 1e-4.
    @Test func oneStepRetrievalIsExact() throws {
        let n = 20_000, d = 64, m = 256
        var random = RandomStream(seed: 11)
        let x: [Float] = (0..<(n * d)).map { _ in random.next() >> 63 == 0 ? 1 : -1 }
        let net = try x.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: d, beta: 1) }
        var queries = [Float](repeating: 0, count: m * d)
        for r in 0..<m {
            let target = r * 71
            for k in 0..<d { queries[r * d + k] = x[target * d + k] }
            var order = Array(0..<d)
            for k in 0..<(d / 10) { order.swapAt(k, k + Int(random.next() % UInt64(d - k))); queries[r * d + order[k]] *= -1 }
        }
        try queries.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 1) }
        var close = 0
        for r in 0..<m {
            let pattern = x[(r * 71 * d)..<((r * 71 + 1) * d)]
            #expect(zip(queries[(r * d)..<((r + 1) * d)], pattern).allSatisfy { ($0 > 0) == ($1 > 0) }, "query \(r): a sign is wrong")
            if zip(queries[(r * d)..<((r + 1) * d)], pattern).allSatisfy({ abs($0 - $1) < 1e-4 }) { close += 1 }
        }
        #expect(close >= m - 2, "\(close) of \(m) queries within 1e-4 of their pattern")
    }

    /// Sequential sweeps of neurons 0..<d with s_i <- sign((J s)_i), J Hebbian with
    /// zero diagonal: what degree 2 must reproduce exactly.
    static func classicalSweeps(_ patterns: [Float], p: Int, d: Int, _ state: inout [Float], sweeps: Int) {
        for _ in 0..<sweeps {
            for i in 0..<d {
                var field = 0.0
                for j in 0..<d where j != i {
                    var coupling = 0.0
                    for mu in 0..<p { coupling += Double(patterns[mu * d + i] * patterns[mu * d + j]) }
                    field += coupling * Double(state[j])
                }
                if field != 0 { state[i] = field > 0 ? 1 : -1 }
            }
        }
    }

    @Test func polynomialDegreeTwoIsTheClassicalNetwork() throws {
        let d = 60, p = 12, rows = 10
        var random = RandomStream(seed: 13)
        let x: [Float] = (0..<(p * d)).map { _ in random.next() >> 63 == 0 ? 1 : -1 }
        let cues: [Float] = (0..<(rows * d)).map { _ in random.next() >> 63 == 0 ? 1 : -1 }
        let net = try x.withUnsafeBufferPointer { try DenseHopfield(polynomial: $0, dimension: d, degree: 2) }
        for sweeps in [1, 3] {
            var states = cues
            try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: sweeps) }
            for r in 0..<rows {
                var expected = Array(cues[(r * d)..<((r + 1) * d)])
                Self.classicalSweeps(x, p: p, d: d, &expected, sweeps: sweeps)
                #expect(Array(states[(r * d)..<((r + 1) * d)]) == expected, "row \(r), \(sweeps) sweeps")
            }
        }
    }

    /// E(s) = -sum_mu (xi^mu . s)^n exactly; sweeps never raise it. 200 patterns in
    /// 100 neurons (15 times Hebb's capacity) from 10% noise: degree 2 fails, degree 3
    /// (capacity ~ N^2 / (6 ln N) ~ 360 stable patterns) retrieves at least 95%,
    /// degree 4 (~ N^3 / (30 ln N)) all of them.
    @Test func polynomialEnergyAndCapacity() throws {
        let d = 100, p = 200
        var random = RandomStream(seed: 17)
        let x: [Float] = (0..<(p * d)).map { _ in random.next() >> 63 == 0 ? 1 : -1 }
        var cues = x
        for r in 0..<p {
            var order = Array(0..<d)
            for k in 0..<(d / 10) { order.swapAt(k, k + Int(random.next() % UInt64(d - k))); cues[r * d + order[k]] *= -1 }
        }
        for degree in [2, 3, 4] {
            let net = try x.withUnsafeBufferPointer { try DenseHopfield(polynomial: $0, dimension: d, degree: degree) }
            let before = try cues.withUnsafeBufferPointer { try net.energies($0) }
            for r in [0, 7] {
                var expected = 0.0
                for mu in 0..<p {
                    let overlap = (0..<d).reduce(0.0) { $0 + Double(x[mu * d + $1] * cues[r * d + $1]) }
                    expected -= pow(overlap, Double(degree))
                }
                #expect(before[r] == expected, "degree \(degree), row \(r)")
            }
            var states = cues
            try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 50) }
            let after = try states.withUnsafeBufferPointer { try net.energies($0) }
            #expect(zip(before, after).allSatisfy { $1 <= $0 })
            let exact = (0..<p).filter { r in (0..<d).allSatisfy { states[r * d + $0] == x[r * d + $0] } }.count
            switch degree {
            case 2: #expect(exact < p / 10, "degree 2: \(exact) of \(p) retrieved exactly")
            case 3: #expect(exact >= p * 95 / 100, "degree 3: \(exact) of \(p) retrieved exactly")
            default: #expect(exact == p, "degree \(degree): \(exact) of \(p) retrieved exactly")
            }
        }
    }

    @Test func badInput() throws {
        let good: [Float] = [1, -1, 1, -1]
        #expect(throws: EngineError.self) { try good.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 3, beta: 1) } }
        #expect(throws: EngineError.self) { try good.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 2, beta: .nan) } }
        #expect(throws: EngineError.self) { try good.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 2, beta: 0) } }
        #expect(throws: EngineError.self) { try [Float]().withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 2, beta: 1) } }
        #expect(throws: EngineError.self) { try [Float](arrayLiteral: 1, .nan).withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 2, beta: 1) } }
        #expect(throws: EngineError.self) { try [Float](arrayLiteral: 1, 0.5).withUnsafeBufferPointer { try DenseHopfield(polynomial: $0, dimension: 2, degree: 3) } }
        #expect(throws: EngineError.self) { try good.withUnsafeBufferPointer { try DenseHopfield(polynomial: $0, dimension: 2, degree: 1) } }
        var net = try good.withUnsafeBufferPointer { try DenseHopfield(softmax: $0, dimension: 2, beta: 1) }
        var states: [Float] = [1, 2, 3]
        #expect(throws: EngineError.self) { try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 1) } }
        states = [1, .infinity]
        #expect(throws: EngineError.self) { try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 1) } }
        states = [1, 2]
        #expect(throws: EngineError.self) { try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 0) } }
        #expect(throws: EngineError.self) { try net.setBeta(-1) }
        #expect(net.beta == 1)
        // A logit beyond single precision is an error, not a NaN.
        try net.setBeta(1e30)
        states = [1e10, -1e10]
        #expect(throws: EngineError.self) { try states.withUnsafeMutableBufferPointer { try net.retrieve($0, steps: 1) } }
    }
}
