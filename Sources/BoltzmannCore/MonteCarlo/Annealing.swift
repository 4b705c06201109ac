import Glibc

/// Simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983): independent reads, each
/// a single-spin chain from a hot start taken through a beta schedule, a fixed
/// number of sweeps at each beta, ending in a low-energy state.
public enum Annealing {
    /// Standard schedules from beta_first to beta_last in `count` steps.
    public enum Schedule: Sendable, CaseIterable {
        /// beta_j = first + (last - first) j / (count - 1).
        case linear
        /// beta_j = first (last / first)^{j / (count - 1)} (both > 0).
        case geometric
    }

    /// The betas of a schedule (count >= 1; one beta is `last`).
    public static func schedule(_ kind: Schedule, first: Double, last: Double, count: Int) throws(EngineError) -> [Double] {
        try Check.finite(first, "beta_first")
        try Check.finite(last, "beta_last")
        guard first >= 0, last >= 0 else { throw .invalid("betas must be >= 0, got \(first) and \(last)") }
        try Limit.iterations.check(count, "n")
        if kind == .geometric { guard first > 0, last > 0 else { throw .invalid("a geometric schedule needs betas > 0, got \(first) and \(last)") } }
        guard count > 1 else { return [last] }
        return (0..<count).map { j in
            let t = Double(j) / Double(count - 1)
            switch kind {
            case .linear: return j == count - 1 ? last : first + (last - first) * t
            case .geometric: return j == count - 1 ? last : first * pow(last / first, t)
            }
        }
    }

    /// A default beta range from the model's scales (as dwave-samplers chooses
    /// its own): hot = ln 2 / dE_max, where the largest possible single-flip energy
    /// change dE_max = 2 max_i (sum_j |J_ij| + |h_i|) is accepted with probability 1/2;
    /// cold = ln 100 / dE_min, where dE_min = 2 min |J_ij|, |h_i| over the nonzero
    /// parameters is accepted with probability 1/100. (1, 1) for a model with none.
    public static func defaultBetaRange(_ model: IsingModel) -> (hot: Double, cold: Double) {
        var largest = 0.0, smallest = Double.infinity
        for i in 0..<model.spinCount {
            var sum = abs(model.fields[i])
            if model.fields[i] != 0 { smallest = min(smallest, abs(model.fields[i])) }
            for k in model.rowStart[i]..<model.rowStart[i + 1] {
                sum += abs(model.weight[k])
                smallest = min(smallest, abs(model.weight[k]))
            }
            largest = max(largest, sum)
        }
        guard largest > 0 else { return (1, 1) }
        return (log(2) / (2 * largest), log(100) / (2 * smallest))
    }

    /// Each read's final spins (reads x N, +-1), its energy, and the index of the
    /// lowest (the first on ties).
    public struct Result: Sendable {
        public let spins: [Int8]
        public let energies: [Double]
        public let best: Int
    }

    /// Anneal `reads` chains through `betas` (each >= 0, finite), `sweepsPerBeta`
    /// sweeps of `algorithm` at each: in sequential order, or in checkerboard order on
    /// the byte-spin kernel for a periodic square lattice with one coupling and no
    /// field (`ByteLattice`). Read r draws from stream r of `seed`, so results do not
    /// depend on the thread count.
    ///
    /// `initial` (reads x N spins, +-1), when given, replaces the hot starts: read r
    /// starts from row r (its stream still draws the hot start first, so a read's later
    /// draws are the same with or without it).
    public static func anneal(_ model: IsingModel, betas: [Double], sweepsPerBeta: Int, reads: Int,
                              algorithm: MonteCarloAlgorithm, seed: UInt64, initial: [Int8]? = nil,
                              monitor: WorkMonitor = .none()) throws(EngineError) -> Result {
        guard let rule = algorithm.singleSpinRule else {
            throw EngineError(.unsupported, "annealing needs a single-spin algorithm (Metropolis or heat bath), not \(algorithm.name)")
        }
        try Check.nonEmpty(betas.count, "betas")
        for (k, beta) in betas.enumerated() {
            try Check.finite(beta, "betas[\(k)]")
            guard beta >= 0 else { throw .invalid("betas[\(k)] must be >= 0, got \(beta)") }
        }
        guard sweepsPerBeta >= 1, sweepsPerBeta <= Limit.count.value / betas.count else {
            throw .invalid("sweeps_per_beta must be in [1, 2^40 / n_betas], got \(sweepsPerBeta)")
        }
        try Limit.chains.check(reads, "reads")
        let n = model.spinCount, total = WorkMonitor.product(reads, betas.count, sweepsPerBeta)
        if let initial {
            guard initial.count == reads * n else {
                throw EngineError(.shapeMismatch, "initial has \(initial.count) spins, expected reads x n_spins = \(reads * n)")
            }
            if let k = initial.firstIndex(where: { $0 != 1 && $0 != -1 }) {
                throw .invalid("initial[\(k / n), \(k % n)] must be -1 or +1, got \(initial[k])")
            }
        }
        /// Read r's starting chain: the hot start, or row r of `initial`.
        @Sendable func start(_ r: Int) -> SpinChain {
            var chain = SpinChain(model: model, random: RandomStream(seed: seed, stream: UInt64(r)))
            if let initial {
                for i in 0..<n { chain.spins[i] = Double(initial[r * n + i]) }
                chain.refresh(model)
            }
            return chain
        }
        // The reads' final states, and each running read's spins and fields.
        try Memory.reserve([(reads * n, 1), (Parallel.hardwareThreads * n, 24)], for: "\(reads) reads of \(n) spins")
        if let lattice = ByteLattice(model) {
            let schedule = betas.map { lattice.thresholds(rule, beta: $0) }
            let threaded = reads == 1 && n >= 1 << 16
            return try runReads(reads, spinCount: n, total: total, monitor: monitor) { r in
                var chain = ByteChain(lattice, from: start(r).spins,
                                      streams: (0..<lattice.blocks).map { RandomStream(seed: seed, stream: UInt64(r) << 32 | UInt64($0 + 1)) })
                for thresholds in schedule {
                    for _ in 0..<sweepsPerBeta where !monitor.isStopped { chain.sweep(lattice, thresholds, threaded: threaded) }
                    if !monitor.advance(by: Int64(sweepsPerBeta)) { break }
                }
                return (chain.unpacked(lattice), lattice.coupling * chain.energyPerCoupling)
            }
        }
        if let dense = model.denseCouplings() {
            // Single-precision rows and fields: twice the SIMD width for the O(N)
            // field update each flip costs. Acceptance tests use exp (no tables:
            // a rounded field must not pick a table entry).
            let rows = dense.map(Float.init)
            // Float fields drift by ~1e-7 F between refreshes: ties are |dE| <= 2^-16 F
            // here, not 2^-30 F (see `Acceptance`).
            let scale = Acceptance.fieldScale(model) * 0x1p14
            let acceptance = betas.map { Acceptance(rule: rule, beta: $0, tableOffset: nil, lazyTies: scale) }
            let frozen = acceptance.map(\.frozenField)
            return try runReads(reads, spinCount: n, total: total, monitor: monitor) { r in
                var chain = start(r)
                var read = DenseRead(chain)
                var done = 0
                rows.withUnsafeBufferPointer { rows in
                    for (a, frozen) in zip(acceptance, frozen) {
                        for _ in 0..<sweepsPerBeta where !monitor.isStopped {
                            read.sweep(rows, a, frozen: frozen)
                            done += 1
                            if done % MonteCarlo.refreshInterval == 0 { read.refresh(model) }
                        }
                        if !monitor.advance(by: Int64(sweepsPerBeta)) { break }
                    }
                }
                chain.spins = read.spins.map(Double.init)
                chain.refresh(model)
                return (chain.spins.map { $0 > 0 ? 1 : -1 }, chain.energy)
            }
        }
        let offset = Acceptance.tableOffset(model), scale = Acceptance.fieldScale(model)
        let acceptance = betas.map { Acceptance(rule: rule, beta: $0, tableOffset: offset, lazyTies: scale) }
        let sites = (0..<n).map(Int32.init)
        let drifts = !model.hasIntegerParameters
        return try runReads(reads, spinCount: n, total: total, monitor: monitor) { r in
            var chain = start(r)
            var done = 0
            sites.withUnsafeBufferPointer { sites in
                for a in acceptance {
                    for _ in 0..<sweepsPerBeta where !monitor.isStopped {
                        chain.sweep(model, a, .sequential, sites)
                        done += 1
                        if drifts, done % MonteCarlo.refreshInterval == 0 { chain.refresh(model) }
                    }
                    if !monitor.advance(by: Int64(sweepsPerBeta)) { break }
                }
            }
            chain.refresh(model)
            return (chain.spins.map { $0 > 0 ? 1 : -1 }, chain.energy)
        }
    }

    /// Runs `read(r)` for every read in parallel, gathering each read's final spins
    /// and energy, and picks the best.
    private static func runReads(
        _ reads: Int, spinCount n: Int, total: Int64, monitor: WorkMonitor, _ read: @Sendable (Int) -> (spins: [Int8], energy: Double)
    ) throws(EngineError) -> Result {
        var spins = [Int8](repeating: 0, count: reads * n)
        var energies = [Double](repeating: 0, count: reads)
        guard monitor.start(total: total) else { try monitor.checkNotStopped(); return Result(spins: spins, energies: energies, best: 0) }
        spins.withUnsafeMutableBufferPointer { s in
            energies.withUnsafeMutableBufferPointer { e in
                let s = SharedPointer(s.baseAddress!), e = SharedPointer(e.baseAddress!)
                Parallel.forEach(reads, parallel: reads > 1) { r in
                    // Once stopped, the remaining reads do not start (each checks the
                    // monitor every sweep, so the running ones end within one).
                    if monitor.isStopped { return }
                    let (final, energy) = read(r)
                    for i in 0..<n { s[r * n + i] = final[i] }
                    e[r] = energy
                }
            }
        }
        try monitor.finish()
        let best = energies.indices.min { energies[$0] < energies[$1] } ?? 0
        return Result(spins: spins, energies: energies, best: best)
    }
}

/// One annealing read on a dense model in single precision: spins and local fields
/// as Float, so a flip's update of all N fields runs eight lanes wide (AVX2). The fields
/// are recomputed in double precision every `MonteCarlo.refreshInterval` sweeps, and
/// the read's final energy is exact; in between, acceptance probabilities carry
/// relative errors of order 1e-7, immaterial to an optimiser.
struct DenseRead {
    var spins: [Float]
    var local: [Float]
    var random: RandomStream

    init(_ chain: SpinChain) {
        spins = chain.spins.map(Float.init)
        local = chain.local.map(Float.init)
        random = chain.random
    }

    mutating func refresh(_ model: IsingModel) {
        for i in 0..<model.spinCount { local[i] = Float(model.localField(i) { Double(spins[$0]) }) }
    }

    /// One sequential sweep; `rows` is the N x N coupling matrix. Metropolis decides
    /// a frozen proposal (x = s_i f_i at or above `frozen`, see
    /// `Acceptance.frozenField`) from its random bits alone, as `update` would.
    mutating func sweep(_ rows: UnsafeBufferPointer<Float>, _ acceptance: Acceptance, frozen: Float) {
        let n = spins.count
        // The stream in a local: in registers for the loop, not stored back each step.
        var random = self.random
        defer { self.random = random }
        spins.withUnsafeMutableBufferPointer { s in
            local.withUnsafeMutableBufferPointer { f in
                let s = s.baseAddress!, f = f.baseAddress!, rows = rows.baseAddress!
                /// Flips spin i to `new`: the fields change by 2 new J_ij. The product is
                /// exact (2 new = +-2), so each field rounds once on any vector width.
                @inline(__always) func flip(_ i: Int, to new: Float) {
                    s[i] = new
                    VectorUnit.addScaled(f, rows + i * n, 2 * new, count: n)
                }
                if acceptance.rule == .metropolis {
                    for i in 0..<n {
                        let bits = random.next(), x = s[i] * f[i]
                        if x >= frozen ? bits >> 11 == 0 : acceptance.metropolisFlips(Double(x), bits) { flip(i, to: -s[i]) }
                    }
                } else {
                    for i in 0..<n {
                        let new = Float(acceptance.update(Double(s[i]), Double(f[i]), &random))
                        if new != s[i] { flip(i, to: new) }
                    }
                }
            }
        }
    }
}
