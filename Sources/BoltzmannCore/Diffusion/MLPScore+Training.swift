import Glibc

/// Options of `MLPScore.train`, defaults as documented by each field.
public struct ScoreTrainingOptions: Sendable {
    public enum Weighting: Int32, Sendable {
        /// lambda(t) = sigma_t^2 (Song et al.'s default): the loss is |sigma_t s + z|^2.
        case sigmaSquared = 0
        /// lambda(t) = g(t)^2 (the likelihood weighting).
        case gSquared = 1
    }

    public var steps = 5000
    public var batchSize = 256
    /// Adam's learning rate, reached linearly over `warmup` steps.
    public var learningRate = 1e-3
    public var warmup = 100
    /// The largest global gradient norm (0: no clipping).
    public var clip = 1.0
    /// The EMA decay of the parameters used for sampling (0: no EMA).
    public var ema = 0.999
    /// Training times are drawn from U(epsilon, 1).
    public var epsilon = ForwardProcess.defaultTrainingEpsilon
    public var weighting = Weighting.sigmaSquared

    public init() {}
}

extension MLPScore {
    /// Trains by denoising score matching (Vincent 2011; Song et al. 2021): each step
    /// draws `batchSize` data rows, times t ~ U(epsilon, 1) and noise z, forms
    /// x_t = alpha_t x_0 + sigma_t z, and descends
    ///
    ///     L = mean_rows w(t) |sigma_t s_theta(x_t, t) + z|^2,   w = 1 (lambda = sigma^2) or g^2 / sigma^2,
    ///
    /// by Adam (beta 0.9, 0.999) with linear warm-up and global-norm clipping, keeping
    /// an EMA of the parameters. One stream (seed, 0) draws everything: the result
    /// does not depend on the thread count. Returns the mean loss of each step.
    /// Bad input changes nothing; a stopped call keeps the steps done.
    public mutating func train(data: UnsafeBufferPointer<Float>, process: ForwardProcess, options: ScoreTrainingOptions = ScoreTrainingOptions(),
                               seed: UInt64, monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        let d = dimension, e = embedding.count, width = d + e, batch = options.batchSize
        guard data.count % d == 0, data.count > 0 else {
            throw EngineError(.shapeMismatch, "data has \(data.count) entries: it must hold whole rows of dim = \(d), at least one")
        }
        if let k = data.firstIndex(where: { !$0.isFinite }) { throw EngineError(.nonFinite, "data[\(k / d)][\(k % d)] must be finite, got \(data[k])") }
        guard options.steps >= 1, options.steps <= 1 << 30 else { throw .invalid("steps must be in [1, 2^30], got \(options.steps)") }
        guard batch >= 1, batch <= 1 << 20 else { throw .invalid("batch_size must be in [1, 2^20], got \(batch)") }
        guard options.learningRate.isFinite, options.learningRate > 0 else { throw .invalid("lr must be finite and > 0, got \(options.learningRate)") }
        guard options.warmup >= 0 else { throw .invalid("warmup must be >= 0, got \(options.warmup)") }
        guard options.clip.isFinite, options.clip >= 0 else { throw .invalid("clip must be finite and >= 0, got \(options.clip)") }
        guard options.ema >= 0, options.ema < 1 else { throw .invalid("ema must be in [0, 1), got \(options.ema)") }
        guard options.epsilon > 0, options.epsilon < 1 else { throw .invalid("epsilon must be in (0, 1), got \(options.epsilon)") }
        let rowsAvailable = data.count / d, parameterCount = network.parameters.count
        var random = RandomStream(seed: seed, stream: 0)
        // Everything the loop needs, allocated once.
        let workspace = MLP<Float>.Workspace(network: network, rows: batch)
        var input = [Float](repeating: 0, count: batch * width), noise = [Float](repeating: 0, count: batch * d)
        var clean = noise, outputGradient = noise
        var times = [Double](repeating: 0, count: batch)
        var gradient = [Float](repeating: 0, count: parameterCount)
        var first = [Float](repeating: 0, count: parameterCount), second = first
        if options.ema > 0 && averaged.isEmpty { averaged = network.parameters }
        var losses: [Double] = []
        losses.reserveCapacity(options.steps)
        guard monitor.start() else { try monitor.checkNotStopped(); return losses }
        for step in 1...options.steps {
            // The batch: x_0, t, z and the input [x_t, e(t)].
            input.withUnsafeMutableBufferPointer { input in
                for r in 0..<batch {
                    let row = Int(random.next() % UInt64(rowsAvailable))
                    let t = options.epsilon + (1 - options.epsilon) * random.uniform()
                    times[r] = t
                    let alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
                    for k in 0..<d {
                        let z = Float(random.normal()), x0 = data[row * d + k]
                        clean[r * d + k] = x0
                        noise[r * d + k] = z
                        input[r * width + k] = alpha * x0 + sigma * z
                    }
                    embed(t, into: input.baseAddress! + r * width + d)
                }
            }
            network.forward(input, workspace)
            // Residual rho = sigma s + z of each parametrisation, and dL/do.
            var loss = 0.0
            for r in 0..<batch {
                let t = times[r], alpha = Float(process.alpha(t)), sigma = Float(process.sigma(t))
                var weight: Float = 1
                if options.weighting == .gSquared { let g = Float(process.diffusion(t)); weight = g * g / (sigma * sigma) }
                for k in 0..<d {
                    let o = workspace.output[r * d + k], z = noise[r * d + k]
                    let residual: Float, slope: Float  // d residual / d o
                    switch parametrisation {
                    case .epsilon: residual = z - o; slope = -1
                    case .data: residual = alpha * (o - clean[r * d + k]) / sigma; slope = alpha / sigma
                    case .score: residual = o + z; slope = 1
                    }
                    loss += Double(weight * residual * residual)
                    outputGradient[r * d + k] = 2 * weight * residual * slope / Float(batch)
                }
            }
            losses.append(loss / Double(batch))
            for k in gradient.indices { gradient[k] = 0 }
            gradient.withUnsafeMutableBufferPointer { g in network.backward(input, outputGradient, workspace, into: g.baseAddress!) }
            guard losses[losses.count - 1].isFinite else {
                throw EngineError(.nonFinite, "the loss diverged at step \(step): lower the learning rate")
            }
            adamStep(&gradient, &first, &second, step: step, options: options)
            guard monitor.advance(by: 1, metric: losses[losses.count - 1]) else { break }
        }
        try monitor.finish()
        return losses
    }

    /// Clip the gradient to `clip` in global norm, then one Adam step with warm-up,
    /// then the EMA update.
    private mutating func adamStep(_ gradient: inout [Float], _ first: inout [Float], _ second: inout [Float], step: Int,
                                   options: ScoreTrainingOptions) {
        if options.clip > 0 {
            let norm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if norm > options.clip {
                let factor = Float(options.clip / norm)
                for k in gradient.indices { gradient[k] *= factor }
            }
        }
        let beta1: Float = 0.9, beta2: Float = 0.999
        let rate = options.learningRate * min(1, Double(step) / Double(max(options.warmup, 1)))
        let correction1 = 1 - pow(Double(beta1), Double(step)), correction2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(rate * correction2.squareRoot() / correction1)
        for k in gradient.indices {
            first[k] = beta1 * first[k] + (1 - beta1) * gradient[k]
            second[k] = beta2 * second[k] + (1 - beta2) * gradient[k] * gradient[k]
            network.parameters[k] -= stepSize * first[k] / (second[k].squareRoot() + 1e-8)
        }
        if options.ema > 0 {
            let decay = Float(options.ema)
            for k in averaged.indices { averaged[k] = decay * averaged[k] + (1 - decay) * network.parameters[k] }
        }
    }
}
