import Glibc

/// The RBM file format, version 1: little-endian throughout.
///
///     offset  bytes        field
///          0  8            magic "BZRBM\r\n\x1a" (42 5A 52 42 4D 0D 0A 1A)
///          8  4            format version, uint32 (1)
///         12  4            visible unit kind, uint32 (0 Bernoulli, 1 Gaussian)
///         16  4            hidden unit kind, uint32 (0 Bernoulli)
///         20  4            reserved, uint32 (0)
///         24  8            n_visible, uint64
///         32  8            n_hidden, uint64
///         40  4 n_v n_h    W, float32, row-major (visible i, hidden j at i n_h + j)
///             4 n_v        b, float32
///             4 n_h        c, float32
///        end  4            CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
///
/// The magic's CR LF and ^Z catch files mangled by text-mode transfers, as PNG's do.
public enum RBMFormat {
    public static let magic: [UInt8] = [0x42, 0x5A, 0x52, 0x42, 0x4D, 0x0D, 0x0A, 0x1A]
    public static let version: UInt32 = 1
    static let headerSize = 40

    /// The size in bytes of a machine's serialisation.
    public static func size(visible: Int, hidden: Int) -> Int { headerSize + 4 * (visible * hidden + visible + hidden) + 4 }

    /// CRC-32 with the reflected polynomial 0xEDB88320, byte by byte from a table.
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}

extension RBM {
    /// The machine in the RBM file format (see `RBMFormat`).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(RBMFormat.size(visible: visibleCount, hidden: hiddenCount))
        func append32(_ x: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: x >> (8 * k))) } }
        func append64(_ x: UInt64) { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: x >> (8 * k))) } }
        out += RBMFormat.magic
        append32(RBMFormat.version)
        append32(UInt32(visibleUnits.rawValue))
        append32(0)
        append32(0)
        append64(UInt64(visibleCount))
        append64(UInt64(hiddenCount))
        for values in [weights, visibleBias, hiddenBias] { for x in values { append32(x.bitPattern) } }
        append32(out.withUnsafeBytes { RBMFormat.crc32($0) })
        return out
    }

    /// A machine from bytes in the RBM file format, checked throughout: size, magic,
    /// version, unit kinds, shapes, checksum, finite parameters. Throws `.badFormat`
    /// with what is wrong.
    public init(serialized bytes: UnsafeRawBufferPointer) throws(EngineError) {
        func bad(_ message: String) -> EngineError { EngineError(.badFormat, message) }
        func read32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) } }
        func read64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) } }
        guard bytes.count >= RBMFormat.magic.count, bytes.prefix(RBMFormat.magic.count).elementsEqual(RBMFormat.magic) else {
            throw bad("not an RBM file: the magic bytes \"BZRBM\\r\\n\\x1a\" are missing")
        }
        guard bytes.count >= RBMFormat.headerSize + 4 else { throw bad("truncated: \(bytes.count) bytes is shorter than the 44-byte minimum") }
        let version = read32(8)
        guard version == RBMFormat.version else { throw bad("format version \(version) is not supported (this library reads version \(RBMFormat.version))") }
        guard let units = VisibleUnits(rawValue: Int32(truncatingIfNeeded: read32(12))), read32(12) <= 1 else {
            throw bad("unknown visible unit kind \(read32(12))")
        }
        guard read32(16) == 0 else { throw bad("unknown hidden unit kind \(read32(16))") }
        let nv64 = read64(24), nh64 = read64(32)
        guard nv64 >= 1, nh64 >= 1, nv64 <= UInt64(RBM.maxUnits), nh64 <= UInt64(RBM.maxUnits), nv64 * nh64 <= 1 << 31 else {
            throw bad("layer sizes \(nv64) x \(nh64) are outside what the library accepts")
        }
        let nv = Int(nv64), nh = Int(nh64), expected = RBMFormat.size(visible: nv, hidden: nh)
        guard bytes.count >= expected else { throw bad("truncated: a \(nv) x \(nh) machine needs \(expected) bytes, got \(bytes.count)") }
        guard bytes.count == expected else { throw bad("\(bytes.count - expected) unexpected bytes after the \(expected) of a \(nv) x \(nh) machine") }
        let stored = read32(expected - 4), computed = RBMFormat.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(expected - 4)]))
        guard stored == computed else {
            throw bad("checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16))): the data is damaged")
        }
        func floats(_ offset: Int, _ count: Int) -> [Float] { (0..<count).map { Float(bitPattern: read32(offset + 4 * $0)) } }
        let w = floats(RBMFormat.headerSize, nv * nh)
        let b = floats(RBMFormat.headerSize + 4 * nv * nh, nv)
        let c = floats(RBMFormat.headerSize + 4 * (nv * nh + nv), nh)
        do {
            try self.init(weights: w, visibleBias: b, hiddenBias: c, units: units)
        } catch {
            throw bad("invalid parameters: \(error.message)")
        }
    }

    /// Writes the machine to `path` atomically: into a temporary file beside it,
    /// flushed to disk (fsync), then renamed over `path`, and the directory flushed;
    /// a crash leaves either the old file or the new one, never half of one.
    public func save(to path: String) throws(EngineError) {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
        let bytes = serialized()
        var random = RandomStream(seed: UInt64(truncatingIfNeeded: getpid()) << 32 ^ UInt64(truncatingIfNeeded: time(nil)))
        let temporary = path + ".tmp-\(getpid())-\(String(random.next() >> 32, radix: 16))"
        func failure(_ what: String, _ file: String) -> EngineError {
            EngineError(.io, "\(what) '\(file)' failed: \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("creating", temporary) }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = ok ? nil : failure("writing", temporary)
        close(fd)
        if let error { unlink(temporary); throw error }
        guard rename(temporary, path) == 0 else {
            let error = failure("renaming to", path)
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Reads a machine from a file written by `save` (checked as `init(serialized:)`).
    public static func load(from path: String) throws(EngineError) -> RBM {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError(.io, "opening '\(path)' failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw EngineError(.io, "reading '\(path)' failed: \(String(cString: strerror(errno)))") }
        let limit = RBMFormat.size(visible: 1, hidden: 1 << 31) + 8 * RBM.maxUnits
        guard status.st_size <= limit else { throw EngineError(.badFormat, "'\(path)' is \(status.st_size) bytes, larger than any RBM file") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var read = 0
        let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
            while read < raw.count {
                let n = Glibc.read(fd, raw.baseAddress! + read, raw.count - read)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return n == 0 }
                read += n
            }
            return true
        }
        guard ok else { throw EngineError(.io, "reading '\(path)' failed: \(String(cString: strerror(errno)))") }
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(EngineError) in try RBM(serialized: UnsafeRawBufferPointer(rebasing: raw[0..<read])) }
        }
        return try result.get()
    }
}
