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
}
