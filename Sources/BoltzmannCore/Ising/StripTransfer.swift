import Glibc

/// Exact thermodynamics of Ising models whose couplings are short in the spin order,
/// by a transfer matrix over the frontier (Baxter's row-to-row matrix applied one spin
/// at a time, as in Bhanot's and Binder's strip calculations).
///
/// An L x W strip numbered row by row couples no two spins more than W apart (W - 1
/// for a periodic row, W down a column): its bandwidth is B = W. With spins visited
/// in order, the sum over configurations needs only the last B spins' states: adding
/// spin k and summing out spin k - B (which no later spin touches) is one 2 x 2 step
/// on each pair of frontier states that differ in their shared bit, k mod B. So
///
///     z_k(x with bit p = s) = sum_t z_{k-1}(x with bit p = t) e^{beta s (f_k(x) + J_{k,k-B} t)}
///
/// with f_k(x) = h_k + sum_{k-B < j < k} J_kj s_j(x), Z = sum_x z_{N-1}(x): O(N 2^B)
/// operations on 2^B numbers. The factor e^{beta s f_k(x)} is the product of two
/// table entries, one per half of the frontier's bits, so a step costs no
/// exponential per state.
///
/// Couplings longer than B that start among the first K spins (a strip periodic along
/// its length: row L - 1 to row 0) are handled by conditioning: each of the 2^K
/// configurations of those spins is one run with them fixed, their long couplings
/// turned into fields, and the runs are added. `plan` chooses B and K to minimise
/// K + B (the log2 of the work per spin).
///
/// Numerics: each step scales every entry so the largest is 1 (the scales summed as
/// logarithms), and every factor is written e^{beta (s f - A)} <= 1 with A the largest
/// |f|, so nothing overflows at any beta. U and C come from the exact first and second
/// beta-derivatives of the same recursion (moments of the energy carried alongside z),
/// and <M>, <M^2> likewise: no finite differences.
public enum StripTransfer {
    /// The default cap on B + K, the log2 of the states each step visits (2^24:
    /// seconds per beta for a few hundred spins, 128 MiB per frontier).
    public static let defaultMaxBits = 24
    /// The largest cap a caller may set (2^30 states: 8 GiB per frontier).
    public static let maxBits = 30

    /// How a model is summed: the frontier's width B (>= 1) and the K leading spins
    /// conditioned on.
    public struct Plan: Sendable, Equatable {
        public let frontier: Int
        public let conditioned: Int
        /// log2 of the states visited per spin and condition: B + K.
        public var bits: Int { frontier + conditioned }
    }

    /// The cheapest plan: for each candidate B (a coupling's span j - i), K is one
    /// past the largest i of the couplings longer than B; the least B + K wins (the
    /// smaller K on a tie).
    public static func plan(_ model: IsingModel) -> Plan {
        let spans = zip(model.edgeFirst, model.edgeSecond).map { (span: Int($1 - $0), first: Int($0)) }
            .sorted { $0.span > $1.span }
        guard let widest = spans.first?.span else { return Plan(frontier: 1, conditioned: 0) }
        var best = Plan(frontier: widest, conditioned: 0)
        var conditioned = 0, k = 0
        // Candidate B below each distinct span: every coupling of that span or more is long.
        while k < spans.count {
            let span = spans[k].span
            while k < spans.count, spans[k].span == span {
                conditioned = max(conditioned, spans[k].first + 1)
                k += 1
            }
            let frontier = max(1, k < spans.count ? spans[k].span : 0)
            let plan = Plan(frontier: frontier, conditioned: conditioned)
            if plan.bits < best.bits || (plan.bits == best.bits && plan.conditioned < best.conditioned) { best = plan }
        }
        return best
    }

    /// `plan(model)`, refused when it needs more than `maxBits` bits (0: `defaultMaxBits`).
    /// - Throws: INVALID_ARGUMENT for a cap outside [1, `maxBits`]; LIMIT_EXCEEDED
    ///   naming B and K.
    static func checkedPlan(_ model: IsingModel, maxBits: Int) throws(EngineError) -> Plan {
        let cap = maxBits == 0 ? defaultMaxBits : maxBits
        guard cap >= 1, cap <= Self.maxBits else { throw .invalid("max_bits must be in [1, \(Self.maxBits)] (0: \(defaultMaxBits)), got \(maxBits)") }
        let plan = plan(model)
        guard plan.bits <= cap else {
            throw EngineError(.limitExceeded, "the transfer matrix of this model needs a frontier of \(plan.frontier) spins"
                + (plan.conditioned > 0 ? " and \(plan.conditioned) conditioned spins" : "")
                + " (2^\(plan.bits) states per spin), above the cap of 2^\(cap); number the spins so that coupled ones are close (a strip row by row, across its narrow side)")
        }
        return plan
    }

    /// log Z, F, U, S, C and <m>, <m^2> at every beta; <|m|> is NaN (|M| is not a
    /// sum over spins, so the recursion cannot carry it). With `moments` false only
    /// log Z and F are computed (U, S, C and the magnetisations are NaN), at a fifth of
    /// the memory and time.
    /// - Throws: INVALID_ARGUMENT for an empty or non-finite `betas` or a cap outside
    ///   [1, `maxBits`]; LIMIT_EXCEEDED when the plan needs more than `maxBits` (0:
    ///   `defaultMaxBits`) bits, naming B and K; OUT_OF_MEMORY; CANCELLED.
    public static func thermodynamics(
        _ model: IsingModel, betas: [Double], maxBits: Int = 0, moments: Bool = true, monitor: WorkMonitor = .none()
    ) throws(EngineError) -> IsingEnumeration.Thermodynamics {
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let plan = try checkedPlan(model, maxBits: maxBits)
        let conditions = 1 << plan.conditioned
        let runners = min(conditions, Parallel.maxThreads)
        try Memory.reserve(runners << plan.frontier, bytesEach: 8 * (moments ? 5 : 1), for: "the transfer matrix's frontier (\(runners) x 2^\(plan.frontier) states)")
        let steps = SpinSteps(model, plan)
        guard monitor.start(total: WorkMonitor.product(betas.count, conditions, model.spinCount)) else {
            try monitor.checkNotStopped()
            return IsingEnumeration.Thermodynamics(table: ThermodynamicTable(beta: [], logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: []),
                                                   magnetization: [], absMagnetization: [], magnetizationSquared: [])
        }
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        var magnetization: [Double] = [], magnetizationSquared: [Double] = []
        let n = Double(model.spinCount)
        // One frontier per runner, reused for all its conditions and every beta;
        // runner r takes conditions r, r + R, ... (each condition's sum is the same
        // whichever runner does it, so results do not depend on the thread count).
        var frontiers = (0..<runners).map { _ in Frontier(bits: plan.frontier, moments: moments) }
        for beta in betas {
            var runs = [Partial?](repeating: nil, count: conditions)
            runs.withUnsafeMutableBufferPointer { runs in
                frontiers.withUnsafeMutableBufferPointer { frontiers in
                    let out = SharedPointer(runs.baseAddress!), own = SharedPointer(frontiers.baseAddress!)
                    Parallel.forEach(runners, parallel: runners > 1) { r in
                        for c in stride(from: r, to: conditions, by: runners) {
                            guard !monitor.isStopped else { return }
                            out[c] = own.base[r].run(steps, beta: beta, condition: c, inner: conditions == 1, monitor: monitor)
                        }
                    }
                }
            }
            try monitor.checkNotStopped()
            var total = runs[0]!
            for c in 1..<conditions { total.merge(runs[c]!) }
            table.logZ.append(total.logZ)
            table.freeEnergy.append(beta == 0 ? .nan : -total.logZ / beta)
            table.energy.append(moments ? total.energy : .nan)
            table.entropy.append(moments ? beta * total.energy + total.logZ : .nan)
            table.heatCapacity.append(moments ? (beta == 0 ? 0 : beta * beta * total.energyVariance) : .nan)
            magnetization.append(moments ? total.magnetization / n : .nan)
            magnetizationSquared.append(moments ? (total.magnetizationVariance + total.magnetization * total.magnetization) / (n * n) : .nan)
        }
        try monitor.finish()
        return IsingEnumeration.Thermodynamics(table: table, magnetization: magnetization,
                                               absMagnetization: [Double](repeating: .nan, count: betas.count),
                                               magnetizationSquared: magnetizationSquared)
    }

    /// One run's (or several merged runs') log Z with the mean and variance of E and M.
    struct Partial: Sendable {
        var logZ: Double
        var energy = 0.0, energyVariance = 0.0
        var magnetization = 0.0, magnetizationVariance = 0.0

        /// Adds another run's states: Z adds, means and variances combine as Chan et
        /// al.'s parallel variance, weighted by each run's share of Z.
        mutating func merge(_ other: Partial) {
            let top = max(logZ, other.logZ)
            guard top > -.infinity else { return }
            let a = exp(logZ - top), b = exp(other.logZ - top), sum = a + b
            let wa = a / sum, wb = b / sum
            let dE = other.energy - energy, dM = other.magnetization - magnetization
            energyVariance = wa * energyVariance + wb * other.energyVariance + wa * wb * dE * dE
            magnetizationVariance = wa * magnetizationVariance + wb * other.magnetizationVariance + wa * wb * dM * dM
            energy += wb * dE
            magnetization += wb * dM
            logZ = top + log(sum)
        }
    }

    /// What adding each spin needs, independent of beta: its couplings back to the
    /// frontier (by bit position), to the spin it replaces, and its long couplings to
    /// conditioned spins.
    struct SpinSteps: Sendable {
        let plan: Plan
        let fields: [Double]
        /// Couplings to spins k - B < j < k: (bit position j mod B, J_kj), per spin.
        let back: [[(position: Int, coupling: Double)]]
        /// J_{k, k-B} (0 when there is none).
        let replaced: [Double]
        /// Couplings to conditioned spins i < K farther than B: (i, J_ik), per spin.
        let long: [[(spin: Int, coupling: Double)]]

        init(_ model: IsingModel, _ plan: Plan) {
            self.plan = plan
            let n = model.spinCount, b = plan.frontier
            var back = [[(position: Int, coupling: Double)]](repeating: [], count: n)
            var replaced = [Double](repeating: 0, count: n)
            var long = [[(spin: Int, coupling: Double)]](repeating: [], count: n)
            for (e, coupling) in model.edgeCoupling.enumerated() {
                let i = Int(model.edgeFirst[e]), j = Int(model.edgeSecond[e])
                if j - i > b {
                    long[j].append((i, coupling))
                } else if j - i == b {
                    replaced[j] = coupling
                } else {
                    back[j].append((i % b, coupling))
                }
            }
            fields = model.fields
            self.back = back
            self.replaced = replaced
            self.long = long
        }
    }

    /// The frontier's 2^B weights and, with moments, the weighted sums of Ẽ, Ẽ^2, M
    /// and M^2 over the configurations behind each state (Ẽ = E + sigma sum A, the
    /// energy measured from the shifted factors, sigma the sign of beta).
    struct Frontier {
        let bits: Int
        let moments: Bool
        var z: [Double], e1: [Double], e2: [Double], m1: [Double], m2: [Double]
        /// Per step: the field from the low and the high half of the frontier's bits
        /// (the spin's own field and long couplings in the low half), and the
        /// factors e^{+-beta field - |beta| bound} of each half.
        var lowField: [Double], highField: [Double]
        var upLow: [Double], downLow: [Double], upHigh: [Double], downHigh: [Double]
        /// Each chunk's largest new weight in a threaded step (`chunks` of them).
        var largest = [Double](repeating: 0, count: Frontier.chunks)
        /// A threaded step's pairs are cut into this many chunks.
        static let chunks = 64

        init(bits: Int, moments: Bool) {
            self.bits = bits
            self.moments = moments
            let size = 1 << bits, extra = moments ? size : 0
            z = [Double](repeating: 0, count: size)
            e1 = [Double](repeating: 0, count: extra)
            e2 = e1; m1 = e1; m2 = e1
            lowField = [Double](repeating: 0, count: 1 << (bits / 2))
            highField = [Double](repeating: 0, count: 1 << (bits - bits / 2))
            upLow = lowField; downLow = lowField; upHigh = highField; downHigh = highField
        }

        /// table[x] = base + sum_q coupling[q] s_q(x), s_q = +1 for bit q set, built by
        /// doubling: all spins down, then each bit in turn adds 2 coupling[q].
        private static func fill(_ table: inout [Double], base: Double, couplings: [Double]) {
            table[0] = base - couplings.reduce(0, +)
            for (q, coupling) in couplings.enumerated() {
                for x in 0..<(1 << q) { table[x | 1 << q] = table[x] + 2 * coupling }
            }
        }

        /// Sums every configuration of the free spins, with conditioned spin i fixed to
        /// bit i of `condition` (1 for +1). `inner`: thread each step's pairs.
        mutating func run(_ steps: SpinSteps, beta: Double, condition: Int, inner: Bool, monitor: WorkMonitor) -> Partial {
            let b = bits, low = b / 2
            let sign = beta < 0 ? -1.0 : 1.0, magnitude = abs(beta)
            for x in z.indices { z[x] = 0 }
            if moments { for x in e1.indices { e1[x] = 0; e2[x] = 0; m1[x] = 0; m2[x] = 0 } }
            z[0] = 1  // the spins before spin 0 are placeholders at -1, coupled to nothing
            // Logs of the scales applied, and sigma times the sum of the bounds.
            var logScale = 0.0, shift = 0.0, scale = 1.0
            var lowCouplings = [Double](repeating: 0, count: low), highCouplings = [Double](repeating: 0, count: b - low)
            let n = steps.fields.count
            for k in 0..<n {
                if k % 64 == 0, monitor.isStopped { break }
                var field = steps.fields[k]
                for (i, coupling) in steps.long[k] { field += condition >> i & 1 == 1 ? coupling : -coupling }
                for q in 0..<low { lowCouplings[q] = 0 }
                for q in 0..<(b - low) { highCouplings[q] = 0 }
                for (q, coupling) in steps.back[k] {
                    if q < low { lowCouplings[q] += coupling } else { highCouplings[q - low] += coupling }
                }
                let lowBound = lowCouplings.reduce(abs(field)) { $0 + abs($1) }, highBound = highCouplings.reduce(0) { $0 + abs($1) }
                Self.fill(&lowField, base: field, couplings: lowCouplings)
                Self.fill(&highField, base: 0, couplings: highCouplings)
                // The previous step's largest weight is divided out here, in the low tables.
                for x in lowField.indices {
                    upLow[x] = exp(beta * lowField[x] - magnitude * lowBound) / scale
                    downLow[x] = exp(-beta * lowField[x] - magnitude * lowBound) / scale
                }
                for y in highField.indices {
                    upHigh[y] = exp(beta * highField[y] - magnitude * highBound)
                    downHigh[y] = exp(-beta * highField[y] - magnitude * highBound)
                }
                let replaced = steps.replaced[k]
                let bound = lowBound + highBound + abs(replaced)
                shift += sign * bound
                let forced = k < steps.plan.conditioned ? (condition >> k & 1 == 1 ? 1.0 : -1.0) : 0
                let largest = pass(Step(p: k % b, low: low, replaced: replaced,
                                        same: exp(beta * replaced - magnitude * abs(replaced)),
                                        opposite: exp(-beta * replaced - magnitude * abs(replaced)),
                                        base: sign * bound, forced: forced), threaded: inner && b >= 16)
                scale = largest > 0 ? largest : 1
                logScale += log(scale)
                if k % 64 == 63 { _ = monitor.advance(by: 64) }
            }
            _ = monitor.advance(by: Int64(n % 64))
            // The last scale is not applied yet: log Z = log sum z + applied logs + beta shift.
            let total = Self.sum(z)
            var partial = Partial(logZ: log(total) + (logScale - log(scale)) + beta * shift)
            if moments {
                let mean = Self.sum(e1) / total, square = Self.sum(e2) / total
                partial.energy = mean - shift  // <E> = <Ẽ> - shift; the variance is shift-free
                partial.energyVariance = max(0, square - mean * mean)
                let mMean = Self.sum(m1) / total, mSquare = Self.sum(m2) / total
                partial.magnetization = mMean
                partial.magnetizationVariance = max(0, mSquare - mMean * mMean)
            }
            return partial
        }

        /// In index order, so the result does not depend on threads.
        private static func sum(_ values: [Double]) -> Double { values.reduce(0, +) }

        /// One spin's step: frontier bit p, the factors e^{beta s t J_{k,k-B} - |beta J|}
        /// for s t = +1 (`same`) and -1 (`opposite`), sigma times the step's bound
        /// (`base`), and the forced value (+-1) of a conditioned spin, 0 when free.
        struct Step {
            let p: Int, low: Int
            let replaced: Double, same: Double, opposite: Double, base: Double, forced: Double
        }

        /// Runs a step over every pair of states; returns the largest new weight.
        private mutating func pass(_ step: Step, threaded: Bool) -> Double {
            let pairs = 1 << (bits - 1), chunks = threaded ? Frontier.chunks : 1
            for c in 0..<chunks { largest[c] = 0 }
            let moments = self.moments
            z.withUnsafeMutableBufferPointer { z in
            e1.withUnsafeMutableBufferPointer { e1 in
            e2.withUnsafeMutableBufferPointer { e2 in
            m1.withUnsafeMutableBufferPointer { m1 in
            m2.withUnsafeMutableBufferPointer { m2 in
            lowField.withUnsafeBufferPointer { lowField in
            highField.withUnsafeBufferPointer { highField in
            upLow.withUnsafeBufferPointer { upLow in
            downLow.withUnsafeBufferPointer { downLow in
            upHigh.withUnsafeBufferPointer { upHigh in
            downHigh.withUnsafeBufferPointer { downHigh in
            largest.withUnsafeMutableBufferPointer { largest in
                let t = StepPointers(z: z.baseAddress!, e1: e1.baseAddress, e2: e2.baseAddress, m1: m1.baseAddress, m2: m2.baseAddress,
                                     lowField: lowField.baseAddress!, highField: highField.baseAddress!,
                                     upLow: upLow.baseAddress!, downLow: downLow.baseAddress!,
                                     upHigh: upHigh.baseAddress!, downHigh: downHigh.baseAddress!, largest: largest.baseAddress!)
                Parallel.forEach(chunks, parallel: threaded) { c in
                    let range = (pairs * c / chunks)..<(pairs * (c + 1) / chunks)
                    t.largest[c] = moments ? Self.pairsWithMoments(t, step, range) : Self.pairs(t, step, range)
                }
            } } } } } } } } } } } }
            return largest[0..<chunks].max()!
        }

        struct StepPointers: @unchecked Sendable {  // each chunk writes its own pairs
            let z: UnsafeMutablePointer<Double>
            let e1, e2, m1, m2: UnsafeMutablePointer<Double>?
            let lowField, highField, upLow, downLow, upHigh, downHigh: UnsafePointer<Double>
            let largest: UnsafeMutablePointer<Double>
        }

        /// The pair j: states x (bit p clear: the replaced spin was -1) and x | 1 << p.
        @inline(__always)
        private static func states(_ j: Int, _ p: Int) -> (Int, Int) {
            let x = (j >> p) << (p + 1) | j & ((1 << p) - 1)
            return (x, x | 1 << p)
        }

        private static func pairs(_ t: StepPointers, _ step: Step, _ range: Range<Int>) -> Double {
            let lowMask = (1 << step.low) - 1
            let keepUp = step.forced >= 0 ? 1.0 : 0, keepDown = step.forced <= 0 ? 1.0 : 0
            var largest = 0.0
            for j in range {
                let (x, xp) = states(j, step.p)
                let lo = x & lowMask, hi = x >> step.low
                let up = t.upLow[lo] * t.upHigh[hi] * keepUp, down = t.downLow[lo] * t.downHigh[hi] * keepDown
                let zm = t.z[x], zp = t.z[xp]
                let newUp = up * (zp * step.same + zm * step.opposite)
                let newDown = down * (zp * step.opposite + zm * step.same)
                t.z[xp] = newUp
                t.z[x] = newDown
                largest = max(largest, max(newUp, newDown))
            }
            return largest
        }

        /// As `pairs`, carrying the energy and magnetisation moments: with a factor's
        /// energy eps = base - s (f + t J) (its contribution to Ẽ), a new spin s,
        ///     e1' = sum_t w (e1 + eps z),  e2' = sum_t w (e2 + 2 eps e1 + eps^2 z),
        ///     m1' = sum_t w (m1 + s z),    m2' = sum_t w (m2 + 2 s m1 + z).
        private static func pairsWithMoments(_ t: StepPointers, _ step: Step, _ range: Range<Int>) -> Double {
            let lowMask = (1 << step.low) - 1
            let keepUp = step.forced >= 0 ? 1.0 : 0, keepDown = step.forced <= 0 ? 1.0 : 0
            let e1 = t.e1!, e2 = t.e2!, m1 = t.m1!, m2 = t.m2!, jd = step.replaced
            var largest = 0.0
            for j in range {
                let (x, xp) = states(j, step.p)
                let lo = x & lowMask, hi = x >> step.low
                let up = t.upLow[lo] * t.upHigh[hi] * keepUp, down = t.downLow[lo] * t.downHigh[hi] * keepDown
                let f = t.lowField[lo] + t.highField[hi]
                // w[s][t] and eps[s][t] for s, t = +1 (p) or -1 (m).
                let wpp = up * step.same, wpm = up * step.opposite, wmp = down * step.opposite, wmm = down * step.same
                let epp = step.base - (f + jd), epm = step.base - (f - jd)
                let emp = step.base + (f + jd), emm = step.base + (f - jd)
                let zp = t.z[xp], zm = t.z[x]
                let ap = e1[xp], am = e1[x], bp = e2[xp], bm = e2[x]
                let cp = m1[xp], cm = m1[x], dp = m2[xp], dm = m2[x]
                let newUp = wpp * zp + wpm * zm, newDown = wmp * zp + wmm * zm
                t.z[xp] = newUp
                t.z[x] = newDown
                e1[xp] = wpp * (ap + epp * zp) + wpm * (am + epm * zm)
                e1[x] = wmp * (ap + emp * zp) + wmm * (am + emm * zm)
                e2[xp] = wpp * (bp + 2 * epp * ap + epp * epp * zp) + wpm * (bm + 2 * epm * am + epm * epm * zm)
                e2[x] = wmp * (bp + 2 * emp * ap + emp * emp * zp) + wmm * (bm + 2 * emm * am + emm * emm * zm)
                m1[xp] = wpp * (cp + zp) + wpm * (cm + zm)
                m1[x] = wmp * (cp - zp) + wmm * (cm - zm)
                m2[xp] = wpp * (dp + 2 * cp + zp) + wpm * (dm + 2 * cm + zm)
                m2[x] = wmp * (dp - 2 * cp + zp) + wmm * (dm - 2 * cm + zm)
                largest = max(largest, max(newUp, newDown))
            }
            return largest
        }
    }
}
