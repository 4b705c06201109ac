import COpenBLAS
import Glibc

/// Options of RBM training by stochastic gradient ascent on the log-likelihood,
/// whose gradient is <v h^T>_data - <v h^T>_model (seed 002 §8).
public struct RBMTraining: Sendable {
    public var learningRate: Float = 0.05
    /// Gibbs steps of the negative phase (CD-k / PCD-k), >= 1.
    public var steps = 1
    /// Persistent chains (PCD) when > 0: that many fantasy particles carried from
    /// batch to batch; 0 restarts the negative chains at the data (CD-k).
    public var persistentChains = 0
    public var momentum: Float = 0.5
    /// L2 weight decay (on W only).
    public var weightDecay: Float = 0
    public var batchSize = 10

    public init() {}

    func check() throws(EngineError) {
        guard learningRate.isFinite, learningRate > 0 else { throw .invalid("learning_rate must be finite and > 0, got \(learningRate)") }
        guard steps >= 1, steps <= 1 << 20 else { throw .invalid("k must be in [1, 2^20], got \(steps)") }
        guard persistentChains >= 0, persistentChains <= 1 << 20 else { throw .invalid("persistent chains must be in [0, 2^20], got \(persistentChains)") }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw .invalid("momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw .invalid("weight_decay must be finite and >= 0, got \(weightDecay)") }
        guard batchSize >= 1, batchSize <= 1 << 20 else { throw .invalid("batch_size must be in [1, 2^20], got \(batchSize)") }
    }
}

/// Trains an `RBM` with CD-k or PCD-k and momentum, keeping what must survive from
/// call to call: the parameter velocities, the persistent chains and the random
/// stream. The positive phase uses hidden probabilities; the negative phase samples
/// both layers and uses the final hidden probabilities. Every product of matrices
/// goes through sgemm.
public final class RBMTrainer {
    public private(set) var machine: RBM
    public let options: RBMTraining
    var random: RandomStream
    var velocityW: [Float], velocityB: [Float], velocityC: [Float]
    /// Persistent chains (persistentChains x n_v), or empty for CD.
    var chains: [Float] = []

    public init(_ machine: RBM, options: RBMTraining, seed: UInt64) throws(EngineError) {
        try options.check()
        self.machine = machine
        self.options = options
        random = RandomStream(seed: seed)
        velocityW = [Float](repeating: 0, count: machine.weights.count)
        velocityB = [Float](repeating: 0, count: machine.visibleCount)
        velocityC = [Float](repeating: 0, count: machine.hiddenCount)
        if options.persistentChains > 0 {
            chains = (0..<(options.persistentChains * machine.visibleCount)).map { _ in random.next() >> 63 == 0 ? 0 : 1 }
        }
    }

    /// Bernoulli samples of probabilities p, in place.
    private func sample(_ p: inout [Float]) {
        for k in p.indices { p[k] = Float(random.next() >> 40) * 0x1p-24 < p[k] ? 1 : 0 }
    }

    /// One gradient step on a batch (rows x n_v, checked by the caller); returns the
    /// batch's mean squared reconstruction error (v0 against p(v | h0 sample)).
    func step(_ v0: [Float], rows: Int) -> Double {
        let nv = machine.visibleCount, nh = machine.hiddenCount
        let ph0 = machine.activations(v0, rows: rows, transposed: false).map(sigmoid)
        var h = ph0
        sample(&h)
        var pv = machine.activations(h, rows: rows, transposed: true).map(sigmoid)
        var error = 0.0
        for k in 0..<(rows * nv) { error += Double((v0[k] - pv[k]) * (v0[k] - pv[k])) }
        // The negative chains: CD restarts from the data, PCD continues its own.
        var v: [Float], negatives: Int
        if chains.isEmpty {
            negatives = rows
            v = pv
            sample(&v)
        } else {
            negatives = options.persistentChains
            v = chains
            h = machine.activations(v, rows: negatives, transposed: false).map(sigmoid)
            sample(&h)
            pv = machine.activations(h, rows: negatives, transposed: true).map(sigmoid)
            v = pv
            sample(&v)
        }
        for _ in 1..<max(options.steps, 1) {
            h = machine.activations(v, rows: negatives, transposed: false).map(sigmoid)
            sample(&h)
            v = machine.activations(h, rows: negatives, transposed: true).map(sigmoid)
            sample(&v)
        }
        let phk = machine.activations(v, rows: negatives, transposed: false).map(sigmoid)
        if !chains.isEmpty { chains = v }
        // Gradient of W: v0^T ph0 / rows - v^T phk / negatives.
        var gradient = [Float](repeating: 0, count: nv * nh)
        v0.withUnsafeBufferPointer { v0 in
            ph0.withUnsafeBufferPointer { ph0 in
                gradient.withUnsafeMutableBufferPointer { g in
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nv), Int32(nh), Int32(rows),
                                1 / Float(rows), v0.baseAddress, Int32(nv), ph0.baseAddress, Int32(nh), 0, g.baseAddress, Int32(nh))
                }
            }
        }
        v.withUnsafeBufferPointer { v in
            phk.withUnsafeBufferPointer { phk in
                gradient.withUnsafeMutableBufferPointer { g in
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nv), Int32(nh), Int32(negatives),
                                -1 / Float(negatives), v.baseAddress, Int32(nv), phk.baseAddress, Int32(nh), 1, g.baseAddress, Int32(nh))
                }
            }
        }
        let rate = options.learningRate, momentum = options.momentum, decay = options.weightDecay
        for k in 0..<(nv * nh) {
            velocityW[k] = momentum * velocityW[k] + rate * (gradient[k] - decay * machine.weights[k])
            machine.weights[k] += velocityW[k]
        }
        updateBias(&machine.visibleBias, &velocityB, data: v0, rows: rows, model: v, negatives: negatives)
        updateBias(&machine.hiddenBias, &velocityC, data: ph0, rows: rows, model: phk, negatives: negatives)
        return error / Double(rows * nv)
    }

    /// bias += velocity, velocity = momentum velocity + rate (column mean of `data`
    /// - column mean of `model`), for one layer (width = bias count).
    private func updateBias(_ bias: inout [Float], _ velocity: inout [Float], data: [Float], rows: Int, model: [Float], negatives: Int) {
        let width = bias.count
        for u in 0..<width {
            var positive: Float = 0, negative: Float = 0
            for r in 0..<rows { positive += data[r * width + u] }
            for r in 0..<negatives { negative += model[r * width + u] }
            velocity[u] = options.momentum * velocity[u] + options.learningRate * (positive / Float(rows) - negative / Float(negatives))
            bias[u] += velocity[u]
        }
    }

    /// `epochs` passes over the rows of `data` in a fresh seeded order each, in
    /// batches of `batchSize` (the last one shorter). Returns each epoch's mean
    /// reconstruction error. Progress counts epochs (metric: that error); a stop
    /// request is honoured between batches and leaves a usable machine.
    @discardableResult
    public func fit(_ data: [Float], epochs: Int, monitor: WorkMonitor = .none()) throws(EngineError) -> [Double] {
        let rows = try machine.checkVisible(data)
        guard rows >= 1 else { throw .invalid("data must hold at least one row") }
        guard epochs >= 1 else { throw .invalid("epochs must be >= 1, got \(epochs)") }
        let nv = machine.visibleCount, batch = options.batchSize
        var order = Array(0..<rows), errors: [Double] = []
        guard monitor.start() else { try monitor.checkNotStopped(); return [] }
        var rowsBuffer = [Float](repeating: 0, count: batch * nv)
        for _ in 0..<epochs {
            // Fisher-Yates with the trainer's stream.
            for k in stride(from: rows - 1, to: 0, by: -1) {
                order.swapAt(k, Int(random.next().multipliedFullWidth(by: UInt64(k + 1)).high))
            }
            var total = 0.0
            for start in stride(from: 0, to: rows, by: batch) {
                guard !monitor.isStopped else { break }
                let count = min(batch, rows - start)
                if rowsBuffer.count != count * nv { rowsBuffer = [Float](repeating: 0, count: count * nv) }
                for r in 0..<count { for i in 0..<nv { rowsBuffer[r * nv + i] = data[order[start + r] * nv + i] } }
                total += step(rowsBuffer, rows: count) * Double(count)
            }
            guard !monitor.isStopped else { break }
            errors.append(total / Double(rows))
            _ = monitor.advance(by: 1, metric: errors.last!)
        }
        try monitor.finish(metric: errors.last ?? .nan)
        return errors
    }
}
