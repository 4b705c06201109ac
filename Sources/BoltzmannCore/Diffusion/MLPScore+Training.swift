import Glibc

/// Options of `MLPScore.train`, defaults as documented by each field.
public struct ScoreTrainingOptions: Sendable {
    public enum Weighting: Sendable {
        /// lambda(t) = sigma_t^2 (Song et al.'s default): the loss is |sigma_t s + z|^2.
        case sigmaSquared
        /// lambda(t) = g(t)^2 (the likelihood weighting).
        case gSquared
    }

    public var steps = 5000
    public var batchSize = 256
    /// Adam's learning rate, reached linearly over `warmup` steps, then moving
    /// linearly to `finalLearningRate` at the last step (nil: constant).
    public var learningRate = 1e-3
    public var finalLearningRate: Double? = nil
    public var warmup = 100
    /// The largest global gradient norm (0: no clipping).
    public var clip = 1.0
    /// The EMA decay of the parameters used for sampling (0: no EMA). Step t of a call
    /// (from 1) decays by `emaDecay(step:)`, min(ema, t / (t + 9)): a warm-up, so that a
    /// short training does not sample with an average still made mostly of the initial
    /// weights (0.999^1000 = 0.37 of them after 1000 steps without it).
    public var ema = 0.999
    /// Training times are drawn from U(epsilon, 1).
    public var epsilon = ForwardProcess.defaultTrainingEpsilon
    public var weighting = Weighting.sigmaSquared
    /// For a class-conditional model: the probability that a training row's label is
    /// replaced by "no label", so that one network learns both the conditional and the
    /// unconditional score (Ho & Salimans 2022 use 0.1 to 0.2).
    public var labelDropout = 0.1

    public init() {}

    /// Every rule at once, before training changes anything.
    public func check() throws(EngineError) {
        try Limit.iterations.check(steps, "steps")
        try Limit.batch.check(batchSize, "batch_size")
        guard learningRate.isFinite, learningRate > 0 else { throw .invalid("learning_rate must be finite and > 0, got \(learningRate)") }
        if let final = finalLearningRate, !(final.isFinite && final >= 0) {
            throw .invalid("final_learning_rate must be finite and >= 0 (negative in C: constant), got \(final)")
        }
        try Limit.iterations.check(warmup, "warmup", from: 0)
        guard clip.isFinite, clip >= 0 else { throw .invalid("clip must be finite and >= 0, got \(clip)") }
        guard ema >= 0, ema < 1 else { throw .invalid("ema must be in [0, 1), got \(ema)") }
        guard epsilon > 0, epsilon < 1 else { throw .invalid("epsilon must be in (0, 1), got \(epsilon)") }
        guard labelDropout >= 0, labelDropout < 1 else { throw .invalid("label_dropout must be in [0, 1), got \(labelDropout)") }
    }

    /// The EMA's decay at step t (from 1) of a training call: min(ema, t / (t + 9)),
    /// diffusers' EMAModel warm-up ((1 + n) / (10 + n) after n earlier updates): 0.1 at
    /// the first step, 0.99 by step 891, `ema` = 0.999 from step 8991.
    public func emaDecay(step: Int) -> Double {
        min(ema, Double(step) / Double(step + 9))
    }
}

extension MLPScore {
    /// Trains by denoising score matching (Vincent 2011; Song et al. 2021): each step
    /// draws `batchSize` data rows, times t ~ U(epsilon, 1) and noise z, forms
    /// x_t = alpha_t x_0 + sigma_t z, and descends
    ///
    ///     L = mean_rows w(t) |sigma_t s_theta(x_t, t) + z|^2,   w = 1 (lambda = sigma^2) or g^2 / sigma^2,
    ///
    /// by Adam (beta 0.9, 0.999) with linear warm-up and global-norm clipping, keeping
    /// an EMA of the parameters. The seed alone draws everything (each step's shards
    /// from streams of their own): the result does not depend on the thread count.
    /// Returns the mean loss of each step.
    /// Each call starts a fresh Adam (moments and warm-up) and restarts the EMA's
    /// warm-up (`ScoreTrainingOptions.emaDecay`), so the EMA first moves to the current weights.
    /// Bad input changes nothing; a stopped call keeps the steps done.
    ///
    /// A class-conditional model needs `labels` (one per data row, in 0..<K); each drawn
    /// row keeps its label with probability 1 - labelDropout, else gets "no label".
    public mutating func train(data: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>? = nil, process: ForwardProcess,
                               options: ScoreTrainingOptions = ScoreTrainingOptions(), seed: UInt64,
                               monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        var losses: [Double] = []
        try train(data: data, labels: labels, process: process, options: options, seed: seed, losses: &losses, monitor: monitor)
        return losses
    }

    /// The labels' rules for this model and `rows` data rows.
    public func checkLabels(_ labels: UnsafeBufferPointer<Int32>?, rows: Int) throws(EngineError) {
        guard let labels else {
            if classCount > 0 { throw .invalid("the model is class-conditional (\(classCount) classes): training needs a label per data row") }
            return
        }
        guard classCount > 0 else { throw .invalid("labels were given but the model has no classes (create it with n_classes > 0)") }
        guard labels.count == rows else { throw EngineError(.shapeMismatch, "labels has \(labels.count) entries, data has \(rows) rows") }
        if let k = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw .invalid("labels[\(k)] must be in [0, \(classCount)), got \(labels[k])")
        }
    }

    /// `train`, appending each step's mean loss to `losses` as it goes, so a caller
    /// keeps the losses of the steps done when the call is stopped (`.cancelled`: the
    /// model then holds those steps) or fails (`.nonFinite`: the model is half-trained;
    /// the C layer discards it).
    public mutating func train(data: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>? = nil, process: ForwardProcess,
                               options: ScoreTrainingOptions, seed: UInt64, losses: inout [Double],
                               monitor: WorkMonitor = .none()) throws(EngineError) {
        let d = dimension, width = network.widths[0], batch = options.batchSize
        guard data.count % d == 0, data.count > 0 else {
            throw EngineError(.shapeMismatch, "data has \(data.count) entries: it must hold whole rows of dim = \(d), at least one")
        }
        try Check.allFinite(data, "data", width: d)
        try options.check()
        try checkLabels(labels, rows: data.count / d)
        let rowsAvailable = data.count / d, parameterCount = network.parameters.count
        let buffers = TrainingBuffers(network: network, batch: batch, dimension: d)
        if options.ema > 0 && averaged.isEmpty { averaged = network.parameters }
        losses.reserveCapacity(losses.count + options.steps)
        guard monitor.start(total: options.steps) else { try monitor.checkNotStopped(); return }
        let shards = buffers.shards.count, model = self, data = UncheckedPointer(data.baseAddress!)
        let labels = labels.flatMap { $0.baseAddress }.map(UncheckedPointer.init)
        for step in 1...options.steps {
            // Each shard draws its rows from stream (seed, (step - 1) shards + shard), and
            // runs its forward and backward pass on one thread into its own gradient.
            let network = network
            Parallel.forEach(shards, parallel: shards > 1) { shard in
                var random = RandomStream(seed: seed, stream: UInt64(step - 1) &* UInt64(shards) &+ UInt64(shard))
                let workspace = buffers.shards[shard], first = shard * Self.shardRows, rows = workspace.rows
                model.drawBatch(buffers, rows: first..<(first + rows), data: data.base, labels: labels?.base, available: rowsAvailable,
                                process: process, options: options, random: &random)
                let input = buffers.input + first * width
                network.forward(input, workspace, tiled: false)
                buffers.shardLosses[shard] = model.residualGradient(buffers, first: first, rows: rows, batch: batch, output: workspace.output)
                network.backpropagate(buffers.outputGradient + first * d, workspace, rows: rows, tiled: false)
                network.parameterGradient(input, workspace, rows: rows, into: buffers.gradients + shard * parameterCount, adding: false,
                                          tiled: false)
            }
            var loss = 0.0
            for shard in 0..<shards { loss += buffers.shardLosses[shard] }  // in shard order
            losses.append(loss / Double(batch))
            guard loss.isFinite else { throw EngineError(.nonFinite, "the loss diverged at step \(step): lower the learning rate") }
            adamStep(buffers, step: step, options: options)
            guard monitor.advance(by: 1, metric: losses[losses.count - 1]) else { break }
        }
        try monitor.finish()
    }

    /// Rows `rows` of the batch: x_0 drawn from the data, t ~ U(epsilon, 1), z ~ N(0, I),
    /// and the network input [x_t, e(t)], x_t = alpha_t x_0 + sigma_t z, then the row's
    /// label, dropped to "no label" with probability labelDropout. The rows' noise comes
    /// first, all at once, by the vectorised Box-Muller transform (`VectorKernels.boxMuller`)
    /// from four xoshiro lanes seeded from `random`.
    private func drawBatch(_ buffers: TrainingBuffers, rows: Range<Int>, data: UnsafePointer<Float>, labels: UnsafePointer<Int32>?,
                           available: Int, process: ForwardProcess, options: ScoreTrainingOptions, random: inout RandomStream) {
        let d = dimension, e = embedding.count, width = network.widths[0], input = buffers.input
        buffers.fillNoise(rows: rows, dimension: d, random: &random)
        for r in rows {
            let row = Int(random.next() % UInt64(available))
            let t = options.epsilon + (1 - options.epsilon) * random.uniform()
            let alpha = process.alpha(t), sigma = process.sigma(t)
            buffers.alpha[r] = Float(alpha)
            buffers.sigma[r] = Float(sigma)
            if options.weighting == .gSquared { let g = process.diffusion(t); buffers.weight[r] = Float(g * g / (sigma * sigma)) }
            let noise = buffers.noise + r * d, clean = buffers.clean + r * d, x = input + r * width, source = data + row * d
            let a = Float(alpha), s = Float(sigma)
            if parametrisation == .edm {
                // The network reads c_in x_t / alpha; `clean` holds the target (x_0 - skip x_t) / out.
                let map = Preconditioning(.edm, alpha: alpha, sigma: sigma, sigmaData: sigmaData)
                let scale = Float(map.input), skip = Float(map.skip), inverseOut = Float(1 / map.out)
                for k in 0..<d {
                    let xt = a * source[k] + s * noise[k]
                    x[k] = scale * xt
                    clean[k] = (source[k] - skip * xt) * inverseOut
                }
                // EDM's weighting makes the loss |o - target|^2; the likelihood weighting
                // g^2 / sigma^2 |sigma s + z|^2 is that times g^2 alpha^2 out^2 / sigma^4.
                if options.weighting == .gSquared {
                    let g = process.diffusion(t), factor = alpha * map.out / (sigma * sigma)
                    buffers.weight[r] = Float(g * g * factor * factor)
                }
            } else {
                for k in 0..<d {
                    clean[k] = source[k]
                    x[k] = a * source[k] + s * noise[k]
                }
            }
            embed(t, into: input + r * width + d)
            if let labels {
                let dropped = random.uniform() < options.labelDropout
                encode(label: dropped ? nil : labels[row], into: input + r * width + d + e)
            }
        }
    }

    /// Rows per shard of a training batch: each shard's forward and backward pass
    /// runs on one thread into its own gradient, and the gradients are summed in
    /// shard order, so the result does not depend on the thread count. (One gradient
    /// for the whole batch, from tiled products after the shards' passes, was no
    /// faster at one thread and scaled worse at two: the small networks' products and
    /// the bias sums then run on one thread.)
    static let shardRows = 128

    /// The residual rho = sigma s + z of each parametrisation (under `.edm`, o minus its
    /// target, EDM's loss) for rows first..<first + rows and dL/do = 2 w rho (d rho / d o) /
    /// batch into `outputGradient`; returns sum w |rho|^2 over the rows.
    private func residualGradient(_ buffers: TrainingBuffers, first: Int, rows: Int, batch: Int, output: UnsafePointer<Float>) -> Double {
        let d = dimension
        var loss = 0.0
        let scale = 2 / Float(batch)
        for r in first..<(first + rows) {
            let alpha = buffers.alpha[r], sigma = buffers.sigma[r], weight = buffers.weight[r]
            var rowLoss: Float = 0
            for k in 0..<d {
                let at = r * d + k, o = output[at - first * d], z = buffers.noise[at]
                let residual: Float, slope: Float  // d residual / d o
                switch parametrisation {
                case .epsilon: residual = z - o; slope = -1
                case .data: residual = alpha * (o - buffers.clean[at]) / sigma; slope = alpha / sigma
                case .score: residual = o + z; slope = 1
                case .edm: residual = o - buffers.clean[at]; slope = 1  // `clean` holds the target here
                }
                rowLoss += residual * residual
                buffers.outputGradient[at] = scale * weight * residual * slope
            }
            loss += Double(weight * rowLoss)
        }
        return loss
    }

    /// Clip the gradient to `clip` in global norm, then one Adam step with warm-up,
    /// then the EMA update.
    private mutating func adamStep(_ buffers: TrainingBuffers, step: Int, options: ScoreTrainingOptions) {
        let count = network.parameters.count, shards = buffers.shards.count, chunks = buffers.chunkCount
        let chunk = TrainingBuffers.chunk
        // Shards' gradients summed into shard 0's in shard order, and each chunk's
        // sum of squares: elementwise and per chunk, so the same on any threads.
        Parallel.forEach(chunks, parallel: chunks > 1) { c in
            let range = (c * chunk)..<min(count, (c + 1) * chunk), g = buffers.gradients
            for shard in 1..<max(shards, 1) {
                let other = g + shard * count
                for k in range { g[k] += other[k] }
            }
            buffers.chunkNorms[c] = Self.sumOfSquares(g + range.lowerBound, range.count)
        }
        var factor: Float = 1
        if options.clip > 0 {
            var squares = 0.0
            for c in 0..<chunks { squares += buffers.chunkNorms[c] }
            let norm = squares.squareRoot()
            if norm > options.clip { factor = Float(options.clip / norm) }
        }
        let progress = options.steps > 1 ? Double(step - 1) / Double(options.steps - 1) : 0
        let target = options.finalLearningRate.map { options.learningRate + ($0 - options.learningRate) * progress } ?? options.learningRate
        let rate = target * min(1, Double(step) / Double(max(options.warmup, 1)))
        let correction1 = 1 - pow(0.9, Double(step)), correction2 = 1 - pow(0.999, Double(step))
        let stepSize = Float(rate * correction2.squareRoot() / correction1), decay = Float(options.emaDecay(step: step))
        let ema = options.ema > 0
        let scale = factor
        network.parameters.withUnsafeMutableBufferPointer { parameters in
            averaged.withUnsafeMutableBufferPointer { averaged in
                let p = SharedPointer(parameters.baseAddress!), m = averaged.baseAddress.map { SharedPointer($0) }
                Parallel.forEach(chunks, parallel: chunks > 1) { c in
                    let range = (c * chunk)..<min(count, (c + 1) * chunk)
                    let lower = range.lowerBound
                    VectorUnit.adam(buffers.gradients + lower, buffers.first + lower, buffers.second + lower, p.base + lower,
                                    ema ? m.map { $0.base + lower } : nil, count: range.count, scale: scale, stepSize: stepSize,
                                    decay: decay)
                }
            }
        }
    }

    /// sum g_k^2 in double precision, eight lanes at a time.
    static func sumOfSquares(_ g: UnsafePointer<Float>, _ count: Int) -> Double {
        var lanes = SIMD8<Double>(), k = 0
        let raw = UnsafeRawPointer(g)
        while k + 8 <= count {
            let v = SIMD8<Double>(raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self))
            lanes += v * v
            k += 8
        }
        var total = lanes.sum()
        while k < count { total += Double(g[k]) * Double(g[k]); k += 1 }
        return total
    }
}

/// The buffers of one training call, allocated once: the batch, one workspace and
/// one gradient per shard, and Adam's moments.
final class TrainingBuffers: @unchecked Sendable {
    /// `clean` holds x_0, or under `.edm` the network's target (x_0 - c_skip x_t / alpha) / c_out.
    let input: UnsafeMutablePointer<Float>, clean: UnsafeMutablePointer<Float>, noise: UnsafeMutablePointer<Float>
    let outputGradient: UnsafeMutablePointer<Float>
    let alpha: UnsafeMutablePointer<Float>, sigma: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>
    let shards: [MLP<Float>.Workspace]
    let gradients: UnsafeMutablePointer<Float>  // shards x parameters; shard 0's holds the sum
    let shardLosses: UnsafeMutablePointer<Double>
    /// Adam's elementwise work runs in chunks of this many parameters: small enough
    /// that the chunks spread evenly over the threads (18 for the 3 x 128 network;
    /// with 2^14 there were three, two on one thread), fixed so the gradient norm
    /// sums in the same order on any thread count.
    static let chunk = 1 << 11
    let chunkNorms: UnsafeMutablePointer<Double>, chunkCount: Int
    let first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>
    /// Random bits for the noise, `bitsPerShard` per shard (a Box-Muller pair from each word).
    let bits: UnsafeMutablePointer<UInt64>, bitsPerShard: Int
    private var owned: [UnsafeMutableRawPointer] = []

    init(network: MLP<Float>, batch: Int, dimension d: Int) {
        let shardCount = (batch + MLPScore.shardRows - 1) / MLPScore.shardRows, p = network.parameters.count
        var owned: [UnsafeMutableRawPointer] = []
        func buffer<T: Numeric>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: value, count: max(count, 1))
            owned.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }
        input = buffer(batch * network.widths[0], Float(0))
        clean = buffer(batch * d, Float(0))
        noise = buffer(batch * d, Float(0))
        outputGradient = buffer(batch * d, Float(0))
        alpha = buffer(batch, Float(0))
        sigma = buffer(batch, Float(0))
        weight = buffer(batch, Float(1))
        gradients = buffer(shardCount * p, Float(0))
        shardLosses = buffer(shardCount, 0.0)
        chunkCount = (p + Self.chunk - 1) / Self.chunk
        chunkNorms = buffer(chunkCount, 0.0)
        first = buffer(p, Float(0))
        second = buffer(p, Float(0))
        // A word per pair of a shard's values (rounded up), in whole draws of four lanes.
        bitsPerShard = ((MLPScore.shardRows * d + 1) / 2 + 3) / 4 * 4
        bits = buffer(shardCount * bitsPerShard, UInt64(0))
        shards = (0..<shardCount).map { shard in
            MLP<Float>.Workspace(network: network, rows: min(MLPScore.shardRows, batch - shard * MLPScore.shardRows))
        }
        self.owned = owned
    }

    deinit { for pointer in owned { pointer.deallocate() } }

    /// z ~ N(0, I) for rows `rows` (of one shard) into `noise`: `VectorKernels.boxMuller`
    /// on bits of four xoshiro lanes seeded by `random`.
    func fillNoise(rows: Range<Int>, dimension d: Int, random: inout RandomStream) {
        let count = rows.count * d, draws = ((count + 1) / 2 + 3) / 4
        let bits = self.bits + rows.lowerBound / MLPScore.shardRows * bitsPerShard
        var lanes = RandomLanes(seed: random.next(), stream: 0)
        let raw = UnsafeMutableRawPointer(bits)
        for draw in 0..<draws { raw.storeBytes(of: lanes.next(), toByteOffset: 32 * draw, as: SIMD4<UInt64>.self) }
        VectorUnit.boxMuller(bits, noise + rows.lowerBound * d, count: count)
    }
}
