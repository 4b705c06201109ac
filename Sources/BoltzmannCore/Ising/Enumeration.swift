import Glibc

/// Exact results by visiting all 2^N configurations of an Ising model.
///
/// The states are walked in Gray-code order, so consecutive states differ by one
/// spin: flipping spin k changes the energy by 2 s_k f_k (f the local field) and
/// updates only k's neighbours' fields, O(degree) per state instead of O(couplings).
/// The high spins fix a block of 2^16 states (the walk restarts from scratch there,
/// which also bounds the rounding drift of the running energy to ~2^8 ulp); blocks
/// are shared among threads in a fixed partition, so results do not depend on the
/// thread count.
public enum IsingEnumeration {
    /// Largest N enumerated unless the caller raises the cap (2^30 ~ 1e9 states,
    /// seconds to a minute on two cores).
    public static let defaultMaxSpins = 30
    /// Largest N the caller may allow (2^40 ~ 1e12 states: hours).
    public static let maxSpinsLimit = 40
    static let blockBits = 16
    static let maxTasks = 1024

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
        let layout = BlockLayout(model.spinCount)
        var partials = [Best](repeating: Best(), count: layout.tasks)
        guard monitor.start() else { try monitor.checkNotStopped(); return (0, 0, []) }
        partials.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(out.baseAddress!)
            layout.run(model, monitor) { walker, block, blockBits in
                var best = out[walker.task]
                walker.walk(block: block, bits: blockBits) { t, energy, _ in
                    if energy < best.energy - tolerance {
                        best = Best(energy: energy, count: 1, state: UInt64(block) << blockBits | UInt64(t ^ (t >> 1)))
                    } else if energy <= best.energy + tolerance {
                        best.count += 1
                        if energy < best.energy { best.energy = energy }
                    }
                }
                out[walker.task] = best
            }
        }
        try monitor.checkNotStopped()
        var best = Best()
        for p in partials where p.count > 0 {
            if p.energy < best.energy - tolerance {
                best = p
            } else if p.energy <= best.energy + tolerance {
                best.count += p.count
                if p.energy < best.energy { best.energy = p.energy; best.state = p.state }
            }
        }
        let spins = (0..<model.spinCount).map { best.state >> UInt64($0) & 1 == 1 ? Int8(1) : Int8(-1) }
        // Report the energy recomputed from the spins, free of the walk's rounding.
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
        let layout = BlockLayout(n)
        // Counts are integers, so per-worker histograms added in any order are exact:
        // one histogram per worker thread, not per task.
        let workers = min(Parallel.maxThreads, layout.blocks)
        var histograms = [Int64](repeating: 0, count: workers * cells)
        guard monitor.start() else { try monitor.checkNotStopped(); return DensityOfStates(minEnergy: 0, binCount: 0, counts: []) }
        histograms.withUnsafeMutableBufferPointer { h in
            let h = SharedPointer(h.baseAddress!)
            layout.runInterleaved(model, monitor, workers: workers) { walker, block, blockBits in
                let histogram = h.base + walker.task * cells
                let offset = Double(-minEnergy)
                if byMagnetization {
                    walker.walk(block: block, bits: blockBits) { _, energy, magnetization in
                        histogram[Int(energy + offset) * columns + (magnetization + n) >> 1] += 1
                    }
                } else {
                    walker.walk(block: block, bits: blockBits) { _, energy, _ in
                        histogram[Int(energy + offset)] += 1
                    }
                }
            }
        }
        try monitor.checkNotStopped()
        var total = [Int64](repeating: 0, count: cells)
        for w in 0..<workers { for c in 0..<cells { total[c] += histograms[w * cells + c] } }
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
        /// Whole-number parameters with a small enough histogram: through g(E, M); else direct.
        case automatic
        /// Every state's Boltzmann weight at every beta, summed in log space.
        case direct
        /// Through the exact g(E, M) (whole-number parameters only).
        case densityOfStates
    }

    /// log Z, F, U, S, C and <m>, <|m|>, <m^2> at every beta, exactly.
    ///
    /// Whole-number parameters go through the exact g(E, M) (one walk, then a sum over
    /// its cells per beta); real ones weight every state at every beta in log space,
    /// with the same blocked, two-pass moments as `Spectrum.thermodynamics`.
    public static func thermodynamics(
        _ model: IsingModel, betas: [Double], maxSpins: Int = 0, method: Method = .automatic, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> Thermodynamics {
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        _ = try stateCount(model, maxSpins: maxSpins)
        let n = model.spinCount
        var useHistogram = false
        switch method {
        case .direct: break
        case .densityOfStates: useHistogram = true
        case .automatic:
            if let range = try? densityOfStatesRange(model) { useHistogram = range.binCount <= maxHistogramCells / (n + 1) }
        }
        let bound = model.energyBound
        let frames = betas.map { ReducedFrame(beta: $0, lowest: -bound, highest: bound) }
        var moments: [IsingMoments]
        if useHistogram {
            let dos = try densityOfStates(model, byMagnetization: true, maxSpins: maxSpins, monitor: monitor)
            moments = histogramMoments(dos, spinCount: n, frames: frames)
        } else {
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

    /// Moments over every state, per beta: states are buffered a chunk at a time, then
    /// each beta's weights are formed with the vector exponential.
    static func directMoments(_ model: IsingModel, frames: [ReducedFrame], monitor: WorkMonitor) throws(EngineError) -> [IsingMoments] {
        let layout = BlockLayout(model.spinCount, maxTasks: max(1, min(maxTasks, (1 << 20) / frames.count)))
        let nb = frames.count
        var partials = [IsingMoments](repeating: IsingMoments(), count: layout.tasks * nb)
        guard monitor.start() else { try monitor.checkNotStopped(); return [] }
        let inverseN = 1 / Double(model.spinCount)
        partials.withUnsafeMutableBufferPointer { out in
            frames.withUnsafeBufferPointer { f in
                let out = SharedPointer(out.baseAddress!)
                let f = SharedPointer(UnsafeMutablePointer(mutating: f.baseAddress!))
                layout.run(model, monitor) { walker, block, blockBits in
                    let row = out.base + walker.task * nb
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * chunkSize) { buffer in
                        let e = buffer.baseAddress!, m = e + chunkSize, scratch = m + chunkSize
                        var filled = 0
                        func flush() {
                            for k in 0..<nb { row[k].merge(chunkMoments(f[k], e, nil, m, filled, scratch)) }
                            filled = 0
                        }
                        walker.walk(block: block, bits: blockBits) { _, energy, magnetization in
                            e[filled] = energy
                            m[filled] = Double(magnetization) * inverseN
                            filled += 1
                            if filled == chunkSize { flush() }
                        }
                        if filled > 0 { flush() }
                    }
                }
            }
        }
        try monitor.checkNotStopped()
        var result = [IsingMoments](repeating: IsingMoments(), count: nb)
        for t in 0..<layout.tasks { for k in 0..<nb { result[k].merge(partials[t * nb + k]) } }
        return result
    }
}

/// How the 2^N states are cut into blocks (a Gray-code walk each) and tasks.
struct BlockLayout {
    let spinCount: Int
    let blockBits: Int
    let blocks: Int
    let tasks: Int

    init(_ spinCount: Int, maxTasks: Int = IsingEnumeration.maxTasks) {
        self.spinCount = spinCount
        blockBits = min(spinCount, IsingEnumeration.blockBits)
        blocks = 1 << (spinCount - blockBits)
        tasks = min(blocks, maxTasks)
    }

    /// Task t walks the consecutive blocks [t * blocks / tasks, (t + 1) * blocks / tasks).
    func run(_ model: IsingModel, _ monitor: WorkMonitor, _ body: @escaping (inout GrayWalker, Int, Int) -> Void) {
        let perTask = blocks / tasks
        let states = Int64(1) << blockBits
        let box = UncheckedBox(body)
        model.withWalkerData { data in
            Parallel.forEach(tasks, parallel: blocks > 1) { task in
                var walker = GrayWalker(data, task: task)
                defer { walker.deallocate() }
                for block in (task * perTask)..<((task + 1) * perTask) {
                    guard !monitor.isStopped else { return }
                    box.value(&walker, block, blockBits)
                    monitor.advance(by: states)
                }
            }
        }
    }

    /// Worker w walks blocks w, w + W, ... (for order-independent sums).
    func runInterleaved(_ model: IsingModel, _ monitor: WorkMonitor, workers: Int, _ body: @escaping (inout GrayWalker, Int, Int) -> Void) {
        let states = Int64(1) << blockBits
        let box = UncheckedBox(body)
        model.withWalkerData { data in
            Parallel.forEach(workers) { worker in
                var walker = GrayWalker(data, task: worker)
                defer { walker.deallocate() }
                var block = worker
                while block < blocks {
                    guard !monitor.isStopped else { return }
                    box.value(&walker, block, blockBits)
                    monitor.advance(by: states)
                    block += workers
                }
            }
        }
    }
}

/// A non-Sendable value handed to `Parallel.forEach` tasks that only use it in ways
/// that are safe to share (here: closures writing only their own task's slots).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The model's arrays as raw pointers for the walkers' inner loop.
struct WalkerData: @unchecked Sendable {
    let spinCount: Int
    let rowStart: UnsafePointer<Int>
    let neighbour: UnsafePointer<Int32>
    let weight: UnsafePointer<Double>
    let fields: UnsafePointer<Double>
}

extension IsingModel {
    func withWalkerData<R>(_ body: (WalkerData) -> R) -> R {
        rowStart.withUnsafeBufferPointer { r in
            neighbour.withUnsafeBufferPointer { nb in
                weight.withUnsafeBufferPointer { w in
                    fields.withUnsafeBufferPointer { h in
                        // An empty array's base address may be nil; no loop reads it then.
                        let dummyInt32 = UnsafePointer<Int32>(bitPattern: MemoryLayout<Int32>.alignment)!
                        let dummyDouble = UnsafePointer<Double>(bitPattern: MemoryLayout<Double>.alignment)!
                        return body(WalkerData(spinCount: spinCount, rowStart: r.baseAddress!,
                                               neighbour: nb.baseAddress ?? dummyInt32,
                                               weight: w.baseAddress ?? dummyDouble, fields: h.baseAddress!))
                    }
                }
            }
        }
    }
}

/// One thread's Gray-code walk: the current spins, local fields, energy and
/// magnetisation, updated by single flips.
struct GrayWalker {
    let data: WalkerData
    let task: Int
    let spins: UnsafeMutablePointer<Double>
    let local: UnsafeMutablePointer<Double>
    var energy = 0.0
    var magnetization = 0

    init(_ data: WalkerData, task: Int) {
        self.data = data
        self.task = task
        spins = .allocate(capacity: data.spinCount)
        local = .allocate(capacity: data.spinCount)
    }

    func deallocate() {
        spins.deallocate()
        local.deallocate()
    }

    /// Start at the state whose bit i is spin i (1: +1, 0: -1); recompute everything.
    mutating func reset(_ bits: UInt64) {
        let n = data.spinCount
        magnetization = 0
        for i in 0..<n {
            spins[i] = bits >> UInt64(i) & 1 == 1 ? 1 : -1
            magnetization += Int(spins[i])
        }
        var e = 0.0
        for i in 0..<n {
            var f = data.fields[i]
            for k in data.rowStart[i]..<data.rowStart[i + 1] { f += data.weight[k] * spins[Int(data.neighbour[k])] }
            local[i] = f
            // E = -1/2 sum_i s_i (f_i + h_i): the pair terms are counted twice in s.f.
            e -= 0.5 * spins[i] * (f + data.fields[i])
        }
        energy = e
    }

    @inline(__always)
    mutating func flip(_ k: Int) {
        let s = spins[k]
        energy += 2 * s * local[k]
        let flipped = -s
        spins[k] = flipped
        magnetization += s > 0 ? -2 : 2
        let change = 2 * flipped
        for e in data.rowStart[k]..<data.rowStart[k + 1] {
            local[Int(data.neighbour[e])] += change * data.weight[e]
        }
    }

    /// Visit the 2^bits states of `block` in Gray-code order: visit(t, E, M) with the
    /// state's low bits equal to t ^ (t >> 1).
    @inline(__always)
    mutating func walk(block: Int, bits: Int, _ visit: (Int, Double, Int) -> Void) {
        reset(UInt64(block) << UInt64(bits))
        visit(0, energy, magnetization)
        for t in 1..<(1 << bits) {
            flip(t.trailingZeroBitCount)
            visit(t, energy, magnetization)
        }
    }
}
