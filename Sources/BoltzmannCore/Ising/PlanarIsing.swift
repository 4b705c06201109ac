import Glibc

/// Exact log Z, U and C of zero-field Ising models on the square lattice with any
/// couplings (the 2D Edwards-Anderson spin glass, diluted and random-bond lattices),
/// open or periodic, through the Pfaffian of the Fisher lattice's Kasteleyn matrix
/// (`FisherLattice`):
///
///     log Z = N ln 2 + sum_e ln cosh(beta J_e) + ln |Pf K(t)|,   t_e = tanh(beta J_e)
///
/// on an open lattice; on the torus Z is the signed sum of four Pfaffians, one per
/// choice of sign on the wrap bonds of each direction.
///
/// Pf K is computed by nested dissection (George 1973) with multifrontal elimination:
/// the lattice is cut by lines of cities into rectangles, recursively; each cut line's
/// nodes are eliminated from a dense front holding them and the nodes next to its
/// rectangle, and the Schur complement on those neighbours passes to the parent. A
/// rectangle's Kasteleyn matrix has Pf > 0 (it is the expansion of the rectangle's
/// own Z), so every front's block is invertible, and LAPACK's pivoted LU gives
/// |Pf|^2 = det and the Schur complement in level-3 BLAS: O(N^1.5) work, O(N log N)
/// memory. Everything is carried in logarithms; no determinant overflows.
///
/// U = -d log Z / d beta and C = beta^2 d^2 log Z / d beta^2 are exact derivatives of
/// the same elimination (forward mode: the matrices' first and second beta-Taylor
/// coefficients eliminated alongside, log det's series from tr(A^-1 A') and
/// tr((A^-1 A')^2)), not finite differences.
///
/// Accuracy: in a frustrated model (a plaquette, or on the torus a winding loop, with
/// an odd number of negative couplings) the expansion's terms have both signs and
/// cancel ever more deeply as beta grows: measured against the transfer matrix on
/// open 64 x 12 and 64 x 16 glasses, log Z keeps 1e-12 relative and C 1e-5 up to
/// beta J_rms = 3, but at 4 C is wrong in its first digit. So a frustrated model is
/// refused beyond `frustratedBetaLimit` (an unfrustrated one, the ferromagnet and
/// its gauge images, has terms of one sign and no limit). The low-temperature
/// (domain-wall) expansion, whose weights e^(-2 beta J) are all positive, is the cure
/// and is not built yet.
public enum PlanarIsing {
    /// The largest |beta| J_rms (J_rms the root mean square coupling) accepted for a
    /// frustrated model.
    public static let frustratedBetaLimit = 3.0

    /// Whether some plaquette (or, on the torus, row 0 or column 0 as a loop) has an
    /// odd number of negative couplings: the expansion's terms then have both signs.
    static func isFrustrated(_ couplings: [Double], rows: Int, columns: Int, periodic: Bool) -> Bool {
        func negative(_ bond: Int) -> Int { couplings[bond] < 0 ? 1 : 0 }
        let lastRow = periodic ? rows : rows - 1, lastColumn = periodic ? columns : columns - 1
        for r in 0..<max(0, lastRow) {
            for x in 0..<max(0, lastColumn) {
                let city = r * columns + x, right = r * columns + (x + 1) % columns, below = ((r + 1) % rows) * columns + x
                if (negative(2 * city) + negative(2 * city + 1) + negative(2 * right + 1) + negative(2 * below)) % 2 == 1 { return true }
            }
        }
        guard periodic else { return false }
        let row = (0..<columns).reduce(0) { $0 + negative(2 * $1) }, column = (0..<rows).reduce(0) { $0 + negative(2 * ($1 * columns) + 1) }
        return row % 2 == 1 || column % 2 == 1
    }

    /// Why `beta` is beyond the expansion's accuracy for this model, or nil.
    static func accuracyObstacle(_ couplings: [Double], rows: Int, columns: Int, periodic: Bool, beta: Double) -> String? {
        let nonzero = couplings.filter { $0 != 0 }
        guard !nonzero.isEmpty else { return nil }
        let rms = (nonzero.reduce(0) { $0 + $1 * $1 } / Double(nonzero.count)).squareRoot()
        guard abs(beta) * rms > frustratedBetaLimit, isFrustrated(couplings, rows: rows, columns: columns, periodic: periodic) else { return nil }
        return "beta J_rms = \(abs(beta) * rms) is above \(frustratedBetaLimit) in a frustrated model, where the high-temperature expansion's terms cancel beyond double precision"
    }

    /// `obstacle`, and the accuracy limit at `beta`.
    public static func obstacle(_ model: IsingModel, beta: Double) -> String? {
        if let obstacle = obstacle(model) { return obstacle }
        let lattice = model.lattice!
        let (rows, columns, periodic) = (lattice.dimensions[0], lattice.dimensions[1], lattice.periodic)
        return accuracyObstacle(bondCouplings(model, rows: rows, columns: columns, periodic: periodic),
                                rows: rows, columns: columns, periodic: periodic, beta: beta)
    }

    /// What `thermodynamics` accepts, as text for the front door's note, or nil.
    public static func obstacle(_ model: IsingModel) -> String? {
        guard let lattice = model.lattice, lattice.dimensions.count == 2 else {
            return "not a 2D square lattice (build the model with square or edwards_anderson)"
        }
        guard model.fields.allSatisfy({ $0 == 0 }) else { return "the fields are not zero (a field makes the model non-planar)" }
        if lattice.periodic, lattice.dimensions.contains(where: { $0 < 3 }) {
            return "a periodic lattice needs both sides >= 3 for the torus's four Pfaffians"
        }
        return nil
    }

    /// log Z, F, U, S and C (for the whole lattice) at every beta. With `derivatives`
    /// false only log Z and F (U, S and C are NaN), at about a quarter of the work.
    /// - Throws: INVALID_ARGUMENT for a model `obstacle` names, or an empty or
    ///   non-finite `betas`; UNSUPPORTED for a beta beyond `frustratedBetaLimit` in a
    ///   frustrated model; NOT_CONVERGED when a front is singular to working precision;
    ///   OUT_OF_MEMORY; CANCELLED.
    public static func thermodynamics(_ model: IsingModel, betas: [Double], derivatives: Bool = true,
                                      monitor: WorkMonitor = .none()) throws(EngineError) -> ThermodynamicTable {
        if let obstacle = obstacle(model) { throw .invalid("the planar Pfaffian does not apply: \(obstacle)") }
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let lattice = model.lattice!
        let rows = lattice.dimensions[0], columns = lattice.dimensions[1], periodic = lattice.periodic
        let couplings = bondCouplings(model, rows: rows, columns: columns, periodic: periodic)
        for beta in betas {
            if let obstacle = accuracyObstacle(couplings, rows: rows, columns: columns, periodic: periodic, beta: beta) {
                throw EngineError(.unsupported, "the planar Pfaffian does not apply: \(obstacle); use the transfer matrix (strips), AIS or population annealing")
            }
        }
        let tree = EliminationTree(rows: rows, columns: columns, periodic: periodic)
        let order = derivatives ? 3 : 1
        try Memory.reserve(tree.peakEntries(workers: Parallel.maxThreads), bytesEach: 8 * order,
                           for: "the planar Pfaffian's fronts (\(rows) x \(columns) lattice)")
        let graph = FisherLattice(rows: rows, columns: columns, periodic: periodic)
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        guard monitor.start(total: WorkMonitor.product(betas.count, tree.fronts.count)) else {
            try monitor.checkNotStopped()
            return ThermodynamicTable(beta: [], logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        }
        for beta in betas {
            // ln Z = N ln 2 + sum_e ln cosh(beta J_e) + ln |Pf|, with beta-derivatives.
            var logZ = Jet(Double(model.spinCount) * M_LN2)
            for j in couplings where j != 0 { logZ += logCosh(beta: beta, coupling: j) }
            let weights = BondWeights(couplings: couplings, beta: beta, order: order)
            logZ += try tree.logPfaffian(graph, weights, order: order, monitor: monitor)
            table.logZ.append(logZ.value)
            table.freeEnergy.append(beta == 0 ? .nan : -logZ.value / beta)
            table.energy.append(derivatives ? -logZ.d1 : .nan)
            table.entropy.append(derivatives ? logZ.value - beta * logZ.d1 : .nan)
            table.heatCapacity.append(derivatives ? beta * beta * logZ.d2 : .nan)
        }
        try monitor.finish()
        return table
    }

    /// The Fisher lattice's Kasteleyn matrix of an open lattice at `beta`, for
    /// Pfaffian solvers elsewhere: entries K[from_k, to_k] = weight_k (and
    /// K[to_k, from_k] = -weight_k) on `nodes` = 6 N nodes, with
    /// log Z = logPrefactor + ln |Pf K| (logPrefactor = N ln 2 + sum_e ln cosh(beta J_e)).
    /// Bonds with J = 0 are left out.
    /// - Throws: INVALID_ARGUMENT for a model `obstacle` names, a periodic lattice (the
    ///   torus needs four matrices) or a non-finite beta.
    public static func kasteleynMatrix(_ model: IsingModel, beta: Double) throws(EngineError)
        -> (nodes: Int, from: [Int], to: [Int], weight: [Double], logPrefactor: Double) {
        if let obstacle = obstacle(model) { throw .invalid("the planar Pfaffian does not apply: \(obstacle)") }
        try Check.finite(beta, "beta")
        let lattice = model.lattice!
        guard !lattice.periodic else { throw .invalid("a periodic lattice's Z is a sum of four Pfaffians, not one matrix's: use an open lattice") }
        let rows = lattice.dimensions[0], columns = lattice.dimensions[1]
        let couplings = bondCouplings(model, rows: rows, columns: columns, periodic: false)
        let graph = FisherLattice(rows: rows, columns: columns, periodic: false)
        var from: [Int] = [], to: [Int] = [], weight: [Double] = []
        var prefactor = Double(model.spinCount) * M_LN2
        for j in couplings where j != 0 { prefactor += logCosh(beta: beta, coupling: j).value }
        for e in graph.from.indices {
            let b = Int(graph.bond[e])
            let w = b < 0 ? 1 : tanh(beta * couplings[b])
            guard w != 0 else { continue }
            from.append(Int(graph.from[e])); to.append(Int(graph.to[e])); weight.append(w)
        }
        return (graph.nodeCount, from, to, weight, prefactor)
    }

    /// ln cosh(beta J) and its beta-derivatives J tanh, J^2 (1 - tanh^2), without overflow.
    static func logCosh(beta: Double, coupling j: Double) -> Jet {
        let x = abs(beta * j), t = tanh(beta * j)
        return Jet(x + log1p(exp(-2 * x)) - M_LN2, j * t, j * j * (1 - t * t))
    }

    /// The lattice's couplings by bond (`FisherLattice`'s numbering), 0 where none.
    static func bondCouplings(_ model: IsingModel, rows: Int, columns: Int, periodic: Bool) -> [Double] {
        var bonds = [Double](repeating: 0, count: 2 * rows * columns)
        for e in model.edgeCoupling.indices {
            let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
            let (ri, xi, rj, xj) = (i / columns, i % columns, j / columns, j % columns)
            if ri == rj {
                bonds[xj == xi + 1 ? 2 * i : 2 * j] += model.edgeCoupling[e]   // else the wrap j -> i
            } else {
                bonds[rj == ri + 1 ? 2 * i + 1 : 2 * j + 1] += model.edgeCoupling[e]
            }
        }
        return bonds
    }

    /// The Fisher lattice's edge weights at one beta as Taylor coefficients in beta:
    /// an inner edge weighs 1, bond e weighs t = tanh(beta J_e), with
    /// t' = J (1 - t^2) and t''/2 = -J^2 t (1 - t^2).
    struct BondWeights {
        let order: Int
        /// weight[order * bond + k]: the k-th Taylor coefficient.
        var weight: [Double]

        init(couplings: [Double], beta: Double, order: Int) {
            self.order = order
            weight = [Double](repeating: 0, count: order * couplings.count)
            for (b, j) in couplings.enumerated() {
                let t = tanh(beta * j)
                weight[order * b] = t
                if order == 3 {
                    weight[3 * b + 1] = j * (1 - t * t)
                    weight[3 * b + 2] = -j * j * t * (1 - t * t)
                }
            }
        }

        /// Edge e's k-th coefficient.
        @inline(__always) func coefficient(_ graph: FisherLattice, edge e: Int, _ k: Int) -> Double {
            let b = Int(graph.bond[e])
            return b < 0 ? (k == 0 ? 1 : 0) : weight[order * b + k]
        }
    }
}

/// The nested dissection of the lattice's cities and the multifrontal elimination
/// over it.
struct EliminationTree: Sendable {
    struct Front: Sendable {
        /// Cities whose nodes this front eliminates (all six of each).
        var cities: [Int32]
        var children: [Int]
        /// Nodes outside this front's rectangle joined to it by a bond: where the
        /// Schur complement it passes up lives (sorted).
        var boundary: [Int32]
        var depth: Int
    }

    let rows: Int, columns: Int, periodic: Bool
    /// fronts[0] is the root; `levels` lists the fronts by depth, deepest first.
    private(set) var fronts: [Front] = []
    private(set) var levels: [[Int]] = []

    /// Rectangles of at most this many cities are eliminated whole.
    static let leafCities = 16

    init(rows: Int, columns: Int, periodic: Bool) {
        self.rows = rows
        self.columns = columns
        self.periodic = periodic
        if periodic {
            // Root: row 0 and column 0; what is left, rows 1... x columns 1..., is an
            // open rectangle (its Pfaffian the same for all four sign choices).
            var cities: [Int32] = (0..<columns).map { Int32($0) }
            cities += (1..<rows).map { Int32($0 * columns) }
            fronts.append(Front(cities: cities, children: [], boundary: [], depth: 0))
            if let child = dissect(1, rows, 1, columns, depth: 1) { fronts[0].children.append(child) }
        } else {
            _ = dissect(0, rows, 0, columns, depth: 0)
        }
        let deepest = fronts.map(\.depth).max() ?? 0
        levels = [[Int]](repeating: [], count: deepest + 1)
        for (k, front) in fronts.enumerated() { levels[deepest - front.depth].append(k) }
    }

    /// The front for rows r0..<r1 x columns c0..<c1 (nil when empty): cut across the
    /// longer side through the middle.
    private mutating func dissect(_ r0: Int, _ r1: Int, _ c0: Int, _ c1: Int, depth: Int) -> Int? {
        guard r1 > r0, c1 > c0 else { return nil }
        let index = fronts.count
        fronts.append(Front(cities: [], children: [], boundary: boundary(r0, r1, c0, c1), depth: depth))
        var cities: [Int32] = []
        if (r1 - r0) * (c1 - c0) <= Self.leafCities {
            for r in r0..<r1 { for x in c0..<c1 { cities.append(Int32(r * columns + x)) } }
        } else if r1 - r0 >= c1 - c0 {
            let mid = (r0 + r1) / 2
            cities = (c0..<c1).map { Int32(mid * columns + $0) }
            let children = [dissect(r0, mid, c0, c1, depth: depth + 1), dissect(mid + 1, r1, c0, c1, depth: depth + 1)]
            fronts[index].children = children.compactMap { $0 }
        } else {
            let mid = (c0 + c1) / 2
            cities = (r0..<r1).map { Int32($0 * columns + mid) }
            let children = [dissect(r0, r1, c0, mid, depth: depth + 1), dissect(r0, r1, mid + 1, c1, depth: depth + 1)]
            fronts[index].children = children.compactMap { $0 }
        }
        fronts[index].cities = cities
        return index
    }

    /// The ports outside the rectangle that its bonds reach.
    private func boundary(_ r0: Int, _ r1: Int, _ c0: Int, _ c1: Int) -> [Int32] {
        var nodes: [Int32] = []
        let inside = { (r: Int, x: Int) in r >= r0 && r < r1 && x >= c0 && x < c1 }
        let n = FisherLattice.cityNodes
        for r in r0..<r1 {
            for x in c0..<c1 where r == r0 || r == r1 - 1 || x == c0 || x == c1 - 1 {
                // (neighbour row, column, its port facing this city), when the bond exists.
                var neighbours: [(Int, Int, Int)] = []
                if r > 0 || periodic { neighbours.append(((r + rows - 1) % rows, x, FisherLattice.south)) }
                if r + 1 < rows || periodic { neighbours.append(((r + 1) % rows, x, FisherLattice.north)) }
                if x > 0 || periodic { neighbours.append((r, (x + columns - 1) % columns, FisherLattice.east)) }
                if x + 1 < columns || periodic { neighbours.append((r, (x + 1) % columns, FisherLattice.west)) }
                for (nr, nx, port) in neighbours where !inside(nr, nx) {
                    nodes.append(Int32((nr * columns + nx) * n + port))
                }
            }
        }
        return Array(Set(nodes)).sorted()
    }

    /// The most matrix entries (of one Taylor order) alive at once: the fronts of the
    /// widest level being eliminated (`workers` at a time) and the updates they
    /// and the level below hold.
    func peakEntries(workers: Int) -> Int {
        var peak = 0
        for level in levels.indices {
            let sizes = levels[level].map { k in
                let f = fronts[k].cities.count * FisherLattice.cityNodes + fronts[k].boundary.count
                return f * f
            }.sorted(by: >)
            let working = sizes.prefix(max(1, workers)).reduce(0, +)
            let updates = levels[level].reduce(0) { $0 + fronts[$1].boundary.count * fronts[$1].boundary.count }
            let below = level > 0 ? levels[level - 1].reduce(0) { $0 + fronts[$1].boundary.count * fronts[$1].boundary.count } : 0
            peak = max(peak, working + updates + below)
        }
        return peak
    }

    /// A front's result: its Schur complement on `boundary` (order blocks of n x n,
    /// column-major) and its share of ln |Pf| as Taylor coefficients.
    struct Update: Sendable {
        var matrix: [Double]
        var logPfaffian: (Double, Double, Double)
    }

    /// ln |Pf K| (open) or ln |Z / (2^N prod cosh)| (periodic), as a jet in beta
    /// (d1, d2 zero when `order` is 1).
    func logPfaffian(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                     monitor: WorkMonitor) throws(EngineError) -> Jet {
        _ = BLAS.singleThreaded
        var updates = [Update?](repeating: nil, count: fronts.count)
        var failure: EngineError? = nil
        var total = (0.0, 0.0, 0.0)
        for level in levels {
            let last = level == levels.last! && periodic
            let work = last ? level.filter { $0 != 0 } : level
            var results = [Result<Update, EngineError>?](repeating: nil, count: work.count)
            let inputs = work.map { k in fronts[k].children.map { updates[$0]! } }
            results.withUnsafeMutableBufferPointer { results in
                let out = SharedPointer(results.baseAddress!)
                Parallel.forEach(work.count, parallel: work.count > 1) { task in
                    guard !monitor.isStopped else { return }
                    do throws(EngineError) {
                        out[task] = .success(try eliminate(work[task], graph, weights, order: order, children: inputs[task]))
                    } catch {
                        out[task] = .failure(error)
                    }
                    _ = monitor.advance(by: 1)
                }
            }
            try monitor.checkNotStopped()
            for (task, k) in work.enumerated() {
                switch results[task]! {
                case .success(let update):
                    updates[k] = update
                    total.0 += update.logPfaffian.0; total.1 += update.logPfaffian.1; total.2 += update.logPfaffian.2
                case .failure(let error): failure = failure ?? error
                }
                for child in fronts[k].children { updates[child] = nil }
            }
            if let failure { throw failure }
            if last {
                let root = try torusRoot(graph, weights, order: order, children: fronts[0].children.map { updates[$0]! })
                return Jet(total.0, total.1, 2 * total.2) + root
            }
        }
        return Jet(total.0, total.1, 2 * total.2)
    }

    /// Assembles front k (its cities' own edges and its children's updates) as
    /// `order` dense column-major blocks, eliminated nodes first.
    private func assemble(_ k: Int, _ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                          children: [Update], flips: (Int) -> Double = { _ in 1 }, scale: (Int32) -> Double = { _ in 1 })
        -> (matrix: [Double], size: Int, eliminated: Int) {
        let front = fronts[k], n = FisherLattice.cityNodes
        let s = front.cities.count * n, f = s + front.boundary.count
        var local = [Int32: Int](minimumCapacity: f)
        for (c, city) in front.cities.enumerated() { for p in 0..<n { local[city * Int32(n) + Int32(p)] = c * n + p } }
        for (b, node) in front.boundary.enumerated() { local[node] = s + b }
        var m = [Double](repeating: 0, count: order * f * f)
        for (c, city) in front.cities.enumerated() {
            for p in 0..<n {
                let u = Int(city) * n + p, lu = c * n + p
                for q in Int(graph.incidentStart[u])..<Int(graph.incidentStart[u + 1]) {
                    let e = Int(graph.incident[q])
                    let forward = Int(graph.from[e]) == u
                    let v = Int(forward ? graph.to[e] : graph.from[e])
                    guard let lv = local[Int32(v)] else { continue }
                    let sign = (forward ? 1.0 : -1.0) * flips(e)
                    for o in 0..<order {
                        let w = sign * weights.coefficient(graph, edge: e, o)
                        m[o * f * f + lu + lv * f] = w
                        if lv >= s { m[o * f * f + lv + lu * f] = -w }
                    }
                }
            }
        }
        for (child, update) in zip(front.children, children) {
            let nodes = fronts[child].boundary, c = nodes.count
            let at = nodes.map { local[$0]! }, d = nodes.map(scale)
            for o in 0..<order {
                for j in 0..<c {
                    for i in 0..<c { m[o * f * f + at[i] + at[j] * f] += d[i] * d[j] * update.matrix[o * c * c + i + j * c] }
                }
            }
        }
        return (m, f, s)
    }

    /// Eliminates front k: LU of its first block, Schur complement on its boundary.
    private func eliminate(_ k: Int, _ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                           children: [Update]) throws(EngineError) -> Update {
        var (m, f, s) = assemble(k, graph, weights, order: order, children: children)
        let nb = f - s
        var pivots = [Int32](repeating: 0, count: max(1, s))
        var info = 0
        var logDet = 0.0, trace1 = 0.0, trace2 = 0.0, traceSquare = 0.0
        m.withUnsafeMutableBufferPointer { buffer in
            let m0 = buffer.baseAddress!, block = f * f
            info = BLAS.dgetrf(s, m0, lda: f, pivots: &pivots)
            guard info == 0 else { return }
            for i in 0..<s { logDet += log(abs(m0[i + i * f])) }
            // A0^-1 applied to columns [lo, f) of component o's first s rows, in place.
            func solve(_ o: Int, from lo: Int) {
                let a = m0 + o * block, width = f - lo
                guard width > 0 else { return }
                for i in 0..<s where Int(pivots[i]) - 1 != i {
                    let p = Int(pivots[i]) - 1
                    for j in lo..<f { let t = a[i + j * f]; a[i + j * f] = a[p + j * f]; a[p + j * f] = t }
                }
                BLAS.dtrsmColumnMajor(lower: true, m: s, n: width, a: m0, lda: f, b: a + lo * f, ldb: f)
                BLAS.dtrsmColumnMajor(lower: false, m: s, n: width, a: m0, lda: f, b: a + lo * f, ldb: f)
            }
            // gemm on f-strided blocks: C += alpha A B (A rows x inner, B inner x cols).
            func product(_ rows: Int, _ columns: Int, _ inner: Int, _ alpha: Double,
                         _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ c: UnsafeMutablePointer<Double>) {
                BLAS.dgemmColumnMajor(m: rows, n: columns, k: inner, alpha: alpha, a: a, lda: f, b: b, ldb: f, c: c, ldc: f)
            }
            solve(0, from: s)                        // X0 = A0^-1 B0
            let x0 = m0 + s * f, c0 = m0 + s, d0 = m0 + s + s * f
            guard order == 3 else {
                product(nb, nb, s, -1, c0, x0, d0)   // U0 = D0 - C0 X0
                return
            }
            let m1 = m0 + block, m2 = m0 + 2 * block
            solve(1, from: 0)                        // G1 = A0^-1 A1, Y1 = A0^-1 B1
            solve(2, from: 0)                        // G2, Y2
            let x1 = m1 + s * f, x2 = m2 + s * f
            for i in 0..<s {
                trace1 += m1[i + i * f]; trace2 += m2[i + i * f]
                for j in 0..<s { traceSquare += m1[i + j * f] * m1[j + i * f] }
            }
            product(s, nb, s, -1, m1, x0, x1)        // X1 = Y1 - G1 X0
            product(s, nb, s, -1, m1, x1, x2)        // X2 = Y2 - G1 X1 - G2 X0
            product(s, nb, s, -1, m2, x0, x2)
            let c1 = m1 + s, c2 = m2 + s
            product(nb, nb, s, -1, c0, x0, d0)       // U0 = D0 - C0 X0
            product(nb, nb, s, -1, c1, x0, m1 + s + s * f)   // U1 = D1 - C1 X0 - C0 X1
            product(nb, nb, s, -1, c0, x1, m1 + s + s * f)
            product(nb, nb, s, -1, c2, x0, m2 + s + s * f)   // U2 = D2 - C2 X0 - C1 X1 - C0 X2
            product(nb, nb, s, -1, c1, x1, m2 + s + s * f)
            product(nb, nb, s, -1, c0, x2, m2 + s + s * f)
        }
        guard info == 0 else {
            throw EngineError(.notConverged, "the planar Pfaffian's front \(k) (\(s) nodes) is singular to working precision: beta |J| is beyond what doubles resolve")
        }
        var update = [Double](repeating: 0, count: order * nb * nb)
        for o in 0..<order {
            for j in 0..<nb { for i in 0..<nb { update[o * nb * nb + i + j * nb] = m[o * f * f + (s + i) + (s + j) * f] } }
        }
        return Update(matrix: update, logPfaffian: (0.5 * logDet, 0.5 * trace1, 0.5 * (trace2 - 0.5 * traceSquare)))
    }

    /// The torus's root: row 0 and column 0 with the rest's Schur complement, under the
    /// four sign choices on the wrap bonds (a: east-west, b: north-south). Each is a
    /// signed Pfaffian (Parlett-Reid); the homology classes' signs under the
    /// orientation come from one matching of each class, and
    ///
    ///     Z_hv = (1/4) eps_hv sum_ab (-1)^(a h + b v) Pf_ab,   Z / (2^N prod cosh) = sum_hv Z_hv.
    private func torusRoot(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                           children: [Update]) throws(EngineError) -> Jet {
        let classSign = classSigns(graph)
        var terms: [(sign: Double, log: Jet)] = []
        for variant in 0..<4 {
            let flipEast = variant & 1 != 0, flipSouth = variant & 2 != 0
            let flips: (Int) -> Double = { e in
                let b = Int(graph.bond[e])
                guard b >= 0, graph.bondWraps(b) else { return 1 }
                return (b % 2 == 0 && flipEast) || (b % 2 == 1 && flipSouth) ? -1 : 1
            }
            // Ports of the root whose wrap bond reaches the eliminated rectangle: their
            // rows and columns of the updates change sign with that bond.
            let scale: (Int32) -> Double = { node in
                let city = Int(node) / FisherLattice.cityNodes, port = Int(node) % FisherLattice.cityNodes
                if flipEast, port == FisherLattice.west, city % columns == 0 { return -1 }
                if flipSouth, port == FisherLattice.north, city / columns == 0 { return -1 }
                return 1
            }
            let (m, f, _) = assemble(0, graph, weights, order: order, children: children, flips: flips, scale: scale)
            var dense = [Jet](repeating: Jet(0), count: f * f)
            for j in 0..<f {
                for i in 0..<f {
                    let v = m[i + j * f]
                    dense[i * f + j] = order == 3 ? Jet(v, m[f * f + i + j * f], 2 * m[2 * f * f + i + j * f]) : Jet(v)
                }
            }
            let (sign, logAbs) = SkewPfaffian.parlettReid(&dense, size: f)
            let weight = (0..<4).reduce(0.0) { sum, hv in
                let (h, v) = (hv & 1, hv >> 1)
                return sum + classSign[hv] * (((variant & 1) * h + (variant >> 1) * v) % 2 == 0 ? 1 : -1)
            }
            if sign != 0, weight != 0 { terms.append((sign * weight, logAbs)) }
        }
        guard let top = terms.map(\.log.value).max() else {
            throw EngineError(.notConverged, "the torus's four Pfaffians all vanish to working precision")
        }
        var sum = Jet(0)
        for term in terms { sum += term.sign * Jet.exp(term.log - top) }
        guard sum.value != 0 else { throw EngineError(.notConverged, "the torus's four Pfaffians cancel to working precision") }
        if sum.value < 0 { sum = -sum }
        return Jet.log(sum) + top - log(4.0)
    }

    /// The sign, under the orientation, of one perfect matching in each homology class
    /// (h, v) at index h + 2v: h (v) the parity of east-west (north-south) wrap bonds
    /// used. Empty: every city matched N-E, S-W, a-b. A loop along row 0 uses its east
    /// bonds (cities there matched N-a, S-b); one down column 0 its south bonds (E-a,
    /// W-b); both meet at city 0 (a-b).
    private func classSigns(_ graph: FisherLattice) -> [Double] {
        let cities = rows * columns
        return (0..<4).map { hv in
            let (h, v) = (hv & 1 != 0, hv & 2 != 0)
            var edges: [Int] = []
            for c in 0..<cities {
                let inRow = h && c / columns == 0, inColumn = v && c % columns == 0
                let inner: [Int] = switch (inRow, inColumn) {
                case (false, false): [0, 3, 6]
                case (true, false): [1, 4]
                case (false, true): [2, 5]
                case (true, true): [6]
                }
                for k in inner { edges.append(7 * c + k) }
                if inRow { edges.append(7 * cities + 2 * c) }            // periodic: every bond exists
                if inColumn { edges.append(7 * cities + 2 * c + 1) }
            }
            // Pf's term: sign of the permutation (from_1 to_1 from_2 to_2 ...) times K's entries (all +1).
            var permutation = [Int](repeating: 0, count: graph.nodeCount)
            for (k, e) in edges.enumerated() { permutation[2 * k] = Int(graph.from[e]); permutation[2 * k + 1] = Int(graph.to[e]) }
            return SkewPfaffian.permutationSign(permutation)
        }
    }
}

/// Dense signed Pfaffians.
enum SkewPfaffian {
    /// Pf of the skew n x n matrix `a` (row-major, destroyed) by Parlett-Reid
    /// elimination with partial pivoting (Wimmer 2012's pfaffian_LTL): its sign
    /// (0 when exactly zero) and ln |Pf| as a jet.
    static func parlettReid(_ a: inout [Jet], size n: Int) -> (sign: Double, logAbs: Jet) {
        guard n % 2 == 0 else { return (0, Jet(-.infinity)) }
        var sign = 1.0, logAbs = Jet(0)
        var tau = [Jet](repeating: Jet(0), count: n)
        for k in stride(from: 0, to: n - 1, by: 2) {
            var pivot = k + 1, largest = abs(a[(k + 1) * n + k].value)
            for i in (k + 2)..<max(k + 2, n) where abs(a[i * n + k].value) > largest { largest = abs(a[i * n + k].value); pivot = i }
            if pivot != k + 1 {
                for j in 0..<n { a.swapAt((k + 1) * n + j, pivot * n + j) }
                for i in 0..<n { a.swapAt(i * n + k + 1, i * n + pivot) }
                sign = -sign
            }
            let p = a[k * n + k + 1]
            guard p.value != 0 else { return (0, Jet(-.infinity)) }
            if p.value < 0 { sign = -sign }
            logAbs += Jet.log(p.value < 0 ? -p : p)
            guard k + 2 < n else { break }
            let inverse = p.reciprocal
            for j in (k + 2)..<n { tau[j] = a[k * n + j] * inverse }
            for i in (k + 2)..<n {
                let ti = tau[i], ci = a[i * n + k + 1]
                for j in (k + 2)..<n { a[i * n + j] += ti * a[j * n + k + 1] - ci * tau[j] }
            }
        }
        return (sign, logAbs)
    }

    /// The sign of a permutation of 0..<n (by its cycles).
    static func permutationSign(_ p: [Int]) -> Double {
        var seen = [Bool](repeating: false, count: p.count), sign = 1.0
        for start in p.indices where !seen[start] {
            var length = 0, i = start
            while !seen[i] { seen[i] = true; i = p[i]; length += 1 }
            if length % 2 == 0 { sign = -sign }
        }
        return sign
    }
}
