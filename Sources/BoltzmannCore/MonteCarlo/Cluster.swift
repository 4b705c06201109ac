import Glibc

/// Bond-activation probabilities of the Fortuin-Kasteleyn cluster updates at one beta:
/// a bond between parallel spins i, j joins the cluster with probability
/// p_ij = 1 - exp(-2 beta J_ij) (Swendsen & Wang 1987; Wolff 1989). Valid only for a
/// ferromagnet without field (every J_ij >= 0, every h_i = 0), which `check` enforces.
///
/// Probabilities are stored as 64-bit thresholds compared with raw random bits, one
/// per CSR entry (Wolff walks neighbours) and one per edge (Swendsen-Wang walks bonds).
struct ClusterBonds {
    let neighbourThreshold: [UInt64]
    let edgeThreshold: [UInt64]

    init(beta: Double, model: IsingModel) {
        // -expm1(-2 beta J) = 1 - exp(-2 beta J), accurate for small beta J; beta * J
        // first, since 2 beta may overflow while beta J does not.
        let threshold = { (j: Double) in Acceptance.threshold(-expm1(-2 * (beta * j))) }
        neighbourThreshold = model.weight.map(threshold)
        edgeThreshold = model.edgeCoupling.map(threshold)
    }

    /// Throws `.unsupported` unless the model is a ferromagnet without field.
    static func check(_ model: IsingModel, _ name: String) throws(EngineError) {
        if let k = model.edgeCoupling.firstIndex(where: { $0 < 0 }) {
            throw EngineError(.unsupported, "\(name) needs a ferromagnet (every J_ij >= 0); coupling (\(model.edgeFirst[k]), \(model.edgeSecond[k])) is \(model.edgeCoupling[k])")
        }
        if let i = model.fields.firstIndex(where: { $0 != 0 }) {
            throw EngineError(.unsupported, "\(name) needs zero fields; h[\(i)] = \(model.fields[i])")
        }
    }
}

/// Scratch space of the cluster updates, allocated once per chain.
struct ClusterScratch {
    /// Wolff's stack of sites whose neighbours are still to be tried.
    var stack: [Int32] = []
    /// Swendsen-Wang's union-find forest and the flip decided for each root.
    var parent: [Int32] = []
    var flip: [Bool] = []
}

extension SpinChain {
    /// One Wolff update: grow a cluster from a random site through bonds to parallel
    /// neighbours, each taken with probability p_ij, and flip it. Spins are flipped as
    /// they join, so a flipped spin is never added twice. Returns the cluster size.
    /// Leaves `energy` and `local` stale (call `refresh` before reading them); keeps
    /// `magnetization` exact.
    mutating func wolffUpdate(_ model: IsingModel, _ bonds: ClusterBonds, _ scratch: inout ClusterScratch) -> Int {
        let n = model.spinCount
        let seed = Int(random.next().multipliedFullWidth(by: UInt64(n)).high)
        var size = 1
        spins.withUnsafeMutableBufferPointer { s in
            let old = s[seed]
            s[seed] = -old
            scratch.stack.removeAll(keepingCapacity: true)
            scratch.stack.append(Int32(seed))
            model.rowStart.withUnsafeBufferPointer { rowStart in
                model.neighbour.withUnsafeBufferPointer { neighbour in
                    bonds.neighbourThreshold.withUnsafeBufferPointer { threshold in
                        while let site = scratch.stack.popLast() {
                            let i = Int(site)
                            for k in rowStart[i]..<rowStart[i + 1] {
                                let j = Int(neighbour[k])
                                if s[j] == old, random.next() < threshold[k] {
                                    s[j] = -old
                                    size += 1
                                    scratch.stack.append(Int32(j))
                                }
                            }
                        }
                    }
                }
            }
            magnetization -= 2 * size * (old > 0 ? 1 : -1)
        }
        return size
    }

    /// One Swendsen-Wang update: activate each bond between parallel spins with
    /// probability p_ij, find the clusters (union-find with path halving), and flip each
    /// cluster with probability 1/2, the coin drawn at its root in site order. Leaves
    /// `energy` and `local` stale; keeps `magnetization` exact.
    mutating func swendsenWangUpdate(_ model: IsingModel, _ bonds: ClusterBonds, _ scratch: inout ClusterScratch) {
        let n = model.spinCount
        if scratch.parent.count != n {
            scratch.parent = [Int32](repeating: 0, count: n)
            scratch.flip = [Bool](repeating: false, count: n)
        }
        var m = 0
        spins.withUnsafeMutableBufferPointer { s in
            scratch.parent.withUnsafeMutableBufferPointer { parent in
                scratch.flip.withUnsafeMutableBufferPointer { flip in
                    for i in 0..<n { parent[i] = Int32(i) }
                    @inline(__always) func root(_ i: Int) -> Int {
                        var i = i
                        while Int(parent[i]) != i {
                            parent[i] = parent[Int(parent[i])]
                            i = Int(parent[i])
                        }
                        return i
                    }
                    for k in 0..<model.edgeCoupling.count {
                        let i = Int(model.edgeFirst[k]), j = Int(model.edgeSecond[k])
                        guard s[i] == s[j], random.next() < bonds.edgeThreshold[k] else { continue }
                        let a = root(i), b = root(j)
                        if a != b { parent[max(a, b)] = Int32(min(a, b)) }
                    }
                    // Roots are the smallest sites of their clusters, so every root is
                    // met (and its coin drawn) before any other member.
                    for i in 0..<n {
                        let r = root(i)
                        if r == i { flip[i] = random.next() >> 63 != 0 }
                        if flip[r] { s[i] = -s[i] }
                        m += s[i] > 0 ? 1 : -1
                    }
                }
            }
        }
        magnetization = m
    }
}
