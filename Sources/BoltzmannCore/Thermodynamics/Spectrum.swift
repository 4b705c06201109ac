import Glibc

/// A discrete spectrum: levels with energies E_i and degeneracies g_i > 0, stored as
/// log g_i so that counts such as binomial coefficients stay in range.
///
/// Immutable after creation; everything else about it (partition function,
/// thermodynamics, Boltzmann probabilities, maximum-entropy multipliers,
/// composition) is derived on demand.
public struct Spectrum: Sendable {
    /// Level energies E_i (units where k_B = 1).
    public let energies: [Double]
    /// Natural logarithms of the degeneracies, log g_i.
    public let logDegeneracies: [Double]
    /// min_i E_i and max_i E_i.
    public let minEnergy: Double
    public let maxEnergy: Double

    /// Number of levels.
    public var count: Int { energies.count }

    /// A spectrum from energies and optional degeneracies (all 1 when nil).
    /// - Throws: `EngineError` if the arrays are empty or disagree in length, a value
    ///   is not finite, a degeneracy is <= 0, or the energies span more than
    ///   `Double.greatestFiniteMagnitude`.
    public init(energies: [Double], degeneracies: [Double]? = nil) throws(EngineError) {
        guard let degeneracies else {
            try self.init(energies: energies, logDegeneracies: [Double](repeating: 0, count: energies.count))
            return
        }
        guard degeneracies.count == energies.count else {
            throw EngineError(.shapeMismatch, "degeneracies has \(degeneracies.count) entries but energies has \(energies.count)")
        }
        try Check.allFinite(degeneracies, "degeneracies")
        if let i = degeneracies.firstIndex(where: { !($0 > 0) }) {
            throw .invalid("degeneracies[\(i)] must be > 0, got \(degeneracies[i])")
        }
        try self.init(energies: energies, logDegeneracies: degeneracies.map { log($0) })
    }

    /// A spectrum from energies and log-degeneracies (any finite reals).
    public init(energies: [Double], logDegeneracies: [Double]) throws(EngineError) {
        try Check.nonEmpty(energies.count, "energies")
        guard logDegeneracies.count == energies.count else {
            throw EngineError(.shapeMismatch, "log_degeneracies has \(logDegeneracies.count) entries but energies has \(energies.count)")
        }
        try Check.allFinite(energies, "energies")
        try Check.allFinite(logDegeneracies, "log_degeneracies")
        let lowest = energies.min()!, highest = energies.max()!
        guard (highest - lowest).isFinite else {
            throw .invalid("energies span [\(lowest), \(highest)], a range that overflows a double")
        }
        self.energies = energies
        self.logDegeneracies = logDegeneracies
        self.minEnergy = lowest
        self.maxEnergy = highest
    }
}
