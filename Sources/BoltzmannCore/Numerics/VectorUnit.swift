import BoltzmannKernels
import BoltzmannKernelsAVX2
import CCPUFeatures

/// The elementwise kernels of `VectorKernels`, run from the build that suits this
/// processor: the AVX2 one (eight lanes per instruction) where the processor and OS
/// support AVX2 and FMA, the baseline one elsewhere. The two give bit-identical
/// results, so the choice changes speed only.
enum VectorUnit {
    /// Whether the AVX2 build runs here (asked once).
    static let usesAVX2 = boltzmann_cpu_has_avx2() != 0

    /// y[k] += a x[k] for k < count.
    static func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, count: Int) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.addScaled(y, x, a, count: count)
        } else {
            BoltzmannKernels.VectorKernels.addScaled(y, x, a, count: count)
        }
    }

    /// x[k] = 1 / (1 + e^{-x[k]}) for k < count, in place.
    static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.sigmoid(x, count: count)
        } else {
            BoltzmannKernels.VectorKernels.sigmoid(x, count: count)
        }
    }

    /// a[k] = SiLU(y[k]) = y s(y), and when `slopes`, y[k] <- SiLU'(y[k]) = s (1 + y (1 - s)).
    static func silu(_ y: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int, slopes: Bool) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.silu(y, a, count: count, slopes: slopes)
        } else {
            BoltzmannKernels.VectorKernels.silu(y, a, count: count, slopes: slopes)
        }
    }

    /// One Adam step with the clipping factor `scale`, then the EMA of the parameters
    /// when `average` is given (see `VectorKernels.adam`).
    static func adam(_ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                     _ p: UnsafeMutablePointer<Float>, _ average: UnsafeMutablePointer<Float>?, count: Int, scale: Float,
                     stepSize: Float, decay: Float) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.adam(g, m, v, p, average, count: count, scale: scale, stepSize: stepSize, decay: decay)
        } else {
            BoltzmannKernels.VectorKernels.adam(g, m, v, p, average, count: count, scale: scale, stepSize: stepSize, decay: decay)
        }
    }

    /// `count` standard normal values, a pair from each 64 random bits ((count + 1) / 2
    /// words; see `VectorKernels.boxMuller`).
    static func boxMuller(_ bits: UnsafePointer<UInt64>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.boxMuller(bits, out, count: count)
        } else {
            BoltzmannKernels.VectorKernels.boxMuller(bits, out, count: count)
        }
    }

    /// sin and cos of double-precision angles, rounded to single (see `VectorKernels.sinCos`).
    static func sinCos(_ angles: UnsafePointer<Double>, sines: UnsafeMutablePointer<Float>, cosines: UnsafeMutablePointer<Float>,
                       count: Int) {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.sinCos(angles, sines: sines, cosines: cosines, count: count)
        } else {
            BoltzmannKernels.VectorKernels.sinCos(angles, sines: sines, cosines: cosines, count: count)
        }
    }

    /// AIS's elementwise step on x[0..<count]: factor[k] = (1 + e^{-beta |x|}) / (1 + e^{-previous |x|}),
    /// x[k] <- sigmoid(beta x[k]); returns sum max(x[k], 0).
    static func annealingFactors(_ x: UnsafeMutablePointer<Float>, _ factor: UnsafeMutablePointer<Float>, count: Int,
                                 beta: Float, previous: Float) -> Float {
        if usesAVX2 {
            BoltzmannKernelsAVX2.VectorKernels.annealingFactors(x, factor, count: count, beta: beta, previous: previous)
        } else {
            BoltzmannKernels.VectorKernels.annealingFactors(x, factor, count: count, beta: beta, previous: previous)
        }
    }
}
