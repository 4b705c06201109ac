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
///
/// Real parameters: the uniform u is compared with a bracket on the probability, read
/// from `ProbabilityBrackets` by the bucket of y = 2 beta x (or 2 beta f) that holds
/// it; only a u inside the bracket (a few proposals in a hundred) evaluates exp. The
/// decision is the one exp would have made, bit for bit, with one branch that
/// depends on the data (flip or not) where a chain of tests had several.
struct Acceptance: @unchecked Sendable {  // `brackets` points to immutable, never-freed tables
    let rule: SingleSpinRule
    let beta: Double
    /// Thresholds indexed by s_i f_i + F (Metropolis) or f_i + F (heat bath); empty
    /// for real parameters.
    let table: [UInt64]
    let offset: Int
    /// Lazy ties: |s_i f_i| <= tie is a tie, taken with probability 1/2 (infinite at
    /// beta = 0, where every flip is a tie); -1 for plain Metropolis and the heat bath.
    let tie: Double
    /// The rule's `ProbabilityBrackets` table.
    let brackets: UnsafePointer<ProbabilityBrackets.Bracket>

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
        tie = lazy ? (beta == 0 ? .infinity : fieldScale! * Self.tieWidth) : -1
        brackets = rule == .metropolis ? ProbabilityBrackets.metropolis : ProbabilityBrackets.heatBath
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
    ///
    /// Real parameters: Metropolis flips with probability 1 for y = 2 beta s f <= 0,
    /// e^{-y} for 0 < y < `negligible`, and only on u = 0 beyond it (e^{-y} < 2^-53,
    /// below every other u); the heat bath sets +1 with probability
    /// 1 / (1 + e^{-y}), y = 2 beta f, which rounds to 1 for y >= negligible and
    /// leaves only u = 0 below it for y <= -negligible.
    @inline(__always)
    func update(_ s: Double, _ f: Double, _ random: inout RandomStream) -> Double {
        let bits = random.next()
        switch rule {
        case .metropolis:
            let x = s * f
            // The table covers x <= 0 too (threshold max): no branch to mispredict.
            if !table.isEmpty { return bits < table[Int(x) + offset] ? -s : s }
            return metropolisFlips(x, bits) ? -s : s
        case .heatBath:
            if !table.isEmpty { return bits < table[Int(f) + offset] ? 1 : -1 }
            return heatBathSetsUp(f, bits) ? 1 : -1
        }
    }

    /// Whether the heat bath with real parameters sets a spin with local field f to
    /// +1, given 64 random bits.
    @inline(__always)
    func heatBathSetsUp(_ f: Double, _ bits: UInt64) -> Bool {
        let u = Double(bits >> 11) * 0x1.0p-53
        let perUnit = ProbabilityBrackets.perUnit, negligible = Self.negligible
        let y = 2 * (beta * f)
        let clamped = Swift.min(Swift.max(y, -negligible - 1 / (2 * perUnit)), negligible)
        let bracket = brackets[Int(clamped * perUnit + (negligible * perUnit + 1))]
        if u < bracket.below { return true }
        if u >= bracket.above { return false }
        return u < 1 / (1 + exp(-y))
    }

    /// Whether Metropolis with real parameters flips a spin with x = s_i f_i, given
    /// 64 random bits (u = their top 53 bits / 2^53).
    @inline(__always)
    func metropolisFlips(_ x: Double, _ bits: UInt64) -> Bool {
        let u = Double(bits >> 11) * 0x1.0p-53
        let perUnit = ProbabilityBrackets.perUnit
        // beta * x first: 2 beta may overflow, and inf * 0 is NaN.
        let y = 2 * (beta * x)
        // Selections by masks, not branches: only the outcome depends on the data.
        let clamped = Swift.min(Swift.max(y, -1 / (2 * perUnit)), Self.negligible)
        let tied = 0 &- (abs(x) <= tie ? 1 : 0)
        let bracket = brackets[Int(clamped * perUnit + 1) & ~tied | ProbabilityBrackets.metropolisTie & tied]
        if u < bracket.below { return true }
        if u >= bracket.above { return false }
        return u < exp(-y)
    }

    /// The least single-precision x = s_i f_i whose Metropolis flip is frozen: every
    /// x at or above it has y = 2 beta x >= `negligible` and is no tie, so it flips
    /// only on u = 0 (as `metropolisFlips` decides). Infinite at beta = 0.
    var frozenField: Float {
        guard beta > 0 else { return .infinity }
        var x = Float(Self.negligible / (2 * beta))
        if !x.isFinite { return .infinity }
        x = Swift.max(x, Float(Swift.max(tie, 0)).nextUp)
        while 2 * (beta * Double(x)) < Self.negligible || Double(x) <= tie { x = x.nextUp }
        return x
    }

    /// 53 ln 2 (rounded up): beyond it e^{-y} is below the smallest nonzero uniform.
    static let negligible = 36.75
}

/// Brackets on the acceptance probabilities of real-valued proposals, so that most
/// decisions u < p(y) need no exponential (u a multiple of 2^-53 in [0, 1)).
///
/// Between the ends the y axis is cut into buckets of width 1 / `perUnit` (a power of
/// two, so y perUnit is exact, and a sum's rounding can move y only to the edge of
/// the next bucket). A bucket's bracket is p at its two ends widened outward by 2^-40
/// relative: the computed p is within a few ulps of the monotone true one, so it lies
/// in the bracket for every y of the bucket (and of a neighbour's edge), and u below
/// the bracket, or at or above it, decides as exp would. The end buckets encode the
/// rules' own limits: certain acceptance as below = above = 2, u = 0 only as 2^-54,
/// a tie as 1/2, and the heat bath's y >= negligible as [1 - 2^-50, 2), whose few
/// u inside evaluate p = 1.
enum ProbabilityBrackets {
    struct Bracket {
        /// u below it accepts (Metropolis flips; the heat bath sets +1).
        let below: Double
        /// u at or above it rejects; in between, p is evaluated.
        let above: Double
    }

    /// Buckets per unit of y: 1/32 wide, so about 3% of the proposals that reach a
    /// bracket evaluate exp.
    static let perUnit = 32.0

    /// Metropolis, p(y) = e^{-y}: bucket 0 for y < 0 (accept), 1 + k for y in
    /// [k, k + 1) / perUnit below `negligible`, then y >= negligible (u = 0 only),
    /// then the tie (1/2).
    nonisolated(unsafe) static let metropolis = permanent(
        [Bracket(below: 2, above: 2)] + regular(from: 0) { y in exp(-y) }
            + [Bracket(below: 0x1p-54, above: 0x1p-54), Bracket(below: 0.5, above: 0.5)])

    /// The Metropolis tie's bucket.
    static let metropolisTie = Int(Acceptance.negligible * perUnit) + 2

    /// Heat bath, p(y) = 1 / (1 + e^{-y}): bucket 0 for y < -negligible (u = 0 only),
    /// 1 + k for y in [k, k + 1) / perUnit - negligible, then y >= negligible.
    nonisolated(unsafe) static let heatBath = permanent(
        [Bracket(below: 0x1p-54, above: 0x1p-54)] + regular(from: -Acceptance.negligible) { y in 1 / (1 + exp(-y)) }
            + [Bracket(below: 1 - 0x1p-50, above: 2)])

    /// The buckets from y = start to `negligible`.
    private static func regular(from start: Double, _ p: (Double) -> Double) -> [Bracket] {
        (0..<Int((Acceptance.negligible - start) * perUnit)).map { k in
            let left = p(start + Double(k) / perUnit), right = p(start + Double(k + 1) / perUnit)
            return Bracket(below: min(left, right) * (1 - 0x1p-40), above: max(left, right) * (1 + 0x1p-40))
        }
    }

    /// A table that lives as long as the process (read in inner loops without
    /// reference counting).
    private static func permanent(_ brackets: [Bracket]) -> UnsafePointer<Bracket> {
        let table = UnsafeMutablePointer<Bracket>.allocate(capacity: brackets.count)
        table.initialize(from: brackets, count: brackets.count)
        return UnsafePointer(table)
    }
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
