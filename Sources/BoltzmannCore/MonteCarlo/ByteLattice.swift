import Glibc

/// The checkerboard fast path for the commonest model: a periodic L x W square
/// lattice (both sides even, >= 4) with one coupling J and no field, swept by
/// Metropolis or heat bath one colour at a time. Spins are bytes stored by colour
/// (each colour's row x holds the W/2 sites of that colour, in column order), so a
/// row's four neighbour rows are contiguous and 16 sites are updated per SIMD step.
///
/// The Markov chain is the generic one: with y = sign(J) s_i S_i (S_i the sum of
/// the four neighbours, y in {-4, -2, 0, 2, 4}), a site flips with probability
/// q(y) = min(1, e^{-2 beta |J| y}) (Metropolis, 1/2 at y = 0: lazy ties) or
/// 1 / (1 + e^{2 beta |J| y}) (heat bath), tested as u < threshold for a 64-bit
/// uniform u. The test compares the top 8 bits first and draws the remaining 56 only
/// in a tie (1 lane in 256), so it stays exact to 2^-64 while drawing 8 random bits
/// per site.
///
/// Each colour's rows are cut into a fixed number of blocks, each with its own
/// random stream, so a single large chain can use several threads and still give
/// the same result for any thread count.
struct ByteLattice: Sendable {
    let rows: Int
    let columns: Int
    /// Sites of one colour per row (W / 2).
    let half: Int
    /// +1 for a ferromagnet, -1 for an antiferromagnet.
    let couplingSign: Int8
    let coupling: Double
    /// Row blocks per colour (each with its own stream).
    let blocks: Int

    /// Nil unless the model is a periodic 2D lattice this kernel can sweep.
    init?(_ model: IsingModel) {
        guard let lattice = model.lattice, lattice.periodic, lattice.dimensions.count == 2,
              lattice.dimensions.allSatisfy({ $0 >= 4 && $0 % 2 == 0 }),
              model.fields.allSatisfy({ $0 == 0 }), let j = model.edgeCoupling.first,
              model.edgeCoupling.allSatisfy({ $0 == j }), model.couplingCount == 2 * model.spinCount
        else { return nil }
        rows = lattice.dimensions[0]
        columns = lattice.dimensions[1]
        half = columns / 2
        couplingSign = j > 0 ? 1 : -1
        coupling = abs(j)
        blocks = min(rows, 16)
    }

    /// Thresholds q(y) for y = -4, -2, 0, 2, 4 (index (y + 4) / 2). The sweep's order
    /// is fixed, so Metropolis takes ties (y = 0), and every flip at beta = 0, with
    /// probability 1/2 (lazy ties, see `Acceptance`).
    func thresholds(_ rule: SingleSpinRule, beta: Double) -> [UInt64] {
        [-4.0, -2, 0, 2, 4].map { y in
            let x = 2 * (beta * coupling) * y
            switch rule {
            case .metropolis where y == 0 || beta == 0: return Acceptance.threshold(0.5)
            case .metropolis: return Acceptance.threshold(min(1, exp(-x)))
            case .heatBath: return Acceptance.threshold(1 / (1 + exp(x)))
            }
        }
    }

    /// Site index (x * W + y) of colour c's entry j in row x.
    @inline(__always)
    func site(colour c: Int, row x: Int, entry j: Int) -> Int { x * columns + 2 * j + ((x + c) & 1) }
}

/// One chain on a `ByteLattice`: the two colours' spins, a stream per row block, and
/// the energy and magnetisation kept exactly (as integer counts).
struct ByteChain: Sendable {
    /// Colour 0's rows x half spins, then colour 1's.
    var spins: [Int8]
    var streams: [RandomStream]
    /// E = -|J| bonds, M = magnetization (exact integers).
    var bonds = 0
    var magnetization = 0

    init(_ lattice: ByteLattice, from values: [Double], streams: [RandomStream]) {
        let size = lattice.rows * lattice.half
        spins = (0..<(2 * size)).map { k in
            values[lattice.site(colour: k / size, row: k % size / lattice.half, entry: k % lattice.half)] > 0 ? 1 : -1
        }
        self.streams = streams
        recount(lattice)
    }

    /// Recount sum over bonds of sign(J) s_i s_j and the magnetisation.
    mutating func recount(_ lattice: ByteLattice) {
        let values = unpacked(lattice)
        var b = 0, m = 0
        for x in 0..<lattice.rows {
            for y in 0..<lattice.columns {
                let s = Int(values[x * lattice.columns + y])
                b += s * Int(values[((x + 1) % lattice.rows) * lattice.columns + y])
                b += s * Int(values[x * lattice.columns + (y + 1) % lattice.columns])
                m += s
            }
        }
        bonds = b * Int(lattice.couplingSign)
        magnetization = m
    }

    /// The spins in site order (+-1).
    func unpacked(_ lattice: ByteLattice) -> [Int8] {
        var out = [Int8](repeating: 0, count: lattice.rows * lattice.columns)
        let size = lattice.rows * lattice.half
        for k in 0..<(2 * size) {
            out[lattice.site(colour: k / size, row: k % size / lattice.half, entry: k % lattice.half)] = spins[k]
        }
        return out
    }

    var energyPerCoupling: Double { -Double(bonds) }

    /// One sweep: colour 0, then colour 1; row blocks in parallel when `threaded`.
    mutating func sweep(_ lattice: ByteLattice, _ thresholds: [UInt64], threaded: Bool) {
        let high = thresholds.map { UInt8(truncatingIfNeeded: $0 >> 56) }
        let size = lattice.rows * lattice.half
        var tally = [(Int, Int)](repeating: (0, 0), count: lattice.blocks)
        spins.withUnsafeMutableBufferPointer { spins in
            streams.withUnsafeMutableBufferPointer { streams in
                tally.withUnsafeMutableBufferPointer { tally in
                    let spins = SharedPointer(spins.baseAddress!), streams = SharedPointer(streams.baseAddress!)
                    let tally = SharedPointer(tally.baseAddress!)
                    for c in 0..<2 {
                        Parallel.forEach(lattice.blocks, parallel: threaded) { b in
                            let first = b * lattice.rows / lattice.blocks, last = (b + 1) * lattice.rows / lattice.blocks
                            let (y, s) = Self.updateRows(lattice, colour: c, rows: first..<last, spins.base + c * size,
                                                         spins.base + (1 - c) * size, thresholds, high, &streams.base[b])
                            tally[b].0 += y
                            tally[b].1 += s
                        }
                    }
                }
            }
        }
        // A flip with y changes sign(J) sum s s by -2y and M by -2s.
        for (y, s) in tally {
            bonds -= 2 * y
            magnetization -= 2 * s
        }
    }

    /// The sum of 16 lanes, widened.
    @inline(__always)
    private static func total(_ v: SIMD16<Int8>) -> Int {
        var sum = 0
        for lane in 0..<16 { sum += Int(v[lane]) }
        return sum
    }

    /// Update colour c's rows, reading the other colour; returns the sums of y and
    /// of s over the flipped sites.
    private static func updateRows(
        _ lattice: ByteLattice, colour c: Int, rows: Range<Int>, _ t: UnsafeMutablePointer<Int8>, _ s: UnsafeMutablePointer<Int8>,
        _ thresholds: [UInt64], _ high: [UInt8], _ random: inout RandomStream
    ) -> (Int, Int) {
        let half = lattice.half, sign = lattice.couplingSign
        let top0 = SIMD16<UInt8>(repeating: high[0]), top1 = SIMD16<UInt8>(repeating: high[1]), top2 = SIMD16<UInt8>(repeating: high[2])
        let top3 = SIMD16<UInt8>(repeating: high[3]), top4 = SIMD16<UInt8>(repeating: high[4])
        let signMask = SIMD16<Int8>(repeating: sign > 0 ? 0 : -1)
        var sumY = 0, sumS = 0
        for x in rows {
            let target = t + x * half
            let up = s + ((x + lattice.rows - 1) % lattice.rows) * half
            let down = s + ((x + 1) % lattice.rows) * half
            let middle = s + x * half
            // The other horizontal neighbour sits one entry left or right.
            let offset = ((x + c) & 1) == 0 ? -1 : 1
            // The row ends, where that neighbour wraps, one site at a time.
            for end in 0..<2 {
                let j = end * (half - 1)
                let k = j + offset
                let side = middle[k < 0 ? half - 1 : (k == half ? 0 : k)]
                let spin = target[j]
                let y = Int(sign) * Int(spin) * (Int(up[j]) + Int(down[j]) + Int(middle[j]) + Int(side))
                if random.next() < thresholds[(y + 4) / 2] {
                    target[j] = -spin
                    sumY += y
                    sumS += Int(spin)
                }
            }
            let vectors = (half - 2) / 16
            // Per-lane sums of y and s over flipped sites, flushed every 16 vectors
            // (|y| <= 4, so 16 x 4 fits a byte).
            var laneY = SIMD16<Int8>(), laneS = SIMD16<Int8>()
            for v in 0..<vectors {
                let j = 1 + 16 * v
                let spin = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD16<Int8>.self)
                let sum = UnsafeRawPointer(up + j).loadUnaligned(as: SIMD16<Int8>.self)
                    &+ UnsafeRawPointer(down + j).loadUnaligned(as: SIMD16<Int8>.self)
                    &+ UnsafeRawPointer(middle + j).loadUnaligned(as: SIMD16<Int8>.self)
                    &+ UnsafeRawPointer(middle + j + offset).loadUnaligned(as: SIMD16<Int8>.self)
                // y = sign(J) s S: negate S (two's complement, (S ^ n) - n) where
                // n = -1, i.e. where s sign(J) < 0.
                let n = (spin &>> 7) ^ signMask
                let y = (sum ^ n) &- n
                // The top byte of each lane's threshold, picked by y with masks.
                let threshold = (top4 & equal(y, 4)) | (top3 & equal(y, 2)) | (top2 & equal(y, 0))
                    | (top1 & equal(y, -2)) | (top0 & equal(y, -4))
                let bits = SIMD2<UInt64>(random.next(), random.next())
                let u = unsafeBitCast(bits, to: SIMD16<UInt8>.self)
                var flip = below(u, threshold)
                let tie = unsafeBitCast(equal(unsafeBitCast(u, to: SIMD16<Int8>.self), unsafeBitCast(threshold, to: SIMD16<Int8>.self)),
                                        to: SIMD2<UInt64>.self)
                if tie[0] | tie[1] != 0 {
                    // The top 8 bits match: decide on 56 fresh low bits (exact to 2^-64).
                    let tied = unsafeBitCast(tie, to: SIMD16<UInt8>.self)
                    for lane in 0..<16 where tied[lane] != 0 {
                        let low = thresholds[(Int(y[lane]) + 4) / 2] & 0x00FF_FFFF_FFFF_FFFF
                        flip[lane] = (random.next() >> 8) < low ? 0xFF : 0
                    }
                }
                let flipped = unsafeBitCast(flip, to: SIMD16<Int8>.self)
                // s ^ 0xFE turns +1 (0x01) into -1 (0xFF) and back.
                UnsafeMutableRawPointer(target + j).storeBytes(of: spin ^ (flipped & SIMD16<Int8>(repeating: -2)), as: SIMD16<Int8>.self)
                laneY &+= y & flipped
                laneS &+= spin & flipped
                if v & 15 == 15 || v == vectors - 1 {
                    sumY += Self.total(laneY)
                    sumS += Self.total(laneS)
                    laneY = SIMD16<Int8>()
                    laneS = SIMD16<Int8>()
                }
            }
            for j in (1 + 16 * vectors)..<(half - 1) {
                let spin = target[j]
                let y = Int(sign) * Int(spin) * (Int(up[j]) + Int(down[j]) + Int(middle[j]) + Int(middle[j + offset]))
                if random.next() < thresholds[(y + 4) / 2] {
                    target[j] = -spin
                    sumY += y
                    sumS += Int(spin)
                }
            }
        }
        return (sumY, sumS)
    }
}

// Lane masks (all ones or zeros) by integer arithmetic alone: the standard
// library's SIMD comparisons and `replacing(with:where:)` walk the lanes one by one.

/// All ones in the lanes where a == b.
@inline(__always)
private func equal(_ a: SIMD16<Int8>, _ b: Int8) -> SIMD16<UInt8> {
    equal(a, SIMD16<Int8>(repeating: b))
}

@inline(__always)
private func equal(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> SIMD16<UInt8> {
    // d | -d has its sign bit set exactly when d != 0 (d = a ^ b; the sign bit of
    // -128 is set too).
    let d = a ^ b
    return unsafeBitCast(~((d | (0 &- d)) &>> 7), to: SIMD16<UInt8>.self)
}

/// All ones in the lanes where a < b (unsigned): the borrow out of a - b.
@inline(__always)
private func below(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
    let borrow = (~a & b) | (~(a ^ b) & (a &- b))
    return unsafeBitCast(unsafeBitCast(borrow, to: SIMD16<Int8>.self) &>> 7, to: SIMD16<UInt8>.self)
}
