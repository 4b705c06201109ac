/// Markov-chain Monte Carlo of an Ising model at inverse temperature beta: R
/// independent chains of single-spin or cluster updates, threaded over chains. Chain c draws
/// from `RandomStream(seed:, stream: c)`, so results are the same for any thread count.
///
/// `run` continues the chains from where they are and measures every
/// `measureEvery`-th sweep after `burnIn` sweeps; `results` then holds that run's
/// estimates (per spin: e = E/N, m = M/N).
public final class MonteCarlo {
    public let model: IsingModel
    public var beta: Double { sweeper.beta }
    public var algorithm: MonteCarloAlgorithm { sweeper.algorithm }
    public var order: SweepOrder { sweeper.order }
    public let chainCount: Int
    public let seed: UInt64

    var chains: [SpinChain]
    var sweeper: Sweeper
    /// Multi-spin coding: the model's word form and 64 replicas per group (chains =
    /// 64 x groups; `chains` is then empty).
    let packedModel: MultiSpinModel?
    var packed: [SpinWords] = []
    /// The byte-spin checkerboard fast path (see `ByteLattice`), while it is in use;
    /// clamps, samples and correlations move the chains back to the generic path.
    var byteLattice: ByteLattice?
    var byteChains: [ByteChain] = []
    /// Per spin: 0 free, +1 or -1 held at that value.
    public private(set) var clamps: [Int8]
    /// The last run's series per chain: e and m per measurement.
    public private(set) var energySeries: [[Double]] = []
    public private(set) var magnetizationSeries: [[Double]] = []

    /// The lattice axis along which runs measure the spin-spin correlation, or nil.
    public private(set) var correlationAxis: Int? = nil
    /// The last run's sum over measurements of C(r), per chain, and the count.
    var correlationSums: [[Double]] = []
    var correlationMeasurements = 0

    /// Largest chain count (each holds O(N) state).
    public static let maxChains = 1 << 16
    /// Sweeps between exact recomputations of the cached fields (real couplings).
    static let refreshInterval = 256

    /// - Throws: `.invalidArgument` for beta < 0 or not finite, chains out of range, or
    ///   checkerboard order on a non-bipartite model; `.unsupported` for a cluster
    ///   algorithm on a model with a negative coupling or a field.
    public init(model: IsingModel, beta: Double, algorithm: MonteCarloAlgorithm, order: SweepOrder, chains: Int, seed: UInt64) throws(EngineError) {
        try Self.checkBeta(beta)
        guard chains >= 1, chains <= Self.maxChains else { throw .invalid("chains must be in [1, \(Self.maxChains)], got \(chains)") }
        // Spins and cached local fields (doubles), and byte spins: 17 bytes a spin.
        try Memory.reserve(chains * model.spinCount, bytesEach: 17, for: "\(chains) chains of \(model.spinCount) spins")
        self.model = model
        self.chainCount = chains
        self.seed = seed
        sweeper = try Sweeper(model: model, algorithm: algorithm, order: order, beta: beta)
        clamps = [Int8](repeating: 0, count: model.spinCount)
        if algorithm == .multispin || algorithm == .multispinShared {
            guard chains % 64 == 0 else { throw .invalid("multi-spin coding runs chains in words of 64: chains must be a multiple of 64, got \(chains)") }
            packedModel = try MultiSpinModel(model)
            packed = (0..<(chains / 64)).map { SpinWords(spinCount: model.spinCount, random: RandomStream(seed: seed, stream: UInt64($0))) }
            self.chains = []
        } else {
            packedModel = nil
            self.chains = (0..<chains).map { SpinChain(model: model, random: RandomStream(seed: seed, stream: UInt64($0))) }
            if order == .checkerboard, algorithm.singleSpinRule != nil, let lattice = ByteLattice(model) {
                byteLattice = lattice
                byteChains = self.chains.enumerated().map { c, chain in
                    ByteChain(lattice, from: chain.spins, streams: (0..<lattice.blocks).map { RandomStream(seed: seed, stream: UInt64(c) << 32 | UInt64($0 + 1)) })
                }
            }
        }
    }

    /// Leave the byte-spin fast path: the generic chains take over its spins.
    func leaveByteLattice() {
        guard let lattice = byteLattice else { return }
        for c in chains.indices {
            chains[c].spins = byteChains[c].unpacked(lattice).map(Double.init)
            chains[c].refresh(model)
        }
        byteLattice = nil
        byteChains = []
    }

    static func checkBeta(_ beta: Double) throws(EngineError) {
        try Check.finite(beta, "beta")
        guard beta >= 0 else { throw .invalid("beta must be >= 0, got \(beta)") }
    }

    /// Change the temperature; the chains keep their states (an annealing step, or
    /// a scan that starts each beta from the last one's equilibrium).
    public func setBeta(_ beta: Double) throws(EngineError) {
        try Self.checkBeta(beta)
        sweeper.setBeta(beta)
    }

    /// Hold spins at fixed values in every chain: `indices[k]` at `values[k]` (+-1).
    /// Clamps add to those already set; `releaseClamps` frees every spin. Sweeps then
    /// update only the free spins (a sweep is one update per free spin), and every
    /// observable still counts all N spins. Single-spin algorithms only.
    public func clamp(indices: [Int], values: [Int8]) throws(EngineError) {
        guard algorithm.singleSpinRule != nil else {
            throw EngineError(.unsupported, "clamps need a single-spin algorithm (Metropolis or heat bath), not \(algorithm.name)")
        }
        guard indices.count == values.count else {
            throw EngineError(.shapeMismatch, "indices has \(indices.count) entries but values has \(values.count)")
        }
        var clamps = self.clamps
        defer { if clamps.contains(where: { $0 != 0 }) { leaveByteLattice() } }
        for (k, (i, v)) in zip(indices, values).enumerated() {
            guard i >= 0, i < model.spinCount else { throw .invalid("indices[\(k)] = \(i) is outside [0, \(model.spinCount))") }
            guard v == 1 || v == -1 else { throw .invalid("values[\(k)] must be -1 or +1, got \(v)") }
            clamps[i] = v
        }
        setClamps(clamps)
    }

    /// Free every clamped spin.
    public func releaseClamps() {
        setClamps([Int8](repeating: 0, count: model.spinCount))
    }

    private func setClamps(_ clamps: [Int8]) {
        self.clamps = clamps
        sweeper.setClamps(clamps)
        for c in chains.indices {
            for i in 0..<model.spinCount where clamps[i] != 0 { chains[c].spins[i] = Double(clamps[i]) }
            chains[c].refresh(model)
        }
    }

    /// Runs burnIn + sweeps sweeps on every chain, recording e and m after every
    /// measureEvery-th sweep past the burn-in. Progress counts sweeps over all chains.
    public func run(sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor = .none()) throws(EngineError) {
        guard sweeps >= 1 else { throw .invalid("sweeps must be >= 1, got \(sweeps)") }
        guard burnIn >= 0 else { throw .invalid("burn_in must be >= 0, got \(burnIn)") }
        guard measureEvery >= 1, measureEvery <= sweeps else {
            throw .invalid("measure_every must be in [1, sweeps = \(sweeps)], got \(measureEvery)")
        }
        let measurements = sweeps / measureEvery
        // The e and m series (doubles), kept beside the last run's until it is replaced.
        try Memory.reserve(2 * chainCount * measurements, bytesEach: 8, for: "\(chainCount) chains x \(measurements) measurements")
        if let packedModel {
            try runPacked(packedModel, sweeps: sweeps, burnIn: burnIn, measureEvery: measureEvery, monitor: monitor)
            return
        }
        if let byteLattice {
            try runByteLattice(byteLattice, sweeps: sweeps, burnIn: burnIn, measureEvery: measureEvery, monitor: monitor)
            return
        }
        var energy = [[Double]](repeating: [], count: chainCount)
        var magnetization = [[Double]](repeating: [], count: chainCount)
        let model = self.model, inverseN = 1 / Double(model.spinCount), stale = sweeper.staleEnergy
        let correlation = correlationAxis.map { CorrelationKernel(lattice: model.lattice!, axis: $0) }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: correlation?.distances ?? 0), count: chainCount)
        try energy.withUnsafeMutableBufferPointer { e throws(EngineError) in
            try magnetization.withUnsafeMutableBufferPointer { m throws(EngineError) in
                try sums.withUnsafeMutableBufferPointer { sums throws(EngineError) in
                    let e = SharedPointer(e.baseAddress!), m = SharedPointer(m.baseAddress!), sums = SharedPointer(sums.baseAddress!)
                    try forEachSweep(burnIn: burnIn, sweeps: sweeps, monitor: monitor) { c, t, chain in
                        guard (t + 1) % measureEvery == 0 else { return }
                        // Through the raw pointers, so each array is mutated in place
                        // (SharedPointer's subscript would copy it on every append).
                        if t + 1 == measureEvery {
                            e.base[c].reserveCapacity(measurements)
                            m.base[c].reserveCapacity(measurements)
                        }
                        if stale { chain.refresh(model) }
                        e.base[c].append(chain.energy * inverseN)
                        m.base[c].append(Double(chain.magnetization) * inverseN)
                        if let correlation { correlation.accumulate(chain.spins, into: &sums.base[c]) }
                    }
                }
            }
        }
        correlationSums = correlation == nil ? [] : sums
        correlationMeasurements = measurements
        energySeries = energy
        magnetizationSeries = magnetization
    }

    /// The byte-spin checkerboard run: chains in parallel, or (one large chain) its
    /// row blocks.
    private func runByteLattice(_ lattice: ByteLattice, sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor) throws(EngineError) {
        let thresholds = lattice.thresholds(algorithm.singleSpinRule!, beta: beta)
        let inverseN = 1 / Double(model.spinCount), scale = lattice.coupling * inverseN
        let threaded = chainCount == 1 && model.spinCount >= 1 << 16
        var chains = byteChains
        defer { byteChains = chains }
        try runUnits(&chains, chainsPerUnit: 1, sweeps: sweeps, burnIn: burnIn, measureEvery: measureEvery, monitor: monitor,
                     sweep: { $0.sweep(lattice, thresholds, threaded: threaded) },
                     measure: { chain, record in record(0, chain.energyPerCoupling * scale, Double(chain.magnetization) * inverseN) })
    }

    /// The multi-spin coded run: groups of 64 replicas in parallel, each measured by
    /// bit-sliced counts.
    private func runPacked(_ words: MultiSpinModel, sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor) throws(EngineError) {
        let thresholds = words.thresholds(beta: beta), inverseN = 1 / Double(model.spinCount)
        let shared = algorithm == .multispinShared
        var groups = packed
        defer { packed = groups }
        try runUnits(&groups, chainsPerUnit: 64, sweeps: sweeps, burnIn: burnIn, measureEvery: measureEvery, monitor: monitor,
                     sweep: { shared ? $0.sweepSharingUniforms(words, thresholds) : $0.sweep(words, thresholds) },
                     measure: { replicas, record in
                         for (r, value) in replicas.measure(words).enumerated() {
                             record(r, value.energy * inverseN, Double(value.magnetization) * inverseN)
                         }
                     })
    }

    /// Runs units of `chainsPerUnit` chains each (a chain, or a word of replicas) in
    /// parallel, `burnIn + sweeps` sweeps each, and stores the e and m that `measure`
    /// records (chain within the unit, e, m) after every measureEvery-th sweep past
    /// the burn-in. Progress counts sweeps of chains.
    private func runUnits<Unit>(
        _ units: inout [Unit], chainsPerUnit: Int, sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor,
        sweep: @Sendable (inout Unit) -> Void, measure: @Sendable (Unit, (Int, Double, Double) -> Void) -> Void
    ) throws(EngineError) {
        let measurements = sweeps / measureEvery, count = units.count
        var energy = [[Double]](repeating: [], count: chainCount), magnetization = energy
        guard monitor.start() else { try monitor.checkNotStopped(); return }
        units.withUnsafeMutableBufferPointer { units in
            energy.withUnsafeMutableBufferPointer { e in
                magnetization.withUnsafeMutableBufferPointer { m in
                    let units = UncheckedBox(units.baseAddress!), e = SharedPointer(e.baseAddress!), m = SharedPointer(m.baseAddress!)
                    Parallel.forEach(count, parallel: count > 1) { u in
                        var unit = units.value[u]
                        let first = u * chainsPerUnit
                        for c in first..<(first + chainsPerUnit) {
                            e.base[c].reserveCapacity(measurements)
                            m.base[c].reserveCapacity(measurements)
                        }
                        for t in 0..<(burnIn + sweeps) {
                            sweep(&unit)
                            if t >= burnIn, (t + 1 - burnIn) % measureEvery == 0 {
                                // Through the raw pointers: each series grows in place.
                                measure(unit) { chain, energy, magnetization in
                                    e.base[first + chain].append(energy)
                                    m.base[first + chain].append(magnetization)
                                }
                            }
                            if !monitor.advance(by: Int64(chainsPerUnit)) { break }
                        }
                        units.value[u] = unit
                    }
                }
            }
        }
        try monitor.finish()
        energySeries = energy
        magnetizationSeries = magnetization
    }

    /// Measure C(r) = <s_i s_{i + r e_axis}> (averaged over sites i) in later runs, or
    /// stop (nil). Needs a model built on a lattice. Returns the number of distances
    /// r = 0, 1, ...: L/2 + 1 along a periodic axis of length L, L along an open one.
    @discardableResult
    public func setCorrelationAxis(_ axis: Int?) throws(EngineError) -> Int {
        guard let axis else {
            correlationAxis = nil
            return 0
        }
        guard packedModel == nil else { throw EngineError(.unsupported, "correlations are not measured on multi-spin coded replicas") }
        guard let lattice = model.lattice else {
            throw EngineError(.unsupported, "correlations along an axis need a lattice model (chain, square, cubic or Edwards-Anderson)")
        }
        guard axis >= 0, axis < lattice.dimensions.count else {
            throw .invalid("axis must be in [0, \(lattice.dimensions.count)) for this \(lattice.dimensions.count)-dimensional lattice, got \(axis)")
        }
        correlationAxis = axis
        leaveByteLattice()
        return CorrelationKernel(lattice: lattice, axis: axis).distances
    }

    /// The last run's C(r), r = 0..<distances: the mean over chains of each chain's
    /// time average, and its standard error from the spread between chains (NaN
    /// for one chain).
    public func correlation() throws(EngineError) -> (mean: [Double], error: [Double]) {
        guard correlationAxis != nil, !correlationSums.isEmpty, correlationMeasurements > 0 else {
            throw EngineError(.wrongState, "no correlation measured: set an axis, then run")
        }
        let r = Double(chainCount), distances = correlationSums[0].count
        var mean = [Double](repeating: 0, count: distances), error = mean
        for d in 0..<distances {
            let values = correlationSums.map { $0[d] / Double(correlationMeasurements) }
            let mu = values.reduce(0, +) / r
            mean[d] = mu
            error[d] = chainCount < 2 ? .nan : (values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / (r - 1) / r).squareRoot()
        }
        return (mean, error)
    }

    /// Runs `burnIn` sweeps, then `count` x `every` sweeps, and returns the state
    /// after every `every`-th: chains x count x N spins (+-1), chain by chain. The
    /// last run's measurements are left as they were.
    public func sample(count: Int, every: Int, burnIn: Int, monitor: WorkMonitor = .none()) throws(EngineError) -> [Int8] {
        guard count >= 1 else { throw .invalid("n_samples must be >= 1, got \(count)") }
        guard every >= 1 else { throw .invalid("every must be >= 1, got \(every)") }
        guard burnIn >= 0 else { throw .invalid("burn_in must be >= 0, got \(burnIn)") }
        let n = model.spinCount
        guard count <= Self.maxSampleBytes / (n * chainCount) else {
            throw EngineError(.limitExceeded, "\(chainCount) chains x \(count) samples x \(n) spins is more than \(Self.maxSampleBytes) bytes")
        }
        try Memory.reserve(chainCount * count * n, bytesEach: 1, for: "\(chainCount) chains x \(count) samples x \(n) spins")
        var out = [Int8](repeating: 0, count: chainCount * count * n)
        try out.withUnsafeMutableBufferPointer { out throws(EngineError) in
            let base = SharedPointer(out.baseAddress!)
            try forEachSweep(burnIn: burnIn, sweeps: count * every, monitor: monitor) { c, t, chain in
                guard (t + 1) % every == 0 else { return }
                let row = base.base + (c * count + t / every) * n
                for i in 0..<n { row[i] = chain.spins[i] > 0 ? 1 : -1 }
            }
        }
        return out
    }

    /// Largest `sample` output (2^32 bytes).
    public static let maxSampleBytes = 1 << 32

    /// Runs burnIn + sweeps sweeps on every chain (in parallel), calling
    /// `visit(c, t, &chain)` after each of the `sweeps` sweeps past the burn-in, from
    /// chain c's thread. Works on copies of the chains: the progress callback runs
    /// inside the loop and may call back into this object, which must not find its
    /// state under exclusive access. On cancellation the chains keep the sweeps done
    /// and the call throws.
    func forEachSweep(burnIn: Int, sweeps: Int, monitor: WorkMonitor,
                      _ visit: @Sendable (Int, Int, inout SpinChain) -> Void) throws(EngineError) {
        guard packedModel == nil else { throw EngineError(.unsupported, "multi-spin coded replicas are not sampled state by state; use spins after a run") }
        leaveByteLattice()
        guard !sweeper.sites.isEmpty else { throw EngineError(.wrongState, "every spin is clamped: nothing to sample") }
        guard monitor.start() else { try monitor.checkNotStopped(); return }
        var chains = self.chains
        defer { self.chains = chains }
        let model = self.model, sweeper = self.sweeper
        let drifts = !model.hasIntegerParameters && !sweeper.staleEnergy
        chains.withUnsafeMutableBufferPointer { chains in
            let chains = SharedPointer(chains.baseAddress!)
            Parallel.forEach(chainCount, parallel: chainCount > 1) { c in
                var chain = chains[c]
                chain.refresh(model)
                var pending: Int64 = 0
                let total = burnIn + sweeps
                for t in 0..<total {
                    // Checked every sweep (an atomic load), reported every 64.
                    if monitor.isStopped { break }
                    if t == burnIn { sweeper.startMeasuring(&chain) }
                    sweeper.sweep(&chain, measuring: t >= burnIn)
                    if drifts, (t + 1) % Self.refreshInterval == 0 { chain.refresh(model) }
                    if t >= burnIn { visit(c, t - burnIn, &chain) }
                    pending += 1
                    if pending == 64 || t == total - 1 {
                        if !monitor.advance(by: pending) { break }
                        pending = 0
                    }
                }
                chain.refresh(model)
                chains[c] = chain
            }
        }
        try monitor.finish()
    }

    /// The observables the results report, in this order.
    public enum Observable: CaseIterable, Sendable {
        /// e = E/N.
        case energy
        /// m = M/N, |m|, m^2, m^4.
        case magnetization, absMagnetization, magnetizationSquared, magnetizationFourth
        /// c = beta^2 N (<e^2> - <e>^2): the heat capacity per spin.
        case heatCapacity
        /// chi = beta N (<m^2> - <|m|>^2): the susceptibility per spin (the finite-lattice
        /// form; <m> itself averages to 0 at h = 0 on a long enough run).
        case susceptibility
        /// U4 = 1 - <m^4> / (3 <m^2>^2).
        case binder
    }

    /// Estimates of every `Observable` from the last run: the means with their
    /// autocorrelation-time errors and binning errors; the fluctuation quantities with
    /// jackknife errors (their tau is that of e, resp. m^2).
    public func results() throws(EngineError) -> [Estimate] {
        guard !energySeries.isEmpty, !energySeries[0].isEmpty else { throw EngineError(.wrongState, "no measurements yet: call run first") }
        return Self.estimates(energy: energySeries, magnetization: magnetizationSeries, beta: beta, spinCount: model.spinCount,
                              pooling: algorithm == .multispinShared ? 64 : 1)
    }

    /// Whether the last run looks equilibrated in one of the means (energy ...
    /// magnetizationFourth): the estimates from the first and the second half of
    /// every chain's series, and z = |mean_1 - mean_2| / sqrt(error_1^2 + error_2^2).
    /// A drift still under way at the start shows as z well above 2-3.
    public func equilibration(_ observable: Observable) throws(EngineError) -> (z: Double, first: Estimate, last: Estimate) {
        let means: [Observable] = [.energy, .magnetization, .absMagnetization, .magnetizationSquared, .magnetizationFourth]
        guard means.contains(observable) else {
            throw .invalid("observable must be a mean (energy .. magnetization^4) for the equilibration check, not \(observable)")
        }
        guard let length = energySeries.first?.count, length >= 64 else {
            throw EngineError(.wrongState, "the equilibration check needs a run with >= 64 measurements per chain")
        }
        let series: [[Double]] = switch observable {
        case .energy: energySeries
        case .magnetization: magnetizationSeries
        case .absMagnetization: magnetizationSeries.map { $0.map(abs) }
        case .magnetizationSquared: magnetizationSeries.map { $0.map { $0 * $0 } }
        default: magnetizationSeries.map { $0.map { $0 * $0 * $0 * $0 } }
        }
        let first = TimeSeries.estimate(series.map { Array($0[..<(length / 2)]) })
        let last = TimeSeries.estimate(series.map { Array($0[(length / 2)...]) })
        let spread = (first.error * first.error + last.error * last.error).squareRoot()
        let z = first.mean == last.mean ? 0 : abs(first.mean - last.mean) / spread
        return (z, first, last)
    }

    /// Every `Observable` from per-chain series of e and m at one beta.
    ///
    /// `pooling` > 1 averages each moment (e, e^2, m, |m|, m^2, m^4) over groups of
    /// that many consecutive chains before the error analysis, which then treats each
    /// group as one chain: honest errors for replicas that share random numbers.
    static func estimates(energy e: [[Double]], magnetization m: [[Double]], beta: Double, spinCount: Int, pooling: Int = 1) -> [Estimate] {
        func pool(_ series: [[Double]]) -> [[Double]] {
            guard pooling > 1 else { return series }
            var pooled: [[Double]] = []
            for g in stride(from: 0, to: series.count, by: pooling) {
                var mean = [Double](repeating: 0, count: series[g].count)
                for c in g..<(g + pooling) { for t in mean.indices { mean[t] += series[c][t] } }
                pooled.append(mean.map { $0 / Double(pooling) })
            }
            return pooled
        }
        let absM = pool(m.map { $0.map(abs) })
        let m2 = pool(m.map { $0.map { $0 * $0 } })
        let m4 = pool(m.map { $0.map { $0 * $0 * $0 * $0 } })
        let e2 = pool(e.map { $0.map { $0 * $0 } })
        let e = pool(e), m = pool(m)
        let energy = TimeSeries.estimate(e)
        let squared = TimeSeries.estimate(m2)
        let n = Double(spinCount)
        let heat = TimeSeries.jackknife([e, e2], tau: energy.tau) { beta * (beta * (n * ($0[1] - $0[0] * $0[0]))) }
        let chi = TimeSeries.jackknife([absM, m2], tau: squared.tau) { beta * (n * ($0[1] - $0[0] * $0[0])) }
        let binder = TimeSeries.jackknife([m2, m4], tau: squared.tau) { 1 - $0[1] / (3 * $0[0] * $0[0]) }
        return [energy, TimeSeries.estimate(m), TimeSeries.estimate(absM), squared, TimeSeries.estimate(m4), heat, chi, binder]
    }

    /// The chains' current spins, chain after chain (chains x N, +-1).
    public func spins() -> [Int8] {
        if packedModel != nil { return packed.flatMap { group in (0..<64).flatMap { group.spins(replica: $0) } } }
        if let byteLattice { return byteChains.flatMap { $0.unpacked(byteLattice) } }
        return chains.flatMap { $0.spins.map { $0 > 0 ? Int8(1) : Int8(-1) } }
    }
}

/// C(r) along one axis of a lattice: for each site, the product with the site r
/// steps along the axis (wrapping when periodic; only pairs inside when open),
/// averaged over the pairs at each r.
struct CorrelationKernel: Sendable {
    let length: Int
    let stride: Int
    let periodic: Bool
    let distances: Int
    /// 1 / (number of pairs at distance r).
    let weight: [Double]

    init(lattice: Lattice, axis: Int) {
        let length = lattice.dimensions[axis], periodic = lattice.periodic, n = lattice.dimensions.reduce(1, *)
        self.length = length
        self.periodic = periodic
        stride = lattice.stride(axis)
        distances = periodic ? length / 2 + 1 : length
        weight = (0..<distances).map { r in 1 / Double(periodic ? n : n / length * (length - r)) }
    }

    func accumulate(_ spins: [Double], into sums: inout [Double]) {
        spins.withUnsafeBufferPointer { s in
            for d in 0..<distances {
                var total = 0.0
                for i in 0..<s.count {
                    let coordinate = (i / stride) % length
                    if coordinate + d < length {
                        total += s[i] * s[i + d * stride]
                    } else if periodic {
                        total += s[i] * s[i + (d - length) * stride]
                    }
                }
                sums[d] += total * weight[d]
            }
        }
    }
}
