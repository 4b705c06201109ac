import Glibc

/// Arithmetic modulo a prime p < 2^62 in Montgomery form (R = 2^64), the number-
/// theoretic transform, and the search for primes p = 1 + c L with the roots of unity
/// it needs: the pieces of exact, multi-modular computations (big-integer results
/// recovered from their residues by `ChineseRemainder`).
///
/// Elements are stored as a R mod p in [0, p). p < 2^62 keeps every Montgomery
/// product's intermediate below 2p < 2^63, so one conditional subtraction reduces it.
struct PrimeField: Sendable {
    let p: UInt64
    /// -p^-1 mod 2^64.
    private let negativeInverse: UInt64
    /// R^2 mod p, to enter Montgomery form.
    private let rSquared: UInt64
    /// 1 and 2 in Montgomery form.
    let one: UInt64, two: UInt64

    init(_ p: UInt64) {
        precondition(p & 1 == 1 && p > 2 && p < 1 << 62, "PrimeField needs an odd modulus below 2^62")
        self.p = p
        var inverse = p  // Newton's iteration doubles the correct low bits: 3 -> 6 -> ... -> 96.
        for _ in 0..<5 { inverse = inverse &* (2 &- p &* inverse) }
        negativeInverse = 0 &- inverse
        let r = (0 &- p) % p  // 2^64 mod p
        let (high, low) = r.multipliedFullWidth(by: r)
        rSquared = p.dividingFullWidth((high, low)).remainder
        one = r
        two = r << 1 >= p ? (r << 1) - p : r << 1
    }

    /// a b R^-1 mod p (both in Montgomery form: the product in Montgomery form).
    @inline(__always) func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        let m = low &* negativeInverse
        let (mHigh, mLow) = m.multipliedFullWidth(by: p)
        let (_, carry) = low.addingReportingOverflow(mLow)
        let t = high &+ mHigh &+ (carry ? 1 : 0)
        return t >= p ? t &- p : t
    }

    @inline(__always) func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a &+ b
        return s >= p ? s &- p : s
    }

    @inline(__always) func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ p &- b
    }

    /// The element for the integer a (any UInt64).
    func element(_ a: UInt64) -> UInt64 { multiply(a % p, rSquared) }

    /// The integer in [0, p) an element stands for.
    func value(_ a: UInt64) -> UInt64 { multiply(a, 1) }

    func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result = one, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = multiply(result, b) }
            b = multiply(b, b)
            e >>= 1
        }
        return result
    }

    /// a^-1 by Fermat (a != 0).
    func inverse(_ a: UInt64) -> UInt64 { power(a, p - 2) }

    /// In-place number-theoretic transform of `values` (a power-of-two count M) with
    /// `root` of order exactly M: values[j] <- sum_k values[k] root^(jk). Iterative
    /// radix 2 (bit reversal, then butterflies).
    func transform(_ values: inout [UInt64], root: UInt64) {
        let count = values.count
        precondition(count.nonzeroBitCount == 1, "the transform needs a power-of-two length")
        var j = 0
        for i in 1..<max(count, 1) {
            var bit = count >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { values.swapAt(i, j) }
        }
        var length = 2
        while length <= count {
            let step = power(root, UInt64(count / length))
            let half = length / 2
            var twiddles = [UInt64](repeating: one, count: half)
            for k in 1..<max(half, 1) { twiddles[k] = multiply(twiddles[k - 1], step) }
            values.withUnsafeMutableBufferPointer { v in
                var start = 0
                while start < count {
                    for k in 0..<half {
                        let u = v[start + k], w = multiply(v[start + k + half], twiddles[k])
                        v[start + k] = add(u, w)
                        v[start + k + half] = subtract(u, w)
                    }
                    start += length
                }
            }
            length <<= 1
        }
    }

    /// An element of order exactly `order` (which must divide p - 1): the first
    /// a^((p-1)/order), a = 2, 3, ..., whose power (order / q) is not 1 for every
    /// prime q dividing order.
    func rootOfUnity(order: Int) -> UInt64 {
        precondition(order > 0 && (p - 1) % UInt64(order) == 0, "the order must divide p - 1")
        let primes = PrimeField.primeFactors(order)
        var a: UInt64 = 2
        while true {
            let candidate = power(element(a), (p - 1) / UInt64(order))
            if primes.allSatisfy({ power(candidate, UInt64(order / $0)) != one }) { return candidate }
            a += 1
        }
    }

    /// The distinct prime factors of n >= 1, by trial division.
    static func primeFactors(_ n: Int) -> [Int] {
        var factors: [Int] = [], rest = n, d = 2
        while d * d <= rest {
            if rest % d == 0 { factors.append(d); while rest % d == 0 { rest /= d } }
            d += 1
        }
        if rest > 1 { factors.append(rest) }
        return factors
    }

    /// Deterministic Miller-Rabin for 64-bit n (the seven bases of Jaeschke and
    /// Sinclair are a proof of primality below 2^64).
    static func isPrime(_ n: UInt64) -> Bool {
        if n < 2 { return false }
        for small: UInt64 in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] where n % small == 0 { return n == small }
        func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (h, l) = a.multipliedFullWidth(by: b)
            return n.dividingFullWidth((h, l)).remainder
        }
        func powmod(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
            var result: UInt64 = 1, b = base % n, e = exponent
            while e > 0 {
                if e & 1 == 1 { result = mulmod(result, b) }
                b = mulmod(b, b)
                e >>= 1
            }
            return result
        }
        let shift = (n - 1).trailingZeroBitCount, odd = (n - 1) >> shift
        witnesses: for base: UInt64 in [2, 325, 9375, 28178, 450775, 9780504, 1795265022] {
            let a = base % n
            if a == 0 { continue }
            var x = powmod(a, odd)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<max(shift, 1) {
                x = mulmod(x, x)
                if x == n - 1 { continue witnesses }
            }
            return false
        }
        return true
    }

    /// The `count` largest primes p = 1 + c `modulus` below 2^62, descending.
    static func primes(congruentToOneModulo modulus: Int, count: Int) -> [UInt64] {
        precondition(modulus > 0 && modulus < 1 << 40, "modulus out of range")
        var found: [UInt64] = []
        var c = ((UInt64(1) << 62) - 2) / UInt64(modulus)
        while found.count < count && c > 0 {
            let candidate = c * UInt64(modulus) + 1
            if isPrime(candidate) { found.append(candidate) }
            c -= 1
        }
        return found
    }
}

/// Non-negative integers recovered from their residues modulo distinct primes
/// (Garner's mixed-radix form, then Horner into 64-bit words, least significant
/// first).
enum ChineseRemainder {
    /// The integers whose residues modulo `primes[i]` are `residues[i][k]` (plain
    /// integers in [0, p_i)), each written as `words` 64-bit words into
    /// out[k * words ..< (k + 1) * words]. Returns false if a value needs more words
    /// (the residues were not of a small enough integer).
    static func reconstruct(primes: [UInt64], residues: [[UInt64]], words: Int, into out: inout [UInt64]) -> Bool {
        let count = primes.count, values = residues.first?.count ?? 0
        let fields = primes.map { PrimeField($0) }
        // inverses[i][j] = p_j^-1 mod p_i (Montgomery form), j < i.
        let inverses = (0..<count).map { i in (0..<i).map { j in fields[i].inverse(fields[i].element(primes[j])) } }
        out = [UInt64](repeating: 0, count: values * words)
        var digits = [UInt64](repeating: 0, count: count)
        for k in 0..<values {
            for i in 0..<count {
                let field = fields[i]
                var t = field.element(residues[i][k])
                for j in 0..<i { t = field.multiply(field.subtract(t, field.element(digits[j])), inverses[i][j]) }
                digits[i] = field.value(t)
            }
            // value = d0 + p0 (d1 + p1 (d2 + ...)).
            let base = k * words
            var overflow = false
            for i in stride(from: count - 1, through: 0, by: -1) {
                var carry = digits[i]
                let factor: UInt64 = i == count - 1 ? 0 : primes[i]
                for w in 0..<words {
                    let (high, low) = out[base + w].multipliedFullWidth(by: factor)
                    let (sum, over) = low.addingReportingOverflow(carry)
                    out[base + w] = sum
                    carry = high &+ (over ? 1 : 0)
                }
                if carry != 0 { overflow = true }
            }
            if overflow { return false }
        }
        return true
    }

    /// ln of the integer in `words` little-endian 64-bit words (-inf for 0), to double
    /// precision.
    static func logarithm<Words: RandomAccessCollection>(_ words: Words) -> Double where Words.Element == UInt64, Words.Index == Int {
        guard let top = words.lastIndex(where: { $0 != 0 }) else { return -.infinity }
        guard top > words.startIndex else { return log(Double(words[top])) }
        let mantissa = Double(words[top]) + Double(words[top - 1]) * 0x1p-64
        return log(mantissa) + Double(64 * (top - words.startIndex)) * 0.6931471805599453
    }
}
