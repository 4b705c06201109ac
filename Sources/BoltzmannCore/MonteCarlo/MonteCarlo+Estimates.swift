// Estimates of a run: means with autocorrelation-corrected errors (Sokal 1997),
// jackknife errors for the fluctuation observables, binning, and the
// equilibration check.

extension MonteCarlo {
    /// Estimates of every `Observable` from the last run: the means with their
    /// autocorrelation-time errors and binning errors; the fluctuation quantities with
    /// jackknife errors (their tau is that of e, resp. m^2).
    public func results() throws(EngineError) -> [Estimate] {
        guard !energySeries.isEmpty, !energySeries[0].isEmpty else { throw EngineError(.wrongState, "no measurements yet: call run first") }
        return Self.estimates(energy: energySeries, magnetization: magnetizationSeries, beta: beta, spinCount: model.spinCount,
                              pooling: algorithm == .multispinShared ? 64 : 1)
    }

    /// Whether the last run looks equilibrated in one of the means (energy ...
    /// magnetizationFourth): the estimates from the first and the second half of
    /// every chain's series, and z = |mean_1 - mean_2| / sqrt(error_1^2 + error_2^2).
    /// A drift still under way at the start shows as z well above 2-3.
    public func equilibration(_ observable: Observable) throws(EngineError) -> (z: Double, first: Estimate, last: Estimate) {
        let means: [Observable] = [.energy, .magnetization, .absMagnetization, .magnetizationSquared, .magnetizationFourth]
        guard means.contains(observable) else {
            throw .invalid("observable must be a mean (energy .. magnetization^4) for the equilibration check, not \(observable)")
        }
        guard let length = energySeries.first?.count, length >= 64 else {
            throw EngineError(.wrongState, "the equilibration check needs a run with >= 64 measurements per chain")
        }
        let series: [[Double]] = switch observable {
        case .energy: energySeries
        case .magnetization: magnetizationSeries
        case .absMagnetization: magnetizationSeries.map { $0.map(abs) }
        case .magnetizationSquared: magnetizationSeries.map { $0.map { $0 * $0 } }
        default: magnetizationSeries.map { $0.map { $0 * $0 * $0 * $0 } }
        }
        let first = TimeSeries.estimate(series.map { Array($0[..<(length / 2)]) })
        let last = TimeSeries.estimate(series.map { Array($0[(length / 2)...]) })
        let spread = (first.error * first.error + last.error * last.error).squareRoot()
        let z = first.mean == last.mean ? 0 : abs(first.mean - last.mean) / spread
        return (z, first, last)
    }

    /// Every `Observable` from per-chain series of e and m at one beta.
    ///
    /// `pooling` > 1 averages each moment (e, e^2, m, |m|, m^2, m^4) over groups of
    /// that many consecutive chains before the error analysis, which then treats each
    /// group as one chain: honest errors for replicas that share random numbers.
    static func estimates(energy e: [[Double]], magnetization m: [[Double]], beta: Double, spinCount: Int, pooling: Int = 1) -> [Estimate] {
        func pool(_ series: [[Double]]) -> [[Double]] {
            guard pooling > 1 else { return series }
            var pooled: [[Double]] = []
            for g in stride(from: 0, to: series.count, by: pooling) {
                var mean = [Double](repeating: 0, count: series[g].count)
                for c in g..<(g + pooling) { for t in mean.indices { mean[t] += series[c][t] } }
                pooled.append(mean.map { $0 / Double(pooling) })
            }
            return pooled
        }
        let absM = pool(m.map { $0.map(abs) })
        let m2 = pool(m.map { $0.map { $0 * $0 } })
        let m4 = pool(m.map { $0.map { $0 * $0 * $0 * $0 } })
        let e2 = pool(e.map { $0.map { $0 * $0 } })
        let e = pool(e), m = pool(m)
        let energy = TimeSeries.estimate(e)
        let squared = TimeSeries.estimate(m2)
        let n = Double(spinCount)
        let heat = TimeSeries.jackknife([e, e2], tau: energy.tau) { beta * (beta * (n * ($0[1] - $0[0] * $0[0]))) }
        let chi = TimeSeries.jackknife([absM, m2], tau: squared.tau) { beta * (n * ($0[1] - $0[0] * $0[0])) }
        let binder = TimeSeries.jackknife([m2, m4], tau: squared.tau) { 1 - $0[1] / (3 * $0[0] * $0[0]) }
        return [energy, TimeSeries.estimate(m), TimeSeries.estimate(absM), squared, TimeSeries.estimate(m4), heat, chi, binder]
    }
}
