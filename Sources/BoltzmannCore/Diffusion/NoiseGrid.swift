import Glibc

/// How a sampler's `steps` + 1 times t_0 > t_1 > ... > t_steps are spaced between the
/// start t_0 (1, or the time of `sigmaMax`) and the end t_steps (epsilon, or the time of
/// `sigmaMin`). Every grid is defined for every forward process through its noise
/// level sigma-hat(t) = sigma_t / alpha_t (`ForwardProcess.noiseLevel`):
///
/// - time-uniform:    t_i = t_0 - i (t_0 - t_N) / N (Song et al. 2021).
/// - log-SNR-uniform: lambda(t) = -log sigma-hat(t) = log(alpha_t / sigma_t) uniform
///                    (Lu et al. 2022's choice for DPM-Solver).
/// - EDM:             sigma-hat_i = (s_max^(1/rho) + i/N (s_min^(1/rho) - s_max^(1/rho)))^rho
///                    (Karras et al. 2022, eq. 5; rho = 7), denser at low noise.
public enum NoiseGrid: Sendable, Equatable {
    case timeUniform, logSNR, edm
}

extension DiffusionSampler {
    /// The grid's ends: the start time (1, or t(sigmaMax)) and the end time (epsilon, or
    /// t(sigmaMin)), after checking the noise range.
    static func gridEnds(process: ForwardProcess, options: SamplerOptions) throws(EngineError) -> (start: Double, end: Double) {
        let epsilon = options.epsilon ?? process.defaultSamplingEpsilon
        guard epsilon.isFinite, epsilon > 0, epsilon < 1 else { throw .invalid("epsilon must be in (0, 1), got \(epsilon)") }
        let largest = process.noiseLevel(1)
        var start = 1.0, end = epsilon
        if let high = options.sigmaMax {
            guard high.isFinite, high > 0 else { throw .invalid("sigma_max must be finite and > 0, got \(high)") }
            guard high <= largest * (1 + 1e-12) else {
                throw .invalid("sigma_max = \(high) is above the process's largest noise level sigma_1 / alpha_1 = \(largest)")
            }
            start = high >= largest ? 1 : process.time(noiseLevel: high)
        }
        if let low = options.sigmaMin {
            guard low.isFinite, low > 0 else { throw .invalid("sigma_min must be finite and > 0, got \(low)") }
            let high = options.sigmaMax ?? largest
            guard low < high else { throw .invalid("sigma_min must be below sigma_max, got \(low) >= \(high)") }
            end = process.time(noiseLevel: low)
        }
        guard end > 0, end < start else {
            throw .invalid("the grid must run from t = \(start) down to an end time in (0, \(start)), got \(end)")
        }
        return (start, end)
    }

    /// The `options.steps` + 1 times of the grid `grid` (decreasing from start to end).
    /// The time-uniform grid from 1 is t_i = 1 - i h exactly, the samplers' historic grid.
    public static func times(process: ForwardProcess, grid: NoiseGrid, options: SamplerOptions) throws(EngineError) -> [Double] {
        let steps = options.steps
        try Limit.samplerSteps.check(steps, "steps")
        guard options.rho.isFinite, options.rho > 0 else { throw .invalid("rho must be finite and > 0, got \(options.rho)") }
        let (start, end) = try gridEnds(process: process, options: options)
        let n = Double(steps)
        var times = [Double](repeating: 0, count: steps + 1)
        switch grid {
        case .timeUniform:
            let h = (start - end) / n
            for i in 0...steps { times[i] = start - Double(i) * h }
        case .logSNR:
            let first = -log(process.noiseLevel(start)), last = -log(process.noiseLevel(end))
            for i in 0...steps { times[i] = process.time(noiseLevel: exp(-(first + Double(i) / n * (last - first)))) }
        case .edm:
            let inverse = 1 / options.rho
            let top = pow(process.noiseLevel(start), inverse), bottom = pow(process.noiseLevel(end), inverse)
            for i in 0...steps { times[i] = process.time(noiseLevel: pow(top + Double(i) / n * (bottom - top), options.rho)) }
        }
        // The ends exactly, whatever the round trip through the noise level rounded.
        times[0] = start
        times[steps] = end
        for i in 1...steps where !(times[i] < times[i - 1]) {
            throw .invalid("the \(grid) grid of \(steps) steps from t = \(start) to \(end) has equal times at step \(i): "
                + "too many steps for this noise range")
        }
        return times
    }
}
