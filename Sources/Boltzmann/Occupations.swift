import BoltzmannCore
import CBoltzmann

// Header section "occupations": Fermi-Dirac and mean field.

@c @implementation
public func bz_fermi_dirac(
    _ energies: UnsafePointer<Double>?, _ nLevels: Int64, _ beta: Double, _ mu: Double,
    _ occupations: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let n = try Argument.count(nLevels, "n_levels")
        let energies = try Argument.array(energies, n, "energies")
        let out = try Argument.output(occupations, "occupations")
        out.write(try Occupations.fermiDirac(energies: energies, beta: beta, mu: mu))
    }
}

@c @implementation
public func bz_mean_field_occupations(
    _ energies: UnsafePointer<Double>?, _ nLevels: Int64, _ interaction: Double, _ beta: Double, _ mu: Double,
    _ damping: Double, _ tolerance: Double, _ maxIterations: Int64, _ occupations: UnsafeMutablePointer<Double>?,
    _ outIterations: UnsafeMutablePointer<Int64>?, _ outResidual: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let n = try Argument.count(nLevels, "n_levels")
        let energies = try Argument.array(energies, n, "energies")
        let out = try Argument.output(occupations, "occupations")
        guard maxIterations >= 1 else { throw EngineError.invalid("max_iterations must be >= 1, got \(maxIterations)") }
        let result = try Occupations.meanField(
            energies: energies, interaction: interaction, beta: beta, mu: mu,
            damping: damping, tolerance: tolerance, maxIterations: Int(maxIterations))
        out.write(result.occupations)
        outIterations?.pointee = Int64(result.iterations)
        outResidual?.pointee = result.residual
        guard result.converged else {
            throw EngineError(.notConverged,
                "mean-field iteration did not converge in \(result.iterations) iterations: residual \(result.residual) > tolerance \(tolerance); try more damping or iterations")
        }
    }
}
