/// The engine's hottest elementwise loops over contiguous single-precision buffers:
/// the exponential, the logistic function, SiLU, AIS's annealing factors and a
/// scaled row added to a vector (a spin flip's update of the local fields).
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

    /// One Adam step (beta1 0.9, beta2 0.999, eps 1e-8) on `count` parameters from the
    /// gradient g scaled by `scale` (the clipping factor): m <- b1 m + (1 - b1) g,
    /// v <- b2 v + (1 - b2) g^2, p <- p - step m / (sqrt(v) + eps); then, when `average`
    /// is given, the EMA average <- decay average + (1 - decay) p. Sixteen lanes at a time.
    public static func adam(_ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                            _ p: UnsafeMutablePointer<Float>, _ average: UnsafeMutablePointer<Float>?, count: Int, scale: Float,
                            stepSize: Float, decay: Float) {
        typealias V = SIMD16<Float>
        let b1 = V(repeating: 0.9), b2 = V(repeating: 0.999), c1 = V(repeating: 1 - 0.9), c2 = V(repeating: 1 - 0.999)
        let tiny = V(repeating: 1e-8), step = V(repeating: stepSize), factor = V(repeating: scale)
        let keep = V(repeating: decay), blend = V(repeating: 1 - decay)
        let rg = UnsafeRawPointer(g), rm = UnsafeMutableRawPointer(m), rv = UnsafeMutableRawPointer(v), rp = UnsafeMutableRawPointer(p)
        let ra = average.map { UnsafeMutableRawPointer($0) }
        var k = 0
        while k + 16 <= count {
            let o = 4 * k, gk = factor * rg.loadUnaligned(fromByteOffset: o, as: V.self)
            let mk = b1 * rm.loadUnaligned(fromByteOffset: o, as: V.self) + c1 * gk
            let vk = b2 * rv.loadUnaligned(fromByteOffset: o, as: V.self) + c2 * gk * gk
            rm.storeBytes(of: mk, toByteOffset: o, as: V.self)
            rv.storeBytes(of: vk, toByteOffset: o, as: V.self)
            let pk = rp.loadUnaligned(fromByteOffset: o, as: V.self) - step * mk / (vk.squareRoot() + tiny)
            rp.storeBytes(of: pk, toByteOffset: o, as: V.self)
            if let ra { ra.storeBytes(of: keep * ra.loadUnaligned(fromByteOffset: o, as: V.self) + blend * pk, toByteOffset: o, as: V.self) }
            k += 16
        }
        while k < count {
            let gk = scale * g[k]
            m[k] = 0.9 * m[k] + (1 - 0.9) * gk
            v[k] = 0.999 * v[k] + (1 - 0.999) * gk * gk
            p[k] -= stepSize * m[k] / (v[k].squareRoot() + 1e-8)
            if let average { average[k] = decay * average[k] + (1 - decay) * p[k] }
            k += 1
        }
    }
}
