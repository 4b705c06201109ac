import Glibc
import Synchronization

/// How the library survives fork(), which multiprocessing, joblib/loky, Dask's nanny
/// and Jupyter users call while other threads may be inside the library.
///
/// fork() copies only the calling thread. A lock that another thread held at that
/// moment stays held in the child forever, and the value it guarded may be half
/// updated (a Synchronization.Mutex copied locked traps on its next use: "Unknown
/// error occurred while attempting to acquire a Mutex"). So every lock of the library
/// is a `ForkSafeMutex`: a pthread_atfork handler takes all of them before the fork,
/// so that no thread is inside a critical section and every guarded value is whole,
/// and releases them afterwards in the parent and in the child. A call that was
/// running on another thread does not exist in the child: its `BusyFlag` (one call
/// at a time per handle) is cleared there, so the handle is usable, holding the state
/// the call had published. The worker pool forgets its threads (`WorkerPool`), and
/// OpenBLAS's own handlers stay in force.
///
/// Rules for the library's code: critical sections are short, never call user code,
/// and never create or free a `ForkSafeMutex` or `BusyFlag` (nor release the last
/// reference to an object holding one): the prepare handler holds the list of them
/// while it waits for each lock.
public enum ForkSafety {
    /// Guards `mutexes` and `flags`; created, with the handlers, on first use.
    nonisolated(unsafe) private static let list: UnsafeMutablePointer<pthread_mutex_t> = {
        let list = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(list, nil)
        pthread_atfork({ ForkSafety.prepare() }, { ForkSafety.resume(inChild: false) }, { ForkSafety.resume(inChild: true) })
        return list
    }()
    nonisolated(unsafe) private static var mutexes: Set<UnsafeMutablePointer<pthread_mutex_t>> = []
    nonisolated(unsafe) private static var flags: [ObjectIdentifier: Unmanaged<BusyFlag>] = [:]
    /// How many forks this process has survived in the child (each child counts its own).
    public static let forksAsChild = Atomic<Int>(0)

    private static func withList<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(list)
        defer { pthread_mutex_unlock(list) }
        return body()
    }

    static func register(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) { withList { _ = mutexes.insert(mutex) } }
    static func unregister(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) { withList { _ = mutexes.remove(mutex) } }
    static func register(_ flag: BusyFlag) { withList { flags[ObjectIdentifier(flag)] = .passUnretained(flag) } }
    static func unregister(_ flag: BusyFlag) { withList { _ = flags.removeValue(forKey: ObjectIdentifier(flag)) } }

    /// Before fork(), on the forking thread: hold the list, then every lock.
    private static func prepare() {
        pthread_mutex_lock(list)
        for mutex in mutexes { pthread_mutex_lock(mutex) }
    }

    /// After fork(), in the parent or the child (the only thread there): release every
    /// lock; in the child, also clear the busy flags of calls that no longer exist.
    private static func resume(inChild: Bool) {
        for mutex in mutexes { pthread_mutex_unlock(mutex) }
        if inChild {
            for flag in flags.values { flag.takeUnretainedValue().clear() }
            forksAsChild.add(1, ordering: .relaxed)
        }
        pthread_mutex_unlock(list)
    }
}

/// A value behind a pthread mutex that fork() cannot leave held (see `ForkSafety`).
public final class ForkSafeMutex<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        ForkSafety.register(mutex)
    }

    deinit {
        ForkSafety.unregister(mutex)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// `body` with exclusive access to the value. Keep it short (see `ForkSafety`).
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// "One call at a time" for an object: `tryAcquire` succeeds for one caller until it
/// calls `release`. A forked child clears it, since the call holding it in the parent
/// does not run there (see `ForkSafety`).
public final class BusyFlag: @unchecked Sendable {
    private let busy = Atomic<Bool>(false)

    public init() { ForkSafety.register(self) }
    deinit { ForkSafety.unregister(self) }

    public func tryAcquire() -> Bool { busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged }
    public func release() { busy.store(false, ordering: .releasing) }
    public var isBusy: Bool { busy.load(ordering: .relaxed) }
    fileprivate func clear() { busy.store(false, ordering: .relaxed) }
}
