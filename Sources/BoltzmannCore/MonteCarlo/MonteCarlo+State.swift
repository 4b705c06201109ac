/// Saving a sampler's whole state (every chain's spins and random-stream position, the
/// last run's measurements) so that a restored copy continues exactly as the original
/// would: the next `run` gives the same bits. The model is not stored, only its
/// fingerprint; restoring needs the same model.
///
/// Both formats are little-endian, framed as the library's model files: an 8-byte magic
/// ("BZMC\r\n\x1a\0" or "BZPT\r\n\x1a\0"), a uint32 version (1), the fields below in
/// order, and a CRC-32 of every byte before it. Arrays are a uint64 count, then the
/// values (doubles as IEEE-754 bit patterns, spins as int8).
public enum SamplerState {
    public static let monteCarloMagic: [UInt8] = [0x42, 0x5A, 0x4D, 0x43, 0x0D, 0x0A, 0x1A, 0x00]
    public static let temperingMagic: [UInt8] = [0x42, 0x5A, 0x50, 0x54, 0x0D, 0x0A, 0x1A, 0x00]
    public static let version: UInt32 = 1
}

extension IsingModel {
    /// A CRC-32 of the model's parameters (N, h, and every coupling), so that a saved
    /// sampler state is restored onto the model it was made with.
    public var fingerprint: UInt32 {
        var out = BinaryFile.Writer(capacity: 8 + 8 * spinCount + 16 * couplingCount)
        out.append64(UInt64(spinCount))
        for h in fields { out.append(h) }
        for k in 0..<couplingCount {
            out.append32(UInt32(bitPattern: edgeFirst[k]))
            out.append32(UInt32(bitPattern: edgeSecond[k]))
            out.append(edgeCoupling[k])
        }
        return out.bytes.withUnsafeBytes { BinaryFile.crc32($0) }
    }
}

extension BinaryFile.Writer {
    mutating func appendDoubles(_ values: [Double]) {
        append64(UInt64(values.count))
        for x in values { append(x) }
    }

    mutating func appendSeries(_ rows: [[Double]]) {
        append64(UInt64(rows.count))
        for row in rows { appendDoubles(row) }
    }

    mutating func appendSpins(_ spins: [Int8]) {
        append64(UInt64(spins.count))
        append(spins.map { UInt8(bitPattern: $0) })
    }

    mutating func appendInts(_ values: [Int]) {
        append64(UInt64(values.count))
        for x in values { append64(UInt64(bitPattern: Int64(x))) }
    }

    mutating func append(_ random: RandomStream) {
        for word in random.state { append64(word) }
    }

    mutating func append(_ chain: SpinChain) {
        appendSpins(chain.spins.map { $0 > 0 ? 1 : -1 })
        appendDoubles(chain.local)
        append(chain.energy)
        appendInts([chain.magnetization, chain.clusters, chain.clusterSpins, chain.clustersPerSweep])
        append(chain.random)
    }
}

extension BinaryFile.Reader {
    /// A count of at most `limit` items of `size` bytes each that fit in what is left.
    mutating func readCount(_ what: String, size: Int, limit: Int = Int.max) throws(EngineError) -> Int {
        let count = try read64()
        guard count <= UInt64(limit), count <= UInt64(remaining / size) else {
            throw EngineError(.badFormat, "\(what): a count of \(count) does not fit the data")
        }
        return Int(count)
    }

    mutating func readDoubles(_ what: String, count expected: Int? = nil) throws(EngineError) -> [Double] {
        let count = try readCount(what, size: 8)
        if let expected, count != expected { throw EngineError(.badFormat, "\(what) has \(count) values, expected \(expected)") }
        var out: [Double] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readDouble()) }
        return out
    }

    mutating func readSeries(_ what: String, rows expected: Int) throws(EngineError) -> [[Double]] {
        let rows = try readCount(what, size: 8)
        guard rows == expected || rows == 0 else { throw EngineError(.badFormat, "\(what) has \(rows) rows, expected \(expected)") }
        var out: [[Double]] = []
        for r in 0..<rows { out.append(try readDoubles("\(what)[\(r)]")) }
        guard Set(out.map(\.count)).count <= 1 else { throw EngineError(.badFormat, "\(what)'s rows differ in length") }
        return out
    }

    mutating func readSpins(_ what: String, count expected: Int) throws(EngineError) -> [Int8] {
        let count = try readCount(what, size: 1)
        guard count == expected else { throw EngineError(.badFormat, "\(what) has \(count) spins, expected \(expected)") }
        var out = [Int8](repeating: 0, count: count)
        for i in 0..<count {
            let value = Int8(bitPattern: UInt8(truncatingIfNeeded: try readByte()))
            guard value == 1 || value == -1 else { throw EngineError(.badFormat, "\(what)[\(i)] is \(value), not a spin") }
            out[i] = value
        }
        return out
    }

    mutating func readInts(_ what: String, count expected: Int) throws(EngineError) -> [Int] {
        let count = try readCount(what, size: 8)
        guard count == expected else { throw EngineError(.badFormat, "\(what) has \(count) values, expected \(expected)") }
        var out: [Int] = []
        for _ in 0..<count { out.append(Int(Int64(bitPattern: try read64()))) }
        return out
    }

    mutating func readRandom(_ what: String) throws(EngineError) -> RandomStream {
        var words: [UInt64] = []
        for _ in 0..<4 { words.append(try read64()) }
        guard let random = RandomStream(state: words) else { throw EngineError(.badFormat, "\(what): a random stream in the all-zero state") }
        return random
    }

    mutating func readChain(_ what: String, spins n: Int) throws(EngineError) -> SpinChain {
        let spins = try readSpins("\(what) spins", count: n)
        let local = try readDoubles("\(what) fields", count: n)
        let energy = try readDouble()
        let counts = try readInts("\(what) counters", count: 4)
        guard local.allSatisfy(\.isFinite), energy.isFinite else { throw EngineError(.badFormat, "\(what): a field or the energy is not finite") }
        var chain = SpinChain(spins: spins.map(Double.init), local: local, random: try readRandom(what))
        (chain.energy, chain.magnetization, chain.clusters, chain.clusterSpins, chain.clustersPerSweep) =
            (energy, counts[0], counts[1], counts[2], counts[3])
        guard chain.magnetization == spins.reduce(0, { $0 + Int($1) }) else { throw EngineError(.badFormat, "\(what): the magnetization does not match the spins") }
        // Wolff's counters: clusters of 1 to N spins each, counts far from overflow, at
        // most N clusters a measured sweep.
        guard chain.clusters >= 0, chain.clusterSpins >= chain.clusters, chain.clusterSpins <= 1 << 52,
              chain.clusterSpins / n <= chain.clusters, chain.clustersPerSweep >= 0, chain.clustersPerSweep <= n else {
            throw EngineError(.badFormat, "\(what): Wolff's cluster counts are inconsistent")
        }
        return chain
    }

    /// `chain` (read by `readChain`) checked against `model`: its cached local fields and
    /// energy must be those of its spins, up to the rounding drift of incremental updates.
    mutating func readChain(_ what: String, model: IsingModel) throws(EngineError) -> SpinChain {
        let chain = try readChain(what, spins: model.spinCount)
        var exact = chain
        exact.refresh(model)
        let scale = 1e-9 * (1 + model.energyBound)
        guard zip(chain.local, exact.local).allSatisfy({ abs($0 - $1) <= scale }), abs(chain.energy - exact.energy) <= scale * Double(model.spinCount) else {
            throw EngineError(.badFormat, "\(what): the cached fields or energy are not those of its spins")
        }
        return chain
    }

    /// The header both states share: magic, version, the model's fingerprint.
    mutating func readHeader(magic: [UInt8], model: IsingModel) throws(EngineError) {
        _ = try take(magic.count)
        let version = try read32()
        guard version == SamplerState.version else { throw EngineError(.badFormat, "state version \(version) is not supported (this library reads version \(SamplerState.version))") }
        let fingerprint = try read32()
        guard fingerprint == model.fingerprint else {
            throw EngineError(.badFormat, "the state was saved from a different model (fingerprint \(String(fingerprint, radix: 16)), this model's \(String(model.fingerprint, radix: 16)))")
        }
    }
}

extension MonteCarlo {
    /// Representation tags: which form the chains are stored in.
    private enum Form: UInt32 { case generic = 0, packed = 1, byteLattice = 2 }

    /// The whole state (see `SamplerState`): the configuration (beta, algorithm and
    /// order codes as the caller gives them, chains, seed), clamps, correlation axis,
    /// the chains in their current form, and the last run's series and sums.
    public func serializedState(algorithmCode: UInt32, orderCode: UInt32) -> [UInt8] {
        var out = BinaryFile.Writer(capacity: 64 + chainCount * model.spinCount * 17)
        out.append(SamplerState.monteCarloMagic)
        out.append32(SamplerState.version)
        out.append32(model.fingerprint)
        out.append32(algorithmCode)
        out.append32(orderCode)
        out.append64(UInt64(chainCount))
        out.append64(seed)
        out.append(beta)
        out.appendSpins(clamps.map { $0 == 0 ? 1 : $0 })          // values of the held spins
        out.appendSpins(clamps.map { $0 == 0 ? -1 : 1 })          // which spins are held
        out.append64(UInt64(bitPattern: Int64(correlationAxis ?? -1)))
        if packedModel != nil {
            out.append32(Form.packed.rawValue)
            out.append64(UInt64(packed.count))
            for group in packed {
                for word in group.words { out.append64(word) }
                out.append(group.random)
            }
        } else if byteLattice != nil {
            out.append32(Form.byteLattice.rawValue)
            out.append64(UInt64(byteChains.count))
            for chain in byteChains {
                out.appendSpins(chain.spins)
                out.appendInts([chain.bonds, chain.magnetization])
                out.append64(UInt64(chain.streams.count))
                for stream in chain.streams { out.append(stream) }
            }
            for chain in chains { out.append(chain.random) }
        } else {
            out.append32(Form.generic.rawValue)
            for chain in chains { out.append(chain) }
        }
        out.appendSeries(energySeries)
        out.appendSeries(magnetizationSeries)
        out.appendSeries(correlationSums)
        out.append64(UInt64(correlationMeasurements))
        return out.finish()
    }

    /// The configuration stored in a state, to make the sampler it is restored into.
    public static func stateConfiguration(_ bytes: UnsafeRawBufferPointer, model: IsingModel) throws(EngineError)
        -> (algorithmCode: UInt32, orderCode: UInt32, chains: Int, seed: UInt64, beta: Double) {
        try BinaryFile.checkFraming(bytes, magic: SamplerState.monteCarloMagic, what: "a Monte Carlo state")
        var reader = BinaryFile.Reader(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)]), what: "Monte Carlo state")
        try reader.readHeader(magic: SamplerState.monteCarloMagic, model: model)
        let algorithm = try reader.read32(), order = try reader.read32()
        let chains = try reader.read64(), seed = try reader.read64(), beta = try reader.readDouble()
        guard chains >= 1, chains <= UInt64(Limit.chains.value) else { throw EngineError(.badFormat, "\(chains) chains is outside what the library accepts") }
        return (algorithm, order, Int(chains), seed, beta)
    }

    /// Restores a state made by `serializedState` onto this sampler, which must have been
    /// made from `stateConfiguration`'s values. Checked throughout; throws `.badFormat`.
    public func restoreState(_ bytes: UnsafeRawBufferPointer) throws(EngineError) {
        var reader = BinaryFile.Reader(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)]), what: "Monte Carlo state")
        try reader.readHeader(magic: SamplerState.monteCarloMagic, model: model)
        _ = try reader.take(4 + 4 + 8 + 8 + 8)
        let n = model.spinCount
        let values = try reader.readSpins("clamp values", count: n), held = try reader.readSpins("clamped spins", count: n)
        let clamps = zip(values, held).map { value, held in held > 0 ? value : 0 }
        let axis = Int64(bitPattern: try reader.read64())
        if clamps.contains(where: { $0 != 0 }) {
            let indices = clamps.indices.filter { clamps[$0] != 0 }
            try clamp(indices: indices, values: indices.map { clamps[$0] })
        }
        var distances = 0
        if axis >= 0 {
            do { distances = try setCorrelationAxis(Int(clamping: axis)) } catch { throw EngineError(.badFormat, "correlation axis \(axis): \(error.message)") }
        } else {
            _ = try setCorrelationAxis(nil)
        }
        guard let form = Form(rawValue: try reader.read32()) else { throw EngineError(.badFormat, "unknown chain representation") }
        switch form {
        case .packed:
            guard packedModel != nil else { throw EngineError(.badFormat, "multi-spin chains for a sampler that is not multi-spin") }
            guard try reader.read64() == UInt64(packed.count) else { throw EngineError(.badFormat, "the number of 64-chain groups does not match") }
            for g in packed.indices {
                for i in 0..<n { packed[g].words[i] = try reader.read64() }
                packed[g].random = try reader.readRandom("group \(g)")
            }
        case .byteLattice:
            guard let lattice = byteLattice else { throw EngineError(.badFormat, "lattice chains for a sampler that is not on the lattice path") }
            guard try reader.read64() == UInt64(byteChains.count) else { throw EngineError(.badFormat, "the number of chains does not match") }
            for c in byteChains.indices {
                let spins = try reader.readSpins("chain \(c)", count: byteChains[c].spins.count)
                let counts = try reader.readInts("chain \(c) counters", count: 2)
                guard try reader.read64() == UInt64(byteChains[c].streams.count) else { throw EngineError(.badFormat, "chain \(c)'s streams do not match") }
                var streams: [RandomStream] = []
                for b in byteChains[c].streams.indices { streams.append(try reader.readRandom("chain \(c) block \(b)")) }
                byteChains[c].spins = spins
                byteChains[c].streams = streams
                byteChains[c].recount(lattice)
                guard (byteChains[c].bonds, byteChains[c].magnetization) == (counts[0], counts[1]) else {
                    throw EngineError(.badFormat, "chain \(c): the stored energy and magnetization do not match its spins")
                }
            }
            for c in chains.indices { chains[c].random = try reader.readRandom("chain \(c)") }
        case .generic:
            leaveByteLattice()
            for c in chains.indices { chains[c] = try reader.readChain("chain \(c)", model: model) }
        }
        let energy = try reader.readSeries("energy series", rows: chainCount)
        let magnetization = try reader.readSeries("magnetization series", rows: chainCount)
        let sums = try reader.readSeries("correlation sums", rows: chainCount)
        let measurements = try reader.read64()
        guard reader.remaining == 0 else { throw EngineError(.badFormat, "\(reader.remaining) unexpected bytes at the end of the state") }
        guard energy.count == magnetization.count, energy.first?.count == magnetization.first?.count else {
            throw EngineError(.badFormat, "the energy and magnetization series differ in shape")
        }
        guard sums.isEmpty || (axis >= 0 && sums[0].count == distances && measurements > 0 && measurements <= 1 << 40) else {
            throw EngineError(.badFormat, "the correlation sums do not fit the correlation axis")
        }
        (energySeries, magnetizationSeries, correlationSums, correlationMeasurements) = (energy, magnetization, sums, Int(clamping: measurements))
    }
}

extension ParallelTempering {
    /// The whole state (see `SamplerState`): the configuration, every chain, the swap
    /// streams, walkers and headings, rounds, round trips, and the last run's series and
    /// swap counts.
    public func serializedState(algorithmCode: UInt32) -> [UInt8] {
        var out = BinaryFile.Writer(capacity: 64 + chains.count * model.spinCount * 17)
        out.append(SamplerState.temperingMagic)
        out.append32(SamplerState.version)
        out.append32(model.fingerprint)
        out.append32(algorithmCode)
        out.append64(UInt64(replicas))
        out.append64(seed)
        out.appendDoubles(betas)
        for chain in chains { out.append(chain) }
        for stream in swapRandom { out.append(stream) }
        out.appendInts(walker)
        out.appendInts(heading)
        out.appendInts([rounds, roundTrips])
        out.appendSeries(energySeries)
        out.appendSeries(magnetizationSeries)
        out.appendSeries(overlapSeries)
        out.appendInts(swapAccepted)
        out.appendInts(swapAttempted)
        return out.finish()
    }

    /// The configuration stored in a state, to make the sampler it is restored into.
    public static func stateConfiguration(_ bytes: UnsafeRawBufferPointer, model: IsingModel) throws(EngineError)
        -> (algorithmCode: UInt32, replicas: Int, seed: UInt64, betas: [Double]) {
        try BinaryFile.checkFraming(bytes, magic: SamplerState.temperingMagic, what: "a tempering state")
        var reader = BinaryFile.Reader(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)]), what: "tempering state")
        try reader.readHeader(magic: SamplerState.temperingMagic, model: model)
        let algorithm = try reader.read32(), replicas = try reader.read64(), seed = try reader.read64()
        let betas = try reader.readDoubles("betas")
        guard replicas >= 1, replicas <= UInt64(Limit.chains.value) else { throw EngineError(.badFormat, "\(replicas) replicas is outside what the library accepts") }
        return (algorithm, Int(replicas), seed, betas)
    }

    /// Restores a state made by `serializedState` onto this sampler, made from
    /// `stateConfiguration`'s values. Checked throughout; throws `.badFormat`.
    public func restoreState(_ bytes: UnsafeRawBufferPointer) throws(EngineError) {
        var reader = BinaryFile.Reader(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)]), what: "tempering state")
        try reader.readHeader(magic: SamplerState.temperingMagic, model: model)
        _ = try reader.take(4 + 8 + 8)
        _ = try reader.readDoubles("betas", count: betas.count)
        let k = betas.count, slots = replicas * k
        var restored: [SpinChain] = []
        for c in 0..<slots { restored.append(try reader.readChain("chain \(c)", model: model)) }
        var streams: [RandomStream] = []
        for r in 0..<replicas { streams.append(try reader.readRandom("ladder \(r)'s swaps")) }
        let walker = try reader.readInts("walkers", count: slots), heading = try reader.readInts("headings", count: slots)
        let counts = try reader.readInts("round counts", count: 2)
        for r in 0..<replicas {
            guard Set(walker[(r * k)..<((r + 1) * k)]) == Set(0..<k) else { throw EngineError(.badFormat, "ladder \(r)'s walkers are not a permutation") }
        }
        guard heading.allSatisfy({ (-1...1).contains($0) }), counts.allSatisfy({ $0 >= 0 && $0 <= 1 << 62 }) else {
            throw EngineError(.badFormat, "a heading or count is out of range")
        }
        let energy = try reader.readSeries("energy series", rows: slots)
        let magnetization = try reader.readSeries("magnetization series", rows: slots)
        let overlap = try reader.readSeries("overlap series", rows: (replicas / 2) * k)
        let accepted = try reader.readCount("swap counts", size: 8)
        var acceptedCounts: [Int] = [], attemptedCounts: [Int] = []
        for _ in 0..<accepted { acceptedCounts.append(Int(Int64(bitPattern: try reader.read64()))) }
        attemptedCounts = try reader.readInts("attempted swaps", count: accepted)
        guard accepted == 0 || accepted == k - 1 else { throw EngineError(.badFormat, "swap counts for \(accepted) pairs, expected \(k - 1)") }
        guard zip(acceptedCounts, attemptedCounts).allSatisfy({ $0 >= 0 && $0 <= $1 }) else { throw EngineError(.badFormat, "more swaps accepted than attempted") }
        // The series bz_pt_series writes side by side must agree in shape.
        let length = energy.first?.count ?? 0
        guard energy.count == magnetization.count, magnetization.first?.count ?? 0 == length,
              overlap.count == (energy.isEmpty || replicas < 2 ? 0 : (replicas / 2) * k), overlap.first?.count ?? length == length else {
            throw EngineError(.badFormat, "the energy, magnetization and overlap series differ in shape")
        }
        guard reader.remaining == 0 else { throw EngineError(.badFormat, "\(reader.remaining) unexpected bytes at the end of the state") }
        chains = restored
        swapRandom = streams
        self.walker = walker
        self.heading = heading
        (rounds, roundTrips) = (counts[0], counts[1])
        (energySeries, magnetizationSeries, overlapSeries) = (energy, magnetization, overlap)
        (swapAccepted, swapAttempted) = (acceptedCounts, attemptedCounts)
    }
}
