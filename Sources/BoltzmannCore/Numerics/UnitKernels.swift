import BoltzmannKernels
import Glibc

/// The elementwise work of RBMs, written as branch-free loops over contiguous
/// buffers that the compiler vectorises: the logistic function, Bernoulli and
/// Gaussian sampling, and sums of softplus in double precision.
enum UnitKernels {
    /// e^x in single precision (relative error below 2e-7; see `VectorKernels.exp`).
    @inline(__always)
    static func exp(_ x: Float) -> Float { VectorKernels.exp(x) }

    /// `exp(_:)` on eight lanes, with the same values.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorKernels.exp(x) }

    /// The logistic function 1 / (1 + e^-x), relative error below 5e-7.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// x[k] = sigmoid(x[k]) for k < count (eight lanes at a time where AVX2 runs).
    static func sigmoid(_ x: UnsafeMutablePointer<Float>, _ count: Int) {
        VectorUnit.sigmoid(x, count: count)
    }

    /// out[k] = 1 if a uniform draw is below p[k], else 0: Bernoulli(p) samples,
    /// eight at a time from `RandomLanes` (two 24-bit uniforms from each lane's 64
    /// bits), the tail from `random` (which also seeds the lanes).
    static func bernoulli(_ p: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, _ random: inout RandomStream) {
        var lanes = RandomLanes(seed: random.next(), stream: 0)
        let raw = UnsafeRawPointer(p), rawOut = UnsafeMutableRawPointer(out)
        let one = SIMD4<Float>(repeating: 1), zero = SIMD4<Float>(repeating: 0)
        var k = 0
        while k + 8 <= count {
            let bits = lanes.next()
            let high = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: bits &>> 40)) * 0x1p-24
            let low = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: (bits &>> 8) & 0xFF_FFFF)) * 0x1p-24
            let p0 = raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self)
            let p1 = raw.loadUnaligned(fromByteOffset: 4 * k + 16, as: SIMD4<Float>.self)
            rawOut.storeBytes(of: zero.replacing(with: one, where: high .< p0), toByteOffset: 4 * k, as: SIMD4<Float>.self)
            rawOut.storeBytes(of: zero.replacing(with: one, where: low .< p1), toByteOffset: 4 * k + 16, as: SIMD4<Float>.self)
            k += 8
        }
        while k < count {
            out[k] = Float(random.next() >> 40) * 0x1p-24 < p[k] ? 1 : 0
            k += 1
        }
    }

    /// out[k] = mean[k] + a standard normal draw (Box-Muller, a pair per two values).
    static func gaussian(_ mean: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, _ random: inout RandomStream) {
        var k = 0
        while k < count {
            let radius = (-2 * Glibc.log(1 - random.uniform())).squareRoot(), angle = 2 * Double.pi * random.uniform()
            out[k] = mean[k] + Float(radius * cos(angle))
            if k + 1 < count { out[k + 1] = mean[k + 1] + Float(radius * sin(angle)) }
            k += 2
        }
    }

    /// |y| lane-wise, by clearing the sign bits (no per-lane branches).
    @inline(__always)
    static func absolute(_ y: SIMD4<Double>) -> SIMD4<Double> {
        unsafeBitCast(unsafeBitCast(y, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: SIMD4<Double>.self)
    }

    /// sum_k softplus(scale x[k]) in double precision (see the double form), the
    /// products of single-precision inputs formed in double, 512 at a time.
    static func softplusSum(_ x: UnsafePointer<Float>, _ count: Int, scale: Double) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 512) { chunk in
            let chunk = chunk.baseAddress!
            var total = 0.0, start = 0
            while start < count {
                let n = min(512, count - start)
                for k in 0..<n { chunk[k] = scale * Double(x[start + k]) }
                total += softplusSum(chunk, n)
                start += n
            }
            return total
        }
    }

    /// sum_k [softplus(beta x[k]) - softplus(previous x[k])] for 0 <= previous <= beta,
    /// the increment of an AIS log weight; then x[k] = sigmoid(beta x[k]), the
    /// hidden probabilities at beta, from the same exponential (with t = e^{-beta |x|},
    /// sigmoid(beta x) = 1 / (1 + t) for x >= 0, t / (1 + t) below). Since beta x and
    /// previous x share x's sign, the difference is (beta - previous) sum max(x, 0)
    /// (kept in double) plus log prod (1 + e^{-beta |x|}) / (1 + e^{-previous |x|}),
    /// whose factors lie in [1/2, 2]: single-precision products, logged every 64
    /// values. Each factor carries about 1e-7 relative rounding, so the increment is
    /// within about 1e-7 sqrt(count) of exact, with no bias to accumulate over a schedule.
    static func softplusDifference(_ x: UnsafeMutablePointer<Float>, _ count: Int, beta: Float, previous: Float, step: Double) -> Double {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { factor in
            let factor = factor.baseAddress!
            var positive = 0.0, logRatio = 0.0, start = 0
            while start < count {
                let n = min(64, count - start), chunk = x + start
                // The exps dominate: sixteen lanes at a time (`VectorUnit`).
                let sum = VectorUnit.annealingFactors(chunk, factor, count: n, beta: beta, previous: previous)
                var p0: Float = 1, p1: Float = 1, p2: Float = 1, p3: Float = 1, k = 0
                while k + 4 <= n { p0 *= factor[k]; p1 *= factor[k + 1]; p2 *= factor[k + 2]; p3 *= factor[k + 3]; k += 4 }
                while k < n { p0 *= factor[k]; k += 1 }
                positive += Double(sum)
                logRatio += Glibc.log(Double(p0) * Double(p1) * Double(p2) * Double(p3))
                start += n
            }
            return step * positive + logRatio
        }
    }

    /// sum_k softplus(x[k]) in double precision, as
    /// sum max(x, 0) + log prod (1 + e^{-|x|}): every factor is in (1, 2], so a
    /// product of 512 cannot overflow, and one log per 512 values replaces a log1p
    /// per value. e^x comes from the engine's vector exp (2 ulp).
    static func softplusSum(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        var linear = 0.0, logProduct = 0.0, start = 0
        while start < count {
            let end = min(start + 512, count)
            var product = SIMD4<Double>(repeating: 1)
            var k = start
            while k + 4 <= end {
                let y = SIMD4<Double>(x[k], x[k + 1], x[k + 2], x[k + 3])
                let magnitude = absolute(y)
                linear += (y + magnitude).sum() * 0.5
                product *= 1 + expNonPositive(-magnitude)
                k += 4
            }
            var tail = 1.0
            while k < end {
                linear += max(x[k], 0)
                tail *= 1 + expNonPositive(-abs(x[k]))
                k += 1
            }
            logProduct += Glibc.log(product[0] * product[1] * product[2] * product[3] * tail)
            start = end
        }
        return linear + logProduct
    }
}

extension UnitKernels {
    /// Values per task of `activate`: large enough to repay a thread, fixed so the
    /// draws do not depend on the thread count.
    static let taskValues = 1 << 14
    /// Layers at least this large run on the worker pool (at 784 x 500, batch 100,
    /// threading its 50k- and 78k-value layers speeds training up by a third).
    static let parallelValues = 1 << 15

    /// Turns `rows` x `width` pre-activations `a` into conditional means in place
    /// (the logistic function when `logistic`, else the identity: Gaussian units) and,
    /// when `samples` is given, draws the units into it (Bernoulli, or mean plus unit
    /// normal noise), then multiplies the means by `scale` (after the draws). Rows are cut into tasks of about `taskValues` values; task t
    /// draws from stream (seed, t), so results are the same on any number of threads
    /// (`threaded: false` for callers that are parallel tasks themselves). With
    /// `probabilities`, `a` already holds the logistic means: only the Bernoulli draws.
    static func activate(_ a: UnsafeMutablePointer<Float>, samples: UnsafeMutablePointer<Float>?, rows: Int, width: Int,
                         logistic: Bool, probabilities: Bool = false, seed: UInt64, scale: Float = 1, threaded: Bool = true) {
        let rowsPerTask = max(1, taskValues / max(width, 1)), tasks = (rows + rowsPerTask - 1) / rowsPerTask
        let a = SharedPointer(a), samples = samples.map(SharedPointer.init)
        Parallel.forEach(tasks, parallel: threaded && rows * width >= parallelValues) { task in
            let first = task * rowsPerTask * width, count = min(rowsPerTask, rows - task * rowsPerTask) * width
            let means = a.base + first
            if logistic && !probabilities { sigmoid(means, count) }
            if let samples {
                var random = RandomStream(seed: seed, stream: UInt64(task))
                if logistic {
                    bernoulli(means, samples.base + first, count, &random)
                } else {
                    gaussian(means, samples.base + first, count, &random)
                }
            }
            if scale != 1 { for k in 0..<count { means[k] *= scale } }
        }
    }
}
