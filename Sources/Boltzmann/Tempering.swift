import BoltzmannCore
import CBoltzmann
import Synchronization

// Header section "mc", continued: parallel tempering and simulated annealing.

/// The object behind a `bz_pt *`, guarded like `bz_mc` by a busy flag.
typealias TemperingHandle = ExclusiveHandle<ParallelTempering>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> TemperingHandle {
    try Handles.lookup(pointer, as: TemperingHandle.self, "pt")
}

@c @implementation
public func bz_pt_create(
    _ out: HandleOut, _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ algorithmValue: Int32, _ replicas: Int64,
    _ seed: UInt64
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let m = try Handles.lookup(model, as: IsingHandle.self, "model").value
        let ladder = try Argument.array(betas, Limit.betas.check(nBetas, "n_betas", from: 2), "betas")
        let sampler = try ParallelTempering(model: m, betas: ladder, algorithm: Code.algorithm.decode(algorithmValue, "algorithm"),
                                            replicas: Int(clamping: replicas), seed: seed)
        return TemperingHandle(sampler)
    }
}

@c @implementation
public func bz_pt_free(_ pt: OpaquePointer?) {
    Handles.release(pt, as: TemperingHandle.self)
}

@c @implementation
public func bz_pt_size(
    _ pt: OpaquePointer?, _ outNSpins: UnsafeMutablePointer<Int64>?, _ outNBetas: UnsafeMutablePointer<Int64>?,
    _ outReplicas: UnsafeMutablePointer<Int64>?, _ outNMeasurements: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(pt).use { s in
            outNSpins?.pointee = Int64(s.model.spinCount)
            outNBetas?.pointee = Int64(s.betas.count)
            outReplicas?.pointee = Int64(s.replicas)
            outNMeasurements?.pointee = Int64(s.energySeries.first?.count ?? 0)
        }
    }
}

@c @implementation
public func bz_pt_run(
    _ pt: OpaquePointer?, _ sweeps: Int64, _ burnIn: Int64, _ swapEvery: Int64, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(pt)
        try h.use { s throws(EngineError) in
            try s.run(sweeps: Int(clamping: sweeps), burnIn: Int(clamping: burnIn), swapEvery: Int(clamping: swapEvery),
                      monitor: monitor(progress, user, interrupt: h.interrupt))
        }
    }
}

@c @implementation
public func bz_pt_results(
    _ pt: OpaquePointer?, _ betaIndex: Int64, _ mean: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<Double>?,
    _ tau: UnsafeMutablePointer<Double>?, _ binningError: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try Argument.length(n, "n", equals: Code.observable.entries.count, "BZ_MC_N_OBSERVABLES")
        let estimates = byObservableCode(try handle(pt).use { s throws(EngineError) in try s.results(slot: Int(clamping: betaIndex)) })
        mean?.write(estimates.map(\.mean))
        error?.write(estimates.map(\.error))
        tau?.write(estimates.map(\.tau))
        binningError?.write(estimates.map(\.binningError))
    }
}

@c @implementation
public func bz_pt_swaps(
    _ pt: OpaquePointer?, _ acceptance: UnsafeMutablePointer<Double>?, _ n: Int64, _ outRoundTrips: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(pt).use { s throws(EngineError) in
            try Argument.length(n, "n", equals: s.betas.count - 1, "n_betas - 1")
            guard !s.swapAttempted.isEmpty else { throw EngineError(.wrongState, "no swaps yet: call run first") }
            acceptance?.write(zip(s.swapAccepted, s.swapAttempted).map { $1 > 0 ? Double($0) / Double($1) : .nan })
            outRoundTrips?.pointee = Int64(s.roundTrips)
        }
    }
}

@c @implementation
public func bz_pt_overlap_distribution(
    _ pt: OpaquePointer?, _ betaIndex: Int64, _ probabilities: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(probabilities, "probabilities")
        try handle(pt).use { s throws(EngineError) in
            try Argument.length(n, "n", equals: s.model.spinCount + 1, "n_spins + 1")
            out.write(try s.overlapDistribution(slot: Int(clamping: betaIndex)))
        }
    }
}

@c @implementation
public func bz_pt_series(
    _ pt: OpaquePointer?, _ betaIndex: Int64, _ energy: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?,
    _ overlap: UnsafeMutablePointer<Double>?, _ n: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(pt).use { s throws(EngineError) in
            let k = s.betas.count
            guard betaIndex >= 0, betaIndex < Int64(k) else { throw .invalid("beta_index must be in [0, \(k)), got \(betaIndex)") }
            let slot = Int(betaIndex), length = s.energySeries.first?.count ?? 0
            try Argument.length(n, "n", equals: s.replicas * length, "replicas x n_measurements")
            guard n > 0 else { return }
            energy?.write((0..<s.replicas).flatMap { s.energySeries[$0 * k + slot] })
            magnetization?.write((0..<s.replicas).flatMap { s.magnetizationSeries[$0 * k + slot] })
            // Overlaps: replicas / 2 pairs; the rest of the buffer is left as it was.
            overlap?.write((0..<(s.replicas / 2)).flatMap { s.overlapSeries[$0 * k + slot] })
        }
    }
}

@c @implementation
public func bz_pt_spins(_ pt: OpaquePointer?, _ spins: UnsafeMutablePointer<Int8>?, _ n: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(spins, "spins")
        try handle(pt).use { s throws(EngineError) in
            try Argument.length(n, "n", equals: s.replicas * s.betas.count * s.model.spinCount, "replicas x n_betas x n_spins")
            out.write(s.spins())
        }
    }
}

@c @implementation
public func bz_beta_schedule(
    _ kind: Int32, _ first: Double, _ last: Double, _ n: Int64, _ betas: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(betas, "betas")
        let k = try Code.schedule.decode(kind, "kind")
        let count = try Argument.count(n, "n")
        out.write(try Annealing.schedule(k, first: first, last: last, count: count))
    }
}

@c @implementation
public func bz_anneal_beta_range(
    _ model: OpaquePointer?, _ outHot: UnsafeMutablePointer<Double>?, _ outCold: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try Handles.lookup(model, as: IsingHandle.self, "model").value
        let (hot, cold) = Annealing.defaultBetaRange(m)
        outHot?.pointee = hot
        outCold?.pointee = cold
    }
}

@c @implementation
public func bz_anneal(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ sweepsPerBeta: Int64, _ reads: Int64,
    _ algorithmValue: Int32, _ seed: UInt64, _ spins: UnsafeMutablePointer<Int8>?, _ energies: UnsafeMutablePointer<Double>?,
    _ outBest: UnsafeMutablePointer<Int64>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let handle = try Handles.lookup(model, as: IsingHandle.self, "model")
        let schedule = try Argument.array(betas, Argument.count(nBetas, "n_betas"), "betas")
        let r = try Annealing.anneal(handle.value, betas: schedule, sweepsPerBeta: Int(clamping: sweepsPerBeta), reads: Int(clamping: reads),
                                     algorithm: Code.algorithm.decode(algorithmValue, "algorithm"), seed: seed,
                                     monitor: monitor(progress, user, interrupt: handle.interrupt))
        spins?.write(r.spins)
        energies?.write(r.energies)
        outBest?.pointee = Int64(r.best)
    }
}

@c @implementation
public func bz_ising_ais(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ runs: Int64, _ sweeps: Int64,
    _ algorithmValue: Int32, _ seed: UInt64, _ logZ: UnsafeMutablePointer<Double>?,
    _ standardError: UnsafeMutablePointer<Double>?, _ effectiveSampleSize: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let handle = try Handles.lookup(model, as: IsingHandle.self, "model")
        let schedule = try Argument.array(betas, Argument.count(nBetas, "n_betas"), "betas")
        let r = try IsingAIS.run(handle.value, betas: schedule, runs: Int(clamping: runs), sweeps: Int(clamping: sweeps),
                                 algorithm: Code.algorithm.decode(algorithmValue, "algorithm"), seed: seed,
                                 monitor: monitor(progress, user, interrupt: handle.interrupt))
        logZ?.write(r.logZ)
        standardError?.write(r.standardError)
        effectiveSampleSize?.write(r.effectiveSampleSize)
    }
}

@c @implementation
public func bz_ising_population_annealing(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ replicas: Int64, _ populations: Int64,
    _ sweeps: Int64, _ algorithmValue: Int32, _ seed: UInt64, _ logZ: UnsafeMutablePointer<Double>?,
    _ logZError: UnsafeMutablePointer<Double>?, _ energy: UnsafeMutablePointer<Double>?,
    _ energyError: UnsafeMutablePointer<Double>?, _ familyEntropy: UnsafeMutablePointer<Double>?,
    _ effectiveFraction: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let handle = try Handles.lookup(model, as: IsingHandle.self, "model")
        let schedule = try Argument.array(betas, Argument.count(nBetas, "n_betas"), "betas")
        let r = try PopulationAnnealing.run(handle.value, betas: schedule, replicas: Int(clamping: replicas),
                                            populations: Int(clamping: populations), sweeps: Int(clamping: sweeps),
                                            algorithm: Code.algorithm.decode(algorithmValue, "algorithm"), seed: seed,
                                            monitor: monitor(progress, user, interrupt: handle.interrupt))
        logZ?.write(r.logZ)
        logZError?.write(r.logZError)
        energy?.write(r.energy)
        energyError?.write(r.energyError)
        familyEntropy?.write(r.familyEntropy)
        effectiveFraction?.write(r.effectiveFraction)
    }
}

@c @implementation
public func bz_anneal_from(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ sweepsPerBeta: Int64, _ reads: Int64,
    _ algorithmValue: Int32, _ seed: UInt64, _ initial: UnsafePointer<Int8>?, _ nInitial: Int64,
    _ spins: UnsafeMutablePointer<Int8>?, _ energies: UnsafeMutablePointer<Double>?,
    _ outBest: UnsafeMutablePointer<Int64>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let handle = try Handles.lookup(model, as: IsingHandle.self, "model")
        let schedule = try Argument.array(betas, Argument.count(nBetas, "n_betas"), "betas")
        let starts = try Argument.array(initial, Argument.count(nInitial, "n_initial"), "initial")
        let r = try Annealing.anneal(handle.value, betas: schedule, sweepsPerBeta: Int(clamping: sweepsPerBeta), reads: Int(clamping: reads),
                                     algorithm: Code.algorithm.decode(algorithmValue, "algorithm"), seed: seed, initial: starts,
                                     monitor: monitor(progress, user, interrupt: handle.interrupt))
        spins?.write(r.spins)
        energies?.write(r.energies)
        outBest?.pointee = Int64(r.best)
    }
}

// -- the sampler's whole state, for pickling and checkpoints

private func ptState(_ pt: OpaquePointer?) throws(EngineError) -> [UInt8] {
    try handle(pt).use { s in s.serializedState(algorithmCode: UInt32(bitPattern: Code.algorithm.code(s.algorithm))) }
}

@c @implementation
public func bz_pt_serialized_size(_ pt: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = Int64(try ptState(pt).count)
    }
}

@c @implementation
public func bz_pt_serialize(_ pt: OpaquePointer?, _ out: UnsafeMutablePointer<UInt8>?, _ size: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let bytes = try ptState(pt)
        try Argument.length(size, "size", equals: bytes.count, "the serialized size")
        out.write(bytes)
    }
}

@c @implementation
public func bz_pt_deserialize(_ out: HandleOut, _ model: OpaquePointer?, _ bytes: UnsafePointer<UInt8>?, _ size: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let m = try Handles.lookup(model, as: IsingHandle.self, "model").value
        guard let bytes else { throw EngineError(.nullPointer, "bytes must not be NULL") }
        let count = size == 0 ? 0 : try Argument.count(size, "size")
        let raw = UnsafeRawBufferPointer(start: bytes, count: count)
        let saved = try ParallelTempering.stateConfiguration(raw, model: m)
        let sampler: ParallelTempering
        do throws(EngineError) {
            sampler = try ParallelTempering(model: m, betas: saved.betas,
                                            algorithm: Code.algorithm.decode(Int32(bitPattern: saved.algorithmCode), "algorithm"),
                                            replicas: saved.replicas, seed: saved.seed)
        } catch {
            throw error.kind == .outOfMemory ? error : EngineError(.badFormat, "the state's configuration is invalid: \(error.message)")
        }
        try sampler.restoreState(raw)
        return TemperingHandle(sampler)
    }
}
