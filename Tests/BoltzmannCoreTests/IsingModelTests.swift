import Glibc
import Testing

@testable import BoltzmannCore

/// Brute-force energy straight from the definition E = -sum_{i<j} J_ij s_i s_j - sum h_i s_i.
func bruteEnergy(_ dense: [Double], _ h: [Double], _ s: [Int8]) -> Double {
    let n = h.count
    var e = 0.0
    for i in 0..<n {
        e -= h[i] * Double(s[i])
        for j in (i + 1)..<max(i + 1, n) { e -= dense[i * n + j] * Double(s[i]) * Double(s[j]) }
    }
    return e
}

func spins(_ bits: Int, _ n: Int) -> [Int8] { (0..<n).map { bits >> $0 & 1 == 1 ? 1 : -1 } }

@Suite("Ising model")
struct IsingModelTests {
    @Test func denseAndEdgeListAgreeWithTheDefinition() throws {
        var random = RandomStream(seed: 7)
        let n = 6
        var dense = [Double](repeating: 0, count: n * n)
        var edges: [(Int, Int, Double)] = []
        for i in 0..<n { for j in (i + 1)..<n where random.uniform() < 0.6 {
            let v = random.normal()
            dense[i * n + j] = v; dense[j * n + i] = v
            // Split each coupling in two reversed halves: duplicates add up.
            edges.append((j, i, v / 2)); edges.append((i, j, v / 2))
        } }
        let h = (0..<n).map { _ in random.normal() }
        let a = try IsingModel(spinCount: n, denseCouplings: dense, fields: h)
        let b = try IsingModel(spinCount: n, edges: edges, fields: h)
        #expect(a.edgeCoupling.count == b.edgeCoupling.count)
        for bits in 0..<(1 << n) {
            let s = spins(bits, n)
            let exact = bruteEnergy(dense, h, s)
            let ea = try s.withUnsafeBufferPointer { try a.energies(spins: $0)[0] }
            let eb = try s.withUnsafeBufferPointer { try b.energies(spins: $0)[0] }
            #expect(abs(ea - exact) <= 1e-12 && abs(eb - exact) <= 1e-12)
            // Local fields: flipping spin i changes E by 2 s_i f_i.
            let f = try s.withUnsafeBufferPointer { try a.localFields(spins: $0) }
            for i in 0..<n {
                var t = s; t[i] = -t[i]
                #expect(abs(bruteEnergy(dense, h, t) - exact - 2 * Double(s[i]) * f[i]) <= 1e-12)
            }
        }
    }

    @Test func quboRoundTripPreservesEveryEnergy() throws {
        let model = try IsingModel.sherringtonKirkpatrick(7, scale: 1, field: 0.3, seed: 3)
        let (diagonal, off, constant) = model.qubo()
        let n = model.spinCount
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n { q[i * n + i] = diagonal[i] }
        for k in off.indices { q[Int(model.edgeFirst[k]) * n + Int(model.edgeSecond[k])] = off[k] }
        let (back, offset) = try IsingModel.fromQUBO(spinCount: n, matrix: q)
        for bits in 0..<(1 << n) {
            let s = spins(bits, n)
            let x = s.map { Double(($0 + 1) / 2) }
            var eq = constant
            for i in 0..<n { for j in 0..<n { eq += x[i] * q[i * n + j] * x[j] } }
            let ising = try s.withUnsafeBufferPointer { try model.energies(spins: $0)[0] }
            let roundTrip = try s.withUnsafeBufferPointer { try back.energies(spins: $0)[0] }
            #expect(abs(eq - ising) <= 1e-12, "Ising -> QUBO at state \(bits)")
            #expect(abs(roundTrip + offset + constant - eq) <= 1e-12, "QUBO -> Ising at state \(bits)")
        }
    }

    @Test func latticesHaveTheRightBondsAndColours() throws {
        let torus = try IsingModel.square(4, 6, coupling: 1, field: 0, periodic: true)
        #expect(torus.couplingCount == 48 && torus.bipartition().isBipartite)
        #expect(try !IsingModel.square(3, 4, coupling: 1, field: 0, periodic: true).bipartition().isBipartite)
        #expect(try IsingModel.square(3, 5, coupling: 1, field: 0, periodic: false).couplingCount == 3 * 4 + 2 * 5)
        // Width 2 with periodic boundaries doubles the bond; width 1 adds none.
        let ladder = try IsingModel.square(2, 3, coupling: 1, field: 0, periodic: true)
        #expect(ladder.couplingCount == 3 + 6 && ladder.edgeCoupling.filter { $0 == 2 }.count == 3)
        #expect(try IsingModel.cubic(3, 3, 3, coupling: 1, field: 0, periodic: true).couplingCount == 81)
        let colours = torus.bipartition().colours
        for k in torus.edgeCoupling.indices { #expect(colours[Int(torus.edgeFirst[k])] != colours[Int(torus.edgeSecond[k])]) }
        #expect(try IsingModel.complete(5, coupling: 2, field: 0).edgeCoupling.allSatisfy { $0 == 0.4 })
        let glass = try IsingModel.edwardsAnderson([4, 4], distribution: .bimodal, scale: 1, field: 0, periodic: true, seed: 1)
        #expect(glass.couplingCount == 32 && glass.edgeCoupling.allSatisfy { abs($0) == 1 })
        let again = try IsingModel.edwardsAnderson([4, 4], distribution: .bimodal, scale: 1, field: 0, periodic: true, seed: 1)
        #expect(glass.edgeCoupling == again.edgeCoupling)
    }

    @Test func badInputIsNamed() throws {
        #expect(throws: EngineError.self) { try IsingModel(spinCount: 3, edges: [(0, 0, 1)]) }
        #expect(throws: EngineError.self) { try IsingModel(spinCount: 3, edges: [(0, 3, 1)]) }
        #expect(throws: EngineError.self) { try IsingModel(spinCount: 2, edges: [(0, 1, .nan)]) }
        #expect(throws: EngineError.self) { try IsingModel(spinCount: 2, denseCouplings: [0, 1, 2, 0]) }
        #expect(throws: EngineError.self) { try IsingModel(spinCount: 2, denseCouplings: [1, 1, 1, 0]) }
        let model = try IsingModel.chain(3, coupling: 1, field: 0, periodic: false)
        #expect(throws: EngineError.self) { try [Int8(1), 0, 1].withUnsafeBufferPointer { try model.energies(spins: $0) } }
        let big = try IsingModel.chain(41, coupling: 1, field: 0, periodic: false)
        #expect(throws: EngineError.self) { try IsingEnumeration.groundState(big) }
        #expect(throws: EngineError.self) { try IsingEnumeration.groundState(big, maxSpins: 41) }
    }
}
