import Glibc

/// Update rules of `HopfieldNetwork.recall`.
public enum HopfieldDynamics: Int32, Sendable {
    /// One neuron at a time in a fresh random order each sweep, s_i <- sign(f_i)
    /// (a zero field keeps s_i): E never increases; stops at a fixed point.
    case asynchronous = 0
    /// All neurons at once from the previous state: may end in a 2-cycle, which is
    /// detected and reported.
    case synchronous = 1
    /// Asynchronous stochastic updates at temperature T: s_i = +1 with probability
    /// 1 / (1 + e^{-2 f_i / T}); runs every sweep asked for.
    case glauber = 2
}

/// How one cue's recall ended.
public enum RecallOutcome: Int32, Sendable {
    case fixedPoint = 0
    /// Synchronous dynamics alternating between two states (the last one is returned).
    case twoCycle = 1
    /// The sweep limit was reached (always, for Glauber dynamics).
    case sweepLimit = 2
}

/// What `recall` returns besides the final states: per cue, how it ended and after
/// how many sweeps (a sweep is N neuron updates; the last one, which changed
/// nothing at a fixed point, counts).
public struct RecallReport: Sendable {
    public var outcomes: [RecallOutcome]
    public var sweeps: [Int]
}

extension HopfieldNetwork {
    /// Runs `dynamics` from each cue (rows of `states`, +-1, updated in place) for
    /// at most `maxSweeps` sweeps. Cues run in parallel, cue r drawing from stream
    /// (seed, r): the result does not depend on the thread count.
    ///
    /// Local fields are kept up to date rather than recomputed: from the matrix,
    /// a flip of s_i adds 2 s_i J_i to f (O(N)); storage-free, it adds 2 s_i xi_i to
    /// the pattern dot products d = Xi s (O(P)), and f_i = (xi_i . d) / N - (P/N) s_i - theta_i
    /// costs O(P). The starting fields of all cues come from one sgemm.
    public func recall(
        _ states: UnsafeMutableBufferPointer<Int8>, dynamics: HopfieldDynamics, temperature: Double = 0, maxSweeps: Int,
        seed: UInt64, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> RecallReport {
        let rows = try checkStates(UnsafeBufferPointer(states), "states")
        guard maxSweeps >= 1, maxSweeps <= 1 << 30 else { throw .invalid("sweeps must be in [1, 2^30], got \(maxSweeps)") }
        guard temperature.isFinite, temperature >= 0 else { throw EngineError(.nonFinite, "temperature must be finite and >= 0, got \(temperature)") }
        if dynamics == .glauber && !(temperature > 0) { throw .invalid("glauber dynamics needs a temperature > 0, got \(temperature)") }
        var report = RecallReport(outcomes: [RecallOutcome](repeating: .sweepLimit, count: rows), sweeps: [Int](repeating: 0, count: rows))
        guard rows > 0 else { return report }
        guard monitor.start() else { try monitor.checkNotStopped(); return report }
        if dynamics == .synchronous {
            synchronous(states, rows: rows, maxSweeps: maxSweeps, report: &report, monitor: monitor)
        } else {
            let n = neuronCount, width = usesMatrix ? n : patternCount
            // Starting fields (matrix) or pattern dot products (storage-free), all cues at once.
            var start = [Float](repeating: 0, count: rows * width)
            var s = [Float](repeating: 0, count: rows * n)
            for k in 0..<(rows * n) { s[k] = Float(states[k]) }
            if width > 0 {
                (usesMatrix ? matrix : patterns).withUnsafeBufferPointer { b in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: width, k: n, alpha: 1, a: s, lda: n,
                               b: b.baseAddress!, ldb: n, beta: 0, c: &start, ldc: width)
                }
            }
            let output = SharedPointer(states.baseAddress!)
            let inverseT = dynamics == .glauber ? Float(2 / temperature) : 0
            report.outcomes.withUnsafeMutableBufferPointer { outcomes in report.sweeps.withUnsafeMutableBufferPointer { sweeps in
            s.withUnsafeMutableBufferPointer { s in start.withUnsafeMutableBufferPointer { start in
                let outcomes = SharedPointer(outcomes.baseAddress!), sweeps = SharedPointer(sweeps.baseAddress!)
                let s = SharedPointer(s.baseAddress!), start = SharedPointer(start.baseAddress!)
                Parallel.forEach(rows, parallel: rows > 1 && n * max(width, 64) >= 1 << 14) { r in
                    guard !monitor.isStopped else { return }
                    var random = RandomStream(seed: seed, stream: UInt64(r))
                    let state = s.base + r * n, fields = start.base + r * width
                    var order = Array(0..<n)
                    var done = 0
                    for sweep in 0..<maxSweeps {
                        for k in stride(from: n - 1, to: 0, by: -1) {
                            order.swapAt(k, Int(random.next().multipliedFullWidth(by: UInt64(k + 1)).high))
                        }
                        var flips = 0
                        for i in order {
                            let uniform = inverseT > 0 ? Float(random.next() >> 40) * 0x1p-24 : 0
                            if update(i, state, fields, inverseTemperature: inverseT, uniform: uniform) { flips += 1 }
                        }
                        done = sweep + 1
                        if inverseT == 0 && flips == 0 { outcomes[r] = .fixedPoint; break }
                        if monitor.isStopped { break }
                    }
                    sweeps[r] = done
                    for i in 0..<n { output[r * n + i] = state[i] > 0 ? 1 : -1 }
                    _ = monitor.advance(by: 1)
                }
            } } } }
        }
        try monitor.finish()
        return report
    }

    /// One asynchronous update of neuron i of `state` (+-1 floats) with its kept
    /// `fields` (the local fields J s, or the pattern dot products Xi s when
    /// storage-free): at zero `inverseTemperature` s_i <- sign(f_i) (zero keeps it),
    /// else s_i = +1 when `uniform` < 1 / (1 + e^{-inverseTemperature f_i})
    /// (inverseTemperature = 2/T). Returns whether s_i flipped, having updated the fields.
    @inline(__always)
    func update(_ i: Int, _ state: UnsafeMutablePointer<Float>, _ fields: UnsafeMutablePointer<Float>,
                inverseTemperature: Float, uniform: Float) -> Bool {
        let n = neuronCount, p = patternCount
        let current = state[i]
        var field: Float
        if !matrix.isEmpty {
            field = fields[i] - thresholds[i]
        } else {
            var sum: Float = 0
            patterns.withUnsafeBufferPointer { xi in
                let xi = xi.baseAddress!
                for mu in 0..<p { sum += xi[mu * n + i] * fields[mu] }
            }
            field = sum / Float(n) - Float(p) / Float(n) * current - thresholds[i]
        }
        let next: Float
        if inverseTemperature > 0 {
            next = uniform < 1 / (1 + UnitKernels.exp(-inverseTemperature * field)) ? 1 : -1
        } else {
            next = field > 0 ? 1 : (field < 0 ? -1 : current)
        }
        guard next != current else { return false }
        state[i] = next
        let step = 2 * next
        if !matrix.isEmpty {
            matrix.withUnsafeBufferPointer { j in
                let row = j.baseAddress! + i * n  // J is symmetric: row i is column i
                for k in 0..<n { fields[k] += step * row[k] }
            }
        } else {
            patterns.withUnsafeBufferPointer { xi in
                let xi = xi.baseAddress!
                for mu in 0..<p { fields[mu] += step * xi[mu * n + i] }
            }
        }
        return true
    }

    /// The local fields to keep for `update` from a +-1 float state: J s (matrix) or Xi s.
    func keptFields(_ state: UnsafePointer<Float>) -> [Float] {
        let n = neuronCount, width = matrix.isEmpty ? patternCount : n
        var out = [Float](repeating: 0, count: width)
        (matrix.isEmpty ? patterns : matrix).withUnsafeBufferPointer { b in
            for w in 0..<width {
                var sum: Float = 0
                for k in 0..<n { sum += b[w * n + k] * state[k] }
                out[w] = sum
            }
        }
        return out
    }

    /// Synchronous sweeps of all cues at once: F = S J^T (or (S Xi^T) Xi / N - (P/N) S)
    /// by sgemm, s <- sign(F - theta) (zero keeps), until every cue is at a fixed
    /// point or in a 2-cycle (its state equal to the one two sweeps back); finished
    /// cues stop changing.
    private func synchronous(_ states: UnsafeMutableBufferPointer<Int8>, rows: Int, maxSweeps: Int,
                             report: inout RecallReport, monitor: WorkMonitor) {
        let n = neuronCount, p = patternCount
        var current = [Float](repeating: 0, count: rows * n), previous = current, fields = current
        var dots = [Float](repeating: 0, count: rows * max(p, 1))
        for k in 0..<(rows * n) { current[k] = Float(states[k]) }
        previous = current
        var active = [Bool](repeating: true, count: rows), remaining = rows
        for sweep in 0..<maxSweeps where remaining > 0 {
            if !matrix.isEmpty {
                matrix.withUnsafeBufferPointer { j in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: n, k: n, alpha: 1, a: current, lda: n,
                               b: j.baseAddress!, ldb: n, beta: 0, c: &fields, ldc: n)
                }
            } else if p > 0 {
                patterns.withUnsafeBufferPointer { xi in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: p, k: n, alpha: 1, a: current, lda: n,
                               b: xi.baseAddress!, ldb: n, beta: 0, c: &dots, ldc: p)
                    BLAS.sgemm(transA: false, transB: false, m: rows, n: n, k: p, alpha: 1 / Float(n), a: dots, lda: p,
                               b: xi.baseAddress!, ldb: n, beta: 0, c: &fields, ldc: n)
                }
                for k in 0..<(rows * n) { fields[k] -= Float(p) / Float(n) * current[k] }
            } else {
                for k in fields.indices { fields[k] = 0 }
            }
            for r in 0..<rows where active[r] {
                var changed = false, cycles = true
                for i in 0..<n {
                    let k = r * n + i, f = fields[k] - thresholds[i], s = current[k]
                    let next: Float = f > 0 ? 1 : (f < 0 ? -1 : s)
                    changed = changed || next != s
                    cycles = cycles && next == previous[k]
                    fields[k] = next  // the new state, swapped in below
                }
                report.sweeps[r] = sweep + 1
                if !changed {
                    report.outcomes[r] = .fixedPoint
                } else if cycles && sweep > 0 {
                    report.outcomes[r] = .twoCycle
                }
                for i in 0..<n {
                    previous[r * n + i] = current[r * n + i]
                    current[r * n + i] = fields[r * n + i]
                }
                if report.outcomes[r] != .sweepLimit { active[r] = false; remaining -= 1 }
            }
            if monitor.isStopped { break }
        }
        for k in 0..<(rows * n) { states[k] = current[k] > 0 ? 1 : -1 }
        _ = monitor.advance(by: Int64(rows))
    }
}
