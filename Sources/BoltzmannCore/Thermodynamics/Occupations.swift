import Glibc

/// Level occupations of fermions: independent (Fermi-Dirac) and interacting in the
/// mean-field (Hartree) approximation.
public enum Occupations {
    /// f = 1 / (1 + e^x), without overflow for any x (x = ±inf give 0 and 1).
    @inline(__always)
    public static func fermiFunction(_ x: Double) -> Double {
        if x >= 0 {
            let t = exp(-x)
            return t / (1 + t)
        }
        return 1 / (1 + exp(x))
    }

    /// Fermi-Dirac occupations f_i = 1 / (1 + e^(beta (E_i - mu))).
    public static func fermiDirac(energies: [Double], beta: Double, mu: Double) throws(EngineError) -> [Double] {
        try Check.nonEmpty(energies.count, "energies")
        try Check.allFinite(energies, "energies")
        try Check.finite(beta, "beta")
        try Check.finite(mu, "mu")
        // beta = 0 is the infinite-temperature limit 1/2 even where E - mu overflows.
        return energies.map { beta == 0 ? 0.5 : fermiFunction(beta * ($0 - mu)) }
    }

    /// The outcome of a mean-field iteration.
    public struct MeanFieldResult: Sendable {
        /// The last iterate f.
        public var occupations: [Double]
        /// Sweeps performed.
        public var iterations: Int
        /// max_i |f_i - Phi(f)_i| of `occupations`.
        public var residual: Double
        /// Whether `residual <= tolerance`.
        public var converged: Bool
    }

    /// The self-consistent occupations of interacting levels,
    ///     f_i = 1 / (1 + e^(beta (E_i + U sum_{j != i} f_j - mu))),
    /// by damped Jacobi iteration f <- damping f + (1 - damping) Phi(f), started from
    /// the non-interacting Fermi-Dirac occupations. Each sweep is O(n): the sum over
    /// j != i is the total minus f_i.
    ///
    /// Not converging within `maxIterations` is reported through `converged`, with the
    /// last iterate, so the caller decides (the C layer returns BZ_ERR_NOT_CONVERGED).
    public static func meanField(
        energies: [Double], interaction: Double, beta: Double, mu: Double,
        damping: Double, tolerance: Double, maxIterations: Int
    ) throws(EngineError) -> MeanFieldResult {
        try Check.finite(interaction, "interaction")
        try Check.finite(damping, "damping")
        try Check.finite(tolerance, "tolerance")
        guard damping >= 0, damping < 1 else { throw .invalid("damping must be in [0, 1), got \(damping)") }
        guard tolerance > 0 else { throw .invalid("tolerance must be > 0, got \(tolerance)") }
        guard maxIterations >= 1 else { throw .invalid("max_iterations must be >= 1, got \(maxIterations)") }
        var f = try fermiDirac(energies: energies, beta: beta, mu: mu)
        if beta == 0 {
            return MeanFieldResult(occupations: f, iterations: 0, residual: 0, converged: true)
        }
        var mapped = f
        var residual = Double.infinity
        var iterations = 0
        while true {
            let total = f.reduce(0, +)
            residual = 0
            for i in f.indices {
                mapped[i] = fermiFunction(beta * (energies[i] + interaction * (total - f[i]) - mu))
                residual = max(residual, abs(mapped[i] - f[i]))
            }
            if residual <= tolerance || iterations == maxIterations { break }
            for i in f.indices { f[i] = damping * f[i] + (1 - damping) * mapped[i] }
            iterations += 1
        }
        return MeanFieldResult(occupations: f, iterations: iterations, residual: residual, converged: residual <= tolerance)
    }
}
