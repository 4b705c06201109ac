import Glibc
import Testing

@testable import BoltzmannCore

/// The edges of the library's limits, without allocating what lies beyond them: BLAS
/// integers, vector operations in pieces, reservations of memory, overflowing counts.
@Suite("Limits and allocation")
struct LimitsTests {
    /// Vector operations longer than a piece run in pieces that cover every element
    /// once: here with pieces of 7 elements, the same numbers as in one go.
    @Test func longVectorOperationsRunInPieces() {
        #expect(BLAS.pieces(0, piece: 7).isEmpty)
        #expect(BLAS.pieces(21, piece: 7) == [0..<7, 7..<14, 14..<21])
        #expect(BLAS.pieces(23, piece: 7).last == 21..<23)
        #expect(BLAS.pieces((1 << 31) + 5).count == 3)  // N = 46341: 46341^2 = 2^31 + 4633 elements
        var random = RandomStream(seed: 1)
        let x = (0..<100).map { _ in Float(random.normal()) }, y0 = (0..<100).map { _ in Float(random.normal()) }
        var whole = y0, pieces = y0, scaledWhole = y0, scaledPieces = y0
        BLAS.saxpy(count: 100, alpha: 0.5, x: x, y: &whole)
        BLAS.saxpy(count: 100, alpha: 0.5, x: x, y: &pieces, piece: 7)
        BLAS.sscal(count: 100, alpha: 3, x: &scaledWhole)
        BLAS.sscal(count: 100, alpha: 3, x: &scaledPieces, piece: 9)
        #expect(whole == pieces && scaledWhole == scaledPieces)
        #expect(whole != y0)
    }

    /// Sizes that overflow, or exceed any address space, are LIMIT_EXCEEDED; what the
    /// machine cannot give is OUT_OF_MEMORY; small blocks are not even probed.
    @Test func reservationsNameTheirSize() throws {
        func kind(_ body: () throws(EngineError) -> Void) -> EngineError.Kind? {
            do { try body(); return nil } catch { return error.kind }
        }
        #expect(kind { () throws(EngineError) in try Memory.reserve(Int.max, bytesEach: 2, for: "x") } == .limitExceeded)
        #expect(kind { () throws(EngineError) in try Memory.reserve(1 << 50, bytesEach: 1, for: "x") } == .limitExceeded)
        #expect(kind { () throws(EngineError) in try Memory.reserve([(1 << 62, 1), (1 << 62, 2)], for: "x") } == .limitExceeded)
        #expect(kind { () throws(EngineError) in try Memory.reserve(-1, bytesEach: 1, for: "x") } == .limitExceeded)
        #expect(kind { () throws(EngineError) in try Memory.reserve(1 << 20, bytesEach: 4, for: "x") } == nil)
        // 2^46 bytes (64 TiB) is within the address space but no machine's memory.
        do {
            try Memory.reserve(1 << 44, bytesEach: 4, for: "the test block")
            Issue.record("a 64 TiB block was granted")
        } catch {
            #expect(error.kind == .outOfMemory)
            #expect(error.message.contains("64.0 TiB") && error.message.contains("the test block"), "\(error.message)")
        }
        #expect(Memory.describe(3, 1) == "3 bytes" && Memory.describe(1 << 30, 8) == "8.0 GiB")
    }

    /// The RBM's limit is on the product n_v n_h <= 2^31, checked before anything is
    /// allocated; 2^31 itself passes the check (it is memory, not the shape, that
    /// then decides).
    @Test func rbmShapeLimitIsCheckedBeforeAllocating() {
        do {
            _ = try RBM(visible: 1 << 16, hidden: (1 << 15) + 1, seed: 0)
            Issue.record("2^31 + 2^16 weights were accepted")
        } catch {
            #expect(error.kind == .limitExceeded)
        }
    }

    /// Tempering's rounds are computed without overflow for any swap interval.
    @Test func temperingRoundsDoNotOverflow() throws {
        let pt = try ParallelTempering(model: try .chain(6, coupling: 1, field: 0, periodic: true), betas: [0.5, 1],
                                       algorithm: .heatBath, replicas: 1, seed: 1)
        #expect(throws: EngineError.self) { try pt.run(sweeps: 3, burnIn: 3, swapEvery: Int.max) }
        try pt.run(sweeps: 1024, burnIn: 1000, swapEvery: 512)  // burn-in rounds up to two rounds
    }
}
