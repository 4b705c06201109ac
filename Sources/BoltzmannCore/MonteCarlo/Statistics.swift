import Glibc

/// A Monte Carlo estimate: the mean, its standard error, the integrated
/// autocorrelation time behind that error, and the binning estimate of the same error.
public struct Estimate: Sendable, Equatable {
    public var mean: Double
    /// sqrt(2 tau_int var / n): the error of the mean of correlated samples.
    public var error: Double
    /// Integrated autocorrelation time in measurements (1/2 for independent samples).
    public var tau: Double
    /// The error from the variance of bin means, at the coarsest binning level with at
    /// least 32 bins (largest over levels): a check on `error` that assumes no model.
    public var binningError: Double

    public init(mean: Double, error: Double, tau: Double, binningError: Double) {
        self.mean = mean
        self.error = error
        self.tau = tau
        self.binningError = binningError
    }
}

/// Error analysis of Markov-chain time series.
public enum TimeSeries {
    /// Window constant of Sokal's automatic windowing: the smallest W with W >= c tau(W).
    public static let windowConstant = 6.0
    /// Fewest bins a binning level may have and still count.
    public static let minBins = 32

    /// Integrated autocorrelation time tau = 1/2 + sum_{t=1}^{W} rho(t), with W the
    /// smallest window such that W >= 6 tau(W) (Sokal, "Monte Carlo methods in
    /// statistical mechanics", 1997, sec. 3). 1/2 for a constant or too-short series.
    public static func autocorrelationTime(_ x: UnsafeBufferPointer<Double>) -> Double {
        let n = x.count
        guard n >= 2 else { return 0.5 }
        var mean = 0.0
        for v in x { mean += v }
        mean /= Double(n)
        var c0 = 0.0
        for v in x { c0 += (v - mean) * (v - mean) }
        c0 /= Double(n)
        guard c0 > 0 else { return 0.5 }
        var tau = 0.5
        for t in 1..<n {
            var c = 0.0
            for i in 0..<(n - t) { c += (x[i] - mean) * (x[i + t] - mean) }
            tau += c / Double(n) / c0
            if Double(t) >= windowConstant * tau { break }
        }
        return max(tau, 0.5)
    }

    /// The binning error of the mean: bins of 1, 2, 4, ... samples; at each level
    /// with >= 32 bins, sqrt(var(bin means) / bins); the largest of those.
    public static func binningError(_ x: UnsafeBufferPointer<Double>) -> Double {
        var level = Array(x)
        var largest = 0.0
        while level.count >= minBins {
            let n = Double(level.count)
            let mean = level.reduce(0, +) / n
            let variance = level.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
            largest = max(largest, (variance / n).squareRoot())
            level = stride(from: 0, to: level.count - 1, by: 2).map { 0.5 * (level[$0] + level[$0 + 1]) }
        }
        return largest
    }

    /// The estimate of the mean over independent chains, each a series of equal length:
    /// the mean of the chains' means, the error sqrt(sum_c err_c^2) / R, the chains'
    /// mean tau, and likewise the binning error.
    public static func estimate(_ series: [[Double]]) -> Estimate {
        var mean = 0.0, error2 = 0.0, tau = 0.0, binning2 = 0.0
        for s in series {
            s.withUnsafeBufferPointer { x in
                let n = Double(x.count)
                let m = x.reduce(0, +) / n
                let variance = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
                let t = autocorrelationTime(x)
                mean += m
                error2 += 2 * t * variance / n
                tau += t
                let b = binningError(x)
                binning2 += b * b
            }
        }
        let r = Double(series.count)
        return Estimate(mean: mean / r, error: error2.squareRoot() / r, tau: tau / r, binningError: binning2.squareRoot() / r)
    }

    /// Blocks per chain for the jackknife of derived quantities.
    public static let jackknifeBlocks = 16

    /// A function of several means (e.g. C = beta^2 N (<e^2> - <e>^2)) with its
    /// jackknife error: each chain's series cut into 16 blocks, the function
    /// re-evaluated leaving out one block of all R * 16 at a time.
    /// `series[k][c]` is observable k's series in chain c.
    public static func jackknife(_ series: [[[Double]]], tau: Double, _ f: ([Double]) -> Double) -> Estimate {
        let k = series.count
        let chains = series[0].count
        let n = series[0][0].count
        let blocksPerChain = min(jackknifeBlocks, n)
        var blockSums: [[Double]] = []  // [block][observable]
        var blockCounts: [Double] = []
        for c in 0..<chains {
            for b in 0..<blocksPerChain {
                let range = (b * n / blocksPerChain)..<((b + 1) * n / blocksPerChain)
                blockSums.append((0..<k).map { series[$0][c][range].reduce(0, +) })
                blockCounts.append(Double(range.count))
            }
        }
        let totalCount = blockCounts.reduce(0, +)
        let totals = (0..<k).map { o in blockSums.reduce(0) { $0 + $1[o] } }
        let full = f(totals.map { $0 / totalCount })
        let blocks = blockSums.count
        guard blocks > 1 else { return Estimate(mean: full, error: .nan, tau: tau, binningError: .nan) }
        var leaveOut: [Double] = []
        for b in 0..<blocks {
            let count = totalCount - blockCounts[b]
            leaveOut.append(f((0..<k).map { (totals[$0] - blockSums[b][$0]) / count }))
        }
        let average = leaveOut.reduce(0, +) / Double(blocks)
        let spread = leaveOut.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        let error = (Double(blocks - 1) / Double(blocks) * spread).squareRoot()
        return Estimate(mean: full, error: error, tau: tau, binningError: error)
    }
}
