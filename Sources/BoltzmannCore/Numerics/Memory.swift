import Glibc

/// Allocations whose size the caller controls, checked before they are made.
///
/// Swift aborts the process when an allocation fails, so a request for more memory
/// than the machine (or an address-space limit, RLIMIT_AS) allows would kill the
/// host. Every buffer sized by a caller's counts is first `reserve`d: its size is
/// computed without overflow, and a block of that size is mapped and unmapped at
/// once, so that a refusal becomes `BZ_ERR_OUT_OF_MEMORY` (or
/// `BZ_ERR_LIMIT_EXCEEDED` beyond any address space) with the size in the message.
/// Linux may still grant memory it cannot back (overcommit) and kill the process
/// when it is touched; the library's limits on counts and their products keep
/// honest requests far from that.
public enum Memory {
    /// Blocks below this size are not probed: if 64 MiB cannot be had, nothing can.
    static let probeThreshold = 1 << 26

    /// More than any x86-64 or arm64 address space (2^47 bytes).
    static let addressSpace = 1 << 47

    /// Throws unless `count` elements of `bytesEach` bytes, for `what` (a phrase:
    /// "the weights (65536 x 32768 floats)"), can be allocated now.
    public static func reserve(_ count: Int, bytesEach: Int, for what: @autoclosure () -> String) throws(EngineError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        guard !overflow, count >= 0, bytes <= addressSpace else {
            throw EngineError(.limitExceeded, "\(what()) would take \(describe(count, bytesEach)), more than any address space")
        }
        guard bytes >= probeThreshold else { return }
        // mmap, as malloc does for blocks this large: a malloc/free pair the compiler
        // may remove as dead code, and would then never ask.
        let block = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let block, block != MAP_FAILED else {
            throw EngineError(.outOfMemory, "allocating \(describe(count, bytesEach)) for \(what()) failed: the system has not that much memory to give")
        }
        munmap(block, bytes)
    }

    /// The total of several buffers at once: (count, bytes each) pairs.
    public static func reserve(_ parts: [(count: Int, bytesEach: Int)], for what: @autoclosure () -> String) throws(EngineError) {
        var total = 0
        for part in parts {
            let (bytes, overflow) = part.count.multipliedReportingOverflow(by: part.bytesEach)
            let (sum, overflowSum) = total.addingReportingOverflow(bytes)
            guard !overflow, !overflowSum, part.count >= 0 else {
                throw EngineError(.limitExceeded, "\(what()) would take more than any address space")
            }
            total = sum
        }
        try reserve(total, bytesEach: 1, for: what())
    }

    /// "8.0 GiB" (and the element count when it is not bytes).
    static func describe(_ count: Int, _ bytesEach: Int) -> String {
        let bytes = Double(count) * Double(bytesEach)
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"]
        var value = bytes, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(Int(bytes)) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
