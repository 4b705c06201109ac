import Glibc
import Testing

@testable import BoltzmannCore

/// Classical Hopfield networks against the known answers: retrieval below the
/// capacity alpha_c ~ 0.138 and collapse above, the Lyapunov property of
/// asynchronous dynamics, the mean-field overlap m = tanh(m / T), 2-cycles of
/// synchronous dynamics, and the Ising export.
@Suite("Hopfield networks")
struct HopfieldTests {
    /// count x n random +-1 patterns.
    static func randomPatterns(_ count: Int, _ n: Int, seed: UInt64) -> [Int8] {
        var random = RandomStream(seed: seed)
        return (0..<(count * n)).map { _ in random.next() >> 63 == 0 ? 1 : -1 }
    }

    /// Each stored pattern with a fraction `noise` of its neurons flipped (exactly
    /// round(noise N) of them, chosen at random).
    static func noisyCues(_ patterns: [Int8], _ n: Int, noise: Double, seed: UInt64) -> [Int8] {
        var random = RandomStream(seed: seed), cues = patterns
        let flips = Int((noise * Double(n)).rounded())
        for start in stride(from: 0, to: cues.count, by: n) {
            var order = Array(0..<n)
            for k in 0..<flips {
                order.swapAt(k, k + Int(random.next() % UInt64(n - k)))
                cues[start + order[k]] *= -1
            }
        }
        return cues
    }

    /// Mean overlap of each recalled cue with the pattern it came from.
    static func meanRetrieval(_ net: HopfieldNetwork, cues: [Int8], dynamics: HopfieldDynamics = .asynchronous, seed: UInt64) throws -> Double {
        var states = cues
        _ = try states.withUnsafeMutableBufferPointer { try net.recall($0, dynamics: dynamics, maxSweeps: 100, seed: seed) }
        let overlaps = try states.withUnsafeBufferPointer { try net.overlaps($0) }
        let p = net.patternCount
        return (0..<p).reduce(0.0) { $0 + overlaps[$1 * p + $1] } / Double(p)
    }

    @Test func hebbRetrievesBelowCapacityAndCollapsesAbove() throws {
        let n = 1000
        for (alpha, storage) in [(0.10, HopfieldStorage.matrix), (0.10, .patterns), (0.20, .automatic)] {
            let p = Int(alpha * Double(n))
            var net = try HopfieldNetwork(neurons: n)
            try net.setStorage(storage)
            let patterns = Self.randomPatterns(p, n, seed: 7)
            try patterns.withUnsafeBufferPointer { try net.store($0) }
            let m = try Self.meanRetrieval(net, cues: Self.noisyCues(patterns, n, noise: 0.1, seed: 8), seed: 9)
            if alpha < 0.138 {
                #expect(m > 0.99, "alpha = \(alpha), \(storage): mean overlap \(m)")
            } else {
                #expect(m < 0.6, "alpha = \(alpha): mean overlap \(m)")
            }
        }
    }

    /// Storkey's rule still retrieves at alpha = 0.2, where Hebb's has collapsed.
    @Test func storkeyOutlastsHebb() throws {
        let n = 300, p = 60
        let patterns = Self.randomPatterns(p, n, seed: 21), cues = Self.noisyCues(patterns, n, noise: 0.1, seed: 22)
        var hebb = try HopfieldNetwork(neurons: n), storkey = try HopfieldNetwork(neurons: n, rule: .storkey)
        try patterns.withUnsafeBufferPointer { try hebb.store($0); try storkey.store($0) }
        let mHebb = try Self.meanRetrieval(hebb, cues: cues, seed: 3), mStorkey = try Self.meanRetrieval(storkey, cues: cues, seed: 3)
        #expect(mStorkey > 0.95 && mHebb < 0.8, "Storkey \(mStorkey), Hebb \(mHebb)")
        // Storing in two batches gives the same Storkey couplings as one (it is incremental).
        var twoSteps = try HopfieldNetwork(neurons: n, rule: .storkey)
        try patterns.withUnsafeBufferPointer { all in
            try twoSteps.store(UnsafeBufferPointer(rebasing: all[0..<(20 * n)]))
            try twoSteps.store(UnsafeBufferPointer(rebasing: all[(20 * n)...]))
        }
        #expect(twoSteps.matrix == storkey.matrix)
    }

    /// E never increases under asynchronous zero-temperature updates, checked after
    /// every single update against the energy recomputed from scratch, with thresholds.
    @Test func asynchronousDynamicsNeverRaiseTheEnergy() throws {
        let n = 120
        for storage in [HopfieldStorage.matrix, .patterns] {
            var net = try HopfieldNetwork(neurons: n)
            try net.setStorage(storage)
            try Self.randomPatterns(25, n, seed: 4).withUnsafeBufferPointer { try net.store($0) }
            var random = RandomStream(seed: 5)
            try net.setThresholds((0..<n).map { _ in Float(0.05 * random.normal()) })
            var start = Self.randomPatterns(1, n, seed: 6)
            var state = start.map(Float.init)
            var fields = state.withUnsafeBufferPointer { net.keptFields($0.baseAddress!) }
            var energy = try start.withUnsafeBufferPointer { try net.energies($0)[0] }
            var flips = 0
            for _ in 0..<(20 * n) {
                let i = Int(random.next() % UInt64(n))
                let flipped = state.withUnsafeMutableBufferPointer { s in
                    fields.withUnsafeMutableBufferPointer { f in
                        net.withCouplingRows { rows, width in
                            net.update(i, s.baseAddress!, f.baseAddress!, couplings: rows, width: width, inverseTemperature: 0, uniform: 0)
                        }
                    }
                }
                start = state.map { $0 > 0 ? 1 : -1 }
                let next = try start.withUnsafeBufferPointer { try net.energies($0)[0] }
                #expect(next <= energy + 1e-9, "\(storage): energy rose from \(energy) to \(next)")
                #expect(flipped == (next != energy))
                if flipped { flips += 1 }
                energy = next
            }
            #expect(flips > 10)
        }
    }

    /// One stored pattern at temperature T: the equilibrium overlap is the positive
    /// root of m = tanh(m / T) up to O(1/N). N = 4000, 48 chains started at the pattern,
    /// overlaps averaged over 40 snapshots after 20 sweeps of burn-in; the standard
    /// error of the mean is below 0.003 at T = 0.9 (sd of m about 0.03 per snapshot).
    @Test func glauberOverlapFollowsMeanField() throws {
        let n = 4000, chains = 48
        var net = try HopfieldNetwork(neurons: n)
        let pattern = Self.randomPatterns(1, n, seed: 31)
        try pattern.withUnsafeBufferPointer { try net.store($0) }
        for temperature in [0.5, 0.7, 0.9] {
            var m = 0.9
            for _ in 0..<1000 { m = tanh(m / temperature) }
            var states = [Int8](repeating: 0, count: chains * n)
            for c in 0..<chains { for i in 0..<n { states[c * n + i] = pattern[i] } }
            var sum = 0.0, count = 0
            for round in 0..<60 {
                _ = try states.withUnsafeMutableBufferPointer {
                    try net.recall($0, dynamics: .glauber, temperature: temperature, maxSweeps: round < 20 ? 1 : 2, seed: UInt64(round))
                }
                guard round >= 20 else { continue }
                let overlaps = try states.withUnsafeBufferPointer { try net.overlaps($0) }
                sum += overlaps.reduce(0, +); count += overlaps.count
            }
            let mean = sum / Double(count)
            #expect(abs(mean - m) < 0.01, "T = \(temperature): overlap \(mean), mean field \(m)")
        }
    }

    /// Synchronous dynamics on the two-neuron network storing (+1, -1): from (+1, +1)
    /// it alternates with (-1, -1), a 2-cycle; from the pattern it stays put.
    @Test func synchronousTwoCycleIsReported() throws {
        var net = try HopfieldNetwork(neurons: 2)
        let pattern: [Int8] = [1, -1]
        try pattern.withUnsafeBufferPointer { try net.store($0) }
        var states: [Int8] = [1, 1, 1, -1]
        let report = try states.withUnsafeMutableBufferPointer { try net.recall($0, dynamics: .synchronous, maxSweeps: 50, seed: 0) }
        #expect(report.outcomes == [.twoCycle, .fixedPoint])
        #expect(report.sweeps[0] <= 3 && report.sweeps[1] == 1)
        #expect(Array(states[2...]) == [1, -1])
        // Asynchronous dynamics from the same cue settle instead.
        var async: [Int8] = [1, 1]
        let settled = try async.withUnsafeMutableBufferPointer { try net.recall($0, dynamics: .asynchronous, maxSweeps: 50, seed: 0) }
        #expect(settled.outcomes == [.fixedPoint])
        #expect(async == [1, -1] || async == [-1, 1])
    }

    /// Synchronous recall of many cues agrees with the capacity picture too, in both storage modes.
    @Test func synchronousBatchRecall() throws {
        let n = 500, p = 25
        let patterns = Self.randomPatterns(p, n, seed: 41), cues = Self.noisyCues(patterns, n, noise: 0.1, seed: 42)
        for storage in [HopfieldStorage.matrix, .patterns] {
            var net = try HopfieldNetwork(neurons: n)
            try net.setStorage(storage)
            try patterns.withUnsafeBufferPointer { try net.store($0) }
            let m = try Self.meanRetrieval(net, cues: cues, dynamics: .synchronous, seed: 0)
            #expect(m > 0.99, "\(storage): \(m)")
        }
    }

    /// The exported Ising model gives the same energies (thresholds become fields -theta).
    @Test func isingExportReproducesEnergies() throws {
        let n = 40
        for rule in [HopfieldRule.hebb, .storkey] {
            var net = try HopfieldNetwork(neurons: n, rule: rule)
            try Self.randomPatterns(6, n, seed: 51).withUnsafeBufferPointer { try net.store($0) }
            var random = RandomStream(seed: 52)
            try net.setThresholds((0..<n).map { _ in Float(0.1 * random.normal()) })
            let ising = try net.isingModel()
            let states = Self.randomPatterns(50, n, seed: 53)
            let ours = try states.withUnsafeBufferPointer { try net.energies($0) }
            let theirs = try states.withUnsafeBufferPointer { try ising.energies(spins: $0) }
            for k in ours.indices { #expect(abs(ours[k] - theirs[k]) <= 1e-10 * max(1, abs(ours[k])), "\(rule) state \(k)") }
        }
    }

    @Test func badInput() throws {
        #expect(throws: EngineError.self) { try HopfieldNetwork(neurons: 1) }
        var net = try HopfieldNetwork(neurons: 4)
        let bad: [Int8] = [1, 0, 1, -1]
        #expect(throws: EngineError.self) { try bad.withUnsafeBufferPointer { try net.store($0) } }
        let short: [Int8] = [1, 1, 1]
        #expect(throws: EngineError.self) { try short.withUnsafeBufferPointer { try net.store($0) } }
        #expect(net.patternCount == 0)
        var states: [Int8] = [1, -1, 1, -1]
        #expect(throws: EngineError.self) {
            try states.withUnsafeMutableBufferPointer { try net.recall($0, dynamics: .glauber, temperature: .nan, maxSweeps: 5, seed: 0) }
        }
        #expect(throws: EngineError.self) {
            try states.withUnsafeMutableBufferPointer { try net.recall($0, dynamics: .glauber, temperature: 0, maxSweeps: 5, seed: 0) }
        }
        var storkey = try HopfieldNetwork(neurons: 4, rule: .storkey)
        #expect(throws: EngineError.self) { try storkey.setStorage(.patterns) }
        #expect(throws: EngineError.self) { try net.setThresholds([0, 0, .infinity, 0]) }
    }
}
