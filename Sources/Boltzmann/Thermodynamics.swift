import BoltzmannCore
import CBoltzmann

// Header section "thermodynamics": bz_spectrum and its functions.

/// The object behind a `bz_spectrum *`. Immutable, so shareable across threads.
typealias SpectrumHandle = SharedHandle<Spectrum>

private func spectrum(_ handle: OpaquePointer?, _ name: String = "spectrum") throws(EngineError) -> Spectrum {
    try Handles.lookup(handle, as: SpectrumHandle.self, name).value
}

/// Clear `out`, run `make`, and store a handle to its spectrum in `out`.
private func create(_ out: HandleOut, _ make: () throws(EngineError) -> Spectrum) -> bz_status {
    Handles.create(out) { () throws(EngineError) in
        SpectrumHandle(try make())
    }
}

@c @implementation
public func bz_spectrum_create(
    _ out: HandleOut, _ energies: UnsafePointer<Double>?,
    _ degeneracies: UnsafePointer<Double>?, _ nLevels: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let n = try Argument.count(nLevels, "n_levels")
        return try Spectrum(energies: Argument.array(energies, n, "energies"),
                            degeneracies: Argument.optionalArray(degeneracies, n))
    }
}

@c @implementation
public func bz_spectrum_create_log(
    _ out: HandleOut, _ energies: UnsafePointer<Double>?,
    _ logDegeneracies: UnsafePointer<Double>?, _ nLevels: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let n = try Argument.count(nLevels, "n_levels")
        return try Spectrum(energies: Argument.array(energies, n, "energies"),
                            logDegeneracies: Argument.optionalArray(logDegeneracies, n) ?? Array(repeating: 0, count: n))
    }
}

@c @implementation
public func bz_spectrum_free(_ spectrum: OpaquePointer?) {
    Handles.release(spectrum, as: SpectrumHandle.self)
}

@c @implementation
public func bz_spectrum_size(_ handle: OpaquePointer?, _ outNLevels: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let s = try spectrum(handle)
        try Argument.output(outNLevels, "out_n_levels").pointee = Int64(s.count)
    }
}

@c @implementation
public func bz_spectrum_levels(
    _ handle: OpaquePointer?, _ energies: UnsafeMutablePointer<Double>?,
    _ logDegeneracies: UnsafeMutablePointer<Double>?, _ nLevels: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let s = try spectrum(handle)
        try Argument.length(nLevels, "n_levels", equals: s.count, "the spectrum's size")
        energies?.write(s.energies)
        logDegeneracies?.write(s.logDegeneracies)
    }
}

@c @implementation
public func bz_spectrum_thermo(
    _ handle: OpaquePointer?, _ betas: UnsafePointer<Double>?, _ nBetas: Int64,
    _ logZ: UnsafeMutablePointer<Double>?, _ freeEnergy: UnsafeMutablePointer<Double>?,
    _ energy: UnsafeMutablePointer<Double>?, _ entropy: UnsafeMutablePointer<Double>?,
    _ heatCapacity: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let s = try spectrum(handle)
        let n = try Argument.count(nBetas, "n_betas")
        let table = try s.thermodynamics(betas: Argument.array(betas, n, "betas"))
        table.write(logZ: logZ, freeEnergy: freeEnergy, energy: energy, entropy: entropy, heatCapacity: heatCapacity)
    }
}

@c @implementation
public func bz_spectrum_probabilities(
    _ handle: OpaquePointer?, _ beta: Double, _ probabilities: UnsafeMutablePointer<Double>?, _ nLevels: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let s = try spectrum(handle)
        let out = try Argument.output(probabilities, "probabilities")
        try Argument.length(nLevels, "n_levels", equals: s.count, "the spectrum's size")
        out.write(try s.probabilities(beta: beta))
    }
}

@c @implementation
public func bz_spectrum_solve_beta(_ handle: OpaquePointer?, _ targetMean: Double, _ outBeta: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let s = try spectrum(handle)
        let out = try Argument.output(outBeta, "out_beta")
        out.pointee = try s.solveBeta(targetMean: targetMean)
    }
}

@c @implementation
public func bz_spectrum_compose_default_limit() -> Int64 {
    Int64(Spectrum.defaultCompositionLimit)
}

@c @implementation
public func bz_spectrum_compose(
    _ out: HandleOut, _ a: OpaquePointer?, _ b: OpaquePointer?, _ maxLevels: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let first = try spectrum(a, "a"), second = try spectrum(b, "b")
        let limit = try Argument.limit(maxLevels, "max_levels", default: Spectrum.defaultCompositionLimit)
        return try first.composed(with: second, maxLevels: limit)
    }
}

@c @implementation
public func bz_spectrum_create_microcanonical(
    _ out: HandleOut, _ nUnits: Int64, _ levelEnergies: UnsafePointer<Double>?,
    _ nLevels: Int64, _ maxStates: Int64
) -> bz_status {
    create(out) { () throws(EngineError) in
        let levels = try Argument.count(nLevels, "n_levels")
        let energies = try Argument.array(levelEnergies, levels, "level_energies")
        let limit = try Argument.limit(maxStates, "max_states", default: Microstates.defaultStateLimit)
        return try Microstates.microcanonicalSpectrum(units: Int(nUnits), levelEnergies: energies, maxStates: limit)
    }
}
