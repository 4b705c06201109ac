/// A hypercubic lattice's shape: site (x, y, z) of an L x W x D lattice is
/// (x * W + y) * D + z.
public struct Lattice: Sendable, Equatable {
    public let dimensions: [Int]
    public let periodic: Bool

    /// The distance between sites along `axis` is site-index steps of `stride(axis)`.
    public func stride(_ axis: Int) -> Int { dimensions[(axis + 1)...].reduce(1, *) }
}

/// The standard graphs of the Ising literature.
///
/// Lattice sites are numbered row-major: site (x, y, z) of an L x W x D lattice is
/// (x * W + y) * D + z. With periodic boundaries a dimension of length 2 couples each
/// neighbouring pair twice (2J, as on the torus, and as Kaufman's formula counts
/// bonds), and a dimension of length 1 adds no bond (it would be a self-coupling).
extension IsingModel {
    /// Distribution of the random couplings of an Edwards-Anderson spin glass.
    public enum CouplingDistribution: Sendable {
        /// J_ij = +J or -J with probability 1/2 each.
        case bimodal
        /// J_ij ~ Normal(0, J^2).
        case gaussian
    }

    /// A chain of n spins with coupling J between neighbours and uniform field h.
    public static func chain(_ n: Int, coupling: Double, field: Double, periodic: Bool) throws(EngineError) -> IsingModel {
        try lattice([n], periodic: periodic, field: field) { _ throws(EngineError) in coupling }
    }

    /// An L x W square lattice (4 neighbours per site in the bulk).
    public static func square(_ rows: Int, _ columns: Int, coupling: Double, field: Double, periodic: Bool) throws(EngineError) -> IsingModel {
        try lattice([rows, columns], periodic: periodic, field: field) { _ throws(EngineError) in coupling }
    }

    /// An L x W x D simple cubic lattice (6 neighbours per site in the bulk).
    public static func cubic(_ l: Int, _ w: Int, _ d: Int, coupling: Double, field: Double, periodic: Bool) throws(EngineError) -> IsingModel {
        try lattice([l, w, d], periodic: periodic, field: field) { _ throws(EngineError) in coupling }
    }

    /// The complete graph of the Curie-Weiss model: every pair coupled by J / N.
    public static func complete(_ n: Int, coupling: Double, field: Double) throws(EngineError) -> IsingModel {
        try checkSpinCount(n)
        try Check.finite(coupling, "coupling")
        try checkPairCount(n)
        let j = coupling / Double(n)
        var edges: [(Int, Int, Double)] = []
        edges.reserveCapacity(n * (n - 1) / 2)
        for a in 0..<n { for b in (a + 1)..<max(a + 1, n) { edges.append((a, b, j)) } }
        return try IsingModel(spinCount: n, edges: edges, fields: try uniformFields(n, field))
    }

    /// The Sherrington-Kirkpatrick spin glass: every pair coupled by J_ij ~ Normal(0, J^2 / N),
    /// drawn in the order (0,1), (0,2), ..., (1,2), ... from the stream seeded by `seed`.
    public static func sherringtonKirkpatrick(_ n: Int, scale: Double, field: Double, seed: UInt64) throws(EngineError) -> IsingModel {
        try checkSpinCount(n)
        try Check.finite(scale, "scale")
        guard scale > 0 else { throw .invalid("scale must be > 0, got \(scale)") }
        try checkPairCount(n)
        var random = RandomStream(seed: seed)
        let sigma = scale / Double(n).squareRoot()
        var edges: [(Int, Int, Double)] = []
        edges.reserveCapacity(n * (n - 1) / 2)
        for a in 0..<n { for b in (a + 1)..<max(a + 1, n) { edges.append((a, b, sigma * random.normal())) } }
        return try IsingModel(spinCount: n, edges: edges, fields: try uniformFields(n, field))
    }

    /// An Edwards-Anderson spin glass: nearest-neighbour bonds of a lattice with
    /// `dimensions` (2 for square, 3 for cubic) each drawn from `distribution` with
    /// scale J, in the order the bonds are listed.
    public static func edwardsAnderson(
        _ dimensions: [Int], distribution: CouplingDistribution, scale: Double, field: Double, periodic: Bool, seed: UInt64
    ) throws(EngineError) -> IsingModel {
        try Check.finite(scale, "scale")
        guard scale > 0 else { throw .invalid("scale must be > 0, got \(scale)") }
        var random = RandomStream(seed: seed)
        return try lattice(dimensions, periodic: periodic, field: field) { _ throws(EngineError) in
            switch distribution {
            case .bimodal: scale * random.sign()
            case .gaussian: scale * random.normal()
            }
        }
    }

    /// A hypercubic lattice; `bond(k)` gives the k-th bond's coupling.
    static func lattice(
        _ dimensions: [Int], periodic: Bool, field: Double, _ bond: (Int) throws(EngineError) -> Double
    ) throws(EngineError) -> IsingModel {
        var n = 1
        for (axis, length) in dimensions.enumerated() {
            guard length > 0 else { throw .invalid("lattice dimension \(axis) must be > 0, got \(length)") }
            guard length <= Limit.spins.value, n <= Limit.spins.value / length else {
                throw EngineError(.limitExceeded, "a lattice of \(dimensions.map(String.init).joined(separator: " x ")) spins is larger than the library accepts (\(Limit.spins.value))")
            }
            n *= length
        }
        try checkSpinCount(n)
        var strides = [Int](repeating: 1, count: dimensions.count)
        for axis in stride(from: dimensions.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * dimensions[axis + 1] }
        var edges: [(Int, Int, Double)] = []
        edges.reserveCapacity(n * dimensions.count)
        for site in 0..<n {
            for axis in dimensions.indices {
                let length = dimensions[axis], coordinate = (site / strides[axis]) % length
                if coordinate + 1 < length {
                    edges.append((site, site + strides[axis], try bond(edges.count)))
                } else if periodic && length > 1 {
                    edges.append((site, site - coordinate * strides[axis], try bond(edges.count)))
                }
            }
        }
        for k in edges.indices { try Check.finite(edges[k].2, "coupling") }
        var model = try IsingModel(spinCount: n, edges: edges, fields: try uniformFields(n, field))
        model.lattice = Lattice(dimensions: dimensions, periodic: periodic)
        return model
    }

    static func uniformFields(_ n: Int, _ field: Double) throws(EngineError) -> [Double] {
        try Check.finite(field, "field")
        return [Double](repeating: field, count: n)
    }

    static func checkPairCount(_ n: Int) throws(EngineError) {
        guard n * (n - 1) / 2 <= Limit.couplings.value else {
            throw EngineError(.limitExceeded, "a complete graph on \(n) spins has \(n * (n - 1) / 2) couplings, more than the library accepts (\(Limit.couplings.value))")
        }
    }
}
