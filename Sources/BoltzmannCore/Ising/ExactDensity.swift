import Glibc

/// An exact density of states: the energies that occur, ascending, with their number
/// of states g(E) as exact integers (`words` little-endian 64-bit words per level in
/// `counts`, level after level) and as ln g.
public struct ExactDensity: Sendable, Equatable {
    public let energies: [Double]
    public let logG: [Double]
    public let words: Int
    public let counts: [UInt64]

    /// g of level `index` as words, least significant first.
    public func count(at index: Int) -> ArraySlice<UInt64> { counts[(index * words)..<((index + 1) * words)] }

    static func empty(words: Int) -> ExactDensity { ExactDensity(energies: [], logG: [], words: words, counts: []) }
}

/// Whole-number polynomial coefficients (numbers of states) from evaluations modulo
/// many primes: the machinery Beale's and the transfer matrix's exact densities of
/// states share. A polynomial sum_k g_k y^k of degree D with 0 <= g_k <= 2^bits is
/// evaluated, modulo each prime p = 1 + c L (L a multiple of the transform length
/// M > D), at y_j = t omega^j (omega of order M); one inverse transform gives
/// g_k t^k; Garner's algorithm recovers the integers from primes whose product
/// exceeds 2^(bits + 1), and one prime more checks them.
enum MultiModular {
    /// The primes for coefficients up to 2^bits: enough, then one to check.
    static func primes(modulus: Int, bits: Int) throws(EngineError) -> [UInt64] {
        var primes: [UInt64] = [], covered = 0.0
        for p in PrimeField.primes(congruentToOneModulo: modulus, count: bits / 60 + 4) {
            primes.append(p)
            if covered > Double(bits + 1) { return primes }
            covered += log2(Double(p))
        }
        throw EngineError(.limitExceeded, "not enough primes 1 + c \(modulus) below 2^62 for numbers of \(bits) bits")
    }

    /// The smallest power of two above `degree`.
    static func transformLength(degree: Int) -> Int {
        var length = 1
        while length <= degree { length <<= 1 }
        return length
    }

    /// g_0 ... g_degree modulo f.p (plain integers in [0, p)) from values[j] =
    /// P(t omega^j) (Montgomery form, values.count = M, omega of order M); nil if a
    /// coefficient past `degree` is not zero (the polynomial was not what it should be).
    static func coefficients(_ f: PrimeField, values: inout [UInt64], omega: UInt64, shift t: UInt64, degree: Int) -> [UInt64]? {
        let m = values.count
        f.transform(&values, root: f.inverse(omega))
        let tInverse = f.inverse(t)
        var unshift = f.inverse(f.element(UInt64(m)))
        var result = [UInt64](repeating: 0, count: degree + 1)
        for k in 0..<m {
            let g = f.multiply(values[k], unshift)
            if k <= degree { result[k] = f.value(g) } else if g != 0 { return nil }
            unshift = f.multiply(unshift, tInverse)
        }
        return result
    }

    /// The density of states with g_k = the integers whose residues modulo primes[i]
    /// are residues[i][k] (the last prime checks the others' result) at energy(k),
    /// keeping the levels with g > 0, ascending in energy.
    /// - Throws: NOT_CONVERGED when the check prime disagrees or a value overflows
    ///   `words` (a defect: the polynomial's coefficients were not those integers).
    static func density(primes: [UInt64], residues: [[UInt64]], words: Int, energy: (Int) -> Double) throws(EngineError) -> ExactDensity {
        var counts: [UInt64] = []
        let check = primes.last!, levels = residues[0].count
        guard ChineseRemainder.reconstruct(primes: Array(primes.dropLast()), residues: Array(residues.dropLast()), words: words, into: &counts),
              (0..<levels).allSatisfy({ k in remainder(counts[(k * words)..<((k + 1) * words)], check) == residues.last![k] }) else {
            throw EngineError(.notConverged, "an exact density of states failed its check against an independent prime: an internal error, please report it")
        }
        let order = (0..<levels).filter { k in counts[(k * words)..<((k + 1) * words)].contains { $0 != 0 } }
            .sorted { energy($0) < energy($1) }
        var kept: [UInt64] = []
        kept.reserveCapacity(order.count * words)
        for k in order { kept.append(contentsOf: counts[(k * words)..<((k + 1) * words)]) }
        return ExactDensity(energies: order.map(energy),
                            logG: order.map { ChineseRemainder.logarithm(counts[($0 * words)..<(($0 + 1) * words)]) },
                            words: words, counts: kept)
    }

    /// The integer in little-endian words modulo p.
    private static func remainder(_ words: ArraySlice<UInt64>, _ p: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for word in words.reversed() { r = p.dividingFullWidth((r, word)).remainder }
        return r
    }
}
