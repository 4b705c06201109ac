import Glibc

/// The one-dimensional Ising chain with uniform coupling J and field h, solved by its
/// 2 x 2 transfer matrix T(s, s') = exp(K s s' + H (s + s') / 2), K = beta J, H = beta h:
///
///     periodic:  Z = Tr T^N,        open:  Z = u^T T^(N-1) u,  u_s = e^(H s / 2).
///
/// T^N is formed by repeated squaring (O(log N) products, so N up to 1e12 costs
/// nothing), in log-scaled form so nothing overflows; T is positive, so every product
/// is a sum of positive terms and loses no digits. Entries are jets, so derivatives
/// with respect to beta, H or K come out exactly: U = -d log Z/d beta,
/// C = beta^2 d^2 log Z/d beta^2, m = (1/N) d log Z/dH, <s_i s_i+1> = (1/bonds) d log Z/dK.
public enum IsingChain {
    /// Largest chain length accepted (1e15: beyond, N itself loses integer precision
    /// in products with doubles).
    public static let maxLength: Int64 = 1_000_000_000_000_000

    /// Exact thermodynamics of the whole chain, per beta.
    public struct Result: Sendable {
        public var table: ThermodynamicTable
        /// <m>, the magnetisation per spin.
        public var magnetization: [Double]
        /// <s_i s_i+1> averaged over the chain's bonds (N - 1 open, N periodic).
        public var nearestNeighbour: [Double]
    }

    public static func exact(
        length n: Int64, coupling: Double, field: Double, periodic: Bool, betas: [Double]
    ) throws(EngineError) -> Result {
        try checkLength(n, periodic: periodic)
        try Check.finite(coupling, "coupling")
        try Check.finite(field, "field")
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        var result = Result(table: ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: []),
                            magnetization: [], nearestNeighbour: [])
        let bonds = periodic ? Double(n) : Double(n - 1)
        for beta in betas {
            // Along beta: K = J beta, H = h beta.
            let alongBeta = logZ(n, K: Jet(coupling * beta, coupling), H: Jet(field * beta, field), periodic: periodic)
            let alongH = logZ(n, K: Jet(coupling * beta), H: Jet.variable(field * beta), periodic: periodic)
            let alongK = logZ(n, K: Jet.variable(coupling * beta), H: Jet(field * beta), periodic: periodic)
            let energy = -alongBeta.d1
            result.table.logZ.append(alongBeta.value)
            result.table.freeEnergy.append(beta == 0 ? .nan : -alongBeta.value / beta)
            result.table.energy.append(energy)
            result.table.entropy.append(alongBeta.value + beta * energy)
            result.table.heatCapacity.append(beta * beta * alongBeta.d2)
            result.magnetization.append(alongH.d1 / Double(n))
            result.nearestNeighbour.append(bonds > 0 ? alongK.d1 / bonds : .nan)
        }
        return result
    }

    static func checkLength(_ n: Int64, periodic: Bool) throws(EngineError) {
        let least: Int64 = periodic ? 2 : 1
        guard n >= least else { throw .invalid("n must be >= \(least) for \(periodic ? "a periodic" : "an open") chain, got \(n)") }
        guard n <= maxLength else { throw .invalid("n = \(n) is larger than the library accepts (\(maxLength))") }
    }

    /// log Z(K, H) as a jet in whatever variable K and H carry.
    static func logZ(_ n: Int64, K: Jet, H: Jet, periodic: Bool) -> Jet {
        let t = ScaledMatrix.transfer(K: K, H: H)
        if periodic {
            let p = t.power(n)
            return p.logScale + Jet.log(p.a00 + p.a11)
        }
        let p = n > 1 ? t.power(n - 1) : .identity
        // u^T A u = e^H A00 + A01 + A10 + e^-H A11, scaled by e^|H|.
        let absH = Jet.abs(H)
        let sum = Jet.exp(H - absH) * p.a00 + Jet.exp(-absH) * (p.a01 + p.a10) + Jet.exp(-H - absH) * p.a11
        return p.logScale + absH + Jet.log(sum)
    }

    /// <s_0 s_r> of a periodic chain of n spins (n = 0: infinite), by the
    /// eigen-decomposition of T: with rho = lambda_- / lambda_+ and the eigenvector
    /// angle phi (cos^2 2 phi = c2, sin^2 2 phi = s2),
    ///     <s_0 s_r> = [c2 (1 + rho^N) + s2 (rho^r + rho^(N-r))] / (1 + rho^N),
    /// which is tanh(K)^r at H = 0 and N -> infinity.
    public static func correlation(length n: Int64, coupling: Double, field: Double, beta: Double, distances: [Int64]) throws(EngineError) -> [Double] {
        if n != 0 { try checkLength(n, periodic: true) }
        try Check.finite(coupling, "coupling")
        try Check.finite(field, "field")
        try Check.finite(beta, "beta")
        for (k, r) in distances.enumerated() {
            guard r >= 0, n == 0 || r <= n else {
                throw .invalid("distances[\(k)] = \(r) must be in [0, \(n == 0 ? "inf" : String(n))]")
            }
        }
        let K = beta * coupling, H = abs(beta * field)
        // log lambda_+ = K + log(cosh H + sqrt(sinh^2 H + e^-4K)), with e^H factored out.
        let a = (1 + exp(-2 * H)) / 2, b = -expm1(-2 * H) / 2
        let t = -4 * K - 2 * H
        let logBracket = t > 0 ? t / 2 + log(a * exp(-t / 2) + (b * b * exp(-t) + 1).squareRoot())
                               : log(a + (b * b + exp(t)).squareRoot())
        let logLambda = K + H + logBracket
        // rho = 2 sinh(2K) / lambda_+^2 (det T = lambda_+ lambda_-).
        let logAbsRho = K == 0 ? -Double.infinity : 2 * abs(K) + log(-expm1(-4 * abs(K))) - 2 * logLambda
        let rhoSign: Double = K < 0 ? -1 : 1
        // s2 = 1 / (1 + sinh^2 H e^4K) = logistic(-(2 log|sinh H| + 4K)).
        let logSinh = H == 0 ? -Double.infinity : H + log(-expm1(-2 * H)) - log(2.0)
        let x = 2 * logSinh + 4 * K
        let s2 = x > 0 ? exp(-x) / (1 + exp(-x)) : 1 / (1 + exp(x))
        let c2 = x > 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        func rhoPower(_ r: Int64) -> Double {
            if r == 0 { return 1 }
            let magnitude = exp(Double(r) * logAbsRho)
            return rhoSign < 0 && r % 2 == 1 ? -magnitude : magnitude
        }
        let rhoN = n == 0 ? 0 : rhoPower(n)
        let denominator = 1 + rhoN
        return distances.map { r in
            let tail = n == 0 ? 0 : rhoPower(n - r)
            return (c2 * denominator + s2 * (rhoPower(r) + tail)) / denominator
        }
    }
}

/// A 2 x 2 matrix e^logScale * [[a00, a01], [a10, a11]] of jets, kept with its largest
/// entry equal to 1.
struct ScaledMatrix {
    var logScale: Jet
    var a00, a01, a10, a11: Jet

    static let identity = ScaledMatrix(logScale: Jet(0), a00: Jet(1), a01: Jet(0), a10: Jet(0), a11: Jet(1))

    /// T(s, s') = exp(K s s' + H (s + s') / 2) with s = +1 first.
    static func transfer(K: Jet, H: Jet) -> ScaledMatrix {
        let e00 = K + H, e01 = -K, e11 = K - H
        let top = [e00, e01, e11].max { $0.value < $1.value }!
        return ScaledMatrix(logScale: top, a00: Jet.exp(e00 - top), a01: Jet.exp(e01 - top),
                            a10: Jet.exp(e01 - top), a11: Jet.exp(e11 - top))
    }

    static func * (x: ScaledMatrix, y: ScaledMatrix) -> ScaledMatrix {
        var p = ScaledMatrix(logScale: x.logScale + y.logScale,
                             a00: x.a00 * y.a00 + x.a01 * y.a10, a01: x.a00 * y.a01 + x.a01 * y.a11,
                             a10: x.a10 * y.a00 + x.a11 * y.a10, a11: x.a10 * y.a01 + x.a11 * y.a11)
        let top = [p.a00, p.a01, p.a10, p.a11].max { $0.value < $1.value }!
        let inverse = top.reciprocal
        p.a00 = p.a00 * inverse; p.a01 = p.a01 * inverse; p.a10 = p.a10 * inverse; p.a11 = p.a11 * inverse
        p.logScale += Jet.log(top)
        return p
    }

    /// self^n for n >= 1 by repeated squaring.
    func power(_ n: Int64) -> ScaledMatrix {
        var result = ScaledMatrix.identity, base = self, e = n
        var first = true
        while e > 0 {
            if e & 1 == 1 { result = first ? base : result * base; first = false }
            e >>= 1
            if e > 0 { base = base * base }
        }
        return result
    }
}
