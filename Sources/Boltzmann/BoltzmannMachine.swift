import BoltzmannCore
import CBoltzmann

// Header section "bm": fully visible Boltzmann machines.

@c @implementation
public func bz_bm_fit(
    _ out: HandleOut, _ spins: UnsafePointer<Int8>?, _ nRows: Int64, _ nSpins: Int64,
    _ learningRate: Double, _ momentum: Double, _ iterations: Int64, _ tolerance: Double, _ chains: Int64, _ sweeps: Int64,
    _ seed: UInt64, _ outIterations: UnsafeMutablePointer<Int64>?,
    _ outGradient: UnsafeMutablePointer<Double>?, _ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?
) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        let data = Array(try rows(spins, nRows, Limit.pairwiseUnits.check(nSpins, "n_spins"), "spins"))
        var options = BoltzmannLearning()
        options.learningRate = learningRate
        options.momentum = momentum
        options.iterations = Int(clamping: iterations)
        options.tolerance = tolerance
        options.chains = Int(clamping: chains)
        options.sweeps = Int(clamping: sweeps)
        let fit = try BoltzmannMachine.fit(spins: data, spinCount: Int(nSpins), options: options, seed: seed,
                                           monitor: monitor(progress, user, interrupt: nil))
        outIterations?.pointee = Int64(fit.iterations)
        outGradient?.pointee = fit.gradient
        return IsingHandle(fit.model)
    }
}
