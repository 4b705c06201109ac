import Glibc

/// Mean-field theory of a ferromagnet with z neighbours per spin (Weiss 1907; e.g.
/// Chandler, "Introduction to Modern Statistical Mechanics", 1987, §5.5): each spin feels the average field z J m + h of its
/// neighbours, so the magnetisation per spin solves
///
///     m = tanh(beta (z J m + h)),
///
/// the stationary points of the variational free energy per spin
///
///     phi(m) = -z J m^2 / 2 - h m - T s(m),  s(m) = ln 2 - (1+m)/2 ln(1+m) - (1-m)/2 ln(1-m).
///
/// A solution is stable where phi''(m) = -z J + T / (1 - m^2) > 0. T_c = z J.
public enum MeanFieldIsing {
    public struct Solution: Sendable, Equatable {
        /// Magnetisation per spin m.
        public var magnetization: Double
        /// phi(m), free energy per spin.
        public var freeEnergy: Double
        /// phi''(m) > 0: a local minimum of phi.
        public var isStable: Bool
    }

    static func checkParameters(beta: Double, coupling: Double, neighbours: Double, field: Double) throws(EngineError) {
        try Check.finite(beta, "beta")
        try Check.finite(coupling, "coupling")
        try Check.finite(neighbours, "z")
        try Check.finite(field, "field")
        guard beta > 0 else { throw .invalid("beta must be > 0, got \(beta)") }
        guard neighbours > 0 else { throw .invalid("z (neighbours per spin) must be > 0, got \(neighbours)") }
        guard (beta * neighbours * coupling).isFinite, (beta * field).isFinite, (neighbours * coupling).isFinite else {
            throw EngineError(.nonFinite, "beta z J = \(beta * neighbours * coupling) or beta h = \(beta * field) overflows a double")
        }
    }

    /// Critical temperature T_c = z J (for J > 0).
    public static func criticalTemperature(coupling: Double, neighbours: Double) throws(EngineError) -> Double {
        try checkParameters(beta: 1, coupling: coupling, neighbours: neighbours, field: 0)
        guard coupling > 0 else { throw .invalid("coupling must be > 0 for a ferromagnetic transition, got \(coupling)") }
        return neighbours * coupling
    }

    /// All solutions (one, or three below T_c for small |h|), in increasing m.
    ///
    /// g(m) = m - tanh(a m + b), a = beta z J, b = beta h, is monotone between its
    /// critical points m_+- = (+-acosh(sqrt a) - b) / a (when a > 1), so each of the
    /// (up to) three intervals holds at most one root, found by safeguarded Newton to
    /// full precision.
    public static func solutions(beta: Double, coupling: Double, neighbours: Double, field: Double) throws(EngineError) -> [Solution] {
        try checkParameters(beta: beta, coupling: coupling, neighbours: neighbours, field: field)
        let found = roots(beta: beta, coupling: coupling, neighbours: neighbours, field: field).map {
            solution($0, beta: beta, coupling: coupling, neighbours: neighbours, field: field)
        }
        // g(-1) <= 0 <= g(1) guarantees a root for finite parameters; this guards rounding at the extremes.
        guard found.contains(where: \.isStable) else {
            throw EngineError(.notConverged, "no stable mean-field solution found at beta = \(beta), J = \(coupling), z = \(neighbours), h = \(field)")
        }
        return found
    }

    static func roots(beta: Double, coupling: Double, neighbours: Double, field: Double) -> [Double] {
        let a = beta * neighbours * coupling, b = beta * field
        @inline(__always) func g(_ m: Double) -> Double { m - tanh(a * m + b) }
        var edges: [Double] = [-1]
        if a > 1 {
            let y = acosh(a.squareRoot())
            for critical in [(-y - b) / a, (y - b) / a] where critical > -1 && critical < 1 { edges.append(critical) }
        }
        edges.append(1)
        var found: [Double] = []
        for k in 0..<(edges.count - 1) {
            let lo = edges[k], hi = edges[k + 1]
            let gLo = g(lo), gHi = g(hi)
            guard gLo * gHi <= 0 else { continue }
            let root = gLo == 0 ? lo : gHi == 0 ? hi : solve(lo, hi, increasing: gHi > gLo, a: a, b: b)
            if let last = found.last, abs(root - last) <= 1e-12 { continue }
            found.append(root)
        }
        return found
    }

    /// The root of g in [lo, hi], where g changes sign once.
    static func solve(_ lo: Double, _ hi: Double, increasing: Bool, a: Double, b: Double) -> Double {
        var lo = lo, hi = hi
        var m = (lo + hi) / 2
        for _ in 0..<200 {
            let t = tanh(a * m + b)
            let value = m - t
            if value == 0 { return m }
            if (value < 0) == increasing { lo = m } else { hi = m }
            let slope = 1 - a * (1 - t * t)
            var next = slope != 0 ? m - value / slope : .nan
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if next == m || hi - lo <= 4 * Double.ulpOfOne * max(1, abs(m)) { return next }
            m = next
        }
        return m
    }

    static func solution(_ m: Double, beta: Double, coupling: Double, neighbours: Double, field: Double) -> Solution {
        let temperature = 1 / beta
        func xLogX(_ x: Double, _ logX: Double) -> Double { x == 0 ? 0 : x * logX }
        let entropy = log(2.0) - 0.5 * (xLogX(1 + m, log1p(m)) + xLogX(1 - m, log1p(-m)))
        let phi = -neighbours * coupling * m * m / 2 - field * m - temperature * entropy
        let curvature = -neighbours * coupling + temperature / ((1 - m) * (1 + m))
        return Solution(magnetization: m, freeEnergy: phi, isStable: curvature > 0)
    }

    /// The equilibrium magnetisation: the stable solution of lowest free energy; at
    /// h = 0 below T_c, where +m and -m tie, the positive one.
    public static func magnetization(beta: Double, coupling: Double, neighbours: Double, field: Double) throws(EngineError) -> Double {
        equilibrium(try solutions(beta: beta, coupling: coupling, neighbours: neighbours, field: field))
    }

    /// The stable solution of least free energy among `all` (non-empty), positive on a tie.
    static func equilibrium(_ all: [Solution]) -> Double {
        var best = all[0]
        for s in all.dropFirst() where s.isStable {
            if !best.isStable || s.freeEnergy < best.freeEnergy - 1e-15 * abs(best.freeEnergy)
                || (s.freeEnergy <= best.freeEnergy + 1e-15 * abs(best.freeEnergy) && s.magnetization > best.magnetization) {
                best = s
            }
        }
        return best.magnetization
    }

    /// Follow the stable branch as the field takes the given values in turn (a sweep
    /// up then down traces the hysteresis loop). Starts at the equilibrium for the
    /// first field; where the branch followed vanishes (a spinodal), the magnetisation
    /// jumps to the other stable branch and `jumped` is true at that field.
    public static func hysteresis(beta: Double, coupling: Double, neighbours: Double, fields: [Double]) throws(EngineError) -> (magnetization: [Double], jumped: [Bool]) {
        try Check.nonEmpty(fields.count, "fields")
        try Check.allFinite(fields, "fields")
        try checkParameters(beta: beta, coupling: coupling, neighbours: neighbours, field: 0)
        var m: [Double] = [], jumped: [Bool] = []
        let hasBranches = beta * neighbours * coupling > 1
        // Below T_c the stable solutions lie on either side of the centre of symmetry
        // m* = -h / (z J) of g: the upper branch (+1) and the lower (-1).
        var branch = 0
        for (k, h) in fields.enumerated() {
            let all = try solutions(beta: beta, coupling: coupling, neighbours: neighbours, field: h)
            let stable = all.filter(\.isStable)
            let centre = hasBranches ? -h / (neighbours * coupling) : 0
            if k == 0 || !hasBranches {
                let start = equilibrium(all)
                m.append(start); jumped.append(false)
                branch = start >= centre ? 1 : -1
                continue
            }
            let same = branch > 0 ? stable.last(where: { $0.magnetization >= centre }) : stable.first(where: { $0.magnetization < centre })
            if let same {
                m.append(same.magnetization); jumped.append(false)
            } else {
                // The branch ended at a spinodal: jump to the other one.
                m.append(stable.first!.magnetization); jumped.append(true)
                branch = -branch
            }
        }
        return (m, jumped)
    }
}

/// The Curie-Weiss model (complete graph, couplings J/N) solved exactly in O(N) per
/// beta: with M = 2k - N up spins counted by binom(N, k),
///     E(M) = -(J / 2N) (M^2 - N) - h M.
public enum CurieWeiss {

    public static func exact(spins n: Int, coupling: Double, field: Double, betas: [Double]) throws(EngineError) -> IsingEnumeration.Thermodynamics {
        try Limit.spins.check(n, "n")
        try Check.finite(coupling, "coupling")
        try Check.finite(field, "field")
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let logNFactorial = logFactorial(n)
        var e: [Double] = [], lg: [Double] = [], m: [Double] = []
        for k in 0...n {
            let magnetization = Double(2 * k - n)
            e.append(-coupling / (2 * Double(n)) * (magnetization * magnetization - Double(n)) - field * magnetization)
            lg.append(logNFactorial - logFactorial(k) - logFactorial(n - k))
            m.append(magnetization / Double(n))
        }
        guard e.allSatisfy(\.isFinite) else {
            throw EngineError(.nonFinite, "coupling = \(coupling) and field = \(field) make the energies of \(n) spins overflow a double")
        }
        let lowest = e.min()!, highest = e.max()!
        let frames = betas.map { ReducedFrame(beta: $0, lowest: lowest, highest: highest) }
        let moments = IsingEnumeration.levelMoments(energies: e, logMultiplicities: lg, magnetizations: m, frames: frames)
        return IsingEnumeration.assemble(betas, frames, moments)
    }
}
