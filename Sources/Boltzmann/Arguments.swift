import BoltzmannCore
import CBoltzmann

/// Checks of raw C arguments (pointers and counts). Semantic checks of values
/// (finite, in range) live in the engine, which reports them as `EngineError`.
enum Argument {
    /// A count of elements, in [1, `Limit.count`].
    static func count(_ n: Int64, _ name: String) throws(EngineError) -> Int {
        try Limit.count.check(n, name)
    }

    /// The product of counts (each >= 1) when it stays within `Limit.count`.
    static func product(_ factors: Int..., name: String) throws(EngineError) -> Int {
        let result = WorkMonitor.product(factors)  // Int64.max on overflow
        guard result <= Limit.count.value else { throw .invalid("\(name) is more than the library accepts (2^40)") }
        return Int(result)
    }

    /// A required input array of `count` elements, copied into an array.
    static func array<T>(_ pointer: UnsafePointer<T>?, _ count: Int, _ name: String) throws(EngineError) -> [T] {
        guard let pointer else { throw EngineError(.nullPointer, "\(name) is NULL") }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// An optional input array: nil when the pointer is NULL.
    static func optionalArray<T>(_ pointer: UnsafePointer<T>?, _ count: Int) -> [T]? {
        pointer.map { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// A required output pointer.
    static func output<T>(_ pointer: UnsafeMutablePointer<T>?, _ name: String) throws(EngineError) -> UnsafeMutablePointer<T> {
        guard let pointer else { throw EngineError(.nullPointer, "\(name) is NULL") }
        return pointer
    }

    /// A caller-declared length that must equal the one the library knows.
    static func length(_ given: Int64, _ name: String, equals expected: Int, _ what: String) throws(EngineError) {
        guard given == Int64(expected) else {
            throw EngineError(.shapeMismatch, "\(name) is \(given) but \(what) is \(expected)")
        }
    }

    /// A limit argument where 0 selects the default.
    static func limit(_ value: Int64, _ name: String, default defaultValue: Int) throws(EngineError) -> Int {
        guard value >= 0 else { throw .invalid("\(name) must be >= 0 (0 for the default), got \(value)") }
        return value == 0 ? defaultValue : Int(value)
    }
}

/// The caller's versioned options struct (NULL: nil). Its version, the first field, is
/// checked before the struct is read, so a struct of another layout is never read past
/// its end. `version` and `initName` are the header's (BZ_X_OPTIONS_VERSION, its _init).
func versioned<T>(_ options: UnsafePointer<T>?, _ version: Int32, _ macro: String, _ initName: String) throws(EngineError) -> T? {
    guard let options else { return nil }
    let given = UnsafeRawPointer(options).load(as: Int32.self)
    guard given == version else {
        throw .invalid("options.version must be \(macro) (\(version)), got \(given): initialise options with \(initName)")
    }
    return options.pointee
}

/// As `versioned`, also accepting the older versions `older` lists, each with the byte
/// length of its layout, a prefix of T's (fields were only ever appended): only those
/// bytes are read, and the later fields keep `defaults`' values.
func versioned<T>(_ options: UnsafePointer<T>?, _ version: Int32, _ macro: String, _ initName: String,
                  older: [(version: Int32, bytes: Int)], defaults: T) throws(EngineError) -> T? {
    guard let options else { return nil }
    let given = UnsafeRawPointer(options).load(as: Int32.self)
    if given == version { return options.pointee }
    guard let layout = older.first(where: { $0.version == given }), layout.bytes <= MemoryLayout<T>.size else {
        let accepted = older.map { String($0.version) }.joined(separator: ", ")
        throw .invalid("options.version must be \(macro) (\(version)) or an older \(accepted), got \(given): initialise options with \(initName)")
    }
    var value = defaults
    withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(start: options, count: layout.bytes)) }
    return value
}

/// The one check of a caller's matrix: `count` rows (at least `minRows`) of
/// `width` values at `pointer`, read in place. The product must stay within
/// `Limit.count`; the pointer is checked after the counts, so a NULL with zero rows
/// is still a NULL. Values are the engine's to check.
func rows<T>(_ pointer: UnsafePointer<T>?, _ count: some BinaryInteger, _ width: Int, _ name: String, rowsName: String = "n_rows",
             minRows: Int = 1) throws(EngineError) -> UnsafeBufferPointer<T> {
    let count = try Limit.count.check(count, rowsName, from: minRows)
    guard width >= 1, count <= Limit.count.value / width else { throw .invalid("\(rowsName) x \(width) values is more than the library accepts (2^40)") }
    guard let pointer else { throw EngineError(.nullPointer, "\(name) is NULL") }
    return UnsafeBufferPointer(start: pointer, count: count * width)
}

/// `rows` for a width the caller gives (`dim`, in [1, `Limit.dimension`]: it sizes
/// the read, so it is checked before it).
func rows<T>(_ pointer: UnsafePointer<T>?, _ count: Int64, dim: Int64, _ name: String, rowsName: String = "n",
             minRows: Int = 0) throws(EngineError) -> UnsafeBufferPointer<T> {
    try rows(pointer, count, Limit.dimension.check(dim, "dim"), name, rowsName: rowsName, minRows: minRows)
}

extension UnsafeMutablePointer {
    /// Write `values` to this caller-owned buffer.
    func write(_ values: [Pointee]) {
        values.withUnsafeBufferPointer { update(from: $0.baseAddress!, count: $0.count) }
    }
}

extension ThermodynamicTable {
    /// Write the columns to the caller's optional buffers (NULL: not wanted).
    func write(
        logZ: UnsafeMutablePointer<Double>?, freeEnergy: UnsafeMutablePointer<Double>?, energy: UnsafeMutablePointer<Double>?,
        entropy: UnsafeMutablePointer<Double>?, heatCapacity: UnsafeMutablePointer<Double>?
    ) {
        logZ?.write(self.logZ)
        freeEnergy?.write(self.freeEnergy)
        energy?.write(self.energy)
        entropy?.write(self.entropy)
        heatCapacity?.write(self.heatCapacity)
    }
}

extension IsingEnumeration.Thermodynamics {
    /// Write the table and the magnetisation moments to the caller's optional buffers
    /// (NULL: not wanted).
    func write(
        logZ: UnsafeMutablePointer<Double>?, freeEnergy: UnsafeMutablePointer<Double>?, energy: UnsafeMutablePointer<Double>?,
        entropy: UnsafeMutablePointer<Double>?, heatCapacity: UnsafeMutablePointer<Double>?,
        magnetization: UnsafeMutablePointer<Double>?, absMagnetization: UnsafeMutablePointer<Double>?,
        magnetizationSq: UnsafeMutablePointer<Double>?
    ) {
        table.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity)
        magnetization?.write(self.magnetization)
        absMagnetization?.write(self.absMagnetization)
        magnetizationSq?.write(self.magnetizationSquared)
    }
}
