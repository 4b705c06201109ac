import BoltzmannCore
import CBoltzmann

// Header section "rbm": restricted Boltzmann machines.

/// The machine behind a `bz_rbm *` and its training state (options, momentum,
/// persistent chains, random stream), mutable, used by one call at a time.
typealias RBMHandle = ExclusiveHandle<RBMTrainer>

extension RBMTrainer: HandleValue {
    static var handleTypeName: String { "bz_rbm" }
}

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> RBMHandle {
    try Handles.lookup(pointer, as: RBMHandle.self, "rbm")
}

/// `rows` rows of `width` floats at `pointer` (rows >= 1, and a product that fits).
private func matrix(_ pointer: UnsafePointer<Float>?, _ rows: Int64, _ width: Int, _ name: String) throws(EngineError) -> [Float] {
    let count = try Argument.count(rows, "n_rows")
    guard count <= Int(Argument.maxCount) / width else { throw .invalid("n_rows = \(rows) rows of \(width) is more than the library accepts") }
    return try Argument.array(pointer, count * width, name)
}

/// `matrix` without the copy, for calls that only read the rows while they run.
private func matrixInPlace(_ pointer: UnsafePointer<Float>?, _ rows: Int64, _ width: Int, _ name: String) throws(EngineError) -> UnsafeBufferPointer<Float> {
    let count = try Argument.count(rows, "n_rows")
    guard count <= Int(Argument.maxCount) / width else { throw .invalid("n_rows = \(rows) rows of \(width) is more than the library accepts") }
    guard let pointer else { throw EngineError(.nullPointer, "\(name) is NULL") }
    return UnsafeBufferPointer(start: pointer, count: count * width)
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
            out.write(try f(m, matrix(input, nRows, hidden ? m.hiddenCount : m.visibleCount, name)))
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
            let states = Int64(1) << Int64(min(min(trainer.machine.visibleCount, trainer.machine.hiddenCount), 62))
            return try trainer.machine.exactLogPartition(monitor: monitor(total: states, progress, user, interrupt: h.interrupt))
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
        guard runs >= 1, runs <= 1 << 16 else { throw .invalid("runs must be in [1, 65536], got \(runs)") }
        let h = try handle(rbm)
        let estimate = try h.use { trainer throws(EngineError) in
            let start = Argument.optionalArray(base, trainer.machine.visibleCount)
            return try trainer.machine.annealedImportanceSampling(
                runs: Int(runs), betas: schedule, base: start, seed: seed,
                monitor: monitor(total: Int64(RBM.aisGroups(runs: Int(runs))) * Int64(max(schedule.count - 1, 0)), progress, user, interrupt: h.interrupt))
        }
        out.pointee = estimate.logZ
        outStandardError?.pointee = estimate.standardError
        outEffectiveSampleSize?.pointee = estimate.effectiveSampleSize
    }
}

/// The training options of the header.
private enum TrainingOption: Sendable {
    case learningRate, schedule, finalLearningRate, k, persistentChains, momentum, weightDecay, batchSize, metric

    static let codes = Codes<TrainingOption>([
        ("BZ_RBM_LEARNING_RATE", BZ_RBM_LEARNING_RATE, .learningRate),
        ("BZ_RBM_SCHEDULE", BZ_RBM_SCHEDULE, .schedule),
        ("BZ_RBM_FINAL_LEARNING_RATE", BZ_RBM_FINAL_LEARNING_RATE, .finalLearningRate),
        ("BZ_RBM_K", BZ_RBM_K, .k),
        ("BZ_RBM_PERSISTENT_CHAINS", BZ_RBM_PERSISTENT_CHAINS, .persistentChains),
        ("BZ_RBM_MOMENTUM", BZ_RBM_MOMENTUM, .momentum),
        ("BZ_RBM_WEIGHT_DECAY", BZ_RBM_WEIGHT_DECAY, .weightDecay),
        ("BZ_RBM_BATCH_SIZE", BZ_RBM_BATCH_SIZE, .batchSize),
        ("BZ_RBM_METRIC", BZ_RBM_METRIC, .metric),
    ])

    /// The name the bindings use: the macro's, lower case, without BZ_RBM_.
    var name: String {
        String(Self.codes.entries.first { $0.value == self }!.name.dropFirst("BZ_RBM_".count)).lowercased()
    }
}

/// A code given as an option's double value: a whole number, decoded by `codes`.
private func code<Value>(_ value: Double, _ codes: Codes<Value>, _ name: String) throws(EngineError) -> Value {
    try codes.decode(Int32(try whole(value, name, Int(Int32.min), Int(Int32.max))), name)
}

/// BZ_RBM_CONSTANT or BZ_RBM_LINEAR: whether the learning rate decays linearly.
private let learningRateSchedules = Codes<Bool>([
    ("BZ_RBM_CONSTANT", BZ_RBM_CONSTANT, false),
    ("BZ_RBM_LINEAR", BZ_RBM_LINEAR, true),
])

/// `value` as an integer in [lower, upper], or a named error.
private func whole(_ value: Double, _ name: String, _ lower: Int, _ upper: Int) throws(EngineError) -> Int {
    guard value.isFinite, value.rounded() == value, value >= Double(lower), value <= Double(upper) else {
        throw .invalid("\(name) must be a whole number in [\(lower), \(upper)], got \(value)")
    }
    return Int(value)
}

@c @implementation
public func bz_rbm_set_training(_ rbm: OpaquePointer?, _ option: Int32, _ value: Double) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { trainer throws(EngineError) in
            let which = try TrainingOption.codes.decode(option, "option")
            if [.learningRate, .finalLearningRate, .momentum, .weightDecay].contains(which), !value.isFinite || abs(value) > 1e30 {
                throw EngineError(value.isFinite ? .invalidArgument : .nonFinite, "\(which.name) must be a finite float, got \(value)")
            }
            var options = trainer.options
            switch which {
            case .learningRate: options.learningRate = Float(value)
            case .schedule: options.linearDecay = try code(value, learningRateSchedules, "schedule")
            case .finalLearningRate: options.finalLearningRate = Float(value)
            case .k: options.steps = try whole(value, "k", 1, 1 << 20)
            case .persistentChains: options.persistentChains = try whole(value, "persistent_chains", 0, 1 << 20)
            case .momentum: options.momentum = Float(value)
            case .weightDecay: options.weightDecay = Float(value)
            case .batchSize: options.batchSize = try whole(value, "batch_size", 1, 1 << 20)
            case .metric: options.metric = try code(value, Code.metric, "metric")
            }
            try trainer.setOptions(options)
        }
    }
}

@c @implementation
public func bz_rbm_get_training(_ rbm: OpaquePointer?, _ option: Int32, _ out: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = try handle(rbm).use { trainer throws(EngineError) in
            let which = try TrainingOption.codes.decode(option, "option")
            let o = trainer.options
            switch which {
            case .learningRate: return Double(o.learningRate)
            case .schedule: return Double(learningRateSchedules.code(o.linearDecay))
            case .finalLearningRate: return Double(o.finalLearningRate)
            case .k: return Double(o.steps)
            case .persistentChains: return Double(o.persistentChains)
            case .momentum: return Double(o.momentum)
            case .weightDecay: return Double(o.weightDecay)
            case .batchSize: return Double(o.batchSize)
            case .metric: return Double(Code.metric.code(o.metric))
            }
        }
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
            let rows = try matrixInPlace(data, nRows, trainer.machine.visibleCount, "data")
            guard epochs >= 1, epochs <= Argument.maxCount else { throw .invalid("epochs must be in [1, \(Argument.maxCount)], got \(epochs)") }
            let history = try trainer.fit(rows, epochs: Int(epochs), seed: seed,
                                              monitor: monitor(total: epochs, progress, user, interrupt: h.interrupt))
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
            let error = try trainer.partialFit(matrix(data, nRows, trainer.machine.visibleCount, "data"))
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
        guard nChains >= 1, nChains <= 1 << 20 else { throw .invalid("n_chains must be in [1, 2^20], got \(nChains)") }
        guard steps >= 0, steps <= Argument.maxCount else { throw .invalid("steps must be in [0, \(Argument.maxCount)], got \(steps)") }
        let result = try h.use { trainer throws(EngineError) in
            let m = trainer.machine
            let initial = start == nil ? nil : try matrix(start, nChains, m.visibleCount, "start")
            return try m.sample(chains: Int(nChains), steps: Int(steps), start: initial, means: means != 0, seed: seed,
                                monitor: monitor(total: steps, progress, user, interrupt: h.interrupt))
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
        guard side >= 1, side <= 5 else { throw .invalid("side must be in [1, 5], got \(side)") }
        let images = try Datasets.barsAndStripes(side: Int(side))
        let count = images.count / Int(side * side)
        if let out {
            try Argument.length(nRows, "n_rows", equals: count, "the number of images, 2^(side + 1) - 2")
            out.write(images)
        }
        outRows?.pointee = Int64(count)
    }
}
