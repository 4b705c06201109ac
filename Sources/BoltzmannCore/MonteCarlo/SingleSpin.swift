import Glibc

/// How a single spin is redrawn given its local field f_i = sum_j J_ij s_j + h_i.
public enum SingleSpinRule: Int, Sendable, CaseIterable {
    /// Flip with probability min(1, e^{-beta dE}), dE = 2 s_i f_i.
    case metropolis = 0
    /// Set s_i = +1 with probability 1 / (1 + e^{-2 beta f_i}) (Glauber / Gibbs).
    case heatBath = 1
}

/// The order in which a sweep visits the spins (the free ones, when some are clamped).
public enum SweepOrder: Sendable, CaseIterable {
    /// 0, 1, ..., N-1.
    case sequential
    /// N sites drawn uniformly with replacement.
    case random
    /// One colour class of a bipartite graph, then the other (bipartite models only).
    case checkerboard
    /// The classes of a greedy graph colouring in turn (any model): no two coupled
    /// spins share a colour, so each class could be updated at once, as a p-bit
    /// machine does.
    case colored
}

/// Acceptance for one rule at one beta. For whole-number couplings and fields the
/// local field is an integer in [-F, F] (F = max_i sum_j |J_ij| + |h_i|), so every
/// probability is tabulated once, as a 64-bit threshold compared with raw random
/// bits: exact to 2^-64 and free of exponentials. Real parameters evaluate exp.
///
/// Lazy ties (fixed-order Metropolis). Visiting sites in a fixed order, Metropolis
/// takes every flip with dE <= 0 for certain, so a chain can enter a cycle of states
/// of equal energy that it never leaves (on a 4 x 4 torus at beta = 0.7, a state
/// whose every spin has two agreeing neighbours flips all spins each sweep, forever;
/// on a ring, domain walls ride the sweep). So a flip with dE = 0 is taken with
/// probability 1/2, the acceptance a(dE) = 1/2 at 0, min(1, e^{-beta dE}) elsewhere:
/// still a(dE) = e^{-beta dE} a(-dE), so each update keeps the Boltzmann
/// distribution, and now no sweep is deterministic. At beta = 0 every flip has
/// probability 1/2 (the heat bath's), since min(1, e^0) = 1 would make the sweep
/// deterministic again. Real fields drift by rounding, so |dE| <= 2 `tie` counts as
/// dE = 0 (tie = 2^-30 F: a Boltzmann-factor error below 1e-9 beta F). Random order
/// needs none of this and stays pure Metropolis.
struct Acceptance {
    let rule: SingleSpinRule
    let beta: Double
    /// Thresholds indexed by s_i f_i + F (Metropolis) or f_i + F (heat bath); empty
    /// for real parameters.
    let table: [UInt64]
    let offset: Int
    /// Lazy ties: |s_i f_i| <= tie is a tie, taken with probability 1/2; nil for
    /// plain Metropolis (and for the heat bath, whose ties are 1/2 anyway).
    let tie: Double?

    /// Tables only for integer fields up to this size (2^16 entries).
    static let maxTableOffset = 1 << 15

    /// The relative width of a tie for real parameters (see lazy ties).
    static let tieWidth = 0x1p-30

    /// F = max_i sum_j |J_ij| + |h_i|: the largest local field a spin can see.
    static func fieldScale(_ model: IsingModel) -> Double {
        var largest = 0.0
        for i in 0..<model.spinCount {
            var sum = abs(model.fields[i])
            for k in model.rowStart[i]..<model.rowStart[i + 1] { sum += abs(model.weight[k]) }
            largest = max(largest, sum)
        }
        return largest
    }

    /// F for whole-number parameters with F <= 2^15, else nil (no table). A model
    /// scan: compute it once for many betas.
    static func tableOffset(_ model: IsingModel) -> Int? {
        guard model.hasIntegerParameters else { return nil }
        let largest = fieldScale(model)
        return largest <= Double(maxTableOffset) ? Int(largest) : nil
    }

    /// `lazyTies`: the model's field scale F when sweeping Metropolis in a fixed
    /// order (ties then count 1/2), nil otherwise.
    init(rule: SingleSpinRule, beta: Double, tableOffset: Int?, lazyTies fieldScale: Double? = nil) {
        self.rule = rule
        self.beta = beta
        let lazy = rule == .metropolis && fieldScale != nil
        tie = lazy ? fieldScale! * Self.tieWidth : nil
        guard let f = tableOffset else {
            table = []
            offset = 0
            return
        }
        offset = f
        table = (-f...f).map { x in
            let p: Double
            switch rule {
            case .metropolis where lazy && (x == 0 || beta == 0): p = 0.5
            case .metropolis: p = min(1, exp(-2 * (beta * Double(x))))
            case .heatBath: p = 1 / (1 + exp(-2 * (beta * Double(x))))
            }
            return Self.threshold(p)
        }
    }

    /// u < p for u uniform on 64 bits, as `bits < threshold` (p = 1 always passes).
    static func threshold(_ p: Double) -> UInt64 {
        guard p > 0 else { return 0 }
        return p >= 1 ? .max : UInt64(p * 0x1p64)
    }

    /// The new value of spin s (+-1) with local field f, drawing from `random`.
    @inline(__always)
    func update(_ s: Double, _ f: Double, _ random: inout RandomStream) -> Double {
        let bits = random.next()
        switch rule {
        case .metropolis:
            let x = s * f
            // The table covers x <= 0 too (threshold max): no branch to mispredict.
            if !table.isEmpty { return bits < table[Int(x) + offset] ? -s : s }
            if let tie, abs(x) <= tie || beta == 0 { return bits >> 63 == 0 ? -s : s }
            if x <= 0 { return -s }
            // beta * x first: 2 beta may overflow, and inf * 0 is NaN.
            let y = 2 * (beta * x)
            // exp(-y) <= 2^-53 for y >= 53 ln 2: then only u = 0 is below it, and
            // testing that spares the exponential.
            if y >= Self.negligible { return bits >> 11 == 0 ? -s : s }
            return Double(bits >> 11) * 0x1.0p-53 < exp(-y) ? -s : s
        case .heatBath:
            if !table.isEmpty { return bits < table[Int(f) + offset] ? 1 : -1 }
            let y = 2 * (beta * f)
            if y <= -Self.negligible { return bits >> 11 == 0 ? 1 : -1 }
            if y >= Self.negligible { return 1 }  // p rounds to 1 > every u
            return Double(bits >> 11) * 0x1.0p-53 < 1 / (1 + exp(-y)) ? 1 : -1
        }
    }

    /// 53 ln 2 (rounded up): beyond it e^{-y} is below the smallest nonzero uniform.
    static let negligible = 36.75
}

/// One Markov chain of single-spin updates: spins, cached local fields, energy and
/// magnetisation, and its own random stream.
struct SpinChain {
    var spins: [Double]
    var local: [Double]
    var energy = 0.0
    var magnetization = 0
    var random: RandomStream
    /// Wolff's bookkeeping: clusters flipped so far, the spins they held, and the
    /// clusters per measured sweep (fixed at the start of each measurement phase).
    var clusters = 0
    var clusterSpins = 0
    var clustersPerSweep = 0
    var scratch = ClusterScratch()

    /// A chain restored as it was saved (see `SamplerState`).
    init(spins: [Double], local: [Double], random: RandomStream) {
        self.spins = spins
        self.local = local
        self.random = random
    }

    /// A hot start: every spin +-1 with probability 1/2.
    init(model: IsingModel, random: RandomStream) {
        var random = random
        spins = (0..<model.spinCount).map { _ in random.sign() }
        self.random = random
        local = [Double](repeating: 0, count: model.spinCount)
        refresh(model)
    }

    /// Recompute the local fields, energy and magnetisation from the spins (clears
    /// the rounding drift of the incremental updates).
    mutating func refresh(_ model: IsingModel) {
        var e = 0.0, m = 0
        for i in 0..<model.spinCount {
            let f = model.localField(i) { spins[$0] }
            local[i] = f
            // E = -1/2 sum_i s_i (f_i + h_i): each pair appears twice in s.f.
            e -= 0.5 * spins[i] * (f + model.fields[i])
            m += spins[i] > 0 ? 1 : -1
        }
        energy = e
        magnetization = m
    }

    /// One sweep: one update per entry of `sites` in turn, or (random order) as many
    /// updates of sites drawn uniformly from `sites`.
    mutating func sweep(_ model: IsingModel, _ acceptance: Acceptance, _ order: SweepOrder, _ sites: UnsafeBufferPointer<Int32>,
                        dense: UnsafeBufferPointer<Double>? = nil) {
        let n = model.spinCount
        spins.withUnsafeMutableBufferPointer { s in
            local.withUnsafeMutableBufferPointer { f in
                model.rowStart.withUnsafeBufferPointer { rowStart in
                    model.neighbour.withUnsafeBufferPointer { neighbour in
                        model.weight.withUnsafeBufferPointer { weight in
                            @inline(__always) func visit(_ i: Int) {
                                let old = s[i]
                                let new = acceptance.update(old, f[i], &random)
                                guard new != old else { return }
                                s[i] = new
                                energy += 2 * old * f[i]
                                magnetization += new > 0 ? 2 : -2
                                let change = 2 * new
                                if let dense {
                                    // Row i of the dense couplings: a contiguous loop the
                                    // compiler vectorises (J_ii = 0 leaves f_i as it is).
                                    let row = dense.baseAddress! + i * n
                                    for j in 0..<n { f[j] += change * row[j] }
                                } else {
                                    for k in rowStart[i]..<rowStart[i + 1] { f[Int(neighbour[k])] += change * weight[k] }
                                }
                            }
                            if order == .random {
                                let count = UInt64(sites.count)
                                for _ in 0..<sites.count { visit(Int(sites[Int(random.next().multipliedFullWidth(by: count).high)])) }
                            } else {
                                for i in sites { visit(Int(i)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
