import BoltzmannCore
import CBoltzmann
import Glibc

// Header section "core": versions, statuses, threads, memory.
// bz_last_error is implemented in C (Sources/CBoltzmann/last_error.c), beside its buffer.

/// The names bz_status_string returns: static, NUL-terminated, never freed.
private func statusName(_ status: bz_status) -> StaticString {
    switch status {
    case BZ_OK: "ok"
    case BZ_ERR_NULL_POINTER: "null pointer"
    case BZ_ERR_INVALID_ARGUMENT: "invalid argument"
    case BZ_ERR_SHAPE_MISMATCH: "shape mismatch"
    case BZ_ERR_NON_FINITE: "non-finite value"
    case BZ_ERR_OUT_OF_MEMORY: "out of memory"
    case BZ_ERR_IO: "input/output error"
    case BZ_ERR_BAD_FORMAT: "bad format"
    case BZ_ERR_CANCELLED: "cancelled"
    case BZ_ERR_WRONG_STATE: "wrong state"
    case BZ_ERR_UNSUPPORTED: "unsupported"
    case BZ_ERR_INVALID_HANDLE: "invalid handle"
    case BZ_ERR_LIMIT_EXCEEDED: "limit exceeded"
    case BZ_ERR_NOT_CONVERGED: "not converged"
    case BZ_ERR_BUSY: "busy"
    case BZ_ERR_INTERNAL: "internal error"
    default: "unknown status"
    }
}

private func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// BZ_VERSION_STRING as a C string, made once from the header's macro.
nonisolated(unsafe) private let versionCString: UnsafePointer<CChar> = UnsafePointer(strdup(BZ_VERSION_STRING)!)

@c @implementation
public func bz_status_string(_ status: bz_status) -> UnsafePointer<CChar>! {
    cString(statusName(status))
}

@c @implementation
public func bz_version_number() -> Int32 {
    BZ_VERSION_MAJOR * 10000 + BZ_VERSION_MINOR * 100 + BZ_VERSION_PATCH
}

@c @implementation
public func bz_version_string() -> UnsafePointer<CChar>! {
    versionCString
}

@c @implementation
public func bz_abi_version() -> Int32 {
    BZ_ABI_VERSION
}

@c @implementation
public func bz_set_num_threads(_ nThreads: Int32) -> bz_status {
    guarded { () throws(EngineError) in
        guard nThreads >= 0 else { throw .invalid("n_threads must be >= 0 (0 for the default), got \(nThreads)") }
        Parallel.setMaxThreads(Int(nThreads))
    }
}

@c @implementation
public func bz_get_num_threads() -> Int32 {
    Int32(clamping: Parallel.maxThreads)
}

@c @implementation
public func bz_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

@c @implementation
public func bz_interrupt(_ handle: UnsafeRawPointer?) -> bz_status {
    guarded { () throws(EngineError) in
        let object = try Handles.lookupAny(handle, "handle")
        (object as? any Interruptible)?.interrupt.raise()
    }
}

@c @implementation
public func bz_interrupt_thread(_ threadID: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        guard threadID > 0, threadID <= Int64(Int32.max) else { throw .invalid("thread_id must be a kernel thread id in [1, 2^31 - 1], got \(threadID)") }
        ThreadCalls.interrupt(thread: Int32(threadID))
    }
}

/// A `WorkMonitor` for an exported long call: the caller's progress callback (if
/// any), the handle's interrupt flag (if any), and `bz_interrupt_thread` on the
/// calling thread.
func monitor(_ progress: bz_progress_fn? = nil, _ user: UnsafeMutableRawPointer? = nil, interrupt: InterruptFlag?) -> WorkMonitor {
    let callback: WorkMonitor.Callback? = progress.map { progress in { done, total, metric in progress(user, done, total, metric) == 0 } }
    return WorkMonitor(callback: callback, interrupt: interrupt, interruptible: true)
}

@c @implementation
public func bz_limit(_ limit: Int32, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out")
        out.pointee = Int64(try Code.limit.decode(limit, "limit").value)
    }
}
