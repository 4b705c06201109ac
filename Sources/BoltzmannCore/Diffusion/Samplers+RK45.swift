import Glibc

/// The probability-flow ODE dx/dt = f(t) x - g(t)^2 s(x, t) / 2 integrated from t = 1 down
/// to epsilon by the Dormand-Prince 5(4) pair (Dormand & Prince 1980; the method of
/// scipy's RK45, which Song et al. use), with an error-controlled step per row:
///
///     k_i = v(x - h sum_j a_ij k_j, t - c_i h),  x <- x - h sum_i b_i k_i,
///     err = rms_k [h sum_i e_i k_ik / (atol + rtol max(|x_k|, |x_new,k|))],
///
/// the step accepted when err <= 1 and rescaled by min(5, max(0.2, 0.9 err^(-1/5)))
/// (Hairer, Norsett & Wanner, Solving ODEs I, II.4). The last stage of an accepted step
/// is the first of the next (FSAL): six score evaluations per step.
///
/// Each row keeps its own time and step, so the rows are evaluated together at
/// different times (`ScoreModel.score(times:)`) and a row's path depends on nothing
/// but its own start: results do not depend on the batch or the thread count, which
/// one step size shared by the batch (scipy's way, on the flattened system) breaks.
/// The state and the stages are kept in double precision; the model sees float32.
enum AdaptiveODE {
    // Dormand-Prince coefficients.
    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// The fifth-order weights are the last row of a; these are b - b* (b* the embedded fourth order).
    static let errorWeights: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

    /// Accepted plus rejected steps a row may take before the call gives up.
    static let maxSteps = 100_000

    /// Integrates the rows of `x` (count x d, the prior samples) from t = 1 to `epsilon`
    /// in place. Returns the total number of score evaluations. The monitor counts
    /// rows that have arrived.
    static func integrate(model: some ScoreModel, process: ForwardProcess, x: inout [Float], count: Int, epsilon: Double,
                          rtol: Double, atol: Double, monitor: WorkMonitor) throws(EngineError) -> Int {
        let d = model.dimension
        var state = x.map { Double($0) }
        var time = [Double](repeating: 1, count: count), step = [Double](repeating: 0, count: count)
        var stages = [[Double]](repeating: [Double](repeating: 0, count: count * d), count: 7)
        var stepsTaken = [Int](repeating: 0, count: count)
        // The fifth-order solution of the current step: stage 7's point (c_7 = 1, a_7 = b).
        var proposal = [Double](repeating: 0, count: count * d)
        var active = Array(0..<count)
        // Gathered stage inputs of the active rows, for one batched score call.
        var input = [Float](repeating: 0, count: count * d), times = [Double](repeating: 0, count: count)
        var score = [Float](repeating: 0, count: count * d)
        var evaluations = 0

        /// stages[stage][row] <- v(point(row), time(row)) for each active row, where point
        /// writes row's stage input (d values).
        func evaluate(_ stage: Int, at stageTime: (Int) -> Double, point: (Int, UnsafeMutablePointer<Float>) -> Void) {
            let m = active.count
            input.withUnsafeMutableBufferPointer { input in
                for (j, row) in active.enumerated() {
                    point(row, input.baseAddress! + j * d)
                    times[j] = stageTime(row)
                }
            }
            model.score(input, count: m, times: times, process: process, into: &score)
            evaluations += m
            for (j, row) in active.enumerated() {
                let t = times[j], f = process.drift(t), g = process.diffusion(t), half = g * g / 2
                for k in 0..<d {
                    stages[stage][row * d + k] = f * Double(input[j * d + k]) - half * Double(score[j * d + k])
                }
            }
        }

        guard monitor.start(total: count) else { try monitor.checkNotStopped(); return 0 }
        // k_1 at t = 1, and each row's first step from the sizes of x and v (Hairer's
        // h0 = 0.01 |x|_sc / |v|_sc).
        evaluate(0, at: { _ in 1 }) { row, out in for k in 0..<d { out[k] = Float(state[row * d + k]) } }
        for row in 0..<count {
            var sizeX = 0.0, sizeV = 0.0
            for k in 0..<d {
                let scale = atol + rtol * abs(state[row * d + k])
                sizeX += (state[row * d + k] / scale) * (state[row * d + k] / scale)
                sizeV += (stages[0][row * d + k] / scale) * (stages[0][row * d + k] / scale)
            }
            let h = sizeX < 1e-10 || sizeV < 1e-10 ? 1e-6 : 0.01 * (sizeX / sizeV).squareRoot()
            step[row] = min(max(h, 1e-6), 1 - epsilon)
        }
        steps: while !active.isEmpty {
            for stage in 1..<7 {
                // One stage scores every active row (tens of milliseconds for 10^5).
                if monitor.isStopped { break steps }
                let coefficients = a[stage], offset = c[stage]
                evaluate(stage, at: { row in time[row] - offset * step[row] }) { row, out in
                    let h = step[row]
                    for k in 0..<d {
                        var sum = 0.0
                        for (j, weight) in coefficients.enumerated() where weight != 0 { sum += weight * stages[j][row * d + k] }
                        let point = state[row * d + k] - h * sum
                        if stage == 6 { proposal[row * d + k] = point }
                        out[k] = Float(point)
                    }
                }
            }
            var still: [Int] = []
            still.reserveCapacity(active.count)
            var arrived: Int64 = 0
            for row in active {
                let h = step[row]
                stepsTaken[row] += 1
                // The scaled error estimate of the fifth-order proposal.
                var error = 0.0
                for k in 0..<d {
                    var difference = 0.0
                    for j in 0..<7 { difference += errorWeights[j] * stages[j][row * d + k] }
                    let old = state[row * d + k], new = proposal[row * d + k]
                    let scale = atol + rtol * max(abs(old), abs(new))
                    error += (h * difference / scale) * (h * difference / scale)
                }
                error = (error / Double(d)).squareRoot()
                guard error.isFinite else {
                    throw EngineError(.nonFinite, "sample \(row) diverged in the adaptive ODE sampler at t = \(time[row])")
                }
                if error <= 1 {
                    for k in 0..<d {
                        state[row * d + k] = proposal[row * d + k]
                        stages[0][row * d + k] = stages[6][row * d + k]  // FSAL: v at the new point
                    }
                    time[row] -= h
                }
                let factor = error == 0 ? 5 : min(5, max(0.2, 0.9 * pow(error, -0.2)))
                let remaining = time[row] - epsilon
                if remaining <= 1e-12 * max(1, epsilon) {
                    arrived += 1
                    continue
                }
                guard stepsTaken[row] < maxSteps else {
                    throw EngineError(.notConverged, "sample \(row) needed more than \(maxSteps) steps (t = \(time[row])): raise rtol or atol")
                }
                step[row] = min(h * (error <= 1 ? factor : min(1, factor)), remaining)
                still.append(row)
            }
            active = still
            guard monitor.advance(by: arrived) else { break }
        }
        try monitor.checkNotStopped()
        for k in x.indices { x[k] = Float(state[k]) }
        return evaluations
    }
}
