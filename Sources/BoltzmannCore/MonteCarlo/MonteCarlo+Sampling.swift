// States sampled from the chains, and the sweep loop that samplers and
// measurement runs share.

extension MonteCarlo {
    /// Runs `burnIn` sweeps, then `count` x `every` sweeps, and returns the state
    /// after every `every`-th: chains x count x N spins (+-1), chain by chain. The
    /// last run's measurements are left as they were.
    public func sample(count: Int, every: Int, burnIn: Int, monitor: WorkMonitor = .none()) throws(EngineError) -> [Int8] {
        try Limit.count.check(count, "n_samples")
        guard every >= 1, every <= Limit.count.value / count else { throw .invalid("every must be in [1, 2^40 / n_samples], got \(every)") }
        try Limit.count.check(burnIn, "burn_in", from: 0)
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
        guard monitor.start(total: WorkMonitor.product(chainCount, burnIn + sweeps)) else { try monitor.checkNotStopped(); return }
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
}
