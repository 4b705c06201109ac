import Glibc

extension StripTransfer {
    /// The levels and words per level `densityOfStates` reports at most: the whole
    /// numbers E in [-B, B], B = sum |J| + sum |h|, and floor(N / 64) + 1 words (g <= 2^N).
    /// - Throws: INVALID_ARGUMENT for fractional couplings or fields; LIMIT_EXCEEDED.
    public static func densitySize(_ model: IsingModel) throws(EngineError) -> (levels: Int, words: Int) {
        guard model.hasIntegerParameters else {
            throw .invalid("the exact density of states needs whole-number couplings and fields (scale them, or use Wang-Landau with a bin width)")
        }
        let bound = model.energyBound
        guard bound < Double(1 << 24) else {
            throw EngineError(.limitExceeded, "energies span [-\(bound), \(bound)], more than 2^25 levels")
        }
        let size = (levels: 2 * Int(bound) + 1, words: model.spinCount / 64 + 1)
        guard size.levels * size.words <= Limit.storedValues.value else {
            throw EngineError(.limitExceeded, "the exact density of states needs \(size.levels) levels x \(size.words) words, above \(Limit.storedValues.text)")
        }
        return size
    }

    /// The exact density of states g(E) of a model with whole-number couplings and
    /// fields, by the transfer matrix over its frontier (the plan of `thermodynamics`)
    /// with x = e^(-beta) kept symbolic:
    ///
    ///     P(x) = x^B sum_states x^E(state) = sum_E g(E) x^(E + B),   B = sum |J| + sum |h|,
    ///
    /// a polynomial of degree <= 2B whose coefficients are found exactly as Beale's
    /// (`MultiModular`): each evaluation is one run of the recursion modulo a prime
    /// p < 2^62, the factor e^(beta s (f + t J)) becoming x^(-s (f + t J)) from a table of
    /// powers. Work: 2^K runs of N steps over 2^B' frontier states (the plan's K and B')
    /// for each of the M > 2B points and about N/62 primes, in parallel.
    /// Progress counts evaluations (primes x points).
    /// - Throws: INVALID_ARGUMENT (fractional parameters, a cap outside [1, maxBits]);
    ///   LIMIT_EXCEEDED (the plan above the cap, or too many levels); OUT_OF_MEMORY;
    ///   NOT_CONVERGED (a failed check: a defect); CANCELLED.
    public static func densityOfStates(_ model: IsingModel, maxBits: Int = 0, monitor: WorkMonitor = .none()) throws(EngineError) -> ExactDensity {
        let words = try densitySize(model).words
        let plan = try checkedPlan(model, maxBits: maxBits)
        let steps = IntegerSteps(SpinSteps(model, plan))
        let bound = Int(model.energyBound), degree = 2 * bound
        let points = MultiModular.transformLength(degree: degree)
        let primes = try MultiModular.primes(modulus: points, bits: model.spinCount)
        let chunk = 64, chunks = (points + chunk - 1) / chunk
        try Memory.reserve([(min(Parallel.maxThreads, chunks) << plan.frontier, 16), (primes.count * points, 8),
                            (primes.count * (degree + 1), 8), (2 * (degree + 1) * words, 8)],
                           for: "the modular transfer matrix's frontiers, values and counts (\(primes.count) primes x \(points) points)")
        guard monitor.start(total: WorkMonitor.product(primes.count, points)) else { try monitor.checkNotStopped(); return .empty(words: words) }
        // Every prime's evaluations, in chunks of points (tasks), then its interpolation.
        let fields = primes.map { PrimeField($0) }
        let roots = fields.map { $0.rootOfUnity(order: points) }
        let shifts = fields.map { $0.element(3) }
        var values = [[UInt64]](repeating: [UInt64](repeating: 0, count: points), count: primes.count)
        for i in primes.indices {
            values[i].withUnsafeMutableBufferPointer { row in
                let out = SharedPointer(row.baseAddress!), f = fields[i], omega = roots[i], t = shifts[i]
                Parallel.forEach(chunks) { c in
                    var frontier = ModularFrontier(steps)
                    var x = f.multiply(t, f.power(omega, UInt64(c * chunk)))
                    for j in (c * chunk)..<min(points, (c + 1) * chunk) {
                        guard !monitor.isStopped else { return }
                        out[j] = frontier.evaluate(steps, f, x: x, bound: bound)
                        x = f.multiply(x, omega)
                    }
                    _ = monitor.advance(by: Int64(min(points, (c + 1) * chunk) - c * chunk))
                }
            }
            try monitor.checkNotStopped()
        }
        var residues: [[UInt64]] = []
        for i in primes.indices {
            guard let row = MultiModular.coefficients(fields[i], values: &values[i], omega: roots[i], shift: shifts[i], degree: degree) else {
                throw EngineError(.notConverged, "the transfer matrix's polynomial has terms past degree 2B: an internal error, please report it")
            }
            residues.append(row)
        }
        let density = try MultiModular.density(primes: primes, residues: residues, words: words) { Double($0 - bound) }
        try monitor.finish()
        return density
    }

    /// `SpinSteps` in whole numbers, with each step's largest |exponent|.
    struct IntegerSteps {
        let plan: Plan
        let fields: [Int]
        let back: [[(position: Int, coupling: Int)]]
        let replaced: [Int]
        let long: [[(spin: Int, coupling: Int)]]
        /// The largest |f + t J| at any step: the powers of x the runs need.
        let maxExponent: Int
        /// Per step, the coupling to the spin at each frontier bit (0 for none).
        let couplingAtBit: [[Int]]

        init(_ steps: SpinSteps) {
            plan = steps.plan
            fields = steps.fields.map { Int($0) }
            back = steps.back.map { $0.map { ($0.position, Int($0.coupling)) } }
            replaced = steps.replaced.map { Int($0) }
            long = steps.long.map { $0.map { ($0.spin, Int($0.coupling)) } }
            var largest = 0
            for k in fields.indices {
                let local = abs(fields[k]) + abs(replaced[k]) + back[k].reduce(0) { $0 + abs($1.coupling) }
                    + long[k].reduce(0) { $0 + abs($1.coupling) }
                largest = max(largest, local)
            }
            maxExponent = largest
            let bits = plan.frontier
            couplingAtBit = back.map { couplings in
                var row = [Int](repeating: 0, count: bits)
                for (q, coupling) in couplings { row[q] += coupling }
                return row
            }
        }
    }

    /// One modular run's buffers: the frontier's 2^B weights, each state's local
    /// field f (whole), and the powers x^e, e in [-maxExponent, maxExponent].
    struct ModularFrontier {
        var z: [UInt64], local: [Int32], powers: [UInt64]

        init(_ steps: IntegerSteps) {
            z = [UInt64](repeating: 0, count: 1 << steps.plan.frontier)
            local = [Int32](repeating: 0, count: 1 << steps.plan.frontier)
            powers = [UInt64](repeating: 0, count: 2 * steps.maxExponent + 1)
        }

        /// x^B times the sum over the states of x^E, modulo f.p (Montgomery form).
        mutating func evaluate(_ steps: IntegerSteps, _ f: PrimeField, x: UInt64, bound: Int) -> UInt64 {
            let b = steps.plan.frontier, e = steps.maxExponent
            powers[e] = f.one
            let inverse = f.inverse(x)
            for k in 1..<max(1, e + 1) {
                powers[e + k] = f.multiply(powers[e + k - 1], x)
                powers[e - k] = f.multiply(powers[e - k + 1], inverse)
            }
            var total: UInt64 = 0
            for condition in 0..<(1 << steps.plan.conditioned) {
                for s in z.indices { z[s] = 0 }
                z[0] = f.one  // the placeholders before spin 0 are -1 (bit clear), coupled to nothing
                for k in steps.fields.indices {
                    var field = steps.fields[k]
                    for (i, coupling) in steps.long[k] { field += condition >> i & 1 == 1 ? coupling : -coupling }
                    // local[state] = field + sum_back J s_q(state), by doubling over the bits.
                    local[0] = Int32(field - steps.back[k].reduce(0) { $0 + $1.coupling })
                    var filled = 1
                    for q in 0..<b {
                        let add = Int32(2 * steps.couplingAtBit[k][q])
                        for s in 0..<filled { local[s | filled] = local[s] + add }
                        filled <<= 1
                    }
                    let p = k % b, j = steps.replaced[k]
                    let forced = k < steps.plan.conditioned ? (condition >> k & 1 == 1 ? 1 : -1) : 0
                    z.withUnsafeMutableBufferPointer { z in
                        local.withUnsafeBufferPointer { local in
                            powers.withUnsafeBufferPointer { w in
                                for pair in 0..<(1 << (b - 1)) {
                                    let low = (pair >> p) << (p + 1) | pair & ((1 << p) - 1), high = low | 1 << p
                                    let h = Int(local[low])
                                    let zm = z[low], zp = z[high]  // the replaced spin t = -1, +1
                                    // s = +1: x^-(f + t J); s = -1: x^(f + t J).
                                    let up = f.add(f.multiply(zp, w[e - h - j]), f.multiply(zm, w[e - h + j]))
                                    let down = f.add(f.multiply(zp, w[e + h + j]), f.multiply(zm, w[e + h - j]))
                                    z[high] = forced < 0 ? 0 : up
                                    z[low] = forced > 0 ? 0 : down
                                }
                            }
                        }
                    }
                }
                for s in z.indices { total = f.add(total, z[s]) }
            }
            return f.multiply(total, f.power(x, UInt64(bound)))
        }
    }
}
