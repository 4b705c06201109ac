/// The update algorithms of the samplers.
public enum MonteCarloAlgorithm: Sendable, CaseIterable {
    /// Single-spin Metropolis: flip with probability min(1, e^{-beta dE}).
    case metropolis
    /// Single-spin heat bath (Glauber / Gibbs; the p-bit update).
    case heatBath
    /// Wolff's single-cluster update (ferromagnets without field).
    case wolff
    /// Swendsen-Wang: every Fortuin-Kasteleyn cluster, each flipped with probability 1/2.
    case swendsenWang
    /// Metropolis on 64 replicas per machine word (multi-spin coding; regular graphs
    /// with one coupling magnitude and no field).
    case multispin
    /// Multi-spin coding with one uniform per site shared by the 64 replicas: each
    /// replica is an exact chain, but the replicas are correlated, so a group of 64
    /// counts as one chain in the error analysis.
    case multispinShared

    var singleSpinRule: SingleSpinRule? {
        switch self {
        case .metropolis: .metropolis
        case .heatBath: .heatBath
        case .wolff, .swendsenWang, .multispin, .multispinShared: nil
        }
    }

    var isCluster: Bool { self == .wolff || self == .swendsenWang }

    var name: String {
        switch self {
        case .metropolis: "Metropolis"
        case .heatBath: "heat bath"
        case .wolff: "Wolff"
        case .swendsenWang: "Swendsen-Wang"
        case .multispin, .multispinShared: "multi-spin coding"
        }
    }
}

/// One algorithm at one beta, ready to sweep chains of one model: the acceptance
/// table or bond probabilities, and the sites a sweep visits (the free ones, in order).
///
/// A sweep is one update per free site for the single-spin rules and one
/// Swendsen-Wang update. A Wolff sweep flips clusters until N spins have flipped
/// during burn-in; while measuring it is a fixed number of clusters per chain,
/// ceil(N / mean cluster size so far), set when the measurements start, so that
/// measurements are never taken at times that depend on the state.
struct Sweeper {
    let model: IsingModel
    let algorithm: MonteCarloAlgorithm
    let order: SweepOrder
    private(set) var beta: Double
    private(set) var acceptance: Acceptance?
    private(set) var bonds: ClusterBonds?
    /// The free sites in visiting order (sequential, random: ascending; checkerboard,
    /// colored: colour by colour).
    private(set) var sites: [Int32] = []
    /// Each site's colour under `order` (all 0 for sequential and random).
    private let colours: [Int32]
    /// Dense couplings for the single-spin field updates (see `denseCouplings`).
    let dense: [Double]?
    /// `Acceptance.tableOffset` of the model, found once.
    private let tableOffset: Int?
    /// The model's field scale when Metropolis sweeps in a fixed order (lazy ties,
    /// see `Acceptance`), else nil.
    private let lazyTies: Double?

    /// `sharing`: a sweeper of the same model whose dense couplings to reuse (a
    /// tempering ladder holds one copy, not one per beta).
    init(model: IsingModel, algorithm: MonteCarloAlgorithm, order: SweepOrder, beta: Double, sharing: Sweeper? = nil) throws(EngineError) {
        if algorithm.isCluster { try ClusterBonds.check(model, algorithm.name) }
        switch order {
        case .sequential, .random:
            colours = [Int32](repeating: 0, count: model.spinCount)
        case .checkerboard:
            let (bipartite, twoColours) = model.bipartition()
            guard bipartite else { throw .invalid("checkerboard order needs a bipartite coupling graph; this model's has an odd cycle") }
            colours = twoColours.map(Int32.init)
        case .colored:
            colours = model.greedyColouring()
        }
        self.model = model
        self.algorithm = algorithm
        self.order = order
        self.beta = beta
        dense = algorithm.singleSpinRule == nil ? nil : sharing.map(\.dense) ?? model.denseCouplings()
        tableOffset = sharing.map(\.tableOffset) ?? Acceptance.tableOffset(model)
        lazyTies = algorithm == .metropolis && order != .random ? sharing?.lazyTies ?? Acceptance.fieldScale(model) : nil
        setBeta(beta)
        setClamps([Int8](repeating: 0, count: model.spinCount))
    }

    mutating func setBeta(_ beta: Double) {
        self.beta = beta
        if let rule = algorithm.singleSpinRule {
            acceptance = Acceptance(rule: rule, beta: beta, tableOffset: tableOffset, lazyTies: lazyTies)
        } else if algorithm.isCluster {
            bonds = ClusterBonds(beta: beta, model: model)
        }
    }

    /// Visit only the sites whose clamp is 0 (clamps: 0 free, +-1 held there).
    mutating func setClamps(_ clamps: [Int8]) {
        sites = (0..<model.spinCount).filter { clamps[$0] == 0 }
            .sorted { (colours[$0], $0) < (colours[$1], $1) }.map(Int32.init)
    }

    /// One sweep of `chain`; `measuring` selects Wolff's fixed sweep length.
    func sweep(_ chain: inout SpinChain, measuring: Bool) {
        switch algorithm {
        case .metropolis, .heatBath:
            sites.withUnsafeBufferPointer { sites in
                withOptionalBuffer(dense) { chain.sweep(model, acceptance!, order, sites, dense: $0) }
            }
        case .swendsenWang:
            var scratch = chain.scratch
            chain.swendsenWangUpdate(model, bonds!, &scratch)
            chain.scratch = scratch
        case .multispin, .multispinShared:
            break  // Never reached: MonteCarlo sweeps multi-spin replicas as words.
        case .wolff:
            var scratch = chain.scratch
            defer { chain.scratch = scratch }
            if measuring {
                for _ in 0..<chain.clustersPerSweep { wolff(&chain, &scratch) }
            } else {
                var flipped = 0
                while flipped < model.spinCount { flipped += wolff(&chain, &scratch) }
            }
        }
    }

    @inline(__always) @discardableResult
    private func wolff(_ chain: inout SpinChain, _ scratch: inout ClusterScratch) -> Int {
        let size = chain.wolffUpdate(model, bonds!, &scratch)
        chain.clusters += 1
        chain.clusterSpins += size
        return size
    }

    /// Unmeasured sweeps that size Wolff's measured ones when the chain has had fewer
    /// than this many sweeps' worth of clusters (no or little burn-in).
    static let wolffSizingSweeps = 10

    /// Called when a chain's measurements start: fixes Wolff's clusters per sweep,
    /// ceil(N / mean cluster size). The mean must describe the equilibrium, not the
    /// hot start: there clusters are a few spins, and sizing from them made each
    /// measured sweep thousands of clusters of nearly N spins once the chain ordered
    /// (8 chains x 20 sweeps of a 256^2 lattice at beta = 0.6 took 149 s). So a chain
    /// with less history first runs `wolffSizingSweeps` sweeps to relax, and sizes
    /// from `wolffSizingSweeps` more.
    func startMeasuring(_ chain: inout SpinChain) {
        guard algorithm == .wolff else { return }
        let n = model.spinCount, sizing = Self.wolffSizingSweeps
        if chain.clusterSpins < sizing * n {
            for _ in 0..<sizing { sweep(&chain, measuring: false) }
            chain.clusters = 0
            chain.clusterSpins = 0
            for _ in 0..<sizing { sweep(&chain, measuring: false) }
        }
        let mean = Double(chain.clusterSpins) / Double(chain.clusters)
        chain.clustersPerSweep = max(1, Int((Double(n) / mean).rounded(.up)))
    }

    /// Cluster updates leave the energy and fields stale; real couplings drift by
    /// rounding. Either way, `refresh` before a measurement needs it.
    var staleEnergy: Bool { algorithm.isCluster }
}

/// `body` with a buffer of `array`'s elements, or with nil.
func withOptionalBuffer<R>(_ array: [Double]?, _ body: (UnsafeBufferPointer<Double>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}

extension IsingModel {
    /// The couplings as a dense N x N matrix (row-major, zero diagonal) when the model
    /// is dense enough for row updates to beat neighbour lists: at least a quarter of
    /// all pairs coupled, N <= 2048 (32 MB). Nil otherwise.
    func denseCouplings() -> [Double]? {
        let n = spinCount
        guard n >= 16, n <= 2048, 4 * couplingCount >= n * (n - 1) / 2 else { return nil }
        var matrix = [Double](repeating: 0, count: n * n)
        for k in 0..<couplingCount {
            let i = Int(edgeFirst[k]), j = Int(edgeSecond[k])
            matrix[i * n + j] = edgeCoupling[k]
            matrix[j * n + i] = edgeCoupling[k]
        }
        return matrix
    }

    /// A greedy colouring: each site in turn takes the smallest colour none of its
    /// lower-numbered neighbours has. Coupled spins never share a colour.
    func greedyColouring() -> [Int32] {
        var colour = [Int32](repeating: -1, count: spinCount)
        var taken: [Bool] = []
        for i in 0..<spinCount {
            taken.removeAll(keepingCapacity: true)
            for k in rowStart[i]..<rowStart[i + 1] {
                let c = Int(colour[Int(neighbour[k])])
                guard c >= 0 else { continue }
                if c >= taken.count { taken += [Bool](repeating: false, count: c + 1 - taken.count) }
                taken[c] = true
            }
            colour[i] = Int32(taken.firstIndex(of: false) ?? taken.count)
        }
        return colour
    }
}
