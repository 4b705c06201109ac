import Glibc

/// The dimer graph whose perfect matchings are the high-temperature expansion of a
/// zero-field Ising model on an L x W square lattice (open, or periodic in both
/// directions), with a Kasteleyn orientation.
///
/// The expansion (Kramers-Wannier, van der Waerden):
///
///     Z = 2^N prod_e cosh(beta J_e) sum_{even subgraphs G} prod_{e in G} t_e,   t_e = tanh(beta J_e),
///
/// the sum over bond sets in which every site has even degree. Each site becomes a
/// Fisher "city" of six nodes: four ports (north, east, south, west), each joined by
/// the bond's edge (weight t_e) to the facing port of the neighbouring city, and two
/// inner nodes, one per triangle:
///
///         N
///        / \
///       /   a - E          triangles (N, E, a) and (S, W, b), joined by a - b,
///      W - b   /           every inner edge of weight 1
///       \     /
///         S
///
/// (drawn schematically). For every even set of ports whose bonds are used, the city's
/// remaining nodes have exactly one perfect matching, so perfect matchings of the
/// whole graph are even subgraphs one to one, with weight prod t_e.
///
/// Kasteleyn's theorem: orient the edges so that every face has an odd number of edges
/// pointing clockwise; then the skew matrix K (K_uv = w, K_vu = -w for an edge u -> v)
/// has Pf(K) = +- (sum of the matchings' weights) on a planar graph. On the torus the
/// same holds within each homology class of the matchings, and four Pfaffians (the
/// wrap bonds' signs flipped along none, one or both directions) give Z
/// (Galluccio & Loebl 1999). The orientation is built for any embedded graph by a
/// tree-cotree decomposition: orient a spanning tree and the 2g leftover edges
/// freely, then fix the dual tree's edges from its leaves inward, one face each.
struct FisherLattice: Sendable {
    let rows: Int, columns: Int, periodic: Bool
    /// Nodes per city and their order: ports north, east, south, west, then the inner
    /// nodes a (of the north-east triangle) and b (of the south-west one).
    static let cityNodes = 6
    static let north = 0, east = 1, south = 2, west = 3, innerA = 4, innerB = 5
    /// The inner edges of a city as (from, to) node offsets, before orientation.
    static let innerEdges: [(Int, Int)] = [(north, east), (north, innerA), (east, innerA),
                                           (south, west), (south, innerB), (west, innerB), (innerA, innerB)]

    /// Where the nodes sit around their city's centre, in node order.
    static let position: [(Double, Double)] = [(0, 1), (1, 0), (0, -1), (-1, 0), (0.3, 0.3), (-0.3, -0.3)]

    /// The lattice's bonds: bond 2c of city c = r W + x runs east to city (r, x + 1),
    /// bond 2c + 1 south to city (r + 1, x) (modulo L and W when periodic); a bond
    /// off an open lattice does not exist.
    static func bondExists(_ bond: Int, rows: Int, columns: Int, periodic: Bool) -> Bool {
        let city = bond / 2
        if periodic { return true }
        return bond % 2 == 0 ? city % columns + 1 < columns : city / columns + 1 < rows
    }
    /// The bond's nodes: the east (south) port of its city, the west (north) port of the next.
    static func bondNodes(_ bond: Int, rows: Int, columns: Int) -> (Int, Int) {
        let city = bond / 2, r = city / columns, x = city % columns
        if bond % 2 == 0 { return (city * cityNodes + east, (r * columns + (x + 1) % columns) * cityNodes + west) }
        return (city * cityNodes + south, (((r + 1) % rows) * columns + x) * cityNodes + north)
    }
    /// Whether a bond wraps around (east from the last column, south from the last row).
    func bondWraps(_ bond: Int) -> Bool {
        let city = bond / 2
        return bond % 2 == 0 ? city % columns == columns - 1 : city / columns == rows - 1
    }

    var cityCount: Int { rows * columns }
    var nodeCount: Int { cityCount * Self.cityNodes }

    /// Edges u -> v (the orientation: K_uv = +w) and what weights them: the bond index,
    /// or -1 for an inner edge (weight 1). Edges 7c ..< 7c + 7 are city c's inner edges
    /// in `innerEdges` order; bonds follow in bond order (existing ones only).
    let from: [Int32], to: [Int32], bond: [Int32]
    /// CSR incidence: the edges at node u are incident[incidentStart[u] ..< incidentStart[u + 1]].
    let incidentStart: [Int32], incident: [Int32]

    /// The graph and its orientation.
    /// - Precondition: rows, columns >= 1; >= 3 each when periodic.
    init(rows: Int, columns: Int, periodic: Bool) {
        self.rows = rows
        self.columns = columns
        self.periodic = periodic
        let cities = rows * columns, nodes = cities * Self.cityNodes
        var from: [Int32] = [], to: [Int32] = [], bond: [Int32] = []
        from.reserveCapacity(9 * cities); to.reserveCapacity(9 * cities); bond.reserveCapacity(9 * cities)
        for c in 0..<cities {
            for (a, b) in Self.innerEdges {
                from.append(Int32(c * Self.cityNodes + a)); to.append(Int32(c * Self.cityNodes + b)); bond.append(-1)
            }
        }
        for b in 0..<(2 * cities) where Self.bondExists(b, rows: rows, columns: columns, periodic: periodic) {
            let (u, v) = Self.bondNodes(b, rows: rows, columns: columns)
            from.append(Int32(u)); to.append(Int32(v)); bond.append(Int32(b))
        }
        let (start, incident) = Self.incidence(nodes: nodes, from: from, to: to)
        // The embedding: city r W + x at (3x, -3r), its nodes at `position` from the
        // centre; a bond leaves along its lattice direction, also when it wraps.
        let flip = Self.kasteleynFlips(nodes: nodes, from: from, to: to, incidentStart: start, incident: incident) { e, atFrom in
            let u = Int(atFrom ? from[e] : to[e]), v = Int(atFrom ? to[e] : from[e])
            let (dx, dy): (Double, Double)
            if bond[e] >= 0 {
                (dx, dy) = bond[e] % 2 == 0 ? (1, 0) : (0, -1)
                return atFrom ? atan2(dy, dx) : atan2(-dy, -dx)
            }
            let p = Self.position[u % Self.cityNodes], q = Self.position[v % Self.cityNodes]
            return atan2(q.1 - p.1, q.0 - p.0)
        }
        for e in from.indices where flip[e] { swap(&from[e], &to[e]) }
        self.from = from
        self.to = to
        self.bond = bond
        self.incidentStart = start
        self.incident = incident
    }

    /// The CSR incidence of edges u -> v: the edges at node u are
    /// incident[start[u] ..< start[u + 1]], in edge order.
    static func incidence(nodes: Int, from: [Int32], to: [Int32]) -> (start: [Int32], incident: [Int32]) {
        var start = [Int32](repeating: 0, count: nodes + 1)
        for e in from.indices { start[Int(from[e]) + 1] += 1; start[Int(to[e]) + 1] += 1 }
        for u in 0..<nodes { start[u + 1] += start[u] }
        var fill = start, incident = [Int32](repeating: 0, count: 2 * from.count)
        for e in from.indices {
            incident[Int(fill[Int(from[e])])] = Int32(e); fill[Int(from[e])] += 1
            incident[Int(fill[Int(to[e])])] = Int32(e); fill[Int(to[e])] += 1
        }
        return (start, incident)
    }

    /// Which edges to reverse so that every face has an odd number of edges along its
    /// boundary walk (all faces are walked the same way round, so "along" is
    /// "clockwise" for all of them or for none; either is a Kasteleyn orientation).
    ///
    /// `direction(e, atFrom)` is the direction (an angle) in which edge e leaves its
    /// `from` node (atFrom) or its `to` node: the rotation system.
    static func kasteleynFlips(nodes: Int, from: [Int32], to: [Int32], incidentStart: [Int32], incident: [Int32],
                               direction: (Int, Bool) -> Double) -> [Bool] {
        let edges = from.count
        // Darts: 2e runs from -> to, 2e + 1 back. Around each node, its outgoing darts
        // sorted by angle (counter-clockwise).
        var around = [Int32](repeating: 0, count: 2 * edges)   // outgoing darts of node u, CCW, in incident's slots
        var slot = [Int32](repeating: 0, count: 2 * edges)     // dart -> its index in `around`
        for u in 0..<nodes {
            let lo = Int(incidentStart[u]), hi = Int(incidentStart[u + 1])
            var darts: [(angle: Double, dart: Int)] = []
            for k in lo..<hi {
                let e = Int(incident[k])
                let atFrom = Int(from[e]) == u
                darts.append((direction(e, atFrom), atFrom ? 2 * e : 2 * e + 1))
            }
            darts.sort { $0.angle < $1.angle }
            for (k, d) in darts.enumerated() { around[lo + k] = Int32(d.dart); slot[d.dart] = Int32(lo + k) }
        }
        @inline(__always) func head(_ d: Int) -> Int { Int(d & 1 == 0 ? to[d >> 1] : from[d >> 1]) }
        // The face walk: after dart x -> y, leave y by the dart just clockwise of y -> x.
        @inline(__always) func next(_ d: Int) -> Int {
            let y = head(d), back = d ^ 1
            let lo = Int(incidentStart[y]), hi = Int(incidentStart[y + 1])
            let k = Int(slot[back])
            return Int(around[k == lo ? hi - 1 : k - 1])
        }
        var face = [Int32](repeating: -1, count: 2 * edges)
        var faceStart: [Int32] = [0], faceDarts: [Int32] = []
        faceDarts.reserveCapacity(2 * edges)
        for d0 in 0..<(2 * edges) where face[d0] < 0 {
            let f = Int32(faceStart.count - 1)
            var d = d0
            repeat { face[d] = f; faceDarts.append(Int32(d)); d = next(d) } while d != d0
            faceStart.append(Int32(faceDarts.count))
        }
        let faces = faceStart.count - 1
        // A spanning tree of the graph (breadth first from node 0).
        var inTree = [Bool](repeating: false, count: edges), seen = [Bool](repeating: false, count: nodes)
        var queue = [0]; seen[0] = true
        var head0 = 0
        while head0 < queue.count {
            let u = queue[head0]; head0 += 1
            for k in Int(incidentStart[u])..<Int(incidentStart[u + 1]) {
                let e = Int(incident[k]), v = Int(from[e]) == u ? Int(to[e]) : Int(from[e])
                if !seen[v] { seen[v] = true; inTree[e] = true; queue.append(v) }
            }
        }
        // A spanning tree of the faces through the other edges; its order, root first.
        var parentEdge = [Int32](repeating: -1, count: faces), reached = [Bool](repeating: false, count: faces)
        var order = [0]; reached[0] = true
        head0 = 0
        while head0 < order.count {
            let f = order[head0]; head0 += 1
            for k in Int(faceStart[f])..<Int(faceStart[f + 1]) {
                let d = Int(faceDarts[k]), e = d >> 1
                guard !inTree[e] else { continue }
                let g = Int(face[d ^ 1])
                if !reached[g] { reached[g] = true; parentEdge[g] = Int32(e); order.append(g) }
            }
        }
        // Every edge but the dual tree's keeps its orientation; each face from the
        // leaves in sets its parent edge so its walk has an odd count along it.
        var flip = [Bool](repeating: false, count: edges), decided = [Bool](repeating: true, count: edges)
        for f in order.dropFirst() { decided[Int(parentEdge[f])] = false }
        for f in order.reversed() where parentEdge[f] >= 0 {
            var along = 0
            for k in Int(faceStart[f])..<Int(faceStart[f + 1]) {
                let d = Int(faceDarts[k]), e = d >> 1
                guard decided[e] else { continue }
                if (d & 1 == 0) != flip[e] { along += 1 }
            }
            let e = Int(parentEdge[f])
            // The parent edge's dart on this face's walk:
            var dart = 2 * e
            if face[dart] != Int32(f) { dart += 1 }
            let alongIfKept = dart & 1 == 0
            // Odd total: the parent edge counts along exactly when `along` is even.
            flip[e] = alongIfKept != (along % 2 == 0)
            decided[e] = true
        }
        return flip
    }
}
