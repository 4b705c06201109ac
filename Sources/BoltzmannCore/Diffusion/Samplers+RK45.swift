import Glibc

/// The Dormand-Prince 5(4) pair (Dormand & Prince 1980; the method of scipy's RK45,
/// which Song et al. use) on the rows of a state (rows x width, double), from t0 to t1
/// in either direction, each row with its own error-controlled step:
///
///     k_i = F(y + h sum_j a_ij k_j, t + c_i h),  y <- y + h sum_i b_i k_i,
///     err = rms_k [h sum_i e_i k_ik / (atol + rtol max(|y_k|, |y_new,k|))],
///
/// the step accepted when err <= 1 and rescaled by min(5, max(0.2, 0.9 err^(-1/5)))
/// (Hairer, Norsett & Wanner, Solving ODEs I, II.4); the first step is Hairer's
/// h0 = 0.01 |y|_sc / |F|_sc. The last stage of an accepted step is the first of the
/// next (FSAL): six evaluations per step.
///
/// Each row keeps its own time and step, so the rows are evaluated together at
/// different times and a row's path depends on nothing but its own start: results
/// do not depend on the batch or the thread count, which one step size shared by the
/// batch (scipy's way, on the flattened system) breaks.
enum DormandPrince {
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

    /// The vector field: for the active rows (indices) at their times and states
    /// (active.count x width), write the derivatives (active.count x width).
    typealias Field = (_ active: [Int], _ times: [Double], _ states: UnsafePointer<Double>,
                       _ out: UnsafeMutablePointer<Double>) throws(EngineError) -> Void

    /// Integrates in place; returns the row evaluations made. The monitor counts rows
    /// that have arrived.
    static func integrate(rows: Int, width: Int, state: inout [Double], from t0: Double, to t1: Double, rtol: Double,
                          atol: Double, monitor: WorkMonitor, field: Field) throws(EngineError) -> Int {
        let direction = t1 >= t0 ? 1.0 : -1.0, span = abs(t1 - t0)
        var stages = [[Double]](repeating: [Double](repeating: 0, count: rows * width), count: 7)
        var done = [Double](repeating: 0, count: rows), step = done  // progress |t - t0| and step size per row
        var stepsTaken = [Int](repeating: 0, count: rows), proposal = [Double](repeating: 0, count: rows * width)
        var active = Array(0..<rows), evaluations = 0
        var input = [Double](repeating: 0, count: rows * width), output = input, times = [Double](repeating: 0, count: rows)

        func evaluate(_ stage: Int, at time: (Int) -> Double, point: (Int, UnsafeMutablePointer<Double>) -> Void) throws(EngineError) {
            let m = active.count
            input.withUnsafeMutableBufferPointer { buffer in
                for (j, row) in active.enumerated() {
                    point(row, buffer.baseAddress! + j * width)
                    times[j] = time(row)
                }
            }
            let current = Array(times[0..<m])
            try input.withUnsafeBufferPointer { (states: UnsafeBufferPointer<Double>) throws(EngineError) in
                try output.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<Double>) throws(EngineError) in
                    try field(active, current, states.baseAddress!, out.baseAddress!)
                }
            }
            evaluations += m
            for (j, row) in active.enumerated() {
                for k in 0..<width { stages[stage][row * width + k] = output[j * width + k] }
            }
        }

        guard rows > 0, span > 0 else { return 0 }
        guard monitor.start(total: rows) else { try monitor.checkNotStopped(); return 0 }
        try evaluate(0, at: { _ in t0 }) { row, out in for k in 0..<width { out[k] = state[row * width + k] } }
        for row in 0..<rows {
            var sizeY = 0.0, sizeF = 0.0
            for k in 0..<width {
                let scale = atol + rtol * abs(state[row * width + k])
                sizeY += (state[row * width + k] / scale) * (state[row * width + k] / scale)
                sizeF += (stages[0][row * width + k] / scale) * (stages[0][row * width + k] / scale)
            }
            let h = sizeY < 1e-10 || sizeF < 1e-10 ? 1e-6 : 0.01 * (sizeY / sizeF).squareRoot()
            step[row] = min(max(h, 1e-6 * span), span)
        }
        steps: while !active.isEmpty {
            for stage in 1..<7 {
                if monitor.isStopped { break steps }
                let coefficients = a[stage], offset = c[stage]
                try evaluate(stage, at: { row in t0 + direction * (done[row] + offset * step[row]) }) { row, out in
                    let h = direction * step[row]
                    for k in 0..<width {
                        var sum = 0.0
                        for (j, weight) in coefficients.enumerated() where weight != 0 { sum += weight * stages[j][row * width + k] }
                        let point = state[row * width + k] + h * sum
                        if stage == 6 { proposal[row * width + k] = point }
                        out[k] = point
                    }
                }
            }
            var still: [Int] = []
            var arrived: Int64 = 0
            for row in active {
                let h = step[row]
                stepsTaken[row] += 1
                var error = 0.0
                for k in 0..<width {
                    var difference = 0.0
                    for j in 0..<7 { difference += errorWeights[j] * stages[j][row * width + k] }
                    let scale = atol + rtol * max(abs(state[row * width + k]), abs(proposal[row * width + k]))
                    error += (h * difference / scale) * (h * difference / scale)
                }
                error = (error / Double(width)).squareRoot()
                guard error.isFinite else {
                    throw EngineError(.nonFinite, "row \(row) diverged in the adaptive ODE solver at t = \(t0 + direction * done[row])")
                }
                if error <= 1 {
                    for k in 0..<width {
                        state[row * width + k] = proposal[row * width + k]
                        stages[0][row * width + k] = stages[6][row * width + k]
                    }
                    done[row] += h
                }
                let factor = error == 0 ? 5 : min(5, max(0.2, 0.9 * pow(error, -0.2)))
                let remaining = span - done[row]
                if remaining <= 1e-12 * max(1, span) {
                    arrived += 1
                    continue
                }
                guard stepsTaken[row] < maxSteps else {
                    throw EngineError(.notConverged, "row \(row) needed more than \(maxSteps) steps: raise rtol or atol")
                }
                step[row] = min(h * (error <= 1 ? factor : min(1, factor)), remaining)
                still.append(row)
            }
            active = still
            guard monitor.advance(by: arrived) else { break }
        }
        try monitor.checkNotStopped()
        return evaluations
    }
}

/// The probability-flow ODE dx/dt = f(t) x - g(t)^2 s(x, t) / 2 integrated from t = 1 down
/// to epsilon by `DormandPrince`, a step per row. The state and the stages are kept in
/// double precision; the model sees float32.
enum AdaptiveODE {
    /// Integrates the rows of `x` (count x d, the prior samples) from t = 1 to `epsilon`
    /// in place. Returns the total number of score evaluations. The monitor counts rows
    /// that have arrived.
    static func integrate(model: some ScoreModel, process: ForwardProcess, x: inout [Float], count: Int, epsilon: Double,
                          rtol: Double, atol: Double, monitor: WorkMonitor) throws(EngineError) -> Int {
        let d = model.dimension
        var state = x.map { Double($0) }
        var input = [Float](repeating: 0, count: count * d), score = input
        let evaluations = try DormandPrince.integrate(rows: count, width: d, state: &state, from: 1, to: epsilon, rtol: rtol,
                                                      atol: atol, monitor: monitor) { active, times, states, out in
            let m = active.count
            for k in 0..<(m * d) { input[k] = Float(states[k]) }
            times.withUnsafeBufferPointer { model.score(input, count: m, times: $0.baseAddress!, process: process, into: &score) }
            for j in 0..<m {
                let t = times[j], f = process.drift(t), g = process.diffusion(t), half = g * g / 2
                for k in 0..<d { out[j * d + k] = f * Double(input[j * d + k]) - half * Double(score[j * d + k]) }
            }
        }
        for k in x.indices { x[k] = Float(state[k]) }
        return evaluations
    }
}
