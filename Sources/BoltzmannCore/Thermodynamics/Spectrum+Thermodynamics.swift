import Glibc

/// Thermodynamic functions of a spectrum at an array of inverse temperatures.
/// Every array has one entry per beta.
public struct ThermodynamicTable: Sendable, Equatable {
    public var beta: [Double]
    /// log Z = log sum_i g_i e^(-beta E_i).
    public var logZ: [Double]
    /// F = -log Z / beta; NaN at beta = 0, where it is undefined. Finite even where
    /// |beta E| overflows a double and log Z with it.
    public var freeEnergy: [Double]
    /// U = <E>.
    public var energy: [Double]
    /// S = beta U + log Z (the Gibbs-Shannon entropy of the microstates).
    public var entropy: [Double]
    /// C = beta^2 Var(E).
    public var heatCapacity: [Double]
}

extension Spectrum {
    /// log Z, F, U, S and C at every beta, in one pass over the levels.
    ///
    /// Accurate for |beta E| up to 1e300 (see `ReducedFrame`); multi-threaded over
    /// blocks of levels and of betas, with results independent of the thread count.
    /// - Complexity: O(count * betas.count), one exponential per level and beta.
    /// - Throws: `EngineError` if `betas` is empty or holds a non-finite value.
    public func thermodynamics(betas: [Double]) throws(EngineError) -> ThermodynamicTable {
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        let frames = betas.map { ReducedFrame(beta: $0, spectrum: self) }
        let moments = BoltzmannMoments.compute(self, frames)
        var table = ThermodynamicTable(beta: betas, logZ: [], freeEnergy: [], energy: [], entropy: [], heatCapacity: [])
        for (frame, m) in zip(frames, moments) {
            let logSum = m.logSum
            let logZ = logSum - frame.beta * frame.reference
            let ratio = frame.beta / frame.scale  // |ratio| <= 1
            table.logZ.append(logZ)
            // F = -log Z / beta, written as E_ref - LSE/beta: exact even where beta E_ref,
            // hence log Z, overflows.
            table.freeEnergy.append(frame.beta == 0 ? .nan : frame.reference - logSum / frame.beta)
            table.energy.append(frame.reference + m.mean / frame.scale)
            table.entropy.append(ratio * m.mean + logSum)
            table.heatCapacity.append(frame.beta == 0 ? 0 : ratio * ratio * m.variance)
        }
        return table
    }

    /// log Z at one beta.
    public func logPartitionFunction(beta: Double) throws(EngineError) -> Double {
        try thermodynamics(betas: [beta]).logZ[0]
    }

    /// Boltzmann probabilities of the levels at one beta, p_i = g_i e^(-beta E_i) / Z
    /// (the softmax of log g_i - beta E_i); they sum to 1.
    /// - Complexity: O(count), two passes.
    public func probabilities(beta: Double) throws(EngineError) -> [Double] {
        try Check.finite(beta, "beta")
        let frame = ReducedFrame(beta: beta, spectrum: self)
        let logSum = BoltzmannMoments.compute(self, [frame])[0].logSum
        var result = [Double](repeating: 0, count: count)
        let blocks = (count + BoltzmannMoments.levelsPerTask - 1) / BoltzmannMoments.levelsPerTask
        energies.withUnsafeBufferPointer { e in
            logDegeneracies.withUnsafeBufferPointer { lg in
                result.withUnsafeMutableBufferPointer { out in
                    let e = SharedPointer(UnsafeMutablePointer(mutating: e.baseAddress!))
                    let lg = SharedPointer(UnsafeMutablePointer(mutating: lg.baseAddress!))
                    let out = SharedPointer(out.baseAddress!)
                    let n = count
                    Parallel.forEach(blocks) { block in
                        let start = block * BoltzmannMoments.levelsPerTask
                        let end = min(n, start + BoltzmannMoments.levelsPerTask)
                        var i = start
                        while i + 4 <= end {
                            let a = frame.logWeights(e.base + i, lg.base + i)
                            let p = expNonPositive(a - logSum)
                            UnsafeMutableRawPointer(out.base + i).storeBytes(of: p, as: SIMD4<Double>.self)
                            i += 4
                        }
                        while i < end {
                            out[i] = expNonPositive(frame.logWeight(e[i], lg[i]) - logSum)
                            i += 1
                        }
                    }
                }
            }
        }
        return result
    }
}

/// How one beta is evaluated without overflow or loss of digits.
///
/// Energies are measured from a reference level, the lowest for beta >= 0 and the
/// highest for beta < 0, so that every Boltzmann exponent a_i = log g_i - beta (E_i - E_ref)
/// is at most log g_i. Moments are accumulated in the reduced variable
/// y_i = s (E_i - E_ref) >= 0 with s = sign(beta) max(|beta|, 1/(E_max - E_min)):
/// at large |beta|, y is beta E itself (so C = Var(y) needs no beta^2, which could
/// overflow); at small |beta|, y stays of order 1 (so beta E never underflows into
/// subnormals). Then
///     log Z = LSE(a) - beta E_ref,   U = E_ref + <y>/s,
///     S = (beta/s) <y> + LSE(a),     C = (beta/s)^2 Var(y).
/// Levels whose y exceeds 1e150 have weight exactly 0 (their exponent is below
/// -1e150 + 710); clamping y there keeps y^2 finite.
struct ReducedFrame: Sendable {
    let beta: Double
    let reference: Double
    let scale: Double

    init(beta: Double, spectrum: Spectrum) {
        self.init(beta: beta, lowest: spectrum.minEnergy, highest: spectrum.maxEnergy)
    }

    /// A frame for energies known to lie in [lowest, highest].
    init(beta: Double, lowest: Double, highest: Double) {
        self.beta = beta
        reference = beta >= 0 ? lowest : highest
        let spread = highest - lowest
        let inverseSpread = spread > 0 ? min(1 / spread, 1e300) : 1
        let magnitude = max(abs(beta), inverseSpread)
        scale = beta < 0 ? -magnitude : magnitude
    }

    static let yCeiling = 1e150

    @inline(__always)
    func logWeight(_ energy: Double, _ logDegeneracy: Double) -> Double {
        logDegeneracy - beta * (energy - reference)
    }

    @inline(__always)
    func reduced(_ energy: Double) -> Double {
        min(scale * (energy - reference), Self.yCeiling)
    }

    @inline(__always)
    func logWeights(_ energies: UnsafePointer<Double>, _ logDegeneracies: UnsafePointer<Double>) -> SIMD4<Double> {
        let e = UnsafeRawPointer(energies).loadUnaligned(as: SIMD4<Double>.self)
        let lg = UnsafeRawPointer(logDegeneracies).loadUnaligned(as: SIMD4<Double>.self)
        return lg - beta * (e - reference)
    }

    @inline(__always)
    func reduced(_ energies: UnsafePointer<Double>) -> SIMD4<Double> {
        let e = UnsafeRawPointer(energies).loadUnaligned(as: SIMD4<Double>.self)
        let y = scale * (e - reference)
        return y.replacing(with: Self.yCeiling, where: y .> Self.yCeiling)
    }
}

/// The weighted moments of y under weights w_i = e^(a_i - shift) <= 1: the total
/// weight, the mean and the (normalised) variance. Partial results combine exactly
/// with Chan et al.'s pairwise update, so blocks of levels are processed independently.
///
/// The total weight is kept as `excess` = sum w - 1, summed without the 1 that the
/// largest term contributes, so log Z = shift + log1p(excess) keeps full relative
/// precision when log Z is tiny (a ground level dominating at low temperature):
/// log(1 + 5e-17) would round to 0, log1p(5e-17) does not.
struct Moments: Sendable {
    var shift = -Double.infinity
    var excess = 0.0
    var mean = 0.0
    var variance = 0.0

    var isEmpty: Bool { shift == -.infinity }
    var weight: Double { 1 + excess }
    /// log sum_i e^(a_i) = LSE(a).
    var logSum: Double { shift + log1p(excess) }

    /// Merge `other` into these moments; returns the weight fractions (self, other)
    /// of the merged total, for callers that merge further means alongside.
    @discardableResult
    mutating func merge(_ other: Moments) -> (Double, Double) {
        guard !other.isEmpty else { return (1, 0) }
        guard !isEmpty else { self = other; return (0, 1) }
        var w1 = weight, w2 = other.weight
        if other.shift > shift {
            w1 *= exp(shift - other.shift)
            excess = other.excess + w1
            shift = other.shift
        } else if other.shift < shift {
            w2 *= exp(other.shift - shift)
            excess += w2
        } else {
            excess += w2
        }
        let total = w1 + w2
        let a = w1 / total, b = w2 / total
        let delta = other.mean - mean
        mean += b * delta
        variance = a * variance + b * other.variance + a * b * delta * delta
        return (a, b)
    }
}

/// The blocked, threaded kernel behind `thermodynamics` and `probabilities`.
enum BoltzmannMoments {
    /// Levels per task and per cache-resident chunk, and betas per task. Fixed
    /// numbers, so the summation order (hence every bit of the result) never
    /// depends on the thread count.
    static let levelsPerTask = 16_384
    static let levelsPerChunk = 512
    static let betasPerTask = 64
    /// Bound on stored partial results (level tasks x betas), about 32 MB.
    static let maxPartials = 1 << 20
    /// Level-beta pairs below which threads cost more than they save (~0.3 ms of work).
    static let minParallelWork = 1 << 16

    /// Moments of y for every frame, merged over all levels in a fixed order.
    static func compute(_ spectrum: Spectrum, _ frames: [ReducedFrame]) -> [Moments] {
        let n = spectrum.count, nb = frames.count
        var levelTasks = (n + levelsPerTask - 1) / levelsPerTask
        levelTasks = max(1, min(levelTasks, maxPartials / nb))
        let levelBlock = (n + levelTasks - 1) / levelTasks
        levelTasks = (n + levelBlock - 1) / levelBlock
        let betaTasks = (nb + betasPerTask - 1) / betasPerTask

        var partials = [Moments](repeating: Moments(), count: levelTasks * nb)
        spectrum.energies.withUnsafeBufferPointer { e in
            spectrum.logDegeneracies.withUnsafeBufferPointer { lg in
                frames.withUnsafeBufferPointer { f in
                    partials.withUnsafeMutableBufferPointer { out in
                        let e = SharedPointer(UnsafeMutablePointer(mutating: e.baseAddress!))
                        let lg = SharedPointer(UnsafeMutablePointer(mutating: lg.baseAddress!))
                        let f = SharedPointer(UnsafeMutablePointer(mutating: f.baseAddress!))
                        let out = SharedPointer(out.baseAddress!)
                        Parallel.forEach(levelTasks * betaTasks, parallel: n * nb >= minParallelWork) { task in
                            let levelTask = task / betaTasks, betaTask = task % betaTasks
                            let levelStart = levelTask * levelBlock
                            let levelEnd = min(n, levelStart + levelBlock)
                            let betaStart = betaTask * betasPerTask
                            let betaEnd = min(nb, betaStart + betasPerTask)
                            let row = out.base + levelTask * nb
                            withUnsafeTemporaryAllocation(of: Double.self, capacity: levelsPerChunk) { scratch in
                                var chunk = levelStart
                                while chunk < levelEnd {
                                    let len = min(levelsPerChunk, levelEnd - chunk)
                                    for k in betaStart..<betaEnd {
                                        row[k].merge(chunkMoments(f[k], e.base + chunk, lg.base + chunk, len, scratch.baseAddress!))
                                    }
                                    chunk += len
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = [Moments](repeating: Moments(), count: nb)
        for t in 0..<levelTasks {
            for k in 0..<nb { result[k].merge(partials[t * nb + k]) }
        }
        return result
    }

    /// Moments of one cache-resident chunk: pass 1 finds the largest exponent,
    /// pass 2 forms the weights (kept in `scratch`) and the mean, pass 3 the
    /// variance about that mean (two-pass, so no cancellation).
    @inline(__always)
    static func chunkMoments(
        _ frame: ReducedFrame, _ e: UnsafePointer<Double>, _ lg: UnsafePointer<Double>,
        _ count: Int, _ scratch: UnsafeMutablePointer<Double>
    ) -> Moments {
        let vectorEnd = count & ~3

        var maxV = SIMD4<Double>(repeating: -.infinity)
        var i = 0
        while i < vectorEnd {
            maxV = pointwiseMax(maxV, frame.logWeights(e + i, lg + i))
            i += 4
        }
        var shift = maxV.max()
        while i < count {
            shift = max(shift, frame.logWeight(e[i], lg[i]))
            i += 1
        }
        guard shift > -.infinity else { return Moments() }

        // Weights equal to 1 (the terms at the maximum) are counted, the rest summed,
        // so that sum w - 1 is exact to the smaller terms' rounding.
        var sumBelow = SIMD4<Double>(), atMax = SIMD4<Double>(), sumWY = SIMD4<Double>()
        let zero = SIMD4<Double>(), one = SIMD4<Double>(repeating: 1)
        i = 0
        while i < vectorEnd {
            let w = expNonPositive(frame.logWeights(e + i, lg + i) - shift)
            UnsafeMutableRawPointer(scratch + i).storeBytes(of: w, as: SIMD4<Double>.self)
            let isMax = w .== one
            sumBelow += w.replacing(with: 0, where: isMax)
            atMax += zero.replacing(with: 1, where: isMax)
            sumWY += w * frame.reduced(e + i)
            i += 4
        }
        var below = sumBelow.sum(), maxCount = atMax.sum(), weightedY = sumWY.sum()
        while i < count {
            let w = expNonPositive(frame.logWeight(e[i], lg[i]) - shift)
            scratch[i] = w
            if w == 1 { maxCount += 1 } else { below += w }
            weightedY += w * frame.reduced(e[i])
            i += 1
        }
        let excess = (maxCount - 1) + below
        let weight = maxCount + below
        let mean = weightedY / weight

        var sumWD2 = SIMD4<Double>()
        i = 0
        while i < vectorEnd {
            let w = UnsafeRawPointer(scratch + i).loadUnaligned(as: SIMD4<Double>.self)
            let d = frame.reduced(e + i) - mean
            sumWD2 += w * d * d
            i += 4
        }
        var weightedD2 = sumWD2.sum()
        while i < count {
            let d = frame.reduced(e[i]) - mean
            weightedD2 += scratch[i] * d * d
            i += 1
        }
        return Moments(shift: shift, excess: excess, mean: mean, variance: weightedD2 / weight)
    }
}
