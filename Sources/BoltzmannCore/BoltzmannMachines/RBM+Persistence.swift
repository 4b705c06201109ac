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

    /// The visible unit kinds in the order of their file codes (0 Bernoulli, 1 Gaussian).
    static let visibleUnits: [VisibleUnits] = [.bernoulli, .gaussian]

    /// The size in bytes of a machine's serialisation.
    public static func size(visible: Int, hidden: Int) -> Int { headerSize + 4 * (visible * hidden + visible + hidden) + 4 }
}

extension RBM {
    /// The machine in the RBM file format (see `RBMFormat`).
    public func serialized() -> [UInt8] {
        var out = BinaryFile.Writer(capacity: RBMFormat.size(visible: visibleCount, hidden: hiddenCount))
        out.append(RBMFormat.magic)
        out.append32(RBMFormat.version)
        out.append32(UInt32(RBMFormat.visibleUnits.firstIndex(of: visibleUnits)!))
        out.append32(0)
        out.append32(0)
        out.append64(UInt64(visibleCount))
        out.append64(UInt64(hiddenCount))
        for values in [weights, visibleBias, hiddenBias] { out.append(values) }
        return out.finish()
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
        // Sizes first (they say how long the file must be), then the checksum, so that
        // damage anywhere reads as damage; then the fields it vouches for.
        let nv64 = read64(24), nh64 = read64(32)
        guard nv64 >= 1, nh64 >= 1, nv64 <= UInt64(Limit.units.value), nh64 <= UInt64(Limit.units.value), nv64 * nh64 <= 1 << 31 else {
            throw bad("layer sizes \(nv64) x \(nh64) are outside what the library accepts")
        }
        let nv = Int(nv64), nh = Int(nh64), expected = RBMFormat.size(visible: nv, hidden: nh)
        guard bytes.count >= expected else { throw bad("truncated: a \(nv) x \(nh) machine needs \(expected) bytes, got \(bytes.count)") }
        guard bytes.count == expected else { throw bad("\(bytes.count - expected) unexpected bytes after the \(expected) of a \(nv) x \(nh) machine") }
        let stored = read32(expected - 4), computed = BinaryFile.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(expected - 4)]))
        guard stored == computed else {
            throw bad("checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16))): the data is damaged")
        }
        let version = read32(8)
        guard version == RBMFormat.version else { throw bad("format version \(version) is not supported (this library reads version \(RBMFormat.version))") }
        guard read32(12) < RBMFormat.visibleUnits.count else { throw bad("unknown visible unit kind \(read32(12))") }
        let units = RBMFormat.visibleUnits[Int(read32(12))]
        guard read32(16) == 0 else { throw bad("unknown hidden unit kind \(read32(16))") }
        guard read32(20) == 0 else { throw bad("the reserved field at byte 20 is \(read32(20)), not 0 (a newer or damaged file)") }
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
        try BinaryFile.writeAtomically(serialized(), to: path)
    }

    /// Reads a machine from a file written by `save` (checked as `init(serialized:)`).
    public static func load(from path: String) throws(EngineError) -> RBM {
        let limit = RBMFormat.size(visible: 1, hidden: 1 << 31) + 8 * Limit.units.value
        let bytes = try BinaryFile.read(path, limit: limit, what: "an RBM", magic: RBMFormat.magic)
        let result = bytes.withUnsafeBytes { raw in Result { () throws(EngineError) in try RBM(serialized: raw) } }
        return try result.get()
    }
}
