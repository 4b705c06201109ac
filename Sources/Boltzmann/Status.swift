import BoltzmannCore
import CBoltzmann

/// Run the body of an exported function: map a thrown `EngineError` to its status
/// and record its message in the thread's `bz_last_error()` buffer.
/// The body uses typed throws, so nothing is boxed and nothing escapes as a trap.
@inline(__always)
func guarded(_ body: () throws(EngineError) -> Void) -> bz_status {
    do {
        try body()
        return BZ_OK
    } catch {
        return record(status(of: error.kind), error.message)
    }
}

func status(of kind: EngineError.Kind) -> bz_status {
    switch kind {
    case .invalidArgument: BZ_ERR_INVALID_ARGUMENT
    case .shapeMismatch: BZ_ERR_SHAPE_MISMATCH
    case .nonFinite: BZ_ERR_NON_FINITE
    case .limitExceeded: BZ_ERR_LIMIT_EXCEEDED
    case .notConverged: BZ_ERR_NOT_CONVERGED
    case .cancelled: BZ_ERR_CANCELLED
    case .outOfMemory: BZ_ERR_OUT_OF_MEMORY
    case .wrongState: BZ_ERR_WRONG_STATE
    case .unsupported: BZ_ERR_UNSUPPORTED
    case .busy: BZ_ERR_BUSY
    case .io: BZ_ERR_IO
    case .badFormat: BZ_ERR_BAD_FORMAT
    case .nullPointer: BZ_ERR_NULL_POINTER
    case .invalidHandle: BZ_ERR_INVALID_HANDLE
    }
}

/// Copy `message` into the thread-local buffer behind `bz_last_error()` (C owns it,
/// BZ_ERROR_MESSAGE_MAX bytes), truncated on a UTF-8 character boundary.
@discardableResult
func record(_ status: bz_status, _ message: String) -> bz_status {
    let buffer = UnsafeMutablePointer<CChar>(mutating: bz_last_error()!)
    let capacity = Int(BZ_ERROR_MESSAGE_MAX) - 1
    var bytes = Array(message.utf8.prefix(capacity))
    if bytes.count == capacity {
        // Drop a partial multi-byte character at the cut (continuation bytes 10xxxxxx).
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
    }
    for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
    return status
}
