import BoltzmannKernels
import BoltzmannKernelsAVX2
import Glibc
import Testing

@testable import BoltzmannCore

/// The two builds of the elementwise kernels (baseline and AVX2) must be
/// interchangeable to the bit, so a seed gives the same numbers on any x86-64
/// processor; and SiLU must be what it says against a double-precision reference.
@Suite("Vector kernels")
struct VectorKernelTests {
    /// Inputs over the whole range the kernels see, with the clamps' edges, zeros,
    /// and counts that leave tails after the sixteen-lane loop.
    static func inputs(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomStream(seed: seed)
        let edges: [Float] = [0, -0, 87, -87, 87.5, -87.5, 100, -100, 1e-30, -1e-30, 20, -20]
        return (0..<count).map { k in k < edges.count ? edges[k] : Float(15 * random.normal()) }
    }

    static let counts = [0, 1, 15, 16, 17, 31, 1000]

    @Test(.enabled(if: VectorUnit.usesAVX2, "this processor has no AVX2: only the baseline build runs"))
    func avx2BuildMatchesBaselineBitForBit() {
        for count in Self.counts {
            let x = Self.inputs(count, seed: UInt64(count))
            for slopes in [false, true] {
                var (y1, a1, y2, a2) = (x, [Float](repeating: 0, count: count), x, [Float](repeating: 0, count: count))
                BoltzmannKernels.VectorKernels.silu(&y1, &a1, count: count, slopes: slopes)
                BoltzmannKernelsAVX2.VectorKernels.silu(&y2, &a2, count: count, slopes: slopes)
                #expect(a1.map(\.bitPattern) == a2.map(\.bitPattern) && y1.map(\.bitPattern) == y2.map(\.bitPattern))
            }
            var (s1, s2) = (x, x)
            BoltzmannKernels.VectorKernels.sigmoid(&s1, count: count)
            BoltzmannKernelsAVX2.VectorKernels.sigmoid(&s2, count: count)
            #expect(s1.map(\.bitPattern) == s2.map(\.bitPattern))
            var (x1, x2, f1, f2) = (x, x, [Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
            let sum1 = BoltzmannKernels.VectorKernels.annealingFactors(&x1, &f1, count: count, beta: 0.7, previous: 0.3)
            let sum2 = BoltzmannKernelsAVX2.VectorKernels.annealingFactors(&x2, &f2, count: count, beta: 0.7, previous: 0.3)
            #expect(sum1.bitPattern == sum2.bitPattern && x1.map(\.bitPattern) == x2.map(\.bitPattern)
                    && f1.map(\.bitPattern) == f2.map(\.bitPattern))
            let row = Self.inputs(count, seed: UInt64(count) + 99)
            for scale: Float in [2, -2, 0.3] {
                var (z1, z2) = (x, x)
                BoltzmannKernels.VectorKernels.addScaled(&z1, row, scale, count: count)
                BoltzmannKernelsAVX2.VectorKernels.addScaled(&z2, row, scale, count: count)
                #expect(z1.map(\.bitPattern) == z2.map(\.bitPattern))
                // One rounding of the exact sum: as Float(Double(z) + Double(a x)) when a x is exact.
                if scale == 2 || scale == -2 {
                    #expect(z1 == (0..<count).map { Float(Double(x[$0]) + Double(scale) * Double(row[$0])) })
                }
            }
        }
    }

    /// Adam, Box-Muller and sin/cos: the two builds agree to the bit, tails included.
    @Test(.enabled(if: VectorUnit.usesAVX2, "this processor has no AVX2: only the baseline build runs"))
    func avx2TrainingKernelsMatchBaselineBitForBit() {
        for count in Self.counts {
            let g = Self.inputs(count, seed: 21 + UInt64(count)), start = Self.inputs(count, seed: 22 + UInt64(count))
            var (m1, v1, p1, a1) = (g, g.map { $0 * $0 }, start, start)
            var (m2, v2, p2, a2) = (m1, v1, p1, a1)
            BoltzmannKernels.VectorKernels.adam(g, &m1, &v1, &p1, &a1, count: count, scale: 0.7, stepSize: 1e-3, decay: 0.999)
            BoltzmannKernelsAVX2.VectorKernels.adam(g, &m2, &v2, &p2, &a2, count: count, scale: 0.7, stepSize: 1e-3, decay: 0.999)
            #expect([m1, v1, p1, a1].map { $0.map(\.bitPattern) } == [m2, v2, p2, a2].map { $0.map(\.bitPattern) })
            var random = RandomStream(seed: 23 + UInt64(count))
            let bits = [UInt64.max, 0, 1 << 40, 0xFFFF_FF00_0000_0000] + (0..<count).map { _ in random.next() }
            var (z1, z2) = ([Float](repeating: 0, count: 2 * bits.count), [Float](repeating: 0, count: 2 * bits.count))
            BoltzmannKernels.VectorKernels.boxMuller(bits, &z1, count: 2 * bits.count)
            BoltzmannKernelsAVX2.VectorKernels.boxMuller(bits, &z2, count: 2 * bits.count)
            #expect(z1.map(\.bitPattern) == z2.map(\.bitPattern))
            // An odd count: the same pairs, one fewer sine, the last word's cosine at the end.
            let w = bits.count
            var odd = [Float](repeating: 0, count: 2 * w - 1)
            VectorUnit.boxMuller(bits, &odd, count: 2 * w - 1)
            let want = Array(z1[0..<(w - 1)]) + Array(z1[w..<(2 * w - 1)]) + [z1[w - 1]]
            #expect(odd.map(\.bitPattern) == want.map(\.bitPattern))
            let angles = (0..<count).map { k in k < Self.angleEdges.count ? Self.angleEdges[k] : 300 * random.normal() }
            var (s1, c1, s2, c2) = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count),
                                    [Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
            BoltzmannKernels.VectorKernels.sinCos(angles, sines: &s1, cosines: &c1, count: count)
            BoltzmannKernelsAVX2.VectorKernels.sinCos(angles, sines: &s2, cosines: &c2, count: count)
            #expect(s1.map(\.bitPattern) == s2.map(\.bitPattern) && c1.map(\.bitPattern) == c2.map(\.bitPattern))
        }
    }

    /// Angles at the edges of `sinCos`'s reduction: zero, quadrant boundaries, the
    /// largest reduced magnitude and beyond it (the C library's path), and non-finite.
    static let angleEdges: [Double] = [0, -0.0, .pi / 4, -.pi / 4, .pi / 2, .pi, 3 * .pi / 2, 2 * .pi, 1e6, -1e6, 1.5e6, -3e9,
                                       .infinity, .nan, 1e-300, 710.5]

    /// sin and cos against the C library's, rounded to single: within one unit in the
    /// last place of the single-precision value (the series' error, below 1e-11, and
    /// the reduction's, about 1e-16 |n|, move the double result far less than the final
    /// rounding; the two roundings can differ only at a halfway point), or both NaN.
    @Test func sinCosMatchesTheCLibrary() {
        var random = RandomStream(seed: 31)
        let angles = Self.angleEdges + (0..<20_000).map { k in (k % 2 == 0 ? 1000 : 3) * random.normal() }
        var sines = [Float](repeating: 0, count: angles.count), cosines = sines
        VectorUnit.sinCos(angles, sines: &sines, cosines: &cosines, count: angles.count)
        for (k, angle) in angles.enumerated() {
            for (ours, want) in [(sines[k], Float(Glibc.sin(angle))), (cosines[k], Float(Glibc.cos(angle)))] {
                if want.isNaN { #expect(ours.isNaN, "angle \(angle)"); continue }
                #expect(abs(ours - want) <= max(want.ulp, Float.leastNormalMagnitude), "angle \(angle): \(ours), want \(want)")
            }
        }
    }

    /// Box-Muller against the exact transform of the same bits, in double precision:
    /// the logarithm's series (below 1e-9), its float roundings (a few 2^-24 relative
    /// in ln u1, half that in the radius) and those of the rotation (a few 2^-24 in cos
    /// and sin) keep every value within 1e-6 (1 + r). Then the distribution: 2^20 values'
    /// mean, variance and the fractions below -2, -1, 0, 1, 2 within 5 standard errors
    /// of N(0, 1)'s, and none beyond the 5.77 bound.
    @Test func boxMullerIsTheTransformOfItsBits() {
        var random = RandomStream(seed: 37)
        let pairs = 1 << 19
        let bits = [UInt64.max, 0, 1 << 40, 0xFFFF_FF00_0000_0000] + (0..<(pairs - 4)).map { _ in random.next() }
        var z = [Float](repeating: 0, count: 2 * pairs)
        VectorUnit.boxMuller(bits, &z, count: 2 * pairs)
        var worst = 0.0
        for i in 0..<pairs {
            let u1 = Double((bits[i] >> 40) + 1) * 0x1p-24, angle = 2 * Double.pi * Double((bits[i] >> 16) & 0xFF_FFFF) * 0x1p-24
            let radius = (-2 * Glibc.log(u1)).squareRoot()
            worst = max(worst, abs(Double(z[i]) - radius * Glibc.cos(angle)) / (1 + radius),
                        abs(Double(z[pairs + i]) - radius * Glibc.sin(angle)) / (1 + radius))
        }
        #expect(worst < 1e-6, "largest error \(worst) (1 + r)")
        let n = Double(z.count), mean = z.reduce(0.0) { $0 + Double($1) } / n
        let variance = z.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        #expect(abs(mean) < 5 / n.squareRoot() && abs(variance - 1) < 5 * (2 / n).squareRoot(), "mean \(mean), variance \(variance)")
        for cut in [-2.0, -1, 0, 1, 2] {
            let p = 0.5 * erfc(-cut / 2.0.squareRoot()), below = Double(z.count { Double($0) < cut }) / n
            #expect(abs(below - p) < 5 * (p * (1 - p) / n).squareRoot(), "P(z < \(cut)) = \(below), want \(p)")
        }
        #expect(z.allSatisfy { abs($0) <= 5.78 })
    }

    /// The scalar, eight- and sixteen-lane exponentials give the same values (the
    /// kernels' tails rely on it).
    @Test func lanesAgreeWithTheScalar() {
        let x = Self.inputs(16, seed: 1)
        let wide = BoltzmannKernels.VectorKernels.exp(SIMD16<Float>(x))
        let low = BoltzmannKernels.VectorKernels.exp(SIMD8<Float>(x[0..<8])), high = BoltzmannKernels.VectorKernels.exp(SIMD8<Float>(x[8..<16]))
        for k in 0..<16 {
            let scalar = BoltzmannKernels.VectorKernels.exp(x[k])
            #expect(wide[k].bitPattern == scalar.bitPattern && (k < 8 ? low[k] : high[k - 8]).bitPattern == scalar.bitPattern)
        }
    }

    /// SiLU and its slope (through the dispatched build) against double precision:
    /// the exp is within 2e-7 relative, and the division and products add a few
    /// float roundings, so 1e-6 relative (plus 1e-30 absolute for underflow to zero).
    /// The slope s (1 + y (1 - s)) cancels near y = -1.28, so its error is relative
    /// to the size of the terms that cancel, s (1 + |y| (1 - s)).
    @Test func siluMatchesDoublePrecision() {
        for count in Self.counts {
            var y = Self.inputs(count, seed: 7 + UInt64(count)), a = [Float](repeating: 0, count: count)
            let x = y
            y.withUnsafeMutableBufferPointer { yb in
                a.withUnsafeMutableBufferPointer { ab in
                    if count > 0 { VectorUnit.silu(yb.baseAddress!, ab.baseAddress!, count: count, slopes: true) }
                }
            }
            for k in 0..<count {
                let v = Double(x[k]), s = 1 / (1 + Glibc.exp(-v))
                let silu = v * s, slope = s * (1 + v * (1 - s))
                #expect(abs(Double(a[k]) - silu) <= 1e-6 * abs(silu) + 1e-30, "SiLU(\(v)) = \(a[k]), want \(silu)")
                #expect(abs(Double(y[k]) - slope) <= 1e-6 * s * (1 + abs(v) * (1 - s)) + 1e-30, "SiLU'(\(v)) = \(y[k]), want \(slope)")
            }
        }
    }

    /// AIS's factors, probabilities and positive sum against double precision:
    /// each is a ratio or sum of float values within 2e-7 relative of exact, so
    /// 1e-6 relative, plus the rounding of beta x for the far tail of the sigmoid
    /// (the sum: relative to the sum of magnitudes, 1e-6 covering float
    /// accumulation of up to 1000 terms at 2^-24 each).
    @Test func annealingFactorsMatchDoublePrecision() {
        for count in Self.counts {
            var x = Self.inputs(count, seed: 11 + UInt64(count)), factor = [Float](repeating: 0, count: count)
            let original = x
            let beta: Float = 0.9, previous: Float = 0.85
            let sum = VectorUnit.annealingFactors(&x, &factor, count: count, beta: beta, previous: previous)
            var wantSum = 0.0, magnitudes = 0.0
            for k in 0..<count {
                let v = Double(original[k])
                let want = (1 + Glibc.exp(-Double(beta) * abs(v))) / (1 + Glibc.exp(-Double(previous) * abs(v)))
                let p = 1 / (1 + Glibc.exp(-Double(beta) * v))
                #expect(abs(Double(factor[k]) - want) <= 1e-6 * want, "factor(\(v)) = \(factor[k]), want \(want)")
                // beta x is rounded to float first: 2^-24 |beta x| more relative error in e^{-beta |x|}.
                let tolerance = 1e-6 + 6e-8 * Double(beta) * abs(v)
                #expect(abs(Double(x[k]) - p) <= tolerance * p + 1e-30, "sigmoid(beta \(v)) = \(x[k]), want \(p)")
                wantSum += max(v, 0); magnitudes += abs(v)
            }
            #expect(abs(Double(sum) - wantSum) <= 1e-6 * magnitudes)
        }
    }
}
