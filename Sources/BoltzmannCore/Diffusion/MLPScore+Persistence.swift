/// The learned-score file format, versions 1 and 2: little-endian throughout.
///
///     offset  bytes        field
///          0  8            magic "BZMLP\r\n\x1a" (42 5A 4D 4C 50 0D 0A 1A)
///          8  4            format version, uint32 (1, or 2 for a class-conditional or `.edm` model)
///         12  4            parametrisation, uint32 (0 epsilon, 1 data, 2 score, 3 edm: version 2 only)
///         16  4            time embedding, uint32 (0 Gaussian Fourier, 1 sinusoidal)
///         20  4            has EMA parameters, uint32 (0 or 1)
///         24  8            dim, uint64
///         32  8            embedding size E, uint64 (even)
///         40  8            embedding scale, float64 (0 for sinusoidal)
///         48  8            hidden layer count L, uint64
///         56  8            class count K (0: unconditional), uint64 (version 2 only)
///         64  8            sigma_data, float64 > 0 (version 2 only; the offsets below move by 16)
///         56  8 L          hidden widths, uint64
///             8 E/2        embedding frequencies, float64
///             4 P          parameters, float32 (W_1, b_1, W_2, b_2, ...; W_l row-major, inputs x outputs)
///             4 P          EMA parameters, float32 (only when present)
///        end  4            CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
///
/// P = sum_l (w_{l-1} + 1) w_l over the widths w = (dim + E [+ K + 1], hidden..., dim). An
/// unconditional model of the first three parametrisations is written as version 1, so
/// files that older libraries read stay so. The
/// frequencies are stored, not their seed, so a file does not depend on the
/// library's random streams. The forward process the model was trained on is not
/// stored: sample with the same one.
public enum MLPScoreFormat {
    public static let magic: [UInt8] = [0x42, 0x5A, 0x4D, 0x4C, 0x50, 0x0D, 0x0A, 0x1A]
    /// The newest version (class-conditional models); unconditional models are written as 1.
    public static let version: UInt32 = 2
    /// The parametrisations in the order of their file codes (0 epsilon, 1 data, 2 score, 3 edm);
    /// version 1 files know the first `version1Parametrisations`.
    static let parametrisations: [ScoreParametrisation] = [.epsilon, .data, .score, .edm]
    static let version1Parametrisations = 3
    /// The largest file `load` reads (1 GiB).
    public static let maxSize = 1 << 30
}

extension MLPScore {
    /// The model in the learned-score file format (see `MLPScoreFormat`).
    public func serialized() -> [UInt8] {
        let hidden = hidden, p = network.parameters.count
        var out = BinaryFile.Writer(capacity: 76 + 8 * hidden.count + 4 * frequencies.count + 8 * p)
        out.append(MLPScoreFormat.magic)
        let version2 = classCount > 0 || MLPScoreFormat.parametrisations.firstIndex(of: parametrisation)! >= MLPScoreFormat.version1Parametrisations
        out.append32(version2 ? 2 : 1)
        out.append32(UInt32(MLPScoreFormat.parametrisations.firstIndex(of: parametrisation)!))
        switch embedding {
        case .gaussianFourier: out.append32(0)
        case .sinusoidal: out.append32(1)
        }
        out.append32(averaged.isEmpty ? 0 : 1)
        out.append64(UInt64(dimension))
        out.append64(UInt64(embedding.count))
        switch embedding {
        case .gaussianFourier(_, let scale): out.append(scale)
        case .sinusoidal: out.append(0.0)
        }
        out.append64(UInt64(hidden.count))
        if version2 {
            out.append64(UInt64(classCount))
            out.append(sigmaData)
        }
        for w in hidden { out.append64(UInt64(w)) }
        for f in frequencies { out.append(f) }
        out.append(network.parameters)
        out.append(averaged)
        return out.finish()
    }

    /// The fields before the parameters, and the file size they imply.
    private struct Header {
        var parametrisation = ScoreParametrisation.epsilon, embedding = TimeEmbedding.sinusoidal(count: 2)
        var hasAverage = false, dimension = 0, classes = 0, sigmaData = 0.5, hidden: [Int] = [], frequencies: [Double] = []
        var parameterCount = 0, parameterOffset = 0
        var size: Int { parameterOffset + 4 * parameterCount * (hasAverage ? 2 : 1) + 4 }
    }

    private static func header(_ bytes: UnsafeRawBufferPointer) throws(EngineError) -> Header {
        func bad(_ message: String) -> EngineError { EngineError(.badFormat, message) }
        var reader = BinaryFile.Reader(bytes, what: "learned-score file")
        var header = Header()
        _ = try reader.read64()  // the magic, checked by the caller
        let version = try reader.read32()
        guard version >= 1, version <= MLPScoreFormat.version else {
            throw bad("format version \(version) is not supported (this library reads versions 1 to \(MLPScoreFormat.version))")
        }
        let rawParametrisation = try reader.read32(), rawEmbedding = try reader.read32(), hasAverage = try reader.read32()
        guard rawParametrisation < (version == 1 ? MLPScoreFormat.version1Parametrisations : MLPScoreFormat.parametrisations.count) else {
            throw bad("unknown parametrisation \(rawParametrisation) in a version \(version) file")
        }
        let parametrisation = MLPScoreFormat.parametrisations[Int(rawParametrisation)]
        guard rawEmbedding <= 1 else { throw bad("unknown time embedding \(rawEmbedding)") }
        guard hasAverage <= 1 else { throw bad("the EMA flag must be 0 or 1, got \(hasAverage)") }
        let d = try reader.read64(), e = try reader.read64(), scale = try reader.readDouble(), layers = try reader.read64()
        guard d >= 1, d <= Limit.width.value, e >= 2, e <= Limit.pairwiseUnits.value, e % 2 == 0, layers >= 1, layers <= Limit.layers.value else {
            throw bad("dim \(d), embedding size \(e) or hidden layer count \(layers) is outside what the library accepts")
        }
        if version == 2 {
            let k = try reader.read64(), sigmaData = try reader.readDouble()
            guard k <= Limit.width.value else { throw bad("class count \(k) is outside [0, \(Limit.width.text)]") }
            guard sigmaData.isFinite, sigmaData > 0 else { throw bad("sigma_data must be finite and > 0, got \(sigmaData)") }
            header.classes = Int(k)
            header.sigmaData = sigmaData
        }
        for _ in 0..<layers {
            let w = try reader.read64()
            guard w >= 1, w <= Limit.width.value else { throw bad("hidden width \(w) is outside [1, \(Limit.width.text)]") }
            header.hidden.append(Int(w))
        }
        for _ in 0..<(e / 2) { header.frequencies.append(try reader.readDouble()) }
        header.parametrisation = parametrisation
        header.embedding = rawEmbedding == 0 ? .gaussianFourier(count: Int(e), scale: scale) : .sinusoidal(count: Int(e))
        header.hasAverage = hasAverage == 1
        header.dimension = Int(d)
        let widths = [MLPScore.inputWidth(Int(d), header.embedding, header.classes)] + header.hidden + [Int(d)]
        header.parameterCount = (1..<widths.count).reduce(0) { $0 + (widths[$1 - 1] + 1) * widths[$1] }
        header.parameterOffset = reader.offset
        return header
    }

    /// A model from bytes in the learned-score file format, checked throughout:
    /// magic, size, checksum, version, kinds, shapes, finite values. Throws
    /// `.badFormat` saying what is wrong.
    public init(serialized bytes: UnsafeRawBufferPointer) throws(EngineError) {
        func bad(_ message: String) -> EngineError { EngineError(.badFormat, message) }
        let magic = MLPScoreFormat.magic
        guard bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else {
            throw bad("not a learned-score file: the magic bytes \"BZMLP\\r\\n\\x1a\" are missing")
        }
        // The size the header implies first, so a cut file reads as truncated, not damaged.
        let parsed = Result { () throws(EngineError) in try Self.header(bytes) }
        if case .success(let header) = parsed {
            guard bytes.count >= header.size else { throw bad("truncated: the model needs \(header.size) bytes, got \(bytes.count)") }
            guard bytes.count == header.size else { throw bad("\(bytes.count - header.size) unexpected bytes after the model's \(header.size)") }
        }
        try BinaryFile.checkFraming(bytes, magic: magic, what: "a learned-score")
        let header = try parsed.get()
        var reader = BinaryFile.Reader(bytes, what: "learned-score file")
        _ = try reader.readFloats((header.parameterOffset + 3) / 4)  // skip the header (its size is a multiple of 4)
        let parameters = try reader.readFloats(header.parameterCount)
        let averaged = header.hasAverage ? try reader.readFloats(header.parameterCount) : []
        do {
            try self.init(dimension: header.dimension, hidden: header.hidden, embedding: header.embedding,
                          parametrisation: header.parametrisation, sigmaData: header.sigmaData, classes: header.classes,
                          frequencies: header.frequencies, parameters: parameters, averaged: averaged)
        } catch {
            throw bad("invalid model: \(error.message)")
        }
    }

    /// Writes the model to `path` atomically (see `BinaryFile.writeAtomically`): a
    /// failed save leaves any existing file as it was.
    public func save(to path: String) throws(EngineError) {
        try BinaryFile.writeAtomically(serialized(), to: path)
    }

    /// Reads a model from a file written by `save` (checked as `init(serialized:)`).
    public static func load(from path: String) throws(EngineError) -> MLPScore {
        let bytes = try BinaryFile.read(path, limit: MLPScoreFormat.maxSize, what: "a learned-score", magic: MLPScoreFormat.magic)
        let result = bytes.withUnsafeBytes { raw in Result { () throws(EngineError) in try MLPScore(serialized: raw) } }
        return try result.get()
    }
}
