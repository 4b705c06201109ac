import Glibc

extension Spectrum {
    /// Largest composite `composed(with:maxLevels:)` builds by default.
    public static let defaultCompositionLimit = 1 << 22

    /// The spectrum of two independent subsystems: levels E_i + E'_j with degeneracy
    /// g_i g'_j, equal energies merged (`merged(energies:logDegeneracies:)`).
    /// Its log Z is the sum of the parts' at every beta.
    ///
    /// - Throws: `.limitExceeded` when count * other.count > maxLevels;
    ///   `.invalidArgument` when the summed energies overflow.
    /// - Complexity: O(n log n) in n = count * other.count.
    public func composed(with other: Spectrum, maxLevels: Int = Spectrum.defaultCompositionLimit) throws(EngineError) -> Spectrum {
        let (n, overflow) = count.multipliedReportingOverflow(by: other.count)
        guard !overflow, n <= maxLevels else {
            throw EngineError(.limitExceeded,
                "the composite of \(count) x \(other.count) levels exceeds max_levels = \(maxLevels); raise max_levels to build it")
        }
        guard (minEnergy + other.minEnergy).isFinite, (maxEnergy + other.maxEnergy).isFinite else {
            throw .invalid("the composite's energies overflow a double")
        }
        // The products, their merged copy and the sort's indices: about 40 bytes a level.
        try Memory.reserve(n, bytesEach: 40, for: "the composite of \(count) x \(other.count) levels")
        var energies = [Double](), logDegeneracies = [Double]()
        energies.reserveCapacity(n)
        logDegeneracies.reserveCapacity(n)
        for i in 0..<count {
            for j in 0..<other.count {
                energies.append(self.energies[i] + other.energies[j])
                logDegeneracies.append(self.logDegeneracies[i] + other.logDegeneracies[j])
            }
        }
        let levels = Spectrum.merged(energies: energies, logDegeneracies: logDegeneracies)
        return try Spectrum(energies: levels.energies, logDegeneracies: levels.logDegeneracies)
    }

    /// Sort levels by energy and merge runs of equal energy into one level whose
    /// degeneracy is the sum (log-add-exp of the log-degeneracies). "Equal" means
    /// within 1e-12 of the largest |E|, so that sums which differ only by rounding
    /// are one level; a run keeps the energy of its lowest member.
    /// - Complexity: O(n log n).
    public static func merged(energies: [Double], logDegeneracies: [Double]) -> (energies: [Double], logDegeneracies: [Double]) {
        precondition(energies.count == logDegeneracies.count)
        let order = energies.indices.sorted { energies[$0] < energies[$1] }
        let tolerance = 1e-12 * (energies.lazy.map { abs($0) }.max() ?? 0)
        var outE = [Double](), outG = [Double]()
        for i in order {
            if let last = outE.last, energies[i] - last <= tolerance {
                outG[outG.count - 1] = logAddExp(outG[outG.count - 1], logDegeneracies[i])
            } else {
                outE.append(energies[i])
                outG.append(logDegeneracies[i])
            }
        }
        return (outE, outG)
    }
}

/// log(e^a + e^b) without overflow; exact when one argument is -inf.
@inline(__always)
public func logAddExp(_ a: Double, _ b: Double) -> Double {
    let hi = max(a, b), lo = min(a, b)
    if hi == -.infinity { return -.infinity }
    return hi + log1p(exp(lo - hi))
}
