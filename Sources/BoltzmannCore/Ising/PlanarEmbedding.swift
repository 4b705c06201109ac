/// A planar embedding of a model's coupling graph, given as a rotation system: for every
/// spin, its coupled neighbours in the cyclic order they sit around it in a drawing
/// without crossings (all counter-clockwise or all clockwise; a mirror image is
/// planar too).
///
/// Darts: coupling e has dart 2e from `edgeFirst[e]` to `edgeSecond[e]` and dart
/// 2e + 1 back. The faces are the orbits of
///
///     next(d) = the dart after reverse(d) around head(d),
///
/// and a rotation system is planar exactly when every connected component with V
/// spins, E couplings and F faces has V - E + F = 2 (Euler; otherwise it embeds the
/// graph on a surface of genus (2 - V + E - F) / 2, where Z is no single Pfaffian).
public struct PlanarEmbedding: Sendable, Equatable {
    /// The couplings at spin i in rotation order: rotation[rowStart[i] ..< rowStart[i + 1]]
    /// (the model's CSR rows), as coupling indices.
    public let rotation: [Int32]
    /// The faces' boundary walks: face f's darts are faceDarts[faceStart[f] ..< faceStart[f + 1]].
    let faceStart: [Int32], faceDarts: [Int32]
    /// The face on each dart's walk (the face to one side of its coupling).
    let faceOfDart: [Int32]
    /// The connected component of each spin (0-based, in order of first spin), and how many.
    let component: [Int32]
    let componentCount: Int

    var faceCount: Int { faceStart.count - 1 }

    /// The embedding of `model`'s couplings given by neighbour lists in CSR form: the
    /// neighbours of spin i in cyclic order are neighbours[start[i] ..< start[i + 1]].
    /// Pairs without a coupling (J = 0, which the model drops) may be listed and are
    /// left out, keeping the order of the rest; every coupled pair must be listed,
    /// from both ends.
    /// - Throws: SHAPE_MISMATCH (start's length), INVALID_ARGUMENT (start not
    ///   non-decreasing from 0 to the neighbours' count, an index out of range, a
    ///   spin listed as its own neighbour or twice around one spin, a pair listed from
    ///   one end only, a coupled pair not listed, or a rotation system that is not
    ///   planar, with its genus).
    init(_ model: IsingModel, start: [Int], neighbours: [Int]) throws(EngineError) {
        let n = model.spinCount
        guard start.count == n + 1 else {
            throw EngineError(.shapeMismatch, "neighbour_start has \(start.count) entries but the model has \(n) spins (needs N + 1)")
        }
        guard start[0] == 0, start[n] == neighbours.count else {
            throw .invalid("neighbour_start must run from 0 to the number of neighbour entries (\(neighbours.count)), got \(start[0]) to \(start[n])")
        }
        for i in 0..<n where start[i + 1] < start[i] {
            throw .invalid("neighbour_start must not decrease: [\(i)] = \(start[i]) > [\(i + 1)] = \(start[i + 1])")
        }
        // Every listed pair once per end: the listed (i, j) must come back as (j, i).
        var lastSeen = [Int](repeating: -1, count: n)
        var keys: [Int] = []
        keys.reserveCapacity(neighbours.count)
        for i in 0..<n {
            for k in start[i]..<start[i + 1] {
                let j = neighbours[k]
                guard j >= 0, j < n else { throw .invalid("neighbours[\(k)] = \(j) (around spin \(i)) is outside [0, \(n))") }
                guard j != i else { throw .invalid("neighbours[\(k)]: spin \(i) is listed as its own neighbour") }
                guard lastSeen[j] != i else { throw .invalid("neighbours: spin \(j) is listed twice around spin \(i)") }
                lastSeen[j] = i
                keys.append(i < j ? 2 * (i * n + j) : 2 * (j * n + i) + 1)
            }
        }
        keys.sort()
        var k = 0
        while k < keys.count {
            let key = keys[k]
            guard key & 1 == 0, k + 1 < keys.count, keys[k + 1] == key + 1 else {
                let pair = key >> 1, (i, j) = (pair / n, pair % n)
                throw .invalid("neighbours: the pair (\(i), \(j)) is listed around spin \(key & 1 == 0 ? i : j) but not around spin \(key & 1 == 0 ? j : i)")
            }
            k += 2
        }
        // The coupled neighbours in the given order, as coupling indices.
        let key = zip(model.edgeFirst, model.edgeSecond).map { Int($0) * n + Int($1) }
        func coupling(_ i: Int, _ j: Int) -> Int? {
            let target = min(i, j) * n + max(i, j)
            var (lo, hi) = (0, key.count)
            while lo < hi { let mid = (lo + hi) / 2; if key[mid] < target { lo = mid + 1 } else { hi = mid } }
            return lo < key.count && key[lo] == target ? lo : nil
        }
        var rotation = [Int32](repeating: 0, count: 2 * model.couplingCount)
        for i in 0..<n {
            var filled = model.rowStart[i]
            for k in start[i]..<start[i + 1] {
                guard let e = coupling(i, neighbours[k]) else { continue }
                rotation[filled] = Int32(e)
                filled += 1
            }
            guard filled == model.rowStart[i + 1] else {
                let listed = Set(neighbours[start[i]..<start[i + 1]])
                let missing = model.neighbour[model.rowStart[i]..<model.rowStart[i + 1]].first { !listed.contains(Int($0)) }!
                throw .invalid("neighbours: the coupled pair (\(min(i, Int(missing))), \(max(i, Int(missing)))) is not listed around spin \(i)")
            }
        }
        try self.init(model, rotation: rotation)
    }

    /// The embedding with this rotation (coupling indices in the model's CSR rows),
    /// its faces traced and its planarity checked.
    init(_ model: IsingModel, rotation: [Int32]) throws(EngineError) {
        self.rotation = rotation
        let n = model.spinCount, darts = 2 * model.couplingCount
        // Where each dart sits in its tail's rotation.
        var slot = [Int32](repeating: 0, count: darts)
        for i in 0..<n {
            for k in model.rowStart[i]..<model.rowStart[i + 1] {
                let e = Int(rotation[k])
                slot[Int(model.edgeFirst[e]) == i ? 2 * e : 2 * e + 1] = Int32(k)
            }
        }
        func tail(_ d: Int) -> Int { Int(d & 1 == 0 ? model.edgeFirst[d >> 1] : model.edgeSecond[d >> 1]) }
        func next(_ d: Int) -> Int {
            let back = d ^ 1, v = tail(back)
            var k = Int(slot[back]) + 1
            if k == model.rowStart[v + 1] { k = model.rowStart[v] }
            let e = Int(rotation[k])
            return Int(model.edgeFirst[e]) == v ? 2 * e : 2 * e + 1
        }
        var faceOfDart = [Int32](repeating: -1, count: darts)
        var faceStart: [Int32] = [0], faceDarts: [Int32] = []
        faceDarts.reserveCapacity(darts)
        for d0 in 0..<darts where faceOfDart[d0] < 0 {
            let f = Int32(faceStart.count - 1)
            var d = d0
            repeat { faceOfDart[d] = f; faceDarts.append(Int32(d)); d = next(d) } while d != d0
            faceStart.append(Int32(faceDarts.count))
        }
        // Components, and Euler's formula on each.
        var component = [Int32](repeating: -1, count: n)
        var count = 0
        for s in 0..<n where component[s] < 0 {
            component[s] = Int32(count)
            var stack = [s]
            while let i = stack.popLast() {
                for k in model.rowStart[i]..<model.rowStart[i + 1] where component[Int(model.neighbour[k])] < 0 {
                    component[Int(model.neighbour[k])] = Int32(count)
                    stack.append(Int(model.neighbour[k]))
                }
            }
            count += 1
        }
        var euler = [Int](repeating: 0, count: count)  // V - E + F per component
        for i in 0..<n { euler[Int(component[i])] += 1 }
        for e in 0..<model.couplingCount { euler[Int(component[Int(model.edgeFirst[e])])] -= 1 }
        for f in 0..<(faceStart.count - 1) { euler[Int(component[tail(Int(faceDarts[Int(faceStart[f])]))])] += 1 }
        for i in 0..<n where model.rowStart[i] == model.rowStart[i + 1] { euler[Int(component[i])] += 1 }  // a lone spin's one face
        for (c, chi) in euler.enumerated() where chi != 2 {
            let first = component.firstIndex(of: Int32(c))!
            throw .invalid("the rotation system is not planar: the component of spin \(first) is embedded with genus \((2 - chi) / 2) (V - E + F = \(chi), not 2); list each spin's neighbours in the cyclic order of a drawing without crossings")
        }
        self.faceStart = faceStart
        self.faceDarts = faceDarts
        self.faceOfDart = faceOfDart
        self.component = component
        self.componentCount = count
    }
}

extension IsingModel {
    /// The same model with a planar embedding of its couplings (see `PlanarEmbedding`):
    /// what the planar Pfaffian needs on a graph other than the square lattice.
    /// - Throws: as `PlanarEmbedding.init(_:start:neighbours:)`.
    public func withEmbedding(neighbourStart: [Int], neighbours: [Int]) throws(EngineError) -> IsingModel {
        var model = self
        model.embedding = try PlanarEmbedding(self, start: neighbourStart, neighbours: neighbours)
        return model
    }
}
