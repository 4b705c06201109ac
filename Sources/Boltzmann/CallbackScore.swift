import BoltzmannCore
import CBoltzmann
import Synchronization

// Header section "Score-based diffusion", continued: scores computed by the caller
// (a PyTorch or JAX network, any function), sampled by the library's samplers.

/// What went wrong in one call's use of a callback score: the first failure wins, and
/// later evaluations are skipped (they return NaN) until the sampler notices and stops.
final class CallbackFailure: Sendable {
    private let first = Mutex<EngineError?>(nil)
    private let raised = Atomic<Bool>(false)

    var happened: Bool { raised.load(ordering: .relaxed) }
    var error: EngineError? { first.withLock { $0 } }

    func record(_ error: EngineError) {
        first.withLock { if $0 == nil { $0 = error } }
        raised.store(true, ordering: .relaxed)
    }
}

/// The score s(x, t) = fn(user, x, n, dim, t, out), batched; the denoiser follows from
/// Tweedie's formula, D = (x + sigma_t^2 s) / alpha_t. Each library call that samples
/// or evaluates it works on its own copy (`forCall`), so that a failure is that
/// call's, even when other threads use the same handle.
struct CallbackScore: ScoreModel, @unchecked Sendable {
    let dimension: Int
    let function: bz_score_fn
    let user: UnsafeMutableRawPointer?
    var failure = CallbackFailure()

    func forCall() -> CallbackScore {
        var copy = self
        copy.failure = CallbackFailure()
        return copy
    }

    func score(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        let size = count * dimension
        guard !failure.happened else {
            out.update(repeating: .nan, count: size)
            return
        }
        let status = function(user, x, Int64(count), Int64(dimension), t, out)
        if status != 0 {
            failure.record(EngineError(.cancelled, "the score function returned \(status) at t = \(t)"))
            out.update(repeating: .nan, count: size)
        } else if let k = (0..<size).first(where: { !out[$0].isFinite }) {
            failure.record(EngineError(.nonFinite, "the score function returned \(out[k]) at row \(k / dimension), column \(k % dimension), t = \(t)"))
        }
    }

    func denoise(_ x: UnsafePointer<Float>, count: Int, time t: Double, process: ForwardProcess, into out: UnsafeMutablePointer<Float>) {
        score(x, count: count, time: t, process: process, into: out)
        let alpha = Float(process.alpha(t)), variance = Float(process.sigma(t) * process.sigma(t))
        for k in 0..<(count * dimension) { out[k] = (x[k] + variance * out[k]) / alpha }
    }
}

/// The model a call should use: a callback score's per-call copy, or the model itself.
func modelForCall(_ model: any ScoreModel) -> (model: any ScoreModel, failure: CallbackFailure?) {
    guard let callback = model as? CallbackScore else { return (model, nil) }
    let copy = callback.forCall()
    return (copy, copy.failure)
}

/// A progress monitor that also stops the call once its callback score has failed.
func monitor(_ progress: bz_progress_fn?, _ user: UnsafeMutableRawPointer?, interrupt: InterruptFlag?,
             stoppingOn failure: CallbackFailure?) -> WorkMonitor {
    guard let failure else { return monitor(progress, user, interrupt: interrupt) }
    let callback: WorkMonitor.Callback = { done, total, metric in
        !failure.happened && (progress.map { $0(user, done, total, metric) == 0 } ?? true)
    }
    return WorkMonitor(callback: callback, interrupt: interrupt, interruptible: true)
}

@c @implementation
public func bz_score_create_callback(_ out: HandleOut, _ dim: Int64, _ function: bz_score_fn?, _ user: UnsafeMutableRawPointer?) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        guard let function else { throw EngineError(.nullPointer, "fn must not be NULL") }
        guard dim >= 1, dim <= Int64(Limit.units.value) else { throw .invalid("dim must be in [1, \(Limit.units.text)], got \(dim)") }
        return ScoreHandle(CallbackScore(dimension: Int(dim), function: function, user: user))
    }
}
