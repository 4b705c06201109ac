import Glibc

/// A forward (noising) process of score-based diffusion (Song et al. 2021,
/// "Score-Based Generative Modeling through SDEs"): the linear SDE dx = f(t) x dt + g(t) dw on t in [0, 1], whose marginals
/// given the data point x_0 are
///
///     x_t = alpha_t x_0 + sigma_t z,   z ~ N(0, I).
///
/// Kinds and their coefficients, with B(t) = beta_min t + (beta_max - beta_min) t^2 / 2:
///
/// - VP:      beta(t) = beta_min + t (beta_max - beta_min); f = -beta/2, g^2 = beta,
///            alpha_t = e^{-B/2}, sigma_t^2 = 1 - e^{-B}.
/// - sub-VP:  f and alpha_t as VP, g^2 = beta (1 - e^{-2B}), sigma_t^2 = (1 - e^{-B})^2.
/// - VE:      sigma(t) = sigma_min (sigma_max / sigma_min)^t, f = 0,
///            g^2 = d sigma(t)^2 / dt = 2 sigma(t)^2 ln(sigma_max / sigma_min), alpha_t = 1,
///            sigma_t^2 = sigma(t)^2 - sigma_min^2 (the SDE's exact marginal from x_0).
/// - DDPM:    T discrete steps with variances beta_i (linear from beta_1 to beta_T, or
///            Nichol & Dhariwal's cosine schedule), alpha-bar_i = prod_{j <= i} (1 - beta_j);
///            in continuous time t = i / T with log alpha-bar linear between steps, so it
///            is a VP SDE with piecewise constant beta(t) = -d log alpha-bar / dt.
public struct ForwardProcess: Sendable, Equatable {
    public enum Kind: Sendable {
        case vp, subVP, ve, ddpm
    }

    public enum DDPMSchedule: Sendable {
        case linear, cosine
    }

    public let kind: Kind
    /// beta_min and beta_max (VP, sub-VP), sigma_min and sigma_max (VE), beta_1 and
    /// beta_T (linear DDPM; the cosine schedule's offset s and 0 for cosine).
    public let first: Double
    public let second: Double
    /// DDPM only: the steps T, and log alpha-bar_i for i = 0...T (log alpha-bar_0 = 0).
    public let steps: Int
    private let logAlphaBars: [Double]

    public static let defaultTrainingEpsilon = 1e-5

    public static func vp(betaMin: Double = 0.1, betaMax: Double = 20) throws(EngineError) -> ForwardProcess {
        try checkBetas(betaMin, betaMax)
        return ForwardProcess(kind: .vp, first: betaMin, second: betaMax, steps: 0, logAlphaBars: [])
    }

    public static func subVP(betaMin: Double = 0.1, betaMax: Double = 20) throws(EngineError) -> ForwardProcess {
        try checkBetas(betaMin, betaMax)
        return ForwardProcess(kind: .subVP, first: betaMin, second: betaMax, steps: 0, logAlphaBars: [])
    }

    public static func ve(sigmaMin: Double = 0.01, sigmaMax: Double = 50) throws(EngineError) -> ForwardProcess {
        guard sigmaMin.isFinite, sigmaMax.isFinite, sigmaMin > 0, sigmaMax > sigmaMin, sigmaMax < 1e150 else {
            throw EngineError(.invalidArgument, "VE needs 0 < sigma_min < sigma_max (finite), got \(sigmaMin) and \(sigmaMax)")
        }
        return ForwardProcess(kind: .ve, first: sigmaMin, second: sigmaMax, steps: 0, logAlphaBars: [])
    }

    /// Discrete DDPM with `steps` steps: linear betas from `betaStart` to `betaEnd`
    /// (Ho et al.: 1e-4, 0.02, T = 1000), or the cosine schedule with offset
    /// `cosineOffset` (Nichol & Dhariwal: s = 0.008; betas clipped at 0.999).
    public static func ddpm(steps: Int = 1000, schedule: DDPMSchedule = .linear, betaStart: Double = 1e-4,
                            betaEnd: Double = 0.02, cosineOffset: Double = 0.008) throws(EngineError) -> ForwardProcess {
        try Limit.steps.check(steps, "steps")
        var logs = [Double](repeating: 0, count: steps + 1)
        switch schedule {
        case .linear:
            guard betaStart.isFinite, betaEnd.isFinite, betaStart > 0, betaEnd >= betaStart, betaEnd < 1 else {
                throw .invalid("DDPM needs 0 < beta_start <= beta_end < 1, got \(betaStart) and \(betaEnd)")
            }
            for i in 1...steps {
                let beta = steps == 1 ? betaStart : betaStart + Double(i - 1) * (betaEnd - betaStart) / Double(steps - 1)
                logs[i] = logs[i - 1] + log1p(-beta)
            }
            return ForwardProcess(kind: .ddpm, first: betaStart, second: betaEnd, steps: steps, logAlphaBars: logs)
        case .cosine:
            let s = cosineOffset
            guard s.isFinite, s > 0, s < 1 else { throw .invalid("the cosine schedule's offset s must be in (0, 1), got \(s)") }
            func f(_ i: Int) -> Double {
                let c = cos((Double(i) / Double(steps) + s) / (1 + s) * Double.pi / 2)
                return c * c
            }
            for i in 1...steps {
                let beta = min(1 - f(i) / f(i - 1), 0.999)
                logs[i] = logs[i - 1] + log1p(-beta)
            }
            return ForwardProcess(kind: .ddpm, first: s, second: 0, steps: steps, logAlphaBars: logs)
        }
    }

    private static func checkBetas(_ low: Double, _ high: Double) throws(EngineError) {
        guard low.isFinite, high.isFinite, low > 0, high >= low, high < 1e6 else {
            throw EngineError(.invalidArgument, "beta_min and beta_max must satisfy 0 < beta_min <= beta_max (finite), got \(low) and \(high)")
        }
    }

    /// The documented default end time of sampling: 1e-5 for VE, 1e-3 otherwise.
    public var defaultSamplingEpsilon: Double { kind == .ve ? 1e-5 : 1e-3 }

    /// B(t) = int_0^t beta(s) ds for the VP family and DDPM (0 for VE).
    public func integratedBeta(_ t: Double) -> Double {
        switch kind {
        case .vp, .subVP: return first * t + 0.5 * (second - first) * t * t
        case .ve: return 0
        case .ddpm:
            let x = min(max(t, 0), 1) * Double(steps), i = min(Int(x), steps - 1), fraction = x - Double(i)
            return -(logAlphaBars[i] + fraction * (logAlphaBars[i + 1] - logAlphaBars[i]))
        }
    }

    /// beta(t) = dB/dt (VP family and DDPM; piecewise constant for DDPM).
    public func beta(_ t: Double) -> Double {
        switch kind {
        case .vp, .subVP: return first + t * (second - first)
        case .ve: return 0
        case .ddpm:
            let i = min(Int(min(max(t, 0), 1) * Double(steps)), steps - 1)
            return -(logAlphaBars[i + 1] - logAlphaBars[i]) * Double(steps)
        }
    }

    /// sigma(t) = sigma_min (sigma_max / sigma_min)^t of VE.
    private func veSigma(_ t: Double) -> Double { first * pow(second / first, t) }

    /// The mean coefficient alpha_t.
    public func alpha(_ t: Double) -> Double { kind == .ve ? 1 : exp(-0.5 * integratedBeta(t)) }

    /// The marginal standard deviation sigma_t.
    public func sigma(_ t: Double) -> Double {
        switch kind {
        case .vp, .ddpm: return (-expm1(-integratedBeta(t))).squareRoot()
        case .subVP: return -expm1(-integratedBeta(t))
        case .ve:
            // sigma_min^2 (r^{2t} - 1) with r = sigma_max / sigma_min, without cancellation.
            return first * expm1(2 * t * log(second / first)).squareRoot()
        }
    }

    /// The drift coefficient f(t) of dx = f(t) x dt + g(t) dw.
    public func drift(_ t: Double) -> Double { kind == .ve ? 0 : -0.5 * beta(t) }

    /// The diffusion coefficient g(t).
    public func diffusion(_ t: Double) -> Double {
        switch kind {
        case .vp, .ddpm: return beta(t).squareRoot()
        case .subVP: return (beta(t) * -expm1(-2 * integratedBeta(t))).squareRoot()
        case .ve:
            let s = veSigma(t)
            return s * (2 * log(second / first)).squareRoot()
        }
    }

    /// The signal-to-noise ratio alpha_t^2 / sigma_t^2 (decreasing in t).
    public func snr(_ t: Double) -> Double {
        let a = alpha(t), s = sigma(t)
        return a * a / (s * s)
    }

    /// The noise level sigma-hat(t) = sigma_t / alpha_t: the standard deviation of the
    /// noise on the scaled state x_t / alpha_t = x_0 + sigma-hat z (Karras et al. 2022's
    /// sigma; snr = 1 / sigma-hat^2). Increasing in t.
    public func noiseLevel(_ t: Double) -> Double { sigma(t) / alpha(t) }

    /// The time with noise level `noiseLevel` (> 0), t(sigma-hat) = time(snr: 1 / sigma-hat^2).
    public func time(noiseLevel level: Double) -> Double { time(snr: 1 / (level * level)) }

    /// The time t in (0, 1] with snr(t) = `snr` (clamped to [0, 1] outside the
    /// process's range).
    public func time(snr: Double) -> Double {
        guard snr > 0 else { return 1 }
        guard snr.isFinite else { return 0 }
        let target: Double  // the B (VP family, DDPM) or sigma_t^2 (VE) to reach
        switch kind {
        case .vp, .ddpm:
            target = log1p(1 / snr)  // sigma^2 / alpha^2 = e^B - 1
        case .subVP:
            // snr = u / (1 - u)^2 with u = e^{-B}: snr u^2 - (2 snr + 1) u + snr = 0, whose root
            // in (0, 1) is u = 2 snr / (b + sqrt(D)), b = 2 snr + 1, D = 4 snr + 1; so
            // 1 - u = (1 + sqrt(D)) / (b + sqrt(D)) without cancellation.
            let root = (4 * snr + 1).squareRoot()
            target = -log1p(-(1 + root) / (2 * snr + 1 + root))
        case .ve:
            let variance = 1 / snr
            return min(max(log1p(variance / (first * first)) / (2 * log(second / first)), 0), 1)
        }
        switch kind {
        case .vp, .subVP:
            let a = 0.5 * (second - first), b = first
            // The positive root of a t^2 + b t = B, as 2 B / (b + sqrt(b^2 + 4 a B)) (no cancellation).
            let t = 2 * target / (b + (b * b + 4 * a * target).squareRoot())
            return min(max(t, 0), 1)
        default:
            // Invert the piecewise linear B(t) of DDPM.
            let total = -logAlphaBars[steps]
            if target >= total { return 1 }
            var low = 0, high = steps
            while high - low > 1 {
                let mid = (low + high) / 2
                if -logAlphaBars[mid] <= target { low = mid } else { high = mid }
            }
            let b0 = -logAlphaBars[low], b1 = -logAlphaBars[low + 1]
            return (Double(low) + (b1 > b0 ? (target - b0) / (b1 - b0) : 0)) / Double(steps)
        }
    }

    /// DDPM's beta_i (i in 1...T) and alpha-bar_i (i in 0...T).
    public func ddpmBeta(_ i: Int) -> Double { -expm1(logAlphaBars[i] - logAlphaBars[i - 1]) }
    public func ddpmAlphaBar(_ i: Int) -> Double { exp(logAlphaBars[i]) }

    /// Checks a time for the marginals: finite and in (0, 1].
    public static func checkTime(_ t: Double, _ name: String = "t") throws(EngineError) {
        guard t.isFinite, t > 0, t <= 1 else { throw .invalid("\(name) must be in (0, 1], got \(t)") }
    }
}
