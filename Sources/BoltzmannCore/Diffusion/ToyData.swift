import Glibc

/// Two-dimensional toy distributions for diffusion demonstrations and tests
/// (rows of 2 floats; row r drawn from stream (seed, r), so a prefix of a larger
/// draw equals the smaller draw).
public enum ToyData: Sendable {
    /// Eight isotropic Gaussians of standard deviation `scale` (default 0.1) at
    /// (2 cos(k pi/4), 2 sin(k pi/4)), equal weights.
    case eightGaussians
    /// Two interleaved half circles (unit radius, the second shifted by (1, -1/2),
    /// centred on the origin), Gaussian noise of std `scale` (default 0.05).
    case twoMoons
    /// The spiral (t cos t, t sin t) / 5 for t uniform in [1.5 pi, 4.5 pi], noise
    /// `scale` (default 0.05).
    case swissRoll
    /// A 4 x 4 checkerboard on [-2, 2]^2: uniform on its 8 dark squares (no noise).
    case checkerboard
    /// Four concentric circles of radii 0.5, 1, 1.5, 2, points uniform in angle and
    /// ring, noise `scale` (default 0.02).
    case rings

    public var defaultScale: Double {
        switch self {
        case .eightGaussians: return 0.1
        case .twoMoons, .swissRoll: return 0.05
        case .checkerboard: return 0
        case .rings: return 0.02
        }
    }

    /// The eight Gaussians' centres (8 x 2).
    public static let eightGaussianMeans: [Double] = {
        var means: [Double] = []
        for k in 0..<8 {
            let angle = Double(k) * Double.pi / 4
            means.append(2 * cos(angle))
            means.append(2 * sin(angle))
        }
        return means
    }()

    /// `count` points (count x 2) with noise `scale` (nil: the default; >= 0).
    public func generate(count: Int, seed: UInt64, scale: Double? = nil) throws(EngineError) -> [Float] {
        try Limit.iterations.check(count, "n", from: 0)
        let s = scale ?? defaultScale
        guard s.isFinite, s >= 0 else { throw .invalid("scale must be finite and >= 0, got \(s)") }
        var out = [Float](repeating: 0, count: 2 * count)
        for r in 0..<count {
            var random = RandomStream(seed: seed, stream: UInt64(r))
            var x = 0.0, y = 0.0
            switch self {
            case .eightGaussians:
                let k = Int(random.next() % 8)
                x = Self.eightGaussianMeans[2 * k] + s * random.normal()
                y = Self.eightGaussianMeans[2 * k + 1] + s * random.normal()
            case .twoMoons:
                let angle = Double.pi * random.uniform()
                if random.next() >> 63 == 0 {
                    x = cos(angle); y = sin(angle)
                } else {
                    x = 1 - cos(angle); y = 0.5 - sin(angle)
                }
                x += s * random.normal() - 0.5
                y += s * random.normal() - 0.25
            case .swissRoll:
                let t = 1.5 * .pi * (1 + 2 * random.uniform())
                x = t * cos(t) / 5 + s * random.normal()
                y = t * sin(t) / 5 + s * random.normal()
            case .checkerboard:
                // A column in [-2, 2); rows alternate: the dark squares of that column.
                x = 4 * random.uniform() - 2
                let row = Int(random.next() % 2) * 2 + (Int(floor(x + 2)) % 2)  // 0..3, parity matching the column
                y = Double(row) - 2 + random.uniform()
            case .rings:
                let radius = 0.5 * Double(1 + random.next() % 4), angle = 2 * .pi * random.uniform()
                x = radius * cos(angle) + s * random.normal()
                y = radius * sin(angle) + s * random.normal()
            }
            out[2 * r] = Float(x)
            out[2 * r + 1] = Float(y)
        }
        return out
    }
}
