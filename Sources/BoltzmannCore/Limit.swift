/// Every named limit of the library, each value written once, here; the header
/// documents them (BZ_LIMIT_*) and `bz_limit` reports them. The engine checks a
/// value against its limit where it takes the value (`check`); the C layer checks
/// only element counts (`count`) and counts that size a read of caller memory.
/// Limits keep memory, byte counts and run times representable; none is physics.
public enum Limit: Sendable, CaseIterable {
    case count, iterations, steps, samplerSteps, batch, chains, betas, units, width, spins, couplings, pairwiseUnits, layers,
         measurements, dimension, blas, storedValues

    /// The largest accepted value.
    public var value: Int {
        switch self {
        case .count: 1 << 40
        case .storedValues: 1 << 34
        case .measurements, .blas: 1 << 31
        case .iterations: 1 << 30
        case .couplings: 1 << 27
        case .spins: 1 << 26
        case .samplerSteps, .dimension: 1 << 24
        case .steps, .batch, .units: 1 << 20
        case .chains, .width: 1 << 16
        case .betas, .pairwiseUnits: 1 << 12
        case .layers: 64
        }
    }

    /// `value` as an Int when it lies in [lower, limit], else INVALID_ARGUMENT
    /// naming the parameter, the range and the value.
    @discardableResult
    public func check<Integer: BinaryInteger>(_ value: Integer, _ name: String, from lower: Int = 1) throws(EngineError) -> Int {
        guard value >= lower, value <= self.value else { throw .invalid("\(name) must be in [\(lower), \(text)], got \(value)") }
        return Int(value)
    }

    /// The limit as people write it: 2^k for a power of two.
    public var text: String {
        value.nonzeroBitCount == 1 && value > 64 ? "2^\(value.trailingZeroBitCount)" : "\(value)"
    }
}
