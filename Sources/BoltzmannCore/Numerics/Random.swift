import Glibc

/// The engine's pseudo-random stream: xoshiro256** (Blackman & Vigna, 2018), seeded
/// through SplitMix64 so that any 64-bit seed, 0 included, gives a well-mixed state.
///
/// Period 2^256 - 1; passes BigCrush. A value type: copying a stream forks it.
/// Same seed, same sequence, on every platform.
public struct RandomStream: Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The generator's whole state (four words), to save and restore it exactly.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator in a state read from `state`; nil for the all-zero state, from which
    /// xoshiro256 never leaves.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// Stream `stream` of the family `seed`: independent-looking streams for parallel
    /// chains, each a function of (seed, stream) only, never of the thread that runs it.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = RandomStream(seed: stream)
        self.init(seed: seed ^ mixer.next())
    }

    /// The next 64 uniformly distributed bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on [0, 1), with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A fair coin: +1 or -1.
    @inline(__always)
    public mutating func sign() -> Double {
        next() >> 63 == 0 ? 1 : -1
    }

    /// A standard normal variate (Box-Muller; each call uses two uniforms, so the
    /// sequence does not depend on how calls interleave with other draws).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()  // in (0, 1], so log(u1) is finite
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fills `out` with independent Normal(0, scale^2) draws, for bulk initialisation:
    /// Marsaglia's polar method, two variates per accepted pair (u, v) uniform in the
    /// unit disc (pi/4 of pairs are accepted), one log and one square root per pair
    /// and no trigonometry, so about four times faster per value than `normal()`.
    public mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, scale: Double) {
        var k = 0
        while k < out.count {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1, s = u * u + v * v
            guard s < 1, s > 0 else { continue }
            let factor = scale * (-2 * log(s) / s).squareRoot()
            out[k] = Float(u * factor)
            if k + 1 < out.count { out[k + 1] = Float(v * factor) }
            k += 2
        }
    }
}

/// Four xoshiro256++ generators (Blackman & Vigna, 2018) side by side in SIMD
/// lanes, for bulk draws: ++ needs only additions, shifts and rotations, which
/// vectorise (xoshiro256**'s multiplications do not). Each lane is seeded from its
/// own stream (seed, 4 stream + lane) of `RandomStream`, so the draws are a
/// function of (seed, stream) only.
struct RandomLanes {
    private var s0, s1, s2, s3: SIMD4<UInt64>

    init(seed: UInt64, stream: UInt64) {
        var l0 = RandomStream(seed: seed, stream: 4 &* stream), l1 = RandomStream(seed: seed, stream: 4 &* stream &+ 1)
        var l2 = RandomStream(seed: seed, stream: 4 &* stream &+ 2), l3 = RandomStream(seed: seed, stream: 4 &* stream &+ 3)
        func word() -> SIMD4<UInt64> { SIMD4(l0.next(), l1.next(), l2.next(), l3.next()) }
        s0 = word(); s1 = word(); s2 = word(); s3 = word()
    }

    @inline(__always)
    private static func rotate(_ x: SIMD4<UInt64>, _ k: UInt64) -> SIMD4<UInt64> { x &<< k | x &>> (64 - k) }

    /// The next 64 uniformly distributed bits in each lane.
    @inline(__always)
    mutating func next() -> SIMD4<UInt64> {
        let result = Self.rotate(s0 &+ s3, 23) &+ s0
        let t = s1 &<< 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }
}
