import BoltzmannCore
import CBoltzmann

// Header section "Sample metrics": two-sample distances and mode coverage.

/// x [n x dim] and y [m x dim] for a metric.
private func samplePair(_ x: UnsafePointer<Float>?, _ n: Int64, _ y: UnsafePointer<Float>?, _ m: Int64,
                        _ dim: Int64) throws(EngineError) -> (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) {
    (try rows(x, n, dim: dim, "x", rowsName: "n", minRows: 1), try rows(y, m, dim: dim, "y", rowsName: "m", minRows: 1))
}

@c @implementation
public func bz_energy_distance(
    _ x: UnsafePointer<Float>?, _ n: Int64, _ y: UnsafePointer<Float>?, _ m: Int64, _ dim: Int64, _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let (a, b) = try samplePair(x, n, y, m, dim)
        let output = try Argument.output(out, "out")
        output.pointee = try SampleMetrics.energyDistance(a, b, dimension: Int(dim), monitor: monitor(interrupt: nil))
    }
}

@c @implementation
public func bz_mmd(
    _ x: UnsafePointer<Float>?, _ n: Int64, _ y: UnsafePointer<Float>?, _ m: Int64, _ dim: Int64,
    _ bandwidths: UnsafePointer<Double>?, _ nBandwidths: Int64, _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let (a, b) = try samplePair(x, n, y, m, dim)
        let h = try Argument.array(bandwidths, try Argument.count(nBandwidths, "n_bandwidths"), "bandwidths")
        let output = try Argument.output(out, "out")
        output.pointee = try SampleMetrics.mmd(a, b, dimension: Int(dim), bandwidths: h, monitor: monitor(interrupt: nil))
    }
}

@c @implementation
public func bz_sliced_wasserstein(
    _ x: UnsafePointer<Float>?, _ n: Int64, _ y: UnsafePointer<Float>?, _ m: Int64, _ dim: Int64, _ projections: Int64,
    _ seed: UInt64, _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let (a, b) = try samplePair(x, n, y, m, dim)
        let output = try Argument.output(out, "out")
        output.pointee = try SampleMetrics.slicedWasserstein(a, b, dimension: Int(dim), projections: Int(clamping: projections), seed: seed,
                                                             monitor: monitor(interrupt: nil))
    }
}

@c @implementation
public func bz_mode_coverage(
    _ samples: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64, _ means: UnsafePointer<Double>?, _ stds: UnsafePointer<Double>?,
    _ nModes: Int64, _ outCovered: UnsafeMutablePointer<Double>?, _ weights: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let points = try rows(samples, n, dim: dim, "samples", minRows: 1)
        try Check.allFinite(points, "samples", width: Int(dim))
        let k = try Argument.count(nModes, "n_modes")
        let result = try SampleMetrics.modeCoverage(points, dimension: Int(dim),
                                                    means: try Argument.array(means, Argument.product(k, Int(dim), name: "n_modes x dim"), "means"),
                                                    deviations: try Argument.array(stds, k, "stds"))
        try Argument.output(outCovered, "out_covered").pointee = result.covered
        weights?.write(result.weights)
    }
}
