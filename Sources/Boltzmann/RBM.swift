import BoltzmannCore
import CBoltzmann

// Header section "rbm": restricted Boltzmann machines.

/// The machine behind a `bz_rbm *`, mutable (training), used by one call at a time.
final class RBMHandle: Interruptible, @unchecked Sendable {
    static let typeName = "bz_rbm"
    final class Box { var machine: RBM; init(_ machine: RBM) { self.machine = machine } }
    private let box: Exclusive<Box>
    let interrupt = InterruptFlag()

    init(_ machine: RBM) { box = Exclusive(Box(machine), typeName: Self.typeName) }

    func use<R>(_ body: (Box) throws(EngineError) -> R) throws(EngineError) -> R { try box.use(body) }
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

@c @implementation
public func bz_rbm_create(_ nVisible: Int64, _ nHidden: Int64, _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = nil
        let machine = try RBM(visible: Int(clamping: nVisible), hidden: Int(clamping: nHidden), seed: seed)
        out.pointee = Handles.register(RBMHandle(machine))
    }
}

@c @implementation
public func bz_rbm_free(_ rbm: OpaquePointer?) {
    Handles.release(rbm, as: RBMHandle.self)
}

@c @implementation
public func bz_rbm_size(_ rbm: OpaquePointer?, _ outNVisible: UnsafeMutablePointer<Int64>?, _ outNHidden: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { box in
            outNVisible?.pointee = Int64(box.machine.visibleCount)
            outNHidden?.pointee = Int64(box.machine.hiddenCount)
        }
    }
}

@c @implementation
public func bz_rbm_parameters(
    _ rbm: OpaquePointer?, _ weights: UnsafeMutablePointer<Float>?, _ visibleBias: UnsafeMutablePointer<Float>?,
    _ hiddenBias: UnsafeMutablePointer<Float>?, _ nVisible: Int64, _ nHidden: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(rbm).use { box throws(EngineError) in
            let m = box.machine
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
        try handle(rbm).use { box throws(EngineError) in
            let nv = box.machine.visibleCount, nh = box.machine.hiddenCount
            try Argument.length(nVisible, "n_visible", equals: nv, "the machine's n_visible")
            try Argument.length(nHidden, "n_hidden", equals: nh, "the machine's n_hidden")
            box.machine = try RBM(weights: Argument.array(weights, nv * nh, "weights"),
                                  visibleBias: Argument.array(visibleBias, nv, "visible_bias"),
                                  hiddenBias: Argument.array(hiddenBias, nh, "hidden_bias"))
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
        try handle(rbm).use { box throws(EngineError) in
            let m = box.machine
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
public func bz_rbm_log_partition_exact(
    _ rbm: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        let h = try handle(rbm)
        out.pointee = try h.use { box throws(EngineError) in
            let states = Int64(1) << Int64(min(min(box.machine.visibleCount, box.machine.hiddenCount), 62))
            return try box.machine.exactLogPartition(monitor: monitor(total: states, progress, user, interrupt: h.interrupt))
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
        let estimate = try h.use { box throws(EngineError) in
            let start = Argument.optionalArray(base, box.machine.visibleCount)
            return try box.machine.annealedImportanceSampling(
                runs: Int(runs), betas: schedule, base: start, seed: seed,
                monitor: monitor(total: Int64(schedule.count - 1), progress, user, interrupt: h.interrupt))
        }
        out.pointee = estimate.logZ
        outStandardError?.pointee = estimate.standardError
        outEffectiveSampleSize?.pointee = estimate.effectiveSampleSize
    }
}

@c @implementation
public func bz_rbm_fit(
    _ rbm: OpaquePointer?, _ data: UnsafePointer<Float>?, _ nRows: Int64, _ epochs: Int64, _ batchSize: Int64,
    _ learningRate: Float, _ k: Int32, _ persistentChains: Int64, _ momentum: Float, _ weightDecay: Float, _ seed: UInt64,
    _ errors: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(rbm)
        try h.use { box throws(EngineError) in
            let rows = try matrix(data, nRows, box.machine.visibleCount, "data")
            guard epochs >= 1, epochs <= Argument.maxCount else { throw .invalid("epochs must be in [1, \(Argument.maxCount)], got \(epochs)") }
            var options = RBMTraining()
            options.batchSize = Int(clamping: batchSize)
            options.learningRate = learningRate
            options.steps = Int(k)
            options.persistentChains = Int(clamping: persistentChains)
            options.momentum = momentum
            options.weightDecay = weightDecay
            let trainer = try RBMTrainer(box.machine, options: options, seed: seed)
            // Whatever happens (a stop between batches), the machine keeps the steps taken.
            defer { box.machine = trainer.machine }
            let history = try trainer.fit(rows, epochs: Int(epochs), monitor: monitor(total: epochs, progress, user, interrupt: h.interrupt))
            errors?.write(history)
        }
    }
}
