import Glibc

/// Population annealing (Hukushima & Iba 2003; Machta 2010; Wang, Machta & Katzgraber
/// 2015): a population of R replicas cooled from beta = 0 (uniform spins, Z = 2^N),
/// at each new beta reweighted by w_r = e^{-(beta_k - beta_{k-1}) E_r}, resampled in
/// proportion to w, then swept. The mean weight Q_k estimates Z(beta_k) / Z(beta_{k-1}),
/// so
///
///     log Z(beta_k) = N ln 2 + sum_{j <= k} log Q_j
///
/// at every beta of the schedule, and the population's mean energy is <E> there.
///
/// M independent populations give the error bars: log Z combines them as the log of
/// the mean of their Z estimates (Machta's weighted average), with the delta-method
/// error across populations; <E> is the mean over all replicas, its error the spread
/// of the population means. Diagnostics per beta, averaged over populations: the
/// family entropy S_f = -sum_i nu_i ln nu_i (nu_i the fraction of replicas descended
/// from initial replica i; e^{S_f} families survive) and the reweighting's effective
/// sample size (sum w)^2 / sum w^2 as a fraction of R.
///
/// Resampling is systematic (one uniform per step: replica r gets floor(c_r + u) -
/// floor(c_{r-1} + u) copies, c the cumulative normalised weight times R), so R stays
/// fixed. Every replica's sweeps at step k draw from their own stream, keyed by
/// (population, step, replica): results do not depend on the thread count.
public enum PopulationAnnealing {
    public struct Result: Sendable {
        public let betas: [Double]
        public let logZ: [Double]
        public let logZError: [Double]
        public let energy: [Double]
        public let energyError: [Double]
        public let familyEntropy: [Double]
        public let effectiveFraction: [Double]
    }

    /// The largest number of independent populations.
    public static let maxPopulations = 4096

    /// Anneals `populations` populations of `replicas` replicas along `betas` (from 0,
    /// increasing), `sweeps` sweeps of `algorithm` (Metropolis or heat bath, in index
    /// order) after each resampling.
    /// - Throws: INVALID_ARGUMENT for a schedule not starting at 0 or not increasing,
    ///   fewer than 2 replicas or populations, sweeps outside [1, 2^30]; UNSUPPORTED for
    ///   a cluster algorithm; NON_FINITE; OUT_OF_MEMORY; CANCELLED.
    public static func run(_ model: IsingModel, betas: [Double], replicas: Int, populations: Int, sweeps: Int,
                           algorithm: MonteCarloAlgorithm, seed: UInt64, monitor: WorkMonitor = .none()) throws(EngineError) -> Result {
        let acceptance = try AnnealingFromZero.acceptance(model, betas, algorithm, "population annealing")
        guard replicas >= 2 else { throw .invalid("replicas must be >= 2, got \(replicas)") }
        try Limit.chains.check(replicas, "replicas")
        guard populations >= 2, populations <= maxPopulations else {
            throw .invalid("populations must be in [2, \(maxPopulations)] (the error bars come from their spread), got \(populations)")
        }
        try Limit.iterations.check(sweeps, "sweeps")
        let n = model.spinCount, steps = betas.count
        let running = min(populations, Parallel.maxThreads)
        try Memory.reserve([(running * replicas * n, 2 * 16), (populations * steps, 8 * 5)],
                           for: "\(running) populations of \(replicas) replicas of \(n) spins")
        guard monitor.start(total: WorkMonitor.product(populations, replicas, steps - 1, sweeps)) else {
            try monitor.checkNotStopped()
            return Result(betas: betas, logZ: [], logZError: [], energy: [], energyError: [], familyEntropy: [], effectiveFraction: [])
        }
        // Per population and step: log Z, mean energy, family entropy, ESS fraction.
        var traces = [Trace](repeating: Trace(steps: 0), count: populations)
        traces.withUnsafeMutableBufferPointer { traces in
            let out = SharedPointer(traces.baseAddress!)
            Parallel.forEach(populations, parallel: populations > 1) { p in
                if monitor.isStopped { return }
                out[p] = anneal(model, betas, acceptance, replicas: replicas, sweeps: sweeps, population: p, seed: seed, monitor: monitor)
            }
        }
        try monitor.finish()
        return combine(betas, traces)
    }

    /// One population's history.
    struct Trace: Sendable {
        var logZ: [Double], energy: [Double], familyEntropy: [Double], effectiveFraction: [Double]
        init(steps: Int) {
            logZ = [Double](repeating: 0, count: steps)
            energy = logZ; familyEntropy = logZ; effectiveFraction = logZ
        }
    }

    /// The stream of replica r's sweeps at step k of population p (the resampling's
    /// stream is r = 2^24 - 1, beyond every replica).
    static func stream(_ p: Int, _ k: Int, _ r: Int) -> UInt64 { UInt64(p) << 52 | UInt64(k) << 24 | UInt64(r) }

    static func anneal(_ model: IsingModel, _ betas: [Double], _ acceptance: [Acceptance], replicas: Int, sweeps: Int,
                       population p: Int, seed: UInt64, monitor: WorkMonitor) -> Trace {
        let n = model.spinCount, steps = betas.count
        var trace = Trace(steps: steps)
        var chains = (0..<replicas).map { SpinChain(model: model, random: RandomStream(seed: seed, stream: stream(p, 0, $0))) }
        var family = Array(0..<replicas)
        let sites = (0..<n).map(Int32.init), dense = model.denseCouplings(), drifts = !model.hasIntegerParameters
        trace.logZ[0] = Double(n) * M_LN2
        trace.energy[0] = chains.reduce(0) { $0 + $1.energy } / Double(replicas)
        trace.familyEntropy[0] = log(Double(replicas))
        trace.effectiveFraction[0] = 1
        var logWeights = [Double](repeating: 0, count: replicas)
        // The resampled population is written into a second set of chains (each with
        // its own arrays, allocated once) and the two are swapped: no allocation per step.
        var next = chains.map { SpinChain(copying: $0) }, nextFamily = family
        for k in 1..<steps {
            if monitor.isStopped { break }
            // Reweight: log Q_k = log mean w, w_r = e^{-(beta_k - beta_{k-1}) E_r}.
            let step = betas[k] - betas[k - 1]
            for r in 0..<replicas { logWeights[r] = -step * chains[r].energy }
            let top = logWeights.max()!
            var sum = 0.0, squares = 0.0
            for r in 0..<replicas {
                let w = exp(logWeights[r] - top)
                logWeights[r] = w
                sum += w
                squares += w * w
            }
            trace.logZ[k] = trace.logZ[k - 1] + top + log(sum / Double(replicas))
            trace.effectiveFraction[k] = sum * sum / squares / Double(replicas)
            // Systematic resampling.
            var resampler = RandomStream(seed: seed, stream: stream(p, k, (1 << 24) - 1))
            let u = resampler.uniform()
            var cumulative = 0.0, placed = 0
            for r in 0..<replicas {
                cumulative += logWeights[r] / sum * Double(replicas)
                let upTo = r == replicas - 1 ? replicas : min(replicas, Int((cumulative + u).rounded(.down)))
                while placed < upTo {
                    next[placed].copyState(from: chains[r])
                    nextFamily[placed] = family[r]
                    placed += 1
                }
            }
            swap(&chains, &next)
            swap(&family, &nextFamily)
            // Sweep every replica at beta_k from its own stream.
            sites.withUnsafeBufferPointer { sites in
                for r in 0..<replicas {
                    chains[r].random = RandomStream(seed: seed, stream: stream(p, k, r))
                    var done = 0
                    AnnealingFromZero.sweep(&chains[r], model, acceptance[k], sweeps, sites, dense, drifts: drifts, done: &done)
                    if drifts { chains[r].refresh(model) }
                }
            }
            _ = monitor.advance(by: Int64(replicas * sweeps))
            trace.energy[k] = chains.reduce(0) { $0 + $1.energy } / Double(replicas)
            // Family entropy: -sum nu ln nu over the surviving families.
            var counts = [Int](repeating: 0, count: replicas)
            for f in family { counts[f] += 1 }
            trace.familyEntropy[k] = -counts.reduce(0.0) { entropy, count in
                guard count > 0 else { return entropy }
                let nu = Double(count) / Double(replicas)
                return entropy + nu * log(nu)
            }
        }
        return trace
    }

    /// Combines the populations: log Z as the log mean of their Z, with the delta-method
    /// error; <E> as the mean of their means, with the standard error of that mean.
    static func combine(_ betas: [Double], _ traces: [Trace]) -> Result {
        let m = Double(traces.count), steps = betas.count
        var logZ = [Double](), logZError = [Double](), energy = [Double](), energyError = [Double]()
        var entropy = [Double](), effective = [Double]()
        for k in 0..<steps {
            let values = traces.map { $0.logZ[k] }
            let top = values.max()!
            let scaled = values.map { exp($0 - top) }
            let mean = scaled.reduce(0, +) / m
            let variance = scaled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)
            logZ.append(top + log(mean))
            logZError.append(sqrt(variance / m) / mean)
            let energies = traces.map { $0.energy[k] }
            let e = energies.reduce(0, +) / m
            energy.append(e)
            energyError.append(sqrt(energies.reduce(0) { $0 + ($1 - e) * ($1 - e) } / (m - 1) / m))
            entropy.append(traces.reduce(0) { $0 + $1.familyEntropy[k] } / m)
            effective.append(traces.reduce(0) { $0 + $1.effectiveFraction[k] } / m)
        }
        return Result(betas: betas, logZ: logZ, logZError: logZError, energy: energy, energyError: energyError,
                      familyEntropy: entropy, effectiveFraction: effective)
    }
}

extension SpinChain {
    /// A chain with the same state in arrays of its own (not shared copy-on-write).
    init(copying other: SpinChain) {
        self = other
        spins = Array(unsafeUninitializedCapacity: other.spins.count) { buffer, count in
            _ = buffer.initialize(from: other.spins)
            count = other.spins.count
        }
        local = Array(unsafeUninitializedCapacity: other.local.count) { buffer, count in
            _ = buffer.initialize(from: other.local)
            count = other.local.count
        }
    }

    /// Take `other`'s spins, local fields, energy and magnetisation into this chain's own
    /// arrays (same sizes), without allocating.
    mutating func copyState(from other: SpinChain) {
        spins.withUnsafeMutableBufferPointer { to in other.spins.withUnsafeBufferPointer { _ = to.update(fromContentsOf: $0) } }
        local.withUnsafeMutableBufferPointer { to in other.local.withUnsafeBufferPointer { _ = to.update(fromContentsOf: $0) } }
        energy = other.energy
        magnetization = other.magnetization
    }
}
