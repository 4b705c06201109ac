/// All 2^N states of an Ising model, produced a block of 2^k energies at a time.
///
/// State index bit i is spin i (1: +1, 0: -1). The k low ("inner") spins vary within a
/// block and the N - k high ("outer") ones fix it. With the outer spins a fixed,
///
///     E(a, b) = E_out(a) + E_in(b) - sum_{j inner} s_j f_j(a),   f_j(a) = sum_{i outer} J_ij s_i,
///
/// where E_out and E_in hold the couplings and fields within each part. E_in is a table
/// made once; the linear term over all 2^k inner states is built by doubling (state
/// t + 2^j is state t with spin j up: add -2 f_j), so a state costs two additions
/// whatever the number of couplings, and a block costs O(couplings + 2^k). Each energy
/// is a sum of at most k + 3 rounded terms (exact for whole-number parameters below
/// 2^53), with no drift from one state to the next.
///
/// With every field zero, E(-s) = E(s): the blocks then cover only the states with
/// spin N-1 down (`mirrored`), and each visited state stands for itself and its
/// mirror image -s, which has N - u up spins where s has u. Callers fold that in.
struct StateBlocks: @unchecked Sendable {
    /// 2^14 energies (128 KB) per block: the block, the inner table and the counts of
    /// up spins stay in a core's L2 cache.
    static let maxInnerBits = 14

    let spinCount: Int
    let innerBits: Int
    let blockCount: Int
    /// Whether each visited state also stands for its mirror -s (see the type).
    let mirrored: Bool
    var blockSize: Int { 1 << innerBits }
    /// E_in(b) and the number of up spins of b, for the 2^k inner states.
    let innerEnergy: [Double]
    let innerUps: [UInt8]
    private let model: IsingModel

    init(_ model: IsingModel) {
        self.model = model
        spinCount = model.spinCount
        innerBits = min(spinCount, Self.maxInnerBits)
        mirrored = spinCount > innerBits && model.fields.allSatisfy { $0 == 0 }
        blockCount = 1 << (spinCount - innerBits - (mirrored ? 1 : 0))
        let k = innerBits
        var energies = [Double](repeating: 0, count: 1 << k)
        var spins = [Double](repeating: 0, count: k)
        for b in 0..<(1 << k) {
            for i in 0..<k { spins[i] = b >> i & 1 == 1 ? 1 : -1 }
            var e = 0.0
            for i in 0..<k {
                e -= model.fields[i] * spins[i]
                for edge in model.rowStart[i]..<model.rowStart[i + 1] {
                    let j = Int(model.neighbour[edge])
                    if j > i && j < k { e -= model.weight[edge] * spins[i] * spins[j] }
                }
            }
            energies[b] = e
        }
        innerEnergy = energies
        innerUps = (0..<(1 << k)).map { UInt8($0.nonzeroBitCount) }
    }

    /// Writes the energies of block `block` (states block * 2^k + b) into energies[b];
    /// returns the number of up spins among the outer ones. `field` holds k scratch values.
    func fill(block: Int, energies e: UnsafeMutablePointer<Double>, field f: UnsafeMutablePointer<Double>) -> Int {
        let k = innerBits
        f.update(repeating: 0, count: k)
        var outerEnergy = 0.0
        var ups = 0
        model.rowStart.withUnsafeBufferPointer { rowStart in
            model.neighbour.withUnsafeBufferPointer { neighbour in
                model.weight.withUnsafeBufferPointer { weight in
                    for i in k..<spinCount {
                        let up = block >> (i - k) & 1 == 1
                        let s: Double = up ? 1 : -1
                        if up { ups += 1 }
                        outerEnergy -= model.fields[i] * s
                        for edge in rowStart[i]..<rowStart[i + 1] {
                            let j = Int(neighbour[edge])
                            if j < k {
                                f[j] += weight[edge] * s
                            } else if j > i {
                                outerEnergy -= weight[edge] * s * (block >> (j - k) & 1 == 1 ? 1 : -1)
                            }
                        }
                    }
                }
            }
        }
        // All inner spins down: -sum_j s_j f_j = +sum_j f_j.
        var start = outerEnergy
        for j in 0..<k { start += f[j] }
        e[0] = start
        for j in 0..<k {
            let half = 1 << j, step = -2 * f[j]
            if half >= 4 {
                let stepVector = SIMD4<Double>(repeating: step)
                var t = 0
                while t < half {
                    let v = UnsafeRawPointer(e + t).loadUnaligned(as: SIMD4<Double>.self)
                    UnsafeMutableRawPointer(e + half + t).storeBytes(of: v + stepVector, as: SIMD4<Double>.self)
                    t += 4
                }
            } else {
                for t in 0..<half { e[half + t] = e[t] + step }
            }
        }
        innerEnergy.withUnsafeBufferPointer { table in
            let size = 1 << k
            var b = 0
            while b + 4 <= size {
                let v = UnsafeRawPointer(e + b).loadUnaligned(as: SIMD4<Double>.self)
                let w = UnsafeRawPointer(table.baseAddress! + b).loadUnaligned(as: SIMD4<Double>.self)
                UnsafeMutableRawPointer(e + b).storeBytes(of: v + w, as: SIMD4<Double>.self)
                b += 4
            }
            while b < size { e[b] += table[b]; b += 1 }
        }
        return ups
    }

    /// One task's view: its buffers and the block being visited.
    struct Visit {
        let task: Int
        let block: Int
        /// blockSize energies, index b = the inner bits of the state.
        let energies: UnsafeMutablePointer<Double>
        /// Up spins among the outer ones; the state's magnetisation is
        /// 2 (outerUps + innerUps[b]) - N.
        let outerUps: Int
    }

    /// Calls `body` for every block of every task in `tasks`, threaded. Task t takes
    /// the consecutive blocks [t B / T, (t + 1) B / T) of the B blocks among T tasks,
    /// or, when `interleaved`, blocks t, t + T, ... . Stops early once `monitor` is
    /// stopped; advances it block by block (by the states a block stands for).
    func run(tasks: Range<Int>, taskCount: Int, interleaved: Bool = false, monitor: WorkMonitor,
             _ body: @escaping (Visit) -> Void) {
        let box = UncheckedBox(body)
        let first = tasks.lowerBound
        Parallel.forEach(tasks.count, parallel: blockCount > 1) { slot in
            let task = first + slot
            let energies = UnsafeMutablePointer<Double>.allocate(capacity: blockSize)
            let field = UnsafeMutablePointer<Double>.allocate(capacity: max(innerBits, 1))
            defer { energies.deallocate(); field.deallocate() }
            let blocks = interleaved
                ? Array(stride(from: task, to: blockCount, by: taskCount))
                : Array((task * blockCount / taskCount)..<((task + 1) * blockCount / taskCount))
            for block in blocks {
                guard !monitor.isStopped else { return }
                let ups = fill(block: block, energies: energies, field: field)
                box.value(Visit(task: task, block: block, energies: energies, outerUps: ups))
                monitor.advance(by: Int64(blockSize) << (mirrored ? 1 : 0))
            }
        }
    }

    /// The fixed number of tasks for per-task results: at most `maxTasks`, at most one
    /// per block. It never depends on the thread count, so neither do the sums.
    func taskCount(maxTasks: Int) -> Int { max(1, min(blockCount, maxTasks)) }
}
