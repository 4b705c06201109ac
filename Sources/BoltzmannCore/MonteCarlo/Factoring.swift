/// Inverse mode of a p-bit multiplier: clamp the product to n and let heat-bath
/// (p-bit) chains sample the inputs a, b; at large enough beta they spend most of
/// their time on a * b = n.
public struct Factorization: Sendable, Equatable {
    /// The most frequently sampled (a, b) with a * b = n and a <= b, or (0, 0) when
    /// no sample factored n.
    public let a: Int
    public let b: Int
    /// Fraction of all samples (every sweep of every chain) with a * b = n.
    public let probability: Double
    /// Mean over chains that ever hit of the sweep (1-based) of the first hit; NaN
    /// when none did.
    public let meanFirstHit: Double
    /// Chains that sampled a factorisation at least once.
    public let chainsHit: Int
    /// Multiplier width used (bits per factor).
    public let bits: Int
}

extension PBitCircuit {
    /// Smallest multiplier width b >= 2 whose largest product, (2^b - 1)^2, reaches n:
    /// the narrowest multiplier that can output n at all (n = 15 needs b = 3, as 3 x 3
    /// = 9 < 15, though 15 fits the 4 product bits of b = 2). Factors up to 2^b - 1
    /// are found: a balanced split of n fits, a lopsided one may need more bits.
    public static func factorBits(_ n: Int) -> Int {
        var b = 2
        while b < 31, largestProduct(bits: b) < n { b += 1 }
        return b
    }

    /// (2^b - 1)^2, the largest product of a b-bit multiplier (b <= 31).
    static func largestProduct(bits b: Int) -> Int { ((1 << b) - 1) * ((1 << b) - 1) }

    /// Factor n with a `bits` x `bits` p-bit multiplier (0: `factorBits(n)`): the
    /// product nodes clamped to n's bits, `chains` heat-bath chains at `beta` in
    /// coloured order, `sweeps` sweeps each, from hot starts. Every sweep's (a, b)
    /// is one sample.
    public static func factor(_ n: Int, bits: Int, beta: Double, sweeps: Int, chains: Int, seed: UInt64,
                              monitor: WorkMonitor = .none()) throws(EngineError) -> Factorization {
        guard n >= 4, n < 1 << 62 else { throw .invalid("n must be in [4, 2^62), got \(n)") }
        let b = bits == 0 ? factorBits(n) : bits
        guard b >= 2, b <= 31 else { throw .invalid("bits must be 0 (automatic) or in [2, 31], got \(bits)") }
        guard largestProduct(bits: b) >= n else {
            throw .invalid("n = \(n) exceeds \(largestProduct(bits: b)), the largest product of a \(b)-bit multiplier")
        }
        try Limit.count.check(sweeps, "sweeps")
        let circuit = try multiplier(bits: b)
        let sampler = try MonteCarlo(model: circuit.model(), beta: beta, algorithm: .heatBath, order: .colored, chains: chains, seed: seed)
        try sampler.clamp(indices: Array((2 * b)..<(4 * b)), values: (0..<(2 * b)).map { n >> $0 & 1 == 1 ? 1 : -1 })
        // Per chain: hits, first hit, and a count per factor pair seen.
        var hits = [Int](repeating: 0, count: chains), first = [Int](repeating: -1, count: chains)
        var pairs = [[Int: Int]](repeating: [:], count: chains)
        try hits.withUnsafeMutableBufferPointer { h throws(EngineError) in
            try first.withUnsafeMutableBufferPointer { f throws(EngineError) in
                try pairs.withUnsafeMutableBufferPointer { p throws(EngineError) in
                    let h = SharedPointer(h.baseAddress!), f = SharedPointer(f.baseAddress!), p = SharedPointer(p.baseAddress!)
                    try sampler.forEachSweep(burnIn: 0, sweeps: sweeps, monitor: monitor) { c, t, chain in
                        var x = 0, y = 0
                        for k in 0..<b {
                            if chain.spins[k] > 0 { x |= 1 << k }
                            if chain.spins[b + k] > 0 { y |= 1 << k }
                        }
                        guard x * y == n else { return }
                        h[c] += 1
                        if f[c] < 0 { f[c] = t + 1 }
                        p.base[c][min(x, y) << 32 | max(x, y), default: 0] += 1
                    }
                }
            }
        }
        var total: [Int: Int] = [:]
        for counts in pairs { total.merge(counts, uniquingKeysWith: +) }
        // Most frequent pair; ties to the smaller key, so the answer is deterministic.
        let best = total.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 0
        let hitChains = first.filter { $0 > 0 }
        return Factorization(
            a: best >> 32, b: best & 0xFFFF_FFFF,
            probability: Double(hits.reduce(0, +)) / (Double(chains) * Double(sweeps)),
            meanFirstHit: hitChains.isEmpty ? .nan : Double(hitChains.reduce(0, +)) / Double(hitChains.count),
            chainsHit: hitChains.count, bits: b)
    }
}
