/// Markov-chain Monte Carlo of an Ising model at inverse temperature beta: R
/// independent chains of single-spin updates, threaded over chains. Chain c draws
/// from `RandomStream(seed:, stream: c)`, so results are the same for any thread count.
///
/// `run` continues the chains from where they are and measures every
/// `measureEvery`-th sweep after `burnIn` sweeps; `results` then holds that run's
/// estimates (per spin: e = E/N, m = M/N).
public final class MonteCarlo {
    public let model: IsingModel
    public private(set) var beta: Double
    public let rule: SingleSpinRule
    public let order: SweepOrder
    public let chainCount: Int
    public let seed: UInt64

    var chains: [SpinChain]
    var acceptance: Acceptance
    /// The checkerboard's visiting order (colour 0, then colour 1); empty otherwise.
    let sites: [Int32]
    /// The last run's series per chain: e and m per measurement.
    public private(set) var energySeries: [[Double]] = []
    public private(set) var magnetizationSeries: [[Double]] = []

    /// Largest chain count (each holds O(N) state).
    public static let maxChains = 1 << 16
    /// Sweeps between exact recomputations of the cached fields (real couplings).
    static let refreshInterval = 256

    public init(model: IsingModel, beta: Double, rule: SingleSpinRule, order: SweepOrder, chains: Int, seed: UInt64) throws(EngineError) {
        try Self.checkBeta(beta)
        guard chains >= 1, chains <= Self.maxChains else { throw .invalid("chains must be in [1, \(Self.maxChains)], got \(chains)") }
        var sites: [Int32] = []
        if order == .checkerboard {
            let (bipartite, colours) = model.bipartition()
            guard bipartite else { throw .invalid("checkerboard order needs a bipartite coupling graph; this model's has an odd cycle") }
            sites = (0..<model.spinCount).filter { colours[$0] == 0 }.map(Int32.init)
                + (0..<model.spinCount).filter { colours[$0] != 0 }.map(Int32.init)
        }
        self.model = model
        self.beta = beta
        self.rule = rule
        self.order = order
        self.chainCount = chains
        self.seed = seed
        self.sites = sites
        acceptance = Acceptance(rule: rule, beta: beta, model: model)
        self.chains = (0..<chains).map { SpinChain(model: model, random: RandomStream(seed: seed, stream: UInt64($0))) }
    }

    static func checkBeta(_ beta: Double) throws(EngineError) {
        try Check.finite(beta, "beta")
        guard beta >= 0 else { throw .invalid("beta must be >= 0, got \(beta)") }
    }

    /// Change the temperature; the chains keep their states (an annealing step, or
    /// a scan that starts each beta from the last one's equilibrium).
    public func setBeta(_ beta: Double) throws(EngineError) {
        try Self.checkBeta(beta)
        self.beta = beta
        acceptance = Acceptance(rule: rule, beta: beta, model: model)
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
        var energy = [[Double]](repeating: [], count: chainCount)
        var magnetization = [[Double]](repeating: [], count: chainCount)
        guard monitor.start() else { try monitor.checkNotStopped(); return }
        // Work on copies: the progress callback runs inside the loop and may call back
        // into this object, which must not find its state under exclusive access.
        var chains = self.chains
        defer { self.chains = chains }
        let model = self.model, acceptance = self.acceptance, order = self.order, sites = self.sites
        let inverseN = 1 / Double(model.spinCount)
        let exact = model.hasIntegerParameters
        chains.withUnsafeMutableBufferPointer { chains in
            energy.withUnsafeMutableBufferPointer { e in
                magnetization.withUnsafeMutableBufferPointer { m in
                    let chains = SharedPointer(chains.baseAddress!), e = SharedPointer(e.baseAddress!), m = SharedPointer(m.baseAddress!)
                    Parallel.forEach(chainCount, parallel: chainCount > 1) { c in
                        var chain = chains[c]
                        var es: [Double] = [], ms: [Double] = []
                        es.reserveCapacity(measurements)
                        ms.reserveCapacity(measurements)
                        chain.refresh(model)
                        let total = burnIn + sweeps
                        var pending: Int64 = 0
                        for t in 0..<total {
                            chain.sweep(model, acceptance, order, sites)
                            if !exact, (t + 1) % Self.refreshInterval == 0 { chain.refresh(model) }
                            let done = t + 1 - burnIn
                            if done > 0, done % measureEvery == 0, es.count < measurements {
                                es.append(chain.energy * inverseN)
                                ms.append(Double(chain.magnetization) * inverseN)
                            }
                            pending += 1
                            if pending == 64 || t == total - 1 {
                                if !monitor.advance(by: pending) { break }
                                pending = 0
                            }
                        }
                        chains[c] = chain
                        e[c] = es
                        m[c] = ms
                    }
                }
            }
        }
        try monitor.finish()
        energySeries = energy
        magnetizationSeries = magnetization
    }

    /// The observables the results report, in this order (the C enum's order).
    public enum Observable: Int, CaseIterable, Sendable {
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
        let e = energySeries, m = magnetizationSeries
        let absM = m.map { $0.map(abs) }
        let m2 = m.map { $0.map { $0 * $0 } }
        let m4 = m2.map { $0.map { $0 * $0 } }
        let e2 = e.map { $0.map { $0 * $0 } }
        let energy = TimeSeries.estimate(e)
        let squared = TimeSeries.estimate(m2)
        let n = Double(model.spinCount), beta = self.beta
        let heat = TimeSeries.jackknife([e, e2], tau: energy.tau) { beta * (beta * (n * ($0[1] - $0[0] * $0[0]))) }
        let chi = TimeSeries.jackknife([absM, m2], tau: squared.tau) { beta * (n * ($0[1] - $0[0] * $0[0])) }
        let binder = TimeSeries.jackknife([m2, m4], tau: squared.tau) { 1 - $0[1] / (3 * $0[0] * $0[0]) }
        return [energy, TimeSeries.estimate(m), TimeSeries.estimate(absM), squared, TimeSeries.estimate(m4), heat, chi, binder]
    }

    /// The chains' current spins, chain after chain (chains x N, +-1).
    public func spins() -> [Int8] {
        chains.flatMap { $0.spins.map { $0 > 0 ? Int8(1) : Int8(-1) } }
    }
}
