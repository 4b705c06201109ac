import BoltzmannCore
import CBoltzmann

// Header section "ising": models, enumeration, exact solutions, mean field.

/// The object behind a `bz_ising *`. The model is immutable; the interrupt flag is
/// the only shared mutable state, and it is atomic.
typealias IsingHandle = SharedHandle<IsingModel>

private func handle(_ pointer: OpaquePointer?) throws(EngineError) -> IsingHandle {
    try Handles.lookup(pointer, as: IsingHandle.self, "model")
}

private func create(_ out: HandleOut, _ make: () throws(EngineError) -> IsingModel) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        IsingHandle(try make())
    }
}

private func side(_ value: Int64, _ name: String) throws(EngineError) -> Int {
    try Limit.spins.check(value, name)
}

@c @implementation
public func bz_ising_create_dense(
    _ out: HandleOut, _ couplings: UnsafePointer<Double>?,
    _ fields: UnsafePointer<Double>?, _ nSpins: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let n = try side(nSpins, "n_spins")
        guard n <= Limit.width.value else { throw EngineError(.limitExceeded, "a dense matrix of \(n) spins is larger than the library accepts (\(Limit.width.text)); use bz_ising_create_edges") }
        return try IsingModel(spinCount: n, denseCouplings: Argument.array(couplings, n * n, "couplings"),
                              fields: Argument.optionalArray(fields, n))
    }
}

@c @implementation
public func bz_ising_create_edges(
    _ out: HandleOut, _ nSpins: Int64, _ first: UnsafePointer<Int64>?,
    _ second: UnsafePointer<Int64>?, _ couplings: UnsafePointer<Double>?, _ nEdges: Int64,
    _ fields: UnsafePointer<Double>?
) -> bz_status {
    create(out) { () throws(EngineError) in
        let n = try side(nSpins, "n_spins")
        guard nEdges >= 0 else { throw .invalid("n_edges must be >= 0, got \(nEdges)") }
        guard nEdges <= Int64(2 * Limit.couplings.value) else {
            throw EngineError(.limitExceeded, "n_edges = \(nEdges) is more than the library accepts (\(2 * Limit.couplings.value))")
        }
        let m = Int(nEdges)
        var edges: [(Int, Int, Double)] = []
        if m > 0 {
            let i = try Argument.array(first, m, "first"), j = try Argument.array(second, m, "second")
            let v = try Argument.array(couplings, m, "couplings")
            // Only once the caller's arrays are known to be there: their length backs it.
            try Memory.reserve(m, bytesEach: 24, for: "\(m) edges")
            edges.reserveCapacity(m)
            for k in 0..<m {
                // Clamp before narrowing; the model names the out-of-range index.
                edges.append((Int(clamping: max(-1, min(i[k], Int64(n)))), Int(clamping: max(-1, min(j[k], Int64(n)))), v[k]))
            }
        }
        return try IsingModel(spinCount: n, edges: edges, fields: Argument.optionalArray(fields, n))
    }
}

@c @implementation
public func bz_ising_create_chain(
    _ out: HandleOut, _ n: Int64, _ coupling: Double, _ field: Double, _ periodic: Int32
) -> bz_status {
    create(out) { () throws(EngineError) in
        try IsingModel.chain(side(n, "n"), coupling: coupling, field: field, periodic: periodic != 0)
    }
}

@c @implementation
public func bz_ising_create_square(
    _ out: HandleOut, _ rows: Int64, _ columns: Int64, _ coupling: Double,
    _ field: Double, _ periodic: Int32
) -> bz_status {
    create(out) { () throws(EngineError) in
        try IsingModel.square(side(rows, "rows"), side(columns, "columns"), coupling: coupling, field: field, periodic: periodic != 0)
    }
}

@c @implementation
public func bz_ising_create_cubic(
    _ out: HandleOut, _ l: Int64, _ w: Int64, _ d: Int64, _ coupling: Double,
    _ field: Double, _ periodic: Int32
) -> bz_status {
    create(out) { () throws(EngineError) in
        try IsingModel.cubic(side(l, "l"), side(w, "w"), side(d, "d"), coupling: coupling, field: field, periodic: periodic != 0)
    }
}

@c @implementation
public func bz_ising_create_complete(
    _ out: HandleOut, _ n: Int64, _ coupling: Double, _ field: Double
) -> bz_status {
    create(out) { () throws(EngineError) in
        try IsingModel.complete(side(n, "n"), coupling: coupling, field: field)
    }
}

@c @implementation
public func bz_ising_create_sk(
    _ out: HandleOut, _ n: Int64, _ scale: Double, _ field: Double, _ seed: UInt64
) -> bz_status {
    create(out) { () throws(EngineError) in
        try IsingModel.sherringtonKirkpatrick(side(n, "n"), scale: scale, field: field, seed: seed)
    }
}

@c @implementation
public func bz_ising_create_edwards_anderson(
    _ out: HandleOut, _ l: Int64, _ w: Int64, _ d: Int64, _ distribution: Int32,
    _ scale: Double, _ field: Double, _ periodic: Int32, _ seed: UInt64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let kind = try Code.couplings.decode(distribution, "distribution")
        let dims = try d == 1 ? [side(l, "l"), side(w, "w")] : [side(l, "l"), side(w, "w"), side(d, "d")]
        return try IsingModel.edwardsAnderson(dims, distribution: kind, scale: scale, field: field, periodic: periodic != 0, seed: seed)
    }
}

@c @implementation
public func bz_ising_create_qubo(
    _ out: HandleOut, _ qubo: UnsafePointer<Double>?, _ nSpins: Int64,
    _ outOffset: UnsafeMutablePointer<Double>?
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let n = try side(nSpins, "n_spins")
        guard n <= Limit.width.value else { throw EngineError(.limitExceeded, "a dense QUBO of \(n) variables is larger than the library accepts (\(Limit.width.text))") }
        let (model, offset) = try IsingModel.fromQUBO(spinCount: n, matrix: Argument.array(qubo, n * n, "qubo"))
        outOffset?.pointee = offset
        return IsingHandle(model)
    }
}

@c @implementation
public func bz_ising_with_fields(
    _ out: HandleOut, _ model: OpaquePointer?, _ fields: UnsafePointer<Double>?, _ nSpins: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let m = try handle(model).value
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        return try m.withFields(Argument.array(fields, m.spinCount, "fields"))
    }
}

@c @implementation
public func bz_ising_with_embedding(
    _ out: HandleOut, _ model: OpaquePointer?, _ neighbourStart: UnsafePointer<Int64>?, _ nSpins: Int64,
    _ neighbours: UnsafePointer<Int64>?, _ nEntries: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let m = try handle(model).value
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        let start = try Argument.array(neighbourStart, m.spinCount + 1, "neighbour_start").map { Int($0) }
        let entries = try Limit.count.check(nEntries, "n_entries", from: 0)
        let list = entries == 0 ? [] : try Argument.array(neighbours, entries, "neighbours").map { Int($0) }
        return try m.withEmbedding(neighbourStart: start, neighbours: list)
    }
}

@c @implementation
public func bz_ising_free(_ model: OpaquePointer?) {
    Handles.release(model, as: IsingHandle.self)
}

@c @implementation
public func bz_ising_size(_ model: OpaquePointer?, _ outNSpins: UnsafeMutablePointer<Int64>?, _ outNCouplings: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        outNSpins?.pointee = Int64(m.spinCount)
        outNCouplings?.pointee = Int64(m.couplingCount)
    }
}

@c @implementation
public func bz_ising_couplings(
    _ model: OpaquePointer?, _ first: UnsafeMutablePointer<Int64>?, _ second: UnsafeMutablePointer<Int64>?,
    _ couplings: UnsafeMutablePointer<Double>?, _ nCouplings: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        try Argument.length(nCouplings, "n_couplings", equals: m.couplingCount, "the model's coupling count")
        first?.write(m.edgeFirst.map(Int64.init))
        second?.write(m.edgeSecond.map(Int64.init))
        couplings?.write(m.edgeCoupling)
    }
}

@c @implementation
public func bz_ising_fields(_ model: OpaquePointer?, _ fields: UnsafeMutablePointer<Double>?, _ nSpins: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        let out = try Argument.output(fields, "fields")
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        out.write(m.fields)
    }
}

/// A batch call on spins [n_states x n_spins]: check the arguments, run `compute`,
/// write its result to `output`.
private func batch(
    _ model: OpaquePointer?, _ spins: UnsafePointer<Int8>?, _ nStates: Int64, _ nSpins: Int64,
    _ output: UnsafeMutablePointer<Double>?, _ outputName: String,
    _ compute: (IsingModel, UnsafeBufferPointer<Int8>) throws(EngineError) -> [Double]
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        let states = try rows(spins, nStates, m.spinCount, "spins", rowsName: "n_states")
        let out = try Argument.output(output, outputName)
        out.write(try compute(m, states))
    }
}

@c @implementation
public func bz_ising_energy(
    _ model: OpaquePointer?, _ spins: UnsafePointer<Int8>?, _ nStates: Int64, _ nSpins: Int64,
    _ energies: UnsafeMutablePointer<Double>?
) -> bz_status {
    batch(model, spins, nStates, nSpins, energies, "energies") { (m, input) throws(EngineError) in try m.energies(spins: input) }
}

@c @implementation
public func bz_ising_local_fields(
    _ model: OpaquePointer?, _ spins: UnsafePointer<Int8>?, _ nStates: Int64, _ nSpins: Int64,
    _ localFields: UnsafeMutablePointer<Double>?
) -> bz_status {
    batch(model, spins, nStates, nSpins, localFields, "local_fields") { (m, input) throws(EngineError) in try m.localFields(spins: input) }
}

@c @implementation
public func bz_ising_bipartition(
    _ model: OpaquePointer?, _ outIsBipartite: UnsafeMutablePointer<Int32>?, _ colours: UnsafeMutablePointer<Int8>?, _ nSpins: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        let out = try Argument.output(outIsBipartite, "out_is_bipartite")
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        let (isBipartite, c) = m.bipartition()
        out.pointee = isBipartite ? 1 : 0
        if isBipartite { colours?.write(c) }
    }
}

@c @implementation
public func bz_ising_to_qubo(
    _ model: OpaquePointer?, _ diagonal: UnsafeMutablePointer<Double>?, _ nSpins: Int64,
    _ offDiagonal: UnsafeMutablePointer<Double>?, _ nCouplings: Int64, _ outConstant: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try handle(model).value
        try Argument.length(nSpins, "n_spins", equals: m.spinCount, "the model's spin count")
        try Argument.length(nCouplings, "n_couplings", equals: m.couplingCount, "the model's coupling count")
        let q = m.qubo()
        diagonal?.write(q.diagonal)
        offDiagonal?.write(q.offDiagonal)
        outConstant?.pointee = q.constant
    }
}

// MARK: - Enumeration

@c @implementation
public func bz_ising_enumeration_default_limit() -> Int64 {
    Int64(IsingEnumeration.defaultMaxSpins)
}

@c @implementation
public func bz_ising_exact(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ maxSpins: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ entropy: UnsafeMutablePointer<Double>?,
    _ heatCapacity: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?,
    _ absMagnetization: UnsafeMutablePointer<Double>?, _ magnetizationSq: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let nb = try Argument.count(nBetas, "n_betas")
        let b = try Argument.array(betas, nb, "betas")
        let cap = Int(clamping: maxSpins)
        let r = try IsingEnumeration.thermodynamics(h.value, betas: b, maxSpins: cap,
                                                    monitor: monitor(progress, user, interrupt: h.interrupt))
        r.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity,
                magnetization: magnetization, absMagnetization: absMagnetization, magnetizationSq: magnetizationSq)
    }
}

@c @implementation
public func bz_ising_transfer_default_limit() -> Int64 {
    Int64(StripTransfer.defaultMaxBits)
}

@c @implementation
public func bz_ising_transfer_plan(
    _ model: OpaquePointer?, _ outFrontier: UnsafeMutablePointer<Int64>?, _ outConditioned: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let plan = StripTransfer.plan(h.value)
        outFrontier?.pointee = Int64(plan.frontier)
        outConditioned?.pointee = Int64(plan.conditioned)
    }
}

@c @implementation
public func bz_ising_transfer_sample(
    _ model: OpaquePointer?, _ beta: Double, _ nSamples: Int64, _ maxBits: Int64, _ seed: UInt64,
    _ spins: UnsafeMutablePointer<Int8>?, _ nSpins: Int64, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let count = try Limit.iterations.check(nSamples, "n_samples")
        try Argument.length(nSpins, "n_spins", equals: h.value.spinCount, "the model's spin count")
        guard maxBits >= 0, maxBits <= Int64(StripTransfer.maxBits) else {
            throw .invalid("max_bits must be in [0, \(StripTransfer.maxBits)] (0: \(StripTransfer.defaultMaxBits)), got \(maxBits)")
        }
        let out = try Argument.output(spins, "spins")
        out.write(try StripTransfer.samples(h.value, beta: beta, count: count, seed: seed, maxBits: Int(maxBits),
                                            monitor: monitor(progress, user, interrupt: h.interrupt)))
    }
}

@c @implementation
public func bz_ising_transfer(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ maxBits: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ entropy: UnsafeMutablePointer<Double>?,
    _ heatCapacity: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?,
    _ absMagnetization: UnsafeMutablePointer<Double>?, _ magnetizationSq: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let nb = try Argument.count(nBetas, "n_betas")
        let b = try Argument.array(betas, nb, "betas")
        guard maxBits >= 0, maxBits <= Int64(StripTransfer.maxBits) else {
            throw .invalid("max_bits must be in [0, \(StripTransfer.maxBits)] (0: \(StripTransfer.defaultMaxBits)), got \(maxBits)")
        }
        let moments = energy != nil || entropy != nil || heatCapacity != nil || magnetization != nil || magnetizationSq != nil
        let r = try StripTransfer.thermodynamics(h.value, betas: b, maxBits: Int(maxBits), moments: moments,
                                                 monitor: monitor(progress, user, interrupt: h.interrupt))
        r.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity,
                magnetization: magnetization, absMagnetization: absMagnetization, magnetizationSq: magnetizationSq)
    }
}

@c @implementation
public func bz_ising_planar(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ entropy: UnsafeMutablePointer<Double>?,
    _ heatCapacity: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let nb = try Argument.count(nBetas, "n_betas")
        let b = try Argument.array(betas, nb, "betas")
        let derivatives = energy != nil || entropy != nil || heatCapacity != nil
        let table = try PlanarIsing.thermodynamics(h.value, betas: b, derivatives: derivatives,
                                                   monitor: monitor(progress, user, interrupt: h.interrupt))
        table.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity)
    }
}

@c @implementation
public func bz_ising_planar_correlations(
    _ model: OpaquePointer?, _ beta: Double, _ correlations: UnsafeMutablePointer<Double>?, _ nCouplings: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        try Argument.length(nCouplings, "n_couplings", equals: h.value.couplingCount, "the model's coupling count")
        let out = try Argument.output(correlations, "correlations")
        out.write(try PlanarIsing.edgeCorrelations(h.value, beta: beta, monitor: monitor(progress, user, interrupt: h.interrupt)))
    }
}

@c @implementation
public func bz_ising_planar_sample(
    _ model: OpaquePointer?, _ beta: Double, _ nSamples: Int64, _ seed: UInt64, _ spins: UnsafeMutablePointer<Int8>?,
    _ nSpins: Int64, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let count = try Limit.iterations.check(nSamples, "n_samples")
        try Argument.length(nSpins, "n_spins", equals: h.value.spinCount, "the model's spin count")
        let out = try Argument.output(spins, "spins")
        out.write(try PlanarIsing.samples(h.value, beta: beta, count: count, seed: seed,
                                          monitor: monitor(progress, user, interrupt: h.interrupt)))
    }
}

@c @implementation
public func bz_ising_kasteleyn(
    _ model: OpaquePointer?, _ beta: Double, _ capacity: Int64, _ from: UnsafeMutablePointer<Int64>?,
    _ to: UnsafeMutablePointer<Int64>?, _ weight: UnsafeMutablePointer<Double>?, _ outCount: UnsafeMutablePointer<Int64>?,
    _ outNodes: UnsafeMutablePointer<Int64>?, _ outLogPrefactor: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        guard capacity >= 0 else { throw .invalid("capacity must be >= 0, got \(capacity)") }
        let outputs = capacity > 0
            ? (try Argument.output(from, "from"), try Argument.output(to, "to"), try Argument.output(weight, "weight")) : nil
        let k = try PlanarIsing.kasteleynMatrix(h.value, beta: beta)
        outCount?.pointee = Int64(k.weight.count)
        outNodes?.pointee = Int64(k.nodes)
        outLogPrefactor?.pointee = k.logPrefactor
        guard let (from, to, weight) = outputs else { return }
        guard capacity >= Int64(k.weight.count) else {
            throw EngineError(.shapeMismatch, "the matrix has \(k.weight.count) entries but capacity is \(capacity) (call with capacity 0 to learn the count)")
        }
        from.write(k.from.map(Int64.init))
        to.write(k.to.map(Int64.init))
        weight.write(k.weight)
    }
}

/// The engine's options from the header's struct (NULL: the defaults).
private func logZOptions(_ options: UnsafePointer<bz_log_z_options>?) throws(EngineError) -> IsingPartition.Options {
    guard let o = try versioned(options, BZ_LOG_Z_OPTIONS_VERSION, "BZ_LOG_Z_OPTIONS_VERSION", "bz_log_z_options_init") else {
        return IsingPartition.Options()
    }
    var options = IsingPartition.Options()
    options.method = try Code.logZMethod.decode(o.method, "options.method")
    guard o.max_spins >= 0, o.max_bits >= 0 else { throw .invalid("options.max_spins and max_bits must be >= 0 (0: the defaults), got \(o.max_spins) and \(o.max_bits)") }
    options.maxSpins = Int(clamping: o.max_spins)
    options.maxBits = Int(clamping: o.max_bits)
    options.runs = Int(clamping: o.runs)
    options.betaCount = Int(clamping: o.n_betas)
    options.sweeps = Int(clamping: o.sweeps)
    options.populations = Int(clamping: o.populations)
    options.algorithm = try Code.algorithm.decode(o.algorithm, "options.algorithm")
    options.seed = o.seed
    options.wangLandau = try wangLandauOptions(o.wang_landau, "options.wang_landau")
    return options
}

@c @implementation
public func bz_log_z_options_init(_ options: UnsafeMutablePointer<bz_log_z_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let d = IsingPartition.Options()
        try Argument.output(options, "options").pointee = bz_log_z_options(
            version: BZ_LOG_Z_OPTIONS_VERSION, method: Code.logZMethod.code(d.method), max_spins: Int64(d.maxSpins),
            max_bits: Int64(d.maxBits), runs: Int64(d.runs), n_betas: Int64(d.betaCount), sweeps: Int64(d.sweeps),
            populations: Int64(d.populations), algorithm: Code.algorithm.code(d.algorithm), seed: d.seed,
            wang_landau: wangLandauDefaults())
    }
}

@c @implementation
public func bz_ising_log_partition(
    _ model: OpaquePointer?, _ beta: Double, _ options: UnsafePointer<bz_log_z_options>?,
    _ outValue: UnsafeMutablePointer<Double>?, _ outError: UnsafeMutablePointer<Double>?, _ outESS: UnsafeMutablePointer<Double>?,
    _ outMethod: UnsafeMutablePointer<Int32>?, _ note: UnsafeMutablePointer<CChar>?, _ noteSize: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let chosen = try logZOptions(options)
        if note != nil { guard noteSize >= 1 else { throw .invalid("note_size must be >= 1 with a note buffer, got \(noteSize)") } }
        let r = try IsingPartition.logPartition(h.value, beta: beta, options: chosen,
                                                monitor: monitor(progress, user, interrupt: h.interrupt))
        outValue?.pointee = r.value
        outError?.pointee = r.standardError
        outESS?.pointee = r.effectiveSampleSize
        outMethod?.pointee = Code.logZMethod.code(r.method)
        if let note {
            // ASCII, truncated to fit with its NUL.
            let bytes = Array(r.note.utf8.prefix(Int(min(noteSize - 1, Int64(Int32.max)))))
            for (k, byte) in bytes.enumerated() { note[k] = CChar(bitPattern: byte) }
            note[bytes.count] = 0
        }
    }
}

@c @implementation
public func bz_ising_exact_auto(
    _ model: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ maxSpins: Int64, _ maxBits: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ entropy: UnsafeMutablePointer<Double>?,
    _ heatCapacity: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?,
    _ absMagnetization: UnsafeMutablePointer<Double>?, _ magnetizationSq: UnsafeMutablePointer<Double>?,
    _ outMethod: UnsafeMutablePointer<Int32>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let b = try Argument.array(betas, try Argument.count(nBetas, "n_betas"), "betas")
        let (r, method) = try IsingPartition.exactThermodynamics(h.value, betas: b, maxSpins: Int(clamping: maxSpins),
                                                                 maxBits: Int(clamping: maxBits),
                                                                 monitor: monitor(progress, user, interrupt: h.interrupt))
        r.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity,
                magnetization: magnetization, absMagnetization: absMagnetization, magnetizationSq: magnetizationSq)
        outMethod?.pointee = Code.logZMethod.code(method)
    }
}

@c @implementation
public func bz_ising_ground_state(
    _ model: OpaquePointer?, _ maxSpins: Int64, _ outEnergy: UnsafeMutablePointer<Double>?,
    _ outDegeneracy: UnsafeMutablePointer<Int64>?, _ spins: UnsafeMutablePointer<Int8>?, _ nSpins: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let cap = Int(clamping: maxSpins)
        if spins != nil { try Argument.length(nSpins, "n_spins", equals: h.value.spinCount, "the model's spin count") }
        let g = try IsingEnumeration.groundState(h.value, maxSpins: cap, monitor: monitor(progress, user, interrupt: h.interrupt))
        outEnergy?.pointee = g.energy
        outDegeneracy?.pointee = g.degeneracy
        spins?.write(g.spins)
    }
}

@c @implementation
public func bz_ising_dos_range(_ model: OpaquePointer?, _ outMinEnergy: UnsafeMutablePointer<Int64>?, _ outNBins: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let r = try IsingEnumeration.densityOfStatesRange(handle(model).value)
        outMinEnergy?.pointee = Int64(r.minEnergy)
        outNBins?.pointee = Int64(r.binCount)
    }
}

@c @implementation
public func bz_ising_density_of_states(
    _ model: OpaquePointer?, _ maxSpins: Int64, _ counts: UnsafeMutablePointer<Int64>?, _ nBins: Int64,
    _ countsByMagnetization: UnsafeMutablePointer<Int64>?, _ nSpins: Int64,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let cap = Int(clamping: maxSpins)
        let out = try Argument.output(counts, "counts")
        let range = try IsingEnumeration.densityOfStatesRange(h.value)
        try Argument.length(nBins, "n_bins", equals: range.binCount, "the grid of bz_ising_dos_range")
        if countsByMagnetization != nil { try Argument.length(nSpins, "n_spins", equals: h.value.spinCount, "the model's spin count") }
        let dos = try IsingEnumeration.densityOfStates(h.value, byMagnetization: countsByMagnetization != nil, maxSpins: cap,
                                                       monitor: monitor(progress, user, interrupt: h.interrupt))
        out.write(dos.counts)
        if let byM = dos.countsByMagnetization { countsByMagnetization?.write(byM) }
    }
}

// MARK: - Exact solutions

@c @implementation
public func bz_ising_chain_exact(
    _ n: Int64, _ coupling: Double, _ field: Double, _ periodic: Int32, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?, _ energy: UnsafeMutablePointer<Double>?,
    _ entropy: UnsafeMutablePointer<Double>?, _ heatCapacity: UnsafeMutablePointer<Double>?,
    _ magnetization: UnsafeMutablePointer<Double>?, _ nearestNeighbour: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let nb = try Argument.count(nBetas, "n_betas")
        let r = try IsingChain.exact(length: n, coupling: coupling, field: field, periodic: periodic != 0,
                                     betas: Argument.array(betas, nb, "betas"))
        r.table.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity)
        magnetization?.write(r.magnetization)
        nearestNeighbour?.write(r.nearestNeighbour)
    }
}

@c @implementation
public func bz_ising_chain_correlation(
    _ n: Int64, _ coupling: Double, _ field: Double, _ beta: Double, _ distances: UnsafePointer<Int64>?,
    _ nDistances: Int64, _ correlations: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let count = try Argument.count(nDistances, "n_distances")
        let d = try Argument.array(distances, count, "distances")
        let out = try Argument.output(correlations, "correlations")
        guard n >= 0 else { throw .invalid("n must be >= 2 (or 0 for an infinite chain), got \(n)") }
        out.write(try IsingChain.correlation(length: n, coupling: coupling, field: field, beta: beta, distances: d))
    }
}

@c @implementation
public func bz_ising_square_exact(
    _ rows: Int64, _ columns: Int64, _ coupling: Double, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?, _ energy: UnsafeMutablePointer<Double>?,
    _ entropy: UnsafeMutablePointer<Double>?, _ heatCapacity: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let nb = try Argument.count(nBetas, "n_betas")
        let t = try IsingSquare.kaufman(rows: Int(rows), columns: Int(columns), coupling: coupling, betas: Argument.array(betas, nb, "betas"))
        t.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity)
    }
}

@c @implementation
public func bz_ising_square_dos_size(
    _ rows: Int64, _ columns: Int64, _ outLevels: UnsafeMutablePointer<Int64>?, _ outWords: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let levels = try Argument.output(outLevels, "out_levels"), words = try Argument.output(outWords, "out_words")
        let size = try IsingSquare.bealeSize(rows: Argument.count(rows, "rows"), columns: Argument.count(columns, "columns"))
        levels.pointee = Int64(size.levels)
        words.pointee = Int64(size.words)
    }
}

@c @implementation
public func bz_ising_square_dos(
    _ rows: Int64, _ columns: Int64, _ coupling: Double, _ capacity: Int64, _ words: Int64,
    _ energies: UnsafeMutablePointer<Double>?, _ logG: UnsafeMutablePointer<Double>?, _ counts: UnsafeMutablePointer<UInt64>?,
    _ outLevels: UnsafeMutablePointer<Int64>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let m = try Argument.count(rows, "rows"), n = try Argument.count(columns, "columns")
        let size = try IsingSquare.bealeSize(rows: m, columns: n)
        try checkDensityOutputs(size, capacity: capacity, words: words, what: "a \(m) x \(n) torus (bz_ising_square_dos_size)")
        let e = try Argument.output(energies, "energies"), count = try Argument.output(outLevels, "out_levels")
        let dos = try IsingSquare.bealeDensity(rows: m, columns: n, coupling: coupling, monitor: monitor(progress, user, interrupt: nil))
        dos.write(energies: e, logG: logG, counts: counts, words: words, levels: count)
    }
}

@c @implementation
public func bz_ising_transfer_dos_size(_ model: OpaquePointer?, _ outLevels: UnsafeMutablePointer<Int64>?,
                                       _ outWords: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let levels = try Argument.output(outLevels, "out_levels"), words = try Argument.output(outWords, "out_words")
        let size = try StripTransfer.densitySize(h.value)
        levels.pointee = Int64(size.levels)
        words.pointee = Int64(size.words)
    }
}

@c @implementation
public func bz_ising_transfer_dos(
    _ model: OpaquePointer?, _ maxBits: Int64, _ capacity: Int64, _ words: Int64,
    _ energies: UnsafeMutablePointer<Double>?, _ logG: UnsafeMutablePointer<Double>?, _ counts: UnsafeMutablePointer<UInt64>?,
    _ outLevels: UnsafeMutablePointer<Int64>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let size = try StripTransfer.densitySize(h.value)
        try checkDensityOutputs(size, capacity: capacity, words: words, what: "this model (bz_ising_transfer_dos_size)")
        let e = try Argument.output(energies, "energies"), count = try Argument.output(outLevels, "out_levels")
        guard maxBits >= 0, maxBits <= Int64(StripTransfer.maxBits) else {
            throw .invalid("max_bits must be in [0, \(StripTransfer.maxBits)] (0: \(StripTransfer.defaultMaxBits)), got \(maxBits)")
        }
        let dos = try StripTransfer.densityOfStates(h.value, maxBits: Int(maxBits), monitor: monitor(progress, user, interrupt: h.interrupt))
        dos.write(energies: e, logG: logG, counts: counts, words: words, levels: count)
    }
}

/// Capacity and words at least an exact density's size, their product within the count limit.
private func checkDensityOutputs(_ size: (levels: Int, words: Int), capacity: Int64, words: Int64, what: String) throws(EngineError) {
    guard capacity >= Int64(size.levels), words >= Int64(size.words) else {
        throw EngineError(.shapeMismatch, "capacity \(capacity) and words \(words) must be at least \(size.levels) and \(size.words) for \(what)")
    }
    let (cells, overflow) = Int64(size.levels).multipliedReportingOverflow(by: words)
    guard !overflow, cells <= Int64(Limit.count.value) else { throw .invalid("levels x words must be at most \(Limit.count.text), got \(size.levels) x \(words)") }
}

extension ExactDensity {
    /// The header's outputs: energies, ln g (or NULL), counts in rows of `words`
    /// words, zero-padded (or NULL), and the number of levels.
    func write(energies: UnsafeMutablePointer<Double>, logG: UnsafeMutablePointer<Double>?, counts: UnsafeMutablePointer<UInt64>?,
               words: Int64, levels: UnsafeMutablePointer<Int64>) {
        energies.write(self.energies)
        logG?.write(self.logG)
        if let counts {
            let stride = Int(words)
            for k in self.energies.indices {
                let row = counts + k * stride
                row.initialize(repeating: 0, count: stride)
                row.write(Array(count(at: k)))
            }
        }
        levels.pointee = Int64(self.energies.count)
    }
}

@c @implementation
public func bz_ising_onsager(
    _ coupling: Double, _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ heatCapacity: UnsafeMutablePointer<Double>?, _ magnetization: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let nb = try Argument.count(nBetas, "n_betas")
        let r = try IsingSquare.onsager(coupling: coupling, betas: Argument.array(betas, nb, "betas"))
        freeEnergy?.write(r.freeEnergy)
        energy?.write(r.energy)
        heatCapacity?.write(r.heatCapacity)
        magnetization?.write(r.magnetization)
    }
}

@c @implementation
public func bz_ising_onsager_critical_temperature(_ coupling: Double, _ outTc: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(outTc, "out_tc")
        out.pointee = try IsingSquare.criticalTemperature(coupling: coupling)
    }
}

// MARK: - Mean field

@c @implementation
public func bz_ising_mean_field(
    _ beta: Double, _ coupling: Double, _ z: Double, _ field: Double, _ magnetizations: UnsafeMutablePointer<Double>?,
    _ freeEnergies: UnsafeMutablePointer<Double>?, _ stable: UnsafeMutablePointer<Int32>?, _ outNSolutions: UnsafeMutablePointer<Int64>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let count = try Argument.output(outNSolutions, "out_n_solutions")
        let all = try MeanFieldIsing.solutions(beta: beta, coupling: coupling, neighbours: z, field: field)
        magnetizations?.write(all.map(\.magnetization))
        freeEnergies?.write(all.map(\.freeEnergy))
        stable?.write(all.map { $0.isStable ? 1 : 0 })
        count.pointee = Int64(all.count)
    }
}

@c @implementation
public func bz_ising_mean_field_magnetization(
    _ coupling: Double, _ z: Double, _ field: Double, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ magnetization: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let nb = try Argument.count(nBetas, "n_betas")
        let b = try Argument.array(betas, nb, "betas")
        let out = try Argument.output(magnetization, "magnetization")
        var m: [Double] = []
        for beta in b { m.append(try MeanFieldIsing.magnetization(beta: beta, coupling: coupling, neighbours: z, field: field)) }
        out.write(m)
    }
}

@c @implementation
public func bz_ising_hysteresis(
    _ beta: Double, _ coupling: Double, _ z: Double, _ fields: UnsafePointer<Double>?, _ nFields: Int64,
    _ magnetization: UnsafeMutablePointer<Double>?, _ jumped: UnsafeMutablePointer<Int32>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let n = try Argument.count(nFields, "n_fields")
        let h = try Argument.array(fields, n, "fields")
        let out = try Argument.output(magnetization, "magnetization")
        let r = try MeanFieldIsing.hysteresis(beta: beta, coupling: coupling, neighbours: z, fields: h)
        out.write(r.magnetization)
        jumped?.write(r.jumped.map { $0 ? 1 : 0 })
    }
}

@c @implementation
public func bz_ising_curie_weiss(
    _ n: Int64, _ coupling: Double, _ field: Double, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?, _ energy: UnsafeMutablePointer<Double>?,
    _ entropy: UnsafeMutablePointer<Double>?, _ heatCapacity: UnsafeMutablePointer<Double>?,
    _ magnetization: UnsafeMutablePointer<Double>?, _ absMagnetization: UnsafeMutablePointer<Double>?,
    _ magnetizationSq: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let nb = try Argument.count(nBetas, "n_betas")
        let r = try CurieWeiss.exact(spins: Int(n), coupling: coupling, field: field, betas: Argument.array(betas, nb, "betas"))
        r.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity,
                magnetization: magnetization, absMagnetization: absMagnetization, magnetizationSq: magnetizationSq)
    }
}

/// Wang-Landau's options from the header's struct (NULL: the defaults).
private func wangLandauOptions(_ options: UnsafePointer<bz_wang_landau_options>?) throws(EngineError) -> WangLandau.Options {
    guard let o = try versioned(options, BZ_WANG_LANDAU_OPTIONS_VERSION, "BZ_WANG_LANDAU_OPTIONS_VERSION", "bz_wang_landau_options_init") else {
        return WangLandau.Options()
    }
    return try wangLandauOptions(o, "options")
}

/// The engine's options from a caller's struct (`name` for messages), its version checked.
private func wangLandauOptions(_ o: bz_wang_landau_options, _ name: String) throws(EngineError) -> WangLandau.Options {
    guard o.version == BZ_WANG_LANDAU_OPTIONS_VERSION else {
        throw .invalid("\(name).version must be BZ_WANG_LANDAU_OPTIONS_VERSION (\(BZ_WANG_LANDAU_OPTIONS_VERSION)), got \(o.version): initialise it with bz_wang_landau_options_init")
    }
    var result = WangLandau.Options()
    result.runs = Int(o.runs)
    result.binWidth = o.bin_width
    result.finalLogF = o.final_log_f
    result.flatness = o.flatness
    result.maxSweeps = Int(clamping: o.max_sweeps)
    result.seed = o.seed
    return result
}

/// The engine's defaults as the C struct.
private func wangLandauDefaults() -> bz_wang_landau_options {
    let d = WangLandau.Options()
    return bz_wang_landau_options(version: BZ_WANG_LANDAU_OPTIONS_VERSION, runs: Int32(d.runs), bin_width: d.binWidth,
                                  final_log_f: d.finalLogF, flatness: d.flatness, max_sweeps: Int64(d.maxSweeps), seed: d.seed)
}

@c @implementation
public func bz_wang_landau_options_init(_ options: UnsafeMutablePointer<bz_wang_landau_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        try Argument.output(options, "options").pointee = wangLandauDefaults()
    }
}

@c @implementation
public func bz_ising_wang_landau_bins(_ model: OpaquePointer?, _ binWidth: Double, _ outBins: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let out = try Argument.output(outBins, "out_bins")
        out.pointee = Int64(try WangLandau.binCount(h.value, binWidth: binWidth))
    }
}

@c @implementation
public func bz_ising_wang_landau(
    _ model: OpaquePointer?, _ options: UnsafePointer<bz_wang_landau_options>?, _ capacity: Int64,
    _ energies: UnsafeMutablePointer<Double>?, _ logG: UnsafeMutablePointer<Double>?, _ logGError: UnsafeMutablePointer<Double>?,
    _ runLogG: UnsafeMutablePointer<Double>?, _ sweeps: UnsafeMutablePointer<Int64>?, _ outBins: UnsafeMutablePointer<Int64>?,
    _ outConverged: UnsafeMutablePointer<Int32>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        let h = try handle(model)
        let o = try wangLandauOptions(options)
        let bins = try WangLandau.binCount(h.value, binWidth: o.binWidth)
        guard capacity >= Int64(bins) else {
            throw EngineError(.shapeMismatch, "capacity is \(capacity) but this model may need \(bins) bins (bz_ising_wang_landau_bins)")
        }
        let e = try Argument.output(energies, "energies"), g = try Argument.output(logG, "log_g")
        let ge = try Argument.output(logGError, "log_g_error"), n = try Argument.output(outBins, "out_bins")
        let r = try WangLandau.run(h.value, options: o, monitor: monitor(progress, user, interrupt: h.interrupt))
        e.write(r.energies)
        g.write(r.logG)
        ge.write(r.logGError)
        runLogG?.write(r.runLogG)
        sweeps?.write(r.sweeps.map(Int64.init))
        n.pointee = Int64(r.energies.count)
        outConverged?.pointee = r.converged ? 1 : 0
    }
}

@c @implementation
public func bz_wang_landau_thermo(
    _ energies: UnsafePointer<Double>?, _ runLogG: UnsafePointer<Double>?, _ runs: Int64, _ bins: Int64,
    _ betas: UnsafePointer<Double>?, _ nBetas: Int64, _ logZ: UnsafeMutablePointer<Double>?,
    _ logZError: UnsafeMutablePointer<Double>?, _ energy: UnsafeMutablePointer<Double>?, _ heatCapacity: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        guard runs >= 2 else { throw .invalid("runs must be >= 2, got \(runs)") }
        guard bins >= 1 else { throw .invalid("bins must be >= 1, got \(bins)") }
        let e = try Argument.array(energies, try Argument.count(bins, "bins"), "energies")
        let g = Array(try rows(runLogG, runs, dim: bins, "run_log_g", rowsName: "runs"))
        let b = try Argument.array(betas, try Argument.count(nBetas, "n_betas"), "betas")
        try Check.allFinite(e, "energies")
        try Check.allFinite(g, "run_log_g")
        try Check.allFinite(b, "betas")
        let (table, errors) = WangLandau.thermodynamics(energies: e, runLogG: g, runs: Int(runs), betas: b)
        logZ?.write(table.logZ)
        logZError?.write(errors)
        energy?.write(table.energy)
        heatCapacity?.write(table.heatCapacity)
    }
}
