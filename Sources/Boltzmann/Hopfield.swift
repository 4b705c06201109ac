import BoltzmannCore
import CBoltzmann

// Header section "Hopfield networks".

/// The network behind a `bz_hopfield *`: mutable (store, thresholds, storage),
/// used by one call at a time.
typealias HopfieldHandle = ExclusiveHandle<Box<HopfieldNetwork>>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> HopfieldHandle {
    try Handles.lookup(pointer, as: HopfieldHandle.self, "net")
}

/// `count` states [count x n_neurons] at `pointer`, n_neurons the network's (values
/// are checked by the engine).
private func states(_ pointer: UnsafePointer<Int8>?, _ count: Int64, _ width: Int64, _ network: HopfieldNetwork,
                    _ name: String, rowsName: String = "n_states") throws(EngineError) -> UnsafeBufferPointer<Int8> {
    try Argument.length(width, "n_neurons", equals: network.neuronCount, "the network's n_neurons")
    return try rows(pointer, count, network.neuronCount, name, rowsName: rowsName)
}

@c @implementation
public func bz_hopfield_create(_ out: HandleOut, _ nNeurons: Int64, _ rule: Int32) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let rule = try Code.rule.decode(rule, "rule")
        return HopfieldHandle(Box(try HopfieldNetwork(neurons: Int(clamping: nNeurons), rule: rule)))
    }
}

@c @implementation
public func bz_hopfield_free(_ net: OpaquePointer?) {
    Handles.release(net, as: HopfieldHandle.self)
}

@c @implementation
public func bz_hopfield_size(
    _ net: OpaquePointer?, _ outNeurons: UnsafeMutablePointer<Int64>?, _ outPatterns: UnsafeMutablePointer<Int64>?,
    _ outRule: UnsafeMutablePointer<Int32>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box in
            outNeurons?.pointee = Int64(box.value.neuronCount)
            outPatterns?.pointee = Int64(box.value.patternCount)
            outRule?.pointee = Code.rule.code(box.value.rule)
        }
    }
}

@c @implementation
public func bz_hopfield_store(_ net: OpaquePointer?, _ patterns: UnsafePointer<Int8>?, _ nPatterns: Int64, _ nNeurons: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            let input = try states(patterns, nPatterns, nNeurons, box.value, "patterns", rowsName: "n_patterns")
            var updated = box.value
            try updated.store(input)
            box.value = updated
        }
    }
}

@c @implementation
public func bz_hopfield_patterns(_ net: OpaquePointer?, _ patterns: UnsafeMutablePointer<Int8>?, _ nPatterns: Int64, _ nNeurons: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            let network = box.value
            try Argument.length(nPatterns, "n_patterns", equals: network.patternCount, "the stored pattern count")
            try Argument.length(nNeurons, "n_neurons", equals: network.neuronCount, "the network's n_neurons")
            guard network.patternCount > 0 else { return }
            let out = try Argument.output(patterns, "patterns")
            for k in network.patterns.indices { out[k] = network.patterns[k] > 0 ? 1 : -1 }
        }
    }
}

@c @implementation
public func bz_hopfield_set_thresholds(_ net: OpaquePointer?, _ thresholds: UnsafePointer<Double>?, _ nNeurons: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            try Argument.length(nNeurons, "n_neurons", equals: box.value.neuronCount, "the network's n_neurons")
            let values = try Argument.array(thresholds, box.value.neuronCount, "thresholds")
            if let k = values.firstIndex(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                throw EngineError(.nonFinite, "thresholds[\(k)] must be finite (in single precision), got \(values[k])")
            }
            try box.value.setThresholds(values.map { Float($0) })
        }
    }
}

@c @implementation
public func bz_hopfield_set_storage(_ net: OpaquePointer?, _ storage: Int32) -> bz_status {
    guarded { () throws(EngineError) in
        let storage = try Code.storage.decode(storage, "storage")
        try handle(net).use { box throws(EngineError) in
            var updated = box.value
            try updated.setStorage(storage)
            box.value = updated
        }
    }
}

@c @implementation
public func bz_hopfield_uses_matrix(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out_uses_matrix")
        out.pointee = try handle(net).use { box in box.value.usesMatrix ? 1 : 0 }
    }
}

@c @implementation
public func bz_hopfield_recall(
    _ net: OpaquePointer?, _ statesPointer: UnsafeMutablePointer<Int8>?, _ nStates: Int64, _ nNeurons: Int64,
    _ dynamics: Int32, _ temperature: Double, _ sweeps: Int64, _ seed: UInt64,
    _ outcomes: UnsafeMutablePointer<Int32>?, _ sweepsTaken: UnsafeMutablePointer<Int64>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let kind = try Code.dynamics.decode(dynamics, "dynamics")
        let h = try handle(net)
        try h.use { box throws(EngineError) in
            let network = box.value
            let input = try states(UnsafePointer(statesPointer), nStates, nNeurons, network, "states")
            // Work on a copy: a cancelled or failed call leaves the caller's states as they were.
            var work = Array(input)
            let report = try work.withUnsafeMutableBufferPointer { buffer throws(EngineError) in
                try network.recall(buffer, dynamics: kind, temperature: kind == .glauber ? temperature : 0, maxSweeps: Int(clamping: sweeps),
                                   seed: seed, monitor: monitor(progress, user, interrupt: h.interrupt))
            }
            statesPointer!.write(work)
            outcomes?.write(report.outcomes.map(Code.outcome.code))
            sweepsTaken?.write(report.sweeps.map { Int64($0) })
        }
    }
}

@c @implementation
public func bz_hopfield_energy(
    _ net: OpaquePointer?, _ statesPointer: UnsafePointer<Int8>?, _ nStates: Int64, _ nNeurons: Int64, _ energies: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            let input = try states(statesPointer, nStates, nNeurons, box.value, "states")
            let out = try Argument.output(energies, "energies")
            out.write(try box.value.energies(input))
        }
    }
}

@c @implementation
public func bz_hopfield_overlaps(
    _ net: OpaquePointer?, _ statesPointer: UnsafePointer<Int8>?, _ nStates: Int64, _ nNeurons: Int64,
    _ overlaps: UnsafeMutablePointer<Double>?, _ nPatterns: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            let input = try states(statesPointer, nStates, nNeurons, box.value, "states")
            try Argument.length(nPatterns, "n_patterns", equals: box.value.patternCount, "the stored pattern count")
            let result = try box.value.overlaps(input)
            guard !result.isEmpty else { return }
            try Argument.output(overlaps, "overlaps").write(result)
        }
    }
}

@c @implementation
public func bz_hopfield_to_ising(_ out: HandleOut, _ net: OpaquePointer?) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let model = try handle(net).use { box throws(EngineError) in try box.value.isingModel() }
        return IsingHandle(model)
    }
}
