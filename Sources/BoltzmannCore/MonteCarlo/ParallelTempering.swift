import Glibc

/// Parallel tempering (replica exchange; Swendsen & Wang 1986, Hukushima & Nemoto
/// 1996): one chain per beta of a strictly increasing ladder, all swept in
/// parallel; every `swapEvery` sweeps, neighbouring temperatures propose to swap
/// configurations, accepted with probability min(1, e^{(beta_{k+1} - beta_k)(E_{k+1} - E_k)}).
/// Even pairs (0-1, 2-3, ...) and odd pairs alternate from round to round.
///
/// `replicas` independent ladders run side by side; with two or more, the overlap
/// q = (1/N) sum_i s_i^a s_i^b of ladders a = 2p and b = 2p + 1 at each beta is
/// measured, the spin-glass order parameter whose distribution P(q) broadens
/// below T_c.
///
/// Chain (r, k) starts hot from stream r * K + k of `seed`; ladder r's swaps draw
/// from stream 2^32 + r. Results do not depend on the thread count.
public final class ParallelTempering {
    public let model: IsingModel
    public let betas: [Double]
    public let algorithm: MonteCarloAlgorithm
    public let replicas: Int
    public let seed: UInt64

    /// chains[r * K + k]: ladder r's configuration at beta_k.
    var chains: [SpinChain]
    let sweepers: [Sweeper]
    var swapRandom: [RandomStream]
    /// walker[r * K + k]: which walker (its starting slot) is at slot k of ladder r;
    /// heading[walker]: +1 after it last touched slot 0, -1 after slot K-1, 0 before either.
    var walker: [Int]
    var heading: [Int]
    var rounds = 0

    /// The last run's measurements per (ladder r, beta k), as in `MonteCarlo`.
    public internal(set) var energySeries: [[Double]] = []
    public internal(set) var magnetizationSeries: [[Double]] = []
    /// Overlaps per (pair p, beta k) at index p * K + k (empty for one ladder).
    public internal(set) var overlapSeries: [[Double]] = []
    /// The last run's accepted / attempted swaps per neighbouring pair (k, k+1).
    public internal(set) var swapAccepted: [Int] = []
    public internal(set) var swapAttempted: [Int] = []
    /// Completed round trips (slot 0 -> slot K-1 -> slot 0) of all walkers, all runs.
    public internal(set) var roundTrips = 0

    public init(model: IsingModel, betas: [Double], algorithm: MonteCarloAlgorithm, replicas: Int, seed: UInt64) throws(EngineError) {
        try Limit.betas.check(betas.count, "n_betas", from: 2)
        for (k, beta) in betas.enumerated() {
            try Check.finite(beta, "betas[\(k)]")
            guard beta >= 0 else { throw .invalid("betas[\(k)] must be >= 0, got \(beta)") }
            guard k == 0 || beta > betas[k - 1] else {
                throw .invalid("the ladder must increase strictly: betas[\(k)] = \(beta) follows \(betas[k - 1])")
            }
        }
        guard replicas >= 1, replicas <= Limit.chains.value / betas.count else {
            throw .invalid("replicas must be in [1, \(Limit.chains.value / betas.count)] for \(betas.count) betas (replicas x n_betas <= \(Limit.chains.text)), got \(replicas)")
        }
        guard algorithm != .multispin, algorithm != .multispinShared else { throw EngineError(.unsupported, "parallel tempering does not run multi-spin coded replicas") }
        // Each beta's sweeper (its sites and colours, 8 bytes a spin) and every replica's
        // chain (spins and fields, 16).
        let n = model.spinCount
        try Memory.reserve([(betas.count * n, 8), (replicas * betas.count * n, 16)],
                           for: "\(replicas) replicas x \(betas.count) betas x \(n) spins")
        var sweepers: [Sweeper] = []
        for beta in betas {
            sweepers.append(try Sweeper(model: model, algorithm: algorithm, order: .sequential, beta: beta, sharing: sweepers.first))
        }
        let k = betas.count
        self.model = model
        self.betas = betas
        self.algorithm = algorithm
        self.replicas = replicas
        self.seed = seed
        self.sweepers = sweepers
        chains = (0..<(replicas * k)).map { SpinChain(model: model, random: RandomStream(seed: seed, stream: UInt64($0))) }
        swapRandom = (0..<replicas).map { RandomStream(seed: seed, stream: 1 << 32 + UInt64($0)) }
        walker = (0..<(replicas * k)).map { $0 % k }
        heading = [Int](repeating: 0, count: replicas * k)
    }

    /// Runs burnIn + sweeps sweeps on every chain in rounds of swapEvery sweeps,
    /// each round followed by a swap pass; measures e, m (and q) at the end of every
    /// round past the burn-in (sweeps / swapEvery measurements), before its swaps.
    public func run(sweeps: Int, burnIn: Int, swapEvery: Int, monitor: WorkMonitor = .none()) throws(EngineError) {
        try Limit.count.check(swapEvery, "swap_every")
        guard sweeps >= swapEvery, sweeps <= Limit.count.value else { throw .invalid("sweeps must be in [swap_every = \(swapEvery), 2^40], got \(sweeps)") }
        try Limit.count.check(burnIn, "burn_in", from: 0)
        let k = betas.count, n = model.spinCount
        try MonteCarlo.checkMeasurements(replicas * k, sweeps / swapEvery, raise: "swap_every")
        let burnRounds = burnIn / swapEvery + (burnIn % swapEvery == 0 ? 0 : 1), measuredRounds = sweeps / swapEvery
        var e = [[Double]](repeating: [], count: replicas * k), m = e
        var q = [[Double]](repeating: [], count: (replicas / 2) * k)
        var accepted = [Int](repeating: 0, count: k - 1), attempted = accepted
        guard monitor.start(total: WorkMonitor.product(replicas * k, burnRounds + measuredRounds, swapEvery)) else { try monitor.checkNotStopped(); return }
        var chains = self.chains
        defer { self.chains = chains }
        let model = self.model, sweepers = self.sweepers
        let inverseN = 1 / Double(n)
        let drifts = !model.hasIntegerParameters
        // A round is forked over threads only when it holds enough work to pay for it.
        let threaded = replicas * k > 1 && Double(replicas * k * n) * Double(swapEvery) >= 0x1p14
        for c in chains.indices { chains[c].refresh(model) }
        for round in 0..<(burnRounds + measuredRounds) {
            let measuring = round >= burnRounds
            // Cluster updates leave E stale, and real couplings drift by rounding: both
            // need exact energies for the swap test.
            let refresh = sweepers[0].staleEnergy || (drifts && rounds % max(1, MonteCarlo.refreshInterval / swapEvery) == 0)
            chains.withUnsafeMutableBufferPointer { chains in
                let chains = SharedPointer(chains.baseAddress!)
                Parallel.forEach(replicas * k, parallel: threaded) { c in
                    let sweeper = sweepers[c % k]
                    var chain = chains[c]
                    if measuring, round == burnRounds { sweeper.startMeasuring(&chain) }
                    for _ in 0..<swapEvery { sweeper.sweep(&chain, measuring: measuring) }
                    if refresh { chain.refresh(model) }
                    chains[c] = chain
                    _ = monitor.advance(by: Int64(swapEvery))
                }
            }
            if monitor.isStopped { break }
            if measuring {
                for c in 0..<(replicas * k) {
                    e[c].append(chains[c].energy * inverseN)
                    m[c].append(Double(chains[c].magnetization) * inverseN)
                }
                for p in 0..<(replicas / 2) {
                    for slot in 0..<k {
                        let a = chains[2 * p * k + slot].spins, b = chains[(2 * p + 1) * k + slot].spins
                        var overlap = 0.0
                        for i in 0..<n { overlap += a[i] * b[i] }
                        q[p * k + slot].append(overlap * inverseN)
                    }
                }
            }
            for r in 0..<replicas {
                var slot = rounds % 2
                while slot + 1 < k {
                    let lo = r * k + slot, hi = lo + 1
                    let x = (betas[slot + 1] - betas[slot]) * (chains[hi].energy - chains[lo].energy)
                    let accept = x >= 0 || swapRandom[r].uniform() < exp(x)
                    if measuring { attempted[slot] += 1 }
                    if accept {
                        chains.swapAt(lo, hi)
                        walker.swapAt(lo, hi)
                        if measuring { accepted[slot] += 1 }
                    }
                    slot += 2
                }
                for slot in [0, k - 1] {
                    let w = r * k + walker[r * k + slot]
                    if slot == 0 {
                        if heading[w] == -1 { roundTrips += 1 }
                        heading[w] = 1
                    } else if heading[w] == 1 {
                        heading[w] = -1
                    }
                }
            }
            rounds += 1
        }
        try monitor.finish()
        energySeries = e
        magnetizationSeries = m
        overlapSeries = q
        swapAccepted = accepted
        swapAttempted = attempted
    }

    /// The observables of `MonteCarlo.Observable` at betas[slot], over the ladders.
    public func results(slot: Int) throws(EngineError) -> [Estimate] {
        guard slot >= 0, slot < betas.count else { throw .invalid("beta_index must be in [0, \(betas.count)), got \(slot)") }
        guard !energySeries.isEmpty, !energySeries[0].isEmpty else { throw EngineError(.wrongState, "no measurements yet: call run first") }
        let k = betas.count
        let rows = (0..<replicas).map { $0 * k + slot }
        return MonteCarlo.estimates(energy: rows.map { energySeries[$0] }, magnetization: rows.map { magnetizationSeries[$0] },
                                    beta: betas[slot], spinCount: model.spinCount)
    }

    /// P(q) at betas[slot]: the fraction of overlap measurements (all ladder pairs)
    /// at each of the N + 1 values q = -1 + 2j/N, j = 0...N.
    public func overlapDistribution(slot: Int) throws(EngineError) -> [Double] {
        guard slot >= 0, slot < betas.count else { throw .invalid("beta_index must be in [0, \(betas.count)), got \(slot)") }
        guard replicas >= 2 else { throw EngineError(.wrongState, "overlaps need replicas >= 2 (two ladders), this sampler has \(replicas)") }
        guard !overlapSeries.isEmpty, !overlapSeries[0].isEmpty else { throw EngineError(.wrongState, "no measurements yet: call run first") }
        let n = model.spinCount, k = betas.count
        var counts = [Double](repeating: 0, count: n + 1)
        var total = 0.0
        for p in 0..<(replicas / 2) {
            for q in overlapSeries[p * k + slot] {
                counts[Int(((q + 1) * Double(n) / 2).rounded())] += 1
                total += 1
            }
        }
        return counts.map { $0 / total }
    }

    /// Each chain's spins, ladder by ladder, beta by beta (replicas x K x N).
    public func spins() -> [Int8] {
        chains.flatMap { $0.spins.map { $0 > 0 ? Int8(1) : Int8(-1) } }
    }
}
