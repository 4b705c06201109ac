import BoltzmannCore
import CBoltzmann

// Header section "microstates": multiplicities and macrostates.

private func occupationVector(_ pointer: UnsafePointer<Int64>?, _ nLevels: Int64) throws(EngineError) -> [Int] {
    let n = try Argument.count(nLevels, "n_levels")
    return try Argument.array(pointer, n, "occupations").map { Int($0) }
}

@c @implementation
public func bz_log_multiplicity(_ occupations: UnsafePointer<Int64>?, _ nLevels: Int64, _ out: UnsafeMutablePointer<Double>?) -> bz_status {
    guarded { () throws(EngineError) in
        let occupations = try occupationVector(occupations, nLevels)
        let out = try Argument.output(out, "out_log_multiplicity")
        out.pointee = try Microstates.logMultiplicity(occupations)
    }
}

@c @implementation
public func bz_occupation_energy(
    _ occupations: UnsafePointer<Int64>?, _ levelEnergies: UnsafePointer<Double>?, _ nLevels: Int64,
    _ out: UnsafeMutablePointer<Double>?
) -> bz_status {
    guarded { () throws(EngineError) in
        let occupations = try occupationVector(occupations, nLevels)
        let energies = try Argument.array(levelEnergies, occupations.count, "level_energies")
        let out = try Argument.output(out, "out_energy")
        out.pointee = try Microstates.energy(occupations: occupations, levelEnergies: energies)
    }
}

@c @implementation
public func bz_macrostate_count(_ nUnits: Int64, _ nLevels: Int64, _ out: UnsafeMutablePointer<Int64>?) -> bz_status {
    guarded { () throws(EngineError) in
        let out = try Argument.output(out, "out_count")
        out.pointee = Int64(try Microstates.macrostateCount(units: Int(nUnits), levels: Int(nLevels)))
    }
}

@c @implementation
public func bz_macrostates_default_limit() -> Int64 {
    Int64(Microstates.defaultStateLimit)
}

@c @implementation
public func bz_macrostates(
    _ nUnits: Int64, _ levelEnergies: UnsafePointer<Double>?, _ nLevels: Int64, _ maxStates: Int64,
    _ occupations: UnsafeMutablePointer<Int64>?, _ energies: UnsafeMutablePointer<Double>?,
    _ logMultiplicities: UnsafeMutablePointer<Double>?, _ nStates: Int64
) -> bz_status {
    guarded { () throws(EngineError) in
        let levels = try Argument.count(nLevels, "n_levels")
        let levelEnergies = try Argument.array(levelEnergies, levels, "level_energies")
        let limit = try Argument.limit(maxStates, "max_states", default: Microstates.defaultStateLimit)
        let count = try Microstates.macrostateCount(units: Int(nUnits), levels: levels)
        try Argument.length(nStates, "n_states", equals: count, "the number of macrostates")
        // The engine checks the level energies and the limit before visiting any state.
        try Microstates.forEachMacrostate(units: Int(nUnits), levelEnergies: levelEnergies, maxStates: limit) { index, n, e, logW in
            if let occupations {
                let row = occupations + index * levels
                for l in 0..<levels { row[l] = Int64(n[l]) }
            }
            energies?[index] = e
            logMultiplicities?[index] = logW
        }
    }
}
