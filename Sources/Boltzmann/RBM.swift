import BoltzmannCore
import CBoltzmann

// Header section "rbm": restricted Boltzmann machines.

/// The machine behind a `bz_rbm *` and its training state (options, momentum,
/// persistent chains, random stream), mutable, used by one call at a time.
typealias RBMHandle = ExclusiveHandle<RBMTrainer>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> RBMHandle {
    try Handles.lookup(pointer, as: RBMHandle.self, "rbm")
}

@c @implementation
public func bz_rbm_create(
    _ out: HandleOut, _ nVisible: Int64, _ nHidden: Int64, _ units: Int32, _ seed: UInt64
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let machine = try RBM(visible: Int(clamping: nVisible), hidden: Int(clamping: nHidden), units: Code.visibleUnits.decode(units, "visible_units"), seed: seed)
        return RBMHandle(try RBMTrainer(machine, seed: seed))
    }
}

@c @implementation
public func bz_rbm_visible_units(_ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = try handle(rbm).use { trainer in Code.visibleUnits.code(trainer.machine.visibleUnits) }
    }
}

@c @implementation
public func bz_rbm_free(_ rbm: OpaquePointer?) {
    Handles.release(rbm, as: RBMHandle.self)
}

@c @implementation
public func bz_rbm_size(_ rbm: OpaquePointer?, _ outNVisible: UnsafeMutablePointer<Int64>?, _ outNHidden: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { trainer in
            outNVisible?.pointee = Int64(trainer.machine.visibleCount)
            outNHidden?.pointee = Int64(trainer.machine.hiddenCount)
        }
    }
}

@c @implementation
public func bz_rbm_parameters(
    _ rbm: OpaquePointer?, _ weights: UnsafeMutablePointer<Float>?, _ visibleBias: UnsafeMutablePointer<Float>?,
    _ hiddenBias: UnsafeMutablePointer<Float>?, _ nVisible: Int64, _ nHidden: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { trainer throws(EngineError) in
            let m = trainer.machine
            try Argument.length(nVisible, "n_visible", equals: m.visibleCount, "the machine's n_visible")
            try Argument.length(nHidden, "n_hidden", equals: m.hiddenCount, "the machine's n_hidden")
            weights?.write(m.weights)
            visibleBias?.write(m.visibleBias)
            hiddenBias?.write(m.hiddenBias)
        }
    }
}

@c @implementation
public func bz_rbm_set_parameters(
    _ rbm: OpaquePointer?, _ weights: UnsafePointer<Float>?, _ visibleBias: UnsafePointer<Float>?,
    _ hiddenBias: UnsafePointer<Float>?, _ nVisible: Int64, _ nHidden: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { trainer throws(EngineError) in
            let nv = trainer.machine.visibleCount, nh = trainer.machine.hiddenCount
            try Argument.length(nVisible, "n_visible", equals: nv, "the machine's n_visible")
            try Argument.length(nHidden, "n_hidden", equals: nh, "the machine's n_hidden")
            try trainer.setMachine(RBM(weights: Argument.array(weights, nv * nh, "weights"),
                                           visibleBias: Argument.array(visibleBias, nv, "visible_bias"),
                                           hiddenBias: Argument.array(hiddenBias, nh, "hidden_bias"),
                                           units: trainer.machine.visibleUnits))
        }
    }
}

/// A per-row computation: `f` of the machine and `nRows` rows of input (of the
/// visible or hidden width), written to `out`.
private func perRow<T>(
    _ rbm: OpaquePointer?, _ input: UnsafePointer<Float>?, _ nRows: Int64, _ name: String, hidden: Bool,
    _ out: UnsafeMutablePointer<T>?, _ f: (RBM, [Float]) throws(EngineError) -> [T]
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        try handle(rbm).use { trainer throws(EngineError) in
            let m = trainer.machine
            out.write(try f(m, Array(rows(input, nRows, hidden ? m.hiddenCount : m.visibleCount, name))))
        }
    }
}

@c @implementation
public func bz_rbm_hidden_probabilities(
    _ rbm: OpaquePointer?, _ visible: UnsafePointer<Float>?, _ nRows: Int64, _ out: UnsafeMutablePointer<Float>?
) -> bz_status {
    perRow(rbm, visible, nRows, "visible", hidden: false, out) { m, v throws(EngineError) in try m.hiddenProbabilities(v) }
}

@c @implementation
public func bz_rbm_visible_probabilities(
    _ rbm: OpaquePointer?, _ hidden: UnsafePointer<Float>?, _ nRows: Int64, _ out: UnsafeMutablePointer<Float>?
) -> bz_status {
    perRow(rbm, hidden, nRows, "hidden", hidden: true, out) { m, h throws(EngineError) in try m.visibleProbabilities(h) }
}

@c @implementation
public func bz_rbm_free_energy(
    _ rbm: OpaquePointer?, _ visible: UnsafePointer<Float>?, _ nRows: Int64, _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    perRow(rbm, visible, nRows, "visible", hidden: false, out) { m, v throws(EngineError) in try m.freeEnergy(v) }
}

@c @implementation
public func bz_rbm_pseudo_log_likelihood(
    _ rbm: OpaquePointer?, _ visible: UnsafePointer<Float>?, _ nRows: Int64, _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    perRow(rbm, visible, nRows, "visible", hidden: false, out) { m, v throws(EngineError) in try m.pseudoLogLikelihood(v) }
}

@c @implementation
public func bz_rbm_log_partition_exact(
    _ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let h = try handle(rbm)
        out.pointee = try h.use { trainer throws(EngineError) in
            try trainer.machine.exactLogPartition(monitor: monitor(progress, user, interrupt: h.interrupt))
        }
    }
}

@c @implementation
public func bz_rbm_log_partition_ais(
    _ rbm: OpaquePointer?, _ runs: Int64, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ base: UnsafePointer<Float>?,
    _ seed: UInt64, _ outLogZ: UnsafeMutablePointer<Double>?, _ outStandardError: UnsafeMutablePointer<Double>?,
    _ outEffectiveSampleSize: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(outLogZ, "out_log_z")
        let schedule = betas == nil ? RBM.aisSchedule : try Argument.array(betas, Argument.count(nBetas, "n_betas"), "betas")
        let h = try handle(rbm)
        let estimate = try h.use { trainer throws(EngineError) in
            let start = Argument.optionalArray(base, trainer.machine.visibleCount)
            return try trainer.machine.annealedImportanceSampling(
                runs: Int(clamping: runs), betas: schedule, base: start, seed: seed,
                monitor: monitor(progress, user, interrupt: h.interrupt))
        }
        out.pointee = estimate.logZ
        outStandardError?.pointee = estimate.standardError
        outEffectiveSampleSize?.pointee = estimate.effectiveSampleSize
    }
}

/// The caller's struct as the engine's options; the engine checks the values.
private func training(_ options: UnsafePointer<bz_rbm_train_options>?) throws(EngineError) -> RBMTraining {
    guard let o = try versioned(options, BZ_RBM_TRAIN_OPTIONS_VERSION, "BZ_RBM_TRAIN_OPTIONS_VERSION", "bz_rbm_train_options_init") else {
        throw EngineError(.nullPointer, "options is NULL")
    }
    var options = RBMTraining()
    options.learningRate = Float(o.learning_rate)
    options.finalLearningRate = o.final_learning_rate < 0 ? nil : Float(o.final_learning_rate)
    options.steps = Int(o.k)
    options.persistentChains = Int(o.persistent_chains)
    options.momentum = Float(o.momentum)
    options.weightDecay = Float(o.weight_decay)
    options.batchSize = Int(o.batch_size)
    options.metric = try Code.metric.decode(o.metric, "options.metric")
    return options
}

/// The engine's options as the header's struct.
private func headerOptions(_ o: RBMTraining) -> bz_rbm_train_options {
    bz_rbm_train_options(version: BZ_RBM_TRAIN_OPTIONS_VERSION, learning_rate: Double(o.learningRate),
                         final_learning_rate: o.finalLearningRate.map(Double.init) ?? -1, k: Int64(o.steps),
                         persistent_chains: Int64(o.persistentChains), momentum: Double(o.momentum),
                         weight_decay: Double(o.weightDecay), batch_size: Int64(o.batchSize), metric: Code.metric.code(o.metric))
}

@c @implementation
public func bz_rbm_train_options_init(_ options: UnsafeMutablePointer<bz_rbm_train_options>?) -> bz_status {
    guarded { () throws(EngineError) in try Argument.output(options, "options").pointee = headerOptions(RBMTraining()) }
}

@c @implementation
public func bz_rbm_set_training(_ rbm: OpaquePointer?, _ options: UnsafePointer<bz_rbm_train_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let new = try training(options)
        try handle(rbm).use { trainer throws(EngineError) in try trainer.setOptions(new) }
    }
}

@c @implementation
public func bz_rbm_get_training(_ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<bz_rbm_train_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = try handle(rbm).use { trainer in headerOptions(trainer.options) }
    }
}

@c @implementation
public func bz_rbm_fit(
    _ rbm: OpaquePointer?, _ data: UnsafePointer<Float>?, _ nRows: Int64, _ epochs: Int64, _ seed: UInt64,
    _ metrics: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(rbm)
        try h.use { trainer throws(EngineError) in
            // Read in place (the caller's array outlives the call); the trainer checks
            // every value before it restarts from `seed`.
            let data = try rows(data, nRows, trainer.machine.visibleCount, "data")
            let history = try trainer.fit(data, epochs: Int(clamping: epochs), seed: seed,
                                              monitor: monitor(progress, user, interrupt: h.interrupt))
            metrics?.write(history)
        }
    }
}

@c @implementation
public func bz_rbm_partial_fit(
    _ rbm: OpaquePointer?, _ data: UnsafePointer<Float>?, _ nRows: Int64, _ outError: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { trainer throws(EngineError) in
            let error = try trainer.partialFit(Array(rows(data, nRows, trainer.machine.visibleCount, "data")))
            outError?.pointee = error
        }
    }
}

@c @implementation
public func bz_rbm_sample(
    _ rbm: OpaquePointer?, _ nChains: Int64, _ steps: Int64, _ start: UnsafePointer<Float>?, _ means: Int32, _ seed: UInt64,
    _ out: UnsafeMutablePointer<Float>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let h = try handle(rbm)
        let result = try h.use { trainer throws(EngineError) in
            let m = trainer.machine
            // n_chains sizes the read of start: its limit first.
            let initial = start == nil ? nil : Array(try rows(start, Limit.batch.check(nChains, "n_chains"), m.visibleCount, "start"))
            return try m.sample(chains: Int(clamping: nChains), steps: Int(clamping: steps), start: initial, means: means != 0, seed: seed,
                                monitor: monitor(progress, user, interrupt: h.interrupt))
        }
        out.write(result)
    }
}

func path(_ pointer: UnsafePointer<CChar>?) throws(EngineError) -> String {
    guard let pointer else { throw EngineError(.nullPointer, "path must not be NULL") }
    return String(cString: pointer)
}

@c @implementation
public func bz_rbm_save(_ rbm: OpaquePointer?, _ file: UnsafePointer<CChar>?) -> bz_status {
    guarded { () throws(EngineError) in
        let file = try path(file)
        try handle(rbm).use { trainer throws(EngineError) in try trainer.machine.save(to: file) }
    }
}

@c @implementation
public func bz_rbm_load(_ out: HandleOut, _ file: UnsafePointer<CChar>?) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let file = try path(file)
        let machine = try RBM.load(from: file)
        return RBMHandle(try RBMTrainer(machine, seed: 0))
    }
}

@c @implementation
public func bz_rbm_serialized_size(_ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = try handle(rbm).use { trainer in Int64(RBMFormat.size(visible: trainer.machine.visibleCount, hidden: trainer.machine.hiddenCount)) }
    }
}

@c @implementation
public func bz_rbm_serialize(_ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<UInt8>?, _ size: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let bytes = try handle(rbm).use { trainer in trainer.machine.serialized() }
        try Argument.length(size, "size", equals: bytes.count, "the serialized size")
        out.write(bytes)
    }
}

@c @implementation
public func bz_rbm_deserialize(_ out: HandleOut, _ bytes: UnsafePointer<UInt8>?, _ size: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        guard let bytes else { throw EngineError(.nullPointer, "bytes must not be NULL") }
        // Zero bytes are a (truncated) file, not a bad count: BZ_ERR_BAD_FORMAT.
        let count = size == 0 ? 0 : try Argument.count(size, "size")
        let machine = try RBM(serialized: UnsafeRawBufferPointer(start: bytes, count: count))
        return RBMHandle(try RBMTrainer(machine, seed: 0))
    }
}

@c @implementation
public func bz_bars_and_stripes(_ side: Int64, _ outRows: UnsafeMutablePointer<Int64>?, _ out: UnsafeMutablePointer<Float>?, _ nRows: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let images = try Datasets.barsAndStripes(side: Int(clamping: side))
        let count = images.count / Int(side * side)
        if let out {
            try Argument.length(nRows, "n_rows", equals: count, "the number of images, 2^(side + 1) - 2")
            out.write(images)
        }
        outRows?.pointee = Int64(count)
    }
}
