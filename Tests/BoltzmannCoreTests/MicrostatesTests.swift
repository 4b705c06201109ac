import Glibc
import Testing

@testable import BoltzmannCore

@Suite("Microstates and multiplicities")
struct MicrostatesTests {
    /// Seed 003, Example 10.1: 10 units on levels {0, 1, 2} with occupation (7, 2, 1).
    /// W = 10! / (7! 2! 1!) = 360, and E = 0*7 + 1*2 + 2*1 = 4 (the seed prints 3).
    @Test func seedExampleTenPointOne() throws {
        let logW = try Microstates.logMultiplicity([7, 2, 1])
        #expect(abs(exp(logW) - 360) < 1e-10)
        #expect(try Microstates.energy(occupations: [7, 2, 1], levelEnergies: [0, 1, 2]) == 4)
    }

    /// Five fair coins: P(3 heads) = C(5, 3) / 2^5 = 10/32.
    @Test func coinFlips() throws {
        var total = 0.0, threeHeads = 0.0
        try Microstates.forEachMacrostate(units: 5, levelEnergies: [0, 0]) { _, n, _, logW in
            total += exp(logW)
            if n[0] == 3 { threeHeads = exp(logW) }
        }
        #expect(abs(total - 32) < 1e-12)
        #expect(abs(threeHeads / total - 10.0 / 32) < 1e-15)
    }

    @Test func countsAreBinomials() throws {
        #expect(try Microstates.macrostateCount(units: 10, levels: 3) == 66)
        #expect(try Microstates.macrostateCount(units: 0, levels: 4) == 1)
        #expect(try Microstates.macrostateCount(units: 7, levels: 1) == 1)
        #expect(try Microstates.macrostateCount(units: 100, levels: 11) == 46_897_636_623_981)
        #expect(try Microstates.macrostateCount(units: 10, levels: 100) == 42_634_215_112_710)  // C(109, 10)
        // Huge but representable counts come back at once (no loop over the larger side).
        #expect(try Microstates.macrostateCount(units: 0, levels: 1 << 62) == 1)
        #expect(try Microstates.macrostateCount(units: 1, levels: 1 << 62) == 1 << 62)
        #expect(try Microstates.macrostateCount(units: 1 << 62, levels: 2) == (1 << 62) + 1)
        #expect(throws: EngineError.self) { try Microstates.macrostateCount(units: 1000, levels: 1000) }
        #expect(throws: EngineError.self) { try Microstates.macrostateCount(units: -1, levels: 2) }
        #expect(throws: EngineError.self) { try Microstates.macrostateCount(units: 3, levels: 0) }
    }

    /// Every composition exactly once, in reverse lexicographic order, with
    /// sum W = L^N and sum W e^(-beta E) = z^N.
    @Test func enumerationIsCompleteOrderedAndNormalised() throws {
        let levels = [0.0, 0.7, 1.3, 2.0]
        let units = 9
        var seen: [[Int]] = []
        var sumW = 0.0
        let beta = 0.8
        var weighted = [Double]()
        try Microstates.forEachMacrostate(units: units, levelEnergies: levels) { index, n, e, logW in
            #expect(index == seen.count)
            #expect(n.reduce(0, +) == units)
            seen.append(Array(n))
            sumW += exp(logW)
            weighted.append(logW - beta * e)
        }
        #expect(seen.count == (try Microstates.macrostateCount(units: units, levels: levels.count)))
        #expect(seen.first == [9, 0, 0, 0] && seen.last == [0, 0, 0, 9])
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) == false })
        #expect(Set(seen.map { $0.description }).count == seen.count)
        #expect(abs(sumW / pow(4, 9) - 1) < 1e-13)
        let z = levels.reduce(0) { $0 + exp(-beta * $1) }
        let logSum = weighted.reduce(-Double.infinity) { logAddExp($0, $1) }
        #expect(abs(logSum - Double(units) * log(z)) < 1e-12)
    }

    /// The microcanonical spectrum of the seed's 10-unit, 3-level system: energies
    /// 0..20, ln Omega(E) summed over macrostates, and log Z = 10 log z.
    @Test func microcanonicalSpectrum() throws {
        let s = try Microstates.microcanonicalSpectrum(units: 10, levelEnergies: [0, 1, 2])
        #expect(s.energies == (0...20).map(Double.init))
        // Omega(1) = 10 (one unit in level 1); Omega(2) = C(10,2) + 10 = 55.
        #expect(abs(exp(s.logDegeneracies[1]) - 10) < 1e-12)
        #expect(abs(exp(s.logDegeneracies[2]) - 55) < 1e-11)
        for beta in [-1.0, 0, 0.4, 3] {
            let z = 1 + exp(-beta) + exp(-2 * beta)
            #expect(abs(try s.logPartitionFunction(beta: beta) - 10 * log(z)) < 1e-12)
        }
    }

    @Test func limitsAndBadOccupations() {
        #expect(throws: EngineError.self) {
            try Microstates.forEachMacrostate(units: 50, levelEnergies: [0, 1, 2, 3], maxStates: 1000) { _, _, _, _ in }
        }
        #expect(throws: EngineError.invalid("occupations[1] must be >= 0, got -2")) {
            try Microstates.logMultiplicity([3, -2])
        }
        #expect(throws: EngineError.self) { try Microstates.logMultiplicity([]) }
        #expect(throws: EngineError.self) { try Microstates.logMultiplicity([Int.max, 1]) }
        #expect(throws: EngineError.self) { try Microstates.energy(occupations: [1], levelEnergies: [.nan]) }
        // Totals that overflow are refused, not returned as inf.
        #expect(throws: EngineError.self) { try Microstates.energy(occupations: [2, 1], levelEnergies: [1e308, 0]) }
        #expect(throws: EngineError.self) {
            try Microstates.forEachMacrostate(units: 5, levelEnergies: [0, 1e308]) { _, _, _, _ in }
        }
    }
}
