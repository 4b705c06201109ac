import BoltzmannCore
import CBoltzmann
import Synchronization

// Header section "mc": Monte Carlo sampling of Ising models.

/// The object behind a `bz_mc *`: a mutable sampler, one call at a time (BZ_ERR_BUSY).
typealias MonteCarloHandle = ExclusiveHandle<MonteCarlo>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> MonteCarloHandle {
    try Handles.lookup(pointer, as: MonteCarloHandle.self, "mc")
}

/// The engine's estimates (in `MonteCarlo.Observable.allCases` order) at their
/// `BZ_OBS_*` indices, as `bz_mc_results` and `bz_pt_results` write them.
func byObservableCode(_ estimates: [Estimate]) -> [Estimate] {
    var placed = estimates
    for (k, observable) in MonteCarlo.Observable.allCases.enumerated() {
        placed[Int(Code.observable.code(observable))] = estimates[k]
    }
    return placed
}

@c @implementation
public func bz_mc_n_observables() -> Int64 {
    Int64(Code.observable.entries.count)
}

@c @implementation
public func bz_mc_create(
    _ out: HandleOut, _ model: OpaquePointer?, _ beta: Double, _ algorithm: Int32, _ order: Int32, _ chains: Int64, _ seed: UInt64
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let m = try Handles.lookup(model, as: IsingHandle.self, "model").value
        let a = try Code.algorithm.decode(algorithm, "algorithm")
        let o = try Code.order.decode(order, "order")
        let sampler = try MonteCarlo(model: m, beta: beta, algorithm: a, order: o, chains: Int(clamping: chains), seed: seed)
        return MonteCarloHandle(sampler)
    }
}

@c @implementation
public func bz_mc_free(_ mc: OpaquePointer?) {
    Handles.release(mc, as: MonteCarloHandle.self)
}

@c @implementation
public func bz_mc_size(
    _ mc: OpaquePointer?, _ outNSpins: UnsafeMutablePointer<Int64>?, _ outChains: UnsafeMutablePointer<Int64>?,
    _ outNMeasurements: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(mc).use { s in
            outNSpins?.pointee = Int64(s.model.spinCount)
            outChains?.pointee = Int64(s.chainCount)
            outNMeasurements?.pointee = Int64(s.energySeries.first?.count ?? 0)
        }
    }
}

@c @implementation
public func bz_mc_set_beta(_ mc: OpaquePointer?, _ beta: Double) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(mc).use { s throws(EngineError) in try s.setBeta(beta) }
    }
}

@c @implementation
public func bz_mc_clamp(
    _ mc: OpaquePointer?, _ indices: UnsafePointer<Int64>?, _ values: UnsafePointer<Int8>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let count = try Argument.count(n, "n")
        let indices = try Argument.array(indices, count, "indices"), values = try Argument.array(values, count, "values")
        try handle(mc).use { s throws(EngineError) in
            try s.clamp(indices: indices.map { Int(clamping: $0) }, values: Array(values))
        }
    }
}

@c @implementation
public func bz_mc_release_clamps(_ mc: OpaquePointer?) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(mc).use { s in s.releaseClamps() }
    }
}

@c @implementation
public func bz_mc_run(
    _ mc: OpaquePointer?, _ sweeps: Int64, _ burnIn: Int64, _ measureEvery: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(mc)
        try h.use { s throws(EngineError) in
            try s.run(sweeps: Int(clamping: sweeps), burnIn: Int(clamping: burnIn), measureEvery: Int(clamping: measureEvery),
                      monitor: monitor(progress, user, interrupt: h.interrupt))
        }
    }
}

@c @implementation
public func bz_mc_sample(
    _ mc: OpaquePointer?, _ nSamples: Int64, _ every: Int64, _ burnIn: Int64, _ spins: UnsafeMutablePointer<Int8>?, _ n: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(spins, "spins")
        let h = try handle(mc)
        try h.use { s throws(EngineError) in
            // The engine checks the values; here the output's length.
            let expected = (Int64(s.chainCount) * Int64(s.model.spinCount)).multipliedReportingOverflow(by: nSamples)
            guard !expected.overflow, n == expected.partialValue else {
                throw EngineError(.shapeMismatch, "n must be chains x n_samples x n_spins = \(s.chainCount) x \(nSamples) x \(s.model.spinCount), got \(n)")
            }
            let samples = try s.sample(count: Int(clamping: nSamples), every: Int(clamping: every), burnIn: Int(clamping: burnIn),
                                       monitor: monitor(progress, user, interrupt: h.interrupt))
            out.write(samples)
        }
    }
}

@c @implementation
public func bz_mc_results(
    _ mc: OpaquePointer?, _ mean: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<Double>?,
    _ tau: UnsafeMutablePointer<Double>?, _ binningError: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try Argument.length(n, "n", equals: Code.observable.entries.count, "BZ_MC_N_OBSERVABLES")
        let estimates = byObservableCode(try handle(mc).use { s throws(EngineError) in try s.results() })
        mean?.write(estimates.map(\.mean))
        error?.write(estimates.map(\.error))
        tau?.write(estimates.map(\.tau))
        binningError?.write(estimates.map(\.binningError))
    }
}

@c @implementation
public func bz_mc_set_correlation_axis(_ mc: OpaquePointer?, _ axis: Int32, _ outNDistances: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let distances = try handle(mc).use { s throws(EngineError) in try s.setCorrelationAxis(axis < 0 ? nil : Int(axis)) }
        outNDistances?.pointee = Int64(distances)
    }
}

@c @implementation
public func bz_mc_correlation(
    _ mc: OpaquePointer?, _ mean: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(mc).use { s throws(EngineError) in
            let (values, errors) = try s.correlation()
            try Argument.length(n, "n", equals: values.count, "the number of distances")
            mean?.write(values)
            error?.write(errors)
        }
    }
}

@c @implementation
public func bz_mc_equilibration(
    _ mc: OpaquePointer?, _ observable: Int32, _ outZ: UnsafeMutablePointer<Double>?, _ outFirst: UnsafeMutablePointer<Double>?,
    _ outLast: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let o = try Code.observable.decode(observable, "observable")
        let (z, first, last) = try handle(mc).use { s throws(EngineError) in try s.equilibration(o) }
        outZ?.pointee = z
        outFirst?.write([first.mean, first.error])
        outLast?.write([last.mean, last.error])
    }
}

@c @implementation
public func bz_mc_series(
    _ mc: OpaquePointer?, _ energy: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(mc).use { s throws(EngineError) in
            let length = s.energySeries.first?.count ?? 0
            try Argument.length(n, "n", equals: s.chainCount * length, "chains x n_measurements")
            guard n > 0 else { return }
            energy?.write(s.energySeries.flatMap { $0 })
            magnetization?.write(s.magnetizationSeries.flatMap { $0 })
        }
    }
}

@c @implementation
public func bz_mc_spins(_ mc: OpaquePointer?, _ spins: UnsafeMutablePointer<Int8>?, _ n: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(spins, "spins")
        try handle(mc).use { s throws(EngineError) in
            try Argument.length(n, "n", equals: s.chainCount * s.model.spinCount, "chains x n_spins")
            out.write(s.spins())
        }
    }
}

// -- the sampler's whole state, for pickling and checkpoints

/// A sampler's state as bytes (see `SamplerState`), made once per call.
private func mcState(_ mc: OpaquePointer?) throws(EngineError) -> [UInt8] {
    try handle(mc).use { s in
        s.serializedState(algorithmCode: UInt32(bitPattern: Code.algorithm.code(s.algorithm)),
                          orderCode: UInt32(bitPattern: Code.order.code(s.order)))
    }
}

@c @implementation
public func bz_mc_serialized_size(_ mc: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = Int64(try mcState(mc).count)
    }
}

@c @implementation
public func bz_mc_serialize(_ mc: OpaquePointer?, _ out: UnsafeMutablePointer<UInt8>?, _ size: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let bytes = try mcState(mc)
        try Argument.length(size, "size", equals: bytes.count, "the serialized size")
        out.write(bytes)
    }
}

@c @implementation
public func bz_mc_deserialize(_ out: HandleOut, _ model: OpaquePointer?, _ bytes: UnsafePointer<UInt8>?, _ size: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let m = try Handles.lookup(model, as: IsingHandle.self, "model").value
        guard let bytes else { throw EngineError(.nullPointer, "bytes must not be NULL") }
        let count = size == 0 ? 0 : try Argument.count(size, "size")
        let raw = UnsafeRawBufferPointer(start: bytes, count: count)
        let saved = try MonteCarlo.stateConfiguration(raw, model: m)
        func bad(_ error: EngineError) -> EngineError { EngineError(.badFormat, "the state's configuration is invalid: \(error.message)") }
        let sampler: MonteCarlo
        do throws(EngineError) {
            sampler = try MonteCarlo(model: m, beta: saved.beta,
                                     algorithm: Code.algorithm.decode(Int32(bitPattern: saved.algorithmCode), "algorithm"),
                                     order: Code.order.decode(Int32(bitPattern: saved.orderCode), "order"), chains: saved.chains, seed: saved.seed)
        } catch {
            throw error.kind == .outOfMemory ? error : bad(error)
        }
        try sampler.restoreState(raw)
        return MonteCarloHandle(sampler)
    }
}
