import BoltzmannCore
import CBoltzmann

/// Checks of raw C arguments (pointers and counts). Semantic checks of values
/// (finite, in range) live in the engine, which reports them as `EngineError`.
enum Argument {
    /// Largest element count accepted for any array: keeps byte sizes representable.
    static let maxCount: Int64 = 1 << 40

    /// A count that must be > 0 (and plausible).
    static func count(_ n: Int64, _ name: String) throws(EngineError) -> Int {
        guard n > 0 else { throw .invalid("\(name) must be > 0, got \(n)") }
        guard n <= maxCount else { throw .invalid("\(name) = \(n) is larger than the library accepts (\(maxCount))") }
        return Int(n)
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

/// `rows` x `dim` values at `pointer` (rows may be 0), the counts checked.
func matrix<T>(_ pointer: UnsafePointer<T>?, _ rows: Int64, _ dim: Int64, _ name: String, rowsName: String = "n",
                       allowEmpty: Bool = true) throws(EngineError) -> UnsafeBufferPointer<T> {
    guard rows >= (allowEmpty ? 0 : 1), rows <= Argument.maxCount else {
        throw .invalid("\(rowsName) must be in [\(allowEmpty ? 0 : 1), 2^40], got \(rows)")
    }
    guard dim >= 1, dim <= 1 << 24 else { throw .invalid("dim must be in [1, 2^24], got \(dim)") }
    guard rows <= Argument.maxCount / dim else { throw .invalid("\(rowsName) x dim is larger than the library accepts") }
    guard let pointer else { throw EngineError(.nullPointer, "\(name) is NULL") }
    return UnsafeBufferPointer(start: pointer, count: Int(rows * dim))
}

func finiteRows(_ values: UnsafeBufferPointer<Float>, _ dim: Int64, _ name: String) throws(EngineError) {
    if let k = values.firstIndex(where: { !$0.isFinite }) {
        throw EngineError(.nonFinite, "\(name)[\(k / Int(dim))][\(k % Int(dim))] must be finite, got \(values[k])")
    }
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
