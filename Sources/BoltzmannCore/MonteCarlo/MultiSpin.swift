import Glibc

/// Multi-spin coded Metropolis (Jacobs & Rebbi 1981; Zorn, Herrmann & Rebbi 1981):
/// 64 replicas of one model in the 64 bits of a word per site, bit r = replica r
/// (1 = spin up), all 64 updated by a few bitwise operations.
///
/// For regular graphs (every site has z in {4, 6} neighbours: periodic square and
/// cubic lattices) with couplings all of one magnitude |J| (either sign: uniform or
/// +-J glasses) and no field. A bond is unsatisfied when s_i s_j J_ij < 0; flipping a
/// site with k unsatisfied bonds changes the energy by 2|J|(z - 2k), so the flip is
/// certain for 2k > z, has probability 1/2 for 2k = z (a tie: the sweep's order is
/// fixed, see lazy ties in `Acceptance`) and otherwise p^m with p = exp(-4 beta |J|)
/// and m = z/2 - k. At beta = 0 every flip has probability 1/2.
///
/// Every replica gets its own random bits: a lane needing probability q draws a
/// 64-bit uniform u bit by bit (one random word supplies the next bit of all 64
/// lanes) and compares it with q's threshold, stopping once every lane is decided,
/// exactly the test `u < threshold` of the single-spin tables. So the 64 replicas
/// are independent chains, and each is exact.
struct MultiSpinModel: Sendable {
    let spinCount: Int
    let degree: Int
    /// neighbour[i * z + a]: the a-th neighbour of site i.
    let neighbour: [Int32]
    /// negative[i * z + a]: all ones when that bond is antiferromagnetic.
    let negative: [UInt64]
    /// The bonds once each (i < j), for the energy: first, second, negative mask.
    let bondFirst: [Int32]
    let bondSecond: [Int32]
    let bondNegative: [UInt64]
    let coupling: Double
    /// The one sign mask every bond shares (0 ferromagnet, all ones antiferromagnet),
    /// or nil for mixed signs, when each bond's mask is read.
    let commonSign: UInt64?

    /// Throws `.unsupported` unless the model is regular of degree 2, 4 or 6 with
    /// one coupling magnitude and zero fields.
    init(_ model: IsingModel) throws(EngineError) {
        let n = model.spinCount
        let z = model.rowStart[1] - model.rowStart[0]
        guard [4, 6].contains(z), (0..<n).allSatisfy({ model.rowStart[$0 + 1] - model.rowStart[$0] == z }) else {
            throw EngineError(.unsupported, "multi-spin coding needs every site to have 4 or 6 neighbours (a periodic square or cubic lattice with every side >= 3)")
        }
        guard let j = model.weight.first.map(abs), model.weight.allSatisfy({ abs($0) == j }) else {
            throw EngineError(.unsupported, "multi-spin coding needs couplings of one magnitude (uniform or +-J)")
        }
        if let i = model.fields.firstIndex(where: { $0 != 0 }) {
            throw EngineError(.unsupported, "multi-spin coding needs zero fields; h[\(i)] = \(model.fields[i])")
        }
        spinCount = n
        degree = z
        neighbour = model.neighbour
        negative = model.weight.map { $0 < 0 ? UInt64.max : 0 }
        bondFirst = model.edgeFirst
        bondSecond = model.edgeSecond
        bondNegative = model.edgeCoupling.map { $0 < 0 ? UInt64.max : 0 }
        coupling = j
        commonSign = model.weight.allSatisfy { $0 > 0 } ? 0 : model.weight.allSatisfy { $0 < 0 } ? .max : nil
    }

    /// Thresholds of p^m, m = 1 ... z/2, at beta (p = exp(-4 beta |J|)); empty at
    /// beta = 0, where every flip is a coin.
    func thresholds(beta: Double) -> [UInt64] {
        guard beta > 0 else { return [] }
        return (1...(degree / 2)).map { m in Acceptance.threshold(exp(-4 * Double(m) * (beta * coupling))) }
    }
}

/// 64 replicas, one word per site, and their random stream.
struct SpinWords: Sendable {
    var words: [UInt64]
    var random: RandomStream

    /// Hot start: every bit random.
    init(spinCount: Int, random: RandomStream) {
        var random = random
        words = (0..<spinCount).map { _ in random.next() }
        self.random = random
    }

    /// Lanes of site i by how its flip is decided: certainly (2k > z), by a coin
    /// (2k = z), or with probability p^m for m = 1, 2, 3 (m = z/2 - k, k unsatisfied
    /// bonds).
    @inline(__always)
    static func classify(_ s: UnsafeMutableBufferPointer<UInt64>, _ i: Int, _ z: Int, _ nb: UnsafeBufferPointer<Int32>,
                         _ neg: UnsafeBufferPointer<UInt64>, _ common: UInt64?) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        let own = s[i], base = i * z
        // u(a): lanes where bond a is unsatisfied (spins differ on a ferromagnetic
        // bond, agree on an antiferromagnetic one).
        @inline(__always) func u(_ a: Int) -> UInt64 { own ^ s[Int(nb[base + a])] ^ (common ?? neg[base + a]) }
        if z == 4 {
            let a = u(0), b = u(1), c = u(2), d = u(3)
            // k = (s1 + 2 c1) + (s2 + 2 c2), each pair's count in two bits.
            let s1 = a ^ b, c1 = a & b, s2 = c ^ d, c2 = c & d
            let any = a | b | c | d
            let atLeastTwo = c1 | c2 | (s1 & s2)
            let certain = (c1 & (s2 | c2)) | (c2 & s1)          // k >= 3
            return (certain, atLeastTwo & ~certain,             // k == 2
                    any & ~atLeastTwo, ~any, 0)                 // k == 1, k == 0
        }
        let a = u(0), b = u(1), c = u(2), d = u(3), e = u(4), f = u(5)
        // Bit-sliced k = c0 + 2 c1 + 4 c2: two full adders, then their 2-bit sums.
        let sa = a ^ b ^ c, ca = (a & b) | (c & (a ^ b))
        let sb = d ^ e ^ f, cb = (d & e) | (f & (d ^ e))
        let c0 = sa ^ sb, carry = sa & sb
        let c1 = ca ^ cb ^ carry, c2 = (ca & cb) | (carry & (ca ^ cb))
        return (c2, c1 & c0 & ~c2,                              // k >= 4, k == 3
                c1 & ~c0 & ~c2, c0 & ~c1 & ~c2, ~(c0 | c1 | c2)) // k == 2, 1, 0
    }

    /// One sequential sweep of all 64 replicas, each lane with its own uniforms.
    mutating func sweep(_ model: MultiSpinModel, _ thresholds: [UInt64]) {
        guard !thresholds.isEmpty else { return flipCoins() }
        let z = model.degree
        let t1 = thresholds[0], t2 = thresholds[1], t3 = z >= 6 ? thresholds[2] : 0, common = model.commonSign
        words.withUnsafeMutableBufferPointer { s in
            model.neighbour.withUnsafeBufferPointer { nb in
                model.negative.withUnsafeBufferPointer { neg in
                    for i in 0..<s.count {
                        let (certain, tie, m1, m2, m3) = Self.classify(s, i, z, nb, neg, common)
                        // Ties flip where a fresh random bit is 0 (u < 2^63); the rest
                        // compare their threshold with a 64-bit uniform drawn one bit
                        // per random word, most significant first.
                        var undecided = m1 | m2 | m3, accept = certain | (tie == 0 ? 0 : tie & ~random.next())
                        var level = 63
                        while undecided != 0, level >= 0 {
                            let bit = (m1 & (0 &- (t1 >> UInt64(level) & 1))) | (m2 & (0 &- (t2 >> UInt64(level) & 1)))
                                | (m3 & (0 &- (t3 >> UInt64(level) & 1)))
                            let r = random.next()
                            // u-bit 0 under a threshold bit 1: u < t, accept; u-bit 1
                            // over a threshold bit 0: u > t, reject; equal: go on.
                            accept |= undecided & bit & ~r
                            undecided &= ~(bit ^ r)
                            level -= 1
                        }
                        s[i] ^= accept
                    }
                }
            }
        }
    }

    /// One sequential sweep in which the 64 replicas share one uniform per site
    /// (the classic multi-spin coding): each replica is an exact Metropolis chain,
    /// but the replicas are not independent of each other. (Its loop repeats
    /// `sweep`'s: sharing it through a closure halved the speed, 14 -> 6 flips/ns.)
    mutating func sweepSharingUniforms(_ model: MultiSpinModel, _ thresholds: [UInt64]) {
        guard !thresholds.isEmpty else { return flipCoins(shared: true) }
        let z = model.degree
        let t1 = thresholds[0], t2 = thresholds[1], t3 = z >= 6 ? thresholds[2] : 0, common = model.commonSign
        words.withUnsafeMutableBufferPointer { s in
            model.neighbour.withUnsafeBufferPointer { nb in
                model.negative.withUnsafeBufferPointer { neg in
                    // One loop per degree, so that z is a constant inside it.
                    @inline(__always) func sweep(degree: Int) {
                        for i in 0..<s.count {
                            let (certain, tie, m1, m2, m3) = Self.classify(s, i, degree, nb, neg, common)
                            let u = random.next()
                            @inline(__always) func all(_ pass: Bool) -> UInt64 { pass ? .max : 0 }
                            s[i] ^= certain | (tie & all(u < 1 << 63)) | (m1 & all(u < t1)) | (m2 & all(u < t2)) | (m3 & all(u < t3))
                        }
                    }
                    if z == 4 { sweep(degree: 4) } else { sweep(degree: 6) }
                }
            }
        }
    }

    /// The sweep at beta = 0: every spin of every replica flips with probability 1/2
    /// (one coin per site shared by the replicas when `shared`).
    private mutating func flipCoins(shared: Bool = false) {
        for i in words.indices { words[i] ^= shared ? (random.next() >> 63 == 0 ? .max : 0) : random.next() }
    }

    /// Per replica: the energy and magnetisation (E_r, M_r), from bit-sliced counts
    /// of unsatisfied bonds and of up spins.
    func measure(_ model: MultiSpinModel) -> [(energy: Double, magnetization: Int)] {
        var unsatisfied = VerticalCounter(maximum: model.bondFirst.count)
        var up = VerticalCounter(maximum: model.spinCount)
        for k in model.bondFirst.indices {
            unsatisfied.add(words[Int(model.bondFirst[k])] ^ words[Int(model.bondSecond[k])] ^ model.bondNegative[k])
        }
        for w in words { up.add(w) }
        let bonds = Double(model.bondFirst.count), n = model.spinCount
        return (0..<64).map { r in
            (-model.coupling * (bonds - 2 * Double(unsatisfied.count(r))), 2 * up.count(r) - n)
        }
    }

    /// Replica r's spins as +-1.
    func spins(replica r: Int) -> [Int8] {
        words.map { $0 >> UInt64(r) & 1 == 1 ? 1 : -1 }
    }
}

/// 64 counters at once: plane p holds bit p of every lane's count.
struct VerticalCounter {
    var planes: [UInt64]

    init(maximum: Int) {
        planes = [UInt64](repeating: 0, count: Int.bitWidth - maximum.leadingZeroBitCount + 1)
    }

    /// Add 1 to every lane whose bit is set in `word` (a ripple carry that usually
    /// stops after a plane or two).
    @inline(__always)
    mutating func add(_ word: UInt64) {
        var carry = word, p = 0
        while carry != 0 {
            let next = planes[p] & carry
            planes[p] ^= carry
            carry = next
            p += 1
        }
    }

    func count(_ lane: Int) -> Int {
        planes.enumerated().reduce(0) { $0 | Int($1.element >> UInt64(lane) & 1) << $1.offset }
    }
}
