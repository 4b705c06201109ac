import Glibc

/// log Z of any Ising model by annealed importance sampling (Neal 2001) from infinite
/// temperature, where Z_0 = 2^N exactly and the uniform distribution is sampled exactly.
///
/// Each of R independent runs starts from uniform spins and walks a schedule
/// 0 = beta_0 < beta_1 < ... < beta_K: at step k its log weight gains
/// -(beta_k - beta_{k-1}) E(s), then s takes `sweeps` single-spin sweeps at beta_k.
/// The mean of the weights estimates Z(beta_k) / Z_0 at every k (without bias in Z;
/// log of the mean is biased low by about half its squared relative error), so one
/// pass gives log Z along the whole schedule:
///
///     log Z(beta_k) ~ N ln 2 + log (1/R sum_r w_r(k)),
///
/// with the delta-method standard error sd(w) / (sqrt(R) mean(w)) and the effective
/// sample size (sum w)^2 / sum w^2. Run r draws from stream r of `seed`: results do
/// not depend on the thread count.
public enum IsingAIS {
    /// log Z, its standard error and the effective sample size at each beta of the
    /// schedule (index 0: beta = 0, exact: error 0, ESS = R).
    public struct Result: Sendable {
        public let betas: [Double]
        public let logZ: [Double]
        public let standardError: [Double]
        public let effectiveSampleSize: [Double]
    }

    /// Runs `runs` annealing runs along `betas` (starting at 0, strictly increasing,
    /// finite), `sweeps` sweeps of `algorithm` (Metropolis or heat bath, in index
    /// order) at each beta after the first.
    /// - Throws: INVALID_ARGUMENT for a schedule that does not start at 0 or does not
    ///   increase, fewer than 2 runs, or sweeps outside [1, 2^30]; UNSUPPORTED for a
    ///   cluster algorithm; NON_FINITE; OUT_OF_MEMORY; CANCELLED.
    public static func run(_ model: IsingModel, betas: [Double], runs: Int, sweeps: Int, algorithm: MonteCarloAlgorithm,
                           seed: UInt64, monitor: WorkMonitor = .none()) throws(EngineError) -> Result {
        let acceptance = try AnnealingFromZero.acceptance(model, betas, algorithm, "annealed importance sampling")
        guard runs >= 2 else { throw .invalid("runs must be >= 2 (the standard error needs two), got \(runs)") }
        try Limit.chains.check(runs, "runs")
        try Limit.iterations.check(sweeps, "sweeps")
        let n = model.spinCount, steps = betas.count
        try Memory.reserve([(runs * steps, 8), (Parallel.hardwareThreads * n, 24)], for: "\(runs) runs' log weights at \(steps) betas")
        let dense = model.denseCouplings(), drifts = !model.hasIntegerParameters
        var logWeights = [Double](repeating: 0, count: runs * steps)
        guard monitor.start(total: WorkMonitor.product(runs, steps - 1, sweeps)) else {
            try monitor.checkNotStopped()
            return Result(betas: betas, logZ: [], standardError: [], effectiveSampleSize: [])
        }
        let sites = (0..<n).map(Int32.init)
        logWeights.withUnsafeMutableBufferPointer { w in
            let w = SharedPointer(w.baseAddress!)
            Parallel.forEach(runs, parallel: runs > 1) { r in
                if monitor.isStopped { return }
                var chain = SpinChain(model: model, random: RandomStream(seed: seed, stream: UInt64(r)))
                var logWeight = 0.0, done = 0
                w[r * steps] = 0
                sites.withUnsafeBufferPointer { sites in
                    for k in 1..<steps where !monitor.isStopped {
                        logWeight -= (betas[k] - betas[k - 1]) * chain.energy
                        w[r * steps + k] = logWeight
                        AnnealingFromZero.sweep(&chain, model, acceptance[k], sweeps, sites, dense, drifts: drifts, done: &done)
                        _ = monitor.advance(by: Int64(sweeps))
                    }
                }
            }
        }
        try monitor.finish()
        var logZ = [Double](), errors = [Double](), ess = [Double]()
        let base = Double(n) * M_LN2
        for k in 0..<steps {
            let column = (0..<runs).map { logWeights[$0 * steps + k] }
            let top = column.max()!
            let scaled = column.map { exp($0 - top) }
            let sum = scaled.reduce(0, +), squares = scaled.reduce(0) { $0 + $1 * $1 }
            let mean = sum / Double(runs)
            let variance = scaled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs - 1)
            logZ.append(base + top + log(mean))
            errors.append(sqrt(variance / Double(runs)) / mean)
            ess.append(sum * sum / squares)
        }
        return Result(betas: betas, logZ: logZ, standardError: errors, effectiveSampleSize: ess)
    }
}

/// What annealing estimators from beta = 0 share (`IsingAIS`, `PopulationAnnealing`).
enum AnnealingFromZero {
    /// Each beta's acceptance, after checking the schedule: finite, from 0, increasing,
    /// at most `Limit.steps` betas, and beta E finite for every energy; and that
    /// `algorithm` is a single-spin rule (`what` names the estimator in the error).
    static func acceptance(_ model: IsingModel, _ betas: [Double], _ algorithm: MonteCarloAlgorithm,
                           _ what: String) throws(EngineError) -> [Acceptance] {
        guard let rule = algorithm.singleSpinRule else {
            throw EngineError(.unsupported, "\(what) needs a single-spin algorithm (Metropolis or heat bath), not \(algorithm.name)")
        }
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        guard betas[0] == 0 else { throw .invalid("betas must start at 0 (where Z = 2^N exactly), got betas[0] = \(betas[0])") }
        for k in 1..<betas.count where !(betas[k] > betas[k - 1]) {
            throw .invalid("betas must increase: betas[\(k)] = \(betas[k]) follows betas[\(k - 1)] = \(betas[k - 1])")
        }
        try Limit.steps.check(betas.count, "n_betas")
        // Every log weight beta E must be a finite number.
        guard (betas.last! * model.energyBound).isFinite else {
            throw .invalid("betas up to \(betas.last!) times energies up to \(model.energyBound) overflow a double")
        }
        let offset = Acceptance.tableOffset(model), lazy = rule == .metropolis ? Acceptance.fieldScale(model) : nil
        return betas.map { Acceptance(rule: rule, beta: $0, tableOffset: offset, lazyTies: lazy) }
    }

    /// `sweeps` sequential sweeps of `chain` (on the dense rows when given); with
    /// `drifts` (real-valued parameters) the fields are recomputed every
    /// `MonteCarlo.refreshInterval` sweeps of the count `done`.
    static func sweep(_ chain: inout SpinChain, _ model: IsingModel, _ acceptance: Acceptance, _ sweeps: Int,
                      _ sites: UnsafeBufferPointer<Int32>, _ dense: [Double]?, drifts: Bool, done: inout Int) {
        for _ in 0..<sweeps {
            if let dense {
                dense.withUnsafeBufferPointer { chain.sweep(model, acceptance, .sequential, sites, dense: $0) }
            } else {
                chain.sweep(model, acceptance, .sequential, sites)
            }
            done += 1
            if drifts, done % MonteCarlo.refreshInterval == 0 { chain.refresh(model) }
        }
    }
}
