import Glibc

/// Exact log Z, U and C of zero-field Ising models on the square lattice with any
/// couplings (the 2D Edwards-Anderson spin glass, diluted and random-bond lattices),
/// open or periodic, through Pfaffians of Kasteleyn matrices of Fisher lattices
/// (`FisherLattice`), by the low-temperature (domain-wall) expansion:
///
///     Z = 2 e^(beta sum_e J_e) sum_{D} prod_{e in D} w_e,   w_e = e^(-2 beta J_e) > 0,
///
/// D running over the sets of broken bonds that spin configurations make (each made by
/// a configuration and its flip): the even subgraphs of the dual lattice, whose
/// vertices are the plaquettes and, on an open lattice, the outside. The outside is
/// split into a path of cities around a frame joined by weight-1 edges, so the dual of
/// an open L x W lattice is an open (L + 1) x (W + 1) Fisher lattice and
///
///     log Z = ln 2 + beta sum_e J_e + ln Pf K.
///
/// Every weight is positive, so Pf K is a sum of positive terms; but the elimination
/// subtracts, and weights e^(2 beta |J|) on the bonds a reference state breaks cost
/// digits at low temperature. Measuring the walls from an annealed low-energy state
/// (`gauged`) keeps most weights below 1; a frustrated model is still held to
/// `frustratedBetaLimit`. On the torus the dual is an L x W torus whose even
/// subgraphs of every homology class appear; only the trivial class are domain walls,
///
///     Z_00 = (1/4) |sum_ab Pf_ab|   (Pf_ab: wrap bonds' signs flipped along a, b),
///
/// which cancels when twisted boundary conditions dominate (an antiferromagnet on an
/// odd torus at low temperature); there the high-temperature expansion
/// (Z = 2^N prod cosh(beta J) sum over all classes of even subgraphs of the lattice
/// itself, weights tanh(beta J)) is tried, whose own terms cancel in frustrated models
/// beyond beta J_rms ~ 3; each result's cancellation is measured and one past
/// `torusConditionLimit` is refused.
///
/// Pf K is computed by nested dissection (George 1973) with multifrontal elimination:
/// the lattice is cut by lines of cities into rectangles, recursively; each cut line's
/// nodes are eliminated from a dense front holding them and the nodes next to its
/// rectangle, and the Schur complement on those neighbours passes to the parent. A
/// rectangle's Kasteleyn matrix has Pf > 0 (the expansion of the rectangle's own
/// weights), so every front's block is invertible, and LAPACK's pivoted LU gives
/// |Pf|^2 = det and the Schur complement in level-3 BLAS: O(N^1.5) work, O(N log N)
/// memory. Everything is carried in logarithms; no determinant overflows.
///
/// U = -d log Z / d beta and C = beta^2 d^2 log Z / d beta^2 are exact derivatives of
/// the same elimination (forward mode: the matrices' first and second beta-Taylor
/// coefficients eliminated alongside, log det's series from tr(A^-1 A') and
/// tr((A^-1 A')^2)), not finite differences.
public enum PlanarIsing {
    /// The most cancellation accepted among the torus's four Pfaffians:
    /// sum |terms| / |sum| (each digit of it is a digit lost from log Z's 16; measured
    /// on a 4 x 5 glass at 1e5: log Z off by 2e-11 relative).
    public static let torusConditionLimit = 1e4
    /// The largest 2 |beta| max |J| accepted: e^(2 |beta J|) must stay inside a double.
    public static let maxExponent = 600.0
    /// The largest |beta| J_rms (J_rms the root mean square coupling) accepted for a
    /// frustrated model (a plaquette with an odd number of negative couplings).
    /// Measured against the transfer matrix on open 32 x 16, 48 x 14 and 40 x 12
    /// glasses (Gaussian and +-J, seven instances): up to 3, log Z to 1e-13 relative and
    /// C to 5e-8; at 3.5 a +-J glass's C was off by 2e-4, at 3.9 in its first digit
    /// (the annealed reference's quality decides; Gaussian glasses kept 1e-8 to 4).
    /// Unfrustrated models have no limit.
    public static let frustratedBetaLimit = 3.0
    /// Below this |beta| J_rms the domain walls are measured from all spins up; above,
    /// from an annealed low-energy configuration (`gauged`).
    static let gaugeBetaThreshold = 1.5

    /// What `thermodynamics` accepts, as text for the front door's note, or nil: a
    /// square lattice (`latticeObstacle`), or any graph with a planar embedding
    /// (`PlanarGraphIsing`), without fields.
    public static func obstacle(_ model: IsingModel) -> String? {
        if usesEmbedding(model) { return PlanarGraphIsing.obstacle(model) }
        if model.lattice?.dimensions.count != 2 {
            return "not a 2D square lattice (build the model with square or edwards_anderson) and no planar embedding (give one with bz_ising_with_embedding)"
        }
        return latticeObstacle(model)
    }

    /// Whether the model goes by its planar embedding: it has one and is not a 2D
    /// square lattice (whose own nested dissection is faster).
    static func usesEmbedding(_ model: IsingModel) -> Bool {
        model.embedding != nil && model.lattice?.dimensions.count != 2
    }

    /// What the square lattice's nested dissection accepts (the sampler and the
    /// Kasteleyn matrix need it), or nil.
    static func latticeObstacle(_ model: IsingModel) -> String? {
        guard let lattice = model.lattice, lattice.dimensions.count == 2 else {
            return "not a 2D square lattice (build the model with square or edwards_anderson)"
        }
        guard model.fields.allSatisfy({ $0 == 0 }) else { return "the fields are not zero (a field makes the model non-planar)" }
        if lattice.periodic, lattice.dimensions.contains(where: { $0 < 3 }) {
            return "a periodic lattice needs both sides >= 3 for the torus's four Pfaffians"
        }
        return nil
    }

    /// `obstacle`, and beta's range: the weights e^(2 |beta J|) must fit a double, and
    /// a frustrated model is held to `frustratedBetaLimit`.
    public static func obstacle(_ model: IsingModel, beta: Double) -> String? {
        if let obstacle = obstacle(model) { return obstacle }
        if usesEmbedding(model) { return rangeObstacle(PlanarGraphIsing.scale(model, model.embedding!), beta: beta) }
        let lattice = model.lattice!
        let (rows, columns, periodic) = (lattice.dimensions[0], lattice.dimensions[1], lattice.periodic)
        return rangeObstacle(CouplingScale(bondCouplings(model, rows: rows, columns: columns, periodic: periodic),
                                           rows: rows, columns: columns, periodic: periodic), beta: beta)
    }

    /// What beta's range depends on, derived once per call from the bond couplings.
    struct CouplingScale {
        let largest: Double, rms: Double, frustrated: Bool

        init(_ couplings: [Double], rows: Int, columns: Int, periodic: Bool) {
            self.init(largest: couplings.reduce(0) { max($0, abs($1)) }, rms: rootMeanSquare(couplings),
                      frustrated: isFrustrated(couplings, rows: rows, columns: columns, periodic: periodic))
        }

        init(largest: Double, rms: Double, frustrated: Bool) {
            self.largest = largest
            self.rms = rms
            self.frustrated = frustrated
        }
    }

    /// Why `beta` is out of range for couplings of this scale, or nil.
    static func rangeObstacle(_ scale: CouplingScale, beta: Double) -> String? {
        guard 2 * abs(beta) * scale.largest <= maxExponent else {
            return "2 |beta| max |J| = \(2 * abs(beta) * scale.largest) is above \(maxExponent): the weights e^(2 beta J) leave double range"
        }
        let scaled = abs(beta) * scale.rms
        if scaled > frustratedBetaLimit, scale.frustrated {
            return "beta J_rms = \(scaled) is above \(frustratedBetaLimit) in a frustrated model, where the elimination's digits run out"
        }
        return nil
    }

    /// The root mean square of the non-zero couplings (0 when there are none).
    static func rootMeanSquare(_ couplings: [Double]) -> Double {
        let nonzero = couplings.filter { $0 != 0 }
        return nonzero.isEmpty ? 0 : (nonzero.reduce(0) { $0 + $1 * $1 } / Double(nonzero.count)).squareRoot()
    }

    /// Whether some plaquette (periodic: including those across the wrap) has an odd
    /// number of negative couplings.
    static func isFrustrated(_ couplings: [Double], rows: Int, columns: Int, periodic: Bool) -> Bool {
        func negative(_ bond: Int) -> Int { couplings[bond] < 0 ? 1 : 0 }
        let (lastRow, lastColumn) = periodic ? (rows, columns) : (rows - 1, columns - 1)
        for r in 0..<max(0, lastRow) {
            for x in 0..<max(0, lastColumn) {
                let city = r * columns + x, right = r * columns + (x + 1) % columns, below = ((r + 1) % rows) * columns + x
                if (negative(2 * city) + negative(2 * city + 1) + negative(2 * right + 1) + negative(2 * below)) % 2 == 1 { return true }
            }
        }
        return false
    }

    /// log Z, F, U, S and C (for the whole lattice) at every beta. With `derivatives`
    /// false only log Z and F (U, S and C are NaN), at about a quarter of the work.
    /// - Throws: INVALID_ARGUMENT for a model `obstacle` names, or an empty or
    ///   non-finite `betas`; UNSUPPORTED for a beta out of range or a torus whose four
    ///   Pfaffians cancel past `torusConditionLimit` in both expansions;
    ///   NOT_CONVERGED when a front is singular to working precision; OUT_OF_MEMORY;
    ///   CANCELLED.
    public static func thermodynamics(_ model: IsingModel, betas: [Double], derivatives: Bool = true,
                                      monitor: WorkMonitor = .none()) throws(EngineError) -> ThermodynamicTable {
        if usesEmbedding(model) { return try PlanarGraphIsing.thermodynamics(model, betas: betas, derivatives: derivatives, monitor: monitor) }
        if let obstacle = obstacle(model) { throw .invalid("the planar Pfaffian does not apply: \(obstacle)") }
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let lattice = model.lattice!
        let rows = lattice.dimensions[0], columns = lattice.dimensions[1], periodic = lattice.periodic
        var couplings = bondCouplings(model, rows: rows, columns: columns, periodic: periodic)
        let scale = CouplingScale(couplings, rows: rows, columns: columns, periodic: periodic)
        for beta in betas {
            if let obstacle = rangeObstacle(scale, beta: beta) { throw EngineError(.unsupported, "the planar Pfaffian does not apply: \(obstacle)") }
        }
        if betas.contains(where: { abs($0) * scale.rms > gaugeBetaThreshold }) {
            couplings = try gauged(couplings, model, rms: scale.rms, rows: rows, columns: columns, periodic: periodic)
        }
        let dual = Expansion.lowTemperature(rows: rows, columns: columns, periodic: periodic)
        let high = periodic ? Expansion.highTemperature(rows: rows, columns: columns) : nil
        let order = derivatives ? 3 : 1
        let workers = Parallel.maxThreads
        try Memory.reserve(max(dual.tree.peakEntries(workers: workers), high?.tree.peakEntries(workers: workers) ?? 0),
                           bytesEach: 8 * order, for: "the planar Pfaffian's fronts (\(rows) x \(columns) lattice)")
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        guard monitor.start(total: WorkMonitor.product(betas.count, dual.tree.fronts.count)) else {
            try monitor.checkNotStopped()
            return ThermodynamicTable(beta: [], logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        }
        let couplingSum = couplings.reduce(0, +)
        for beta in betas {
            // ln Z = ln 2 + beta sum J + ln Z_dual, with beta-derivatives.
            let weights = dual.weights(couplings, beta: beta, order: order)
            var (logZ, condition) = try dual.tree.logPfaffian(dual.graph, weights, order: order, trivialClassOnly: true, monitor: monitor)
            logZ += Jet(M_LN2 + beta * couplingSum, couplingSum, 0)
            if condition > torusConditionLimit, let high {
                // The twisted classes dominate the dual: the lattice's own expansion,
                // ln Z = N ln 2 + sum ln cosh(beta J) + ln (sum over classes).
                let weights = high.weights(couplings, beta: beta, order: order)
                let (logHigh, conditionHigh) = try high.tree.logPfaffian(high.graph, weights, order: order, trivialClassOnly: false,
                                                                         monitor: .none())
                var prefactor = Jet(Double(model.spinCount) * M_LN2)
                for j in couplings where j != 0 { prefactor += logCosh(beta: beta, coupling: j) }
                // Its own terms keep their digits in an unfrustrated model (one sign),
                // or up to |beta| J_rms = 3 (measured on frustrated glasses: log Z to
                // 1e-12, C to 1e-5; at 4, C wrong in its first digit).
                if conditionHigh <= torusConditionLimit && (abs(beta) * scale.rms <= 3 || !scale.frustrated) {
                    (logZ, condition) = (logHigh + prefactor, conditionHigh)
                }
            }
            guard condition <= torusConditionLimit else {
                throw EngineError(.unsupported, "the planar Pfaffian does not apply at beta = \(beta): the torus's four Pfaffians cancel to 1 part in \(condition) (twisted boundary conditions dominate), past the limit of \(torusConditionLimit); use AIS or population annealing")
            }
            table.append(logZ: logZ, beta: beta, derivatives: derivatives)
        }
        try monitor.finish()
        return table
    }

    /// The couplings J_e s_i s_j seen from a low-energy configuration s (the best of 8
    /// simulated-annealing reads over 500 betas from 0.1 to 10 / J_rms, seed fixed): Z
    /// is unchanged (s_i -> s_i sigma_i relabels the states), but the domain walls are
    /// now measured from s, so most weights e^(-2 beta J') are below 1 and the few
    /// above sit on bonds s breaks. The better s, the more digits: measured on 48 x 14
    /// glasses at beta J_rms = 4, C was wrong in its third digit from all spins up,
    /// to 1e-4 from 4 reads of 64 betas, to 1e-9 from 16 reads of 1000.
    static func gauged(_ couplings: [Double], _ model: IsingModel, rms: Double, rows: Int, columns: Int,
                       periodic: Bool) throws(EngineError) -> [Double] {
        let signs = try gauge(model, rms: rms, rows: rows, columns: columns, periodic: periodic)
        return zip(couplings, signs).map { $0 * $1 }
    }

    /// The signs s_i s_j of that low-energy configuration on each bond (1 for bonds
    /// the lattice does not have, and all 1 for a model without couplings).
    static func gauge(_ model: IsingModel, rms: Double, rows: Int, columns: Int, periodic: Bool) throws(EngineError) -> [Double] {
        guard rms > 0 else { return [Double](repeating: 1, count: 2 * rows * columns) }
        let spins = try lowEnergySpins(model, rms: rms)
        return (0..<(2 * rows * columns)).map { b in
            let city = b / 2, r = city / columns, x = city % columns
            let target = b % 2 == 0 ? r * columns + (x + 1) % columns : ((r + 1) % rows) * columns + x
            guard b % 2 == 0 ? (periodic || x + 1 < columns) : (periodic || r + 1 < rows) else { return 1 }
            return spins[spins.startIndex + city] * spins[spins.startIndex + target]
        }
    }

    /// The low-energy configuration the gauge measures from (+-1 as doubles): the best of
    /// 8 simulated-annealing reads over 500 betas from 0.1 to 10 / J_rms, seed fixed.
    static func lowEnergySpins(_ model: IsingModel, rms: Double) throws(EngineError) -> [Double] {
        let betas = (0..<500).map { 0.1 / rms * pow(100, Double($0) / 499) }
        let annealed = try Annealing.anneal(model, betas: betas, sweepsPerBeta: 1, reads: 8, algorithm: .metropolis, seed: 0x9e3779b97f4a7c15)
        let n = model.spinCount
        return annealed.spins[(annealed.best * n)..<((annealed.best + 1) * n)].map(Double.init)
    }

    /// The Kasteleyn matrix `thermodynamics` factorises for an open lattice at `beta`,
    /// for Pfaffian solvers elsewhere: the dual's Fisher lattice, (L + 1) (W + 1) cities
    /// of six nodes, entries K[from_k, to_k] = weight_k (and K[to_k, from_k] =
    /// -weight_k), with log Z = logPrefactor + ln |Pf K| (logPrefactor =
    /// ln 2 + beta sum_e J_e). Zero weights are left out.
    /// - Throws: INVALID_ARGUMENT for a model `obstacle` names, a periodic lattice (the
    ///   torus needs four matrices) or a non-finite beta; UNSUPPORTED for beta out of range.
    public static func kasteleynMatrix(_ model: IsingModel, beta: Double) throws(EngineError)
        -> (nodes: Int, from: [Int], to: [Int], weight: [Double], logPrefactor: Double) {
        if let obstacle = latticeObstacle(model) { throw .invalid("the planar Pfaffian does not apply: \(obstacle)") }
        try Check.finite(beta, "beta")
        if let obstacle = obstacle(model, beta: beta) { throw EngineError(.unsupported, "the planar Pfaffian does not apply: \(obstacle)") }
        let lattice = model.lattice!
        guard !lattice.periodic else { throw .invalid("a periodic lattice's Z is a sum of four Pfaffians, not one matrix's: use an open lattice") }
        let rows = lattice.dimensions[0], columns = lattice.dimensions[1]
        let couplings = bondCouplings(model, rows: rows, columns: columns, periodic: false)
        let dual = Expansion.lowTemperature(rows: rows, columns: columns, periodic: false)
        let weights = dual.weights(couplings, beta: beta, order: 1)
        var from: [Int] = [], to: [Int] = [], weight: [Double] = []
        for e in dual.graph.from.indices {
            let w = weights.coefficient(dual.graph, edge: e, 0)
            guard w != 0 else { continue }
            from.append(Int(dual.graph.from[e])); to.append(Int(dual.graph.to[e])); weight.append(w)
        }
        return (dual.graph.nodeCount, from, to, weight, M_LN2 + beta * couplings.reduce(0, +))
    }

    /// ln cosh(beta J) and its beta-derivatives J tanh, J^2 (1 - tanh^2), without overflow.
    static func logCosh(beta: Double, coupling j: Double) -> Jet {
        let x = abs(beta * j), t = tanh(beta * j)
        return Jet(x + log1p(exp(-2 * x)) - M_LN2, j * t, j * j * (1 - t * t))
    }

    /// The lattice's couplings by bond (`FisherLattice`'s numbering), 0 where none.
    static func bondCouplings(_ model: IsingModel, rows: Int, columns: Int, periodic: Bool) -> [Double] {
        var bonds = [Double](repeating: 0, count: 2 * rows * columns)
        for e in model.edgeCoupling.indices { bonds[bond(of: e, model, columns: columns)] += model.edgeCoupling[e] }
        return bonds
    }

    /// The bond (2 x site + 0 east, + 1 south) that the model's coupling e lies on.
    static func bond(of e: Int, _ model: IsingModel, columns: Int) -> Int {
        let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
        let (ri, xi, rj, xj) = (i / columns, i % columns, j / columns, j % columns)
        if ri == rj { return xj == xi + 1 ? 2 * i : 2 * j }  // else the wrap j -> i
        return rj == ri + 1 ? 2 * i + 1 : 2 * j + 1
    }

    /// <s_i s_j> for every coupling of a zero-field square-lattice model, open or periodic, in the
    /// model's coupling order, at beta (Kasteleyn 1963; the derivative of log Z).
    /// Across bond b the dual's edge of weight w_b = e^(-2 beta J'_b) carries a domain
    /// wall with probability P_b = K[u, v] (K^-1)[v, u] (its share of the Pfaffian's
    /// terms, by selected inversion of the nested dissection), so
    ///
    ///     <s_i s_j> = d ln Z / d (beta J_ij) = r_b (1 - 2 P_b),
    ///
    /// r_b = +-1 the gauge's sign on the bond (J' = r J; see `gauged`). A coupling of
    /// zero is allowed and gets its correlation too. Accuracy as `thermodynamics`'
    /// (measured against enumeration to 1e-12; sum_ij J_ij <s_i s_j> = -U to 1e-10).
    /// - Throws: INVALID_ARGUMENT as `obstacle` (or a non-finite beta); UNSUPPORTED
    ///   beyond `thermodynamics`' accuracy limits (on a torus, the dual's own: its
    ///   four Pfaffians cancelling past `torusConditionLimit` is refused);
    ///   OUT_OF_MEMORY (every front is kept); NOT_CONVERGED; CANCELLED.
    public static func edgeCorrelations(_ model: IsingModel, beta: Double, monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        if usesEmbedding(model) { return try PlanarGraphIsing.edgeCorrelations(model, beta: beta, monitor: monitor) }
        let (rows, columns, periodic, couplings, signs) = try gaugedBonds(model, beta: beta, for: "the planar Pfaffian")
        let dual = Expansion.lowTemperature(rows: rows, columns: columns, periodic: periodic)
        try Memory.reserve(dual.tree.totalEntries, bytesEach: 8, for: "the planar Pfaffian's fronts, all kept for the selected inversion (\(rows) x \(columns) lattice)")
        guard monitor.start(total: (periodic ? 5 : 2) * dual.tree.fronts.count) else { try monitor.checkNotStopped(); return [] }
        let (shares, condition) = try dual.tree.edgeShares(dual.graph, dual.weights(couplings, beta: beta, order: 1), monitor: monitor)
        guard condition <= torusConditionLimit else {
            throw EngineError(.unsupported, "the planar Pfaffian's edge correlations do not apply at beta = \(beta): the torus's four Pfaffians cancel to 1 part in \(condition) (twisted boundary conditions dominate), past the limit of \(torusConditionLimit)")
        }
        var bondShare = [Double](repeating: .nan, count: couplings.count)
        for e in dual.graph.from.indices {
            let frameBond = Int(dual.graph.bond[e])
            guard frameBond >= 0, case .dual(let b) = dual.sources[frameBond] else { continue }
            bondShare[b] = shares[e]
        }
        try monitor.finish()
        return model.edgeCoupling.indices.map { e in
            let b = bond(of: e, model, columns: columns)
            return signs[b] * (1 - 2 * bondShare[b])
        }
    }

    /// The checks every single-beta planar computation makes (`obstacle`, a finite
    /// beta, `rangeObstacle`, naming `what` in the message), then the lattice's shape
    /// and its bond couplings, measured from the gauge's low-energy state past
    /// `threshold` of |beta| J_rms (couplings J' = r J, and the signs r; all 1 below it).
    static func gaugedBonds(_ model: IsingModel, beta: Double, for what: String,
                            threshold: Double = gaugeBetaThreshold) throws(EngineError)
        -> (rows: Int, columns: Int, periodic: Bool, couplings: [Double], signs: [Double]) {
        if let obstacle = latticeObstacle(model) { throw .invalid("\(what) does not apply: \(obstacle)") }
        try Check.finite(beta, "beta")
        let lattice = model.lattice!
        let rows = lattice.dimensions[0], columns = lattice.dimensions[1], periodic = lattice.periodic
        var couplings = bondCouplings(model, rows: rows, columns: columns, periodic: periodic)
        let scale = CouplingScale(couplings, rows: rows, columns: columns, periodic: periodic)
        if let obstacle = rangeObstacle(scale, beta: beta) { throw EngineError(.unsupported, "\(what) does not apply: \(obstacle)") }
        var signs = [Double](repeating: 1, count: couplings.count)
        if abs(beta) * scale.rms > threshold {
            signs = try gauge(model, rms: scale.rms, rows: rows, columns: columns, periodic: periodic)
            couplings = zip(couplings, signs).map { $0 * $1 }
        }
        return (rows, columns, periodic, couplings, signs)
    }

    /// A Fisher lattice, its elimination tree, and where each of its bonds' weights comes
    /// from: the lattice bond whose coupling sets it and how (e^(-2 beta J) across a
    /// domain wall, tanh(beta J) along a high-temperature loop), or a constant.
    struct Expansion {
        enum Source { case dual(Int), direct(Int), constant(Double) }
        let graph: FisherLattice
        let tree: EliminationTree
        let sources: [Source]

        /// The dual: an open lattice's frame of (L + 1) x (W + 1) cities, the outside
        /// as a path around the ring (its edge from city 0 east cut), or the torus's
        /// L x W. Frame city (i, j) is plaquette (i - 1, j - 1); a bond of the lattice
        /// crosses one bond of the frame:
        ///
        ///     (r, c) - (r, c + 1)  crosses  (r, c + 1) - (r + 1, c + 1)   (south of frame (r, c + 1))
        ///     (r, c) - (r + 1, c)  crosses  (r + 1, c) - (r + 1, c + 1)   (east of frame (r + 1, c))
        ///
        /// (on the torus, frame (i, j) is plaquette (i, j), shifted by one: (r, c)'s east
        /// bond crosses south of (r - 1, c), its south bond east of (r, c - 1)).
        static func lowTemperature(rows: Int, columns: Int, periodic: Bool) -> Expansion {
            let (frameRows, frameColumns) = periodic ? (rows, columns) : (rows + 1, columns + 1)
            var sources = [Source](repeating: .constant(1), count: 2 * frameRows * frameColumns)
            for r in 0..<rows {
                for c in 0..<columns {
                    let site = r * columns + c
                    if periodic {
                        sources[2 * (((r + rows - 1) % rows) * columns + c) + 1] = .dual(2 * site)
                        sources[2 * (r * columns + (c + columns - 1) % columns)] = .dual(2 * site + 1)
                    } else {
                        if c + 1 < columns { sources[2 * (r * frameColumns + c + 1) + 1] = .dual(2 * site) }
                        if r + 1 < rows { sources[2 * ((r + 1) * frameColumns + c)] = .dual(2 * site + 1) }
                    }
                }
            }
            if !periodic { sources[0] = .constant(0) }  // the ring's cut: a path, not a cycle
            return Expansion(graph: FisherLattice(rows: frameRows, columns: frameColumns, periodic: periodic),
                             tree: EliminationTree(rows: frameRows, columns: frameColumns, periodic: periodic), sources: sources)
        }

        /// The lattice itself, bonds weighted tanh(beta J).
        static func highTemperature(rows: Int, columns: Int) -> Expansion {
            Expansion(graph: FisherLattice(rows: rows, columns: columns, periodic: true),
                      tree: EliminationTree(rows: rows, columns: columns, periodic: true),
                      sources: (0..<(2 * rows * columns)).map { .direct($0) })
        }

        /// The bonds' weights at beta as Taylor coefficients in beta: w = e^(-2 beta J)
        /// with w' = -2 J w, w''/2 = 2 J^2 w; t = tanh(beta J) with t' = J (1 - t^2),
        /// t''/2 = -J^2 t (1 - t^2).
        func weights(_ couplings: [Double], beta: Double, order: Int) -> BondWeights {
            var weight = [Double](repeating: 0, count: order * sources.count)
            for (b, source) in sources.enumerated() {
                switch source {
                case .constant(let value):
                    weight[order * b] = value
                case .dual(let bond):
                    let j = couplings[bond], w = exp(-2 * beta * j)
                    weight[order * b] = w
                    if order == 3 { weight[3 * b + 1] = -2 * j * w; weight[3 * b + 2] = 2 * j * j * w }
                case .direct(let bond):
                    let j = couplings[bond], t = tanh(beta * j)
                    weight[order * b] = t
                    if order == 3 { weight[3 * b + 1] = j * (1 - t * t); weight[3 * b + 2] = -j * j * t * (1 - t * t) }
                }
            }
            return BondWeights(order: order, weight: weight)
        }
    }

    /// A Fisher lattice's bond weights at one beta as Taylor coefficients in beta;
    /// inner edges weigh 1.
    struct BondWeights {
        let order: Int
        /// weight[order * bond + k]: the k-th Taylor coefficient.
        var weight: [Double]

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

    /// The entries of every front at once (what selected inversion keeps).
    var totalEntries: Int {
        fronts.reduce(0) { total, front in
            let f = front.cities.count * FisherLattice.cityNodes + front.boundary.count
            return total + f * f
        }
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

    /// ln |Pf K| (open), or on the torus ln of the weighted even subgraphs of the
    /// trivial homology class (`trivialClassOnly`) or of every class, as a jet in beta
    /// (d1, d2 zero when `order` is 1), with the four Pfaffians' cancellation (sum of
    /// |terms| / |sum|; 1 when open).
    func logPfaffian(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int, trivialClassOnly: Bool,
                     monitor: WorkMonitor) throws(EngineError) -> (Jet, condition: Double) {
        _ = BLAS.singleThreaded
        let (rootChildren, total, _) = try eliminateAll(graph, weights, order: order, keeping: nil, monitor: monitor)
        guard periodic else { return (Jet(total.0, total.1, 2 * total.2), 1) }
        let (root, condition) = try torusRoot(graph, weights, order: order, trivialClassOnly: trivialClassOnly, children: rootChildren)
        return (Jet(total.0, total.1, 2 * total.2) + root, condition)
    }

    /// Eliminates every front but the torus's root, bottom-up, a level's fronts in
    /// parallel, each from its children's updates: the sum of their ln |Pf| shares
    /// (Taylor coefficients) and, on the torus, the root's children's updates. With
    /// `kept` (one slot per front), each front's factors are kept there; with
    /// `retainingUpdates`, every front's update is returned (else only the last level's).
    func eliminateAll(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                      keeping kept: UnsafeMutablePointer<Factors?>?, retainingUpdates: Bool = false, monitor: WorkMonitor)
        throws(EngineError) -> (rootChildren: [Update], total: (Double, Double, Double), updates: [Update?]) {
        var updates = [Update?](repeating: nil, count: fronts.count)
        var total = (0.0, 0.0, 0.0)
        let slots = kept.map { SharedPointer($0) }
        for level in levels {
            let work = periodic ? level.filter { $0 != 0 } : level
            var results = [Result<Update, EngineError>?](repeating: nil, count: work.count)
            let inputs = work.map { k in fronts[k].children.map { updates[$0]! } }
            results.withUnsafeMutableBufferPointer { results in
                let out = SharedPointer(results.baseAddress!)
                Parallel.forEach(work.count, parallel: work.count > 1) { task in
                    guard !monitor.isStopped else { return }
                    do throws(EngineError) {
                        out[task] = .success(try eliminate(work[task], graph, weights, order: order, children: inputs[task],
                                                           keeping: slots.map { $0.base + work[task] }))
                    } catch {
                        out[task] = .failure(error)
                    }
                    _ = monitor.advance(by: 1)
                }
            }
            try monitor.checkNotStopped()
            var failure: EngineError? = nil
            for (task, k) in work.enumerated() {
                switch results[task]! {
                case .success(let update):
                    updates[k] = update
                    total.0 += update.logPfaffian.0; total.1 += update.logPfaffian.1; total.2 += update.logPfaffian.2
                case .failure(let error): failure = failure ?? error
                }
                if !retainingUpdates { for child in fronts[k].children { updates[child] = nil } }
            }
            if let failure { throw failure }
        }
        return (periodic ? fronts[0].children.map { updates[$0]! } : [], total, updates)
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
        try eliminate(k, graph, weights, order: order, children: children, keeping: nil)
    }

    /// A front after `eliminate` (order 1): its pivot block A's LU factors and
    /// pivots, X = A^-1 B above right, C below left (column-major f x f, s eliminated).
    struct Factors: Sendable {
        var matrix: [Double]
        var pivots: [Int32]
        let size: Int, eliminated: Int
    }

    private func eliminate(_ k: Int, _ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int,
                           children: [Update], keeping kept: UnsafeMutablePointer<Factors?>?) throws(EngineError) -> Update {
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
                BLAS.dgetrsColumnMajor(m: s, n: f - lo, factors: m0, lda: f, pivots: pivots, b: m0 + o * block + lo * f, ldb: f)
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
        kept?.pointee = Factors(matrix: m, pivots: pivots, size: f, eliminated: s)
        return Update(matrix: update, logPfaffian: (0.5 * logDet, 0.5 * trace1, 0.5 * (trace2 - 0.5 * traceSquare)))
    }

    /// K[u, v] (K^-1)[v, u] for every edge e = (u, v) = (from[e], to[e]) of `graph`
    /// (NaN for edges of no front): the share of the Pfaffian's terms that hold the
    /// edge, d ln Pf / d ln w_e. By selected inversion: the fronts are eliminated and
    /// kept, then visited from the root down; a front with pivot block A,
    /// X = A^-1 B, below-left block C and its boundary's inverse Z_BB (from its
    /// parent) has
    ///
    ///     Z_BP = -Z_BB C A^-1,   Z_PB = -X Z_BB,   Z_PP = A^-1 - X Z_BP,
    ///
    /// the inverse of K on its nodes and boundary (Takahashi's equations); its
    /// children's Z_BB are read from it. On the torus each of the four sign choices
    /// on the wrap bonds has its own root, inverted densely; flipping a wrap bond
    /// conjugates the rest by the signs of the root ports it reaches (`scale`), so the
    /// fronts below are shared and their inverses come out conjugated the same way,
    /// which the unflipped K undoes. The trivial class's share is then
    /// sum_ab t_ab P_ab / sum_ab t_ab over the signed Pfaffians t_ab; `condition` is
    /// their cancellation (1 when open). Time about twice the factorisation's (five
    /// times on the torus); memory every front at once.
    func edgeShares(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights,
                    monitor: WorkMonitor) throws(EngineError) -> (shares: [Double], condition: Double) {
        precondition(weights.order == 1, "selected inversion is for values, not Taylor coefficients")
        _ = BLAS.singleThreaded
        let slots = UnsafeMutablePointer<Factors?>.allocate(capacity: fronts.count)
        slots.initialize(repeating: nil, count: fronts.count)
        let children: [Update]
        do {
            children = try eliminateAll(graph, weights, order: 1, keeping: slots, monitor: monitor).rootChildren
        } catch {
            slots.deinitialize(count: fronts.count); slots.deallocate()
            throw error
        }
        var factors = Array(UnsafeBufferPointer(start: slots, count: fronts.count))
        slots.deinitialize(count: fronts.count); slots.deallocate()
        var shares = [Double](repeating: .nan, count: graph.from.count)
        guard periodic else {
            try descend(from: [0: []], &factors, graph, weights, keep: false, into: &shares, monitor: monitor)
            return (shares, 1)
        }
        let local = localIndex(0)
        var terms: [(sign: Double, log: Double, shares: [Double])] = []
        for variant in 0..<4 {
            let (flips, scale) = variantSigns(graph, variant)
            let (m, f, _) = assemble(0, graph, weights, order: 1, children: children, flips: flips, scale: scale)
            var dense = [Double](repeating: 0, count: f * f)
            for j in 0..<f { for i in 0..<f { dense[i * f + j] = m[i + j * f] } }
            let (sign, logAbs) = SkewPfaffian.parlettReid(&dense, size: f)
            guard sign != 0 else { continue }
            var inverse = m, pivots = [Int32](repeating: 0, count: f)
            guard BLAS.dgetrf(f, &inverse, lda: f, pivots: &pivots) == 0, BLAS.dgetri(f, &inverse, lda: f, pivots: &pivots) == 0 else {
                throw EngineError(.notConverged, "the torus's root front is singular to working precision")
            }
            var variantShares = [Double](repeating: .nan, count: graph.from.count)
            for city in fronts[0].cities {
                for p in 0..<FisherLattice.cityNodes {
                    let u = Int(city) * FisherLattice.cityNodes + p
                    for q in Int(graph.incidentStart[u])..<Int(graph.incidentStart[u + 1]) {
                        let e = Int(graph.incident[q])
                        guard let la = local[graph.from[e]], let lb = local[graph.to[e]] else { continue }
                        variantShares[e] = flips(e) * weights.coefficient(graph, edge: e, 0) * inverse[lb + la * f]
                    }
                }
            }
            var start: [Int: [Double]] = [:]
            for child in fronts[0].children {
                let nodes = fronts[child].boundary, at = nodes.map { local[$0]! }, d = nodes.map(scale), c = nodes.count
                var zb = [Double](repeating: 0, count: c * c)
                for j in 0..<c { for i in 0..<c { zb[i + j * c] = d[i] * d[j] * inverse[at[i] + at[j] * f] } }
                start[child] = zb
            }
            try descend(from: start, &factors, graph, weights, keep: true, into: &variantShares, monitor: monitor)
            terms.append((sign, logAbs.value, variantShares))
        }
        guard let top = terms.map(\.log).max() else { throw EngineError(.notConverged, "the torus's four Pfaffians all vanish to working precision") }
        let t = terms.map { $0.sign * exp($0.log - top) }, sum = t.reduce(0, +)
        let condition = t.reduce(0) { $0 + abs($1) } / abs(sum)
        for e in shares.indices { shares[e] = zip(t, terms).reduce(0) { $0 + $1.0 * $1.1.shares[e] } / sum }
        return (shares, condition)
    }

    /// The torus's sign choice `variant` (bit 0: east-west wrap bonds flipped, bit 1:
    /// north-south): each edge's sign, and each root port's (the ports whose wrap bond
    /// reaches the eliminated rectangle change the sign of its updates' rows and columns).
    private func variantSigns(_ graph: FisherLattice, _ variant: Int) -> (flips: (Int) -> Double, scale: (Int32) -> Double) {
        let flipEast = variant & 1 != 0, flipSouth = variant & 2 != 0, columns = columns
        let flips: (Int) -> Double = { e in
            let b = Int(graph.bond[e])
            guard b >= 0, graph.bondWraps(b) else { return 1 }
            return (b % 2 == 0 && flipEast) || (b % 2 == 1 && flipSouth) ? -1 : 1
        }
        let scale: (Int32) -> Double = { node in
            let city = Int(node) / FisherLattice.cityNodes, port = Int(node) % FisherLattice.cityNodes
            if flipEast, port == FisherLattice.west, city % columns == 0 { return -1 }
            if flipSouth, port == FisherLattice.north, city / columns == 0 { return -1 }
            return 1
        }
        return (flips, scale)
    }

    /// The top-down pass of `edgeShares` from the fronts in `start` (with their Z_BB)
    /// through all their descendants, writing the shares of the edges they hold;
    /// `keep` leaves the factors for another pass.
    private func descend(from start: [Int: [Double]], _ factors: inout [Factors?], _ graph: FisherLattice,
                         _ weights: PlanarIsing.BondWeights, keep: Bool, into shares: inout [Double],
                         monitor: WorkMonitor) throws(EngineError) {
        var boundaryInverse = [[Double]?](repeating: nil, count: fronts.count)
        for (k, z) in start { boundaryInverse[k] = z }
        for level in levels.reversed() {
            let work = level.filter { boundaryInverse[$0] != nil }
            guard !work.isEmpty else { continue }
            var singular = [Bool](repeating: false, count: work.count)
            boundaryInverse.withUnsafeMutableBufferPointer { inverses in
                shares.withUnsafeMutableBufferPointer { shares in
                    factors.withUnsafeMutableBufferPointer { factors in
                        singular.withUnsafeMutableBufferPointer { singular in
                            let z = SharedPointer(inverses.baseAddress!), out = SharedPointer(shares.baseAddress!)
                            let kept = SharedPointer(factors.baseAddress!), failed = SharedPointer(singular.baseAddress!)
                            Parallel.forEach(work.count, parallel: work.count > 1) { task in
                                let k = work[task]
                                guard !monitor.isStopped, let front = kept[k] else { return }
                                if !keep { kept[k] = nil }
                                guard let full = invert(front, boundary: z[k]!) else { failed[task] = true; return }
                                z[k] = nil
                                let local = localIndex(k)
                                read(k, full, size: front.size, local: local, graph, weights, into: out)
                                for child in fronts[k].children {
                                    let at = fronts[child].boundary.map { local[$0]! }, c = at.count
                                    var zb = [Double](repeating: 0, count: c * c)
                                    for j in 0..<c { for i in 0..<c { zb[i + j * c] = full[at[i] + at[j] * front.size] } }
                                    z[child] = zb
                                }
                                _ = monitor.advance(by: 1)
                            }
                        }
                    }
                }
            }
            try monitor.checkNotStopped()
            if singular.contains(true) { throw EngineError(.notConverged, "the planar Pfaffian's selected inversion met a singular front: beta |J| is beyond what doubles resolve") }
        }
    }

    /// Front k's nodes and boundary by their place in its matrix.
    private func localIndex(_ k: Int) -> [Int32: Int] {
        let front = fronts[k], n = FisherLattice.cityNodes, s = front.cities.count * n
        var local = [Int32: Int](minimumCapacity: s + front.boundary.count)
        for (c, city) in front.cities.enumerated() { for p in 0..<n { local[city * Int32(n) + Int32(p)] = c * n + p } }
        for (b, node) in front.boundary.enumerated() { local[node] = s + b }
        return local
    }

    /// The inverse of K on a front's nodes and boundary (f x f, column-major) from its
    /// factors and its boundary's inverse Z_BB; nil if A is singular.
    private func invert(_ front: Factors, boundary zbb: [Double]) -> [Double]? {
        let f = front.size, s = front.eliminated, nb = f - s
        var inverse = [Double](repeating: 0, count: s * s)
        for j in 0..<s { for i in 0..<s { inverse[i + j * s] = front.matrix[i + j * f] } }
        guard front.pivots.withUnsafeBufferPointer({ BLAS.dgetri(s, &inverse, lda: max(1, s), pivots: $0.baseAddress!) }) == 0 else {
            return nil
        }
        var full = [Double](repeating: 0, count: f * f), product = [Double](repeating: 0, count: nb * s)
        // The factors, Z_BB and A^-1 are read in place: X (s x nb) and C (nb x s) at stride f.
        front.matrix.withUnsafeBufferPointer { m in
        zbb.withUnsafeBufferPointer { w in
        inverse.withUnsafeBufferPointer { a in
        product.withUnsafeMutableBufferPointer { t in
        full.withUnsafeMutableBufferPointer { z in
            let x = m.baseAddress! + s * f, c = m.baseAddress! + s, z0 = z.baseAddress!
            // Z_BB, then T = Z_BB C (nb x s), Z_BP = -T A^-1, Z_PB = -X Z_BB, Z_PP = A^-1 - X Z_BP.
            for j in 0..<nb { for i in 0..<nb { z0[(s + i) + (s + j) * f] = w[i + j * nb] } }
            if nb > 0 {
                BLAS.dgemmColumnMajor(m: nb, n: s, k: nb, alpha: 1, a: w.baseAddress!, lda: nb, b: c, ldb: f, c: t.baseAddress!, ldc: nb)
                BLAS.dgemmColumnMajor(m: nb, n: s, k: s, alpha: -1, a: t.baseAddress!, lda: nb, b: a.baseAddress!, ldb: s, c: z0 + s, ldc: f)
                BLAS.dgemmColumnMajor(m: s, n: nb, k: nb, alpha: -1, a: x, lda: f, b: w.baseAddress!, ldb: nb, c: z0 + s * f, ldc: f)
            }
            for j in 0..<s { for i in 0..<s { z0[i + j * f] = a[i + j * s] } }
            if nb > 0 { BLAS.dgemmColumnMajor(m: s, n: s, k: nb, alpha: -1, a: x, lda: f, b: z0 + s, ldb: f, c: z0, ldc: f) }
        } } } } }
        return full
    }

    /// Writes K[u, v] Z[v, u] for the edges at front k's nodes whose other end is in
    /// the front (an edge between two fronts is read where its first end is eliminated).
    private func read(_ k: Int, _ full: [Double], size f: Int, local: [Int32: Int], _ graph: FisherLattice,
                      _ weights: PlanarIsing.BondWeights, into out: SharedPointer<Double>) {
        let n = FisherLattice.cityNodes
        for city in fronts[k].cities {
            for p in 0..<n {
                let u = Int(city) * n + p
                for q in Int(graph.incidentStart[u])..<Int(graph.incidentStart[u + 1]) {
                    let e = Int(graph.incident[q])
                    let a = Int(graph.from[e]), b = Int(graph.to[e])
                    guard let la = local[Int32(a)], let lb = local[Int32(b)] else { continue }
                    out[e] = weights.coefficient(graph, edge: e, 0) * full[lb + la * f]
                }
            }
        }
    }

    /// The torus's root: row 0 and column 0 with the rest's Schur complement, under the
    /// four sign choices on the wrap bonds (a: east-west, b: north-south). Each is a
    /// signed Pfaffian (Parlett-Reid); the homology classes' signs under the
    /// orientation come from one matching of each class, and
    ///
    ///     Z_hv = (1/4) eps_hv sum_ab (-1)^(a h + b v) Pf_ab,
    ///
    /// summed over all four classes or (`trivialClassOnly`) Z_00 = (1/4) |sum_ab Pf_ab|.
    /// Also returns the cancellation, sum |terms| / |sum|.
    private func torusRoot(_ graph: FisherLattice, _ weights: PlanarIsing.BondWeights, order: Int, trivialClassOnly: Bool,
                           children: [Update]) throws(EngineError) -> (Jet, Double) {
        let classSign = trivialClassOnly ? [1.0, 0, 0, 0] : classSigns(graph)
        var terms: [(sign: Double, log: Jet)] = []
        for variant in 0..<4 {
            let (flips, scale) = variantSigns(graph, variant)
            let (m, f, _) = assemble(0, graph, weights, order: order, children: children, flips: flips, scale: scale)
            let (sign, logAbs): (Double, Jet)
            if order == 3 {
                var dense = [Jet](repeating: Jet(0), count: f * f)
                for j in 0..<f {
                    for i in 0..<f { dense[i * f + j] = Jet(m[i + j * f], m[f * f + i + j * f], 2 * m[2 * f * f + i + j * f]) }
                }
                (sign, logAbs) = SkewPfaffian.parlettReid(&dense, size: f)
            } else {
                var dense = [Double](repeating: 0, count: f * f)
                for j in 0..<f { for i in 0..<f { dense[i * f + j] = m[i + j * f] } }
                (sign, logAbs) = SkewPfaffian.parlettReid(&dense, size: f)
            }
            let weight = (0..<4).reduce(0.0) { sum, hv in
                let (h, v) = (hv & 1, hv >> 1)
                return sum + classSign[hv] * (((variant & 1) * h + (variant >> 1) * v) % 2 == 0 ? 1 : -1)
            }
            if sign != 0, weight != 0 { terms.append((sign * weight, logAbs)) }
        }
        guard let top = terms.map(\.log.value).max() else {
            throw EngineError(.notConverged, "the torus's four Pfaffians all vanish to working precision")
        }
        var sum = Jet(0), magnitude = 0.0
        for term in terms {
            let part = term.sign * Jet.exp(term.log - top)
            sum += part
            magnitude += abs(part.value)
        }
        guard sum.value != 0 else { return (Jet(-.infinity), .infinity) }
        if sum.value < 0 { sum = -sum }
        return (Jet.log(sum) + top - log(4.0), magnitude / sum.value)
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

extension ThermodynamicTable {
    /// One more beta's row from log Z as a jet in beta: F = -log Z / beta (NaN at 0),
    /// U = -d log Z / d beta, S = log Z + beta U, C = beta^2 d^2 log Z / d beta^2
    /// (U, S and C NaN without `derivatives`).
    mutating func append(logZ: Jet, beta: Double, derivatives: Bool) {
        self.logZ.append(logZ.value)
        freeEnergy.append(beta == 0 ? .nan : -logZ.value / beta)
        energy.append(derivatives ? -logZ.d1 : .nan)
        entropy.append(derivatives ? logZ.value - beta * logZ.d1 : .nan)
        heatCapacity.append(derivatives ? beta * beta * logZ.d2 : .nan)
    }
}

/// What Parlett-Reid elimination needs of its numbers: doubles for log Z alone, jets
/// for its beta-derivatives too.
protocol EliminationScalar {
    init(_ value: Double)
    var primal: Double { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var reciprocal: Self { get }
    /// ln |x| as a jet.
    var logMagnitude: Jet { get }
}

extension Double: EliminationScalar {
    var primal: Double { self }
    var reciprocal: Double { 1 / self }
    var logMagnitude: Jet { Jet(log(abs(self))) }
}

extension Jet: EliminationScalar {
    init(_ value: Double) { self.init(value, 0, 0) }
    var primal: Double { value }
    var logMagnitude: Jet { Jet.log(value < 0 ? -self : self) }
}

/// Dense signed Pfaffians.
enum SkewPfaffian {
    /// Pf of the skew n x n matrix `a` (row-major, destroyed) by Parlett-Reid
    /// elimination with partial pivoting (Wimmer 2012's pfaffian_LTL): its sign
    /// (0 when exactly zero) and ln |Pf| as a jet (derivatives 0 for doubles).
    static func parlettReid<Scalar: EliminationScalar>(_ a: inout [Scalar], size n: Int) -> (sign: Double, logAbs: Jet) {
        guard n % 2 == 0 else { return (0, Jet(-.infinity)) }
        var sign = 1.0, logAbs = Jet(0)
        var tau = [Scalar](repeating: Scalar(0), count: n), column = [Scalar](repeating: Scalar(0), count: n)
        a.withUnsafeMutableBufferPointer { a in
            for k in stride(from: 0, to: n - 1, by: 2) {
                var pivot = k + 1, largest = abs(a[(k + 1) * n + k].primal)
                for i in (k + 2)..<max(k + 2, n) where abs(a[i * n + k].primal) > largest { largest = abs(a[i * n + k].primal); pivot = i }
                if pivot != k + 1 {
                    for j in 0..<n { a.swapAt((k + 1) * n + j, pivot * n + j) }
                    for i in 0..<n { a.swapAt(i * n + k + 1, i * n + pivot) }
                    sign = -sign
                }
                let p = a[k * n + k + 1]
                guard p.primal != 0 else { sign = 0; return }
                if p.primal < 0 { sign = -sign }
                logAbs += p.logMagnitude
                guard k + 2 < n else { return }
                // A[i][j] += tau_i A[j][k+1] - A[i][k+1] tau_j, tau = A[k][k+2...] / p.
                let inverse = p.reciprocal
                for j in (k + 2)..<n { tau[j] = a[k * n + j] * inverse; column[j] = a[j * n + k + 1] }
                for i in (k + 2)..<n {
                    let ti = tau[i], ci = column[i], row = i * n
                    for j in (k + 2)..<n { a[row + j] = a[row + j] + (ti * column[j] - ci * tau[j]) }
                }
            }
        }
        return sign == 0 ? (0, Jet(-.infinity)) : (sign, logAbs)
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
