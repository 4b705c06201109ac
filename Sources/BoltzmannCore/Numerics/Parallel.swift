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

    /// Current bound on worker threads (>= 1). Defaults to `hardwareThreads`.
    public static var maxThreads: Int {
        let n = bound.load(ordering: .relaxed)
        return n > 0 ? n : hardwareThreads
    }

    /// Bound the threads used by later calls, this engine's and OpenBLAS's.
    /// `0` restores the default; negative values are treated as 0.
    public static func setMaxThreads(_ n: Int) {
        bound.store(max(0, n), ordering: .relaxed)
        BLAS.setThreads(maxThreads)
    }

    /// Run `body(task)` for every task in `0..<taskCount` on up to `maxThreads`
    /// threads, the calling thread included, and return when all are done.
    /// Worker w runs tasks w, w + W, w + 2W, ...; `body` must only write state owned
    /// by its task. If the system refuses a thread, its tasks run on the caller.
    ///
    /// Threads are created per call (tens of microseconds each), so callers hand it
    /// work of at least milliseconds, or a single task, which runs inline.
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
            var threads: [pthread_t] = []
            var orphaned: [Int] = []
            for worker in 1..<workers {
                var thread = pthread_t()
                let context = Unmanaged.passRetained(WorkerContext(job: job, worker: worker))
                if pthread_create(&thread, nil, workerEntry, context.toOpaque()) == 0 {
                    threads.append(thread)
                } else {
                    context.release()
                    orphaned.append(worker)
                }
            }
            job.run(worker: 0)
            for worker in orphaned { job.run(worker: worker) }
            for thread in threads { pthread_join(thread, nil) }
        }
    }

    private final class Job: Sendable {
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

    private final class WorkerContext: Sendable {
        let job: Job
        let worker: Int
        init(job: Job, worker: Int) {
            self.job = job
            self.worker = worker
        }
    }

    private static let workerEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
        context.job.run(worker: context.worker)
        return nil
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
