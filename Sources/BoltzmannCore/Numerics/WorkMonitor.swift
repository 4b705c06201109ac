import CSystem
import Glibc
import Synchronization

/// A handle's interrupt (`bz_interrupt`), raised from any thread to stop its calls.
///
/// Raised, it stops every call running on the handle and every call that starts
/// before one of them has observed it and they have all returned; raised on an idle
/// handle, it stops the next call. So an interrupt sent just before a call starts is
/// not lost, and concurrent calls on one handle (a fit while sampling) do not clear
/// each other's: the flag is cleared only when the last running call that observed
/// it returns.
public final class InterruptFlag: Sendable {
    /// Bit 0: raised; bits 1...: the number of calls running.
    private let state = Atomic<Int>(0)
    public init() {}
    public func raise() { state.bitwiseOr(1, ordering: .relaxed) }
    public var isRaised: Bool { state.load(ordering: .relaxed) & 1 != 0 }

    /// A call starts.
    func begin() { state.add(2, ordering: .relaxed) }

    /// A call returns; `observed`: it was stopped by this flag.
    func end(observed: Bool) {
        var old = state.load(ordering: .relaxed)
        while true {
            var new = old - 2
            if observed && new >> 1 == 0 { new &= ~1 }
            let (exchanged, current) = state.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { return }
            old = current
        }
    }
}

/// The monitored calls running on each thread, so that `bz_interrupt_thread` can
/// stop them (calls that take no handle have no other way to be stopped).
public enum ThreadCalls {
    private static let running = ForkSafeMutex<[Int32: [ObjectIdentifier: Unmanaged<WorkMonitor>]]>([:])

    static func add(_ monitor: WorkMonitor, thread: Int32) {
        running.withLock { $0[thread, default: [:]][ObjectIdentifier(monitor)] = .passUnretained(monitor) }
    }

    static func remove(_ monitor: WorkMonitor, thread: Int32) {
        running.withLock { calls in
            calls[thread]?.removeValue(forKey: ObjectIdentifier(monitor))
            if calls[thread]?.isEmpty == true { calls.removeValue(forKey: thread) }
        }
    }

    /// Stop every monitored call running on thread `tid`; returns how many there were.
    @discardableResult
    public static func interrupt(thread tid: Int32) -> Int {
        running.withLock { calls in
            let monitors = calls[tid] ?? [:]
            for monitor in monitors.values { monitor.takeUnretainedValue().interruptFromOutside() }
            return monitors.count
        }
    }

    /// The calling thread's kernel id (gettid).
    static var currentThread: Int32 { Int32(truncatingIfNeeded: boltzmann_thread_id()) }
}

/// Progress and cancellation of one long call.
///
/// Worker threads report finished units of work with `advance(by:)`, which returns
/// false once the call should stop: the interrupt flag was raised, or the caller's
/// progress callback asked to stop. The callback runs only on the thread that
/// created the monitor (the caller's own, which `Parallel.forEach` also uses as a
/// worker), never on a worker thread and never concurrently with itself.
public final class WorkMonitor: @unchecked Sendable {
    /// Reports (done, total, metric) and returns false to stop.
    public typealias Callback = (_ done: Int64, _ total: Int64, _ metric: Double) -> Bool

    /// The units of work of the call, set by the engine when it starts the work
    /// (`start(total:)`), before any worker runs.
    public private(set) var total: Int64 = 0
    private let callback: Callback?
    private let interrupt: InterruptFlag?
    private let caller = pthread_self()
    /// The caller's kernel thread id when the monitor is reachable by
    /// `bz_interrupt_thread` (see `ThreadCalls`), else nil.
    private let thread: Int32?
    private let done = Atomic<Int64>(0)
    private let stopped = Atomic<Bool>(false)
    /// Stopped by an interrupt (the handle's or the thread's), not by the callback.
    private let interrupted = Atomic<Bool>(false)

    /// `interruptible`: register the call so that `bz_interrupt_thread` on the
    /// calling thread reaches it (what the C layer's long calls do).
    public init(callback: Callback? = nil, interrupt: InterruptFlag? = nil, interruptible: Bool = false) {
        self.callback = callback
        self.interrupt = interrupt
        thread = interruptible ? ThreadCalls.currentThread : nil
        interrupt?.begin()
        if let thread { ThreadCalls.add(self, thread: thread) }
    }

    deinit {
        if let thread { ThreadCalls.remove(self, thread: thread) }
        interrupt?.end(observed: interrupted.load(ordering: .relaxed))
    }

    /// A monitor that never stops and reports to nobody.
    public static func none() -> WorkMonitor { WorkMonitor() }

    /// `bz_interrupt_thread`: stop this call.
    func interruptFromOutside() {
        interrupted.store(true, ordering: .relaxed)
        stopped.store(true, ordering: .relaxed)
    }

    /// True once the call should stop.
    public var isStopped: Bool {
        if stopped.load(ordering: .relaxed) { return true }
        if let interrupt, interrupt.isRaised {
            interrupted.store(true, ordering: .relaxed)
            stopped.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// The engine starts the work: it fixes `total` (the engine, which knows the
    /// work, counts it; a total past Int64 reports as Int64.max) and tells the caller
    /// (done = 0), so the caller learns the total first. False: stop.
    public func start<Count: BinaryInteger>(total: Count, metric: Double = .nan) -> Bool {
        self.total = Int64(clamping: total)
        return report(0, metric)
    }

    /// The product of counts of work, Int64.max when it overflows (a total to report).
    public static func product(_ factors: Int...) -> Int64 { product(factors) }

    public static func product(_ factors: [Int]) -> Int64 {
        var result: Int64 = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: Int64(f))
            if overflow { return .max }
            result = p
        }
        return result
    }

    /// Count `units` more as done; returns false when the call should stop.
    @discardableResult
    public func advance(by units: Int64, metric: Double = .nan) -> Bool {
        let now = done.add(units, ordering: .relaxed).newValue
        return report(now, metric)
    }

    private func report(_ now: Int64, _ metric: Double) -> Bool {
        if isStopped { return false }
        if let callback, pthread_equal(pthread_self(), caller) != 0 {
            if !callback(now, total, metric) { stopped.store(true, ordering: .relaxed) }
        }
        return !isStopped
    }

    /// At the end of the work, on the calling thread: throw `.cancelled` if the call
    /// was stopped, else report the final count once more (workers' last advances are
    /// not reported from their threads), so the callback always sees done == total.
    public func finish(metric: Double = .nan) throws(EngineError) {
        try checkNotStopped()
        if let callback { _ = callback(done.load(ordering: .relaxed), total, metric) }
    }

    /// Throw `.cancelled` if the call was stopped.
    public func checkNotStopped() throws(EngineError) {
        guard isStopped else { return }
        if interrupted.load(ordering: .relaxed) { throw EngineError(.cancelled, "interrupted by bz_interrupt") }
        throw EngineError(.cancelled, "cancelled by the progress callback")
    }
}
