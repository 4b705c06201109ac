import Glibc

extension PlanarIsing {
    /// Exact, independent samples of a zero-field Ising model on an open square
    /// lattice with any couplings (the 2D Edwards-Anderson glass at any size the
    /// Pfaffian reaches): each sample's domain walls are a perfect matching of the
    /// dual's Fisher lattice drawn in proportion to its weight prod e^(-2 beta J'_e)
    /// (`MatchingSampler`, O(N^1.5) per sample after one O(N^1.5) elimination), its
    /// spins read off them from a first spin of either sign:
    ///
    ///     s_j = s_i r_b (-1)^[wall on b]   along a spanning tree of bonds b = (i, j),
    ///
    /// r_b the gauge's sign (see `gauged`; the walls are measured from a low-energy
    /// state past `samplerGaugeThreshold`). Sample r draws from stream r
    /// of `seed`: the samples do not depend on the thread count or on `count`.
    /// Returns count x N spins, row-major. Accuracy: every draw checks that its
    /// choices' probabilities sum to 1 and none is negative (`MatchingSampler`),
    /// refusing past `samplingTolerance`.
    /// - Throws: INVALID_ARGUMENT (`obstacle`, a torus, count, beta), UNSUPPORTED
    ///   (beta beyond `thermodynamics`' range), LIMIT_EXCEEDED, OUT_OF_MEMORY,
    ///   NOT_CONVERGED (precision lost), CANCELLED.
    public static func samples(_ model: IsingModel, beta: Double, count: Int, seed: UInt64,
                               monitor: WorkMonitor = .none()) throws(EngineError) -> [Int8] {
        if usesEmbedding(model) { return try PlanarGraphIsing.samples(model, beta: beta, count: count, seed: seed, monitor: monitor) }
        if let obstacle = latticeObstacle(model) { throw .invalid("the planar sampler does not apply: \(obstacle)") }
        guard !model.lattice!.periodic else {
            throw .invalid("the planar sampler needs an open lattice: a torus's Z is a signed sum of four Pfaffians, which no sampler draws from (a narrow torus has exact_sample by the transfer matrix)")
        }
        try Limit.iterations.check(count, "n_samples")
        let n = model.spinCount
        try Limit.storedValues.check(count * n, "n_samples x n_spins")
        let (rows, columns, _, couplings, signs) = try gaugedBonds(model, beta: beta, for: "the planar sampler",
                                                                   threshold: samplerGaugeThreshold)
        let dual = Expansion.lowTemperature(rows: rows, columns: columns, periodic: false)
        let retained = dual.tree.fronts.reduce(0) { $0 + $1.boundary.count * $1.boundary.count }
        try Memory.reserve([(retained, 8), (dual.tree.peakEntries(workers: Parallel.maxThreads), 8), (count * n, 1)],
                           for: "the planar sampler's updates (\(rows) x \(columns) lattice) and \(count) samples")
        guard monitor.start(total: Int64(dual.tree.fronts.count + count)) else { try monitor.checkNotStopped(); return [] }
        let sampler = try MatchingSampler(dual.graph, dual.tree, dual.weights(couplings, beta: beta, order: 1), monitor: monitor)
        // Each lattice bond's dual edge (its two ports), and the spanning tree: row 0
        // along its east bonds, every other site below its north neighbour.
        var wallNodes = [(Int32, Int32)](repeating: (-1, -1), count: couplings.count)
        for e in dual.graph.from.indices {
            let frameBond = Int(dual.graph.bond[e])
            guard frameBond >= 0, case .dual(let b) = dual.sources[frameBond] else { continue }
            wallNodes[b] = (dual.graph.from[e], dual.graph.to[e])
        }
        let walls = wallNodes, gaugeSigns = signs
        return try drawSamples(count: count, spins: n, seed: seed, monitor: monitor) { (stream, row) throws(EngineError) in
            let first: Int8 = stream.uniform() < 0.5 ? 1 : -1
            let partner = try sampler.sample(&stream)
            row[0] = first
            for site in 1..<max(1, n) {
                let (parent, b) = site < columns ? (site - 1, 2 * (site - 1)) : (site - columns, 2 * (site - columns) + 1)
                let (u, v) = walls[b]
                let wall = partner[Int(u)] == v
                row[site] = (gaugeSigns[b] < 0) != wall ? -row[parent] : row[parent]
            }
        }
    }

    /// `count` samples of n spins (row-major), sample r written by `draw` from stream r
    /// of `seed`, in parallel: the samples do not depend on the thread count or on
    /// `count`. The first refusal stops the other draws and is thrown; each sample
    /// done advances the monitor, whose stop throws CANCELLED.
    static func drawSamples(count: Int, spins n: Int, seed: UInt64, monitor: WorkMonitor,
                            _ draw: @Sendable (inout RandomStream, UnsafeMutablePointer<Int8>) throws(EngineError) -> Void)
        throws(EngineError) -> [Int8] {
        var spins = [Int8](repeating: 0, count: count * n)
        var failures = [EngineError?](repeating: nil, count: count)
        let refused = InterruptFlag()  // raised by the first refusal: the other draws stop
        spins.withUnsafeMutableBufferPointer { buffer in
            failures.withUnsafeMutableBufferPointer { failed in
                let out = SharedPointer(buffer.baseAddress!), errors = SharedPointer(failed.baseAddress!)
                Parallel.forEach(count, parallel: count > 1) { r in
                    guard !monitor.isStopped, !refused.isRaised else { return }
                    var stream = RandomStream(seed: seed, stream: UInt64(r))
                    do throws(EngineError) {
                        try draw(&stream, out.base + r * n)
                    } catch {
                        errors[r] = error
                        refused.raise()
                        return
                    }
                    _ = monitor.advance(by: 1)
                }
            }
        }
        try monitor.checkNotStopped()
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        try monitor.finish()
        return spins
    }

    /// The most a freshly built inverse's probabilities may miss summing to 1 (or go
    /// below 0) before the sampler refuses: beta |J| beyond what doubles resolve.
    /// Measured (40 samples each of two glasses, seeds 7 and 8): +-J glasses pass to
    /// beta 2 on 16 x 16, 1.5 on 32 x 32 and 48 x 48, 1.25 on 64 x 64; Gaussian ones
    /// to 2.5 on 16 x 16 and 1.5 on 32 x 32 to 64 x 64 (one of the two passed 2).
    /// Where a run passes, its largest deviation is about 1e-7.
    public static let samplingTolerance = 1e-6

    /// The sampler measures the walls from the gauge's low-energy state (`gauged`)
    /// past this |beta| J_rms, earlier than `thermodynamics` (1.5): its conditioned
    /// inverses lose digits to unlikely events of the unconditioned regions, which a
    /// reference near the typical states makes likelier. Measured: a 32 x 32 +-J
    /// glass at beta 1.5 kept 1e-12 with it, lost all but 3e-3 without.
    public static let samplerGaugeThreshold = 0.3
}

/// Perfect matchings of an open Fisher lattice (`FisherLattice` with a Kasteleyn
/// orientation, so Pf K = sum over matchings M of prod_{e in M} w_e, every term
/// positive) drawn exactly in proportion to their weight, top-down through the nested
/// dissection (Wilson 1997; Thomas & Middleton 2009 for the Ising case).
///
/// Node u is matched to v with probability K[u, v] (K^-1)[v, u]; given that, the rest
/// is a matching of K without u and v, whose inverse is K^-1's Schur complement on
/// the pair. A front f's separator nodes R are decided one at a time once its
/// ancestors' are (so its children's regions, joined only through R, are independent
/// afterwards). What they need is K^-1 of the remaining graph on R and on the ports
/// of each child region c that face R. With U_c = -K_{R c} K_cc^-1 K_{c R} (child c's
/// update on R) and S = K_RR + sum_c U_c, block elimination gives, with each port's
/// row and column scaled by its bond's K entry (so a port is indexed by the node of R
/// it faces, and P(u matched across) is one entry):
///
///     Q = W S^-1 W^T + diag(0, U_1, U_2, ...),   W = [I; U_1; U_2; ...]
///
/// (U_c restricted to the rows facing c). A node t above that an ancestor matched
/// into c's region (to its bond mate y) becomes a phantom: it keeps its row of U_c
/// and nothing else, so in the graph with t joined to y alone the pair is in every
/// matching, and that graph's inverse on the other nodes is the remaining graph's.
/// The first elimination's updates thus serve every sample. Each decision is a
/// rank-2 update of Q, applied lazily one city at a time (left-looking within the
/// city, one GEMM after it).
///
/// Precision: the probabilities come from inverses of conditioned matrices, whose
/// digits run out faster than log Z's as beta grows (Thomas & Middleton found the
/// precision needed to grow with beta), and rounding grows with each pivot applied
/// to Q. Every draw checks that its choices sum to 1 and none is negative: past
/// `refreshTolerance` Q is built afresh from what remains (the pivots' rounding
/// dropped), and a fresh Q past `PlanarIsing.samplingTolerance` is refused.
struct MatchingSampler: Sendable {
    let graph: FisherLattice
    let tree: EliminationTree
    let weights: PlanarIsing.BondWeights
    /// Every front's Schur complement on its boundary (empty for the root).
    let updates: [[Double]]
    /// The node at the other end of each node's bond (-1 for inner nodes and ports
    /// without a bond).
    let bondMate: [Int32]
    /// Fronts, root first.
    let order: [Int]
    /// The rounding (choices' probabilities missing 1, or below 0) past which Q is
    /// built afresh before drawing.
    static let refreshTolerance = 1e-9

    /// The bottom-up elimination, every update kept.
    init(_ graph: FisherLattice, _ tree: EliminationTree, _ weights: PlanarIsing.BondWeights,
         monitor: WorkMonitor) throws(EngineError) {
        precondition(!tree.periodic, "matchings are drawn on open lattices only")
        self.graph = graph
        self.tree = tree
        self.weights = weights
        let kept = try tree.eliminateAll(graph, weights, order: 1, keeping: nil, retainingUpdates: true, monitor: monitor).updates
        updates = kept.map { $0?.matrix ?? [] }
        var mate = [Int32](repeating: -1, count: graph.nodeCount)
        for e in graph.from.indices where graph.bond[e] >= 0 {
            mate[Int(graph.from[e])] = graph.to[e]
            mate[Int(graph.to[e])] = graph.from[e]
        }
        bondMate = mate
        order = tree.levels.reversed().flatMap { $0 }
    }

    /// One matching: every node's partner.
    func sample(_ stream: inout RandomStream) throws(EngineError) -> [Int32] {
        var partner = [Int32](repeating: -1, count: graph.nodeCount)
        var slot = [Int32](repeating: -1, count: graph.nodeCount)
        for k in order { try decide(k, &partner, &slot, &stream) }
        return partner
    }

    /// K[u, v] for the edge e at u.
    @inline(__always) private func entry(_ e: Int, at u: Int) -> Double {
        (Int(graph.from[e]) == u ? 1 : -1) * weights.coefficient(graph, edge: e, 0)
    }

    /// Matches every free node of front k's separator. `slot` is scratch (all -1
    /// between calls).
    private func decide(_ k: Int, _ partner: inout [Int32], _ slot: inout [Int32],
                        _ stream: inout RandomStream) throws(EngineError) {
        while try !decideRemaining(k, &partner, &slot, &stream) {}
    }

    /// Builds Q afresh for front k's separator nodes still free and matches them;
    /// false when `match` stopped to have Q built again.
    private func decideRemaining(_ k: Int, _ partner: inout [Int32], _ slot: inout [Int32],
                                 _ stream: inout RandomStream) throws(EngineError) -> Bool {
        let front = tree.fronts[k], cityNodes = FisherLattice.cityNodes
        // R: the separator's nodes no ancestor has matched, in city order.
        var free: [Int32] = []
        free.reserveCapacity(front.cities.count * cityNodes)
        for city in front.cities {
            for p in 0..<cityNodes where partner[Int(city) * cityNodes + p] < 0 {
                slot[Int(city) * cityNodes + p] = Int32(free.count)
                free.append(city * Int32(cityNodes) + Int32(p))
            }
        }
        defer { for u in free { slot[Int(u)] = -1 } }
        let r = free.count
        guard r > 0 else { return true }
        // Each child's update on the free nodes facing it, then on its phantoms: the
        // nodes above already matched into its region, numbered after R. The rest of
        // the child's boundary is matched elsewhere and its bonds are gone.
        var blocks: [(at: [Int], ports: Int, update: [Double])] = []
        var n = r
        for c in front.children {
            let u = updates[c], boundary = tree.fronts[c].boundary, nb = boundary.count
            var rows: [Int] = [], at: [Int] = [], into: [Int] = []
            for (a, node) in boundary.enumerated() {
                if slot[Int(node)] >= 0 { rows.append(a); at.append(Int(slot[Int(node)])) }
                else if partner[Int(node)] >= 0, partner[Int(node)] == bondMate[Int(node)] { into.append(a) }
            }
            let ports = rows.count
            for a in into { rows.append(a); at.append(n); n += 1 }
            let m = rows.count
            var update = [Double](repeating: 0, count: m * m)
            for b in 0..<m { for a in 0..<m { update[a + b * m] = u[rows[a] + rows[b] * nb] } }
            blocks.append((at, ports, update))
        }
        // S = K_RR + sum_c U_c on R and the phantoms.
        var s = [Double](repeating: 0, count: n * n)
        for (i, u) in free.enumerated() {
            for q in Int(graph.incidentStart[Int(u)])..<Int(graph.incidentStart[Int(u) + 1]) {
                let e = Int(graph.incident[q]), v = Int(graph.from[e]) == Int(u) ? Int(graph.to[e]) : Int(graph.from[e])
                let j = Int(slot[v])
                if j >= 0 { s[i + j * n] = entry(e, at: Int(u)) }
            }
        }
        for block in blocks {
            let m = block.at.count
            for b in 0..<m { for a in 0..<m { s[block.at[a] + block.at[b] * n] += block.update[a + b * m] } }
        }
        // Q = W S^-1 W^T + diag(0, U_c) on R and the ports facing it, W = [I 0; U_c's
        // rows of those ports], its rows and columns city by city, each node followed
        // by its port: once a city's nodes are matched, they are never read again.
        var facesChild = [Bool](repeating: false, count: r)
        for block in blocks { for a in 0..<block.ports { facesChild[block.at[a]] = true } }
        var position = [Int](repeating: 0, count: r), portPosition = [Int](repeating: -1, count: r)
        var cityStart: [Int] = [], size = 0, lastCity = -1
        for i in 0..<r {
            let city = Int(free[i]) / cityNodes
            if city != lastCity { cityStart.append(size); lastCity = city }
            position[i] = size; size += 1
            if facesChild[i] { portPosition[i] = size; size += 1 }
        }
        var x = [Double](repeating: 0, count: n * size)   // W^T, then S^-1 W^T
        for i in 0..<r { x[i + position[i] * n] = 1 }
        for block in blocks {
            let m = block.at.count
            for a in 0..<block.ports {
                let column = portPosition[block.at[a]]
                for b in 0..<m { x[block.at[b] + column * n] = block.update[a + b * m] }
            }
        }
        var pivots = [Int32](repeating: 0, count: n)
        guard BLAS.dgetrf(n, &s, lda: n, pivots: &pivots) == 0 else {
            throw EngineError(.notConverged, "the planar sampler's separator matrix (front \(k), \(n) nodes) is singular to working precision: beta |J| is beyond what doubles resolve")
        }
        BLAS.dgetrsColumnMajor(m: n, n: size, factors: s, lda: n, pivots: pivots, b: &x, ldb: n)
        var q = [Double](repeating: 0, count: size * size)
        for j in 0..<size { for i in 0..<r { q[position[i] + j * size] = x[i + j * n] } }
        for block in blocks where block.ports > 0 {
            let m = block.at.count, ports = block.ports
            var gathered = [Double](repeating: 0, count: m * size), rows = [Double](repeating: 0, count: ports * size)
            for j in 0..<size { for b in 0..<m { gathered[b + j * m] = x[block.at[b] + j * n] } }
            BLAS.dgemmColumnMajor(m: ports, n: size, k: m, alpha: 1, a: block.update, lda: m, b: gathered, ldb: m, c: &rows, ldc: ports)
            for a in 0..<ports {
                let row = portPosition[block.at[a]]
                for j in 0..<size { q[row + j * size] = rows[a + j * ports] }
                for b in 0..<ports { q[row + portPosition[block.at[b]] * size] += block.update[a + b * m] }
            }
        }
        return try match(free, position: position, portPosition: portPosition, cityStart: cityStart, q: &q,
                         size: size, &partner, slot, &stream)
    }

    /// Draws the partners of the free nodes in order, updating Q (size x size,
    /// column-major, rows in `position` order: node i at position[i], its port at
    /// portPosition[i] or none, city c's from cityStart[c] on) after each choice.
    /// Node i is matched to a free neighbour v with probability K[u, v] Q[v, u], across
    /// its bond with Q[port, u]; matching the pair (a, b) makes Q the Schur complement
    ///
    ///     Q' = Q + (y x^T - x y^T) / Q[a, b],   x = Q[:, a], y = Q[:, b],
    ///
    /// which a city's pivots accumulate (left-looking: a column is read with them
    /// applied) and one GEMM applies to the rows and columns of the cities after it.
    ///
    /// Rounding grows with the pivots applied, and shows as choices whose
    /// probabilities miss summing to 1 or go negative: past `refreshTolerance` the
    /// draw is abandoned (false) for Q to be built afresh from what remains; a fresh
    /// Q's first draw is held to `PlanarIsing.samplingTolerance`.
    private func match(_ free: [Int32], position: [Int], portPosition: [Int], cityStart: [Int], q: inout [Double],
                       size: Int, _ partner: inout [Int32], _ slot: [Int32], _ stream: inout RandomStream) throws(EngineError) -> Bool {
        var lo = 0                                       // the current city's first row
        var xs: [[Double]] = [], ys: [[Double]] = []     // its pivots' x and y / Q[a, b], rows lo..<size
        func column(_ a: Int) -> [Double] {
            var c = Array(q[(lo + a * size)..<((a + 1) * size)])
            for (x, y) in zip(xs, ys) {
                let xa = x[a - lo], ya = y[a - lo]
                for t in c.indices { c[t] += y[t] * xa - x[t] * ya }
            }
            return c
        }
        func flush(to next: Int) {
            let m = xs.count, width = size - next, skip = next - lo
            defer { xs.removeAll(keepingCapacity: true); ys.removeAll(keepingCapacity: true); lo = next }
            guard m > 0, width > 0 else { return }
            var left = [Double](repeating: 0, count: width * 2 * m), right = [Double](repeating: 0, count: 2 * m * width)
            for l in 0..<m {
                for t in 0..<width {
                    left[t + l * width] = ys[l][skip + t]; left[t + (m + l) * width] = -xs[l][skip + t]
                    right[l + t * 2 * m] = xs[l][skip + t]; right[m + l + t * 2 * m] = ys[l][skip + t]
                }
            }
            q.withUnsafeMutableBufferPointer { q in
                BLAS.dgemmColumnMajor(m: width, n: width, k: 2 * m, alpha: 1, a: left, lda: width, b: right, ldb: 2 * m,
                                      c: q.baseAddress! + next + next * size, ldc: size)
            }
        }
        var city = 0, drawn = 0
        var candidates: [(row: Int, node: Int32, p: Double)] = []
        for (i, u32) in free.enumerated() {
            let u = Int(u32)
            while city + 1 < cityStart.count, position[i] >= cityStart[city + 1] { city += 1; flush(to: cityStart[city]) }
            guard partner[u] < 0 else { continue }
            let a = position[i], x = column(a)
            candidates.removeAll(keepingCapacity: true)
            var total = 0.0
            for t in Int(graph.incidentStart[u])..<Int(graph.incidentStart[u + 1]) {
                let e = Int(graph.incident[t]), v = Int(graph.from[e]) == u ? graph.to[e] : graph.from[e]
                let j = Int(slot[Int(v)])
                guard j >= 0, partner[Int(v)] < 0 else { continue }
                let p = entry(e, at: u) * x[position[j] - lo]
                candidates.append((position[j], v, p)); total += p
            }
            if portPosition[i] >= 0 {
                let p = x[portPosition[i] - lo]
                candidates.append((portPosition[i], bondMate[u], p)); total += p
            }
            let deviation = max(abs(total - 1), -(candidates.lazy.map(\.p).min() ?? 0))
            if deviation > Self.refreshTolerance, drawn > 0 { return false }
            guard deviation <= PlanarIsing.samplingTolerance else {
                throw EngineError(.notConverged, "the planar sampler's probabilities at node \(u) miss summing to 1 by \(deviation) (or go negative) in a freshly built inverse, past the tolerance of \(PlanarIsing.samplingTolerance): beta |J| is beyond what doubles resolve")
            }
            drawn += 1
            var draw = stream.uniform() * total, chosen = candidates.count - 1
            for (c, candidate) in candidates.enumerated() {
                draw -= max(0, candidate.p)
                if draw < 0 { chosen = c; break }
            }
            let (b, v, _) = candidates[chosen]
            partner[u] = v; partner[Int(v)] = u32
            let y = column(b), pivot = y[a - lo]
            xs.append(x); ys.append(y.map { $0 / pivot })
        }
        return true
    }
}
