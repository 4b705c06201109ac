import BoltzmannCore
import CBoltzmann

// Header section "Score-based diffusion": learned scores (bz_score_create_mlp and
// the calls that train, describe and persist them).

private func learned(_ pointer: OpaquePointer?) throws(EngineError) -> MLPScore {
    guard let model = try scoreHandle(pointer).model as? MLPScore else {
        throw EngineError(.unsupported, "score is not a learned (MLP) model")
    }
    return model
}

/// A learned score of `classes` classes (0: unconditional), checked by the engine.
private func createLearned(_ dim: Int64, _ hidden: UnsafePointer<Int64>?, _ nHidden: Int64, _ embedding: Int32, _ embeddingSize: Int64,
                           _ embeddingScale: Double, _ prediction: Int32, sigmaData: Double = 0.5, classes: Int64 = 0,
                           _ seed: UInt64) throws(EngineError) -> ScoreHandle {
    let widths = try Argument.array(hidden, Limit.layers.check(nHidden, "n_hidden"), "hidden").map { Int(clamping: $0) }
    let features: TimeEmbedding
    switch embedding {
    case BZ_EMBEDDING_FOURIER: features = .gaussianFourier(count: Int(clamping: embeddingSize), scale: embeddingScale)
    case BZ_EMBEDDING_SINUSOIDAL: features = .sinusoidal(count: Int(clamping: embeddingSize))
    default:
        throw .invalid("embedding must be BZ_EMBEDDING_FOURIER (\(BZ_EMBEDDING_FOURIER)) or BZ_EMBEDDING_SINUSOIDAL (\(BZ_EMBEDDING_SINUSOIDAL)), got \(embedding)")
    }
    let parametrisation = try Code.prediction.decode(prediction, "prediction")
    let model = try MLPScore(dimension: Int(clamping: dim), hidden: widths, embedding: features, parametrisation: parametrisation,
                             sigmaData: sigmaData, classes: Int(clamping: classes), seed: seed)
    return ScoreHandle(model)
}

@c @implementation
public func bz_score_create_mlp(
    _ out: HandleOut, _ dim: Int64, _ hidden: UnsafePointer<Int64>?, _ nHidden: Int64, _ embedding: Int32, _ embeddingSize: Int64,
    _ embeddingScale: Double, _ prediction: Int32, _ seed: UInt64
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        try createLearned(dim, hidden, nHidden, embedding, embeddingSize, embeddingScale, prediction, seed)
    }
}

@c @implementation
public func bz_score_create_mlp_ex(
    _ out: HandleOut, _ dim: Int64, _ hidden: UnsafePointer<Int64>?, _ nHidden: Int64, _ embedding: Int32, _ embeddingSize: Int64,
    _ embeddingScale: Double, _ prediction: Int32, _ sigmaData: Double, _ nClasses: Int64, _ seed: UInt64
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        try createLearned(dim, hidden, nHidden, embedding, embeddingSize, embeddingScale, prediction, sigmaData: sigmaData,
                          classes: nClasses, seed)
    }
}

@c @implementation
public func bz_score_mlp_info(
    _ score: OpaquePointer?, _ outNHidden: UnsafeMutablePointer<Int64>?, _ hidden: UnsafeMutablePointer<Int64>?, _ hiddenCapacity: Int64,
    _ outEmbedding: UnsafeMutablePointer<Int32>?, _ outEmbeddingSize: UnsafeMutablePointer<Int64>?,
    _ outEmbeddingScale: UnsafeMutablePointer<Double>?, _ outPrediction: UnsafeMutablePointer<Int32>?,
    _ outNParameters: UnsafeMutablePointer<Int64>?, _ outHasEMA: UnsafeMutablePointer<Int32>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try learned(score), widths = model.hidden
        if let hidden {
            guard hiddenCapacity >= widths.count else {
                throw EngineError(.shapeMismatch, "hidden_capacity is \(hiddenCapacity), the model has \(widths.count) hidden layers")
            }
            for (k, w) in widths.enumerated() { hidden[k] = Int64(w) }
        }
        outNHidden?.pointee = Int64(widths.count)
        switch model.embedding {
        case .gaussianFourier(let count, let scale):
            outEmbedding?.pointee = BZ_EMBEDDING_FOURIER
            outEmbeddingSize?.pointee = Int64(count)
            outEmbeddingScale?.pointee = scale
        case .sinusoidal(let count):
            outEmbedding?.pointee = BZ_EMBEDDING_SINUSOIDAL
            outEmbeddingSize?.pointee = Int64(count)
            outEmbeddingScale?.pointee = 0
        }
        outPrediction?.pointee = Code.prediction.code(model.parametrisation)
        outNParameters?.pointee = Int64(model.network.parameters.count)
        outHasEMA?.pointee = model.averaged.isEmpty ? 0 : 1
    }
}

@c @implementation
public func bz_score_mlp_sigma_data(_ score: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let output = try Argument.output(out, "out_sigma_data")
        output.pointee = try learned(score).sigmaData
    }
}

@c @implementation
public func bz_train_options_init(_ options: UnsafeMutablePointer<bz_train_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(options, "options")
        out.pointee = defaultTrainingOptions()
    }
}

private func defaultTrainingOptions() -> bz_train_options {
    let d = ScoreTrainingOptions()
    return bz_train_options(version: BZ_TRAIN_OPTIONS_VERSION, steps: Int64(d.steps), batch_size: Int64(d.batchSize),
                            learning_rate: d.learningRate, final_learning_rate: -1, warmup: Int64(d.warmup), clip: d.clip, ema: d.ema,
                            epsilon: d.epsilon, weighting: Code.weighting.code(d.weighting), label_dropout: d.labelDropout)
}

/// The bytes of the version-1 layout (3.1 and before): everything up to `weighting`.
private let trainOptionsVersion1Bytes = MemoryLayout<bz_train_options>.offset(of: \bz_train_options.weighting)! + MemoryLayout<Int32>.size

/// The engine's options from a caller's struct, checked by the engine's rules.
private func trainingOptions(_ options: UnsafePointer<bz_train_options>?) throws(EngineError) -> ScoreTrainingOptions {
    var settings = ScoreTrainingOptions()
    guard let o = try versioned(options, BZ_TRAIN_OPTIONS_VERSION, "BZ_TRAIN_OPTIONS_VERSION", "bz_train_options_init",
                                older: [(1, trainOptionsVersion1Bytes)], defaults: defaultTrainingOptions()) else { return settings }
    let weighting = try Code.weighting.decode(o.weighting, "options.weighting")
    settings.steps = Int(clamping: o.steps)
    settings.batchSize = Int(clamping: o.batch_size)
    settings.learningRate = o.learning_rate
    settings.finalLearningRate = o.final_learning_rate < 0 ? nil : o.final_learning_rate
    settings.warmup = Int(clamping: o.warmup)
    settings.clip = o.clip
    settings.ema = o.ema
    settings.epsilon = o.epsilon
    settings.weighting = weighting
    settings.labelDropout = o.label_dropout
    try settings.check()
    return settings
}

/// bz_score_fit and bz_score_fit_labels: the checks, then training on the handle.
private func fit(_ score: OpaquePointer?, _ sde: OpaquePointer?, _ data: UnsafePointer<Float>?, _ labels: UnsafePointer<Int32>??, _ n: Int64,
                 _ dim: Int64, _ options: UnsafePointer<bz_train_options>?, _ seed: UInt64, _ losses: UnsafeMutablePointer<Double>?,
                 _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?) throws(EngineError) {
    let h = try scoreHandle(score), p = try process(sde), model = try learned(score)
    try Argument.length(dim, "dim", equals: model.dimension, "the model's dim")
    let points = try rows(data, n, dim: dim, "data", minRows: 1)
    try Check.allFinite(points, "data", width: Int(dim))
    // labels: absent (bz_score_fit) or a caller's pointer (bz_score_fit_labels), which must not be NULL.
    let classes: UnsafeBufferPointer<Int32>?
    switch labels {
    case .none: classes = nil
    case .some(let pointer):
        guard let pointer else { throw EngineError(.nullPointer, "labels is NULL") }
        classes = UnsafeBufferPointer(start: pointer, count: points.count / Int(dim))
    }
    try model.checkLabels(classes, rows: points.count / Int(dim))
    let settings = try trainingOptions(options)
    var done: [Double] = []
    defer {
        if let losses {
            for k in 0..<settings.steps { losses[k] = k < done.count ? done[k] : .nan }
        }
    }
    try h.train { (model: inout MLPScore) throws(EngineError) in
        try model.train(data: points, labels: classes, process: p, options: settings, seed: seed, losses: &done,
                        monitor: monitor(progress, user, interrupt: h.interrupt))
    }
}

@c @implementation
public func bz_score_fit(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ data: UnsafePointer<Float>?, _ n: Int64, _ dim: Int64,
    _ options: UnsafePointer<bz_train_options>?, _ seed: UInt64, _ losses: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        try fit(score, sde, data, .none, n, dim, options, seed, losses, progress, user)
    }
}

@c @implementation
public func bz_score_fit_labels(
    _ score: OpaquePointer?, _ sde: OpaquePointer?, _ data: UnsafePointer<Float>?, _ labels: UnsafePointer<Int32>?, _ n: Int64,
    _ dim: Int64, _ options: UnsafePointer<bz_train_options>?, _ seed: UInt64, _ losses: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    guarded { () throws(EngineError) in
        try fit(score, sde, data, .some(labels), n, dim, options, seed, losses, progress, user)
    }
}

@c @implementation
public func bz_score_save(_ score: OpaquePointer?, _ file: UnsafePointer<CChar>?) -> bz_status {
    guarded { () throws(EngineError) in
        let model = try learned(score), file = try path(file)
        try model.save(to: file)
    }
}

@c @implementation
public func bz_score_load(_ out: HandleOut, _ file: UnsafePointer<CChar>?) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        ScoreHandle(try MLPScore.load(from: try path(file)))
    }
}

@c @implementation
public func bz_score_serialized_size(_ score: OpaquePointer?, _ outSize: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(outSize, "out_size")
        out.pointee = Int64(try learned(score).serialized().count)
    }
}

@c @implementation
public func bz_score_serialize(_ score: OpaquePointer?, _ out: UnsafeMutablePointer<UInt8>?, _ size: Int64) -> bz_status {
    guarded { () throws(EngineError) in
        let bytes = try learned(score).serialized()
        let out = try Argument.output(out, "out")
        try Argument.length(size, "size", equals: bytes.count, "the serialized size")
        out.write(bytes)
    }
}

@c @implementation
public func bz_score_deserialize(_ out: HandleOut, _ bytes: UnsafePointer<UInt8>?, _ size: Int64) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        guard let bytes else { throw EngineError(.nullPointer, "bytes must not be NULL") }
        // Zero bytes are a (truncated) file, not a bad count: BZ_ERR_BAD_FORMAT.
        let count = size == 0 ? 0 : try Argument.count(size, "size")
        return ScoreHandle(try MLPScore(serialized: UnsafeRawBufferPointer(start: bytes, count: count)))
    }
}
