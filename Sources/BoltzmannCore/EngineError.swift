/// A failure the engine reports instead of trapping: bad input or a computation that
/// cannot meet its contract. The C layer maps `kind` to a `bz_status` and `message`
/// to `bz_last_error()`, so messages name the argument the caller passed
/// ("energies[3] must be finite, got nan").
///
/// Every throwing function of the engine and of the C layer uses typed throws with
/// this one type, so an error is never boxed into `any Error` on its way out.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidArgument
        case shapeMismatch
        case nonFinite
        case limitExceeded
        case notConverged
        /// A progress callback or an interrupt stopped the call.
        case cancelled
        case outOfMemory
        /// The object is not in a state that allows the call (e.g. results before a run).
        case wrongState
        /// The combination of options is not supported (e.g. a cluster update on a frustrated model).
        case unsupported
        /// The object is in use by another call (a re-entrant call from a callback).
        case busy
        /// Reading or writing a file failed.
        case io
        /// A file or byte buffer is not in the expected format (or is damaged).
        case badFormat
        /// A required pointer was NULL (raised by the C layer).
        case nullPointer
        /// A handle was freed, never created, or of another type (raised by the C layer).
        case invalidHandle
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func invalid(_ message: String) -> EngineError { EngineError(.invalidArgument, message) }
}

/// Checks shared by the engine's entry points. Each throws an `EngineError` naming
/// the argument, so the core never traps on what a caller passed.
public enum Check {
    /// `name` is built only for the error: callers in loops may interpolate an index.
    static func finite(_ value: Double, _ name: @autoclosure () -> String) throws(EngineError) {
        guard value.isFinite else { throw EngineError(.nonFinite, "\(name()) must be finite, got \(value)") }
    }

    /// Every value finite, or NON_FINITE naming the first that is not: name[k], or
    /// name[row][column] for rows of `width`.
    public static func allFinite<Values: Collection>(_ values: Values, _ name: String, width: Int? = nil) throws(EngineError)
    where Values.Element: BinaryFloatingPoint, Values.Index == Int {
        guard let k = values.firstIndex(where: { !$0.isFinite }) else { return }
        let at = width.map { "[\(k / $0)][\(k % $0)]" } ?? "[\(k)]"
        throw EngineError(.nonFinite, "\(name)\(at) must be finite, got \(values[k])")
    }

    static func nonEmpty(_ count: Int, _ name: String) throws(EngineError) {
        guard count > 0 else { throw .invalid("\(name) must not be empty") }
    }
}
