// The three state representations a MonteCarlo run sweeps: generic chains of
// doubles (`SpinChain`, in MonteCarlo.run), the byte-spin checkerboard lattice
// (`ByteLattice`) and multi-spin coded words of 64 replicas (`MultiSpinModel`,
// Jacobs & Rebbi 1981).

extension MonteCarlo {
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

    /// The byte-spin checkerboard run: chains in parallel, or (one large chain) its
    /// row blocks.
    func runByteLattice(_ lattice: ByteLattice, sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor) throws(EngineError) {
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
    func runPacked(_ words: MultiSpinModel, sweeps: Int, burnIn: Int, measureEvery: Int, monitor: WorkMonitor) throws(EngineError) {
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
        guard monitor.start(total: WorkMonitor.product(chainCount, burnIn + sweeps)) else { try monitor.checkNotStopped(); return }
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
}
