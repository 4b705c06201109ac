import Glibc

/// Update rules of `HopfieldNetwork.recall`.
public enum HopfieldDynamics: Sendable {
    /// One neuron at a time in a fresh random order each sweep, s_i <- sign(f_i)
    /// (a zero field keeps s_i): E never increases; stops at a fixed point.
    case asynchronous
    /// All neurons at once from the previous state: may end in a 2-cycle, which is
    /// detected and reported.
    case synchronous
    /// Asynchronous stochastic updates at temperature T: s_i = +1 with probability
    /// 1 / (1 + e^{-2 f_i / T}); runs every sweep asked for.
    case glauber
}

/// How one cue's recall ended.
public enum RecallOutcome: Sendable {
    case fixedPoint
    /// Synchronous dynamics alternating between two states (the last one is returned).
    case twoCycle
    /// The sweep limit was reached (always, for Glauber dynamics).
    case sweepLimit
}

/// What `recall` returns besides the final states: per cue, how it ended and after
/// how many sweeps (a sweep is N neuron updates; the last one, which changed
/// nothing at a fixed point, counts).
public struct RecallReport: Sendable {
    public var outcomes: [RecallOutcome]
    public var sweeps: [Int]
}

extension HopfieldNetwork {
    /// Cues per block of asynchronous recall: a block's states and kept fields (2 x 32
    /// x N floats, 1 MiB at N = 4096) stay in cache while each coupling row is read
    /// once for all of them (N = 4096, P = 400, 1000 cues: 0.75 s one cue at a time, 0.36-0.5 s in
    /// blocks of 32; 16 was slower, 64 no faster).
    static let recallBlock = 32

    /// Runs `dynamics` from each cue (rows of `states`, +-1, updated in place) for
    /// at most `maxSweeps` sweeps.
    ///
    /// Asynchronous and Glauber sweeps visit the neurons in a fresh random order per
    /// sweep, the same for every cue (drawn from stream (seed, 0)); Glauber cue r
    /// draws its acceptances from stream (seed, r + 1). Cues run in blocks of
    /// `recallBlock`, in parallel: neuron by neuron, every cue of a block is updated,
    /// so the neuron's couplings come from memory once per block, not once per cue.
    /// A cue at a fixed point stops (further sweeps would not change it, whatever
    /// the order). The result does not depend on the thread count; at zero
    /// temperature a cue's recall does not depend on the rest of the batch either.
    ///
    /// Local fields are kept up to date rather than recomputed: from the matrix, a
    /// flip of s_i adds 2 s_i J_i to f (O(N)); storage-free, it adds 2 s_i xi_i to
    /// the pattern dot products d = Xi s (O(P)), and f_i = (xi_i . d) / N - (P/N) s_i - theta_i
    /// costs O(P). The starting fields of all cues come from sgemm: F = S J, or for
    /// Hebb with 2P < N the cheaper F = (S Xi^T) Xi / N - (P/N) S.
    public func recall(
        _ states: UnsafeMutableBufferPointer<Int8>, dynamics: HopfieldDynamics, temperature: Double = 0, maxSweeps: Int,
        seed: UInt64, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> RecallReport {
        let rows = try checkStates(UnsafeBufferPointer(states), "states")
        try Limit.iterations.check(maxSweeps, "sweeps")
        guard temperature.isFinite, temperature >= 0 else { throw EngineError(.nonFinite, "temperature must be finite and >= 0, got \(temperature)") }
        if dynamics == .glauber && !(temperature > 0) { throw .invalid("glauber dynamics needs a temperature > 0, got \(temperature)") }
        var report = RecallReport(outcomes: [RecallOutcome](repeating: .sweepLimit, count: rows), sweeps: [Int](repeating: 0, count: rows))
        guard rows > 0 else { return report }
        guard monitor.start(total: rows) else { try monitor.checkNotStopped(); return report }
        if dynamics == .synchronous {
            synchronous(states, rows: rows, maxSweeps: maxSweeps, report: &report, monitor: monitor)
        } else {
            asynchronous(states, rows: rows, inverseTemperature: dynamics == .glauber ? Float(2 / temperature) : 0,
                         maxSweeps: maxSweeps, seed: seed, report: &report, monitor: monitor)
        }
        try monitor.finish()
        return report
    }

    /// Calls `body(rows, width)` with the coupling rows `update` reads: row i is J_i
    /// (the matrix, width N) or xi_i = (xi^mu_i)_mu (the patterns transposed, N x P,
    /// width P, when no matrix is kept). Either way a flip of s_i adds 2 s_i row_i to
    /// the kept fields.
    func withCouplingRows<R>(_ body: (UnsafePointer<Float>, Int) -> R) -> R {
        if !matrix.isEmpty { return matrix.withUnsafeBufferPointer { body($0.baseAddress!, neuronCount) } }
        let n = neuronCount, p = patternCount
        var columns = [Float](repeating: 0, count: max(n * p, 1))
        for mu in 0..<p { for i in 0..<n { columns[i * p + mu] = patterns[mu * n + i] } }
        return columns.withUnsafeBufferPointer { body($0.baseAddress!, p) }
    }

    /// Asynchronous (zero `inverseTemperature`) or Glauber sweeps, in blocks of cues.
    private func asynchronous(_ states: UnsafeMutableBufferPointer<Int8>, rows: Int, inverseTemperature: Float, maxSweeps: Int,
                              seed: UInt64, report: inout RecallReport, monitor: WorkMonitor) {
        let n = neuronCount, p = patternCount, width = matrix.isEmpty ? p : n
        var s = [Float](repeating: 0, count: rows * n), fields = [Float](repeating: 0, count: max(rows * width, 1))
        for k in 0..<(rows * n) { s[k] = Float(states[k]) }
        startingFields(s, rows: rows, into: &fields)
        withCouplingRows { couplings, width in
            let couplings = UncheckedPointer(couplings), output = SharedPointer(states.baseAddress!)
            report.outcomes.withUnsafeMutableBufferPointer { outcomes in report.sweeps.withUnsafeMutableBufferPointer { sweeps in
            s.withUnsafeMutableBufferPointer { s in fields.withUnsafeMutableBufferPointer { fields in
                let outcomes = SharedPointer(outcomes.baseAddress!), sweeps = SharedPointer(sweeps.baseAddress!)
                let s = SharedPointer(s.baseAddress!), fields = SharedPointer(fields.baseAddress!)
                let blocks = (rows + Self.recallBlock - 1) / Self.recallBlock
                Parallel.forEach(blocks, parallel: blocks > 1 && n * max(width, 64) >= 1 << 14) { block in
                    guard !monitor.isStopped else { return }
                    let first = block * Self.recallBlock, count = min(Self.recallBlock, rows - first)
                    var orders = RandomStream(seed: seed, stream: 0)
                    var acceptances = (0..<count).map { RandomStream(seed: seed, stream: UInt64(first + $0 + 1)) }
                    var active = Array(0..<count), flips = [Int](repeating: 0, count: count)
                    var order = Array(0..<n)
                    for sweep in 0..<maxSweeps {
                        for k in stride(from: n - 1, to: 0, by: -1) {
                            order.swapAt(k, Int(orders.next().multipliedFullWidth(by: UInt64(k + 1)).high))
                        }
                        for b in active { flips[b] = 0 }
                        for i in order {
                            for b in active {
                                let uniform = inverseTemperature > 0 ? Float(acceptances[b].next() >> 40) * 0x1p-24 : 0
                                let r = first + b
                                if update(i, s.base + r * n, fields.base + r * width, couplings: couplings.base, width: width,
                                          inverseTemperature: inverseTemperature, uniform: uniform) { flips[b] += 1 }
                            }
                        }
                        for b in active { sweeps[first + b] = sweep + 1 }
                        if inverseTemperature == 0 {
                            for b in active where flips[b] == 0 { outcomes[first + b] = .fixedPoint }
                            active.removeAll { flips[$0] == 0 }
                        }
                        if active.isEmpty || monitor.isStopped { break }
                    }
                    for k in (first * n)..<((first + count) * n) { output[k] = s[k] > 0 ? 1 : -1 }
                    _ = monitor.advance(by: Int64(count))
                }
            } } } }
        }
    }

    /// The kept fields of every cue (rows x width): J s by one sgemm, or for Hebb with
    /// 2P < N by two, (S Xi^T) Xi / N - (P/N) S (2 rows P N flops instead of rows N^2);
    /// storage-free, the dot products Xi s.
    private func startingFields(_ s: [Float], rows: Int, into fields: inout [Float]) {
        let n = neuronCount, p = patternCount
        if matrix.isEmpty || (rule == .hebb && 2 * p < n) {
            guard p > 0 else { return }
            var dots = matrix.isEmpty ? [] : [Float](repeating: 0, count: rows * p)
            patterns.withUnsafeBufferPointer { xi in
                if matrix.isEmpty {
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: p, k: n, alpha: 1, a: s, lda: n,
                               b: xi.baseAddress!, ldb: n, beta: 0, c: &fields, ldc: p)
                    return
                }
                BLAS.sgemm(transA: false, transB: true, m: rows, n: p, k: n, alpha: 1, a: s, lda: n,
                           b: xi.baseAddress!, ldb: n, beta: 0, c: &dots, ldc: p)
                BLAS.sgemm(transA: false, transB: false, m: rows, n: n, k: p, alpha: 1 / Float(n), a: dots, lda: p,
                           b: xi.baseAddress!, ldb: n, beta: 0, c: &fields, ldc: n)
            }
            if !matrix.isEmpty { for k in 0..<(rows * n) { fields[k] -= Float(p) / Float(n) * s[k] } }
        } else {
            matrix.withUnsafeBufferPointer { j in
                BLAS.sgemm(transA: false, transB: true, m: rows, n: n, k: n, alpha: 1, a: s, lda: n,
                           b: j.baseAddress!, ldb: n, beta: 0, c: &fields, ldc: n)
            }
        }
    }

    /// One asynchronous update of neuron i of `state` (+-1 floats) with its kept
    /// `fields` (the local fields J s, or the pattern dot products Xi s when
    /// storage-free) and `couplings` from `withCouplingRows`: at zero
    /// `inverseTemperature` s_i <- sign(f_i) (zero keeps it), else s_i = +1 when
    /// `uniform` < 1 / (1 + e^{-inverseTemperature f_i}) (inverseTemperature = 2/T).
    /// Returns whether s_i flipped, having updated the fields.
    @inline(__always)
    func update(_ i: Int, _ state: UnsafeMutablePointer<Float>, _ fields: UnsafeMutablePointer<Float>,
                couplings: UnsafePointer<Float>, width: Int, inverseTemperature: Float, uniform: Float) -> Bool {
        let current = state[i], row = couplings + i * width
        var field: Float
        if !matrix.isEmpty {
            field = fields[i] - thresholds[i]
        } else {
            // xi_i . d: integers below 2^24, exact in any order.
            let n = Float(neuronCount), p = Float(patternCount)
            field = Self.dot(row, fields, width) / n - p / n * current - thresholds[i]
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
        for k in 0..<width { fields[k] += step * row[k] }
        return true
    }

    /// sum_k a[k] b[k], eight lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var lanes = SIMD8<Float>(repeating: 0), k = 0
        while k + 8 <= count {
            lanes += rawA.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self) * rawB.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            k += 8
        }
        var sum = lanes.sum()
        while k < count { sum += a[k] * b[k]; k += 1 }
        return sum
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
