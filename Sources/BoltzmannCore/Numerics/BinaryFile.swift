import Glibc

/// What the library's model files share: little-endian fields, a CRC-32 over every
/// byte before the trailing checksum, and atomic writes.
public enum BinaryFile {
    /// CRC-32 with the reflected polynomial 0xEDB88320 (IEEE 802.3, as zlib's crc32),
    /// byte by byte from a table.
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }

    /// Appends little-endian fields to a byte array; `finish` appends the CRC-32.
    public struct Writer {
        public private(set) var bytes: [UInt8] = []

        public init(capacity: Int) { bytes.reserveCapacity(capacity) }

        public mutating func append(_ raw: [UInt8]) { bytes += raw }
        public mutating func append32(_ x: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: x >> (8 * k))) } }
        public mutating func append64(_ x: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: x >> (8 * k))) } }
        public mutating func append(_ x: Double) { append64(x.bitPattern) }
        public mutating func append(_ values: [Float]) { for x in values { append32(x.bitPattern) } }

        /// The bytes with their checksum appended.
        public consuming func finish() -> [UInt8] {
            let crc = bytes.withUnsafeBytes { BinaryFile.crc32($0) }
            append32(crc)
            return bytes
        }
    }

    /// Reads little-endian fields in order from bytes whose length the caller has
    /// checked: every read is bounds-checked against it and throws `.badFormat`
    /// ("truncated") instead of trapping.
    public struct Reader {
        let bytes: UnsafeRawBufferPointer
        public private(set) var offset = 0
        let what: String

        public init(_ bytes: UnsafeRawBufferPointer, what: String) {
            self.bytes = bytes
            self.what = what
        }

        mutating func take(_ count: Int) throws(EngineError) -> Int {
            guard count >= 0, count <= bytes.count - offset else {
                throw EngineError(.badFormat, "truncated: the \(what) ends at byte \(bytes.count), inside a field at \(offset)")
            }
            defer { offset += count }
            return offset
        }

        public mutating func read32() throws(EngineError) -> UInt32 {
            let at = try take(4)
            return (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
        }

        public mutating func read64() throws(EngineError) -> UInt64 {
            let at = try take(8)
            return (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
        }

        public mutating func readDouble() throws(EngineError) -> Double { Double(bitPattern: try read64()) }

        public mutating func readFloats(_ count: Int) throws(EngineError) -> [Float] {
            guard count <= (bytes.count - offset) / 4 else {
                throw EngineError(.badFormat, "truncated: the \(what) needs \(4 * count) more bytes at \(offset), has \(bytes.count - offset)")
            }
            let at = try take(4 * count)
            return (0..<count).map { k in Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + 4 * k + $1]) << (8 * $1) }) }
        }
    }

    /// Checks the magic at the start and the CRC-32 in the last four bytes.
    public static func checkFraming(_ bytes: UnsafeRawBufferPointer, magic: [UInt8], what: String) throws(EngineError) {
        guard bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else {
            let printable = magic.prefix(5).map { Character(UnicodeScalar($0)) }
            throw EngineError(.badFormat, "not \(what) file: the magic bytes \"\(String(printable))...\" are missing")
        }
        guard bytes.count >= magic.count + 8 else { throw EngineError(.badFormat, "truncated: \(bytes.count) bytes is too short for \(what) file") }
        let end = bytes.count - 4
        let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[end + $1]) << (8 * $1) }
        let computed = crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
        guard stored == computed else {
            throw EngineError(.badFormat, "checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16))): the data is damaged or truncated")
        }
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed
    /// to disk (fsync), then renamed over `path`, and the directory flushed; a crash
    /// or a failure leaves either the old file or the new one, never half of one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(EngineError) {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
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

    /// The whole file at `path`, refusing files larger than `limit` bytes (`.badFormat`,
    /// naming `what`).
    public static func read(_ path: String, limit: Int, what: String) throws(EngineError) -> [UInt8] {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError(.io, "opening '\(path)' failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw EngineError(.io, "reading '\(path)' failed: \(String(cString: strerror(errno)))") }
        guard status.st_size <= limit else { throw EngineError(.badFormat, "'\(path)' is \(status.st_size) bytes, larger than any \(what) file") }
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
        return Array(bytes[0..<read])
    }
}
