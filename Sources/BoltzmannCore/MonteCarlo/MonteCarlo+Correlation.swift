// The spin-spin correlation C(r) along a lattice axis, measured during runs.

extension MonteCarlo {
    /// Measure C(r) = <s_i s_{i + r e_axis}> (averaged over sites i) in later runs, or
    /// stop (nil). Needs a model built on a lattice. Returns the number of distances
    /// r = 0, 1, ...: L/2 + 1 along a periodic axis of length L, L along an open one.
    @discardableResult
    public func setCorrelationAxis(_ axis: Int?) throws(EngineError) -> Int {
        guard let axis else {
            correlationAxis = nil
            return 0
        }
        guard packedModel == nil else { throw EngineError(.unsupported, "correlations are not measured on multi-spin coded replicas") }
        guard let lattice = model.lattice else {
            throw EngineError(.unsupported, "correlations along an axis need a lattice model (chain, square, cubic or Edwards-Anderson)")
        }
        guard axis >= 0, axis < lattice.dimensions.count else {
            throw .invalid("axis must be in [0, \(lattice.dimensions.count)) for this \(lattice.dimensions.count)-dimensional lattice, got \(axis)")
        }
        correlationAxis = axis
        leaveByteLattice()
        return CorrelationKernel(lattice: lattice, axis: axis).distances
    }

    /// The last run's C(r), r = 0..<distances: the mean over chains of each chain's
    /// time average, and its standard error from the spread between chains (NaN
    /// for one chain).
    public func correlation() throws(EngineError) -> (mean: [Double], error: [Double]) {
        guard correlationAxis != nil, !correlationSums.isEmpty, correlationMeasurements > 0 else {
            throw EngineError(.wrongState, "no correlation measured: set an axis, then run")
        }
        let r = Double(chainCount), distances = correlationSums[0].count
        var mean = [Double](repeating: 0, count: distances), error = mean
        for d in 0..<distances {
            let values = correlationSums.map { $0[d] / Double(correlationMeasurements) }
            let mu = values.reduce(0, +) / r
            mean[d] = mu
            error[d] = chainCount < 2 ? .nan : (values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / (r - 1) / r).squareRoot()
        }
        return (mean, error)
    }
}

/// C(r) along one axis of a lattice: for each site, the product with the site r
/// steps along the axis (wrapping when periodic; only pairs inside when open),
/// averaged over the pairs at each r.
struct CorrelationKernel: Sendable {
    let length: Int
    let stride: Int
    let periodic: Bool
    let distances: Int
    /// 1 / (number of pairs at distance r).
    let weight: [Double]

    init(lattice: Lattice, axis: Int) {
        let length = lattice.dimensions[axis], periodic = lattice.periodic, n = lattice.dimensions.reduce(1, *)
        self.length = length
        self.periodic = periodic
        stride = lattice.stride(axis)
        distances = periodic ? length / 2 + 1 : length
        weight = (0..<distances).map { r in 1 / Double(periodic ? n : n / length * (length - r)) }
    }

    func accumulate(_ spins: [Double], into sums: inout [Double]) {
        spins.withUnsafeBufferPointer { s in
            for d in 0..<distances {
                var total = 0.0
                for i in 0..<s.count {
                    let coordinate = (i / stride) % length
                    if coordinate + d < length {
                        total += s[i] * s[i + d * stride]
                    } else if periodic {
                        total += s[i] * s[i + (d - length) * stride]
                    }
                }
                sums[d] += total * weight[d]
            }
        }
    }
}
