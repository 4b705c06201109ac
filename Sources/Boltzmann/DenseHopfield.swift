import BoltzmannCore
import CBoltzmann

// Header section "Dense (modern) Hopfield networks".

/// The network behind a `bz_dense_hopfield *`: patterns fixed at creation, beta
/// settable; used by one call at a time.
typealias DenseHopfieldHandle = ExclusiveHandle<Box<DenseHopfield>>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> DenseHopfieldHandle {
    try Handles.lookup(pointer, as: DenseHopfieldHandle.self, "net")
}

/// The stored patterns [n_patterns x dim], at least one.
private func patterns(_ pointer: UnsafePointer<Float>?, _ count: Int64, _ dim: Int64) throws(EngineError) -> UnsafeBufferPointer<Float> {
    try rows(pointer, count, dim: dim, "patterns", rowsName: "n_patterns", minRows: 1)
}

@c @implementation
public func bz_dense_hopfield_create(
    _ out: HandleOut, _ patternsPointer: UnsafePointer<Float>?, _ nPatterns: Int64, _ dim: Int64, _ beta: Double
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let input = try patterns(patternsPointer, nPatterns, dim)
        return DenseHopfieldHandle(Box(try DenseHopfield(softmax: input, dimension: Int(dim), beta: beta)))
    }
}

@c @implementation
public func bz_dense_hopfield_create_polynomial(
    _ out: HandleOut, _ patternsPointer: UnsafePointer<Float>?, _ nPatterns: Int64, _ dim: Int64, _ degree: Int32
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let input = try patterns(patternsPointer, nPatterns, dim)
        return DenseHopfieldHandle(Box(try DenseHopfield(polynomial: input, dimension: Int(dim), degree: Int(degree))))
    }
}

@c @implementation
public func bz_dense_hopfield_free(_ net: OpaquePointer?) {
    Handles.release(net, as: DenseHopfieldHandle.self)
}

@c @implementation
public func bz_dense_hopfield_info(
    _ net: OpaquePointer?, _ outPatterns: UnsafeMutablePointer<Int64>?, _ outDim: UnsafeMutablePointer<Int64>?,
    _ outSeparation: UnsafeMutablePointer<Int32>?, _ outBeta: UnsafeMutablePointer<Double>?, _ outDegree: UnsafeMutablePointer<Int32>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box in
            let network = box.value
            outPatterns?.pointee = Int64(network.patternCount)
            outDim?.pointee = Int64(network.dimension)
            outSeparation?.pointee = Code.separation.code(network.separation)
            outBeta?.pointee = network.beta
            outDegree?.pointee = Int32(network.degree)
        }
    }
}

@c @implementation
public func bz_dense_hopfield_set_beta(_ net: OpaquePointer?, _ beta: Double) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in try box.value.setBeta(beta) }
    }
}

@c @implementation
public func bz_dense_hopfield_retrieve(
    _ net: OpaquePointer?, _ statesPointer: UnsafeMutablePointer<Float>?, _ nStates: Int64, _ dim: Int64, _ steps: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(net)
        try h.use { box throws(EngineError) in
            let network = box.value
            try Argument.length(dim, "dim", equals: network.dimension, "the network's dim")
            let input = try rows(UnsafePointer(statesPointer), nStates, dim: dim, "states", rowsName: "n_states", minRows: 1)
            // Work on a copy: a cancelled or failed call leaves the caller's states as they were.
            var work = Array(input)
            try work.withUnsafeMutableBufferPointer { buffer throws(EngineError) in
                try network.retrieve(buffer, steps: Int(clamping: steps), monitor: monitor(progress, user, interrupt: h.interrupt))
            }
            statesPointer!.write(work)
        }
    }
}

@c @implementation
public func bz_dense_hopfield_energy(
    _ net: OpaquePointer?, _ statesPointer: UnsafePointer<Float>?, _ nStates: Int64, _ dim: Int64, _ energies: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        try handle(net).use { box throws(EngineError) in
            try Argument.length(dim, "dim", equals: box.value.dimension, "the network's dim")
            let input = try rows(statesPointer, nStates, dim: dim, "states", rowsName: "n_states", minRows: 1)
            let result = try box.value.energies(input)
            guard !result.isEmpty else { return }
            try Argument.output(energies, "energies").write(result)
        }
    }
}
