import BoltzmannCore
import CBoltzmann
import Synchronization

/// An object behind an opaque `bz_X *` handle.
protocol HandleObject: AnyObject, Sendable {
    /// The C type name, for messages ("bz_spectrum").
    static var typeName: String { get }
}

/// A handle whose long calls `bz_interrupt` can stop.
protocol Interruptible: HandleObject {
    var interrupt: InterruptFlag { get }
}

/// `bz_X **out`: the first parameter of every function that makes a handle.
public typealias HandleOut = UnsafeMutablePointer<OpaquePointer?>?

/// The registry of live handles.
///
/// A handle is not a memory address but a token: a number that is never reused,
/// mapped to its object here. So a freed, foreign or forged handle is recognised
/// and reported (BZ_ERR_INVALID_HANDLE) instead of dereferenced, a double free is a
/// no-op, and a handle freed on one thread while used on another stays alive until
/// that call returns (the lookup holds a strong reference).
enum Handles {
    private struct State {
        var next: UInt = 0x10000
        var objects: [UInt: any HandleObject] = [:]
    }

    /// A fork-safe lock (see `ForkSafety`): a child forked while another thread
    /// registers or looks up a handle finds the registry whole and unlocked.
    private static let state = ForkSafeMutex(State())

    static func register(_ object: some HandleObject) -> OpaquePointer {
        let token = state.withLock { state in
            let token = state.next
            state.next += 16
            state.objects[token] = object
            return token
        }
        return OpaquePointer(bitPattern: token)!
    }

    /// The body of every function that makes a handle: `out` must not be NULL; `*out`
    /// is NULL until `make` succeeds and then holds the new handle.
    static func create<Object: HandleObject>(_ out: HandleOut, _ make: () throws(EngineError) -> Object) -> bz_status {
        guarded { () throws(EngineError) in
            let out = try Argument.output(out, "out")
            out.pointee = nil
            out.pointee = register(try make())
        }
    }

    static func lookup<T: HandleObject>(_ handle: OpaquePointer?, as _: T.Type, _ name: String) throws(EngineError) -> T {
        guard let handle else { throw EngineError(.nullPointer, "\(name) is NULL") }
        let object = state.withLock { $0.objects[UInt(bitPattern: handle)] }
        guard let object else {
            throw EngineError(.invalidHandle, "\(name) is not a live \(T.typeName) handle (freed, or never created)")
        }
        guard let typed = object as? T else {
            throw EngineError(.invalidHandle, "\(name) is a \(type(of: object).typeName) handle, not a \(T.typeName)")
        }
        return typed
    }

    /// The object behind any live handle.
    static func lookupAny(_ handle: UnsafeRawPointer?, _ name: String) throws(EngineError) -> any HandleObject {
        guard let handle else { throw EngineError(.nullPointer, "\(name) is NULL") }
        let object = state.withLock { $0.objects[UInt(bitPattern: handle)] }
        guard let object else { throw EngineError(.invalidHandle, "\(name) is not a live bz_ handle (freed, or never created)") }
        return object
    }

    /// Forget a handle of type T. NULL, unknown and other-typed handles are ignored.
    static func release<T: HandleObject>(_ handle: OpaquePointer?, as _: T.Type) {
        guard let handle else { return }
        let key = UInt(bitPattern: handle)
        let released = state.withLock { state -> (any HandleObject)? in
            guard state.objects[key] is T else { return nil }
            return state.objects.removeValue(forKey: key)
        }
        _ = released  // the object is deinitialised here, outside the lock
    }
}

/// An engine type behind a handle, naming its C type for messages ("bz_ising").
protocol HandleValue {
    static var handleTypeName: String { get }
}

extension DenseHopfield: HandleValue { static var handleTypeName: String { "bz_dense_hopfield" } }
extension HopfieldNetwork: HandleValue { static var handleTypeName: String { "bz_hopfield" } }
extension IsingModel: HandleValue { static var handleTypeName: String { "bz_ising" } }
extension MonteCarlo: HandleValue { static var handleTypeName: String { "bz_mc" } }
extension ParallelTempering: HandleValue { static var handleTypeName: String { "bz_pt" } }
extension RBMTrainer: HandleValue { static var handleTypeName: String { "bz_rbm" } }
extension ForwardProcess: HandleValue { static var handleTypeName: String { "bz_sde" } }
extension Spectrum: HandleValue { static var handleTypeName: String { "bz_spectrum" } }

/// An immutable engine value behind a handle (`bz_spectrum`, `bz_ising`, `bz_sde`): any
/// number of calls, on any threads, may read it at once; long calls on it may be
/// interrupted.
final class SharedHandle<Value: HandleValue & Sendable>: Interruptible {
    static var typeName: String { Value.handleTypeName }
    let value: Value
    let interrupt = InterruptFlag()

    init(_ value: Value) { self.value = value }
}

/// A mutable engine object behind a handle (`bz_mc`, `bz_pt`, `bz_rbm`, `bz_hopfield`,
/// `bz_dense_hopfield`), used by one call at a time: a call that finds it in use (from
/// another thread, or re-entered from a progress callback) gets BZ_ERR_BUSY instead of
/// racing on it; long calls on it may be interrupted.
final class ExclusiveHandle<Object: HandleValue>: Interruptible, @unchecked Sendable {
    static var typeName: String { Object.handleTypeName }
    private let object: Object
    /// Cleared in a forked child, where the call holding it does not exist.
    private let busy = BusyFlag()
    let interrupt = InterruptFlag()

    init(_ object: Object) { self.object = object }

    func use<R>(_ body: (Object) throws(EngineError) -> R) throws(EngineError) -> R {
        guard busy.tryAcquire() else { throw EngineError(.busy, "the \(Self.typeName) handle is in use by another call") }
        defer { busy.release() }
        return try body(object)
    }
}

/// An engine value (a struct) in a box, for an `ExclusiveHandle`: its calls replace or
/// update it in place through `box.value`.
final class Box<Value: HandleValue>: HandleValue {
    static var handleTypeName: String { Value.handleTypeName }
    var value: Value

    init(_ value: Value) { self.value = value }
}
