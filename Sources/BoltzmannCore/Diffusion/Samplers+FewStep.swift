import Glibc

/// The few-step samplers: EDM's Heun (Karras et al. 2022), DDIM (Song, Meng & Ermon
/// 2021), DPM-Solver++ multistep (Lu et al. 2022) and UniPC (Zhao et al. 2023). All
/// query the model's denoiser D(x, t) = E[x_0 | x_t = x] and step between the grid's times t > s, where
/// alpha, sigma and the noise level sigma-hat = sigma / alpha are the forward
/// process's: they work for VP, sub-VP, VE and DDPM alike.
extension DiffusionSampler {
    /// The data predictions of the last two steps (the newest first) and their
    /// lambda = log(alpha / sigma), for the multistep solvers; for UniPC's corrector
    /// also the state the last step started from.
    struct MultistepHistory {
        var predictions: [[Float]] = []
        var lambdas: [Double] = []
        var startState: [Float] = []

        /// Keeps `prediction` at `lambda` as the newest, `capacity` at most, reusing the
        /// oldest buffer once full.
        mutating func remember(_ prediction: [Float], at lambda: Double, capacity: Int) {
            var oldest = predictions.count >= capacity ? predictions.removeLast() : [Float](repeating: 0, count: prediction.count)
            oldest.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: prediction) }
            predictions.insert(oldest, at: 0)
            if lambdas.count >= capacity { lambdas.removeLast() }
            lambdas.insert(lambda, at: 0)
        }
    }
}

extension DiffusionSampler.Run {
    /// `score` <- D(x, t) (the buffer's name is historical: it holds the model's output).
    mutating func computeDenoised(_ x: [Float], _ t: Double) {
        model.denoise(x, count: count, time: t, process: process, into: &score)
    }

    /// One EDM step from t to `next` (Karras et al. 2022, Algorithm 2; Algorithm 1 at
    /// gamma = 0), on x-hat = x / alpha:
    ///
    ///     sigma-tilde = sigma-hat_t (1 + gamma),  x-hat += sqrt(sigma-tilde^2 - sigma-hat_t^2) S_noise z,
    ///     d = (x-hat - D(x-hat, sigma-tilde)) / sigma-tilde,  x-hat' = x-hat + (sigma-hat_s - sigma-tilde) d,
    ///     x-hat_s = x-hat + (sigma-hat_s - sigma-tilde) (d + d') / 2,  d' at (x-hat', sigma-hat_s).
    ///
    /// sigma-tilde is capped at the process's largest noise level sigma-hat(1).
    mutating func edmHeun(_ x: inout [Float], _ t: Double, _ next: Double, gamma: Double, noiseScale: Double) {
        var level = process.noiseLevel(t), time = t
        let alpha = process.alpha(t)
        // x-hat in scratch.
        let unscale = Float(1 / alpha)
        for k in x.indices { scratch[k] = x[k] * unscale }
        if gamma > 0 {
            let raised = min(level * (1 + gamma), process.noiseLevel(1))
            if raised > level {
                drawNoise()
                let amount = Float((raised * raised - level * level).squareRoot() * noiseScale)
                for k in x.indices { scratch[k] += amount * noise[k] }
                time = raised >= process.noiseLevel(1) ? 1 : process.time(noiseLevel: raised)
                level = raised
            }
        }
        let nextLevel = process.noiseLevel(next), nextAlpha = process.alpha(next)
        // D at (alpha_tilde x-hat, t-tilde); the slope d in noise; the Euler point x' = alpha_s x-hat'.
        let alphaTilde = Float(process.alpha(time))
        for k in x.indices { x[k] = alphaTilde * scratch[k] }
        computeDenoised(x, time)
        let inverse = Float(1 / level), move = Float(nextLevel - level), a = Float(nextAlpha)
        for k in x.indices {
            noise[k] = (scratch[k] - score[k]) * inverse
            x[k] = a * (scratch[k] + move * noise[k])
        }
        computeDenoised(x, next)
        let nextInverse = Float(1 / nextLevel), half = Float(0.5 * (nextLevel - level))
        for k in x.indices {
            let slope = (x[k] / a - score[k]) * nextInverse
            x[k] = a * (scratch[k] + half * (noise[k] + slope))
        }
    }

    /// One DDIM step from t to `next` = s (see `SamplingMethod.ddim`); `last` drops
    /// the noise (the step returns its mean).
    mutating func ddim(_ x: inout [Float], _ t: Double, _ next: Double, eta: Double, last: Bool) {
        computeDenoised(x, t)
        let alphaT = process.alpha(t), sigmaT = process.sigma(t), alphaS = process.alpha(next), sigmaS = process.sigma(next)
        let ratio = alphaT / alphaS, conditional = max(sigmaT * sigmaT - ratio * ratio * sigmaS * sigmaS, 0)
        let c = last ? 0 : eta * sigmaS * conditional.squareRoot() / sigmaT
        let direction = max(sigmaS * sigmaS - c * c, 0).squareRoot()
        if c > 0 { drawNoise() }
        // x_s = alpha_s D + direction (x - alpha_t D) / sigma_t + c z
        //     = (direction / sigma_t) x + (alpha_s - direction alpha_t / sigma_t) D + c z
        let a = Float(direction / sigmaT), b = Float(alphaS - direction * alphaT / sigmaT), noiseScale = Float(c)
        if c > 0 {
            for k in x.indices { x[k] = a * x[k] + b * score[k] + noiseScale * noise[k] }
        } else {
            for k in x.indices { x[k] = a * x[k] + b * score[k] }
        }
    }

    /// Step `step` of DPM-Solver++ of order `order` (2 or 3) on `times`, in data
    /// prediction, with lambda = log(alpha / sigma), h = lambda_s - lambda_t > 0 and
    /// phi = e^-h - 1:
    ///
    ///     x_s = (sigma_s / sigma_t) x - alpha_s phi D_0
    ///           [+ alpha_s (phi / h + 1) D_1 - alpha_s ((phi + h) / h^2 - 1/2) D_2  (order 3)]
    ///
    /// with r_0 = h_0 / h, r_1 = h_1 / h (the previous steps' h) and the divided
    /// differences D1_0 = (m_0 - m_1) / r_0, D1_1 = (m_1 - m_2) / r_1:
    /// order 2: D_0 = m_0 + D1_0 / 2;
    /// order 3: D_0 = m_0, D_1 = D1_0 + r_0 / (r_0 + r_1) (D1_0 - D1_1) ~ h D',
    ///          D_2 = 2 (D1_0 - D1_1) / (r_0 + r_1) ~ h^2 D''.
    /// The D_2 term is the integral of e^(lambda - lambda_s) (lambda - lambda_t)^2 / 2 D''
    /// over the step, alpha_s (h^2/2 - h - phi) D'' = -alpha_s ((phi + h) / h^2 - 1/2) h^2 D'':
    /// Lu et al.'s code and diffusers take D_2 = (D1_0 - D1_1) / (r_0 + r_1) ~ h^2 D'' / 2,
    /// half the term, which makes their 3M second order (measured in FewStepSamplerTests
    /// and bench/diffusion_quality.py). The order is capped by the history: the first
    /// step is first order, the second at most second.
    mutating func dpmSolver(_ x: inout [Float], times: [Double], step: Int, order: Int, history: inout DiffusionSampler.MultistepHistory) {
        let t = times[step], next = times[step + 1]
        computeDenoised(x, t)
        let lambdaT = -log(process.noiseLevel(t)), lambdaS = -log(process.noiseLevel(next))
        let h = lambdaS - lambdaT, phi = expm1(-h)
        let alphaS = process.alpha(next), ratio = Float(process.sigma(next) / process.sigma(t))
        let used = min(order, history.predictions.count + 1)
        switch used {
        case 1: multistepUpdate(&x, t, next, previous: nil)
        case 2: multistepUpdate(&x, t, next, previous: (history.predictions[0], history.lambdas[0]))
        default:
            let r0 = (lambdaT - history.lambdas[0]) / h, r1 = (history.lambdas[0] - history.lambdas[1]) / h
            let c0 = Float(-alphaS * phi), c1 = Float(alphaS * (phi / h + 1)), c2 = Float(-alphaS * ((phi + h) / (h * h) - 0.5))
            let w0 = Float(1 / r0), w1 = Float(1 / r1), mix = Float(r0 / (r0 + r1)), scale = Float(2 / (r0 + r1))
            history.predictions[0].withUnsafeBufferPointer { m1 in
                history.predictions[1].withUnsafeBufferPointer { m2 in
                    for k in x.indices {
                        let d10 = (score[k] - m1[k]) * w0, d11 = (m1[k] - m2[k]) * w1
                        let d1 = d10 + mix * (d10 - d11), d2 = scale * (d10 - d11)
                        x[k] = ratio * x[k] + c0 * score[k] + c1 * d1 + c2 * d2
                    }
                }
            }
        }
        // Keep m_0 for the next steps (the newest first).
        if order > 1 { history.remember(score, at: lambdaT, capacity: order - 1) }
    }

    /// Step `step` of UniPC-2 (Zhao et al. 2023) in data prediction with B(h) = e^-h - 1
    /// ("bh2", the variant of their code and diffusers' default). The evaluation
    /// m = D(x, t) at the step's start first corrects the last step (UniC), which then
    /// costs no evaluation of its own; then the predictor (UniP) steps on. With h, phi
    /// and lambda as in `dpmSolver` and m_0 the last step's data prediction, m_1 the one
    /// before it, r = (lambda_1 - lambda_0) / h < 0:
    ///
    ///     UniP-2:  x_s = (sigma_s / sigma_t) x - alpha_s phi m_0 - alpha_s phi rho (m_1 - m_0) / r,  rho = 1/2
    ///              (DPM-Solver++(2M) exactly; first order on the first step),
    ///     UniC-p:  x_t <- (sigma_t / sigma_u) x_u - alpha_t phi m_0
    ///                     - alpha_t phi [rho_1 (m_1 - m_0) / r + rho_p (m - m_0)]
    ///
    /// redoing the last step from its start x_u with the new evaluation m. Its weights
    /// solve sum_k rho_k r_k^(i-1) = i! (-h) phi_(i+1)(-h) / B(h), i = 1..p (r_p = 1;
    /// phi_1(z) = (e^z - 1) / z, phi_(k+1)(z) = (phi_k(z) - 1/k!) / z): for p = 1, rho_p = 1/2
    /// (the h -> 0 limit, which the paper and diffusers take); for p = 2 the 2 x 2 system
    /// in closed form. The predictor's order rises to 2 and the corrector's with it:
    /// order 3 overall (measured in FewStepSamplerTests). The last step, whose end has
    /// no evaluation, is not corrected.
    mutating func uniPC(_ x: inout [Float], times: [Double], step: Int, history: inout DiffusionSampler.MultistepHistory) {
        let t = times[step], next = times[step + 1]
        computeDenoised(x, t)
        let lambdaT = -log(process.noiseLevel(t))
        if step > 0 {
            // The last step's predictor order: the predictions it had (one, then two).
            let order = history.predictions.count
            let start = times[step - 1], lambdaU = history.lambdas[0], h = lambdaT - lambdaU, minusH = -h
            let phi = expm1(minusH)
            // (-h) phi_2(-h) and (-h) phi_3(-h) by the recursion; B(h) = phi.
            let hPhi2 = phi / minusH - 1, hPhi3 = hPhi2 / minusH - 0.5, b1 = hPhi2 / phi, b2 = 2 * hPhi3 / phi
            let r = order == 2 ? (history.lambdas[1] - lambdaU) / h : 0
            let rhoOld = order == 2 ? (b2 - b1) / (r - 1) : 0
            let rhoNew = order == 2 ? b1 - rhoOld : 0.5
            let alpha = process.alpha(t), ratio = Float(process.sigma(t) / process.sigma(start))
            let c0 = Float(-alpha * phi), cNew = Float(-alpha * phi * rhoNew)
            let cOld = order == 2 ? Float(-alpha * phi * rhoOld / r) : 0
            // (At order 1 the m_1 term is absent: m_0 stands in for it, with weight 0.)
            history.predictions[0].withUnsafeBufferPointer { m0 in
                history.predictions[order - 1].withUnsafeBufferPointer { m1 in
                    history.startState.withUnsafeBufferPointer { u in
                        for k in x.indices {
                            x[k] = ratio * u[k] + c0 * m0[k] + cOld * (m1[k] - m0[k]) + cNew * (score[k] - m0[k])
                        }
                    }
                }
            }
        }
        history.remember(score, at: lambdaT, capacity: 2)
        if history.startState.isEmpty {
            history.startState = x
        } else {
            history.startState.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: x) }
        }
        // UniP: DPM-Solver++(2M)'s update, first order on the first step.
        multistepUpdate(&x, t, next, previous: history.predictions.count == 2 ? (history.predictions[1], history.lambdas[1]) : nil)
    }

    /// DPM-Solver++'s update from t to `next` with m_0 = D(x, t) in `score`: first order
    /// without a previous prediction, else the (2M) step with the previous m_1 at lambda_1:
    /// x_s = (sigma_s / sigma_t) x - alpha_s phi (m_0 + (m_0 - m_1) / 2 r_0), r_0 = (lambda_t - lambda_1) / h.
    private func multistepUpdate(_ x: inout [Float], _ t: Double, _ next: Double, previous: (prediction: [Float], lambda: Double)?) {
        let lambdaT = -log(process.noiseLevel(t)), h = -log(process.noiseLevel(next)) - lambdaT
        let ratio = Float(process.sigma(next) / process.sigma(t)), b = Float(-process.alpha(next) * expm1(-h))
        guard let previous else {
            for k in x.indices { x[k] = ratio * x[k] + b * score[k] }
            return
        }
        let r0 = (lambdaT - previous.lambda) / h, half = Float(0.5 / r0)
        previous.prediction.withUnsafeBufferPointer { m1 in
            for k in x.indices { x[k] = ratio * x[k] + b * (score[k] + half * (score[k] - m1[k])) }
        }
    }
}
