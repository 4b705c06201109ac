import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Vector exponential")
struct VectorExpTests {
    /// Relative error against Glibc's correctly-rounded-to-within-1-ulp exp, over the
    /// whole non-positive range the kernel uses: within 2 ulp (the doc's promise) plus
    /// Glibc's own half ulp.
    @Test func matchesLibmWithinTwoUlp() {
        var rng = SplitMix64(seed: 7)
        var worst = 0.0
        for i in 0..<200_000 {
            let x = i < 100_000 ? -708 * rng.unit() : -rng.unit()  // dense near 0 as well
            let v = SIMD4<Double>(x, x / 2, x / 3, x / 7)
            let got = expNonPositive(v)
            for lane in 0..<4 {
                let want = exp(v[lane])
                worst = max(worst, abs(got[lane] - want) / want)
            }
        }
        #expect(worst <= 2.5 * Double.ulpOfOne, "worst relative error \(worst)")
    }

    @Test func edgesAreExact() {
        #expect(expNonPositive(0.0) == 1)
        #expect(expNonPositive(-0.0) == 1)
        #expect(expNonPositive(-.infinity) == 0)
        #expect(expNonPositive(-709.0) == 0)  // documented cut-off: true value < 1.2e-308
        #expect(expNonPositive(-1e300) == 0)
        #expect(abs(expNonPositive(-708.0) / exp(-708.0) - 1) < 1e-15)
    }
}

/// A small, seeded generator for test inputs (SplitMix64, Steele et al. 2014).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
