import Glibc

extension Spectrum {
    /// Maximum entropy (Jaynes 1957): the Lagrange multiplier beta for
    /// which the Boltzmann distribution p_i ∝ g_i e^(-beta E_i) has mean energy
    /// `targetMean`, i.e. the root of -d log Z / d beta = targetMean.
    ///
    /// U(beta) decreases strictly (dU/dbeta = -Var(E) < 0), so the root is unique.
    /// With x = |beta| the function h(x) = ±(U - target) decreases from h(0) > 0;
    /// a bracket [lo, hi] is grown by doubling from 1/(E_max - E_min), then Newton
    /// steps x += h / Var(E) are taken while they stay inside the bracket, with
    /// bisection otherwise, until the bracket or the step is a few ulps wide.
    ///
    /// - Throws: `.invalidArgument` unless min E < targetMean < max E (no finite beta
    ///   attains the ends); `.nonFinite`; `.notConverged` (not expected: the
    ///   safeguard bounds the work at about 2100 evaluations).
    /// - Complexity: O(count) per evaluation; typically under 20 evaluations.
    public func solveBeta(targetMean: Double) throws(EngineError) -> Double {
        try Check.finite(targetMean, "target_mean")
        guard minEnergy < targetMean, targetMean < maxEnergy else {
            throw .invalid(
                "target_mean must lie strictly between the smallest energy (\(minEnergy)) and the largest (\(maxEnergy)), got \(targetMean); no finite beta attains it")
        }
        let u0 = try meanAndVariance(beta: 0).mean
        if u0 == targetMean { return 0 }
        // beta > 0 lowers the mean below its beta = 0 value; beta < 0 raises it.
        let sign: Double = targetMean < u0 ? 1 : -1
        func h(_ x: Double) throws(EngineError) -> (value: Double, slope: Double) {
            let m = try meanAndVariance(beta: sign * x)
            return (sign * (m.mean - targetMean), m.variance)
        }

        var lo = 0.0, hi = 1 / (maxEnergy - minEnergy)
        while try h(hi).value > 0 {
            lo = hi
            hi *= 2
            guard hi.isFinite, hi < 1e300 else {
                throw EngineError(.notConverged, "no beta below 1e300 brings the mean down to target_mean = \(targetMean)")
            }
        }
        var x = 0.5 * (lo + hi)
        for _ in 0..<200 {
            let (value, variance) = try h(x)
            if value == 0 { return sign * x }
            if value > 0 { lo = x } else { hi = x }
            let newton = x + value / variance
            let next = (variance > 0 && newton > lo && newton < hi) ? newton : 0.5 * (lo + hi)
            if abs(next - x) <= 2 * Double.ulpOfOne * abs(x) || hi - lo <= 4 * Double.ulpOfOne * hi {
                return sign * next
            }
            x = next
        }
        throw EngineError(.notConverged, "the maximum-entropy solve for target_mean = \(targetMean) did not converge")
    }

    /// <E> and Var(E) at one beta, from the same kernel as `thermodynamics`.
    func meanAndVariance(beta: Double) throws(EngineError) -> (mean: Double, variance: Double) {
        let frame = ReducedFrame(beta: beta, spectrum: self)
        let m = BoltzmannMoments.compute(self, [frame])[0]
        return (frame.reference + m.mean / frame.scale, m.variance / (frame.scale * frame.scale))
    }
}
