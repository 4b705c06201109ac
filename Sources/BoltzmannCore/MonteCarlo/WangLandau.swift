import Glibc

/// The density of states g(E) of any Ising model by Wang-Landau sampling with
/// Belardinelli and Pereyra's 1/t refinement, from independent runs whose spread is
/// the error.
///
/// A walk of single-spin flips accepted with min(1, g(E) / g(E')) visits every energy
/// equally once g is right; each visit multiplies the current bin's estimate by f
/// (ln g(E) += ln f). Wang and Landau (2001) halve ln f whenever the visit histogram
/// is flat (every visited bin at least `flatness` of the mean); Belardinelli and
/// Pereyra (2007) showed that this saturates, and that once ln f falls below 1/t
/// (t in sweeps) setting ln f = 1/t from then on converges, with error ~ t^(-1/2).
/// A run ends when 1/t reaches `finalLogF`.
///
/// Energies are binned: width 1 for a model with whole-number couplings and fields
/// (exact levels; bins a parity rule never reaches stay unvisited and are left out),
/// else the caller's width. Each run's g is normalised so that sum_E g(E) = 2^N;
/// the result is the mean of ln g over runs with its standard error, and log Z(beta)
/// is estimated per run and averaged, so its error carries the runs' correlations
/// across bins.
public enum WangLandau {
    public struct Options: Sendable {
        /// Energy bin width (0: 1, for models with whole-number parameters only).
        public var binWidth = 0.0
        /// Independent runs (>= 2: their spread is the error).
        public var runs = 4
        /// Each run ends when ln f = 1/t falls to this.
        public var finalLogF = 1e-6
        /// A histogram is flat when every visited bin has at least this fraction of the
        /// mean count.
        public var flatness = 0.8
        /// The most sweeps a run may take (it then reports not converged).
        public var maxSweeps = 100_000_000
        public var seed: UInt64 = 0
        public init() {}
    }

    public struct Result: Sendable {
        /// Bin centres visited by every run, ascending.
        public let energies: [Double]
        /// Mean over runs of ln g(E), each run normalised to sum g = 2^N, and its
        /// standard error.
        public let logG: [Double]
        public let logGError: [Double]
        /// Each run's ln g on `energies` (runs x bins, row-major).
        public let runLogG: [Double]
        public let runs: Int
        /// Sweeps each run took, and whether every run reached `finalLogF`.
        public let sweeps: [Int]
        public let converged: Bool
        public let spinCount: Int

        /// log Z(beta) = log sum_E g(E) e^(-beta E) per run, averaged, with the standard
        /// error over runs; U and C from the mean ln g.
        public func thermodynamics(betas: [Double]) -> (table: ThermodynamicTable, logZError: [Double]) {
            WangLandau.thermodynamics(energies: energies, runLogG: runLogG, runs: runs, betas: betas)
        }

        static func logSumExp(_ values: [Double]) -> Double {
            guard let top = values.max(), top > -.infinity else { return -.infinity }
            return top + log(values.reduce(0) { $0 + exp($1 - top) })
        }
    }

    /// Thermodynamics from runs' ln g (runs x energies.count, row-major): log Z per run,
    /// averaged, with its standard error over runs; U and C from the mean ln g.
    public static func thermodynamics(energies: [Double], runLogG: [Double], runs: Int, betas: [Double])
        -> (table: ThermodynamicTable, logZError: [Double]) {
            let logG = (0..<energies.count).map { b in (0..<runs).reduce(0.0) { $0 + runLogG[$1 * energies.count + b] } / Double(runs) }
            var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
            var errors: [Double] = []
            let bins = energies.count
            for beta in betas {
                var values: [Double] = []
                for r in 0..<runs {
                    let row = Array(runLogG[(r * bins)..<((r + 1) * bins)])
                    values.append(Result.logSumExp(zip(row, energies).map { $0 - beta * $1 }))
                }
                let mean = values.reduce(0, +) / Double(runs)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs - 1)
                // Moments of E from the mean ln g.
                let weights = zip(logG, energies).map { $0 - beta * $1 }, top = weights.max() ?? 0
                var z = 0.0, e1 = 0.0, e2 = 0.0
                for (w, e) in zip(weights, energies) { let p = exp(w - top); z += p; e1 += p * e; e2 += p * e * e }
                let u = e1 / z
                table.logZ.append(mean)
                table.freeEnergy.append(beta == 0 ? .nan : -mean / beta)
                table.energy.append(u)
                table.entropy.append(mean + beta * u)
                table.heatCapacity.append(beta * beta * max(0, e2 / z - u * u))
                errors.append((variance / Double(runs)).squareRoot())
            }
            return (table, errors)
    }

    /// The bins of [-B, B] for a bin width (0: 1, whole-number models only).
    /// - Throws: INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED (over 2^24 bins).
    public static func binCount(_ model: IsingModel, binWidth: Double) throws(EngineError) -> Int {
        try Check.finite(binWidth, "bin_width")
        guard binWidth >= 0 else { throw .invalid("bin_width must be >= 0 (0: 1 for whole-number models), got \(binWidth)") }
        guard binWidth > 0 || model.hasIntegerParameters else {
            throw .invalid("bin_width 0 (exact levels) needs whole-number couplings and fields; give a bin width for this model")
        }
        let width = binWidth > 0 ? binWidth : 1, span = 2 * model.energyBound / width
        guard span < Double(1 << 24) else {
            throw EngineError(.limitExceeded, "the energy range [-\(model.energyBound), \(model.energyBound)] in bins of \(width) is more than 2^24 bins; widen the bins")
        }
        return Int(span.rounded(.down)) + 1
    }

    /// Runs `options.runs` independent walks (run r on stream r of the seed, in
    /// parallel; results do not depend on the thread count).
    /// - Throws: INVALID_ARGUMENT for a bin width below 0 or non-finite, a width of 0
    ///   on a model with fractional parameters, runs < 2, finalLogF outside (0, 1),
    ///   flatness outside (0, 1), maxSweeps < 1; LIMIT_EXCEEDED for more than 2^24 bins;
    ///   CANCELLED.
    public static func run(_ model: IsingModel, options: Options = Options(),
                           monitor: WorkMonitor = .none()) throws(EngineError) -> Result {
        let binCount = try binCount(model, binWidth: options.binWidth)
        try Check.finite(options.finalLogF, "final_log_f")
        try Check.finite(options.flatness, "flatness")
        guard options.runs >= 2 else { throw .invalid("runs must be >= 2 (their spread is the error), got \(options.runs)") }
        try Limit.chains.check(options.runs, "runs")
        guard options.finalLogF > 0, options.finalLogF < 1 else { throw .invalid("final_log_f must be in (0, 1), got \(options.finalLogF)") }
        guard options.flatness > 0, options.flatness < 1 else { throw .invalid("flatness must be in (0, 1), got \(options.flatness)") }
        guard options.maxSweeps >= 1 else { throw .invalid("max_sweeps must be >= 1, got \(options.maxSweeps)") }
        let width = options.binWidth > 0 ? options.binWidth : 1
        let low = -model.energyBound
        try Memory.reserve(options.runs * binCount, bytesEach: 8 * 3, for: "Wang-Landau's histograms (\(options.runs) runs x \(binCount) bins)")
        guard monitor.start(total: WorkMonitor.product(options.runs, min(options.maxSweeps, Int(1 / options.finalLogF) * 4))) else {
            try monitor.checkNotStopped()
            return Result(energies: [], logG: [], logGError: [], runLogG: [], runs: 0, sweeps: [], converged: false, spinCount: model.spinCount)
        }
        var walks = [Walk?](repeating: nil, count: options.runs)
        walks.withUnsafeMutableBufferPointer { walks in
            let out = SharedPointer(walks.baseAddress!)
            Parallel.forEach(options.runs) { r in
                out[r] = Walk.run(model, low: low, width: width, bins: binCount, options: options, stream: UInt64(r), monitor: monitor)
            }
        }
        try monitor.checkNotStopped()
        try monitor.finish()
        // Bins every run visited; each run normalised to sum g = 2^N over them.
        let done = walks.map { $0! }
        let kept = (0..<binCount).filter { b in done.allSatisfy { $0.visited[b] } }
        let n = Double(model.spinCount) * M_LN2
        var runLogG: [Double] = []
        for walk in done {
            let row = kept.map { walk.logG[$0] }
            let shift = n - Result.logSumExp(row)
            runLogG += row.map { $0 + shift }
        }
        let runs = done.count, bins = kept.count
        var mean = [Double](repeating: 0, count: bins), error = [Double](repeating: 0, count: bins)
        for b in 0..<bins {
            let values = (0..<runs).map { runLogG[$0 * bins + b] }
            let m = values.reduce(0, +) / Double(runs)
            mean[b] = m
            error[b] = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(runs - 1) / Double(runs)).squareRoot()
        }
        return Result(energies: kept.map { low + Double($0) * width }, logG: mean, logGError: error, runLogG: runLogG, runs: runs,
                      sweeps: done.map(\.sweeps), converged: done.allSatisfy(\.converged), spinCount: model.spinCount)
    }

    /// One walk's ln g, visited bins, sweeps and whether it reached the final ln f.
    struct Walk: Sendable {
        var logG: [Double]
        var visited: [Bool]
        var sweeps = 0
        var converged = false

        static func run(_ model: IsingModel, low: Double, width: Double, bins: Int, options: Options, stream: UInt64,
                        monitor: WorkMonitor) -> Walk {
            var walk = Walk(logG: [Double](repeating: 0, count: bins), visited: [Bool](repeating: false, count: bins))
            var histogram = [Int](repeating: 0, count: bins)
            var chain = SpinChain(model: model, random: RandomStream(seed: options.seed, stream: stream))
            let n = model.spinCount, integer = model.hasIntegerParameters
            @inline(__always) func bin(_ energy: Double) -> Int { min(bins - 1, max(0, Int(((energy - low) / width).rounded()))) }
            var current = bin(chain.energy)
            var logF = 1.0, refining = false
            let checkEvery = max(1, 10_000 / max(n, 1))
            while walk.sweeps < options.maxSweeps {
                chain.spins.withUnsafeMutableBufferPointer { s in
                chain.local.withUnsafeMutableBufferPointer { f in
                walk.logG.withUnsafeMutableBufferPointer { logG in
                histogram.withUnsafeMutableBufferPointer { histogram in
                walk.visited.withUnsafeMutableBufferPointer { visited in
                model.rowStart.withUnsafeBufferPointer { rowStart in
                model.neighbour.withUnsafeBufferPointer { neighbour in
                model.weight.withUnsafeBufferPointer { weight in
                    for _ in 0..<n {
                        let i = Int(chain.random.next().multipliedFullWidth(by: UInt64(n)).high)
                        let old = s[i], proposed = chain.energy + 2 * old * f[i]
                        let target = bin(proposed)
                        let log = logG[current] - logG[target]
                        if log >= 0 || chain.random.uniform() < exp(log) {
                            s[i] = -old
                            chain.energy = proposed
                            let change = -2 * old
                            for k in rowStart[i]..<rowStart[i + 1] { f[Int(neighbour[k])] += change * weight[k] }
                            current = target
                        }
                        logG[current] += logF
                        histogram[current] += 1
                        visited[current] = true
                    }
                }}}}}}}}
                walk.sweeps += 1
                if !integer && walk.sweeps % 1024 == 0 { chain.refresh(model); current = bin(chain.energy) }
                let t = Double(walk.sweeps)
                if refining {
                    logF = 1 / t
                    if logF <= options.finalLogF { walk.converged = true; break }
                } else if walk.sweeps % checkEvery == 0 {
                    var total = 0, count = 0, least = Int.max
                    for b in 0..<bins where walk.visited[b] { total += histogram[b]; count += 1; least = min(least, histogram[b]) }
                    if Double(least) >= options.flatness * Double(total) / Double(count) {
                        logF /= 2
                        for b in 0..<bins { histogram[b] = 0 }
                    }
                    if logF < 1 / t { refining = true; logF = 1 / t }
                }
                if walk.sweeps % 64 == 0 {
                    if monitor.isStopped { break }
                    _ = monitor.advance(by: 64)
                }
            }
            return walk
        }
    }
}
