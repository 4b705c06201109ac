import Glibc

/// Exact log Z, U, C and <s_i s_j> of a zero-field Ising model on any planar graph,
/// given its embedding (`PlanarEmbedding`), by one Pfaffian per connected component.
///
/// The domain-wall expansion on the dual: the walls a configuration makes (the bonds
/// it breaks) cross every face an even number of times, and each wall set comes from
/// two configurations. Each face of walk length k becomes a gadget of k - 2
/// triangles in a chain (two nodes and one edge when k = 2), one node per
/// bond on the walk ("port") and two per chain link; the bond joins the ports on its
/// two faces. A perfect matching uses a bond's edge exactly when the bond is *not* a
/// wall, and an odd number of a triangle's three outer edges (1 or 3) leaves exactly
/// one way to match the rest, so perfect matchings and wall sets are one to one
/// (Schraudolph & Kamenetsky 2009's expanded dual; Likhosherstov et al. 2019).
/// Weighting a bond's edge e^(beta J) and a triangle edge between ports of bonds a and
/// b e^(-beta (J_a + J_b) / 2), then scaling each port by e^(-beta J / 2):
///
///     Z = 2 e^(beta sum_e J_e) Pf K~,   K~: bond edges 1, chain links 1, triangle edges e^(-beta (J_a + J_b))
///
/// (J = 0 for chain ports), so every weight is below 1 on bonds the ground state keeps
/// (the walls are measured from an annealed low-energy state past beta J_rms = 1.5,
/// as on the square lattice). The orientation is Kasteleyn's (`FisherLattice.kasteleynFlips`)
/// from the gadgets' rotation system; |Pf K~|^2 = |det K~|.
///
/// The matrix has 6 (V - 2) + 2 F_2 nodes for a component of V spins (F_2 its faces of
/// walk length 2) and is factorised densely: blocked LU with partial pivoting,
/// O(n^3) with n the node count, interruptible between panels, in parallel over
/// fixed column blocks (the same result on any thread count). U and C come from the
/// inverse:
///
///     d ln Pf / d beta = -sum_e c_e P_e,   d^2 ln Pf / d beta^2 = sum_e c_e^2 P_e - (1/2) tr((K^-1 K')^2),
///
/// P_e = K_uv (K^-1)_vu the probability that the matching holds edge e = (u, v) of
/// weight e^(-beta c_e); a bond's <s_i s_j> = 2 P - 1 (its edge held: the spins agree).
enum PlanarGraphIsing {
    /// The dual's gadget graph of one connected component, oriented.
    struct Gadgets {
        /// Node count, and edges u -> v (K_uv = +w) with weight e^(-beta rate).
        let nodes: Int
        let from: [Int32], to: [Int32], rate: [Double]
        /// The couplings of the component, ascending; coupling couplings[k]'s bond edge is
        /// edge firstBondEdge + k (the bond edges come last).
        let couplings: [Int]
        let firstBondEdge: Int

        /// The gadgets of component `c`, from the couplings J' (gauged) by index.
        init(_ model: IsingModel, _ embedding: PlanarEmbedding, component c: Int32, couplings j: [Double]) {
            var port = [Int32](repeating: -1, count: 2 * model.couplingCount)
            var portCoupling: [Int] = []          // node -> coupling of its port, or -1
            var from: [Int32] = [], to: [Int32] = [], rate: [Double] = []
            var slotFrom: [Double] = [], slotTo: [Double] = []  // each end's place in its node's rotation
            func node(_ coupling: Int) -> Int32 { portCoupling.append(coupling); return Int32(portCoupling.count - 1) }
            func couplingRate(_ u: Int32) -> Double { let e = portCoupling[Int(u)]; return e < 0 ? 0 : j[e] }
            func edge(_ u: Int32, _ v: Int32, _ r: Double, _ su: Double, _ sv: Double) {
                from.append(u); to.append(v); rate.append(r); slotFrom.append(su); slotTo.append(sv)
            }
            func tail(_ d: Int) -> Int { Int(d & 1 == 0 ? model.edgeFirst[d >> 1] : model.edgeSecond[d >> 1]) }
            for f in 0..<embedding.faceCount {
                let walk = embedding.faceDarts[Int(embedding.faceStart[f])..<Int(embedding.faceStart[f + 1])].map(Int.init)
                guard embedding.component[tail(walk[0])] == c else { continue }
                let ports = walk.map { d -> Int32 in let u = node(d >> 1); port[d] = u; return u }
                let k = walk.count
                if k == 2 {
                    edge(ports[0], ports[1], couplingRate(ports[0]) + couplingRate(ports[1]), 1, 1)
                    continue
                }
                // Triangles t = 0 ..< k - 2, counter-clockwise along the walk:
                // (P0, P1, x0), (y_t, P_{t+1}, x_t), ..., (y_{k-3}, P_{k-2}, P_{k-1});
                // x_t - y_{t+1} link them. Around each node: its outer edge (slot 0),
                // then the triangle's next node (1) and the one after (2).
                var previousOut: Int32 = -1
                for t in 0..<(k - 2) {
                    let a: Int32
                    if t == 0 { a = ports[0] } else { a = node(-1); edge(previousOut, a, 0, 0, 0) }
                    let b = ports[t + 1]
                    let cNode: Int32 = t == k - 3 ? ports[k - 1] : node(-1)
                    for (u, v) in [(a, b), (b, cNode), (cNode, a)] { edge(u, v, couplingRate(u) + couplingRate(v), 1, 2) }
                    previousOut = cNode
                }
            }
            let firstBondEdge = from.count
            let couplings = (0..<model.couplingCount).filter { port[2 * $0] >= 0 }
            for e in couplings { edge(port[2 * e], port[2 * e + 1], 0, 0, 0) }
            let nodes = portCoupling.count
            let (start, incident) = FisherLattice.incidence(nodes: nodes, from: from, to: to)
            let flip = FisherLattice.kasteleynFlips(nodes: nodes, from: from, to: to, incidentStart: start, incident: incident) { e, atFrom in
                atFrom ? slotFrom[e] : slotTo[e]
            }
            for e in from.indices where flip[e] { swap(&from[e], &to[e]) }
            self.nodes = nodes
            self.from = from
            self.to = to
            self.rate = rate
            self.couplings = couplings
            self.firstBondEdge = firstBondEdge
        }

        /// K~ at beta, dense n x n column-major.
        func matrix(beta: Double) -> [Double] {
            var k = [Double](repeating: 0, count: nodes * nodes)
            for e in from.indices {
                let w = exp(-beta * rate[e]), u = Int(from[e]), v = Int(to[e])
                k[u + v * nodes] += w
                k[v + u * nodes] -= w
            }
            return k
        }
    }

    /// Columns per block of the dense factorisation's panels and of its parallel updates.
    static let block = 128

    /// The largest dense Kasteleyn matrix accepted (nodes of one component, about 6 per
    /// spin): 2 GiB a matrix, and about a minute for log Z on 2 cores.
    static let maxNodes = 16_384

    /// What `thermodynamics` needs beyond `PlanarEmbedding`'s checks, as text, or nil.
    static func obstacle(_ model: IsingModel) -> String? {
        fieldObstacle(model) ?? sizeObstacle(model)
    }

    static func fieldObstacle(_ model: IsingModel) -> String? {
        model.fields.allSatisfy { $0 == 0 } ? nil : "the fields are not zero (a field makes the model non-planar)"
    }

    /// Why the largest component's dense matrix is too large, or nil.
    static func sizeObstacle(_ model: IsingModel) -> String? {
        guard let embedding = model.embedding else { return nil }
        let largest = nodeCounts(model, embedding).max() ?? 0
        guard largest <= maxNodes else {
            return "the largest component's dense Kasteleyn matrix would have \(largest) nodes, above \(maxNodes) (about 6 per spin: some 2,700 spins)"
        }
        return nil
    }

    /// The gadget graph's node count per component: a face of walk length k has
    /// 3 (k - 2) nodes (2 when k = 2).
    static func nodeCounts(_ model: IsingModel, _ embedding: PlanarEmbedding) -> [Int] {
        var nodes = [Int](repeating: 0, count: embedding.componentCount)
        for f in 0..<embedding.faceCount {
            let k = Int(embedding.faceStart[f + 1] - embedding.faceStart[f]), d = Int(embedding.faceDarts[Int(embedding.faceStart[f])])
            let tail = Int(d & 1 == 0 ? model.edgeFirst[d >> 1] : model.edgeSecond[d >> 1])
            nodes[Int(embedding.component[tail])] += k == 2 ? 2 : 3 * (k - 2)
        }
        return nodes
    }

    /// The scale of the couplings, frustration read from the faces: a face whose walk
    /// crosses an odd number of negative couplings.
    static func scale(_ model: IsingModel, _ embedding: PlanarEmbedding) -> PlanarIsing.CouplingScale {
        var frustrated = false
        for f in 0..<embedding.faceCount where !frustrated {
            var negatives = 0
            for k in Int(embedding.faceStart[f])..<Int(embedding.faceStart[f + 1]) where model.edgeCoupling[Int(embedding.faceDarts[k]) >> 1] < 0 {
                negatives += 1
            }
            frustrated = negatives % 2 == 1
        }
        return PlanarIsing.CouplingScale(largest: model.edgeCoupling.reduce(0) { max($0, abs($1)) },
                                         rms: PlanarIsing.rootMeanSquare(model.edgeCoupling), frustrated: frustrated)
    }

    /// The gauge's signs s_i s_j per coupling from an annealed low-energy state, when
    /// some |beta| J_rms passes `threshold` (else all 1).
    static func signs(_ model: IsingModel, _ scale: PlanarIsing.CouplingScale, betas: [Double],
                      threshold: Double = PlanarIsing.gaugeBetaThreshold) throws(EngineError) -> [Double] {
        guard betas.contains(where: { abs($0) * scale.rms > threshold }) else {
            return [Double](repeating: 1, count: model.couplingCount)
        }
        let s = try PlanarIsing.lowEnergySpins(model, rms: scale.rms)
        return model.edgeCoupling.indices.map { e in s[Int(model.edgeFirst[e])] * s[Int(model.edgeSecond[e])] }
    }

    /// The checks, the scale and the gauged couplings shared by the entry points.
    static func prepare(_ model: IsingModel, betas: [Double], for what: String,
                        gaugeThreshold: Double = PlanarIsing.gaugeBetaThreshold) throws(EngineError)
        -> (embedding: PlanarEmbedding, couplings: [Double], signs: [Double]) {
        guard let embedding = model.embedding else { throw .invalid("\(what) does not apply: the model has no planar embedding") }
        if let obstacle = fieldObstacle(model) { throw .invalid("\(what) does not apply: \(obstacle)") }
        if let obstacle = sizeObstacle(model) { throw EngineError(.limitExceeded, "\(what) does not apply: \(obstacle)") }
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let scale = scale(model, embedding)
        for beta in betas {
            if let obstacle = PlanarIsing.rangeObstacle(scale, beta: beta) { throw EngineError(.unsupported, "\(what) does not apply: \(obstacle)") }
        }
        let signs = try signs(model, scale, betas: betas, threshold: gaugeThreshold)
        return (embedding, zip(model.edgeCoupling, signs).map { $0 * $1 }, signs)
    }

    /// The components' gadget graphs (components without couplings have none), their
    /// memory reserved: `matrices` dense n x n matrices of the largest at once.
    static func gadgets(_ model: IsingModel, _ embedding: PlanarEmbedding, couplings: [Double], matrices: Int) throws(EngineError) -> [Gadgets] {
        var hasCoupling = [Bool](repeating: false, count: embedding.componentCount)
        for e in 0..<model.couplingCount { hasCoupling[Int(embedding.component[Int(model.edgeFirst[e])])] = true }
        var graphs: [Gadgets] = []
        for c in 0..<embedding.componentCount where hasCoupling[c] {
            graphs.append(Gadgets(model, embedding, component: Int32(c), couplings: couplings))
        }
        let largest = graphs.map(\.nodes).max() ?? 0
        try Memory.reserve(largest * largest * matrices, bytesEach: 8,
                           for: "the planar Pfaffian's dense Kasteleyn matrix (\(largest) nodes: 6 per spin of the largest component)")
        return graphs
    }

    /// log Z, F, U, S and C at every beta (U, S and C NaN without `derivatives`).
    static func thermodynamics(_ model: IsingModel, betas: [Double], derivatives: Bool, monitor: WorkMonitor) throws(EngineError) -> ThermodynamicTable {
        let (embedding, couplings, _) = try prepare(model, betas: betas, for: "the planar Pfaffian")
        let graphs = try gadgets(model, embedding, couplings: couplings, matrices: derivatives ? 2 : 1)
        let work = graphs.reduce(0) { $0 + units($1.nodes, inverse: derivatives) }
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        guard monitor.start(total: WorkMonitor.product(betas.count, work)) else {
            try monitor.checkNotStopped()
            return ThermodynamicTable(beta: [], logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        }
        let couplingSum = couplings.reduce(0, +)
        for beta in betas {
            var logZ = Jet(Double(embedding.componentCount) * M_LN2 + beta * couplingSum, couplingSum, 0)
            for graph in graphs {
                var k = graph.matrix(beta: beta)
                var pivots = [Int32](repeating: 0, count: graph.nodes)
                logZ.value += try factor(&k, graph.nodes, &pivots, monitor: monitor)
                guard derivatives else { continue }
                let inverse = try invert(k, graph.nodes, pivots, monitor: monitor)
                let (d1, d2) = logPfaffianDerivatives(graph, inverse, beta: beta, scratch: &k)
                logZ.d1 += d1
                logZ.d2 += d2
            }
            table.append(logZ: logZ, beta: beta, derivatives: derivatives)
        }
        try monitor.finish()
        return table
    }

    /// <s_i s_j> on every coupling, in the model's order: 2 P - 1 for the bond's edge
    /// (held when the spins agree), times the gauge's sign.
    static func edgeCorrelations(_ model: IsingModel, beta: Double, monitor: WorkMonitor) throws(EngineError) -> [Double] {
        let (embedding, couplings, signs) = try prepare(model, betas: [beta], for: "the planar Pfaffian")
        let graphs = try gadgets(model, embedding, couplings: couplings, matrices: 2)
        guard monitor.start(total: graphs.reduce(0) { $0 + units($1.nodes, inverse: true) }) else { try monitor.checkNotStopped(); return [] }
        var out = [Double](repeating: .nan, count: model.couplingCount)
        for graph in graphs {
            var k = graph.matrix(beta: beta)
            var pivots = [Int32](repeating: 0, count: graph.nodes)
            _ = try factor(&k, graph.nodes, &pivots, monitor: monitor)
            let inverse = try invert(k, graph.nodes, pivots, monitor: monitor)
            for (k, e) in graph.couplings.enumerated() {
                let edge = graph.firstBondEdge + k, u = Int(graph.from[edge]), v = Int(graph.to[edge])
                out[e] = signs[e] * (2 * inverse[v + u * graph.nodes] - 1)
            }
        }
        try monitor.finish()
        return out
    }

    /// Progress units of one component: a block column of the LU, and of the inverse.
    static func units(_ n: Int, inverse: Bool) -> Int { (n + block - 1) / block * (inverse ? 2 : 1) }

    /// ln |Pf| = (1/2) ln |det| of the n x n column-major `a`, factorised in place
    /// (P a = L U, `pivots` 1-based as LAPACK's): right-looking, a panel of `block`
    /// columns by dgetrf, its rows swapped across, U's block row by a triangular
    /// solve, and the trailing update in fixed column blocks, in parallel.
    /// - Throws: NOT_CONVERGED when U has a zero pivot; CANCELLED.
    static func factor(_ a: inout [Double], _ n: Int, _ pivots: inout [Int32], monitor: WorkMonitor) throws(EngineError) -> Double {
        var logDet = 0.0
        var singular = false
        a.withUnsafeMutableBufferPointer { a in
            pivots.withUnsafeMutableBufferPointer { pivots in
                let base = a.baseAddress!
                for k in stride(from: 0, to: n, by: block) {
                    let width = min(block, n - k), rest = n - k - width
                    let info = BLAS.dgetrf(rows: n - k, columns: width, base + k + k * n, lda: n, pivots: pivots.baseAddress! + k)
                    if info > 0 { singular = true }
                    for i in k..<(k + width) {
                        pivots[i] += Int32(k)
                        let p = Int(pivots[i]) - 1
                        guard p != i else { continue }
                        // The panel's own columns are swapped by dgetrf; the others here.
                        for column in 0..<k { a.swapAt(i + column * n, p + column * n) }
                        for column in (k + width)..<n { a.swapAt(i + column * n, p + column * n) }
                    }
                    guard rest > 0 else { break }
                    let shared = SharedPointer(base)
                    let blocks = (rest + block - 1) / block
                    Parallel.forEach(blocks, parallel: rest * (n - k) > 1 << 16) { t in
                        let c0 = k + width + t * block, cw = min(block, n - c0)
                        let a = shared.base
                        BLAS.dtrsmColumnMajor(lower: true, m: width, n: cw, a: a + k + k * n, lda: n, b: a + k + c0 * n, ldb: n)
                        BLAS.dgemmColumnMajor(m: rest, n: cw, k: width, alpha: -1, a: a + (k + width) + k * n, lda: n,
                                              b: a + k + c0 * n, ldb: n, c: a + (k + width) + c0 * n, ldc: n)
                    }
                    if !monitor.advance(by: 1) { break }
                }
            }
        }
        try monitor.checkNotStopped()
        for i in 0..<n {
            let u = abs(a[i + i * n])
            if u == 0 || !u.isFinite { singular = true } else { logDet += log(u) }
        }
        guard !singular else { throw EngineError(.notConverged, "the planar Pfaffian's Kasteleyn matrix is singular to working precision") }
        return logDet / 2
    }

    /// K^-1 (column-major) from `factor`'s LU, by solving K X = I in fixed column blocks, in parallel.
    static func invert(_ lu: [Double], _ n: Int, _ pivots: [Int32], monitor: WorkMonitor) throws(EngineError) -> [Double] {
        var x = [Double](repeating: 0, count: n * n)
        for i in 0..<n { x[i + i * n] = 1 }
        let blocks = (n + block - 1) / block
        lu.withUnsafeBufferPointer { lu in
            pivots.withUnsafeBufferPointer { pivots in
                x.withUnsafeMutableBufferPointer { x in
                    let factors = UncheckedPointer(lu.baseAddress!), swaps = UncheckedPointer(pivots.baseAddress!)
                    let out = SharedPointer(x.baseAddress!)
                    Parallel.forEach(blocks, parallel: n > 256) { t in
                        guard !monitor.isStopped else { return }
                        let c0 = t * block, cw = min(block, n - c0)
                        BLAS.dgetrsColumnMajor(m: n, n: cw, factors: factors.base, lda: n, pivots: swaps.base,
                                               b: out.base + c0 * n, ldb: n)
                        _ = monitor.advance(by: 1)
                    }
                }
            }
        }
        try monitor.checkNotStopped()
        return x
    }

    /// d ln Pf / d beta and d^2 ln Pf / d beta^2 of one component from K^-1; `scratch`
    /// (n x n) holds B = K^-1 K'.
    static func logPfaffianDerivatives(_ graph: Gadgets, _ inverse: [Double], beta: Double, scratch b: inout [Double]) -> (Double, Double) {
        let n = graph.nodes
        var d1 = 0.0, d2 = 0.0
        for i in b.indices { b[i] = 0 }
        for e in graph.from.indices where graph.rate[e] != 0 {
            let u = Int(graph.from[e]), v = Int(graph.to[e]), c = graph.rate[e], w = exp(-beta * c)
            let held = w * inverse[v + u * n]
            d1 -= c * held
            d2 += c * c * held
            // K'_uv = -c w, K'_vu = c w: B[:, v] += K^-1[:, u] K'_uv, B[:, u] += K^-1[:, v] K'_vu.
            for i in 0..<n {
                b[i + v * n] -= inverse[i + u * n] * c * w
                b[i + u * n] += inverse[i + v * n] * c * w
            }
        }
        var trace = 0.0
        for j in 0..<n {
            for i in 0..<n { trace += b[i + j * n] * b[j + i * n] }
        }
        return (d1, d2 - trace / 2)
    }

    /// Exact, independent samples at beta of an embedded planar graph, by sequential
    /// conditioning on its bonds: bond e's edge (u, v) is held (its spins agree) with
    /// probability K_uv (K^-1)_vu of the matchings left, and either outcome is a rank-2
    /// update of the inverse,
    ///
    ///     K^-1 <- K^-1 + (x_v x_u^T - x_u x_v^T) / c,   x = K^-1's columns u, v,
    ///
    /// c = (K^-1)_uv when held (u and v leave the graph: the Schur complement) or
    /// (K^-1)_uv + 1 / K_uv when not (the edge's entry zeroed: Woodbury), applied only
    /// to the ports of bonds still to come, lazily, in GEMM blocks of `block` bonds.
    /// Spins follow from the agreements along a spanning forest, each component's
    /// first spin +-1 with probability 1/2; sample r draws from stream r of `seed`.
    /// Work per sample about (2/3) m^3 for m = 2 x the bonds of a component, after one
    /// dense factorisation and inverse. Every draw's probability must lie in [0, 1]
    /// within `PlanarIsing.samplingTolerance`, else NOT_CONVERGED.
    static func samples(_ model: IsingModel, beta: Double, count: Int, seed: UInt64, monitor: WorkMonitor) throws(EngineError) -> [Int8] {
        let (embedding, couplings, signs) = try prepare(model, betas: [beta], for: "the planar sampler",
                                                        gaugeThreshold: PlanarIsing.samplerGaugeThreshold)
        try Limit.iterations.check(count, "n_samples")
        let n = model.spinCount
        try Limit.storedValues.check(count * n, "n_samples x n_spins")
        let graphs = try gadgets(model, embedding, couplings: couplings, matrices: 2 + min(count, Parallel.maxThreads))
        guard monitor.start(total: graphs.reduce(0) { $0 + units($1.nodes, inverse: true) } + count) else {
            try monitor.checkNotStopped()
            return []
        }
        // Each component's inverse on its bonds' ports, (from, to) of bond k at 2k, 2k + 1.
        var components: [(bonds: [Int], q: [Double])] = []
        for graph in graphs {
            var k = graph.matrix(beta: beta)
            var pivots = [Int32](repeating: 0, count: graph.nodes)
            _ = try factor(&k, graph.nodes, &pivots, monitor: monitor)
            let inverse = try invert(k, graph.nodes, pivots, monitor: monitor)
            let bondEdges = graph.firstBondEdge..<graph.from.count
            let ports = bondEdges.flatMap { edge in [Int(graph.from[edge]), Int(graph.to[edge])] }
            let m = ports.count
            var q = [Double](repeating: 0, count: m * m)
            for b in 0..<m { for a in 0..<m { q[a + b * m] = inverse[ports[a] + ports[b] * graph.nodes] } }
            components.append((graph.couplings, q))
        }
        // The spanning forest: (spin, parent, coupling) in breadth-first order, -1 for a root.
        var adjacency = [[(Int, Int)]](repeating: [], count: n)
        for e in 0..<model.couplingCount {
            adjacency[Int(model.edgeFirst[e])].append((Int(model.edgeSecond[e]), e))
            adjacency[Int(model.edgeSecond[e])].append((Int(model.edgeFirst[e]), e))
        }
        var forest: [(spin: Int, parent: Int, coupling: Int)] = [], seen = [Bool](repeating: false, count: n)
        for root in 0..<n where !seen[root] {
            seen[root] = true
            var head = forest.count
            forest.append((root, -1, -1))
            while head < forest.count {
                let i = forest[head].spin
                head += 1
                for (j, e) in adjacency[i] where !seen[j] { seen[j] = true; forest.append((j, i, e)) }
            }
        }
        let order = forest, parts = components, gaugeSigns = signs, bondCount = model.couplingCount
        return try PlanarIsing.drawSamples(count: count, spins: n, seed: seed, monitor: monitor) { (stream, row) throws(EngineError) in
            var agree = [Bool](repeating: false, count: bondCount)
            for part in parts { try drawBonds(part.bonds, part.q, &agree, &stream) }
            for (spin, parent, e) in order {
                if parent < 0 { row[spin] = stream.uniform() < 0.5 ? 1 : -1; continue }
                row[spin] = (gaugeSigns[e] < 0) != agree[e] ? row[parent] : -row[parent]
            }
        }
    }

    /// One component's bonds drawn in order from its ports' inverse `q` (m x m,
    /// column-major, m = 2 x bonds; copied, not changed), their agreements into `agree`.
    /// The pending rank-2 updates since the last flush are kept as GEMM operands:
    /// `plain` holds x_u, x_v and `scaled` x_v / c, -x_u / c (columns 2j, 2j + 1, rows
    /// by their place in q), so a column's correction is scaled times a row of plain
    /// and a flush is one GEMM, scaled plain^T, on the trailing block.
    static func drawBonds(_ bonds: [Int], _ q: [Double], _ agree: inout [Bool], _ stream: inout RandomStream) throws(EngineError) {
        let m = 2 * bonds.count, width = 2 * block
        var w = q
        var plain = [Double](repeating: 0, count: m * width), scaled = [Double](repeating: 0, count: m * width)
        var pending = 0
        for k in bonds.indices {
            let u = 2 * k, v = u + 1, x = 2 * pending
            // Columns u and v of the current inverse on rows u ..< m: q's, then the
            // pending updates' corrections.
            for i in u..<m {
                plain[i + x * m] = w[i + u * m]
                plain[i + (x + 1) * m] = w[i + v * m]
            }
            for j in 0..<(2 * pending) {
                let (au, bv) = (plain[u + j * m], plain[v + j * m])
                for i in u..<m {
                    plain[i + x * m] += scaled[i + j * m] * au
                    plain[i + (x + 1) * m] += scaled[i + j * m] * bv
                }
            }
            let held = plain[v + x * m]   // K_uv (K^-1)_vu with K_uv = 1
            guard held >= -PlanarIsing.samplingTolerance, held <= 1 + PlanarIsing.samplingTolerance else {
                throw EngineError(.notConverged, "the planar sampler lost precision: a bond's probability came out as \(held); beta is beyond what doubles resolve for this graph")
            }
            let agrees = stream.uniform() < held
            agree[bonds[k]] = agrees
            // c = (K^-1)_uv, plus 1 / K_uv when the edge is dropped.
            let c = agrees ? -held : 1 - held
            for i in u..<m {
                scaled[i + x * m] = plain[i + (x + 1) * m] / c
                scaled[i + (x + 1) * m] = -plain[i + x * m] / c
            }
            pending += 1
            let t0 = v + 1, rest = m - t0
            guard rest > 0, pending == block || k == bonds.count - 1 else { continue }
            // Flush: W[T, T] += sum_j (x_v x_u^T - x_u x_v^T) / c on T = v + 1 ..< m.
            scaled.withUnsafeBufferPointer { a in
                plain.withUnsafeBufferPointer { b in
                    w.withUnsafeMutableBufferPointer { w in
                        BLAS.dgemmColumnMajor(m: rest, n: rest, k: 2 * pending, alpha: 1, a: a.baseAddress! + t0, lda: m,
                                              b: b.baseAddress! + t0, ldb: m, transposeB: true, c: w.baseAddress! + t0 + t0 * m, ldc: m)
                    }
                }
            }
            pending = 0
        }
    }
}
