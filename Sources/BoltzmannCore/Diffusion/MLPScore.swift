import Glibc
import Synchronization

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
public enum ScoreParametrisation: Sendable {
    /// o predicts the added noise z: s = -o / sigma_t, D = (x - sigma_t o) / alpha_t.
    case epsilon
    /// o predicts x_0: D = o, s = (alpha_t o - x) / sigma_t^2.
    case data
    /// o predicts sigma_t s (the score scaled to unit size): s = o / sigma_t.
    case score
    /// Karras et al.'s (2022, EDM) preconditioning, on the noise level sigma-hat =
    /// sigma_t / alpha_t and x-hat = x / alpha_t, with sigma_d the data's scale
    /// (`MLPScore.sigmaData`): the network reads c_in x-hat and
    ///
    ///     D = c_skip x-hat + c_out o,   c_skip = sigma_d^2 / (sigma-hat^2 + sigma_d^2),
    ///     c_out = sigma-hat sigma_d / sqrt(sigma-hat^2 + sigma_d^2),   c_in = 1 / sqrt(sigma-hat^2 + sigma_d^2),
    ///
    /// so that its input and its target (x_0 - c_skip x-hat) / c_out have unit
    /// variance at every noise level, and the skip term carries what the network
    /// need not learn. Trained with EDM's weighting: the loss is |o - target|^2.
    case edm
}

/// D = skip x + out o of a network input `input` x, at one time: every
/// parametrisation is such an affine map of the network's output (the score then
/// follows by Tweedie's formula, s = (alpha D - x) / sigma^2).
struct Preconditioning {
    let input: Double, skip: Double, out: Double
    /// The score's coefficient of x, (alpha skip - 1) / sigma^2 (for `.edm` in the form
    /// -1 / (alpha^2 (sigma-hat^2 + sigma_d^2)), free of cancellation at small noise).
    let scoreX: Double
    /// The score's coefficient of o, alpha out / sigma^2.
    let scoreO: Double

    init(_ parametrisation: ScoreParametrisation, alpha: Double, sigma: Double, sigmaData: Double) {
        var scoreX: Double? = nil
        switch parametrisation {
        case .epsilon: (input, skip, out) = (1, 1 / alpha, -sigma / alpha)
        case .data: (input, skip, out) = (1, 0, 1)
        case .score: (input, skip, out) = (1, 1 / alpha, sigma / alpha)
        case .edm:
            let level = sigma / alpha, variance = level * level + sigmaData * sigmaData
            input = 1 / (alpha * variance.squareRoot())
            skip = sigmaData * sigmaData / (variance * alpha)
            out = level * sigmaData / variance.squareRoot()
            scoreX = -1 / (alpha * alpha * variance)
        }
        scoreO = alpha * out / (sigma * sigma)
        self.scoreX = scoreX ?? (alpha * skip - 1) / (sigma * sigma)
    }
}

/// A learned score s_theta(x, t): an MLP on [x, e(t)] with SiLU hidden layers, in
/// single precision (see `MLP`), trained by denoising score matching (`train`).
///
/// A class-conditional model (`classCount` = K > 0) also sees its label as a one-hot
/// block of K + 1 inputs, the last meaning "no label": [x, e(t), onehot(y)]. The first
/// layer's rows for that block are a learned label embedding added to its
/// pre-activation (the classifier-free-guidance network of Ho & Salimans 2022, with
/// labels dropped to "no label" during training; `ScoreTrainingOptions.labelDropout`).
///
/// Evaluation runs in blocks of `blockRows` rows, each block's forward pass on one
/// thread with scratch from a pool the model's copies share, so a row's result does
/// not depend on the thread count and nothing batch-sized is allocated per call.
public struct MLPScore: ConditionalScoreModel {
    public let dimension: Int
    public let embedding: TimeEmbedding
    /// The number of classes K of a class-conditional model; 0 for an unconditional one.
    public let classCount: Int
    public let parametrisation: ScoreParametrisation
    /// The data's scale sigma_d of the `.edm` parametrisation (EDM's 0.5 by default;
    /// the standard deviation of the data is a good choice). Unused by the others.
    public let sigmaData: Double
    public internal(set) var network: MLP<Float>
    /// The exponential moving average of the parameters, used for sampling once
    /// training has run with EMA (empty before).
    public internal(set) var averaged: [Float] = []
    /// Embedding frequencies (count / 2).
    public let frequencies: [Double]
    let pool: ScratchPool

    /// Rows per block of an evaluation.
    static let blockRows = 512

    public init(dimension d: Int, hidden: [Int], embedding: TimeEmbedding = .gaussianFourier(count: 16, scale: 4),
                parametrisation: ScoreParametrisation = .epsilon, sigmaData: Double = 0.5, classes: Int = 0,
                seed: UInt64) throws(EngineError) {
        try Self.check(dimension: d, hidden: hidden, embedding: embedding, classes: classes, sigmaData: sigmaData)
        var random = RandomStream(seed: seed, stream: 1)
        let half = embedding.count / 2
        switch embedding {
        case .gaussianFourier(_, let scale): frequencies = (0..<half).map { _ in scale * random.normal() }
        case .sinusoidal: frequencies = (0..<half).map { k in pow(10_000, -Double(k) / Double(half)) }
        }
        dimension = d
        self.embedding = embedding
        self.parametrisation = parametrisation
        self.sigmaData = sigmaData
        classCount = classes
        network = try MLP<Float>(widths: [Self.inputWidth(d, embedding, classes)] + hidden + [d], seed: seed)
        pool = ScratchPool()
    }

    /// The network's inputs: x, e(t) and, for K > 0 classes, the K + 1 one-hot label slots.
    static func inputWidth(_ d: Int, _ embedding: TimeEmbedding, _ classes: Int) -> Int {
        d + embedding.count + (classes > 0 ? classes + 1 : 0)
    }

    /// The label slots of the input (K + 1, or 0 for an unconditional model).
    var labelSlots: Int { classCount > 0 ? classCount + 1 : 0 }

    /// A model from its parts (as read from a file), checked: shapes, finite values.
    public init(dimension d: Int, hidden: [Int], embedding: TimeEmbedding, parametrisation: ScoreParametrisation, sigmaData: Double = 0.5,
                classes: Int = 0, frequencies: [Double], parameters: [Float], averaged: [Float]) throws(EngineError) {
        try Self.check(dimension: d, hidden: hidden, embedding: embedding, classes: classes, sigmaData: sigmaData)
        guard frequencies.count == embedding.count / 2, frequencies.allSatisfy({ $0.isFinite }) else {
            throw .invalid("the model needs \(embedding.count / 2) finite embedding frequencies")
        }
        var network = try MLP<Float>(widths: [Self.inputWidth(d, embedding, classes)] + hidden + [d], seed: 0)
        guard parameters.count == network.parameters.count, averaged.isEmpty || averaged.count == parameters.count else {
            throw EngineError(.shapeMismatch, "the network has \(network.parameters.count) parameters, got \(parameters.count) (and \(averaged.count) averaged)")
        }
        if let k = parameters.firstIndex(where: { !$0.isFinite }) { throw EngineError(.nonFinite, "parameter \(k) is \(parameters[k])") }
        if let k = averaged.firstIndex(where: { !$0.isFinite }) { throw EngineError(.nonFinite, "averaged parameter \(k) is \(averaged[k])") }
        network.parameters = parameters
        dimension = d
        self.embedding = embedding
        self.parametrisation = parametrisation
        self.sigmaData = sigmaData
        classCount = classes
        self.frequencies = frequencies
        self.network = network
        self.averaged = averaged
        pool = ScratchPool()
    }

    static func check(dimension d: Int, hidden: [Int], embedding: TimeEmbedding, classes: Int, sigmaData: Double) throws(EngineError) {
        try Limit.width.check(d, "dim")
        guard sigmaData.isFinite, sigmaData > 0 else { throw .invalid("sigma_data must be finite and > 0, got \(sigmaData)") }
        try Limit.width.check(classes, "n_classes", from: 0)
        try Limit.layers.check(hidden.count, "n_hidden")
        for (k, w) in hidden.enumerated() { try Limit.width.check(w, "hidden[\(k)]") }
        let e = embedding.count
        try Limit.pairwiseUnits.check(e, "embedding_size", from: 2)
        guard e % 2 == 0 else { throw .invalid("embedding_size must be even, got \(e)") }
        let layers = [inputWidth(d, embedding, classes)] + hidden + [d]
        let parameters = (1..<layers.count).reduce(0) { $0 + (layers[$1 - 1] + 1) * layers[$1] }
        guard parameters <= 1 << 28 else { throw .invalid("the network would have \(parameters) parameters, more than 2^28") }
        if case .gaussianFourier(_, let scale) = embedding, !(scale.isFinite && scale > 0) {
            throw .invalid("embedding_scale must be finite and > 0, got \(scale)")
        }
    }

    /// The network that evaluates the score: with the EMA parameters when present.
    public var samplingNetwork: MLP<Float> {
        var net = network
        if !averaged.isEmpty { net.parameters = averaged }
        return net
    }

    /// Hidden widths.
    public var hidden: [Int] { Array(network.widths.dropFirst().dropLast()) }

    /// e(t) into `out` (embedding.count floats): sin of the angles, then their cos,
    /// the angles 2 pi f_k t (Gaussian Fourier) or 1000 t f_k (sinusoidal).
    func embed(_ t: Double, into out: UnsafeMutablePointer<Float>) {
        let half = frequencies.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: half) { angles in
            for k in 0..<half {
                switch embedding {
                case .gaussianFourier: angles[k] = 2 * Double.pi * frequencies[k] * t
                case .sinusoidal: angles[k] = 1000 * t * frequencies[k]
                }
            }
            VectorUnit.sinCos(angles.baseAddress!, sines: out, cosines: out + half, count: half)
        }
    }

    /// A block's workspace and input buffer, reused across calls.
    final class Scratch: @unchecked Sendable {
        let workspace: MLP<Float>.Workspace
        let input: UnsafeMutablePointer<Float>
        init(network: MLP<Float>) {
            workspace = MLP<Float>.Workspace(network: network, rows: MLPScore.blockRows)
            input = .allocate(capacity: MLPScore.blockRows * network.widths[0])
        }
        deinit { input.deallocate() }
    }

    /// Scratch blocks for evaluations, taken and returned under a lock (copies of a
    /// model share it; their widths are the same).
    final class ScratchPool: @unchecked Sendable {
        private let free = ForkSafeMutex<[Scratch]>([])
        func take(_ network: MLP<Float>) -> Scratch { free.withLock { $0.popLast() } ?? Scratch(network: network) }
        func give(_ scratch: Scratch) { free.withLock { $0.append(scratch) } }
    }

    /// The rows' times: one for all, or one per row.
    enum Times: @unchecked Sendable {
        case single(Double)
        case perRow(UnsafePointer<Double>)
        subscript(row: Int) -> Double {
            switch self {
            case .single(let t): return t
            case .perRow(let times): return times[row]
            }
        }
    }

    /// The factor c_in / alpha_t of the network's input x under `.edm` (1 otherwise).
    func inputScale(_ t: Double, _ process: ForwardProcess) -> Double {
        Preconditioning(parametrisation, alpha: process.alpha(t), sigma: process.sigma(t), sigmaData: sigmaData).input
    }

    /// The one-hot label block of a row into `slots` (K + 1 floats): label y in 0...K,
    /// K meaning "no label"; nil labels give "no label".
    @inline(__always)
    func encode(label: Int32?, into slots: UnsafeMutablePointer<Float>) {
        let k = labelSlots
        guard k > 0 else { return }
        slots.update(repeating: 0, count: k)
        slots[Int(label ?? Int32(classCount))] = 1
    }

    /// The network's output o at the rows of x (EMA parameters when present), block
    /// by block in parallel; `body(first, rows, o)` receives each block's outputs
    /// (rows x dimension) for rows first..<first + rows. `labels` (count, in 0...K) for a
    /// class-conditional model; nil is "no label".
    func withOutputs(_ x: UnsafePointer<Float>, count: Int, times: Times, process: ForwardProcess, labels: UnsafePointer<Int32>? = nil,
                     _ body: @Sendable (_ first: Int, _ rows: Int, _ o: UnsafePointer<Float>) -> Void) {
        let net = samplingNetwork
        let d = dimension, e = embedding.count, width = net.widths[0], blocks = (count + Self.blockRows - 1) / Self.blockRows
        let x = UncheckedPointer(x), labels = labels.map(UncheckedPointer.init), pool = pool
        Parallel.forEach(blocks, parallel: blocks > 1) { block in
            let first = block * Self.blockRows, rows = min(Self.blockRows, count - first)
            let scratch = pool.take(net)
            let input = scratch.input
            var scale: Float = 1  // c_in / alpha_t under .edm, per run of equal times
            for r in 0..<rows {
                (input + r * width).update(from: x.base + (first + r) * d, count: d)
                let t = times[first + r]
                if r > 0 && times[first + r - 1] == t {
                    (input + r * width + d).update(from: input + (r - 1) * width + d, count: e)
                } else {
                    embed(t, into: input + r * width + d)
                    if parametrisation == .edm { scale = Float(inputScale(t, process)) }
                }
                if parametrisation == .edm {
                    for k in 0..<d { input[r * width + k] *= scale }
                }
                encode(label: labels?.base[first + r], into: input + r * width + d + e)
            }
            net.forward(input, scratch.workspace, rows: rows, tiled: false, forTraining: false)
            body(first, rows, scratch.workspace.output)
            pool.give(scratch)
        }
    }

    /// out = the score (or the denoiser) from the network's output o by the parametrisation.
    private func convert(_ x: UnsafePointer<Float>, count: Int, times: Times, labels: UnsafePointer<Int32>? = nil, process: ForwardProcess,
                         into out: UnsafeMutablePointer<Float>, denoiser: Bool) {
        guard count > 0 else { return }
        let d = dimension, parametrisation = parametrisation, x = UncheckedPointer(x), out = SharedPointer(out)
        let sigmaData = sigmaData
        withOutputs(x.base, count: count, times: times, process: process, labels: labels) { first, rows, o in
            var t = Double.nan, alpha: Float = 1, sigma: Float = 1, skip: Float = 0, scale: Float = 0
            for r in 0..<rows {
                if times[first + r] != t {
                    t = times[first + r]
                    alpha = Float(process.alpha(t))
                    sigma = Float(process.sigma(t))
                    if parametrisation == .edm {
                        // D = skip x + scale o; the score is (alpha D - x) / sigma^2.
                        let a = process.alpha(t), s = process.sigma(t)
                        let map = Preconditioning(.edm, alpha: a, sigma: s, sigmaData: sigmaData)
                        (skip, scale) = denoiser ? (Float(map.skip), Float(map.out)) : (Float(map.scoreX), Float(map.scoreO))
                    }
                }
                let xr = x.base + (first + r) * d, outr = out.base + (first + r) * d, or = o + r * d
                for k in 0..<d {
                    switch (parametrisation, denoiser) {
                    case (.epsilon, false): outr[k] = -or[k] / sigma
                    case (.data, false): outr[k] = (alpha * or[k] - xr[k]) / (sigma * sigma)
                    case (.score, false): outr[k] = or[k] / sigma
                    case (.epsilon, true): outr[k] = (xr[k] - sigma * or[k]) / alpha
                    case (.data, true): outr[k] = or[k]
                    case (.score, true): outr[k] = (xr[k] + sigma * or[k]) / alpha
                    case (.edm, _): outr[k] = skip * xr[k] + scale * or[k]
                    }
                }
            }
        }
    }

    public func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        convert(x, count: count, times: .single(t), process: process, into: out, denoiser: false)
    }

    public func score(_ x: UnsafePointer<Float>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                      into out: UnsafeMutablePointer<Float>) {
        convert(x, count: count, times: .perRow(times), process: process, into: out, denoiser: false)
    }

    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        convert(x, count: count, times: .single(t), process: process, into: out, denoiser: true)
    }

    /// D(x, t | y) with each row's label (0...K, K "no label"); the caller has checked the labels.
    public func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, labels: UnsafePointer<Int32>,
                        into out: UnsafeMutablePointer<Float>) {
        convert(x, count: count, times: .single(t), labels: classCount > 0 ? labels : nil, process: process, into: out, denoiser: true)
    }

    /// The score and its divergence through the network's vector-Jacobian products. The
    /// score is s = c_o o + c_x x (epsilon: c_o = -1/sigma; data: alpha/sigma^2 and
    /// c_x = -1/sigma^2; score: 1/sigma), so tr(ds/dx) = c_o tr(do/dx) + c_x d and
    /// u^T (ds/dx) u = c_o u^T (do/dx) u + c_x |u|^2. The exact trace takes d products per
    /// row (cotangents e_1 ... e_d on copies of the row); Hutchinson's one. Float32 network,
    /// double results.
    public func scoreAndDivergence(_ x: UnsafePointer<Double>, count: Int, times: UnsafePointer<Double>, process: ForwardProcess,
                                   probes: UnsafePointer<Double>?, score: UnsafeMutablePointer<Double>,
                                   divergence: UnsafeMutablePointer<Double>) -> Bool {
        guard count > 0 else { return true }
        let net = samplingNetwork, d = dimension, e = embedding.count, width = net.widths[0], parametrisation = parametrisation
        let copies = probes == nil ? d : 1, virtual = count * copies, blockRows = Self.blockRows
        let blocks = (virtual + blockRows - 1) / blockRows
        let x = UncheckedPointer(x), times = UncheckedPointer(times), probes = probes.map(UncheckedPointer.init)
        let score = SharedPointer(score), divergence = SharedPointer(divergence), pool = pool
        // Each copy's term, summed per row in order afterwards (a row's copies may span
        // blocks; the sum must not depend on which block finishes first).
        let terms = UnsafeMutablePointer<Double>.allocate(capacity: virtual)
        defer { terms.deallocate() }
        let shared = SharedPointer(terms)
        Parallel.forEach(blocks, parallel: blocks > 1) { block in
            let first = block * blockRows, rows = min(blockRows, virtual - first)
            let scratch = pool.take(net)
            let input = scratch.input
            let cotangent = UnsafeMutablePointer<Float>.allocate(capacity: rows * d)
            let gradient = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
            defer { cotangent.deallocate(); gradient.deallocate() }
            cotangent.initialize(repeating: 0, count: rows * d)
            for v in 0..<rows {
                let r = (first + v) / copies, i = (first + v) % copies, scale = inputScale(times.base[r], process)
                for k in 0..<d { input[v * width + k] = Float(scale * x.base[r * d + k]) }
                embed(times.base[r], into: input + v * width + d)
                encode(label: nil, into: input + v * width + d + e)  // the unconditional model's density
                if let probes {
                    for k in 0..<d { cotangent[v * d + k] = Float(probes.base[r * d + k]) }
                } else {
                    cotangent[v * d + i] = 1
                }
            }
            net.forward(input, scratch.workspace, rows: rows, tiled: false, forTraining: true)
            let o = scratch.workspace.output
            net.inputGradient(cotangent, scratch.workspace, rows: rows, into: gradient, tiled: false)
            for v in 0..<rows {
                let r = (first + v) / copies, i = (first + v) % copies, t = times.base[r]
                let alpha = process.alpha(t), sigma = process.sigma(t)
                // s = co o + cx x from D = skip x + out o; the input is c x, so do/dx = c do/d(input).
                let map = Preconditioning(parametrisation, alpha: alpha, sigma: sigma, sigmaData: sigmaData)
                let (co, cx): (Double, Double)
                switch parametrisation {
                case .epsilon: (co, cx) = (-1 / sigma, 0)
                case .data: (co, cx) = (alpha / (sigma * sigma), -1 / (sigma * sigma))
                case .score: (co, cx) = (1 / sigma, 0)
                case .edm: (co, cx) = (map.scoreO, map.scoreX)
                }
                let slope = co * map.input
                if i == 0 {
                    for k in 0..<d { score.base[r * d + k] = co * Double(o[v * d + k]) + cx * x.base[r * d + k] }
                }
                if let probes {
                    var product = 0.0, norm = 0.0
                    for k in 0..<d {
                        let u = probes.base[r * d + k]
                        product += Double(gradient[v * width + k]) * u
                        norm += u * u
                    }
                    shared.base[first + v] = slope * product + cx * norm
                } else {
                    shared.base[first + v] = slope * Double(gradient[v * width + i]) + cx
                }
            }
            pool.give(scratch)
        }
        for r in 0..<count {
            var sum = 0.0
            for i in 0..<copies { sum += terms[r * copies + i] }
            divergence.base[r] = sum
        }
        return true
    }
}
