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
    public internal(set) var energySeries: [[Double]] = []
    public internal(set) var magnetizationSeries: [[Double]] = []

    /// The lattice axis along which runs measure the spin-spin correlation, or nil.
    public internal(set) var correlationAxis: Int? = nil
    /// The last run's sum over measurements of C(r), per chain, and the count.
    var correlationSums: [[Double]] = []
    var correlationMeasurements = 0

    /// Sweeps between exact recomputations of the cached fields (real couplings).
    static let refreshInterval = 256

    /// - Throws: `.invalidArgument` for beta < 0 or not finite, chains out of range, or
    ///   checkerboard order on a non-bipartite model; `.unsupported` for a cluster
    ///   algorithm on a model with a negative coupling or a field.
    public init(model: IsingModel, beta: Double, algorithm: MonteCarloAlgorithm, order: SweepOrder, chains: Int, seed: UInt64) throws(EngineError) {
        try Self.checkBeta(beta)
        try Limit.chains.check(chains, "chains")
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

    /// `chains` x `measurements` stored values within `Limit.measurements`.
    static func checkMeasurements(_ chains: Int, _ measurements: Int, raise knob: String) throws(EngineError) {
        guard measurements <= Limit.measurements.value / chains else {
            throw EngineError(.limitExceeded, "\(chains) chains x \(measurements) measurements is more than \(Limit.measurements.text) stored values; raise \(knob)")
        }
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
        try Limit.count.check(sweeps, "sweeps")
        try Limit.count.check(burnIn, "burn_in", from: 0)
        guard measureEvery >= 1, measureEvery <= sweeps else {
            throw .invalid("measure_every must be in [1, sweeps = \(sweeps)], got \(measureEvery)")
        }
        let measurements = sweeps / measureEvery
        try Self.checkMeasurements(chainCount, measurements, raise: "measure_every")
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

    /// The chains' current spins, chain after chain (chains x N, +-1).
    public func spins() -> [Int8] {
        if packedModel != nil { return packed.flatMap { group in (0..<64).flatMap { group.spins(replica: $0) } } }
        if let byteLattice { return byteChains.flatMap { $0.unpacked(byteLattice) } }
        return chains.flatMap { $0.spins.map { $0 > 0 ? Int8(1) : Int8(-1) } }
    }
}
