import Glibc
import Testing

@testable import BoltzmannCore

/// Beale's exact density of states of the square torus against enumeration (every
/// count exact) and Kaufman's log Z; and the modular arithmetic under it.
@Suite("Beale's exact density of states")
struct BealeDensityTests {
    /// Tori small enough to enumerate, even and odd sides (3 x 6 puts the odd side
    /// first; 5 x 4 has n odd after the swap; 3 x 3, 5 x 5, 3 x 7 both odd), both
    /// signs of J: every count equal.
    @Test(arguments: [(4, 4, 1.0), (4, 5, 1.0), (3, 6, 1.0), (5, 4, -1.0), (4, 6, 3.0), (3, 4, -2.0),
                      (3, 3, 1.0), (5, 5, 1.0), (3, 5, -1.0), (3, 7, 2.0)])
    func matchesEnumeration(_ rows: Int, _ columns: Int, _ coupling: Double) throws {
        let model = try IsingModel.square(rows, columns, coupling: coupling, field: 0, periodic: true)
        let exact = try IsingEnumeration.densityOfStates(model, byMagnetization: false)
        let dos = try IsingSquare.bealeDensity(rows: rows, columns: columns, coupling: coupling)
        // Enumeration's levels are integers of the model's energy; ours are J (4k - 2N).
        let occurring = exact.counts.enumerated().filter { $0.element > 0 }
        #expect(dos.energies == occurring.map { Double(exact.minEnergy + $0.offset) })
        for (k, level) in occurring.enumerated() {
            #expect(dos.count(at: k).first == UInt64(level.element) && dos.count(at: k).dropFirst().allSatisfy { $0 == 0 })
            #expect(abs(dos.logG[k] - log(Double(level.element))) < 1e-14 * max(1, log(Double(level.element))))
        }
    }

    /// Larger tori: the counts sum to 2^N exactly, g is symmetric in E on a bipartite
    /// torus, the ground level holds the two ordered states, and ln sum g e^(-beta E)
    /// equals Kaufman's log Z to 1e-12 relative from T = infinity through T_c to
    /// T = 0.25.
    @Test(arguments: [(16, 16), (12, 10), (10, 7), (15, 15), (9, 13), (32, 32)])
    func sumsToTwoToTheNAndReproducesKaufman(_ rows: Int, _ columns: Int) throws {
        let dos = try IsingSquare.bealeDensity(rows: rows, columns: columns, coupling: 1)
        let spins = rows * columns
        var total = [UInt64](repeating: 0, count: dos.words + 1)
        for k in dos.energies.indices {
            var carry: UInt64 = 0
            for (w, word) in dos.count(at: k).enumerated() {
                let (s1, o1) = total[w].addingReportingOverflow(word)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                total[w] = s2
                carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
            }
            total[dos.words] &+= carry
        }
        var twoToTheN = [UInt64](repeating: 0, count: dos.words + 1)
        twoToTheN[spins / 64] = 1 << UInt64(spins % 64)
        #expect(total == twoToTheN)
        #expect(dos.energies.first == -2 * Double(spins) && dos.count(at: 0).first == 2)
        if rows % 2 == 0 && columns % 2 == 0 {
            #expect(dos.energies == dos.energies.reversed().map { -$0 })
            #expect(dos.logG == dos.logG.reversed())
        }
        let betas = [0.0, 0.1, 0.3, log(1 + 2.0.squareRoot()) / 2, 0.6, 1.0, 4.0]
        let kaufman = try IsingSquare.kaufman(rows: rows, columns: columns, coupling: 1, betas: betas)
        for (i, beta) in betas.enumerated() {
            let terms = zip(dos.logG, dos.energies).map { $0 - beta * $1 }
            let top = terms.max()!
            let logZ = top + log(terms.reduce(0) { $0 + exp($1 - top) })
            #expect(abs(logZ - kaufman.logZ[i]) <= 1e-12 * abs(kaufman.logZ[i]), "beta = \(beta)")
        }
    }

    @Test func refusesWhatItCannotDo() throws {
        #expect(throws: EngineError.self) { try IsingSquare.bealeDensity(rows: 2, columns: 8, coupling: 1) }
        #expect(throws: EngineError.self) { try IsingSquare.bealeDensity(rows: 4, columns: 4, coupling: 0) }
        #expect(throws: EngineError.self) { try IsingSquare.bealeDensity(rows: 4, columns: 4, coupling: .nan) }
        #expect(throws: EngineError.self) { try IsingSquare.bealeSize(rows: 1 << 13, columns: 1 << 13) }
    }

    @Test func modularArithmetic() {
        #expect(PrimeField.isPrime(2_305_843_009_213_693_951))  // 2^61 - 1
        #expect(!PrimeField.isPrime(3_215_031_751))  // a strong pseudoprime to bases 2, 3, 5, 7
        #expect(!PrimeField.isPrime(4_611_686_014_132_420_609))  // (2^31 - 1)^2
        let primes = PrimeField.primes(congruentToOneModulo: 1 << 12, count: 3)
        #expect(primes.count == 3 && primes.allSatisfy { $0 % (1 << 12) == 1 && $0 < 1 << 62 && PrimeField.isPrime($0) })
        let f = PrimeField(primes[0])
        let a = f.element(123_456_789_012_345), b = f.element(987_654_321)
        let product = (123_456_789_012_345 as UInt64).multipliedFullWidth(by: 987_654_321)
        #expect(f.value(f.multiply(a, b)) == primes[0].dividingFullWidth(product).remainder)
        #expect(f.multiply(a, f.inverse(a)) == f.one)
        // The transform and its inverse.
        let root = f.rootOfUnity(order: 16)
        #expect(f.power(root, 8) != f.one && f.power(root, 16) == f.one)
        let original = (0..<16).map { f.element(UInt64($0 * $0 + 7)) }
        var values = original
        f.transform(&values, root: root)
        #expect(values[0] == original.reduce(f.element(0)) { f.add($0, $1) })
        f.transform(&values, root: f.inverse(root))
        let scale = f.inverse(f.element(16))
        #expect(values.map { f.multiply($0, scale) } == original)
        // The Chinese remainder theorem on 2^100 + 12345 from three primes.
        var out: [UInt64] = []
        let words: [UInt64] = [12345, 1 << 36]
        let residues = primes.map { p in [words.reversed().reduce(UInt64(0)) { p.dividingFullWidth(($0, $1)).remainder }] }
        #expect(ChineseRemainder.reconstruct(primes: primes, residues: residues, words: 2, into: &out))
        #expect(out == words)
        #expect(abs(ChineseRemainder.logarithm(words) - (100 * log(2.0))) < 1e-13)
    }
}
