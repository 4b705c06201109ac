import BoltzmannCore
import CBoltzmann
import Synchronization

// Header section "pbits": invertible logic circuits for p-bit Ising machines.

/// The object behind a `bz_circuit *`: a circuit under construction, behind a lock so
/// that gates added from one thread and models built on another never race.
final class CircuitHandle: HandleObject {
    static let typeName = "bz_circuit"
    let circuit: ForkSafeMutex<PBitCircuit>
    init(_ circuit: PBitCircuit) { self.circuit = ForkSafeMutex(circuit) }
}

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> CircuitHandle {
    try Handles.lookup(pointer, as: CircuitHandle.self, "circuit")
}

@c @implementation
public func bz_gate_info(_ kind: Int32, _ outArity: UnsafeMutablePointer<Int64>?, _ outAuxiliary: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let g = try Code.gate.decode(kind, "kind")
        outArity?.pointee = Int64(g.arity)
        outAuxiliary?.pointee = Int64(g.auxiliaryCount)
    }
}

@c @implementation
public func bz_circuit_create(_ out: HandleOut) -> bz_status {
    Handles.create(out) { CircuitHandle(PBitCircuit()) }
}

@c @implementation
public func bz_circuit_create_multiplier(_ out: HandleOut, _ bits: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        CircuitHandle(try PBitCircuit.multiplier(bits: Int(clamping: bits)))
    }
}

@c @implementation
public func bz_circuit_free(_ circuit: OpaquePointer?) {
    Handles.release(circuit, as: CircuitHandle.self)
}

@c @implementation
public func bz_circuit_add_gate(
    _ circuit: OpaquePointer?, _ kind: Int32, _ nodes: UnsafePointer<Int64>?, _ nNodes: Int64,
    _ outFirstAuxiliary: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(circuit)
        let g = try Code.gate.decode(kind, "kind")
        try Argument.length(nNodes, "n_nodes", equals: g.arity, "the gate's arity")
        let terminals = try Argument.array(nodes, g.arity, "nodes").map { Int(clamping: $0) }
        let auxiliary = try h.circuit.withLock { c throws(EngineError) in try c.add(g, nodes: terminals) }
        outFirstAuxiliary?.pointee = Int64(auxiliary.first ?? -1)
    }
}

@c @implementation
public func bz_circuit_size(_ circuit: OpaquePointer?, _ outNNodes: UnsafeMutablePointer<Int64>?, _ outNGates: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let (nodes, gates) = try handle(circuit).circuit.withLock { ($0.nodeCount, $0.gates.count) }
        outNNodes?.pointee = Int64(nodes)
        outNGates?.pointee = Int64(gates)
    }
}

@c @implementation
public func bz_circuit_model(_ out: HandleOut, _ circuit: OpaquePointer?) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let snapshot = try handle(circuit).circuit.withLock { $0 }
        return IsingHandle(try snapshot.model())
    }
}

@c @implementation
public func bz_pbit_factor(
    _ n: Int64, _ bits: Int64, _ beta: Double, _ sweeps: Int64, _ chains: Int64, _ seed: UInt64,
    _ outA: UnsafeMutablePointer<Int64>?, _ outB: UnsafeMutablePointer<Int64>?, _ outProbability: UnsafeMutablePointer<Double>?,
    _ outMeanFirstHit: UnsafeMutablePointer<Double>?, _ outChainsHit: UnsafeMutablePointer<Int64>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let r = try PBitCircuit.factor(Int(n), bits: Int(clamping: bits), beta: beta, sweeps: Int(clamping: sweeps), chains: Int(clamping: chains), seed: seed,
                                       monitor: monitor(progress, user, interrupt: nil))
        outA?.pointee = Int64(r.a)
        outB?.pointee = Int64(r.b)
        outProbability?.pointee = r.probability
        outMeanFirstHit?.pointee = r.meanFirstHit
        outChainsHit?.pointee = Int64(r.chainsHit)
    }
}
