import Glibc

/// One front door to log Z of any Ising model: exactly where a method applies,
/// estimated with a standard error otherwise, and the method used named with the
/// reason the exact ones did not apply.
public enum IsingPartition {
    /// The methods.
    public enum Method: Sendable, CaseIterable {
        /// The cheapest exact method that applies, else annealed importance sampling
        /// (see `logPartition` for the order).
        case automatic
        /// All 2^N states (`IsingEnumeration`).
        case enumerate
        /// The transfer matrix over the frontier (`StripTransfer`).
        case transfer
        /// Kaufman's solution of the uniform periodic square lattice without field.
        case kaufman
        /// Annealed importance sampling from beta = 0 (`IsingAIS`).
        case ais
        /// Population annealing from beta = 0 (`PopulationAnnealing`).
        case population
        /// The Kasteleyn Pfaffian of a zero-field square lattice (`PlanarIsing`).
        case planar
        /// Wang-Landau's density of states (`WangLandau`), then log Z from it.
        case wangLandau

        public var name: String {
            switch self {
            case .automatic: "auto"
            case .enumerate: "enumerate"
            case .transfer: "transfer"
            case .kaufman: "kaufman"
            case .ais: "ais"
            case .population: "population"
            case .planar: "planar"
            case .wangLandau: "wang_landau"
            }
        }
    }

    /// What `logPartition` may use and how hard the estimators work.
    public struct Options: Sendable {
        public var method = Method.automatic
        /// Caps of the exact methods (0: their defaults).
        public var maxSpins = 0, maxBits = 0
        /// AIS: runs, betas from 0 to beta (evenly spaced), sweeps at each, the
        /// single-spin rule and the seed. Population annealing: `runs` replicas in each
        /// of `populations` populations, and the rest as AIS.
        public var runs = 100, betaCount = 1000, sweeps = 1, populations = 16
        public var algorithm = MonteCarloAlgorithm.metropolis
        public var seed: UInt64 = 0
        /// Wang-Landau's options (their own runs and seed).
        public var wangLandau = WangLandau.Options()
        public init() {}
    }

    /// log Z with its standard error (0 when exact), AIS's effective sample size
    /// (NaN when exact), the method used and, from `.automatic`, why no cheaper exact
    /// method applied ("" when the first choice did).
    public struct Estimate: Sendable {
        public let value: Double
        public let standardError: Double
        public let effectiveSampleSize: Double
        public let method: Method
        public let note: String
    }

    /// Enumeration is chosen up to this many spins (2^24 states: under a second).
    public static let automaticEnumerationSpins = 24
    /// The transfer matrix is chosen first up to this many bits (2^16 states per
    /// spin: milliseconds per beta), as it is exact to rounding at every beta where
    /// the planar Pfaffian loses digits in frustrated models at low temperature.
    public static let automaticTransferBits = 16

    /// The planar Pfaffian's log Z, or nil with `reason` set when it refuses the model
    /// at this beta (UNSUPPORTED: a torus whose four Pfaffians cancel); other errors
    /// propagate.
    private static func planarOrRefusal(_ model: IsingModel, _ beta: Double, _ monitor: WorkMonitor,
                                        _ reason: inout String?) throws(EngineError) -> Double? {
        do {
            return try PlanarIsing.thermodynamics(model, betas: [beta], derivatives: false, monitor: monitor).logZ[0]
        } catch where error.kind == .unsupported {
            reason = error.message
            return nil
        }
    }

    /// Why Kaufman's solution does not apply to `model`, or nil when it does: a
    /// periodic m x n square lattice (m, n >= 3) with one coupling on every bond and
    /// no field.
    static func kaufmanObstacle(_ model: IsingModel) -> String? {
        guard let lattice = model.lattice, lattice.dimensions.count == 2, lattice.periodic else {
            return "not a periodic square lattice"
        }
        let (m, n) = (lattice.dimensions[0], lattice.dimensions[1])
        guard m >= 3, n >= 3, model.couplingCount == 2 * m * n else { return "a lattice side below 3" }
        guard let coupling = model.edgeCoupling.first, model.edgeCoupling.allSatisfy({ $0 == coupling }) else {
            return "the couplings differ"
        }
        guard model.fields.allSatisfy({ $0 == 0 }) else { return "the fields are not zero" }
        return nil
    }

    /// Exact thermodynamics at every beta by the cheapest exact method that applies:
    /// enumeration up to `maxSpins` (0: `IsingEnumeration.defaultMaxSpins`; it alone
    /// gives <|m|>), else the transfer matrix when its plan fits `maxBits` (0: its
    /// default), else the planar Pfaffian when it applies at every beta (its
    /// magnetisations NaN). The method used is returned.
    /// - Throws: as the method used; INVALID_ARGUMENT for caps out of range, empty or
    ///   non-finite betas; LIMIT_EXCEEDED when none applies, naming each obstacle.
    public static func exactThermodynamics(_ model: IsingModel, betas: [Double], maxSpins: Int = 0, maxBits: Int = 0,
                                           monitor: WorkMonitor = .none())
        throws(EngineError) -> (result: IsingEnumeration.Thermodynamics, method: Method) {
        try Check.nonEmpty(betas.count, "betas")
        try Check.allFinite(betas, "betas")
        guard maxSpins >= 0, maxSpins <= IsingEnumeration.maxSpinsLimit else {
            throw .invalid("max_spins must be in [1, \(IsingEnumeration.maxSpinsLimit)] (0 for the default \(IsingEnumeration.defaultMaxSpins)), got \(maxSpins)")
        }
        guard maxBits >= 0, maxBits <= StripTransfer.maxBits else {
            throw .invalid("max_bits must be in [1, \(StripTransfer.maxBits)] (0: \(StripTransfer.defaultMaxBits)), got \(maxBits)")
        }
        let spinCap = maxSpins == 0 ? IsingEnumeration.defaultMaxSpins : maxSpins
        if model.spinCount <= spinCap {
            return (try IsingEnumeration.thermodynamics(model, betas: betas, maxSpins: maxSpins, monitor: monitor), .enumerate)
        }
        let plan = StripTransfer.plan(model), bitCap = maxBits == 0 ? StripTransfer.defaultMaxBits : maxBits
        if plan.bits <= bitCap {
            return (try StripTransfer.thermodynamics(model, betas: betas, maxBits: maxBits, monitor: monitor), .transfer)
        }
        var planar = PlanarIsing.obstacle(model)
        if planar == nil { planar = betas.lazy.compactMap { PlanarIsing.obstacle(model, beta: $0) }.first }
        if planar == nil {
            do {
                let table = try PlanarIsing.thermodynamics(model, betas: betas, monitor: monitor)
                let none = [Double](repeating: .nan, count: betas.count)
                return (IsingEnumeration.Thermodynamics(table: table, magnetization: none, absMagnetization: none, magnetizationSquared: none),
                        .planar)
            } catch where error.kind == .unsupported {
                planar = error.message
            }
        }
        throw EngineError(.limitExceeded, "no exact method applies: \(model.spinCount) spins is above the enumeration cap of \(spinCap) (max_spins, at most \(IsingEnumeration.maxSpinsLimit)); "
            + "the transfer matrix needs 2^\(plan.bits) states per step (frontier \(plan.frontier), \(plan.conditioned) conditioned), above 2^\(bitCap) (max_bits); "
            + "the planar Pfaffian: \(planar!)")
    }

    /// log Z(beta) by `options.method`. `.automatic` tries, in order: enumeration up
    /// to `automaticEnumerationSpins`; the transfer matrix up to
    /// `automaticTransferBits`; Kaufman's solution; the planar Pfaffian; the transfer
    /// matrix up to its cap; else AIS, with a note naming why each exact method failed.
    /// - Throws: as the method chosen; INVALID_ARGUMENT for a method that does not
    ///   apply to the model (naming why) or a non-finite beta.
    public static func logPartition(_ model: IsingModel, beta: Double, options: Options = Options(),
                                    monitor: WorkMonitor = .none()) throws(EngineError) -> Estimate {
        try Check.finite(beta, "beta")
        var method = options.method, note = ""
        if method == .automatic {
            let plan = StripTransfer.plan(model)
            let cap = options.maxBits == 0 ? StripTransfer.defaultMaxBits : options.maxBits
            let kaufman = kaufmanObstacle(model)
            var planar = PlanarIsing.obstacle(model, beta: beta)
            if model.spinCount <= automaticEnumerationSpins {
                method = .enumerate
            } else if plan.bits <= min(cap, automaticTransferBits) {
                method = .transfer
            } else if kaufman == nil {
                method = .kaufman
            } else if planar == nil, let value = try planarOrRefusal(model, beta, monitor, &planar) {
                return Estimate(value: value, standardError: 0, effectiveSampleSize: .nan, method: .planar, note: "")
            }
            if method == .automatic {
                if plan.bits <= cap {
                    method = .transfer
                } else {
                    method = .ais
                    note = "no exact method applies: \(model.spinCount) spins is above \(automaticEnumerationSpins) for enumeration; "
                        + "the transfer matrix needs 2^\(plan.bits) states per step (frontier \(plan.frontier), \(plan.conditioned) conditioned), above 2^\(cap); "
                        + "Kaufman's solution: \(kaufman!); the planar Pfaffian: \(planar!)"
                }
            }
        }
        switch method {
        case .enumerate:
            let r = try IsingEnumeration.thermodynamics(model, betas: [beta], maxSpins: options.maxSpins, monitor: monitor)
            return Estimate(value: r.table.logZ[0], standardError: 0, effectiveSampleSize: .nan, method: method, note: note)
        case .transfer:
            let r = try StripTransfer.thermodynamics(model, betas: [beta], maxBits: options.maxBits, moments: false, monitor: monitor)
            return Estimate(value: r.table.logZ[0], standardError: 0, effectiveSampleSize: .nan, method: method, note: note)
        case .planar:
            let table = try PlanarIsing.thermodynamics(model, betas: [beta], derivatives: false, monitor: monitor)
            return Estimate(value: table.logZ[0], standardError: 0, effectiveSampleSize: .nan, method: method, note: note)
        case .kaufman:
            if let obstacle = kaufmanObstacle(model) { throw .invalid("Kaufman's solution does not apply: \(obstacle)") }
            let lattice = model.lattice!
            let table = try IsingSquare.kaufman(rows: lattice.dimensions[0], columns: lattice.dimensions[1],
                                                coupling: model.edgeCoupling[0], betas: [beta])
            return Estimate(value: table.logZ[0], standardError: 0, effectiveSampleSize: .nan, method: method, note: note)
        case .wangLandau:
            let r = try WangLandau.run(model, options: options.wangLandau, monitor: monitor)
            let (table, errors) = r.thermodynamics(betas: [beta])
            let warning = r.converged ? "" : "a Wang-Landau run stopped at max_sweeps (\(options.wangLandau.maxSweeps)) before ln f reached final_log_f: the error may be too small"
            return Estimate(value: table.logZ[0], standardError: errors[0], effectiveSampleSize: .nan, method: method, note: warning)
        case .ais, .population:
            let what = method == .ais ? "annealed importance sampling" : "population annealing"
            guard beta >= 0 else { throw .invalid("\(what) needs beta >= 0, got \(beta)") }
            guard options.betaCount >= 2 else { throw .invalid("the \(what) schedule needs at least 2 betas, got \(options.betaCount)") }
            try Limit.steps.check(options.betaCount, "options.n_betas", from: 2)
            let count = options.betaCount
            let betas = beta == 0 ? [0] : (0..<count).map { $0 == count - 1 ? beta : beta * Double($0) / Double(count - 1) }
            if method == .population {
                let r = try PopulationAnnealing.run(model, betas: betas, replicas: options.runs, populations: options.populations,
                                                    sweeps: options.sweeps, algorithm: options.algorithm, seed: options.seed, monitor: monitor)
                return Estimate(value: r.logZ.last!, standardError: r.logZError.last!,
                                effectiveSampleSize: r.effectiveFraction.last! * Double(options.runs), method: method, note: note)
            }
            let r = try IsingAIS.run(model, betas: betas, runs: options.runs, sweeps: options.sweeps,
                                     algorithm: options.algorithm, seed: options.seed, monitor: monitor)
            return Estimate(value: r.logZ.last!, standardError: r.standardError.last!, effectiveSampleSize: r.effectiveSampleSize.last!,
                            method: method, note: note)
        case .automatic:
            throw .invalid("the automatic method resolves to another before this point")
        }
    }
}
