import Testing

@testable import BoltzmannCore

@Suite("p-bits")
struct PBitTests {
    /// Every state of a circuit's model, with its energy, in index order (bit i of
    /// the state index is spin i, set = +1).
    private func energies(_ model: IsingModel) -> [Double] {
        let n = model.spinCount
        return (0..<(1 << n)).map { state in
            let spins = (0..<n).map { Int8(state >> $0 & 1 == 1 ? 1 : -1) }
            return spins.withUnsafeBufferPointer { model.energy($0.baseAddress!) }
        }
    }

    /// Each gate's ground states are exactly its truth table (one auxiliary setting
    /// per row), and every other state lies at least 4 above.
    @Test(arguments: PBitCircuit.Gate.allCases)
    func gateGroundStatesAreTheTruthTable(_ gate: PBitCircuit.Gate) throws {
        var circuit = PBitCircuit()
        try circuit.add(gate, nodes: Array(0..<gate.arity))
        let e = energies(try circuit.model())
        let ground = e.min()!
        var rows: [[Int8]] = []
        for (state, energy) in e.enumerated() {
            let terminals = (0..<gate.arity).map { Int8(state >> $0 & 1 == 1 ? 1 : -1) }
            if energy == ground {
                #expect(gate.isValid(terminals), "\(gate): ground state \(terminals) is not in the truth table")
                rows.append(terminals)
            } else {
                #expect(energy >= ground + 4, "\(gate): state \(state) at \(energy - ground) above ground")
            }
        }
        #expect(rows.count == 1 << (gate.arity == 2 ? 1 : gate.arity == 5 ? 3 : 2), "\(gate): \(rows.count) ground states")
        #expect(Set(rows.map { $0.map(Int.init) }).count == rows.count)
    }

    /// The 2 x 2 multiplier's 16 ground states are the 16 products, on the
    /// documented nodes; composition keeps the gap of 4.
    @Test func twoBitMultiplierGroundStatesAreProducts() throws {
        let circuit = try PBitCircuit.multiplier(bits: 2)
        let e = energies(try circuit.model())
        let ground = e.min()!
        var products: Set<Int> = []
        for (state, energy) in e.enumerated() where energy < ground + 4 {
            #expect(energy == ground)
            let a = state & 3, b = state >> 2 & 3, p = state >> 4 & 15
            #expect(a * b == p, "\(a) x \(b) read as \(p)")
            products.insert(a << 2 | b)
        }
        #expect(products.count == 16)
    }

    /// Forward mode: clamp a and b of a 3-bit multiplier; at beta = 1 the product
    /// nodes read a * b more often than any other value.
    @Test func multiplierComputesForward() throws {
        let circuit = try PBitCircuit.multiplier(bits: 3)
        let mc = try MonteCarlo(model: try circuit.model(), beta: 1, algorithm: .heatBath, order: .colored, chains: 4, seed: 1)
        for (a, b) in [(5, 7), (3, 6), (7, 7)] {
            mc.releaseClamps()
            try mc.clamp(indices: Array(0..<6), values: (0..<6).map { (a | b << 3) >> $0 & 1 == 1 ? 1 : -1 })
            let samples = try mc.sample(count: 2000, every: 1, burnIn: 100)
            var counts = [Int](repeating: 0, count: 64)
            for s in stride(from: 0, to: samples.count, by: circuit.nodeCount) {
                counts[(0..<6).reduce(0) { $0 | (samples[s + 6 + $1] > 0 ? 1 << $1 : 0) }] += 1
            }
            #expect(counts.firstIndex(of: counts.max()!) == a * b, "\(a) x \(b): \(counts)")
        }
    }

    /// Inverse mode at beta = 1: every chain finds the factors of 15, 35 and 143. The
    /// automatic width reaches n: 15 needs 3 bits (3 x 3 = 9), not the 2 whose 4
    /// product bits hold it.
    @Test func factorsSemiprimes() throws {
        #expect(PBitCircuit.factorBits(15) == 3 && PBitCircuit.factorBits(9) == 2 && PBitCircuit.factorBits(10) == 3)
        for (n, a, b) in [(15, 3, 5), (35, 5, 7), (143, 11, 13)] {
            let r = try PBitCircuit.factor(n, bits: 0, beta: 1, sweeps: 20_000, chains: 4, seed: 3)
            #expect(r.a == a && r.b == b && r.chainsHit == 4, "\(n): \(r)")
            #expect(r.probability > 0.5, "\(n): \(r)")
        }
    }

    @Test func badInputIsNamed() throws {
        var circuit = PBitCircuit()
        #expect(throws: EngineError.self) { try circuit.add(.and, nodes: [0, 1]) }
        #expect(throws: EngineError.self) { try circuit.add(.and, nodes: [0, 1, 1]) }
        #expect(throws: EngineError.self) { try circuit.add(.not, nodes: [-1, 1]) }
        #expect(throws: EngineError.self) { try circuit.model() }
        #expect(throws: EngineError.self) { try PBitCircuit.multiplier(bits: 1) }
        #expect(throws: EngineError.self) { try PBitCircuit.factor(35, bits: 2, beta: 1, sweeps: 10, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try PBitCircuit.factor(15, bits: 2, beta: 1, sweeps: 10, chains: 1, seed: 0) }
        #expect(throws: EngineError.self) { try PBitCircuit.factor(2, bits: 0, beta: 1, sweeps: 10, chains: 1, seed: 0) }
    }
}
