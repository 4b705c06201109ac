import Glibc
import Synchronization

/// A flag another thread raises to stop a long call on a handle (`bz_interrupt`).
public final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    public init() {}
    public func raise() { raised.store(true, ordering: .relaxed) }
    public func clear() { raised.store(false, ordering: .relaxed) }
    public var isRaised: Bool { raised.load(ordering: .relaxed) }
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

    public let total: Int64
    private let callback: Callback?
    private let interrupt: InterruptFlag?
    private let caller = pthread_self()
    private let done = Atomic<Int64>(0)
    private let stopped = Atomic<Bool>(false)

    public init(total: Int64, callback: Callback? = nil, interrupt: InterruptFlag? = nil) {
        self.total = total
        self.callback = callback
        self.interrupt = interrupt
    }

    /// A monitor that never stops and reports to nobody.
    public static func none(total: Int64 = 0) -> WorkMonitor { WorkMonitor(total: total) }

    /// True once the call should stop.
    public var isStopped: Bool {
        if stopped.load(ordering: .relaxed) { return true }
        if let interrupt, interrupt.isRaised {
            stopped.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Tell the caller the call has started (done = 0), so it learns `total` first.
    public func start(metric: Double = .nan) -> Bool { report(0, metric) }

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
        if let interrupt, interrupt.isRaised {
            throw EngineError(.cancelled, "interrupted by bz_interrupt")
        }
        throw EngineError(.cancelled, "cancelled by the progress callback")
    }
}
