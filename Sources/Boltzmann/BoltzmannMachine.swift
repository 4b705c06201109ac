import BoltzmannCore
import CBoltzmann

// Header section "bm": fully visible Boltzmann machines.

/// The caller's options as the engine's (NULL: the defaults); the engine checks values.
private func learning(_ options: UnsafePointer<bz_bm_options>?) throws(EngineError) -> BoltzmannLearning {
    var learning = BoltzmannLearning()
    guard let o = try versioned(options, BZ_BM_OPTIONS_VERSION, "BZ_BM_OPTIONS_VERSION", "bz_bm_options_init") else { return learning }
    learning.learningRate = o.learning_rate
    learning.momentum = o.momentum
    learning.iterations = Int(clamping: o.iterations)
    learning.tolerance = o.tolerance
    learning.chains = Int(clamping: o.chains)
    learning.sweeps = Int(clamping: o.sweeps)
    return learning
}

@c @implementation
public func bz_bm_options_init(_ options: UnsafeMutablePointer<bz_bm_options>?) -> bz_status {
    guarded { () throws(EngineError) in
        let d = BoltzmannLearning()
        try Argument.output(options, "options").pointee = bz_bm_options(
            version: BZ_BM_OPTIONS_VERSION, learning_rate: d.learningRate, momentum: d.momentum, iterations: Int64(d.iterations),
            tolerance: d.tolerance, chains: Int64(d.chains), sweeps: Int64(d.sweeps))
    }
}

@c @implementation
public func bz_bm_fit(
    _ out: HandleOut, _ spins: UnsafePointer<Int8>?, _ nRows: Int64, _ nSpins: Int64, _ options: UnsafePointer<bz_bm_options>?,
    _ seed: UInt64, _ outIterations: UnsafeMutablePointer<Int64>?, _ outGradient: UnsafeMutablePointer<Double>?,
    _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let data = Array(try rows(spins, nRows, Limit.pairwiseUnits.check(nSpins, "n_spins"), "spins"))
        let fit = try BoltzmannMachine.fit(spins: data, spinCount: Int(nSpins), options: learning(options), seed: seed,
                                           monitor: monitor(progress, user, interrupt: nil))
        outIterations?.pointee = Int64(fit.iterations)
        outGradient?.pointee = fit.gradient
        return IsingHandle(fit.model)
    }
}
