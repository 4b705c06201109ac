import Glibc

/// N distinguishable units on L levels (the multinomial counting of Boltzmann 1877).
///
/// A macrostate is an occupation vector n = (n_0, ..., n_{L-1}) with sum n_l = N. Its
/// energy is E = sum_l n_l e_l and its multiplicity, the number of microstates
/// (assignments of the labelled units to levels) that realise it, is the
/// multinomial coefficient W = N! / prod_l n_l!. There are C(N+L-1, L-1) macrostates
/// and sum_n W e^(-beta E) = z^N, z = sum_l e^(-beta e_l).
public enum Microstates {
    /// Largest enumeration performed by default.
    public static let defaultStateLimit = 1 << 22

    /// ln W = ln N! - sum_l ln n_l! for one occupation vector.
    /// - Throws: if empty, an entry is negative, or the total overflows Int.
    public static func logMultiplicity(_ occupations: [Int]) throws(EngineError) -> Double {
        let total = try unitCount(occupations)
        var result = logFactorial(total)
        for n in occupations { result -= logFactorial(n) }
        return result
    }

    /// E = sum_l n_l e_l for one occupation vector.
    public static func energy(occupations: [Int], levelEnergies: [Double]) throws(EngineError) -> Double {
        _ = try unitCount(occupations)
        guard levelEnergies.count == occupations.count else {
            throw EngineError(.shapeMismatch, "level_energies has \(levelEnergies.count) entries but occupations has \(occupations.count)")
        }
        try Check.allFinite(levelEnergies, "level_energies")
        var e = 0.0
        for (n, level) in zip(occupations, levelEnergies) { e += Double(n) * level }
        guard e.isFinite else { throw .invalid("the energy of these occupations overflows a double") }
        return e
    }

    /// C(units + levels - 1, levels - 1), exactly.
    /// - Throws: `.invalidArgument` for units < 0 or levels < 1; `.limitExceeded`
    ///   when the count exceeds Int.max.
    public static func macrostateCount(units: Int, levels: Int) throws(EngineError) -> Int {
        guard units >= 0 else { throw .invalid("n_units must be >= 0, got \(units)") }
        guard levels >= 1 else { throw .invalid("n_levels must be > 0, got \(levels)") }
        // C(N+L-1, r) with r = min(N, L-1), the shorter of the two symmetric products:
        // C(m+k, k) = C(m+k-1, k-1) (m+k) / k is exact at every step in 128 bits, and
        // the loop ends within r steps or as soon as the count passes Int.max.
        let r = min(units, levels - 1)
        let m = UInt128(units) + UInt128(levels - 1) - UInt128(r)
        var c: UInt128 = 1
        for k in stride(from: 1, through: r, by: 1) {
            c = c * (m + UInt128(k)) / UInt128(k)
            guard c <= UInt128(Int.max) else {
                throw EngineError(.limitExceeded, "\(units) units on \(levels) levels have more than \(Int.max) macrostates")
            }
        }
        return Int(c)
    }

    /// Visit every macrostate in reverse lexicographic order, from (N, 0, ..., 0) to
    /// (0, ..., 0, N), with its index, occupations, energy and ln W.
    ///
    /// - Throws: `.limitExceeded` when there are more than `maxStates` macrostates,
    ///   and the argument errors of `macrostateCount`; nothing is visited then.
    /// - Complexity: O(count * L).
    public static func forEachMacrostate(
        units: Int, levelEnergies: [Double], maxStates: Int = defaultStateLimit,
        _ visit: (_ index: Int, _ occupations: UnsafeBufferPointer<Int>, _ energy: Double, _ logMultiplicity: Double) -> Void
    ) throws(EngineError) {
        let levels = levelEnergies.count
        try Check.nonEmpty(levels, "level_energies")
        try Check.allFinite(levelEnergies, "level_energies")
        let count = try macrostateCount(units: units, levels: levels)
        // |E| <= N max|e_l|: refuse up front rather than emit infinite energies.
        guard (Double(units) * levelEnergies.map(abs).max()!).isFinite else {
            throw .invalid("\(units) units on these level_energies have total energies that overflow a double")
        }
        guard count <= maxStates else {
            throw EngineError(.limitExceeded,
                "\(units) units on \(levels) levels have \(count) macrostates, above max_states = \(maxStates); raise max_states to enumerate them")
        }
        // With L >= 2 every n_l <= N < count, so the table is no larger than the output.
        let table = levels >= 2 ? (0...units).map { logFactorial($0) } : []
        var n = [Int](repeating: 0, count: levels)
        n[0] = units
        n.withUnsafeMutableBufferPointer { n in
            for index in 0..<count {
                var energy = 0.0
                var logW = levels >= 2 ? table[units] : 0
                if levels >= 2 {
                    for l in 0..<levels {
                        energy += Double(n[l]) * levelEnergies[l]
                        logW -= table[n[l]]
                    }
                } else {
                    energy = Double(units) * levelEnergies[0]
                }
                visit(index, UnsafeBufferPointer(n), energy, logW)
                advance(n)
            }
        }
    }

    /// The microcanonical spectrum: one level per distinct total energy E with
    /// log-degeneracy ln Omega(E) = ln sum W over the macrostates at E (the
    /// microcanonical entropy). Its log Z is N log z.
    public static func microcanonicalSpectrum(units: Int, levelEnergies: [Double], maxStates: Int = defaultStateLimit) throws(EngineError) -> Spectrum {
        // Every macrostate's energy and weight, then the merge's copies: ~40 bytes each,
        // checked before the walk (a raised max_states may allow trillions).
        if let count = try? macrostateCount(units: units, levels: levelEnergies.count), count <= maxStates {
            try Memory.reserve(count, bytesEach: 40, for: "the \(count) macrostates of \(units) units on \(levelEnergies.count) levels")
        }
        var energies = [Double](), logW = [Double]()
        try forEachMacrostate(units: units, levelEnergies: levelEnergies, maxStates: maxStates) { _, _, e, w in
            energies.append(e)
            logW.append(w)
        }
        let levels = Spectrum.merged(energies: energies, logDegeneracies: logW)
        return try Spectrum(energies: levels.energies, logDegeneracies: levels.logDegeneracies)
    }

    /// Next composition in reverse lexicographic order: move one unit from the last
    /// non-empty level before the end one level up, and bring back everything that
    /// sat in the last level with it.
    private static func advance(_ n: UnsafeMutableBufferPointer<Int>) {
        let last = n.count - 1
        guard last >= 1 else { return }
        let tail = n[last]
        n[last] = 0
        var j = last - 1
        while j >= 0 && n[j] == 0 { j -= 1 }
        guard j >= 0 else { return }
        n[j] -= 1
        n[j + 1] = tail + 1
    }

    private static func unitCount(_ occupations: [Int]) throws(EngineError) -> Int {
        try Check.nonEmpty(occupations.count, "occupations")
        var total = 0
        for (l, n) in occupations.enumerated() {
            guard n >= 0 else { throw .invalid("occupations[\(l)] must be >= 0, got \(n)") }
            let (sum, overflow) = total.addingReportingOverflow(n)
            guard !overflow else { throw .invalid("the occupations add up to more than \(Int.max) units") }
            total = sum
        }
        return total
    }
}

/// ln n! = lgamma(n + 1), thread-safe (lgamma_r, not lgamma's global sign).
@inline(__always)
func logFactorial(_ n: Int) -> Double {
    var sign: Int32 = 0
    return lgamma_r(Double(n) + 1, &sign)
}
