/// Invertible logic for p-bit Ising machines (Camsari et al.,
/// Phys. Rev. X 7, 031014, 2017): each gate is a small Ising Hamiltonian whose
/// ground states are exactly the rows of its truth table (+1 = true, -1 = false),
/// and a circuit is the sum of its gates' Hamiltonians on shared nodes. A state
/// that satisfies every gate has the lowest energy of all, so at large beta the
/// Boltzmann distribution concentrates on the consistent assignments: clamp the
/// inputs to compute forward, clamp the outputs to sample the inputs.
///
/// Every gate has integer couplings and fields, ground energy as listed, and a gap
/// of 4 to every other state (its auxiliary spins included), found as the smallest
/// integer solutions of the linear constraints; the tests enumerate each gate to
/// confirm. A circuit's gap is therefore at least 4.
public struct PBitCircuit: Sendable {
    /// The gate library. Terminal order: NOT (a, y); AND, OR, XOR (a, b, y);
    /// half adder (a, b, sum, carry); full adder (a, b, carry in, sum, carry out).
    public enum Gate: Sendable, CaseIterable {
        /// y = not a: J_ay = -2.
        case not
        /// y = a and b: J_ab = -1, J_ay = J_by = 2; h = (1, 1, -2).
        case and
        /// y = a or b: the AND couplings with h = (-1, -1, 2).
        case or
        /// y = a xor b, with one auxiliary spin x: J = -2 among a, b, y and -4 from
        /// each to x; h = (-2, -2, -2, -4). No 3-spin pairwise Hamiltonian exists.
        case xor
        /// sum = a xor b, carry = a and b.
        case halfAdder
        /// sum = a xor b xor c, carry out = majority(a, b, c); five spins, no auxiliary.
        case fullAdder

        /// Number of terminals.
        public var arity: Int {
            switch self {
            case .not: 2
            case .and, .or, .xor: 3
            case .halfAdder: 4
            case .fullAdder: 5
            }
        }

        /// Auxiliary spins the gate adds.
        public var auxiliaryCount: Int { self == .xor ? 1 : 0 }

        /// Couplings (terminal or auxiliary index pairs, auxiliaries after the
        /// terminals) and fields of the gate's Hamiltonian.
        var hamiltonian: (couplings: [(Int, Int, Double)], fields: [Double]) {
            switch self {
            case .not:
                ([(0, 1, -2)], [0, 0])
            case .and:
                ([(0, 1, -1), (0, 2, 2), (1, 2, 2)], [1, 1, -2])
            case .or:
                ([(0, 1, -1), (0, 2, 2), (1, 2, 2)], [-1, -1, 2])
            case .xor:
                ([(0, 1, -2), (0, 2, -2), (1, 2, -2), (0, 3, -4), (1, 3, -4), (2, 3, -4)], [-2, -2, -2, -4])
            case .halfAdder:
                ([(0, 1, -2), (0, 2, 2), (1, 2, 2), (0, 3, 4), (1, 3, 4), (2, 3, -4)], [2, 2, -2, -4])
            case .fullAdder:
                ([(0, 1, -2), (0, 2, -2), (1, 2, -2), (0, 3, 2), (1, 3, 2), (2, 3, 2),
                  (0, 4, 4), (1, 4, 4), (2, 4, 4), (3, 4, -4)], [0, 0, 0, 0, 0])
            }
        }

        /// Whether terminal values (+-1) form a row of the truth table.
        public func isValid(_ t: [Int8]) -> Bool {
            let bit = t.map { $0 > 0 }
            switch self {
            case .not: return bit[1] == !bit[0]
            case .and: return bit[2] == (bit[0] && bit[1])
            case .or: return bit[2] == (bit[0] || bit[1])
            case .xor: return bit[2] == (bit[0] != bit[1])
            case .halfAdder: return bit[2] == (bit[0] != bit[1]) && bit[3] == (bit[0] && bit[1])
            case .fullAdder:
                let ones = bit[0..<3].filter { $0 }.count
                return bit[3] == (ones % 2 == 1) && bit[4] == (ones >= 2)
            }
        }
    }

    /// Number of nodes (spins), auxiliaries included.
    public private(set) var nodeCount = 0
    /// The gates in the order added, with their terminal and auxiliary nodes.
    public private(set) var gates: [(gate: Gate, nodes: [Int])] = []
    private var couplings: [(Int, Int, Double)] = []


    public init() {}

    /// Add a gate on `nodes` (its terminals, in the gate's order; distinct). A node
    /// index at or past `nodeCount` extends the circuit to include it. Auxiliary
    /// spins are appended after the last node; their indices are returned.
    @discardableResult
    public mutating func add(_ gate: Gate, nodes: [Int]) throws(EngineError) -> [Int] {
        guard nodes.count == gate.arity else {
            throw EngineError(.shapeMismatch, "\(gate) takes \(gate.arity) nodes, got \(nodes.count)")
        }
        for (k, node) in nodes.enumerated() {
            guard node >= 0, node < Limit.units.value - 1 else { throw .invalid("nodes[\(k)] = \(node) is outside [0, \(Limit.units.value - 1))") }
            guard !nodes[..<k].contains(node) else { throw .invalid("nodes[\(k)] = \(node) repeats a terminal of the same gate") }
        }
        nodeCount = max(nodeCount, nodes.max()! + 1)
        let auxiliary = Array(nodeCount..<(nodeCount + gate.auxiliaryCount))
        nodeCount += gate.auxiliaryCount
        let all = nodes + auxiliary
        let (j, h) = gate.hamiltonian
        couplings += j.map { (all[$0.0], all[$0.1], $0.2) }
        couplings += h.enumerated().map { (all[$0.offset], -1, $0.element) }
        gates.append((gate, all))
        return auxiliary
    }

    /// The circuit's Ising model: the sum of its gates' Hamiltonians.
    public func model() throws(EngineError) -> IsingModel {
        guard nodeCount > 0 else { throw .invalid("the circuit has no gates") }
        var fields = [Double](repeating: 0, count: nodeCount)
        var edges: [(Int, Int, Double)] = []
        for (i, j, value) in couplings {
            if j < 0 { fields[i] += value } else { edges.append((i, j, value)) }
        }
        return try IsingModel(spinCount: nodeCount, edges: edges, fields: fields)
    }

    /// An n x n bit array multiplier: p = a * b with a on nodes 0..<n, b on n..<2n
    /// and the 2n-bit product on 2n..<4n (least significant bit first); internal
    /// nodes follow. Partial products a_j b_i are AND gates; rows are added into a
    /// running sum with a ripple of half and full adders.
    public static func multiplier(bits n: Int) throws(EngineError) -> PBitCircuit {
        guard n >= 2, n <= 32 else { throw .invalid("bits must be in [2, 32], got \(n)") }
        // Build with temporary numbering (a, b, then the rest as created), then
        // renumber so the product sits on 2n..<4n.
        var circuit = PBitCircuit()
        var next = 2 * n
        func fresh() -> Int { defer { next += 1 }; return next }
        var products = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in 0..<n {
                let y = fresh()
                try circuit.add(.and, nodes: [j, n + i, y])
                products[i].append(y)
            }
        }
        var sum = products[0]
        for i in 1..<n {
            var carry: Int? = nil
            for j in 0..<n {
                let k = i + j, x = products[i][j]
                let s = fresh(), c = fresh()
                if k < sum.count {
                    if let carryIn = carry {
                        try circuit.add(.fullAdder, nodes: [sum[k], x, carryIn, s, c])
                    } else {
                        try circuit.add(.halfAdder, nodes: [sum[k], x, s, c])
                    }
                    sum[k] = s
                } else {
                    try circuit.add(.halfAdder, nodes: [x, carry!, s, c])
                    sum.append(s)
                }
                carry = c
            }
            sum.append(carry!)
        }
        // Renumber: a and b stay, the product moves to 2n..<4n, the rest after it.
        var map = [Int](repeating: -1, count: circuit.nodeCount)
        for i in 0..<(2 * n) { map[i] = i }
        for (k, node) in sum.enumerated() { map[node] = 2 * n + k }
        var free = 4 * n
        for i in 0..<circuit.nodeCount where map[i] < 0 {
            map[i] = free
            free += 1
        }
        var renumbered = PBitCircuit()
        renumbered.nodeCount = circuit.nodeCount
        renumbered.gates = circuit.gates.map { ($0.gate, $0.nodes.map { map[$0] }) }
        renumbered.couplings = circuit.couplings.map { (map[$0.0], $0.1 < 0 ? -1 : map[$0.1], $0.2) }
        return renumbered
    }
}
