import BoltzmannCore
import CBoltzmann

/// A family of the header's `BZ_*` codes and the engine values they stand for: the one
/// place where a C code meets an engine enum. The numbers are the header's macros,
/// imported from boltzmann.h and never written in Swift; the engine's enums carry no C
/// values. A message about a bad code lists every valid one, name and number.
struct Codes<Value: Equatable>: Sendable where Value: Sendable {
    let entries: [(name: String, code: Int32, value: Value)]

    init(_ entries: [(String, Int32, Value)]) {
        self.entries = entries.map { (name: $0.0, code: $0.1, value: $0.2) }
    }

    /// The engine value of `code`, passed in the C parameter `parameter`, or
    /// BZ_ERR_INVALID_ARGUMENT naming the valid codes.
    func decode(_ code: Int32, _ parameter: String) throws(EngineError) -> Value {
        if let entry = entries.first(where: { $0.code == code }) { return entry.value }
        let names = entries.map { "\($0.name) (\($0.code))" }
        let list = names.count <= 2 ? names.joined(separator: " or ")
            : names.dropLast().joined(separator: ", ") + " or " + names.last!
        throw .invalid("\(parameter) must be \(list), got \(code)")
    }

    /// The code of `value`.
    func code(_ value: Value) -> Int32 {
        entries.first { $0.value == value }!.code
    }
}

// MARK: - The families, in header order

/// Every family of codes the C interface takes or returns.
enum Code {
    static let limit = Codes<Limit>([
        ("BZ_LIMIT_COUNT", BZ_LIMIT_COUNT, .count),
        ("BZ_LIMIT_ITERATIONS", BZ_LIMIT_ITERATIONS, .iterations),
        ("BZ_LIMIT_STEPS", BZ_LIMIT_STEPS, .steps),
        ("BZ_LIMIT_SAMPLER_STEPS", BZ_LIMIT_SAMPLER_STEPS, .samplerSteps),
        ("BZ_LIMIT_BATCH", BZ_LIMIT_BATCH, .batch),
        ("BZ_LIMIT_CHAINS", BZ_LIMIT_CHAINS, .chains),
        ("BZ_LIMIT_BETAS", BZ_LIMIT_BETAS, .betas),
        ("BZ_LIMIT_UNITS", BZ_LIMIT_UNITS, .units),
        ("BZ_LIMIT_WIDTH", BZ_LIMIT_WIDTH, .width),
        ("BZ_LIMIT_SPINS", BZ_LIMIT_SPINS, .spins),
        ("BZ_LIMIT_COUPLINGS", BZ_LIMIT_COUPLINGS, .couplings),
        ("BZ_LIMIT_PAIRWISE_UNITS", BZ_LIMIT_PAIRWISE_UNITS, .pairwiseUnits),
        ("BZ_LIMIT_LAYERS", BZ_LIMIT_LAYERS, .layers),
        ("BZ_LIMIT_MEASUREMENTS", BZ_LIMIT_MEASUREMENTS, .measurements),
        ("BZ_LIMIT_DIMENSION", BZ_LIMIT_DIMENSION, .dimension),
        ("BZ_LIMIT_BLAS", BZ_LIMIT_BLAS, .blas),
        ("BZ_LIMIT_STORED_VALUES", BZ_LIMIT_STORED_VALUES, .storedValues),
    ])

    static let couplings = Codes<IsingModel.CouplingDistribution>([
        ("BZ_COUPLINGS_BIMODAL", BZ_COUPLINGS_BIMODAL, .bimodal),
        ("BZ_COUPLINGS_GAUSSIAN", BZ_COUPLINGS_GAUSSIAN, .gaussian),
    ])

    static let logZMethod = Codes<IsingPartition.Method>([
        ("BZ_LOG_Z_AUTO", BZ_LOG_Z_AUTO, .automatic),
        ("BZ_LOG_Z_ENUMERATE", BZ_LOG_Z_ENUMERATE, .enumerate),
        ("BZ_LOG_Z_TRANSFER", BZ_LOG_Z_TRANSFER, .transfer),
        ("BZ_LOG_Z_KAUFMAN", BZ_LOG_Z_KAUFMAN, .kaufman),
        ("BZ_LOG_Z_AIS", BZ_LOG_Z_AIS, .ais),
        ("BZ_LOG_Z_POPULATION", BZ_LOG_Z_POPULATION, .population),
        ("BZ_LOG_Z_PLANAR", BZ_LOG_Z_PLANAR, .planar),
        ("BZ_LOG_Z_WANG_LANDAU", BZ_LOG_Z_WANG_LANDAU, .wangLandau),
    ])

    static let algorithm = Codes<MonteCarloAlgorithm>([
        ("BZ_MC_METROPOLIS", BZ_MC_METROPOLIS, .metropolis),
        ("BZ_MC_HEAT_BATH", BZ_MC_HEAT_BATH, .heatBath),
        ("BZ_MC_WOLFF", BZ_MC_WOLFF, .wolff),
        ("BZ_MC_SWENDSEN_WANG", BZ_MC_SWENDSEN_WANG, .swendsenWang),
        ("BZ_MC_MULTISPIN", BZ_MC_MULTISPIN, .multispin),
        ("BZ_MC_MULTISPIN_SHARED", BZ_MC_MULTISPIN_SHARED, .multispinShared),
    ])

    static let order = Codes<SweepOrder>([
        ("BZ_ORDER_SEQUENTIAL", BZ_ORDER_SEQUENTIAL, .sequential),
        ("BZ_ORDER_RANDOM", BZ_ORDER_RANDOM, .random),
        ("BZ_ORDER_CHECKERBOARD", BZ_ORDER_CHECKERBOARD, .checkerboard),
        ("BZ_ORDER_COLORED", BZ_ORDER_COLORED, .colored),
    ])

    /// Also the order of the estimates `bz_mc_results` writes (index = code).
    static let observable = Codes<MonteCarlo.Observable>([
        ("BZ_OBS_ENERGY", BZ_OBS_ENERGY, .energy),
        ("BZ_OBS_MAGNETIZATION", BZ_OBS_MAGNETIZATION, .magnetization),
        ("BZ_OBS_ABS_MAGNETIZATION", BZ_OBS_ABS_MAGNETIZATION, .absMagnetization),
        ("BZ_OBS_MAGNETIZATION_SQ", BZ_OBS_MAGNETIZATION_SQ, .magnetizationSquared),
        ("BZ_OBS_MAGNETIZATION_4", BZ_OBS_MAGNETIZATION_4, .magnetizationFourth),
        ("BZ_OBS_HEAT_CAPACITY", BZ_OBS_HEAT_CAPACITY, .heatCapacity),
        ("BZ_OBS_SUSCEPTIBILITY", BZ_OBS_SUSCEPTIBILITY, .susceptibility),
        ("BZ_OBS_BINDER", BZ_OBS_BINDER, .binder),
    ])

    static let schedule = Codes<Annealing.Schedule>([
        ("BZ_SCHEDULE_LINEAR", BZ_SCHEDULE_LINEAR, .linear),
        ("BZ_SCHEDULE_GEOMETRIC", BZ_SCHEDULE_GEOMETRIC, .geometric),
    ])

    static let visibleUnits = Codes<VisibleUnits>([
        ("BZ_RBM_BERNOULLI", BZ_RBM_BERNOULLI, .bernoulli),
        ("BZ_RBM_GAUSSIAN", BZ_RBM_GAUSSIAN, .gaussian),
    ])

    static let metric = Codes<RBMMetric>([
        ("BZ_RBM_METRIC_NONE", BZ_RBM_METRIC_NONE, .none),
        ("BZ_RBM_METRIC_RECONSTRUCTION", BZ_RBM_METRIC_RECONSTRUCTION, .reconstruction),
        ("BZ_RBM_METRIC_PSEUDO_LOG_LIKELIHOOD", BZ_RBM_METRIC_PSEUDO_LOG_LIKELIHOOD, .pseudoLogLikelihood),
    ])

    static let gate = Codes<PBitCircuit.Gate>([
        ("BZ_GATE_NOT", BZ_GATE_NOT, .not),
        ("BZ_GATE_AND", BZ_GATE_AND, .and),
        ("BZ_GATE_OR", BZ_GATE_OR, .or),
        ("BZ_GATE_XOR", BZ_GATE_XOR, .xor),
        ("BZ_GATE_HALF_ADDER", BZ_GATE_HALF_ADDER, .halfAdder),
        ("BZ_GATE_FULL_ADDER", BZ_GATE_FULL_ADDER, .fullAdder),
    ])

    static let rule = Codes<HopfieldRule>([
        ("BZ_HOPFIELD_HEBB", BZ_HOPFIELD_HEBB, .hebb),
        ("BZ_HOPFIELD_STORKEY", BZ_HOPFIELD_STORKEY, .storkey),
    ])

    static let storage = Codes<HopfieldStorage>([
        ("BZ_HOPFIELD_AUTOMATIC", BZ_HOPFIELD_AUTOMATIC, .automatic),
        ("BZ_HOPFIELD_MATRIX", BZ_HOPFIELD_MATRIX, .matrix),
        ("BZ_HOPFIELD_PATTERNS", BZ_HOPFIELD_PATTERNS, .patterns),
    ])

    static let dynamics = Codes<HopfieldDynamics>([
        ("BZ_HOPFIELD_ASYNC", BZ_HOPFIELD_ASYNC, .asynchronous),
        ("BZ_HOPFIELD_SYNC", BZ_HOPFIELD_SYNC, .synchronous),
        ("BZ_HOPFIELD_GLAUBER", BZ_HOPFIELD_GLAUBER, .glauber),
    ])

    static let outcome = Codes<RecallOutcome>([
        ("BZ_RECALL_FIXED_POINT", BZ_RECALL_FIXED_POINT, .fixedPoint),
        ("BZ_RECALL_TWO_CYCLE", BZ_RECALL_TWO_CYCLE, .twoCycle),
        ("BZ_RECALL_SWEEP_LIMIT", BZ_RECALL_SWEEP_LIMIT, .sweepLimit),
    ])

    static let separation = Codes<DenseSeparation>([
        ("BZ_DENSE_SOFTMAX", BZ_DENSE_SOFTMAX, .softmax),
        ("BZ_DENSE_POLYNOMIAL", BZ_DENSE_POLYNOMIAL, .polynomial),
    ])

    static let sde = Codes<ForwardProcess.Kind>([
        ("BZ_SDE_VP", BZ_SDE_VP, .vp),
        ("BZ_SDE_SUB_VP", BZ_SDE_SUB_VP, .subVP),
        ("BZ_SDE_VE", BZ_SDE_VE, .ve),
        ("BZ_SDE_DDPM", BZ_SDE_DDPM, .ddpm),
    ])

    static let ddpmSchedule = Codes<ForwardProcess.DDPMSchedule>([
        ("BZ_DDPM_LINEAR", BZ_DDPM_LINEAR, .linear),
        ("BZ_DDPM_COSINE", BZ_DDPM_COSINE, .cosine),
    ])

    static let prediction = Codes<ScoreParametrisation>([
        ("BZ_PREDICT_EPSILON", BZ_PREDICT_EPSILON, .epsilon),
        ("BZ_PREDICT_DATA", BZ_PREDICT_DATA, .data),
        ("BZ_PREDICT_SCORE", BZ_PREDICT_SCORE, .score),
        ("BZ_PREDICT_EDM", BZ_PREDICT_EDM, .edm),
    ])

    static let weighting = Codes<ScoreTrainingOptions.Weighting>([
        ("BZ_WEIGHT_SIGMA2", BZ_WEIGHT_SIGMA2, .sigmaSquared),
        ("BZ_WEIGHT_G2", BZ_WEIGHT_G2, .gSquared),
    ])

    static let sampling = Codes<SamplingMethod>([
        ("BZ_SAMPLE_EULER_MARUYAMA", BZ_SAMPLE_EULER_MARUYAMA, .eulerMaruyama),
        ("BZ_SAMPLE_PC", BZ_SAMPLE_PC, .predictorCorrector),
        ("BZ_SAMPLE_ODE_EULER", BZ_SAMPLE_ODE_EULER, .odeEuler),
        ("BZ_SAMPLE_ODE_HEUN", BZ_SAMPLE_ODE_HEUN, .odeHeun),
        ("BZ_SAMPLE_ANCESTRAL", BZ_SAMPLE_ANCESTRAL, .ancestral),
        ("BZ_SAMPLE_ANNEALED_LANGEVIN", BZ_SAMPLE_ANNEALED_LANGEVIN, .annealedLangevin),
        ("BZ_SAMPLE_REVERSE_DIFFUSION", BZ_SAMPLE_REVERSE_DIFFUSION, .reverseDiffusion),
        ("BZ_SAMPLE_ODE_RK45", BZ_SAMPLE_ODE_RK45, .odeRK45),
        ("BZ_SAMPLE_EDM_HEUN", BZ_SAMPLE_EDM_HEUN, .edmHeun),
        ("BZ_SAMPLE_DDIM", BZ_SAMPLE_DDIM, .ddim),
        ("BZ_SAMPLE_DPM_SOLVER_2M", BZ_SAMPLE_DPM_SOLVER_2M, .dpmSolver2M),
        ("BZ_SAMPLE_DPM_SOLVER_3M", BZ_SAMPLE_DPM_SOLVER_3M, .dpmSolver3M),
        ("BZ_SAMPLE_UNIPC", BZ_SAMPLE_UNIPC, .uniPC),
    ])

    /// BZ_GRID_DEFAULT is nil: the sampler's own grid.
    static let grid = Codes<NoiseGrid?>([
        ("BZ_GRID_DEFAULT", BZ_GRID_DEFAULT, nil),
        ("BZ_GRID_TIME", BZ_GRID_TIME, .timeUniform),
        ("BZ_GRID_LOG_SNR", BZ_GRID_LOG_SNR, .logSNR),
        ("BZ_GRID_EDM", BZ_GRID_EDM, .edm),
    ])

    static let divergence = Codes<LikelihoodOptions.Divergence>([
        ("BZ_DIVERGENCE_EXACT", BZ_DIVERGENCE_EXACT, .exact),
        ("BZ_DIVERGENCE_HUTCHINSON", BZ_DIVERGENCE_HUTCHINSON, .hutchinson),
    ])

    static let langevin = Codes<LangevinSampler.Method>([
        ("BZ_LANGEVIN_ULA", BZ_LANGEVIN_ULA, .unadjusted),
        ("BZ_LANGEVIN_MALA", BZ_LANGEVIN_MALA, .metropolisAdjusted),
    ])

    static let toyData = Codes<ToyData>([
        ("BZ_TOY_EIGHT_GAUSSIANS", BZ_TOY_EIGHT_GAUSSIANS, .eightGaussians),
        ("BZ_TOY_TWO_MOONS", BZ_TOY_TWO_MOONS, .twoMoons),
        ("BZ_TOY_SWISS_ROLL", BZ_TOY_SWISS_ROLL, .swissRoll),
        ("BZ_TOY_CHECKERBOARD", BZ_TOY_CHECKERBOARD, .checkerboard),
        ("BZ_TOY_RINGS", BZ_TOY_RINGS, .rings),
    ])
}
