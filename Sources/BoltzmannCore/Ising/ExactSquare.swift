import Glibc

/// The square-lattice Ising model with uniform coupling J and no field: Kaufman's
/// exact partition function of the periodic m x n lattice, and Onsager's solution of
/// the infinite lattice.
public enum IsingSquare {

    /// Critical temperature T_c = 2 |J| / ln(1 + sqrt 2) of the infinite lattice.
    public static func criticalTemperature(coupling: Double) throws(EngineError) -> Double {
        try Check.finite(coupling, "coupling")
        guard coupling != 0 else { throw .invalid("coupling must be non-zero (J = 0 has no transition)") }
        return 2 * abs(coupling) / log(1 + 2.0.squareRoot())
    }

    /// Kaufman (1949), in Beale's (1996) form, for the m x n torus (2mn bonds), K = beta J:
    ///
    ///     Z = 1/2 (2 sinh 2K)^(mn/2) (Z1 + Z2 + Z3 + Z4),
    ///     Z1 = prod_{r<n} 2 cosh(m g_{2r+1}/2),  Z2 = prod 2 sinh(m g_{2r+1}/2),
    ///     Z3 = prod_{r<n} 2 cosh(m g_{2r}/2),    Z4 = prod 2 sinh(m g_{2r}/2),
    ///     cosh g_l = cosh 2K coth 2K - cos(l pi / n),   g_0 = 2K + ln tanh K.
    ///
    /// g_0 changes sign at T_c, so Z4 is negative above T_c; its factor 2 sinh(m g_0/2)
    /// is kept in linear form (scaled by e^-|m g_0/2|), every other factor as a
    /// logarithm, so nothing overflows for sides up to 1e6 and any beta. g_l - 1 is
    /// formed as (u - 1)^2/u + 2 sin^2(l pi / 2n), u = sinh 2K, so it keeps its digits
    /// near T_c. Jets give U and C exactly. An antiferromagnet (K < 0) is accepted when
    /// m and n are even (bipartite torus: Z(K) = Z(-K)).
    public static func kaufman(rows m: Int, columns n: Int, coupling: Double, betas: [Double]) throws(EngineError) -> ThermodynamicTable {
        guard m >= 2, n >= 2, m <= Limit.units.value, n <= Limit.units.value else {
            throw .invalid("Kaufman's formula needs rows and columns in [2, \(Limit.units.text)], got \(m) x \(n)")
        }
        try Check.finite(coupling, "coupling")
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        if betas.contains(where: { $0 * coupling < 0 }), m % 2 == 1 || n % 2 == 1 {
            throw .invalid("beta J < 0 (antiferromagnetic) on a \(m) x \(n) torus with an odd side is frustrated; Kaufman's formula needs beta J >= 0 or even m and n")
        }
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        for beta in betas {
            var K = Jet(beta * coupling, coupling)
            if K.value < 0 { K = -K }
            let lz = K.value == 0 ? Jet(Double(m * n) * log(2.0)) : logZ(m, n, K)
            let energy = -lz.d1
            table.logZ.append(lz.value)
            table.freeEnergy.append(beta == 0 ? .nan : -lz.value / beta)
            table.energy.append(energy)
            table.entropy.append(lz.value + beta * energy)
            table.heatCapacity.append(beta * beta * lz.d2)
        }
        return table
    }

    static func logZ(_ m: Int, _ n: Int, _ K: Jet) -> Jet {
        let half = Double(m) / 2
        // log u and 1/u for u = sinh 2K, without overflow.
        let logU = 2 * K + Jet.log1p(-Jet.exp(-4 * K)) - log(2.0)
        let inverseU = Jet.exp(-logU)
        func gamma(_ l: Int) -> Jet {
            let s = sin(Double.pi * Double(l) / Double(2 * n))
            if logU.value > 20 {
                // cosh g = u + 1/u - cos(theta) > 4e8: g = log(2 cosh g) to within 1e-17.
                let c = 1 - 2 * s * s
                return logU + log(2.0) + Jet.log1p((inverseU - c) * inverseU)
            }
            let u = Jet.exp(logU)
            let d = (u - 1) * (u - 1) * inverseU + 2 * s * s
            return Jet.acosh1p(d)
        }
        var l1 = Jet(0), l2 = Jet(0), l3 = Jet(0), l4 = Jet(0)
        for r in 0..<n {
            let odd = half * gamma(2 * r + 1)
            l1 += Jet.logTwoCosh(odd)
            l2 += Jet.logTwoSinh(odd)
            if r > 0 {
                let even = half * gamma(2 * r)
                l3 += Jet.logTwoCosh(even)
                l4 += Jet.logTwoSinh(even)
            }
        }
        // The g_0 factors: 2 cosh y = e^|y| (1 + e^-2|y|), 2 sinh y = e^|y| sign(y) (1 - e^-2|y|).
        let y = half * (2 * K + Jet.logTanh(K))
        let absY = Jet.abs(y)
        l3 += absY
        l4 += absY
        let a3 = Jet.exp(-2 * absY) + 1.0
        let a4 = (y.value < 0 ? -1 : 1) * -Jet.expm1(-2 * absY)
        let top = [l1, l2, l3, l4].max { $0.value < $1.value }!
        let sum = Jet.exp(l1 - top) + Jet.exp(l2 - top) + a3 * Jet.exp(l3 - top) + a4 * Jet.exp(l4 - top)
        return Double(m * n) / 2 * Jet.logTwoSinh(2 * K) - log(2.0) + top + Jet.log(sum)
    }

    /// Onsager's solution per site of the infinite square lattice, K = beta |J|,
    /// kappa = 2 sinh 2K / cosh^2 2K:
    ///
    ///     -beta f = ln(2 cosh 2K) + (1/pi) int_0^(pi/2) ln[(1 + sqrt(1 - kappa^2 sin^2 t)) / 2] dt
    ///     u = -|J| coth 2K [1 + (2/pi) (2 tanh^2 2K - 1) K1(kappa)]
    ///     c = (2/pi) (K coth 2K)^2 {2 K1 - 2 E1 - (1 - tanh^2 2K) [pi/2 + (2 tanh^2 2K - 1) K1]}
    ///     m = (1 - sinh(2K)^-4)^(1/8) below T_c (Yang), 0 above,
    ///
    /// with K1, E1 the complete elliptic integrals (by the AGM). At T_c exactly, c is +inf.
    /// For J < 0 the values are the antiferromagnet's, m its staggered magnetisation.
    public struct OnsagerResult: Sendable {
        public var freeEnergy: [Double]
        public var energy: [Double]
        public var heatCapacity: [Double]
        public var magnetization: [Double]
    }

    public static func onsager(coupling: Double, betas: [Double]) throws(EngineError) -> OnsagerResult {
        try Check.finite(coupling, "coupling")
        guard coupling != 0 else { throw .invalid("coupling must be non-zero") }
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        if let i = betas.firstIndex(where: { $0 < 0 }) { throw .invalid("betas[\(i)] must be >= 0, got \(betas[i])") }
        let j = abs(coupling)
        var result = OnsagerResult(freeEnergy: [], energy: [], heatCapacity: [], magnetization: [])
        for beta in betas {
            let k = beta * j
            guard k > 0 else {
                result.freeEnergy.append(.nan); result.energy.append(0); result.heatCapacity.append(0); result.magnetization.append(0)
                continue
            }
            let (u, dUdBeta) = internalEnergy(beta: beta, coupling: j)
            let kappa = 2 * sinh(2 * k) / (cosh(2 * k) * cosh(2 * k))
            let logTwoCosh2K = 2 * k + log1p(exp(-4 * k))
            let integral = tanhSinh(0, Double.pi / 2) { theta in
                let x = min(1, kappa) * sin(theta)
                return log((1 + max(0, (1 - x) * (1 + x)).squareRoot()) / 2)
            }
            result.freeEnergy.append(-(logTwoCosh2K + integral / Double.pi) / beta)
            result.energy.append(u)
            result.heatCapacity.append(-beta * beta * dUdBeta)
            let s = sinh(2 * k)
            let m = s > 1 ? pow(-expm1(-4 * log(s)), 0.125) : 0  // (1 - s^-4)^(1/8)
            result.magnetization.append(m)
        }
        return result
    }

    /// Onsager's energy per site u(beta) and du/dbeta (jets in beta), with
    /// dK(k)/dk = E/(k k'^2) - K/k (its series (pi/2)(k/2 + 9k^3/16 + 75k^5/128) for
    /// small k, where the two terms cancel). du/dbeta is -inf at T_c.
    static func internalEnergy(beta: Double, coupling j: Double) -> (Double, Double) {
        let K = Jet(beta * j, j)
        // q = 1/sinh 2K; kappa = 2q/(1+q^2) = 2 sinh 2K / cosh^2 2K; ratio = 2 tanh^2 2K - 1 = (1-q^2)/(1+q^2).
        let q = 2 * Jet.exp(-Jet.logTwoSinh(2 * K))
        let q2 = q * q
        let kappa = 2 * q / (q2 + 1.0)
        let ratio = (1 - q2) / (q2 + 1.0)
        let kappaPrime = abs(ratio.value)
        let (k1, e1) = ellipticKE(kappaPrime: kappaPrime, kappa: kappa.value)
        guard k1.isFinite else { return (-j * 2.0.squareRoot(), -.infinity) }
        let x = kappa.value
        let slope = x < 1e-3 ? Double.pi / 2 * (x / 2 + 9 * x * x * x / 16 + 75 * pow(x, 5) / 128)
                             : e1 / (x * kappaPrime * kappaPrime) - k1 / x
        let ellipticK = kappa.lifted(k1, slope, .nan)
        let coth = Jet.tanh(2 * K).reciprocal
        let u = -j * coth * (1 + 2 / Double.pi * ratio * ellipticK)
        return (u.value, u.d1)
    }

    /// Complete elliptic integrals K(k) and E(k) of modulus k (k' = sqrt(1 - k^2) given
    /// separately, as it is known to full precision), by the arithmetic-geometric mean.
    static func ellipticKE(kappaPrime: Double, kappa: Double) -> (Double, Double) {
        guard kappaPrime > 0 else { return (.infinity, 1) }
        var a = 1.0, b = kappaPrime, c = kappa
        var sum = 0.5 * c * c  // sum_n 2^(n-1) c_n^2, n = 0
        var power = 0.5
        for _ in 0..<64 {
            let an = (a + b) / 2
            c = (a - b) / 2
            b = (a * b).squareRoot()
            a = an
            power *= 2
            sum += power * c * c
            if abs(c) <= 1e-17 * a { break }
        }
        let k = Double.pi / (2 * a)
        return (k, k * (1 - sum))
    }

    /// int_a^b f by tanh-sinh (double-exponential) quadrature, halving the step until
    /// two levels agree to 1e-15 relative (or 12 halvings).
    static func tanhSinh(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> Double {
        let halfWidth = (b - a) / 2
        func term(_ t: Double) -> Double {
            let u = Double.pi / 2 * sinh(t)
            let cu = cosh(u)
            let weight = Double.pi / 2 * cosh(t) / (cu * cu)
            // 1 - x and 1 + x without cancellation: 1 - tanh u = 2 / (1 + e^2u).
            let oneMinus = 2 / (1 + exp(2 * u)), onePlus = 2 / (1 + exp(-2 * u))
            let fromB = halfWidth * oneMinus, fromA = halfWidth * onePlus
            let x = t >= 0 ? b - fromB : a + fromA
            guard weight > 0, x > a, x < b else { return 0 }
            return weight * f(x)
        }
        var h = 1.0
        let tMax = 4.0
        var sum = term(0)
        var t = h
        while t <= tMax { sum += term(t) + term(-t); t += h }
        var estimate = h * sum * halfWidth
        for _ in 0..<12 {
            h /= 2
            var t = h
            while t <= tMax { sum += term(t) + term(-t); t += 2 * h }
            let next = h * sum * halfWidth
            if abs(next - estimate) <= 1e-15 * abs(next) { return next }
            estimate = next
        }
        return estimate
    }
}
