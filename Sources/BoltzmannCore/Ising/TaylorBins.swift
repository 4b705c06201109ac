import Glibc

/// Boltzmann sums over billions of states at many betas from one pass over them, with
/// no exponential per state: the states are binned by energy and magnetisation, and
/// each cell keeps the power sums S_p = sum_s d_s^p (p < Q = 12) of the states' offsets
/// d_s = E_s - c from the cell's centre c. At any beta, for m = 0, 1, 2,
///
///     T_m = sum_s d_s^m e^{-beta d_s} = sum_{p=0}^{Q-1-m} (-beta)^p / p! S_{p+m} + R_m.
///
/// A bin of width w gives |beta d| <= x = |beta| w / 2, and the Taylor remainder of
/// each state's e^{-beta d} at order Q-1-m is at most x^{Q-m}/(Q-m)! e^{x}, relative to
/// its own weight e^{-beta d} >= e^{-x}: eps_m = x^{Q-m}/(Q-m)! e^{2x}. The width is
/// chosen so that x <= 0.23 at the largest |beta| asked for: eps_0 <= 7.4e-17, below
/// the double rounding unit 2^-53, so Z is exact to rounding (its terms are all
/// positive, so the bound holds for the sum); eps_1 <= 3.9e-15 moves U by at most
/// 2e-15 w, and eps_2 <= 1.9e-13 moves the within-cell variance (<= w^2/4) by at
/// most 5e-14 w^2 in C / beta^2.
struct TaylorBins {
    /// Power sums per cell, three SIMD4 vectors: S_0 (the count) ... S_11.
    static let terms = 12
    /// The largest |beta| * width / 2; see the type's bound.
    static let maxHalfWidth = 0.23
    /// Cells per histogram (12 MB of power sums), beyond which the caller weighs
    /// every state instead.
    static let maxCells = 1 << 17

    /// Left edge of bin 0, bin width, bins, magnetisation columns (N + 1: up spins).
    let lowest: Double
    let width: Double
    let inverseWidth: Double
    let bins: Int
    let columns: Int
    var cellCount: Int { bins * columns }
    /// Doubles per histogram.
    var size: Int { cellCount * Self.terms }

    /// Bins covering energies in [lowest, highest] for betas up to `maxAbsBeta` in
    /// size; nil when that takes more than `maxCells` cells. Bin k is centred on
    /// lowest - width + k width, so rounding in an energy never leaves the grid.
    init?(lowest: Double, highest: Double, maxAbsBeta: Double, columns: Int) {
        let span = max(highest - lowest, 1e-300)
        var width = span
        if maxAbsBeta > 0 { width = min(width, 2 * Self.maxHalfWidth / maxAbsBeta) }
        let bins = (span / width).rounded(.up) + 3
        guard bins * Double(columns) <= Double(Self.maxCells) else { return nil }
        self.lowest = lowest - width
        self.width = width
        inverseWidth = 1 / width
        self.bins = Int(bins)
        self.columns = columns
    }

    @inline(__always)
    func centre(_ bin: Int) -> Double { lowest + Double(bin) * width }

    /// x + 1.5 * 2^52 holds round(x) in its low mantissa bits for 0 <= x < 2^51.
    static let roundingShift = 6_755_399_441_055_744.0

    /// Adds `count` states (energies e[b], up spins outerUps + innerUps[b]) to the histogram h.
    func add(_ e: UnsafePointer<Double>, count: Int, outerUps: Int, innerUps: UnsafePointer<UInt8>,
             into h: UnsafeMutablePointer<SIMD4<Double>>) {
        let last = UInt64(bins - 1)
        for b in 0..<count {
            let energy = e[b]
            // The nearest centre without a checked conversion: energies lie inside the
            // grid, and the clamp only keeps a stray one in memory.
            let shifted = (energy - lowest) * inverseWidth + Self.roundingShift
            let bin = Int(truncatingIfNeeded: min(shifted.bitPattern & 0x7_FFFF_FFFF_FFFF, last))
            let d = energy - (lowest + (shifted - Self.roundingShift) * width)
            let cell = h + (bin &* columns &+ outerUps &+ Int(innerUps[b])) &* 3
            let d2 = d * d
            let d4 = d2 * d2
            let low = SIMD4<Double>(1, d, d2, d2 * d)
            let d4v = SIMD4<Double>(repeating: d4)
            let mid = low * d4v
            cell[0] += low
            cell[1] += mid
            cell[2] += mid * d4v
        }
    }

    /// Folds in the mirror image of every state (same energy, columns - 1 - u up spins
    /// where it has u): for `StateBlocks.mirrored` enumerations.
    func addMirrorImages(_ h: UnsafeMutablePointer<Double>) {
        for bin in 0..<bins {
            let row = h + bin * columns * Self.terms
            for c in 0..<((columns + 1) / 2) {
                let a = row + c * Self.terms, b = row + (columns - 1 - c) * Self.terms
                for p in 0..<Self.terms {
                    let sum = a[p] + b[p]
                    a[p] = sum
                    b[p] = sum
                }
            }
        }
    }

    /// The moments at `frame` of every non-empty cell, merged: energy (reduced by the
    /// frame) and magnetisation per spin, for a model of `spinCount` spins.
    func moments(_ h: UnsafePointer<Double>, frame: ReducedFrame, spinCount n: Int) -> IsingEnumeration.IsingMoments {
        var coefficient = [Double](repeating: 1, count: Self.terms)
        for p in 1..<Self.terms { coefficient[p] = coefficient[p - 1] * -frame.beta / Double(p) }
        var total = IsingEnumeration.IsingMoments()
        for column in 0..<columns {
            let m = Double(2 * column - n) / Double(n)
            var sum = IsingEnumeration.IsingMoments()
            for bin in 0..<bins {
                let s = h + (bin * columns + column) * Self.terms
                guard s[0] > 0 else { continue }
                // Smallest terms first; T_m stops where S_{p+m} runs out.
                var t0 = coefficient[Self.terms - 1] * s[Self.terms - 1]
                var t1 = 0.0, t2 = 0.0
                for p in stride(from: Self.terms - 2, through: 0, by: -1) {
                    t0 += coefficient[p] * s[p]
                    t1 += coefficient[p] * s[p + 1]
                    if p + 2 < Self.terms { t2 += coefficient[p] * s[p + 2] }
                }
                let c = centre(bin)
                let offset = t1 / t0
                let energy = Moments(shift: log(t0) - frame.beta * (c - frame.reference), excess: 0,
                                     mean: frame.reduced(c + offset),
                                     variance: frame.scale * frame.scale * max(0, t2 / t0 - offset * offset))
                sum.merge(IsingEnumeration.IsingMoments(energy: energy, magnetization: m, absMagnetization: abs(m),
                                                        magnetizationSquared: m * m))
            }
            total.merge(sum)
        }
        return total
    }
}
