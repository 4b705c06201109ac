import Glibc

/// The engine's hottest elementwise loops over contiguous single-precision buffers:
/// the exponential, the logistic function, SiLU, AIS's annealing factors, a scaled
/// row added to a vector (a spin flip's update of the local fields), and the score
/// network's training: Adam, Box-Muller noise and the time features' sin and cos.
///
/// This one file is compiled twice. As `BoltzmannKernels` it targets the baseline
/// x86-64 processor (SSE2, four lanes); through a symbolic link it is also
/// `BoltzmannKernelsAVX2`, built with `-target-cpu haswell` (AVX2, eight lanes per
/// instruction). The engine calls the AVX2 build only where the processor and the OS
/// support it (`VectorUnit` in BoltzmannCore). Both builds perform the same IEEE-754
/// operations in the same order, with no fused multiply-add (Swift does not contract
/// a * b + c), so they give bit-identical results: a seed means the same numbers on
/// any x86-64 machine.
///
/// Rules that keep the AVX2 build from leaking into baseline code: raw pointers and
/// SIMD values only (no generics, classes or arrays whose specialisations the linker
/// could merge with the baseline module's), and entry points `@inline(never)` so no
/// caller compiles their bodies into its own. A test scans the built library for
/// AVX instructions outside `BoltzmannKernelsAVX2`.
///
/// What vectorises, checked in the disassembly: Float comparisons and `replacing`,
/// integer and bit operations, and square roots (the package builds these modules
/// without C's errno, see Package.swift). What does not: comparisons of integer
/// lanes, which build their masks lane by lane (blend with bit masks instead).
public enum VectorKernels {
    /// e^x in single precision for x in [-87, 87] (inputs are clamped there):
    /// x = n ln 2 + r, |r| <= ln(2)/2, with ln 2 split in two (Cody & Waite), e^r by
    /// the minimax polynomial of Cephes' expf (relative error below 2e-7) evaluated
    /// by Estrin's scheme (a shorter dependency chain than Horner's), and 2^n from
    /// its IEEE-754 bits. No branches, so loops over it vectorise.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = min(max(x, -87), 87)
        let shifter: Float = 12_583_039  // 1.5 * 2^23 + 127: adding it rounds to an integer
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693_359_375) + n * 2.121_944_4e-4
        let r2 = r * r
        let p = (5.000_000_12e-1 + 1.666_666_55e-1 * r) + (4.166_579_59e-2 + 8.333_451_9e-3 * r) * r2
            + (1.398_199_95e-3 + 1.987_569_15e-4 * r) * (r2 * r2)
        let er = p * r2 + r + 1
        // shifted's low mantissa bits hold n + 127 (in [1, 253]), the biased exponent of 2^n;
        // the higher bits of 1.5 * 2^23 shift out.
        let scale = Float(bitPattern: shifted.bitPattern &<< 23)
        return er * scale
    }

    /// `exp(_:)` on eight lanes, with the same clamping and operations in the same
    /// order, hence the same values: for loops that also reduce (a sum or a
    /// maximum), which the compiler does not vectorise by itself.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let floor = SIMD8<Float>(repeating: -87), ceiling = SIMD8<Float>(repeating: 87)
        var clamped = x.replacing(with: floor, where: x .< floor)
        clamped.replace(with: ceiling, where: clamped .> ceiling)
        let shifter = SIMD8<Float>(repeating: 12_583_039)
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693_359_375) + n * 2.121_944_4e-4
        let r2 = r * r
        let p = (5.000_000_12e-1 + 1.666_666_55e-1 * r) + (4.166_579_59e-2 + 8.333_451_9e-3 * r) * r2
            + (1.398_199_95e-3 + 1.987_569_15e-4 * r) * (r2 * r2)
        let er = p * r2 + r + 1
        let bits = unsafeBitCast(shifted, to: SIMD8<UInt32>.self)
        let scale = unsafeBitCast(bits &<< 23, to: SIMD8<Float>.self)
        return er * scale
    }

    /// `exp(_:)` on sixteen lanes (two eight-lane halves: four SSE or two AVX2
    /// registers per operation, enough independent work to keep the processor's
    /// arithmetic ports busy).
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(lowHalf: exp(x.lowHalf), highHalf: exp(x.highHalf))
    }

    /// y[k] += a x[k] for k < count: one rounding per element (a product and a sum,
    /// never fused), so both builds give the same values.
    @inline(never)
    public static func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, count: Int) {
        for k in 0..<count { y[k] += a * x[k] }
    }

    /// x[k] = 1 / (1 + e^{-x[k]}), the logistic function (relative error below 5e-7),
    /// for k < count, in place.
    @inline(never)
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { x[k] = 1 / (1 + exp(-x[k])) }
    }

    /// The elementwise part of an AIS weight increment on x[0..<count] (see
    /// `UnitKernels.softplusDifference`): factor[k] = (1 + e^{-beta |x_k|}) /
    /// (1 + e^{-previous |x_k|}), then x[k] <- sigmoid(beta x_k) from the same
    /// exponential (1 / (1 + t) for x_k >= 0, t / (1 + t) below); returns
    /// sum_k max(x_k, 0), summed in sixteen lanes, then lane by lane, then the tail.
    @inline(never)
    public static func annealingFactors(_ x: UnsafeMutablePointer<Float>, _ factor: UnsafeMutablePointer<Float>, count: Int,
                                        beta: Float, previous: Float) -> Float {
        typealias V = SIMD16<Float>
        let rawX = UnsafeMutableRawPointer(x), rawFactor = UnsafeMutableRawPointer(factor)
        let one = V(repeating: 1), zero = V(), b = V(repeating: beta), p = V(repeating: previous)
        var lanes = V(), k = 0
        while k + 16 <= count {
            let value = rawX.loadUnaligned(fromByteOffset: 4 * k, as: V.self)
            let magnitude = unsafeBitCast(unsafeBitCast(value, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
            let t = exp(-(b * magnitude)), onePlusT = one + t
            rawFactor.storeBytes(of: onePlusT / (one + exp(-(p * magnitude))), toByteOffset: 4 * k, as: V.self)
            let negative = value .< zero
            lanes += value.replacing(with: zero, where: negative)
            rawX.storeBytes(of: one.replacing(with: t, where: negative) / onePlusT, toByteOffset: 4 * k, as: V.self)
            k += 16
        }
        var sum: Float = 0
        for lane in 0..<16 { sum += lanes[lane] }
        while k < count {
            let value = x[k], magnitude = abs(value)
            let t = exp(-(beta * magnitude)), onePlusT = 1 + t
            factor[k] = onePlusT / (1 + exp(-(previous * magnitude)))
            sum += value < 0 ? 0 : value
            x[k] = (value < 0 ? t : 1) / onePlusT
            k += 1
        }
        return sum
    }

    /// a[k] = SiLU(y[k]) = y s(y), s the logistic function, for k < count; when
    /// `slopes`, also y[k] <- SiLU'(y[k]) = s (1 + y (1 - s)) (what backpropagation
    /// needs). Sixteen lanes at a time; the tail from the scalar `exp`, which gives
    /// the same values.
    @inline(never)
    public static func silu(_ y: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int, slopes: Bool) {
        typealias V = SIMD16<Float>
        let rawY = UnsafeMutableRawPointer(y), rawA = UnsafeMutableRawPointer(a), one = V(repeating: 1)
        var k = 0
        while k + 16 <= count {
            let value = rawY.loadUnaligned(fromByteOffset: 4 * k, as: V.self)
            let s = one / (one + exp(-value))
            rawA.storeBytes(of: value * s, toByteOffset: 4 * k, as: V.self)
            if slopes { rawY.storeBytes(of: s * (one + value * (one - s)), toByteOffset: 4 * k, as: V.self) }
            k += 16
        }
        while k < count {
            let value = y[k], s = 1 / (1 + exp(-value))
            a[k] = value * s
            if slopes { y[k] = s * (1 + value * (1 - s)) }
            k += 1
        }
    }

    /// `count` standard normal values by the Box-Muller transform in single precision,
    /// a pair from each 64 random bits (bits holds (count + 1) / 2 words): u1 = (the top
    /// 24 bits + 1) 2^-24 in (0, 1], the next 24 bits k give the angle 2 pi k 2^-24, and
    /// with r = sqrt(-2 ln u1) and pairs = count / 2, out[i] = r cos(angle) and
    /// out[pairs + i] = r sin(angle) for i < pairs; an odd count ends with the cosine of
    /// one more pair.
    ///
    /// ln u1 = e ln 2 + ln m (u1 = m 2^e, m in [sqrt(1/2), sqrt(2))), ln m = 2 atanh(s),
    /// s = (m - 1) / (m + 1), by its odd series to s^9 (|s| <= 0.172: error below 1e-9).
    /// The angle's top two bits pick its quadrant and the rest x in [-pi/4, pi/4) about
    /// the quadrant's middle, where sin and cos are their Taylor series to x^9 and x^10
    /// (error below 2e-9), rotated by pi/4 and the quadrant. So each value is within a
    /// few single-precision roundings of the exact transform; |z| <= sqrt(48 ln 2) = 5.77
    /// (a standard normal exceeds it with probability 8e-9). Eight pairs at a time; the
    /// last few through the same eight lanes, padded.
    @inline(never)
    public static func boxMuller(_ bits: UnsafePointer<UInt64>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        let pairs = count / 2, words = (count + 1) / 2
        let raw = UnsafeRawPointer(bits), rawOut = UnsafeMutableRawPointer(out)
        var i = 0
        while i + 8 <= pairs {
            let (cosine, sine) = boxMuller(raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<UInt64>.self))
            rawOut.storeBytes(of: cosine, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            rawOut.storeBytes(of: sine, toByteOffset: 4 * (pairs + i), as: SIMD8<Float>.self)
            i += 8
        }
        guard i < words else { return }
        var tail = SIMD8<UInt64>()  // at most eight words are left: i is the last multiple of 8 <= pairs
        for j in 0..<(words - i) { tail[j] = bits[i + j] }
        let (cosine, sine) = boxMuller(tail)
        for j in 0..<(pairs - i) {
            out[i + j] = cosine[j]
            out[pairs + i + j] = sine[j]
        }
        if count % 2 == 1 { out[count - 1] = cosine[pairs - i] }
    }

    /// The Box-Muller pairs (r cos, r sin) of eight 64-bit words (see `boxMuller(_:_:count:)`).
    @inline(__always)
    static func boxMuller(_ b: SIMD8<UInt64>) -> (cosine: SIMD8<Float>, sine: SIMD8<Float>) {
        typealias F = SIMD8<Float>
        typealias I = SIMD8<Int32>
        // -2 ln u1.
        let u1 = F(I(truncatingIfNeeded: b &>> 40) &+ 1) * 0x1p-24
        let pattern = unsafeBitCast(u1, to: I.self)
        let unscaled = unsafeBitCast((pattern & 0x007F_FFFF) | 0x3F80_0000, to: F.self)
        let halve = unscaled .> 1.414_213_5
        let m = unscaled.replacing(with: unscaled * 0.5, where: halve)
        let e = F((pattern &>> 23) &- I(repeating: 127).replacing(with: 126, where: halve))
        let s: F = (m - 1) / (m + 1), s2: F = s * s
        var series: F = 0.142_857_15 + s2 * 0.111_111_11
        series = 0.333_333_34 + s2 * (0.2 + s2 * series)
        let lnM: F = 2 * s * (1 + s2 * series)
        let lnU: F = e * 0.693_359_375 + (e * -2.121_944_4e-4 + lnM)
        let square: F = -2 * lnU
        let radius = square.replacing(with: 0, where: square .< 0).squareRoot()
        // The angle: quadrant q, and x about the quadrant's middle.
        let q = I(truncatingIfNeeded: (b &>> 38) & 3)
        let fraction: F = F(I(truncatingIfNeeded: (b &>> 16) & 0x3F_FFFF)) * 0x1p-22
        let x: F = (fraction - 0.5) * 1.570_796_3, x2: F = x * x
        var sinSeries: F = -1.984_127e-4 + x2 * 2.755_731_9e-6
        sinSeries = -0.166_666_67 + x2 * (8.333_333_5e-3 + x2 * sinSeries)
        let sinX: F = x * (1 + x2 * sinSeries)
        var cosSeries: F = 2.480_158_7e-5 + x2 * -2.755_731_9e-7
        cosSeries = 4.166_666_8e-2 + x2 * (-1.388_888_9e-3 + x2 * cosSeries)
        let cosX: F = 1 + x2 * (-0.5 + x2 * cosSeries)
        // At pi/4 + x, then turned by q quarter turns.
        let c: F = (cosX - sinX) * 0.707_106_77, sn: F = (cosX + sinX) * 0.707_106_77
        // Odd q swaps the two (by bit masks: integer lane comparisons compile lane by
        // lane); the sign bits flip for cos at q = 1, 2 and for sin at q = 2, 3.
        let swap = I() &- (q & 1), cBits = unsafeBitCast(c, to: I.self), snBits = unsafeBitCast(sn, to: I.self)
        let cosine = ((cBits & ~swap) | (snBits & swap)) ^ (((q ^ (q &>> 1)) & 1) &<< 31)
        let sine = ((snBits & ~swap) | (cBits & swap)) ^ ((q &>> 1) &<< 31)
        return (radius * unsafeBitCast(cosine, to: F.self), radius * unsafeBitCast(sine, to: F.self))
    }

    /// sines[k] = sin(angles[k]) and cosines[k] = cos(angles[k]), computed in double
    /// precision and rounded to single, for k < count: the angle less its nearest
    /// multiple n pi/2 (pi/2 in three parts, Cody & Waite: exact for |n| < 2^20), the
    /// Taylor series of sin and cos on the remainder in [-pi/4, pi/4] (to r^11 and r^12:
    /// error below 1e-11), turned by n quarter turns. Angles beyond 10^6 in magnitude
    /// (or not finite) take the C library's sin and cos instead.
    @inline(never)
    public static func sinCos(_ angles: UnsafePointer<Double>, sines: UnsafeMutablePointer<Float>, cosines: UnsafeMutablePointer<Float>,
                              count: Int) {
        let shifter = 6_755_399_441_055_744.0  // 1.5 * 2^52: adding it rounds to an integer
        for k in 0..<count {
            let a = angles[k]
            let shifted = a * 0.636_619_772_367_581_34 + shifter
            let n = shifted - shifter
            let r = ((a - n * 1.570_796_326_734_125_6) - n * 6.077_100_506_303_966e-11) - n * 2.022_266_248_795_950_6e-21
            let q = shifted.bitPattern & 3  // n mod 4 (the low bits of 1.5 * 2^52 + n)
            let r2 = r * r
            let sinR = r * (1 + r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362_880 + r2 * (-1.0 / 39_916_800))))))
            let cosR = 1 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3_628_800
                + r2 * (1.0 / 479_001_600))))))
            let swap = q & 1 == 1
            sines[k] = Float((swap ? cosR : sinR) * (q >= 2 ? -1 : 1))
            cosines[k] = Float((swap ? sinR : cosR) * (q == 1 || q == 2 ? -1 : 1))
        }
        for k in 0..<count where !(abs(angles[k]) <= 1e6) {
            sines[k] = Float(Glibc.sin(angles[k]))
            cosines[k] = Float(Glibc.cos(angles[k]))
        }
    }

    /// One Adam step (beta1 0.9, beta2 0.999, eps 1e-8) on `count` parameters from the
    /// gradient g scaled by `scale` (the clipping factor): m <- b1 m + (1 - b1) g,
    /// v <- b2 v + (1 - b2) g^2, p <- p - step m / (sqrt(v) + eps); then, when `average`
    /// is given, the EMA average <- decay average + (1 - decay) p.
    ///
    /// Plain elementwise loops, which the compiler vectorises (the square root
    /// included: SIMD16's `squareRoot()` compiles to sixteen scalar roots, each with a
    /// branch to `sqrtf`, and made this four times slower).
    @inline(never)
    public static func adam(_ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                            _ p: UnsafeMutablePointer<Float>, _ average: UnsafeMutablePointer<Float>?, count: Int, scale: Float,
                            stepSize: Float, decay: Float) {
        for k in 0..<count {
            let gk = scale * g[k]
            let mk = 0.9 * m[k] + (1 - 0.9) * gk, vk = 0.999 * v[k] + (1 - 0.999) * gk * gk
            m[k] = mk
            v[k] = vk
            p[k] -= stepSize * mk / (vk.squareRoot() + 1e-8)
        }
        guard let average else { return }
        let blend = 1 - decay
        for k in 0..<count { average[k] = decay * average[k] + blend * p[k] }
    }
}
