/// Lane-wise e^x for x <= 0, the inner loop of every log-sum-exp in the engine.
///
/// Method (Cody & Waite range reduction, then a polynomial): x = k ln 2 + r with
/// k = round(x / ln 2) and |r| <= ln(2)/2, ln 2 split into a 32-bit head and a tail
/// so that k * ln2Hi is exact; e^r by its Taylor polynomial to degree 13 (truncation
/// error r^14/14! < 5e-18, below half an ulp) evaluated by Estrin's scheme; then 2^k
/// is built from its IEEE-754 bits. Relative error is within 2 ulp of e^x (the
/// tests measure it against Glibc's exp).
///
/// Inputs below -708 return 0: the true value is under 3.3e-308, and every caller
/// adds it to a sum whose largest term is 1, so the change is below 1e-300 relative.
/// -inf returns 0; NaN inputs are a caller bug (inputs are validated upstream).
@inline(__always)
func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let cutoff = SIMD4<Double>(repeating: -708.0)
    let tooSmall = x .< cutoff
    let xc = x.replacing(with: cutoff, where: tooSmall)

    // round(xc / ln 2) without SSE4.1 `roundpd`: adding 1.5 * 2^52 leaves k in the
    // low mantissa bits (valid for |k| < 2^51).
    let shifter = SIMD4<Double>(repeating: 6_755_399_441_055_744.0)
    let shifted = xc * 1.442_695_040_888_963_4 + shifter
    let k = shifted - shifter
    let r = (xc - k * 6.931_471_803_691_238_164_90e-01) - k * 1.908_214_929_270_587_700_02e-10

    // Estrin's scheme: the same polynomial with dependency depth 5 instead of 14,
    // so the out-of-order core overlaps the products (Horner is latency-bound here).
    let r2 = r * r, r4 = r2 * r2
    let p01 = 1.0 + r
    let p23 = 0.5 + r * (1.0 / 6.0)
    let p45 = (1.0 / 24.0) + r * (1.0 / 120.0)
    let p67 = (1.0 / 720.0) + r * (1.0 / 5_040.0)
    let p89 = (1.0 / 40_320.0) + r * (1.0 / 362_880.0)
    let p1011 = (1.0 / 3_628_800.0) + r * (1.0 / 39_916_800.0)
    let p1213 = (1.0 / 479_001_600.0) + r * (1.0 / 6_227_020_800.0)
    let low = p01 + r2 * p23
    let mid = p45 + r2 * p67
    let high = (p89 + r2 * p1011) + r4 * p1213
    let p = low + r4 * (mid + r4 * high)

    // 2^k: k in [-1022, 0] here, so the biased exponent k + 1023 is in range.
    let kBits = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- unsafeBitCast(shifter, to: SIMD4<Int64>.self)
    let scale = unsafeBitCast((kBits &+ 1023) &<< 52, to: SIMD4<Double>.self)
    return (p * scale).replacing(with: 0, where: tooSmall)
}

/// Scalar e^x for x <= 0 with the same method and cut-off as the vector form, for
/// loop tails, so a level gets the same weight whichever lane computed it.
@inline(__always)
func expNonPositive(_ x: Double) -> Double {
    expNonPositive(SIMD4<Double>(repeating: x))[0]
}
