/// An Ising model: N spins s_i in {-1, +1} with symmetric pairwise couplings J_ij and
/// fields h_i, and the energy
///
///     E(s) = - sum_{i<j} J_ij s_i s_j - sum_i h_i s_i
///
/// (equal to the seeds' -1/2 s^T J s - h^T s for a symmetric J with zero diagonal).
/// J_ij > 0 is ferromagnetic. Energies are in units where k_B = 1.
///
/// Couplings are stored twice: as a sorted edge list (i < j, one entry per coupled
/// pair, duplicates summed, zeros dropped) and as a symmetric CSR adjacency for the
/// inner loops of enumeration and sampling. Immutable, so shareable across threads.
public struct IsingModel: Sendable {
    /// Number of spins N.
    public let spinCount: Int
    /// Fields h_i, one per spin.
    public let fields: [Double]
    /// The coupled pairs (i < j, sorted) and their couplings J_ij.
    public let edgeFirst: [Int32]
    public let edgeSecond: [Int32]
    public let edgeCoupling: [Double]
    /// CSR adjacency: the neighbours of spin i are neighbour[rowStart[i] ..< rowStart[i + 1]],
    /// with couplings weight[...] (each pair appears in both rows).
    public let rowStart: [Int]
    public let neighbour: [Int32]
    public let weight: [Double]

    /// The lattice the model was built on (chain, square, cubic, Edwards-Anderson),
    /// or nil for any other graph: what axis-resolved observables need.
    public internal(set) var lattice: Lattice? = nil
    /// A planar embedding of the couplings (`withEmbedding`), or nil: what the planar
    /// Pfaffian needs on a graph that is not a square lattice.
    public internal(set) var embedding: PlanarEmbedding? = nil

    /// Number of coupled pairs.
    public var couplingCount: Int { edgeCoupling.count }

    /// A model from an edge list. Pairs may come in either order and more than once:
    /// (i, j, a) and (j, i, b) add up to one coupling a + b, as on a lattice of
    /// width 2 with periodic boundaries. Couplings that sum to zero are dropped.
    /// - Throws: `EngineError` for N out of range, an index outside [0, N), i == j
    ///   (a self-coupling, which is a constant for s_i^2 = 1), a non-finite value,
    ///   or `fields` of the wrong length.
    public init(spinCount n: Int, edges: [(Int, Int, Double)], fields: [Double]? = nil) throws(EngineError) {
        try Self.checkSpinCount(n)
        let h = fields ?? [Double](repeating: 0, count: n)
        guard h.count == n else {
            throw EngineError(.shapeMismatch, "fields has \(h.count) entries but the model has \(n) spins")
        }
        try Check.allFinite(h, "fields")
        guard edges.count <= 2 * Limit.couplings.value else {
            throw EngineError(.limitExceeded, "\(edges.count) couplings is more than the library accepts (\(Limit.couplings.value))")
        }
        var keyed: [(key: Int, coupling: Double)] = []
        keyed.reserveCapacity(edges.count)
        for (k, (i, j, coupling)) in edges.enumerated() {
            guard i >= 0, i < n else { throw .invalid("edge \(k): index i = \(i) is outside [0, \(n))") }
            guard j >= 0, j < n else { throw .invalid("edge \(k): index j = \(j) is outside [0, \(n))") }
            guard i != j else { throw .invalid("edge \(k): self-coupling (\(i), \(i)); s_i^2 = 1 makes it a constant, leave it out") }
            try Check.finite(coupling, "couplings[\(k)]")
            keyed.append((min(i, j) * n + max(i, j), coupling))
        }
        // Already sorted (as lattices and most converters emit them): no sort.
        if !zip(keyed, keyed.dropFirst()).allSatisfy({ $0.key <= $1.key }) { keyed.sort { $0.key < $1.key } }
        var first: [Int32] = [], second: [Int32] = [], values: [Double] = []
        first.reserveCapacity(keyed.count); second.reserveCapacity(keyed.count); values.reserveCapacity(keyed.count)
        var k = 0
        while k < keyed.count {
            let key = keyed[k].key
            var sum = 0.0
            while k < keyed.count, keyed[k].key == key {
                sum += keyed[k].coupling
                k += 1
            }
            if sum != 0 {
                guard sum.isFinite else { throw EngineError(.nonFinite, "couplings of pair (\(key / n), \(key % n)) sum to \(sum)") }
                first.append(Int32(key / n)); second.append(Int32(key % n)); values.append(sum)
            }
        }
        guard values.count <= Limit.couplings.value else {
            throw EngineError(.limitExceeded, "\(values.count) coupled pairs is more than the library accepts (\(Limit.couplings.value))")
        }
        self.init(validated: n, first, second, values, h)
    }

    /// A model from a dense symmetric N x N coupling matrix (row-major) with a zero
    /// diagonal; zero entries are not coupled.
    /// - Throws: `EngineError` if the matrix is not symmetric (exactly), has a
    ///   non-zero diagonal, or holds a non-finite value.
    public init(spinCount n: Int, denseCouplings matrix: [Double], fields: [Double]? = nil) throws(EngineError) {
        try Self.checkSpinCount(n)
        guard matrix.count == n * n else {
            throw EngineError(.shapeMismatch, "couplings has \(matrix.count) entries but an \(n) x \(n) matrix needs \(n * n)")
        }
        try Check.allFinite(matrix, "couplings")
        var edges: [(Int, Int, Double)] = []
        for i in 0..<n {
            guard matrix[i * n + i] == 0 else {
                throw .invalid("couplings[\(i), \(i)] = \(matrix[i * n + i]): the diagonal must be 0 (self-couplings are constants)")
            }
            for j in (i + 1)..<max(i + 1, n) where matrix[i * n + j] != 0 || matrix[j * n + i] != 0 {
                guard matrix[i * n + j] == matrix[j * n + i] else {
                    throw .invalid("couplings is not symmetric: [\(i), \(j)] = \(matrix[i * n + j]) but [\(j), \(i)] = \(matrix[j * n + i])")
                }
                edges.append((i, j, matrix[i * n + j]))
            }
        }
        try self.init(spinCount: n, edges: edges, fields: fields)
    }

    /// The same couplings with new fields.
    public func withFields(_ fields: [Double]) throws(EngineError) -> IsingModel {
        guard fields.count == spinCount else {
            throw EngineError(.shapeMismatch, "fields has \(fields.count) entries but the model has \(spinCount) spins")
        }
        try Check.allFinite(fields, "fields")
        var model = IsingModel(validated: spinCount, edgeFirst, edgeSecond, edgeCoupling, fields)
        model.lattice = lattice
        model.embedding = embedding
        return model
    }

    static func checkSpinCount(_ n: Int) throws(EngineError) {
        guard n > 0 else { throw .invalid("the number of spins must be > 0, got \(n)") }
        guard n <= Limit.spins.value else {
            throw EngineError(.limitExceeded, "\(n) spins is more than the library accepts (\(Limit.spins.text))")
        }
    }

    /// Build the CSR adjacency from a validated, sorted, duplicate-free edge list.
    private init(validated n: Int, _ first: [Int32], _ second: [Int32], _ values: [Double], _ h: [Double]) {
        spinCount = n
        fields = h
        edgeFirst = first
        edgeSecond = second
        edgeCoupling = values
        var degree = [Int](repeating: 0, count: n + 1)
        for k in values.indices {
            degree[Int(first[k]) + 1] += 1
            degree[Int(second[k]) + 1] += 1
        }
        for i in 0..<n { degree[i + 1] += degree[i] }
        var cursor = degree
        var neighbour = [Int32](repeating: 0, count: 2 * values.count)
        var weight = [Double](repeating: 0, count: 2 * values.count)
        // Edges are sorted by (i, j): filling row i with its j > i after the j < i that
        // earlier edges already put there keeps every row sorted.
        for k in values.indices {
            let i = Int(first[k]), j = Int(second[k])
            neighbour[cursor[i]] = Int32(j); weight[cursor[i]] = values[k]; cursor[i] += 1
            neighbour[cursor[j]] = Int32(i); weight[cursor[j]] = values[k]; cursor[j] += 1
        }
        rowStart = degree
        self.neighbour = neighbour
        self.weight = weight
    }
}

// MARK: - Queries

extension IsingModel {
    /// Energy of one configuration (spins as +-1 values).
    @inline(__always)
    func energy(_ s: UnsafePointer<Int8>) -> Double {
        var pairs = 0.0
        for k in edgeCoupling.indices {
            pairs += edgeCoupling[k] * Double(Int(s[Int(edgeFirst[k])]) * Int(s[Int(edgeSecond[k])]))
        }
        var linear = 0.0
        for i in 0..<spinCount { linear += fields[i] * Double(s[i]) }
        return -pairs - linear
    }

    /// Check a batch (states x N): whole rows, every entry -1 or +1 (naming the first that is not).
    func checkBatch(_ spins: UnsafeBufferPointer<Int8>) throws(EngineError) {
        guard spins.count % spinCount == 0 else {
            throw EngineError(.shapeMismatch, "spins has \(spins.count) entries, not a multiple of N = \(spinCount)")
        }
        for (k, v) in spins.enumerated() where v != 1 && v != -1 {
            throw .invalid("spins[\(k / spinCount), \(k % spinCount)] must be -1 or +1, got \(v)")
        }
    }

    /// Energies of a batch of configurations, `spins` row-major (states x N, +-1).
    public func energies(spins: UnsafeBufferPointer<Int8>) throws(EngineError) -> [Double] {
        try checkBatch(spins)
        let states = spins.count / spinCount
        var out = [Double](repeating: 0, count: states)
        guard let base = spins.baseAddress else { return out }
        out.withUnsafeMutableBufferPointer { out in
            let result = SharedPointer(out.baseAddress!)
            let input = SharedPointer(UnsafeMutablePointer(mutating: base))
            let perTask = 1024
            Parallel.forEach((states + perTask - 1) / perTask, parallel: states * (couplingCount + spinCount) > 1 << 18) { task in
                for state in (task * perTask)..<min(states, (task + 1) * perTask) {
                    result[state] = energy(input.base + state * spinCount)
                }
            }
        }
        return out
    }

    /// The local field f_i = sum_j J_ij s_j + h_i, with s_j = spin(j).
    @inline(__always)
    func localField(_ i: Int, _ spin: (Int) -> Double) -> Double {
        var f = fields[i]
        for k in rowStart[i]..<rowStart[i + 1] { f += weight[k] * spin(Int(neighbour[k])) }
        return f
    }

    /// Local fields f_i = sum_j J_ij s_j + h_i of a batch (states x N); flipping spin i
    /// changes the energy by 2 s_i f_i.
    public func localFields(spins: UnsafeBufferPointer<Int8>) throws(EngineError) -> [Double] {
        try checkBatch(spins)
        var out = [Double](repeating: 0, count: spins.count)
        for state in 0..<(spins.count / spinCount) {
            let row = state * spinCount
            for i in 0..<spinCount { out[row + i] = localField(i) { Double(spins[row + $0]) } }
        }
        return out
    }

    /// Whether the coupling graph is bipartite, and a 2-colouring (0/1 per spin) when
    /// it is: spins of one colour have no coupling among themselves, so samplers can
    /// update a whole colour at once.
    public func bipartition() -> (isBipartite: Bool, colours: [Int8]) {
        var colour = [Int8](repeating: -1, count: spinCount)
        var queue: [Int] = []
        queue.reserveCapacity(spinCount)
        for root in 0..<spinCount where colour[root] < 0 {
            colour[root] = 0
            queue.removeAll(keepingCapacity: true)
            queue.append(root)
            var head = 0
            while head < queue.count {
                let i = queue[head]
                head += 1
                for k in rowStart[i]..<rowStart[i + 1] {
                    let j = Int(neighbour[k])
                    if colour[j] < 0 {
                        colour[j] = 1 - colour[i]
                        queue.append(j)
                    } else if colour[j] == colour[i] {
                        return (false, [])
                    }
                }
            }
        }
        return (true, colour)
    }

    /// sum |J_ij| + sum |h_i|: bounds |E| for every configuration.
    public var energyBound: Double {
        edgeCoupling.reduce(0) { $0 + abs($1) } + fields.reduce(0) { $0 + abs($1) }
    }

    /// True when every coupling and field is a whole number (so every energy is one).
    public var hasIntegerParameters: Bool {
        edgeCoupling.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
            && fields.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
    }
}
