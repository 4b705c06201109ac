import Glibc

extension StripTransfer {
    /// Exact, independent samples of the Boltzmann distribution at beta of any model
    /// whose frontier plan fits `maxBits` (strips with any couplings and fields, tori
    /// by conditioning): forward filtering, backward sampling. The recursion of
    /// `thermodynamics` is run once, keeping every step's frontier weights z_k (each
    /// scaled so its largest is 1); a sample's last frontier state is drawn in
    /// proportion to z_{N-1}, then each step is undone, drawing the spin that left the
    /// frontier (t, spin k - B) in proportion to z_{k-1}(x with bit p = t) e^(beta s t J_{k,k-B})
    /// (the rest of the factor is common to both t). With conditioned spins, each
    /// sample's condition is drawn first in proportion to its Z, and the recursion is
    /// kept for each condition drawn. Sample r draws from stream r of `seed`, so the
    /// samples do not depend on the thread count or on how many are asked for.
    /// Memory: N 2^B doubles per condition kept. Returns count x N spins, row-major.
    /// - Throws: INVALID_ARGUMENT (count, beta, cap), LIMIT_EXCEEDED (the plan above
    ///   the cap), OUT_OF_MEMORY, CANCELLED.
    public static func samples(_ model: IsingModel, beta: Double, count: Int, seed: UInt64, maxBits: Int = 0,
                               monitor: WorkMonitor = .none()) throws(EngineError) -> [Int8] {
        try Check.finite(beta, "beta")
        try Limit.iterations.check(count, "n_samples")
        let n = model.spinCount
        try Limit.storedValues.check(count * n, "n_samples x n_spins")
        let plan = try checkedPlan(model, maxBits: maxBits)
        try Memory.reserve([(n << plan.frontier, 8), (count * n, 2), (count, 12)],
                           for: "the transfer matrix's weights at every step (\(n) x 2^\(plan.frontier)) and \(count) samples")
        let steps = SpinSteps(model, plan)
        let conditions = 1 << plan.conditioned
        // Progress: the forward passes (spins) and the draws; a pass is kept per condition drawn.
        guard monitor.start(total: WorkMonitor.product(conditions > 1 ? 2 * conditions : 1, n) + Int64(count)) else {
            try monitor.checkNotStopped()
            return []
        }
        var filter = Filter(steps)
        // Each condition's log Z, then each sample's condition.
        var logZ = [Double](repeating: 0, count: conditions)
        if conditions > 1 {
            for c in 0..<conditions {
                logZ[c] = filter.run(beta: beta, condition: c, keeping: false)
                try monitor.checkNotStopped()
                _ = monitor.advance(by: Int64(n))
            }
        }
        // Sample r's stream r: its first uniform draws the condition (when there are
        // several), the rest the spins. Samples are visited grouped by condition.
        let top = logZ.max()!
        var cumulative = [Double](), total = 0.0
        for value in logZ { total += exp(value - top); cumulative.append(total) }
        var chosen = [Int32](repeating: 0, count: count)
        if conditions > 1 {
            for r in 0..<count {
                var stream = RandomStream(seed: seed, stream: UInt64(r))
                let u = stream.uniform() * total
                chosen[r] = Int32(min(conditions - 1, cumulative.firstIndex { u < $0 } ?? conditions - 1))
            }
        }
        let order = (0..<count).sorted { (chosen[$0], $0) < (chosen[$1], $1) }
        var spins = [Int8](repeating: 0, count: count * n)
        var next = 0
        while next < count {
            let c = Int(chosen[order[next]])
            _ = filter.run(beta: beta, condition: c, keeping: true)
            try monitor.checkNotStopped()
            while next < count, chosen[order[next]] == c {
                let r = order[next]
                var stream = RandomStream(seed: seed, stream: UInt64(r))
                if conditions > 1 { _ = stream.uniform() }
                filter.draw(beta: beta, condition: c, stream: &stream, into: &spins[(r * n)..<((r + 1) * n)])
                next += 1
                if next % 256 == 0 { try monitor.checkNotStopped() }
            }
            _ = monitor.advance(by: Int64(n))
        }
        _ = monitor.advance(by: Int64(count))
        try monitor.finish()
        return spins
    }

    /// The forward pass with every step's weights kept, and the backward draws.
    struct Filter {
        let steps: SpinSteps
        let bits: Int
        /// kept[k * 2^B + x]: z after spin k, scaled so each step's largest is 1.
        var kept: [Double]
        var z: [Double], field: [Double]
        /// Per step, the coupling to the spin at each frontier bit (0 for none).
        let perBit: [[Double]]

        init(_ steps: SpinSteps) {
            self.steps = steps
            let bits = steps.plan.frontier
            self.bits = bits
            kept = []
            z = [Double](repeating: 0, count: 1 << bits)
            field = [Double](repeating: 0, count: 1 << bits)
            perBit = steps.back.map { couplings in
                var row = [Double](repeating: 0, count: bits)
                for (q, coupling) in couplings { row[q] += coupling }
                return row
            }
        }

        /// f_k(x) = h_k + long couplings to the conditioned spins + sum_back J s_q(x),
        /// for every frontier state x, into `field`; returns its bound, sum |.|.
        mutating func fields(_ k: Int, condition: Int) -> Double {
            var base = steps.fields[k]
            for (i, coupling) in steps.long[k] { base += condition >> i & 1 == 1 ? coupling : -coupling }
            let couplings = perBit[k]
            field[0] = base - couplings.reduce(0, +)
            var filled = 1
            for q in 0..<bits {
                for x in 0..<filled { field[x | filled] = field[x] + 2 * couplings[q] }
                filled <<= 1
            }
            return abs(base) + couplings.reduce(0) { $0 + abs($1) }
        }

        /// log Z of one condition; with `keeping`, every step's z is kept.
        mutating func run(beta: Double, condition: Int, keeping: Bool) -> Double {
            let n = steps.fields.count, size = 1 << bits, magnitude = abs(beta)
            if keeping { kept = [Double](repeating: 0, count: n * size) }
            for x in z.indices { z[x] = 0 }
            z[0] = 1
            var logScale = 0.0
            for k in 0..<n {
                let bound = fields(k, condition: condition), j = steps.replaced[k], p = k % bits
                let forced = k < steps.plan.conditioned ? (condition >> k & 1 == 1 ? 1 : -1) : 0
                // Every factor as a product of two at most 1: e^(beta s f - |beta| bound) e^(beta s t J - |beta J|).
                let same = exp(beta * j - magnitude * abs(j)), opposite = exp(-beta * j - magnitude * abs(j))
                var largest = 0.0
                for pair in 0..<(size >> 1) {
                    let low = (pair >> p) << (p + 1) | pair & ((1 << p) - 1), high = low | 1 << p
                    let f = field[low], zm = z[low], zp = z[high]
                    // s = +1 (t = +1 at high, -1 at low), and s = -1.
                    let up = exp(beta * f - magnitude * bound) * (zp * same + zm * opposite)
                    let down = exp(-beta * f - magnitude * bound) * (zp * opposite + zm * same)
                    z[high] = forced < 0 ? 0 : up
                    z[low] = forced > 0 ? 0 : down
                    largest = max(largest, max(z[high], z[low]))
                }
                let scale = largest > 0 ? largest : 1
                for x in z.indices { z[x] /= scale }
                logScale += log(scale) + magnitude * (bound + abs(j))
                if keeping { for x in 0..<size { kept[k * size + x] = z[x] } }
            }
            return logScale + log(z.reduce(0, +))
        }

        /// One sample from the kept weights: the last state, then each step undone.
        mutating func draw(beta: Double, condition: Int, stream: inout RandomStream, into spins: inout ArraySlice<Int8>) {
            let n = steps.fields.count, size = 1 << bits, start = spins.startIndex
            var total = 0.0
            for x in 0..<size { total += kept[(n - 1) * size + x] }
            var u = stream.uniform() * total, state = size - 1
            for x in 0..<size {
                u -= kept[(n - 1) * size + x]
                if u < 0 { state = x; break }
            }
            for k in stride(from: n - 1, through: 0, by: -1) {
                let p = k % bits, s: Double = state >> p & 1 == 1 ? 1 : -1
                spins[start + k] = s > 0 ? 1 : -1
                guard k > 0 else { break }
                // t: the spin k - B that left the frontier at step k.
                let j = steps.replaced[k]
                let low = state & ~(1 << p), high = state | 1 << p
                let wp = kept[(k - 1) * size + high] * exp(beta * s * j - abs(beta * j))
                let wm = kept[(k - 1) * size + low] * exp(-beta * s * j - abs(beta * j))
                state = stream.uniform() * (wp + wm) < wp ? high : low
            }
        }
    }
}
