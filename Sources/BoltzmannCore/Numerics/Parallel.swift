import Glibc
import Synchronization

/// The engine's threading policy: a process-wide bound on worker threads and a
/// deterministic fork-join loop.
///
/// Work is always cut into the same tasks whatever the thread count, and each task
/// writes only its own slot of the output; callers then combine task results in
/// task order. Results therefore depend on the inputs alone, never on how many
/// threads ran them.
public enum Parallel {
    private static let bound = Atomic<Int>(0)

    /// Number of online processors (at least 1).
    public static var hardwareThreads: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Current bound on worker threads (>= 1). Defaults to the environment's
    /// BOLTZMANN_NUM_THREADS when it is a positive integer (read once, as
    /// OMP_NUM_THREADS is: for batch schedulers, and for valgrind, which runs one
    /// thread at a time), else `hardwareThreads`.
    public static var maxThreads: Int {
        let n = bound.load(ordering: .relaxed)
        return n > 0 ? n : defaultThreads
    }

    private static let defaultThreads: Int = {
        if let text = getenv("BOLTZMANN_NUM_THREADS"), let n = Int(String(cString: text)), n > 0 { return min(n, 1 << 10) }
        return hardwareThreads
    }()

    /// Bound the threads used by later calls (OpenBLAS itself stays on one thread:
    /// the engine threads its products, see `BLAS`).
    /// `0` restores the default; negative values are treated as 0.
    public static func setMaxThreads(_ n: Int) {
        bound.store(max(0, n), ordering: .relaxed)
    }

    /// Run `body(task)` for every task in `0..<taskCount` on up to `maxThreads`
    /// threads, the calling thread included, and return when all are done.
    /// Worker w runs tasks w, w + W, w + 2W, ...; `body` must only write state owned
    /// by its task. If the system refuses a thread, its tasks run on the caller.
    ///
    /// Workers come from a pool of parked threads, woken in microseconds; a loop that
    /// finds the pool busy (nested, or from another thread while the pool serves a
    /// loop) runs on the calling thread alone, as does a single task. The library
    /// never makes threads per call.
    /// - Complexity: taskCount calls of `body`.
    /// Pass `parallel: false` when the whole loop is too small to repay a thread.
    public static func forEach(_ taskCount: Int, parallel: Bool = true, _ body: @Sendable (Int) -> Void) {
        let workers = parallel ? min(taskCount, maxThreads) : 1
        guard workers > 1 else {
            for task in 0..<taskCount { body(task) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body, taskCount: taskCount, workers: workers)
            // The parked pool; if it is busy (a nested loop, or a loop on another
            // thread) or cannot start its threads, the caller runs every task itself.
            // The pool's threads are busy then, so more threads would only share the
            // same cores. And threads made and ended per call, racing a fork() on
            // another thread, left forked children that aborted in their first
            // pthread_create ("double free or corruption", test_fork): glibc reuses
            // a cached thread stack and frees its thread-local blocks after releasing
            // the cache lock, so a fork in between copies a stack half recycled.
            if WorkerPool.shared.run(job) { return }
            for worker in 0..<workers { job.run(worker: worker) }
        }
    }

    final class Job: Sendable {
        let body: @Sendable (Int) -> Void
        let taskCount: Int
        let workers: Int

        init(body: @escaping @Sendable (Int) -> Void, taskCount: Int, workers: Int) {
            self.body = body
            self.taskCount = taskCount
            self.workers = workers
        }

        func run(worker: Int) {
            var task = worker
            while task < taskCount {
                body(task)
                task += workers
            }
        }
    }
}

/// The threads behind `Parallel.forEach`: created on first use, then parked. After
/// a loop they spin briefly for the next one (back-to-back loops, as in training,
/// hand over in microseconds), then sleep on a condition variable. One loop at a
/// time; `run` returns false when the pool is busy, so nested and concurrent loops
/// run on their callers. A forked child starts with an empty pool.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// Guarded by `mutex`: the loop being run, how many pool threads take part
    /// (workers 1...helpers), and how many threads exist.
    private var job: Parallel.Job?
    private var helpers = 0
    private var threads = 0
    /// How long a thread spins (atomic loads) before it sleeps, in nanoseconds. A
    /// training step leaves gaps of tens of microseconds between its loops (copying
    /// the next batch, updating biases); a count of 50,000 loads lasted only about
    /// 15 microseconds on a 2-core EPYC, so the helper slept and had to be woken (5.7
    /// context switches per RBM step, 2-3% of an epoch). Measured in time, so the
    /// window is the same on any processor.
    private static let spinNanoseconds: UInt64 = 200_000

    /// Spins while `waiting()` holds, for at most `spinNanoseconds` (the clock read
    /// every 256 loads).
    @inline(__always)
    private static func spin(while waiting: () -> Bool) {
        let deadline = monotonicNanoseconds() + spinNanoseconds
        repeat {
            for _ in 0..<256 where !waiting() { return }
        } while monotonicNanoseconds() < deadline
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    private init() {
        initialise()
        pthread_atfork(nil, nil, { WorkerPool.shared.afterFork() })
    }

    private func initialise() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
    }

    /// In a forked child only the forking thread exists: forget the pool's threads.
    private func afterFork() {
        initialise()
        job = nil
        helpers = 0
        threads = 0
        remaining.store(0, ordering: .relaxed)
        busy.store(false, ordering: .relaxed)
    }

    /// Runs `job` on the calling thread (worker 0) and pool threads 1..<workers;
    /// false (nothing run) when the pool is busy or its threads cannot be started.
    func run(_ job: Parallel.Job) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        let needed = job.workers - 1
        pthread_mutex_lock(mutex)
        while threads < needed {
            var thread = pthread_t()
            // The thread waits for generations after the current one, whenever it starts.
            let context = Unmanaged.passRetained(Start(index: threads + 1, generation: generation.load(ordering: .acquiring)))
            guard pthread_create(&thread, nil, WorkerPool.entry, context.toOpaque()) == 0 else {
                context.release()
                break
            }
            pthread_detach(thread)
            threads += 1
        }
        guard threads >= needed else { pthread_mutex_unlock(mutex); return false }
        self.job = job
        helpers = needed
        remaining.store(needed, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        job.run(worker: 0)
        Self.spin { remaining.load(ordering: .acquiring) > 0 }
        pthread_mutex_lock(mutex)
        while remaining.load(ordering: .acquiring) > 0 { pthread_cond_wait(finished, mutex) }
        self.job = nil
        pthread_mutex_unlock(mutex)
        return true
    }

    private final class Start: Sendable {
        let index: Int, generation: Int
        init(index: Int, generation: Int) { self.index = index; self.generation = generation }
    }

    private static let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
        WorkerPool.shared.serve(start.index, after: start.generation)
    }

    private func take(_ index: Int) {
        pthread_mutex_lock(mutex)
        let job = self.job
        pthread_mutex_unlock(mutex)
        job?.run(worker: index)
    }

    /// A pool thread's life: wait for a new generation, take part if numbered
    /// among its helpers, repeat.
    private func serve(_ index: Int, after start: Int) -> Never {
        var seen = start
        while true {
            Self.spin { generation.load(ordering: .acquiring) == seen }
            pthread_mutex_lock(mutex)
            while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(wake, mutex) }
            seen = generation.load(ordering: .acquiring)
            let taking = index <= helpers
            pthread_mutex_unlock(mutex)
            guard taking else { continue }
            // The job (and the caller's non-escaping closure in it) is released inside
            // `take`, before the caller can learn that this thread is done.
            take(index)
            if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_signal(finished)
                pthread_mutex_unlock(mutex)
            }
        }
    }
}

/// A pointer that tasks of `Parallel.forEach` share, each touching only its own
/// elements. The caller keeps the storage alive for the duration of the loop.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A non-Sendable value handed to `Parallel.forEach` tasks that only use it in ways
/// that are safe to share (closures writing only their own task's slots).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
