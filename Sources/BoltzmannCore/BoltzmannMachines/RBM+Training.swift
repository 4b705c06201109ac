import Glibc

/// What `RBMTrainer.fit` reports after each epoch.
public enum RBMMetric: Sendable {
    case none
    /// The epoch's mean squared error of v against E[v | h], h drawn from p(h | v),
    /// per value (a by-product of training, free).
    case reconstruction
    /// The mean pseudo-log-likelihood of the training rows after the epoch (see
    /// `RBM.pseudoLogLikelihood`; Bernoulli visibles only; costs n_v x n_h softplus
    /// per row).
    case pseudoLogLikelihood
}

/// Options of RBM training by stochastic gradient ascent on the log-likelihood,
/// whose gradient is <v h^T>_data - <v h^T>_model (Hinton 2002; Tieleman 2008 for
/// PCD). The defaults here are the library's only copy: `bz_rbm_train_options_init`
/// reports them.
public struct RBMTraining: Sendable, Equatable {
    public var learningRate: Float = 0.05
    /// When set, the rate falls linearly over a `fit` from `learningRate` at its
    /// first batch to this after its last; nil keeps it constant.
    public var finalLearningRate: Float? = nil
    /// Gibbs steps of the negative phase (CD-k / PCD-k), >= 1.
    public var steps = 1
    /// Persistent chains (PCD) when > 0: that many fantasy particles carried from
    /// batch to batch; 0 restarts the negative chains at the data (CD-k).
    public var persistentChains = 0
    public var momentum: Float = 0.5
    /// L2 weight decay (on W only).
    public var weightDecay: Float = 0
    public var batchSize = 10
    public var metric = RBMMetric.reconstruction

    public init() {}

    /// Every rule at once, so a bad option changes nothing.
    public func check() throws(EngineError) {
        func finite(_ value: Float, _ name: String) throws(EngineError) {
            guard value.isFinite else { throw EngineError(.nonFinite, "\(name) must be finite, got \(value)") }
        }
        try finite(learningRate, "learning_rate")
        guard learningRate > 0 else { throw .invalid("learning_rate must be > 0, got \(learningRate)") }
        if let final = finalLearningRate {
            try finite(final, "final_learning_rate")
            guard final >= 0 else { throw .invalid("final_learning_rate must be >= 0 (negative in C: constant), got \(final)") }
        }
        try Limit.steps.check(steps, "k")
        try Limit.batch.check(persistentChains, "persistent_chains", from: 0)
        try finite(momentum, "momentum")
        guard momentum >= 0, momentum < 1 else { throw .invalid("momentum must be in [0, 1), got \(momentum)") }
        try finite(weightDecay, "weight_decay")
        guard weightDecay >= 0 else { throw .invalid("weight_decay must be >= 0, got \(weightDecay)") }
        try Limit.batch.check(batchSize, "batch_size")
    }
}

/// Trains an `RBM` with CD-k or PCD-k and momentum, keeping what must survive from
/// call to call: the parameter velocities, the persistent chains and the random
/// stream, so `partialFit` continues where the last call stopped.
///
/// The positive phase uses hidden probabilities. The negative chains start from a
/// hidden state (CD: h0 ~ p(h | v0); PCD: the chains' own, kept as hidden samples
/// as scikit-learn does) and make k steps v ~ p(v | h), h ~ p(h | v); the final
/// hidden probabilities enter the gradient. With the batch (B rows) and the chains'
/// visible states (N rows) stacked in one buffer and their hidden probabilities in
/// another, scaled by 1/B and -1/N, the update is one product:
///
///     V_W <- momentum V_W + rate ([v0; vk]^T [p(h|v0)/B; -p(h|vk)/N] - decay W),  W += V_W,
///
/// and the biases move by the column sums of the same stacks (without decay);
/// without momentum the product goes straight into W (no velocity pass). CD-1
/// and PCD-1 cost four products of the batch with W plus that one. Buffers are
/// allocated once per batch shape, never inside the epoch loop; the sigmoid and the
/// sampling of each layer are one fused pass (`UnitKernels.activate`).
public final class RBMTrainer {
    public private(set) var machine: RBM
    public private(set) var options: RBMTraining
    var random: RandomStream
    var velocityW: [Float], velocityB: [Float], velocityC: [Float]
    /// Persistent chains' hidden states (persistentChains x n_h); empty until the
    /// first batch, whose hidden samples seed them (rows cycled).
    var chains: [Float] = []
    /// Work buffers: the batch over the chains' visible states, (B + N) x n_v, and
    /// their hidden probabilities, (B + N) x n_h; hidden samples of the batch; the
    /// visible means of a Gibbs step (and the reconstruction); the chains' hidden samples.
    var visibleStack: [Float] = [], hiddenStack: [Float] = [], h0: [Float] = [], means: [Float] = [], hk: [Float] = []
    /// Column sums of one layer (as wide as the wider layer).
    var columnSums: [Float] = []

    public init(_ machine: RBM, options: RBMTraining = RBMTraining(), seed: UInt64) throws(EngineError) {
        try options.check()
        self.machine = machine
        self.options = options
        random = RandomStream(seed: seed)
        try Memory.reserve(machine.weights.count, bytesEach: 4, for: "the training's weight velocities (\(machine.weights.count) floats)")
        velocityW = [Float](repeating: 0, count: machine.weights.count)
        velocityB = [Float](repeating: 0, count: machine.visibleCount)
        velocityC = [Float](repeating: 0, count: machine.hiddenCount)
    }

    /// New options (checked first: on failure nothing changes). Changing the number
    /// of persistent chains starts them afresh.
    public func setOptions(_ new: RBMTraining) throws(EngineError) {
        try new.check()
        if new.persistentChains != options.persistentChains { chains = [] }
        if new.momentum == 0 { zeroVelocities() }  // steps without momentum keep none
        options = new
    }

    /// New parameters of the same shape and kind; the velocities restart at zero.
    public func setMachine(_ new: RBM) throws(EngineError) {
        guard new.visibleCount == machine.visibleCount, new.hiddenCount == machine.hiddenCount, new.visibleUnits == machine.visibleUnits else {
            throw EngineError(.shapeMismatch, "the new machine must have the trainer's shape and unit kind")
        }
        machine = new
        zeroVelocities()
    }

    /// Start afresh: zero velocities, new chains, the stream reseeded.
    public func reset(seed: UInt64) {
        random = RandomStream(seed: seed)
        zeroVelocities()
        chains = []
    }

    private func zeroVelocities() {
        for k in velocityW.indices { velocityW[k] = 0 }
        for k in velocityB.indices { velocityB[k] = 0 }
        for k in velocityC.indices { velocityC[k] = 0 }
    }

    /// Sizes the work buffers for batches of `rows` rows.
    private func reserve(rows: Int) {
        let nv = machine.visibleCount, nh = machine.hiddenCount
        let negatives = options.persistentChains > 0 ? options.persistentChains : rows, all = rows + negatives
        func fit(_ buffer: inout [Float], _ count: Int) { if buffer.count < count { buffer = [Float](repeating: 0, count: count) } }
        fit(&visibleStack, all * nv); fit(&hiddenStack, all * nh); fit(&h0, rows * nh)
        fit(&means, max(rows, negatives) * nv); fit(&hk, negatives * nh)
        if columnSums.count < max(nv, nh) { columnSums = [Float](repeating: 0, count: max(nv, nh)) }
    }

    /// One gradient step at `rate` on the batch already in the top rows of
    /// `visibleStack` (rows x n_v). Returns the batch's summed squared reconstruction
    /// error when `measure` (PCD spends one product on it), else 0.
    ///
    /// The hidden probabilities enter the stack already scaled (1/B for the batch's,
    /// -1/N for the chains'), by the pass that draws from them. With persistent
    /// chains the negative phase does not depend on the batch, so the chains step
    /// first and the batch's and the chains' final hidden products are one product
    /// of the whole (B + N) x n_v stack with W.
    private func step(rows: Int, rate: Float, measure: Bool) -> Double {
        let nv = machine.visibleCount, nh = machine.hiddenCount, logistic = machine.visibleUnits == .bernoulli
        let persistent = options.persistentChains > 0
        let negatives = persistent ? options.persistentChains : rows, k = options.steps
        let positive = 1 / Float(rows), negative = -1 / Float(negatives)
        reserve(rows: rows)
        var error = 0.0
        visibleStack.withUnsafeMutableBufferPointer { vs in hiddenStack.withUnsafeMutableBufferPointer { hs in
        h0.withUnsafeMutableBufferPointer { h0 in means.withUnsafeMutableBufferPointer { means in hk.withUnsafeMutableBufferPointer { hk in
            let v0 = vs.baseAddress!, vk = v0 + rows * nv, ph0 = hs.baseAddress!, phk = ph0 + rows * nh
            let h0 = h0.baseAddress!, means = means.baseAddress!, hk = hk.baseAddress!
            /// v0 against E[v | h0], h0 ~ p(h | v0) (in `means` and `h0`).
            func reconstructionError() {
                for r in 0..<rows {
                    var rowError: Float = 0
                    for i in (r * nv)..<((r + 1) * nv) { rowError += (v0[i] - means[i]) * (v0[i] - means[i]) }
                    error += Double(rowError)
                }
            }
            /// The positive phase alone: p(h | v0) into `ph0` (times `scale`), h0 drawn into `h0`.
            func positivePhase(scale: Float) {
                machine.activations(v0, rows: rows, transposed: false, into: ph0)
                UnitKernels.activate(ph0, samples: h0, rows: rows, width: nh, logistic: true, seed: random.next(), scale: scale)
            }
            /// Gibbs steps h -> v -> h of the negative chains, from the hidden state in
            /// `start` to the visible states in `vk` and the hidden ones in `hk`, ending on
            /// the visible draw (so that `steps` - 1 full steps and one half step).
            func negativeChains(from start: UnsafePointer<Float>, fullSteps: Int) {
                var hidden = start
                for gibbs in 0...fullSteps {
                    machine.activations(hidden, rows: negatives, transposed: true, into: means)
                    UnitKernels.activate(means, samples: vk, rows: negatives, width: nv, logistic: logistic, seed: random.next())
                    if gibbs == 0 && !persistent && measure { reconstructionError() }
                    guard gibbs < fullSteps else { return }
                    machine.activations(vk, rows: negatives, transposed: false, into: phk)
                    UnitKernels.activate(phk, samples: hk, rows: negatives, width: nh, logistic: true, seed: random.next())
                    hidden = UnsafePointer(hk)
                }
            }
            if persistent {
                if chains.count != negatives * nh {
                    // The first batch's hidden samples seed the chains (rows cycled).
                    positivePhase(scale: 1)
                    chains = (0..<(negatives * nh)).map { h0[($0 / nh) % rows * nh + $0 % nh] }
                }
                chains.withUnsafeBufferPointer { negativeChains(from: $0.baseAddress!, fullSteps: k - 1) }
                // [p(h|v0); p(h|vk)] in one product; the chains keep their new hidden draws.
                machine.activations(v0, rows: rows + negatives, transposed: false, into: ph0)
                UnitKernels.activate(ph0, samples: measure ? h0 : nil, rows: rows, width: nh, logistic: true,
                                     seed: measure ? random.next() : 0, scale: positive)
                UnitKernels.activate(phk, samples: hk, rows: negatives, width: nh, logistic: true, seed: random.next(), scale: negative)
                chains.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: hk, count: negatives * nh) }
                if measure {
                    machine.activations(h0, rows: rows, transposed: true, into: means)
                    UnitKernels.activate(means, samples: nil, rows: rows, width: nv, logistic: logistic, seed: 0)
                    reconstructionError()
                }
            } else {
                positivePhase(scale: positive)
                negativeChains(from: h0, fullSteps: k - 1)
                machine.activations(vk, rows: negatives, transposed: false, into: phk)
                UnitKernels.activate(phk, samples: nil, rows: negatives, width: nh, logistic: true, seed: 0, scale: negative)
            }
            // W <- momentum V_W + rate ([v0; vk]^T [p(h|v0)/B; -p(h|vk)/N] - decay W), one product.
            let all = rows + negatives, momentum = options.momentum, decay = rate * options.weightDecay
            velocityW.withUnsafeMutableBufferPointer { velocity in
                machine.weights.withUnsafeMutableBufferPointer { w in
                    let velocity = velocity.baseAddress!, w = w.baseAddress!
                    if momentum == 0 {
                        // No velocity to keep: W <- (1 - rate decay) W + rate (the product).
                        BLAS.sgemm(transA: true, transB: false, m: nv, n: nh, k: all, alpha: rate,
                                   a: v0, lda: nv, b: ph0, ldb: nh, beta: 1 - decay, c: w, ldc: nh)
                        return
                    }
                    BLAS.sgemm(transA: true, transB: false, m: nv, n: nh, k: all, alpha: rate,
                               a: v0, lda: nv, b: ph0, ldb: nh, beta: momentum, c: velocity, ldc: nh)
                    if decay > 0 { BLAS.saxpy(count: nv * nh, alpha: -decay, x: w, y: velocity) }
                    BLAS.saxpy(count: nv * nh, alpha: 1, x: velocity, y: w)
                }
            }
            updateBias(&machine.visibleBias, &velocityB, stack: v0, rows: rows, weight: positive, negatives, weight: negative, rate: rate)
            updateBias(&machine.hiddenBias, &velocityC, stack: ph0, rows: rows, weight: 1, negatives, weight: 1, rate: rate)
        } } } } }
        return error
    }

    /// velocity = momentum velocity + rate g, bias += velocity, for one layer
    /// (width = bias count), where g = `weight` x (column sums of the first `rows`
    /// rows of `stack`) + `weight2` x (those of the `rows2` rows below): the data's
    /// mean minus the model's. The sums run row by row (contiguous, vectorised),
    /// not by a threaded BLAS call, whose split of the rows would change the
    /// rounding with the thread count.
    private func updateBias(_ bias: inout [Float], _ velocity: inout [Float], stack: UnsafePointer<Float>,
                            rows: Int, weight: Float, _ rows2: Int, weight weight2: Float, rate: Float) {
        let width = bias.count, momentum = options.momentum
        columnSums.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            sums.update(repeating: 0, count: width)
            for r in 0..<rows {
                let row = stack + r * width
                for u in 0..<width { sums[u] += row[u] }
            }
            if weight != 1 { for u in 0..<width { sums[u] *= weight } }
            for r in rows..<(rows + rows2) {
                let row = stack + r * width
                for u in 0..<width { sums[u] += weight2 * row[u] }
            }
            for u in 0..<width { velocity[u] = momentum * velocity[u] + rate * sums[u] }
        }
        for u in bias.indices { bias[u] += velocity[u] }
    }

    /// One gradient step on `batch` (rows x n_v, all of it one batch) at the
    /// constant learning rate, continuing the momentum and chains of earlier calls.
    /// Returns the batch's mean squared reconstruction error per value. Bad input
    /// changes nothing.
    @discardableResult
    public func partialFit(_ batch: [Float]) throws(EngineError) -> Double {
        let rows = try machine.checkVisible(batch)
        guard rows >= 1 else { throw .invalid("data must hold at least one row") }
        reserve(rows: rows)
        visibleStack.withUnsafeMutableBufferPointer { v0 in batch.withUnsafeBufferPointer { v0.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
        return step(rows: rows, rate: options.learningRate, measure: true) / Double(batch.count)
    }

    /// `epochs` passes over the rows of `data`, each in a fresh order drawn from the
    /// trainer's stream, in batches of `batchSize` (the last one shorter), with the
    /// learning-rate schedule spread over all the batches of this call. Returns each
    /// epoch's metric (`options.metric`; NaN for `.none`), which is also the
    /// progress metric; progress counts epochs. A stop is honoured between batches
    /// and leaves a usable machine with the steps taken.
    ///
    /// With `seed`, the trainer first restarts (`reset(seed:)`), once the arguments
    /// have passed their checks: a rejected call changes nothing.
    @discardableResult
    public func fit(_ data: [Float], epochs: Int, seed: UInt64? = nil, monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        try data.withUnsafeBufferPointer { data throws(EngineError) in try fit(data, epochs: epochs, seed: seed, monitor: monitor) }
    }

    /// `fit` on rows the caller keeps alive for the call (read in place, not copied).
    @discardableResult
    public func fit(_ data: UnsafeBufferPointer<Float>, epochs: Int, seed: UInt64? = nil,
                    monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        let rows = try machine.checkVisible(data)
        guard rows >= 1 else { throw .invalid("data must hold at least one row") }
        try Limit.iterations.check(epochs, "epochs")
        if options.metric == .pseudoLogLikelihood && machine.visibleUnits != .bernoulli {
            throw EngineError(.unsupported, "metric pseudo-log-likelihood needs Bernoulli visible units")
        }
        if let seed { reset(seed: seed) }
        let nv = machine.visibleCount, batch = options.batchSize
        let batchesPerEpoch = (rows + batch - 1) / batch, totalBatches = Double(batchesPerEpoch) * Double(epochs)
        var order = Array(0..<rows), metrics: [Double] = []
        guard monitor.start(total: epochs) else { try monitor.checkNotStopped(); return [] }
        reserve(rows: min(batch, rows))
        var done = 0.0
        for _ in 0..<epochs {
            // Fisher-Yates with the trainer's stream.
            for k in stride(from: rows - 1, to: 0, by: -1) {
                order.swapAt(k, Int(random.next().multipliedFullWidth(by: UInt64(k + 1)).high))
            }
            var squaredError = 0.0
            for start in stride(from: 0, to: rows, by: batch) {
                guard !monitor.isStopped else { break }
                let count = min(batch, rows - start)
                visibleStack.withUnsafeMutableBufferPointer { v0 in
                    for r in 0..<count { (v0.baseAddress! + r * nv).update(from: data.baseAddress! + order[start + r] * nv, count: nv) }
                }
                var rate = options.learningRate
                if let final = options.finalLearningRate {
                    rate += (final - options.learningRate) * Float(done / totalBatches)
                }
                squaredError += step(rows: count, rate: rate, measure: options.metric == .reconstruction)
                done += 1
            }
            guard !monitor.isStopped else { break }
            switch options.metric {
            case .none: metrics.append(.nan)
            case .reconstruction: metrics.append(squaredError / Double(data.count))
            case .pseudoLogLikelihood:
                let pll = try machine.pseudoLogLikelihood(Array(data))
                metrics.append(pll.reduce(0, +) / Double(rows))
            }
            _ = monitor.advance(by: 1, metric: metrics.last!)
        }
        try monitor.finish(metric: metrics.last ?? .nan)
        return metrics
    }
}
