import Glibc
import Synchronization

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

        /// Bytes not read yet.
        public var remaining: Int { bytes.count - offset }

        public mutating func readByte() throws(EngineError) -> UInt8 {
            bytes[try take(1)]
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
    /// to disk (fsync), then renamed over `path`, and the directory flushed. A crash,
    /// a kill -9 or a failure (full disk, read-only or missing directory) leaves
    /// either the old file or the new one, never half of one, and never no file.
    ///
    /// - A symbolic link is followed: its target is replaced and the link stays.
    /// - A file that exists keeps its permission bits (a private 0600 model stays
    ///   private); a new one gets 0666 less the umask, as any program's file.
    /// - The temporary name is unique per process, thread and call, so threads saving
    ///   to one path never collide (the last rename wins, each file whole).
    /// - Temporaries left by killed processes (their pid no longer runs) are removed
    ///   by the next save to the same path.
    /// - A target that is a directory, FIFO or device is refused before anything is
    ///   written.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(EngineError) {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
        let target = try followLinks(path)
        var existing = stat()
        let exists = lstat(target, &existing) == 0
        if exists && existing.st_mode & S_IFMT != S_IFREG {
            throw EngineError(.io, "'\(path)' is \(fileKind(existing.st_mode)), not a regular file: nothing was written")
        }
        let (directory, name) = split(target)
        removeAbandonedTemporaries(in: directory, of: name)
        func failure(_ what: String, _ file: String) -> EngineError {
            EngineError(.io, "\(what) '\(file)' failed: \(String(cString: strerror(errno)))")
        }
        var temporary = "", fd: Int32 = -1
        for _ in 0..<16 {
            temporary = directory + "/" + temporaryPrefix(of: name) + "\(getpid())-\(ThreadCalls.currentThread)-\(temporaryCounter.add(1, ordering: .relaxed).newValue)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw failure("creating", temporary) }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                written += n
            }
            if exists && fchmod(fd, existing.st_mode & 0o7777) != 0 { return false }
            return fsync(fd) == 0
        }
        let error = ok ? nil : failure("writing", temporary)
        close(fd)
        if let error { unlink(temporary); throw error }
        guard rename(temporary, target) == 0 else {
            let error = failure("renaming to", target)
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Distinguishes the temporaries of one process's concurrent saves.
    private static let temporaryCounter = Atomic<Int>(0)

    /// Temporaries of `name` are named ".name.bz-tmp-PID-TID-N": hidden, and
    /// recognisable with their owner's pid.
    static func temporaryPrefix(of name: String) -> String { "." + name + ".bz-tmp-" }

    /// Removes the temporaries of `name` in `directory` whose process no longer exists
    /// (left by a kill -9 mid-save). A running process's (pid alive) are kept.
    static func removeAbandonedTemporaries(in directory: String, of name: String) {
        let prefix = temporaryPrefix(of: name)
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            // Up to the NUL only: the bytes of d_name after it are not initialised.
            let file = withUnsafePointer(to: &entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard file.hasPrefix(prefix), let pid = Int32(file.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + file) }
        }
    }

    /// `path` with its symbolic links followed (at most 40), so that a save replaces
    /// the link's target; the final target need not exist.
    static func followLinks(_ path: String) throws(EngineError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { throw EngineError(.io, "reading the link '\(current)' failed: \(String(cString: strerror(errno)))") }
            let link = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : split(current).directory + "/" + link
        }
        throw EngineError(.io, "'\(path)': too many levels of symbolic links")
    }

    /// The directory (never empty: "." or "/") and the last component of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The whole file at `path`: a regular file (a FIFO, directory or device is
    /// refused at once, without blocking) of at most `limit` bytes, whose first
    /// bytes are `magic` (checked before the rest is read, so a large file of
    /// another kind costs nothing). Errors name `what` ("RBM").
    public static func read(_ path: String, limit: Int, what: String, magic: [UInt8]) throws(EngineError) -> [UInt8] {
        guard !path.isEmpty else { throw .invalid("path must not be empty") }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError(.io, "opening '\(path)' failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw EngineError(.io, "reading '\(path)' failed: \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw EngineError(.badFormat, "'\(path)' is \(fileKind(status.st_mode)), not \(what) file")
        }
        guard status.st_size <= limit else { throw EngineError(.badFormat, "'\(path)' is \(status.st_size) bytes, larger than any \(what) file") }
        /// Reads into `raw` from `start` until it is full or the file ends: the count
        /// read, or -1 on an error (errno).
        func fill(_ raw: UnsafeMutableRawBufferPointer, from start: Int) -> Int {
            var done = start
            while done < raw.count {
                let n = Glibc.read(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { return -1 }
                if n == 0 { break }
                done += n
            }
            return done
        }
        func readFailure() -> EngineError { EngineError(.io, "reading '\(path)' failed: \(String(cString: strerror(errno)))") }
        // The magic first, into a small buffer: the whole file is allocated only then.
        var head = [UInt8](repeating: 0, count: magic.count)
        let got = head.withUnsafeMutableBytes { fill($0, from: 0) }
        guard got >= 0 else { throw readFailure() }
        guard got == magic.count, head == magic else {
            let printable = magic.prefix(5).map { Character(UnicodeScalar($0)) }
            throw EngineError(.badFormat, "'\(path)' is not \(what) file: the magic bytes \"\(String(printable))...\" are missing")
        }
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), magic.count))
        for k in 0..<magic.count { bytes[k] = magic[k] }
        let read = bytes.withUnsafeMutableBytes { fill($0, from: magic.count) }
        guard read >= 0 else { throw readFailure() }
        return Array(bytes[0..<read])
    }
}
