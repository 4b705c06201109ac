import Glibc

extension IsingSquare {
    /// The levels and words per level `bealeDensity` reports at most for an m x n
    /// torus: N + 1 levels E = J (4k - 2N), k = 0 ... N (N = mn), and
    /// floor(N / 64) + 1 words, as g(E) <= 2^N.
    public static func bealeSize(rows m: Int, columns n: Int) throws(EngineError) -> (levels: Int, words: Int) {
        try bealeCheck(m, n)
        let spins = m * n
        let size = (levels: spins + 1, words: spins / 64 + 1)
        guard size.levels * size.words <= Limit.storedValues.value else {
            throw EngineError(.limitExceeded, "the exact density of states of a \(m) x \(n) torus needs \(size.levels) x \(size.words) words, above \(Limit.storedValues.text)")
        }
        return size
    }

    private static func bealeCheck(_ m: Int, _ n: Int) throws(EngineError) {
        guard m >= 3, n >= 3, m <= Limit.units.value, n <= Limit.units.value else {
            throw .invalid("the exact density of states needs rows and columns in [3, \(Limit.units.text)], got \(m) x \(n)")
        }
        try Limit.spins.check(m * n, "rows x columns")
    }

    /// The exact density of states g(E) of the periodic m x n square lattice with
    /// uniform coupling J != 0 (Beale 1996): Kaufman's Z is a polynomial in
    /// x = e^(-2 beta J) with whole-number coefficients,
    ///
    ///     x^N Z = 1/2 (x (1 - x^2))^(N/2) (Z1 + Z2 + Z3 + Z4) = sum_k g_k x^(2k),
    ///
    /// with E_k = J (4k - 2N) (2k unsatisfied bonds; their number is even on a torus).
    /// Each pair of Kaufman's factors for l and 2n - l is a polynomial,
    /// (2 cosh(m g_l / 2))^2 = 2 + 2 T_m(cosh g_l), (2 sinh(m g_l / 2))^2 = 2 T_m(cosh g_l) - 2
    /// (T_m Chebyshev), cosh g_l = (1 + x^2)^2 / (2x (1 - x^2)) - cos(l pi / n), and the
    /// unpaired g_0, g_n are rational: e^g_0 = (1 - x)/(x (1 + x)), e^g_n = (1 + x)/(x (1 - x))
    /// (with m odd, their square roots combine with the prefactor's; see
    /// `bealePolynomial`).
    ///
    /// The coefficients are found exactly by multi-modular evaluation: modulo each of
    /// about N/62 primes p = 1 + c lcm(2M, 2n) < 2^62 (M the power of two above N), the
    /// polynomial is evaluated at x_j = t nu^j (nu of order 2M, cos(l pi / n) from a
    /// 2n-th root of unity), interpolated by one inverse number-theoretic transform,
    /// and the integers recovered by the Chinese remainder theorem. Two checks make a
    /// wrong answer impossible to return silently: one prime beyond those the bound
    /// g <= 2^N needs must agree with the reconstruction, and the coefficients past
    /// degree N must vanish; either failing is NOT_CONVERGED. An odd side is taken as
    /// n when the other is even (the torus is symmetric).
    /// Cost: O(N^2.5 / 62) word operations (a 64 x 64 torus in seconds); primes run in
    /// parallel. Progress counts primes.
    /// - Throws: INVALID_ARGUMENT (sides outside [3, units], J zero or not finite),
    ///   LIMIT_EXCEEDED, OUT_OF_MEMORY, NOT_CONVERGED, CANCELLED.
    public static func bealeDensity(rows: Int, columns: Int, coupling: Double,
                                    monitor: WorkMonitor = .none()) throws(EngineError) -> ExactDensity {
        try Check.finite(coupling, "coupling")
        guard coupling != 0 else { throw .invalid("coupling must be non-zero (J = 0 puts every state at E = 0)") }
        let words = try bealeSize(rows: rows, columns: columns).words
        let (m, n) = rows % 2 == 0 ? (rows, columns) : (columns, rows)
        let spins = m * n
        let points = MultiModular.transformLength(degree: spins)
        let modulus = lcm(2 * points, 2 * n)
        let primes = try MultiModular.primes(modulus: modulus, bits: spins)
        try Memory.reserve([(primes.count * (spins + 1), 8), (Parallel.maxThreads * points, 8), (2 * (spins + 1) * words, 8)],
                           for: "the exact density of states' residues and counts (\(primes.count) primes x \(spins + 1) levels)")
        guard monitor.start(total: primes.count) else { try monitor.checkNotStopped(); return .empty(words: words) }
        let chosen = primes, size = points
        var rows = [[UInt64]?](repeating: nil, count: primes.count)
        rows.withUnsafeMutableBufferPointer { rows in
            let out = SharedPointer(rows.baseAddress!)
            Parallel.forEach(chosen.count) { i in
                guard !monitor.isStopped else { return }
                out[i] = bealeResidues(m: m, n: n, prime: chosen[i], points: size, monitor: monitor)
                _ = monitor.advance(by: 1)
            }
        }
        try monitor.checkNotStopped()
        guard rows.allSatisfy({ $0 != nil }) else {
            throw EngineError(.notConverged, "the exact density of states' polynomial has terms past degree N: an internal error, please report it")
        }
        let residues = rows.map { $0! }
        let density = try MultiModular.density(primes: primes, residues: residues, words: words) { coupling * Double(4 * $0 - 2 * spins) }
        try monitor.finish()
        return density
    }

    /// g_0 ... g_N modulo `prime` (plain integers), or nil if the interpolated
    /// polynomial has a term past degree N (or the call was stopped).
    private static func bealeResidues(m: Int, n: Int, prime: UInt64, points: Int, monitor: WorkMonitor) -> [UInt64]? {
        let f = PrimeField(prime)
        let spins = m * n
        let nu = f.rootOfUnity(order: 2 * points)
        let zeta = f.rootOfUnity(order: 2 * n)
        // cos(l pi / n) = (zeta^l + zeta^-l) / 2 for 0 < l < n.
        let half = f.inverse(f.two)
        var cosines = [UInt64](repeating: 0, count: n)
        var zl = f.one
        let zetaInverse = f.inverse(zeta)
        var zli = f.one
        for l in 0..<n {
            cosines[l] = f.multiply(f.add(zl, zli), half)
            zl = f.multiply(zl, zeta)
            zli = f.multiply(zli, zetaInverse)
        }
        // The shift t: x_j^2 = t^2 omega^j must never be 1, i.e. (t^2)^M != 1.
        var t = f.element(3)
        while f.power(f.multiply(t, t), UInt64(points)) == f.one { t = f.add(t, f.one) }
        let h = UInt64(m / 2)
        var values = [UInt64](repeating: 0, count: points)
        var x = t
        for j in 0..<points {
            if j & 255 == 0 && monitor.isStopped { return nil }
            values[j] = bealePolynomial(f, half: half, x: x, m: m, n: n, h: h, spins: spins, cosines: cosines)
            x = f.multiply(x, nu)
        }
        // Q(y) at y_j = t^2 omega^j, omega = nu^2: interpolate.
        return MultiModular.coefficients(f, values: &values, omega: f.multiply(nu, nu), shift: f.multiply(t, t), degree: spins)
    }

    /// x^N Z(x) modulo p at one point x (Montgomery form; x != 0, +-1).
    @inline(__always)
    private static func bealePolynomial(_ f: PrimeField, half: UInt64, x: UInt64, m: Int, n: Int, h: UInt64, spins: Int, cosines: [UInt64]) -> UInt64 {
        let onePlus = f.add(f.one, x), oneMinus = f.subtract(f.one, x)
        let x2 = f.multiply(x, x)
        let w = f.multiply(x, f.multiply(onePlus, oneMinus))  // x (1 - x^2)
        let wInverse = f.inverse(w)
        let q = f.add(f.one, x2)
        // A = cosh 2K coth 2K = (1 + x^2)^2 / (2 x (1 - x^2)).
        let a = f.multiply(f.multiply(f.multiply(q, q), wInverse), half)
        var z1 = f.one, z2 = f.one, z3: UInt64, z4: UInt64
        if m % 2 == 0 {
            // The unpaired factors 2 cosh(m g / 2) = e^(h g) + e^(-h g), h = m/2, with
            // e^g_0 = (1 - x)^2 / w and e^g_n = (1 + x)^2 / w rational.
            let g0 = f.multiply(f.multiply(oneMinus, oneMinus), wInverse)
            let g0Inverse = f.multiply(f.multiply(x2, f.multiply(onePlus, onePlus)), wInverse)
            let gn = f.multiply(f.multiply(onePlus, onePlus), wInverse)
            let gnInverse = f.multiply(f.multiply(x2, f.multiply(oneMinus, oneMinus)), wInverse)
            let (p0, q0) = (f.power(g0, h), f.power(g0Inverse, h))
            let (pn, qn) = (f.power(gn, h), f.power(gnInverse, h))
            z3 = f.add(p0, q0); z4 = f.subtract(p0, q0)
            if n % 2 == 0 {
                z3 = f.multiply(z3, f.add(pn, qn)); z4 = f.multiply(z4, f.subtract(pn, qn))
            } else {
                z1 = f.add(pn, qn); z2 = f.subtract(pn, qn)
            }
        } else {
            // m and n odd: e^(m g / 2) needs the square root of e^g, and the prefactor
            // (2 sinh 2K)^(mn/2) = s^(mn), s^2 = S = (1 - x^2)/x, that of S. With
            // e^(g_0/2) = (1 - x)/(x s) and e^(g_n/2) = (1 + x)/(x s), the prefactor
            // times each unpaired factor has even powers of s only:
            //   s^(mn) e^(+-m g_0/2) = S^(m(n-+1)/2) ((1 - x)/x)^(+-m),  likewise g_n with 1 + x.
            let xInverse = f.multiply(wInverse, f.multiply(onePlus, oneMinus))
            let bigS = f.multiply(w, f.multiply(xInverse, xInverse))
            let low = f.power(bigS, UInt64(m * (n - 1) / 2)), high = f.power(bigS, UInt64(m * (n + 1) / 2))
            let r0 = f.power(f.multiply(oneMinus, xInverse), UInt64(m)), rn = f.power(f.multiply(onePlus, xInverse), UInt64(m))
            let (p0, q0) = (f.multiply(low, r0), f.multiply(high, f.inverse(r0)))
            let (pn, qn) = (f.multiply(low, rn), f.multiply(high, f.inverse(rn)))
            z1 = f.add(pn, qn); z2 = f.subtract(pn, qn)
            z3 = f.add(p0, q0); z4 = f.subtract(p0, q0)
        }
        for l in 1..<n {
            let c = f.subtract(a, cosines[l])
            // T_m(c) by the doubling ladder on (T_j, T_j+1).
            var tj = f.one, tj1 = c
            var bit = UInt64(m).bitWidth - UInt64(m).leadingZeroBitCount - 1
            while bit >= 0 {
                let cross = f.subtract(f.multiply(f.two, f.multiply(tj, tj1)), c)
                if (m >> bit) & 1 == 0 {
                    tj = f.subtract(f.multiply(f.two, f.multiply(tj, tj)), f.one); tj1 = cross
                } else {
                    tj1 = f.subtract(f.multiply(f.two, f.multiply(tj1, tj1)), f.one); tj = cross
                }
                bit -= 1
            }
            let twoT = f.add(tj, tj)
            let plus = f.add(twoT, f.two), minus = f.subtract(twoT, f.two)
            if l % 2 == 1 {
                z1 = f.multiply(z1, plus); z2 = f.multiply(z2, minus)
            } else {
                z3 = f.multiply(z3, plus); z4 = f.multiply(z4, minus)
            }
        }
        let sum = f.add(f.add(z1, z2), f.add(z3, z4))
        // x^N (2 sinh 2K)^(N/2) = (x (1 - x^2))^(N/2) for even N; for odd N the
        // prefactor is already in the unpaired factors.
        let prefactor = m % 2 == 0 ? f.power(w, UInt64(spins / 2)) : f.power(x, UInt64(spins))
        return f.multiply(f.multiply(prefactor, sum), half)
    }

    private static func lcm(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
