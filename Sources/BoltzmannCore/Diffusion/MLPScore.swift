import Glibc

/// How the score network sees time: E features computed once per time value.
public enum TimeEmbedding: Sendable, Equatable {
    /// [sin(2 pi w_k t), cos(2 pi w_k t)] with w_k ~ N(0, scale^2) drawn once (Tancik et
    /// al.; Song et al. use scale 16): `count` features (even).
    case gaussianFourier(count: Int, scale: Double)
    /// [sin(1000 t f_k), cos(1000 t f_k)] with f_k = 10000^{-k / (count/2)} (the
    /// transformer's positions at t T for T = 1000 steps).
    case sinusoidal(count: Int)

    var count: Int {
        switch self {
        case .gaussianFourier(let count, _), .sinusoidal(let count): return count
        }
    }
}

/// What the network's output o means.
public enum ScoreParametrisation: Int32, Sendable {
    /// o predicts the added noise z: s = -o / sigma_t, D = (x - sigma_t o) / alpha_t.
    case epsilon = 0
    /// o predicts x_0: D = o, s = (alpha_t o - x) / sigma_t^2.
    case data = 1
    /// o predicts sigma_t s (the score scaled to unit size): s = o / sigma_t.
    case score = 2
}

/// A learned score s_theta(x, t): an MLP on [x, e(t)] with SiLU hidden layers, in
/// single precision (see `MLP`), trained by denoising score matching (`train`).
public struct MLPScore: ScoreModel {
    public let dimension: Int
    public let embedding: TimeEmbedding
    public let parametrisation: ScoreParametrisation
    public internal(set) var network: MLP<Float>
    /// The exponential moving average of the parameters, used for sampling once
    /// training has run with EMA (empty before).
    public internal(set) var averaged: [Float] = []
    /// Embedding frequencies (count / 2).
    let frequencies: [Double]

    public init(dimension d: Int, hidden: [Int], embedding: TimeEmbedding = .gaussianFourier(count: 16, scale: 4),
                parametrisation: ScoreParametrisation = .epsilon, seed: UInt64) throws(EngineError) {
        guard d >= 1, d <= 1 << 16 else { throw .invalid("dim must be in [1, 65536], got \(d)") }
        guard !hidden.isEmpty, hidden.count <= 64 else { throw .invalid("hidden must list 1 to 64 widths, got \(hidden.count)") }
        let e = embedding.count
        guard e >= 2, e % 2 == 0, e <= 4096 else { throw .invalid("the embedding size must be even and in [2, 4096], got \(e)") }
        var random = RandomStream(seed: seed, stream: 1)
        switch embedding {
        case .gaussianFourier(_, let scale):
            guard scale.isFinite, scale > 0 else { throw .invalid("the embedding scale must be finite and > 0, got \(scale)") }
            frequencies = (0..<(e / 2)).map { _ in scale * random.normal() }
        case .sinusoidal:
            frequencies = (0..<(e / 2)).map { k in pow(10_000, -Double(k) / Double(e / 2)) }
        }
        dimension = d
        self.embedding = embedding
        self.parametrisation = parametrisation
        network = try MLP<Float>(widths: [d + e] + hidden + [d], seed: seed)
    }

    /// e(t) into `out` (embedding.count floats).
    func embed(_ t: Double, into out: UnsafeMutablePointer<Float>) {
        let half = frequencies.count
        for k in 0..<half {
            let angle: Double
            switch embedding {
            case .gaussianFourier: angle = 2 * Double.pi * frequencies[k] * t
            case .sinusoidal: angle = 1000 * t * frequencies[k]
            }
            out[k] = Float(sin(angle))
            out[half + k] = Float(cos(angle))
        }
    }

    /// The network input [x, e(t)] for rows of x at one time (the embedding computed once).
    func inputs(_ x: UnsafePointer<Float>, count: Int, time t: Double) -> [Float] {
        let d = dimension, e = embedding.count, width = d + e
        var input = [Float](repeating: 0, count: count * width)
        input.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            embed(t, into: base + d)
            for r in 0..<count {
                (base + r * width).update(from: x + r * d, count: d)
                if r > 0 { (base + r * width + d).update(from: base + d, count: e) }
            }
        }
        return input
    }

    /// The network's output o at the rows of x and time t (EMA parameters when present).
    func output(_ x: UnsafePointer<Float>, count: Int, time t: Double) -> [Float] {
        var net = network
        if !averaged.isEmpty { net.parameters = averaged }
        let workspace = MLP<Float>.Workspace(network: net, rows: count)
        let input = inputs(x, count: count, time: t)
        net.forward(input, workspace)
        return Array(UnsafeBufferPointer(start: workspace.output, count: count * dimension))
    }

    public func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        let o = output(x, count: count, time: t)
        let alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
        for k in 0..<(count * dimension) {
            switch parametrisation {
            case .epsilon: out[k] = -o[k] / sigma
            case .data: out[k] = (alpha * o[k] - x[k]) / (sigma * sigma)
            case .score: out[k] = o[k] / sigma
            }
        }
    }

    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        let o = output(x, count: count, time: t)
        let alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
        for k in 0..<(count * dimension) {
            switch parametrisation {
            case .epsilon: out[k] = (x[k] - sigma * o[k]) / alpha
            case .data: out[k] = o[k]
            case .score: out[k] = (x[k] + sigma * o[k]) / alpha
            }
        }
    }
}
