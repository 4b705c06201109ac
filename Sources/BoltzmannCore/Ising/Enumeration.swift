import Glibc

/// Exact results by visiting all 2^N configurations of an Ising model.
///
/// `StateBlocks` produces the energies 2^14 at a time, two additions per state
/// whatever the couplings; blocks are shared among threads in a fixed partition, so
/// results do not depend on the thread count. Counts (g(E), ground states) are exact;
/// real-valued thermodynamics goes through `TaylorBins`, one pass for all betas.
public enum IsingEnumeration {
    /// Largest N enumerated unless the caller raises the cap (2^30 ~ 1e9 states,
    /// seconds to a minute on two cores).
    public static let defaultMaxSpins = 30
    /// Largest N the caller may allow (2^40 ~ 1e12 states: hours).
    public static let maxSpinsLimit = 40
    /// Tasks with per-task results (ground state, direct sums): fixed, so that results
    /// never depend on the thread count.
    static let maxTasks = 1024
    /// Tasks with a histogram of Taylor sums each, merged in task order.
    static let binnedTasks = 64

    /// Spin counts above this many bins x magnetisations are refused for the
    /// histogram (128 MB of counts per thread).
    public static let maxHistogramCells = 1 << 24

    /// The number of states 2^N, after checking N against the cap (0 = default).
    public static func stateCount(_ model: IsingModel, maxSpins: Int) throws(EngineError) -> Int64 {
        let cap = maxSpins == 0 ? defaultMaxSpins : maxSpins
        guard cap > 0, cap <= maxSpinsLimit else {
            throw .invalid("max_spins must be in [1, \(maxSpinsLimit)] (0 for the default \(defaultMaxSpins)), got \(maxSpins)")
        }
        let n = model.spinCount
        guard n <= cap else {
            let states = n < 63 ? "2^\(n) = \(Int64(1) << n)" : "2^\(n)"
            let hint = n <= maxSpinsLimit ? "; pass max_spins = \(n) to enumerate them anyway" : " (at most \(maxSpinsLimit) spins can be enumerated)"
            throw EngineError(.limitExceeded, "the model has \(n) spins: \(states) states exceed the enumeration cap of 2^\(cap)\(hint)")
        }
        return Int64(1) << n
    }

    // MARK: - Ground state

    /// The lowest energy, the number of states at it and one of them (spins +-1).
    ///
    /// States within tolerance 1e-10 * (sum|J| + sum|h|) of the minimum count as
    /// degenerate (exactly equal energies for whole-number parameters).
    public static func groundState(
        _ model: IsingModel, maxSpins: Int = 0, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> (energy: Double, degeneracy: Int64, spins: [Int8]) {
        _ = try stateCount(model, maxSpins: maxSpins)
        let tolerance = model.hasIntegerParameters ? 0.5 : 1e-10 * max(model.energyBound, 1e-300)
        struct Best { var energy = Double.infinity; var count: Int64 = 0; var state: UInt64 = 0 }
        let blocks = StateBlocks(model)
        let tasks = blocks.taskCount(maxTasks: maxTasks)
        var partials = [Best](repeating: Best(), count: tasks)
        guard monitor.start(total: Int64(1) << model.spinCount) else { try monitor.checkNotStopped(); return (0, 0, []) }
        partials.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            blocks.run(tasks: 0..<tasks, taskCount: tasks, monitor: monitor) { visit in
                var best = out[visit.task]
                for b in 0..<blocks.blockSize {
                    let energy = visit.energies[b]
                    if energy < best.energy - tolerance {
                        best = Best(energy: energy, count: 1, state: UInt64(visit.block) << UInt64(blocks.innerBits) | UInt64(b))
                    } else if energy <= best.energy + tolerance {
                        best.count += 1
                        if energy < best.energy { best.energy = energy }
                    }
                }
                out[visit.task] = best
            }
        }
        try monitor.finish()
        var best = Best()
        for p in partials where p.count > 0 {
            if p.energy < best.energy - tolerance {
                best = p
            } else if p.energy <= best.energy + tolerance {
                best.count += p.count
                if p.energy < best.energy { best.energy = p.energy; best.state = p.state }
            }
        }
        if blocks.mirrored { best.count *= 2 }
        let spins = (0..<model.spinCount).map { best.state >> UInt64($0) & 1 == 1 ? Int8(1) : Int8(-1) }
        // Report the energy recomputed from the spins, free of the block sums' rounding.
        let energy = spins.withUnsafeBufferPointer { model.energy($0.baseAddress!) }
        return (energy, best.count, spins)
    }

    // MARK: - Density of states

    /// Exact counts of states by energy (and by energy and magnetisation) for a model
    /// whose couplings and fields are whole numbers, so that every energy is one.
    public struct DensityOfStates: Sendable {
        /// Energy of bin 0; bin b holds energy minEnergy + b.
        public var minEnergy: Int
        public var binCount: Int
        /// g(E): binCount counts.
        public var counts: [Int64]
        /// g(E, M): binCount x (N + 1) counts, column c for M = 2c - N; nil unless asked.
        public var countsByMagnetization: [Int64]?
    }

    /// The energy grid of `densityOfStates`: [-B, B] with B = sum|J| + sum|h|.
    public static func densityOfStatesRange(_ model: IsingModel) throws(EngineError) -> (minEnergy: Int, binCount: Int) {
        guard model.hasIntegerParameters else {
            throw .invalid("the density of states needs whole-number couplings and fields; use the thermodynamics at given beta for real-valued ones")
        }
        let bound = model.energyBound
        guard bound < Double(maxHistogramCells) else {
            throw EngineError(.limitExceeded, "energies span [-\(bound), \(bound)], more than \(maxHistogramCells) bins")
        }
        return (-Int(bound), 2 * Int(bound) + 1)
    }

    public static func densityOfStates(
        _ model: IsingModel, byMagnetization: Bool, maxSpins: Int = 0, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> DensityOfStates {
        _ = try stateCount(model, maxSpins: maxSpins)
        let (minEnergy, bins) = try densityOfStatesRange(model)
        let n = model.spinCount
        let columns = byMagnetization ? n + 1 : 1
        guard bins <= maxHistogramCells / columns else {
            throw EngineError(.limitExceeded, "\(bins) energy bins x \(columns) magnetisations is more than \(maxHistogramCells) cells")
        }
        let cells = bins * columns
        let blocks = StateBlocks(model)
        // Counts are integers, so per-worker histograms added in any order are exact:
        // one histogram per worker thread, not per task.
        let workers = min(Parallel.maxThreads, blocks.blockCount)
        var histograms = [Int64](repeating: 0, count: workers * cells)
        guard monitor.start(total: Int64(1) << model.spinCount) else { try monitor.checkNotStopped(); return DensityOfStates(minEnergy: 0, binCount: 0, counts: []) }
        histograms.withUnsafeMutableBufferPointer { h in
            let h = SharedPointer(h.baseAddress!)
            blocks.innerUps.withUnsafeBufferPointer { innerUps in
                let innerUps = SharedPointer(UnsafeMutablePointer(mutating: innerUps.baseAddress!))
                blocks.run(tasks: 0..<workers, taskCount: workers, interleaved: true, monitor: monitor) { visit in
                    let histogram = h.base + visit.task * cells
                    let e = visit.energies
                    // Energies are exact integers here: the conversion is exact.
                    let offset = Double(-minEnergy)
                    if byMagnetization {
                        let column = histogram + visit.outerUps
                        for b in 0..<blocks.blockSize {
                            column[Int(e[b] + offset) * columns + Int(innerUps[b])] += 1
                        }
                    } else {
                        for b in 0..<blocks.blockSize { histogram[Int(e[b] + offset)] += 1 }
                    }
                }
            }
        }
        try monitor.finish()
        var total = [Int64](repeating: 0, count: cells)
        for w in 0..<workers { for c in 0..<cells { total[c] += histograms[w * cells + c] } }
        if blocks.mirrored {
            // g(E, u) counts the visited states with u up spins and the mirrors of those with N - u.
            let visited = total
            for b in 0..<bins {
                for c in 0..<columns { total[b * columns + c] = visited[b * columns + c] + visited[b * columns + columns - 1 - c] }
            }
        }
        var counts = total
        if byMagnetization {
            counts = (0..<bins).map { b in total[(b * columns)..<((b + 1) * columns)].reduce(0, +) }
        }
        return DensityOfStates(minEnergy: minEnergy, binCount: bins, counts: counts, countsByMagnetization: byMagnetization ? total : nil)
    }

    // MARK: - Thermodynamics

    /// Exact thermodynamics with magnetisation statistics, one entry per beta.
    public struct Thermodynamics: Sendable {
        /// log Z, F, U, S, C of the whole model.
        public var table: ThermodynamicTable
        /// <m>, <|m|>, <m^2> of the magnetisation per spin m = (1/N) sum_i s_i.
        public var magnetization: [Double]
        public var absMagnetization: [Double]
        public var magnetizationSquared: [Double]
    }

    /// How `thermodynamics` sums the states.
    public enum Method: Sendable {
        /// Through g(E, M) for whole-number parameters with a small enough histogram;
        /// else by Taylor bins when they fit; else every state at every beta.
        case automatic
        /// Every state's Boltzmann weight at every beta, summed in log space.
        case direct
        /// Through the exact g(E, M) (whole-number parameters only).
        case densityOfStates
        /// Energy-magnetisation bins with Taylor power sums (`TaylorBins`): one pass,
        /// no exponential per state, exact to rounding.
        case binned
    }

    /// log Z, F, U, S, C and <m>, <|m|>, <m^2> at every beta, exactly.
    ///
    /// Whole-number parameters go through the exact g(E, M) (one pass, then a sum over
    /// its cells per beta); real ones through Taylor power sums in energy bins (one
    /// pass; the truncation is below rounding, see `TaylorBins`), or, when the bins
    /// would be too many (|beta| times the energy span above ~10^4 / N), every state's
    /// weight at every beta in log space with the blocked, two-pass moments of
    /// `Spectrum.thermodynamics`.
    public static func thermodynamics(
        _ model: IsingModel, betas: [Double], maxSpins: Int = 0, method: Method = .automatic, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> Thermodynamics {
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        _ = try stateCount(model, maxSpins: maxSpins)
        let n = model.spinCount
        let bound = model.energyBound
        let frames = betas.map { ReducedFrame(beta: $0, lowest: -bound, highest: bound) }
        let bins = TaylorBins(lowest: -bound, highest: bound, maxAbsBeta: betas.map(abs).max()!, columns: n + 1)
        var chosen = method
        if method == .automatic {
            chosen = .direct
            if let range = try? densityOfStatesRange(model), range.binCount <= maxHistogramCells / (n + 1) {
                chosen = .densityOfStates
            } else if bins != nil {
                chosen = .binned
            }
        }
        let moments: [IsingMoments]
        switch chosen {
        case .densityOfStates:
            let dos = try densityOfStates(model, byMagnetization: true, maxSpins: maxSpins, monitor: monitor)
            moments = histogramMoments(dos, spinCount: n, frames: frames)
        case .binned:
            guard let bins else {
                throw EngineError(.limitExceeded, "Taylor bins for |beta| up to \(betas.map(abs).max()!) over energies in [-\(bound), \(bound)] need more than \(TaylorBins.maxCells) cells; use the direct method")
            }
            moments = try binnedMoments(model, bins: bins, frames: frames, monitor: monitor)
        case .direct, .automatic:
            moments = try directMoments(model, frames: frames, monitor: monitor)
        }
        return assemble(betas, frames, moments)
    }

    /// Energy moments (in a frame's reduced variable) and weighted magnetisation means.
    struct IsingMoments: Sendable {
        var energy = Moments()
        var magnetization = 0.0
        var absMagnetization = 0.0
        var magnetizationSquared = 0.0

        mutating func merge(_ other: IsingMoments) {
            let (a, b) = energy.merge(other.energy)
            magnetization = a * magnetization + b * other.magnetization
            absMagnetization = a * absMagnetization + b * other.absMagnetization
            magnetizationSquared = a * magnetizationSquared + b * other.magnetizationSquared
        }
    }

    /// Moments of a chunk of states with energies e, log-multiplicities lg (nil: 0) and
    /// magnetisations per spin m: pass 1 the largest exponent, pass 2 the weights and
    /// means, pass 3 the variance about the mean.
    static func chunkMoments(
        _ frame: ReducedFrame, _ e: UnsafePointer<Double>, _ lg: UnsafePointer<Double>?, _ m: UnsafePointer<Double>,
        _ count: Int, _ scratch: UnsafeMutablePointer<Double>
    ) -> IsingMoments {
        @inline(__always) func logWeight(_ i: Int) -> Double { (lg?[i] ?? 0) - frame.beta * (e[i] - frame.reference) }
        var shift = -Double.infinity
        for i in 0..<count { shift = max(shift, logWeight(i)) }
        guard shift > -.infinity else { return IsingMoments() }
        var below = 0.0, atMax = 0.0, sumY = 0.0, sumM = 0.0, sumAbsM = 0.0, sumM2 = 0.0
        let vectorEnd = count & ~3
        var i = 0
        if lg == nil {
            var vBelow = SIMD4<Double>(), vAtMax = SIMD4<Double>(), vY = SIMD4<Double>()
            var vM = SIMD4<Double>(), vAbsM = SIMD4<Double>(), vM2 = SIMD4<Double>()
            let one = SIMD4<Double>(repeating: 1), zero = SIMD4<Double>()
            while i < vectorEnd {
                let ev = UnsafeRawPointer(e + i).loadUnaligned(as: SIMD4<Double>.self)
                let mv = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD4<Double>.self)
                let w = expNonPositive(-frame.beta * (ev - frame.reference) - shift)
                UnsafeMutableRawPointer(scratch + i).storeBytes(of: w, as: SIMD4<Double>.self)
                let isMax = w .== one
                vBelow += w.replacing(with: 0, where: isMax)
                vAtMax += zero.replacing(with: 1, where: isMax)
                vY += w * frame.reduced(e + i)
                let wm = w * mv
                vM += wm
                vAbsM += wm.replacing(with: -wm, where: mv .< zero)
                vM2 += wm * mv
                i += 4
            }
            below = vBelow.sum(); atMax = vAtMax.sum(); sumY = vY.sum()
            sumM = vM.sum(); sumAbsM = vAbsM.sum(); sumM2 = vM2.sum()
        }
        while i < count {
            let w = expNonPositive(logWeight(i) - shift)
            scratch[i] = w
            if w == 1 { atMax += 1 } else { below += w }
            sumY += w * frame.reduced(e[i])
            sumM += w * m[i]; sumAbsM += w * abs(m[i]); sumM2 += w * m[i] * m[i]
            i += 1
        }
        let weight = atMax + below
        let mean = sumY / weight
        var sumD2 = 0.0
        for i in 0..<count {
            let d = frame.reduced(e[i]) - mean
            sumD2 += scratch[i] * d * d
        }
        return IsingMoments(
            energy: Moments(shift: shift, excess: (atMax - 1) + below, mean: mean, variance: sumD2 / weight),
            magnetization: sumM / weight, absMagnetization: sumAbsM / weight, magnetizationSquared: sumM2 / weight)
    }

    static let chunkSize = 512

    /// Moments over the non-empty cells of g(E, M), weighted by the counts.
    static func histogramMoments(_ dos: DensityOfStates, spinCount n: Int, frames: [ReducedFrame]) -> [IsingMoments] {
        var e: [Double] = [], lg: [Double] = [], m: [Double] = []
        let columns = n + 1
        for b in 0..<dos.binCount {
            for c in 0..<columns {
                let count = dos.countsByMagnetization![b * columns + c]
                guard count > 0 else { continue }
                e.append(Double(dos.minEnergy + b)); lg.append(log(Double(count))); m.append(Double(2 * c - n) / Double(n))
            }
        }
        return levelMoments(energies: e, logMultiplicities: lg, magnetizations: m, frames: frames)
    }

    /// Moments over levels with energies, log-multiplicities and magnetisations per spin.
    static func levelMoments(energies e: [Double], logMultiplicities lg: [Double], magnetizations m: [Double], frames: [ReducedFrame]) -> [IsingMoments] {
        var scratch = [Double](repeating: 0, count: chunkSize)
        return e.withUnsafeBufferPointer { e in
            lg.withUnsafeBufferPointer { lg in
                m.withUnsafeBufferPointer { m in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        frames.map { frame in
                            var total = IsingMoments()
                            var start = 0
                            while start < e.count {
                                let len = min(chunkSize, e.count - start)
                                total.merge(chunkMoments(frame, e.baseAddress! + start, lg.baseAddress! + start,
                                                         m.baseAddress! + start, len, scratch.baseAddress!))
                                start += len
                            }
                            return total
                        }
                    }
                }
            }
        }
    }

    /// The table and magnetisation means from per-frame moments.
    static func assemble(_ betas: [Double], _ frames: [ReducedFrame], _ moments: [IsingMoments]) -> Thermodynamics {
        var result = Thermodynamics(
            table: ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: []),
            magnetization: [], absMagnetization: [], magnetizationSquared: [])
        for (frame, m) in zip(frames, moments) {
            let e = m.energy
            let logSum = e.logSum
            let ratio = frame.beta / frame.scale
            result.table.logZ.append(logSum - frame.beta * frame.reference)
            result.table.freeEnergy.append(frame.beta == 0 ? .nan : frame.reference - logSum / frame.beta)
            result.table.energy.append(frame.reference + e.mean / frame.scale)
            result.table.entropy.append(ratio * e.mean + logSum)
            result.table.heatCapacity.append(frame.beta == 0 ? 0 : ratio * ratio * e.variance)
            result.magnetization.append(m.magnetization)
            result.absMagnetization.append(m.absMagnetization)
            result.magnetizationSquared.append(m.magnetizationSquared)
        }
        return result
    }

    /// Moments over every state, per beta: each block's weights are formed with the
    /// vector exponential, a chunk at a time.
    static func directMoments(_ model: IsingModel, frames: [ReducedFrame], monitor: WorkMonitor) throws(EngineError) -> [IsingMoments] {
        let blocks = StateBlocks(model)
        let tasks = blocks.taskCount(maxTasks: max(1, min(maxTasks, (1 << 20) / frames.count)))
        let nb = frames.count
        var partials = [IsingMoments](repeating: IsingMoments(), count: tasks * nb)
        guard monitor.start(total: Int64(1) << model.spinCount) else { try monitor.checkNotStopped(); return [] }
        let n = model.spinCount
        partials.withUnsafeMutableBufferPointer { out in
            frames.withUnsafeBufferPointer { f in
                let out = SharedPointer(out.baseAddress!)
                let f = SharedPointer(UnsafeMutablePointer(mutating: f.baseAddress!))
                blocks.run(tasks: 0..<tasks, taskCount: tasks, monitor: monitor) { visit in
                    let row = out.base + visit.task * nb
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: blocks.blockSize + chunkSize) { buffer in
                        let m = buffer.baseAddress!, scratch = m + blocks.blockSize
                        for b in 0..<blocks.blockSize {
                            m[b] = Double(2 * (visit.outerUps + Int(blocks.innerUps[b])) - n) / Double(n)
                        }
                        var start = 0
                        while start < blocks.blockSize {
                            let count = min(chunkSize, blocks.blockSize - start)
                            for k in 0..<nb {
                                row[k].merge(chunkMoments(f[k], visit.energies + start, nil, m + start, count, scratch))
                            }
                            start += count
                        }
                    }
                }
            }
        }
        try monitor.finish()
        var result = [IsingMoments](repeating: IsingMoments(), count: nb)
        for t in 0..<tasks { for k in 0..<nb { result[k].merge(partials[t * nb + k]) } }
        if blocks.mirrored {
            for k in 0..<nb {
                var mirror = result[k]
                mirror.magnetization = -mirror.magnetization
                result[k].merge(mirror)
            }
        }
        return result
    }

    /// Moments from one pass filling Taylor bins. Each of a fixed number of tasks fills
    /// its own histogram; they run `workers` at a time and are added to the total in
    /// task order, so every bit of the result is independent of the thread count.
    static func binnedMoments(_ model: IsingModel, bins: TaylorBins, frames: [ReducedFrame], monitor: WorkMonitor) throws(EngineError) -> [IsingMoments] {
        let blocks = StateBlocks(model)
        let tasks = blocks.taskCount(maxTasks: binnedTasks)
        let workers = min(Parallel.maxThreads, tasks)
        let size = bins.size
        let total = UnsafeMutablePointer<Double>.allocate(capacity: size)
        let slots = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: workers * size / 4)
        defer { total.deallocate(); slots.deallocate() }
        total.initialize(repeating: 0, count: size)
        slots.initialize(repeating: SIMD4(), count: workers * size / 4)
        guard monitor.start(total: Int64(1) << model.spinCount) else { try monitor.checkNotStopped(); return [] }
        let shared = SharedPointer(slots)
        blocks.innerUps.withUnsafeBufferPointer { innerUps in
            let innerUps = SharedPointer(UnsafeMutablePointer(mutating: innerUps.baseAddress!))
            var first = 0
            while first < tasks, !monitor.isStopped {
                let round = first..<min(first + workers, tasks)
                blocks.run(tasks: round, taskCount: tasks, monitor: monitor) { visit in
                    bins.add(visit.energies, count: blocks.blockSize, outerUps: visit.outerUps, innerUps: innerUps.base,
                             into: shared.base + (visit.task - round.lowerBound) * (size / 4))
                }
                UnsafeMutableRawPointer(slots).withMemoryRebound(to: Double.self, capacity: workers * size) { slot in
                    for s in 0..<round.count {
                        let histogram = slot + s * size
                        for i in 0..<size { total[i] += histogram[i] }
                        histogram.update(repeating: 0, count: size)
                    }
                }
                first = round.upperBound
            }
        }
        try monitor.finish()
        if blocks.mirrored { bins.addMirrorImages(total) }
        return frames.map { bins.moments(total, frame: $0, spinCount: model.spinCount) }
    }
}
