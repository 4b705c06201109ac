/*
 * boltzmann.h -- the C interface of libboltzmann, a statistical-physics and
 * energy-based-model engine.
 *
 * This header is the contract: the Swift implementation is compiled against it
 * (`@c @implementation`), so a signature here cannot drift from the library.
 *
 * CONVENTIONS (they hold for every function unless its comment says otherwise)
 *
 *   Names      bz_<object>_<verb>; macros BZ_*; opaque handles bz_<object>.
 *   Status     Every fallible function returns a bz_status: BZ_OK (0) or one of
 *              the BZ_ERR_* codes below. On failure, bz_last_error() holds a
 *              message naming the offending argument, and no output has been
 *              written unless the function's comment says so.
 *   Outputs    A function that makes a handle takes it first, as bz_X **out;
 *              *out is NULL unless the call succeeds. Other outputs follow the
 *              inputs they are computed from. Arrays are caller-allocated,
 *              row-major, contiguous; their lengths are passed explicitly as
 *              int64_t and checked. Optional outputs may be NULL ("not wanted").
 *   Options    An operation with more than a few settings takes a versioned
 *              struct: fill it with bz_X_options_init (the only place the
 *              defaults are written), change fields, pass it. It is checked as
 *              a whole before anything changes; a version the library does not
 *              know is BZ_ERR_INVALID_ARGUMENT.
 *   Limits     Sizes are bounded by named limits (BZ_LIMIT_*, reported by
 *              bz_limit); comments cite the names.
 *   Units      Energies in units where k_B = 1; beta = 1/T in inverse energy
 *              units. Logarithms are natural. Physics quantities are double.
 *   Handles    bz_X_create(&out, ...) allocates, bz_X_free(h) releases;
 *              bz_X_free(NULL) and freeing a handle twice are harmless no-ops.
 *              A freed, foreign or never-created handle passed to any other
 *              function is reported as BZ_ERR_INVALID_HANDLE, never a crash.
 *   Memory     The library never returns memory the caller must release with
 *              anything other than a bz_ function (bz_free or bz_X_free).
 *   Threads    Functions may be called from any thread. Distinct handles are
 *              independent; a handle documented as immutable may be shared by
 *              threads freely. The library parallelises large work internally,
 *              bounded by bz_set_num_threads().
 *   fork()     A child may call the library at once, even if other threads of
 *              the parent were inside bz_ calls when it forked (multiprocessing,
 *              joblib, Dask, Jupyter): the library's locks are taken before the
 *              fork and released on both sides, and its worker threads are
 *              recreated on demand. A handle that a call on another thread was
 *              using is free in the child; that call's work is lost there. Monte
 *              Carlo, tempering and score training work on copies, so such a
 *              handle holds its state from before the call; an RBM cut off
 *              mid-fit holds the weights the fit had reached.
 *   Reproducibility
 *              (1) Same seed, same inputs, same library on the same machine:
 *              bit-identical results. (2) The thread count never changes a
 *              bit: work is cut into tasks fixed by the shapes and the
 *              machine, never by bz_set_num_threads(). (3) Rows are
 *              independent: row r of a batch draws from its own stream
 *              (seed, r), so its result does not depend on the other rows --
 *              bit for bit where rows are computed apart (Monte Carlo chains,
 *              samplers on a Gaussian-mixture score, Langevin), but only to
 *              float rounding where rows share a BLAS product (learned and
 *              empirical scores, dense Hopfield retrieval, RBM conditionals
 *              and free energies, the starting fields of Hopfield recall):
 *              some OpenBLAS kernels (Haswell's, Zen's) accumulate a row's dot
 *              products in an order that depends on how many rows share the
 *              product, so another split of a batch changes the last bits
 *              (and a stochastic path that later compares such a value with a
 *              uniform may take another branch). (4) Across machines, results
 *              agree to rounding: OpenBLAS chooses its kernels by processor
 *              (and OPENBLAS_CORETYPE); the library's own elementwise kernels
 *              give the same bits on every x86-64 processor. `make test`
 *              checks (1)-(3) under every OpenBLAS core type the machine runs.
 *   Bad input  No input crashes the process: NULL pointers, non-positive
 *              counts, disagreeing lengths, NaN/inf values and dead handles are
 *              reported as statuses. Every buffer the library sizes from the
 *              caller's counts (and their products: chains x spins, replicas x
 *              betas x spins, reads x spins, measurements, samples, a Hopfield
 *              or RBM matrix, a composite spectrum) is checked before it is
 *              made: beyond any address space BZ_ERR_LIMIT_EXCEEDED, beyond what
 *              the system grants (RLIMIT_AS included) BZ_ERR_OUT_OF_MEMORY, with
 *              the size in the message.
 *
 * Sections, in order: core (versions, statuses, errors, threads, interrupts);
 * thermodynamics (spectra, maximum entropy, composition); microstates
 * (multiplicities and macrostates); occupations (Fermi-Dirac and mean field);
 * ising (models, enumeration, exact solutions, mean field); mc (Monte Carlo
 * sampling of Ising models); pt (parallel tempering, simulated annealing); rbm
 * (restricted Boltzmann machines, bars and stripes); bm (fully visible
 * Boltzmann machines); pbits (invertible logic circuits); hopfield (Hebb and
 * Storkey networks); dense_hopfield (modern Hopfield networks); diffusion
 * (forward processes, score models, samplers, Langevin, toy data); metrics
 * (two-sample distances).
 */
#ifndef BOLTZMANN_H
#define BOLTZMANN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==========================================================================
 * Core: versions, statuses, errors, threads, memory
 * ========================================================================== */

/* Version of this header. The library reports its own at run time
 * (bz_version_number); a binding refuses a library whose major differs. */
#define BZ_VERSION_MAJOR 3
#define BZ_VERSION_MINOR 5
#define BZ_VERSION_PATCH 0
#define BZ_VERSION_STRING "3.5.0"
#define BZ_VERSION_NUMBER (BZ_VERSION_MAJOR * 10000 + BZ_VERSION_MINOR * 100 + BZ_VERSION_PATCH)

/* Version of the binary interface: bumped whenever a declared function changes
 * signature or meaning. Bindings check it at load time. From 3.0.0 on the
 * library's major version is its ABI version. */
#define BZ_ABI_VERSION 3

/* Status codes. The numbers are part of the ABI: codes are only ever appended,
 * never renumbered or reused. */
typedef int32_t bz_status;
#define BZ_OK                    0  /* success */
#define BZ_ERR_NULL_POINTER      1  /* a required pointer argument was NULL */
#define BZ_ERR_INVALID_ARGUMENT  2  /* a value is outside its documented domain */
#define BZ_ERR_SHAPE_MISMATCH    3  /* array lengths disagree with each other or with a handle */
#define BZ_ERR_NON_FINITE        4  /* a NaN or infinity where a finite number is required */
#define BZ_ERR_OUT_OF_MEMORY     5  /* an allocation failed */
#define BZ_ERR_IO                6  /* reading or writing a file failed */
#define BZ_ERR_BAD_FORMAT        7  /* a file or byte buffer is not in the expected format */
#define BZ_ERR_CANCELLED         8  /* a progress callback or bz_*_interrupt stopped the call */
#define BZ_ERR_WRONG_STATE       9  /* the handle is not in a state that allows the call */
#define BZ_ERR_UNSUPPORTED      10  /* the combination of options is not supported */
#define BZ_ERR_INVALID_HANDLE   11  /* the handle was freed, never created, or of another type */
#define BZ_ERR_LIMIT_EXCEEDED   12  /* the work exceeds a size limit the caller may raise */
#define BZ_ERR_NOT_CONVERGED    13  /* an iteration stopped before meeting its tolerance */
#define BZ_ERR_BUSY             14  /* the handle is in use by another call (re-entry refused) */
#define BZ_ERR_INTERNAL         15  /* a defect in the library: please report it */

/* Longest message bz_last_error() returns, including its terminating NUL. */
#define BZ_ERROR_MESSAGE_MAX 1024

/* A static, human-readable name for `status` ("invalid argument"); never NULL.
 * Unknown codes give "unknown status". Thread-safe. */
const char *bz_status_string(bz_status status);

/* The message of the last failure on the calling thread, e.g.
 * "n_levels must be > 0, got -3". Never NULL (empty before any failure);
 * owned by the library; valid until the next failing call on this thread.
 * Successful calls do not clear it. */
const char *bz_last_error(void);

/* The library's version as MAJOR*10000 + MINOR*100 + PATCH. */
int32_t bz_version_number(void);

/* The library's version as a static string, "MAJOR.MINOR.PATCH". */
const char *bz_version_string(void);

/* The library's BZ_ABI_VERSION. */
int32_t bz_abi_version(void);

/* Bound the threads the library uses for one call (its own workers and
 * OpenBLAS). n_threads >= 1 sets the bound; 0 restores the default: the
 * environment variable BOLTZMANN_NUM_THREADS when it holds a positive integer
 * (read once, at the first call that asks), else the number of online
 * processors. Process-wide; takes effect for calls that start afterwards.
 * Errors: BZ_ERR_INVALID_ARGUMENT if n_threads < 0. */
bz_status bz_set_num_threads(int32_t n_threads);

/* The current bound on threads (>= 1). */
int32_t bz_get_num_threads(void);

/* Limits. Every size the library bounds has a name here; bz_limit reports the
 * largest value accepted. Function comments cite the names. Each limit keeps
 * memory, byte counts or run time representable; none says anything about the
 * physics. Counts past a limit get BZ_ERR_INVALID_ARGUMENT, sizes that could not
 * be stored BZ_ERR_LIMIT_EXCEEDED. */
#define BZ_LIMIT_COUNT          0  /* elements of any array, any product of sizes */
#define BZ_LIMIT_ITERATIONS     1  /* iterations that store nothing per iteration:
                                      epochs, training steps, recall sweeps, Langevin
                                      steps, samples drawn */
#define BZ_LIMIT_STEPS          2  /* steps that keep a table or state per step: Gibbs
                                      steps k, DDPM and dense-Hopfield steps, corrector
                                      steps, fully visible sweeps */
#define BZ_LIMIT_SAMPLER_STEPS  3  /* time steps of a diffusion sampler's grid */
#define BZ_LIMIT_BATCH          4  /* rows alive at once: a minibatch, an RBM's
                                      persistent or sampling chains, fully visible
                                      chains, projections, mixture components */
#define BZ_LIMIT_CHAINS         5  /* Monte Carlo chains of one handle or call: chains,
                                      reads, replicas x betas, AIS runs */
#define BZ_LIMIT_BETAS          6  /* betas of one tempering ladder */
#define BZ_LIMIT_UNITS          7  /* units of one layer or circuit: RBM layers, p-bit
                                      circuit nodes, the side of an exact square lattice */
#define BZ_LIMIT_WIDTH          8  /* width of a dense matrix: a dense Ising model or
                                      QUBO, a Hopfield coupling matrix, an MLP's dim and
                                      hidden widths */
#define BZ_LIMIT_SPINS          9  /* spins of an Ising model, neurons of a Hopfield
                                      network without a matrix */
#define BZ_LIMIT_COUPLINGS      10 /* coupled pairs of an Ising model */
#define BZ_LIMIT_PAIRWISE_UNITS 11 /* units whose every pair is a parameter: a fully
                                      visible machine's spins, a Gaussian mixture's dim,
                                      an MLP's time embedding */
#define BZ_LIMIT_LAYERS         12 /* hidden layers of an MLP */
#define BZ_LIMIT_MEASUREMENTS   13 /* stored Monte Carlo measurements of one run, over
                                      all chains */
#define BZ_LIMIT_DIMENSION      14 /* dimension of continuous states: dense Hopfield
                                      patterns, samples, diffusion data */
#define BZ_LIMIT_BLAS           15 /* rows or entries of one matrix in a BLAS product
                                      (BLAS sizes are 32-bit): an RBM's weights, its
                                      chains x layer width, dense Hopfield patterns */
#define BZ_LIMIT_STORED_VALUES  16 /* values one call keeps at once: Hopfield patterns
                                      x neurons, samples x dim */
#define BZ_N_LIMITS             17

/* *out = the largest value accepted under limit (BZ_LIMIT_*).
 * Errors: NULL_POINTER, INVALID_ARGUMENT (an unknown limit). */
bz_status bz_limit(int32_t limit, int64_t *out);

/* Release memory the library allocated and handed to the caller. NULL is a
 * no-op. Never pass memory from another allocator, nor a handle (handles have
 * their own bz_X_free). */
void bz_free(void *pointer);

/* Model files (bz_rbm_save, bz_score_save, and their _load).
 * Saving writes a temporary file beside the target, fsyncs it, renames it over
 * the target and fsyncs the directory: a crash, a kill -9, a full disk or any
 * failure leaves the old file or the new one, whole, never neither. A symbolic
 * link is followed (its target is replaced, the link stays); an existing
 * file's permission bits are kept (a 0600 model stays private), a new file
 * gets 0666 less the umask. Threads and processes may save to one path at
 * once (the last rename wins). Temporaries are named ".NAME.bz-tmp-PID-...";
 * those of processes that no longer run are removed by the next save to the
 * same path. A target that is a directory, FIFO or device is refused
 * (BZ_ERR_IO) before anything is written. Loading refuses anything but a
 * regular file (a FIFO does not block) and checks the magic bytes before
 * reading the rest (BZ_ERR_BAD_FORMAT). */

/* A progress callback for long calls: called on the calling thread (never on a
 * worker) with the units of work done so far and the total, first with
 * done = 0 so the caller learns the total before the work starts, and once
 * more with done == total when the work is complete (its return value is then
 * ignored: the call succeeds); `metric` is a call-specific figure documented
 * per function (NaN when none). Return 0 to continue, non-zero to stop: the
 * call then returns BZ_ERR_CANCELLED, writes no output, and leaves every
 * handle usable. */
typedef int (*bz_progress_fn)(void *user, int64_t done, int64_t total, double metric);

/* Ask the long calls on `handle` (any bz_ handle) to stop soon with
 * BZ_ERR_CANCELLED (every long call checks at least every few milliseconds).
 * The request stops every call running on the handle and every call that
 * starts before they have all returned; sent to an idle handle, it stops the
 * next call. It is cleared when the last call it stopped returns, so
 * concurrent calls on one handle never clear each other's. Safe to call from
 * any thread (not from a signal handler: it takes a lock).
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_interrupt(const void *handle);

/* Ask every long call now running on the kernel thread `thread_id` (gettid();
 * Python's threading.get_native_id()) to stop soon with BZ_ERR_CANCELLED, as
 * bz_interrupt does for a handle's calls. The way to stop calls that take no
 * handle (bz_energy_distance, bz_sliced_wasserstein, bz_mmd, bz_ito_integral,
 * bz_anneal, ...). With no long call running on that thread it does nothing.
 * Safe to call from any thread (not from a signal handler).
 * Errors: INVALID_ARGUMENT (thread_id <= 0 or above 2^31 - 1). */
bz_status bz_interrupt_thread(int64_t thread_id);

/* ==========================================================================
 * Thermodynamics: spectra, partition functions, maximum entropy
 *
 * A spectrum is a list of levels with energies E_i and degeneracies g_i > 0
 * (stored as log g_i so that huge counts such as binomial coefficients are
 * exact in range). For inverse temperature beta:
 *
 *   log Z  = log sum_i g_i exp(-beta E_i)         (log-sum-exp, never Z itself)
 *   F      = -log Z / beta                        (NaN at beta = 0: undefined)
 *   U      = <E>      = sum_i p_i E_i
 *   S      = beta U + log Z   = -sum_microstates p ln p
 *   C      = beta^2 Var(E)    (heat capacity, k_B = 1)
 *   p_i    = g_i exp(-beta E_i) / Z                (probability of level i)
 *
 * Any finite beta is allowed, negative included (every finite spectrum is
 * bounded). Accurate without overflow or underflow for |beta E| up to 1e300:
 * moments are accumulated in reduced units about the extreme level, and terms
 * below e^-708 of the largest are dropped (a relative change under 1e-300).
 * Beyond that, log Z may overflow to +-inf (its true value is out of range) while
 * F, U, S and C stay finite and exact.
 * Threads: a bz_spectrum is immutable after creation: share it between threads
 * freely.
 * ========================================================================== */

typedef struct bz_spectrum bz_spectrum;

/* Create a spectrum from n_levels energies and optional degeneracies.
 *   out           receives the new handle (set to NULL on failure)
 *   energies      [n_levels] finite; max(E) - min(E) must be finite
 *   degeneracies  [n_levels] finite and > 0, or NULL for all 1
 * Errors: NULL_POINTER, INVALID_ARGUMENT (n_levels <= 0, g_i <= 0),
 *         NON_FINITE, OUT_OF_MEMORY. */
bz_status bz_spectrum_create(bz_spectrum **out, const double *energies,
                             const double *degeneracies, int64_t n_levels);

/* As bz_spectrum_create, with log g_i given directly (any finite real; NULL
 * for all 0). Use it when degeneracies overflow a double.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_spectrum_create_log(bz_spectrum **out, const double *energies,
                                 const double *log_degeneracies, int64_t n_levels);

/* Release a spectrum. NULL and already-freed handles are ignored. */
void bz_spectrum_free(bz_spectrum *spectrum);

/* Number of levels of the spectrum.
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_spectrum_size(const bz_spectrum *spectrum, int64_t *out_n_levels);

/* Copy the levels out: energies[n_levels] and log_degeneracies[n_levels]
 * (either may be NULL). n_levels must equal bz_spectrum_size.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH. */
bz_status bz_spectrum_levels(const bz_spectrum *spectrum, double *energies,
                             double *log_degeneracies, int64_t n_levels);

/* Thermodynamics at n_betas inverse temperatures in one pass over the levels.
 *   betas          [n_betas] finite, any sign, any order
 *   log_z, free_energy, energy, entropy, heat_capacity
 *                  [n_betas] each, or NULL when not wanted;
 *                  free_energy[k] is NaN where betas[k] == 0.
 * Multi-threaded over levels and betas; results do not depend on the thread
 * count. Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT
 * (n_betas <= 0), NON_FINITE. */
bz_status bz_spectrum_thermo(const bz_spectrum *spectrum, const double *betas,
                             int64_t n_betas, double *log_z, double *free_energy,
                             double *energy, double *entropy,
                             double *heat_capacity);

/* Boltzmann probabilities of the levels at one beta (the softmax of
 * log g_i - beta E_i): probabilities[n_levels], summing to 1.
 * Errors: NULL_POINTER, INVALID_HANDLE, NON_FINITE, SHAPE_MISMATCH. */
bz_status bz_spectrum_probabilities(const bz_spectrum *spectrum, double beta,
                                    double *probabilities, int64_t n_levels);

/* Maximum entropy (Jaynes): the Lagrange multiplier beta whose Boltzmann
 * distribution over the levels has mean energy target_mean, i.e. the root of
 * -d log Z / d beta = target_mean. The mean is strictly decreasing in beta, so
 * the root is unique; it is found by safeguarded Newton (Newton steps on
 * d log Z/d beta with Var(E) as the slope, falling back to bisection of a
 * bracket) to full double precision.
 * Errors: INVALID_ARGUMENT when target_mean is not strictly between the
 * smallest and largest energy (no finite beta attains it), NON_FINITE,
 * NULL_POINTER, INVALID_HANDLE, NOT_CONVERGED (not expected). */
bz_status bz_spectrum_solve_beta(const bz_spectrum *spectrum, double target_mean,
                                 double *out_beta);

/* Largest composite bz_spectrum_compose builds when max_levels is 0. */
int64_t bz_spectrum_compose_default_limit(void);

/* The spectrum of two independent subsystems: levels E_i + E'_j with
 * degeneracy g_i g'_j, sorted by energy, with energies equal to within
 * 1e-12 of the largest |energy| merged (degeneracies added). Its log Z is
 * log Z_a + log Z_b at every beta.
 *   max_levels  refuse (BZ_ERR_LIMIT_EXCEEDED) when n_a * n_b exceeds it;
 *               0 means bz_spectrum_compose_default_limit().
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (max_levels < 0),
 *         LIMIT_EXCEEDED, OUT_OF_MEMORY. */
bz_status bz_spectrum_compose(bz_spectrum **out, const bz_spectrum *a,
                              const bz_spectrum *b, int64_t max_levels);

/* ==========================================================================
 * Microstates: N distinguishable units on L levels with energies e_0..e_{L-1}
 *
 * A macrostate is an occupation vector (n_0..n_{L-1}), sum n_l = N. Its energy
 * is E = sum_l n_l e_l and its multiplicity (number of microstates) is
 * W = N! / prod_l n_l!, reported as ln W = ln N! - sum_l ln n_l!.
 * There are C(N+L-1, L-1) macrostates, and sum W e^{-beta E} = z^N where
 * z = sum_l e^{-beta e_l} is the one-unit partition function.
 * ========================================================================== */

/* ln W of one occupation vector: occupations[n_levels], each >= 0.
 * Errors: NULL_POINTER, INVALID_ARGUMENT (n_levels <= 0, negative entry,
 *         total beyond int64). */
bz_status bz_log_multiplicity(const int64_t *occupations, int64_t n_levels,
                              double *out_log_multiplicity);

/* Energy sum_l n_l e_l of one occupation vector (occupations >= 0,
 * level_energies finite, both [n_levels]).
 * Errors: NULL_POINTER, INVALID_ARGUMENT (negative entry, a total energy that
 *         overflows a double), NON_FINITE. */
bz_status bz_occupation_energy(const int64_t *occupations,
                               const double *level_energies, int64_t n_levels,
                               double *out_energy);

/* Number of macrostates C(n_units + n_levels - 1, n_levels - 1), exactly.
 * Errors: INVALID_ARGUMENT (n_units < 0, n_levels <= 0), LIMIT_EXCEEDED when
 * the count exceeds INT64_MAX. */
bz_status bz_macrostate_count(int64_t n_units, int64_t n_levels,
                              int64_t *out_count);

/* Largest enumeration bz_macrostates / bz_spectrum_create_microcanonical
 * perform when max_states is 0. */
int64_t bz_macrostates_default_limit(void);

/* Enumerate every macrostate, in reverse lexicographic order of occupations
 * starting from (N, 0, ..., 0) and ending at (0, ..., 0, N).
 *   level_energies      [n_levels] finite
 *   max_states          refuse (LIMIT_EXCEEDED) above this count; 0 = default
 *   occupations         [n_states * n_levels] row-major, or NULL
 *   energies            [n_states], or NULL
 *   log_multiplicities  [n_states], or NULL
 *   n_states            must equal bz_macrostate_count(n_units, n_levels)
 * Errors: NULL_POINTER, INVALID_ARGUMENT (also when n_units * max|e_l|
 *         overflows a double), NON_FINITE, SHAPE_MISMATCH, LIMIT_EXCEEDED. */
bz_status bz_macrostates(int64_t n_units, const double *level_energies,
                         int64_t n_levels, int64_t max_states,
                         int64_t *occupations, double *energies,
                         double *log_multiplicities, int64_t n_states);

/* The microcanonical spectrum of n_units distinguishable units: one level per
 * distinct total energy E, with log-degeneracy ln Omega(E) = ln sum W over the
 * macrostates of that energy (the microcanonical entropy). Energies equal to
 * within 1e-12 of the largest |E| are one level. Its log Z equals
 * n_units * log z at every beta.
 * Errors: as bz_macrostates. */
bz_status bz_spectrum_create_microcanonical(bz_spectrum **out, int64_t n_units,
                                            const double *level_energies,
                                            int64_t n_levels, int64_t max_states);

/* ==========================================================================
 * Occupations: Fermi-Dirac and the self-consistent mean field
 * ========================================================================== */

/* Fermi-Dirac occupations f_i = 1 / (1 + exp(beta (E_i - mu))), evaluated
 * without overflow for any finite inputs.
 *   energies, occupations  [n_levels]
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_fermi_dirac(const double *energies, int64_t n_levels, double beta,
                         double mu, double *occupations);

/* Mean-field occupations of interacting levels (the Hartree approximation): the fixed
 * point of
 *     f_i = 1 / (1 + exp(beta (E_i + U sum_{j != i} f_j - mu)))
 * by damped Jacobi iteration f <- damping f + (1 - damping) Phi(f), started
 * from the non-interacting Fermi-Dirac occupations.
 *   interaction     U (finite, any sign)
 *   damping         in [0, 1)
 *   tolerance       > 0: stop when max_i |f_i - Phi(f)_i| <= tolerance
 *   max_iterations  >= 1
 *   occupations     [n_levels] out: the last iterate
 *   out_iterations  out (may be NULL): sweeps performed
 *   out_residual    out (may be NULL): max_i |f_i - Phi(f)_i| of the returned f
 * Returns BZ_ERR_NOT_CONVERGED when max_iterations pass first; the outputs are
 * then still written, so the caller can inspect or restart from them.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, NOT_CONVERGED. */
bz_status bz_mean_field_occupations(const double *energies, int64_t n_levels,
                                    double interaction, double beta, double mu,
                                    double damping, double tolerance,
                                    int64_t max_iterations, double *occupations,
                                    int64_t *out_iterations, double *out_residual);

/* ==========================================================================
 * Ising: models, exact enumeration, exact solutions, mean field
 *
 * N spins s_i in {-1, +1}, symmetric couplings J_ij and fields h_i:
 *
 *   E(s) = - sum_{i<j} J_ij s_i s_j - sum_i h_i s_i
 *
 * (= -1/2 s^T J s - h^T s for a symmetric J with zero diagonal; J_ij > 0 is
 * ferromagnetic). Magnetisation per spin m = (1/N) sum_i s_i. Spin arrays are
 * int8_t, row-major (n_states x n_spins), every entry -1 or +1.
 * Lattice sites are numbered row-major: (x, y) of an L x W lattice is x*W + y,
 * (x, y, z) of L x W x D is (x*W + y)*D + z. With periodic boundaries, a side of
 * length 2 couples each neighbouring pair twice (2J, as on the torus) and a side
 * of length 1 adds no bond. Models hold at most BZ_LIMIT_SPINS spins and BZ_LIMIT_COUPLINGS couplings
 * (BZ_ERR_LIMIT_EXCEEDED beyond).
 * Threads: a bz_ising is immutable after creation: share it between threads
 * freely.
 * ========================================================================== */

typedef struct bz_ising bz_ising;

/* Random-coupling distributions of bz_ising_create_edwards_anderson. */
#define BZ_COUPLINGS_BIMODAL  0  /* J_ij = +J or -J, probability 1/2 each */
#define BZ_COUPLINGS_GAUSSIAN 1  /* J_ij ~ Normal(0, J^2) */

/* A model from a dense symmetric matrix.
 *   couplings  [n_spins x n_spins] row-major, exactly symmetric, zero diagonal;
 *              zero entries are not coupled
 *   fields     [n_spins], or NULL for h = 0
 * Errors: NULL_POINTER, INVALID_ARGUMENT (not symmetric, non-zero diagonal),
 *         NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_dense(bz_ising **out, const double *couplings,
                                const double *fields, int64_t n_spins);

/* A model from an edge list (i, j, J_ij). Pairs may appear in either order and
 * more than once; repeats add up. Couplings summing to 0 are dropped.
 *   first, second  [n_edges] indices in [0, n_spins), first != second
 *   couplings      [n_edges] finite
 *   fields         [n_spins], or NULL for h = 0
 * n_edges may be 0 (a paramagnet; the arrays may then be NULL).
 * Errors: NULL_POINTER, INVALID_ARGUMENT (index out of range, self-coupling),
 *         NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_edges(bz_ising **out, int64_t n_spins, const int64_t *first,
                                const int64_t *second, const double *couplings,
                                int64_t n_edges, const double *fields);

/* A chain of n spins, neighbours coupled by J, uniform field h; periodic != 0
 * closes the ring.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_create_chain(bz_ising **out, int64_t n, double coupling,
                                double field, int32_t periodic);

/* A rows x columns square lattice (4 neighbours in the bulk).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_square(bz_ising **out, int64_t rows, int64_t columns,
                                 double coupling, double field, int32_t periodic);

/* An l x w x d simple cubic lattice (6 neighbours in the bulk).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_cubic(bz_ising **out, int64_t l, int64_t w, int64_t d,
                                double coupling, double field, int32_t periodic);

/* The Curie-Weiss model: the complete graph on n spins, every pair coupled by
 * coupling / n.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_complete(bz_ising **out, int64_t n, double coupling,
                                   double field);

/* The Sherrington-Kirkpatrick spin glass: every pair coupled by
 * J_ij ~ Normal(0, scale^2 / n), drawn from the stream seeded by `seed` in the
 * order (0,1), (0,2), ..., (1,2), ...  scale > 0.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_sk(bz_ising **out, int64_t n, double scale, double field,
                             uint64_t seed);

/* An Edwards-Anderson spin glass on an l x w x d lattice (d = 1: the l x w
 * square lattice), nearest-neighbour couplings drawn from `distribution`
 * (BZ_COUPLINGS_*) with scale > 0.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_edwards_anderson(bz_ising **out, int64_t l, int64_t w,
                                           int64_t d, int32_t distribution,
                                           double scale, double field,
                                           int32_t periodic, uint64_t seed);

/* The Ising form of a QUBO, E_QUBO(x) = x^T Q x for x_i in {0, 1}, with
 * s_i = 2 x_i - 1: E_QUBO(x) = E_Ising(s) + *out_offset for every state.
 *   qubo  [n_spins x n_spins] row-major, any square matrix (only Q_ii and
 *         Q_ij + Q_ji matter)
 *   out_offset  out: the constant (may be NULL)
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, LIMIT_EXCEEDED. */
bz_status bz_ising_create_qubo(bz_ising **out, const double *qubo, int64_t n_spins,
                               double *out_offset);

/* A new model with the couplings of `model` and the given fields [n_spins].
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, NON_FINITE. */
bz_status bz_ising_with_fields(bz_ising **out, const bz_ising *model,
                               const double *fields, int64_t n_spins);

/* A new model with the couplings and fields of `model` and a planar embedding of
 * its coupling graph, for bz_ising_planar and bz_ising_planar_correlations (and the
 * front doors) on graphs other than the square lattice: a rotation system, each
 * spin's neighbours in the cyclic order they sit around it in a drawing without
 * crossings (all counter-clockwise or all clockwise). neighbour_start [n_spins + 1]
 * (from 0, non-decreasing, ending at n_entries) and neighbours [n_entries]: spin i's
 * neighbours are neighbours[neighbour_start[i] .. neighbour_start[i + 1] - 1]. Every
 * coupled pair is listed from both ends; pairs without a coupling may be listed
 * (from both ends) and are left out. The faces are traced and Euler's formula
 * checked on each connected component (V - E + F = 2), so a rotation system that
 * is not planar is refused with its genus. neighbours may be NULL when n_entries
 * is 0.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH (n_spins), INVALID_ARGUMENT
 *         (neighbour_start's range or order, an index outside [0, n_spins), a spin
 *         its own neighbour or listed twice around one spin, a pair listed from one
 *         end, a coupled pair not listed, a rotation system that is not planar). */
bz_status bz_ising_with_embedding(bz_ising **out, const bz_ising *model,
                                  const int64_t *neighbour_start, int64_t n_spins,
                                  const int64_t *neighbours, int64_t n_entries);

/* Release a model. NULL and already-freed handles are ignored. */
void bz_ising_free(bz_ising *model);

/* Number of spins and of coupled pairs (either output may be NULL).
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_ising_size(const bz_ising *model, int64_t *out_n_spins,
                        int64_t *out_n_couplings);

/* The coupled pairs, first < second, sorted, with their couplings; each array
 * [n_couplings] (n_couplings as bz_ising_size reports; any may be NULL).
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH. */
bz_status bz_ising_couplings(const bz_ising *model, int64_t *first, int64_t *second,
                             double *couplings, int64_t n_couplings);

/* The fields h [n_spins].
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH. */
bz_status bz_ising_fields(const bz_ising *model, double *fields, int64_t n_spins);

/* Energies [n_states] of the configurations spins [n_states x n_spins].
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (n_states <= 0, an
 *         entry not +-1), SHAPE_MISMATCH (n_spins differs from the model's). */
bz_status bz_ising_energy(const bz_ising *model, const int8_t *spins, int64_t n_states,
                          int64_t n_spins, double *energies);

/* Local fields f_i = sum_j J_ij s_j + h_i [n_states x n_spins] of the
 * configurations spins [n_states x n_spins]; flipping spin i changes the
 * energy by 2 s_i f_i. Errors as bz_ising_energy. */
bz_status bz_ising_local_fields(const bz_ising *model, const int8_t *spins,
                                int64_t n_states, int64_t n_spins, double *local_fields);

/* Whether the coupling graph is bipartite (*out_is_bipartite = 1 or 0) and, when
 * it is, a colouring [n_spins] of 0s and 1s in which no two coupled spins share
 * a colour (colours may be NULL; left untouched when not bipartite).
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH. */
bz_status bz_ising_bipartition(const bz_ising *model, int32_t *out_is_bipartite,
                               int8_t *colours, int64_t n_spins);

/* The QUBO of the model, E_QUBO(x) = x^T Q x + c = E_Ising(s), s = 2x - 1:
 *   diagonal      [n_spins] out: Q_ii = 2 sum_j J_ij - 2 h_i
 *   off_diagonal  [n_couplings] out: Q_ij = -4 J_ij for the pairs of
 *                 bz_ising_couplings, in that order (upper triangle)
 *   out_constant  out: c = -sum J_ij + sum h_i
 * Any output may be NULL; its length is still checked.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH. */
bz_status bz_ising_to_qubo(const bz_ising *model, double *diagonal, int64_t n_spins,
                           double *off_diagonal, int64_t n_couplings,
                           double *out_constant);

/* --- Exact enumeration -------------------------------------------------------
 * All 2^N states, 2^14 at a time: with the high spins fixed, the energies of
 * the low ones come from a table plus a linear term built by doubling (two
 * additions per state, whatever the couplings). Threaded over blocks in a fixed
 * partition: results do not depend on the thread count. With every field zero,
 * only half the states are visited and each stands for its mirror -s too. max_spins caps N: 0 selects bz_ising_enumeration_default_limit() (30,
 * ~1e9 states); the caller may raise it up to 40 (~1e12 states: hours). Above
 * the cap the call returns BZ_ERR_LIMIT_EXCEEDED with the state count in the
 * message. Progress counts states (total 2^N), metric NaN; bz_interrupt(model)
 * stops the walk. */

/* The default cap on N for enumeration (30). */
int64_t bz_ising_enumeration_default_limit(void);

/* Exact thermodynamics at n_betas inverse temperatures:
 *   log_z, free_energy, energy, entropy, heat_capacity  as for bz_spectrum_thermo
 *                  (whole model; F is NaN at beta = 0)
 *   magnetization, abs_magnetization, magnetization_sq   <m>, <|m|>, <m^2>
 * each [n_betas] or NULL. Whole-number couplings and fields go through the exact
 * g(E, M) (one pass for all betas); real ones through energy-magnetisation
 * bins holding Taylor power sums (one pass for all betas, the truncation below
 * double rounding for log Z), or, when |beta| times the energy span needs too
 * many bins (~10^5 cells), every state's weight at every beta in log space.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 *         LIMIT_EXCEEDED, CANCELLED. */
bz_status bz_ising_exact(const bz_ising *model, const double *betas, int64_t n_betas,
                         int64_t max_spins, double *log_z, double *free_energy,
                         double *energy, double *entropy, double *heat_capacity,
                         double *magnetization, double *abs_magnetization,
                         double *magnetization_sq, bz_progress_fn progress, void *user);

/* The default cap on the transfer matrix's size, as log2 of the states per step
 * (24); a caller may raise it to 30 (2^30 states: 8 GiB per frontier). */
int64_t bz_ising_transfer_default_limit(void);

/* How bz_ising_transfer sums this model: the frontier's width B (the couplings'
 * span in spin order, at least 1) and the K leading spins it conditions on (for
 * couplings longer than B among them, as a strip periodic along its length has);
 * each step visits 2^(B + K) states. Either output may be NULL.
 * Errors: INVALID_HANDLE. */
bz_status bz_ising_transfer_plan(const bz_ising *model, int64_t *out_frontier,
                                 int64_t *out_conditioned);

/* Exact thermodynamics by a transfer matrix over the frontier of the last B spins
 * (B as bz_ising_transfer_plan; an L x W strip numbered row by row has B = W),
 * for any couplings and fields: O(N 2^(B + K)) per beta, in log space at every
 * beta; U and C from the exact beta-derivatives of the recursion, <m> and <m^2>
 * likewise. Outputs as bz_ising_exact, except abs_magnetization, which is set to
 * NaN (|M| is no sum over spins). When energy, entropy, heat_capacity,
 * magnetization and magnetization_sq are all NULL, only log Z and F are computed
 * (a fifth of the time and memory). max_bits caps B + K: 0 selects
 * bz_ising_transfer_default_limit(). Progress counts spins added (n_betas x 2^K
 * x N), metric NaN; bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 *         LIMIT_EXCEEDED (the plan above the cap: the message names B and K),
 *         OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_transfer(const bz_ising *model, const double *betas, int64_t n_betas,
                            int64_t max_bits, double *log_z, double *free_energy,
                            double *energy, double *entropy, double *heat_capacity,
                            double *magnetization, double *abs_magnetization,
                            double *magnetization_sq, bz_progress_fn progress, void *user);

/* Exact, independent samples of the Boltzmann distribution at beta of a model whose
 * transfer-matrix plan fits max_bits (0: the default), any couplings and fields:
 * forward filtering, backward sampling. The recursion of bz_ising_transfer is run
 * once, keeping every step's 2^B frontier weights (N 2^B doubles); each sample draws
 * the last frontier state, then undoes the steps one spin at a time. With conditioned
 * spins (a periodic strip) each sample's condition is drawn first, in proportion to
 * its Z. spins [n_samples * n_spins] out, +-1, row-major (n_spins the model's).
 * Sample r draws from stream r of seed: the samples do not depend on the thread
 * count or on n_samples. Progress counts spins of the forward passes, then samples;
 * bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (n_samples outside
 *         [1, BZ_LIMIT_ITERATIONS], max_bits), SHAPE_MISMATCH (n_spins), NON_FINITE,
 *         LIMIT_EXCEEDED (the plan above max_bits, too many values), OUT_OF_MEMORY,
 *         CANCELLED. */
bz_status bz_ising_transfer_sample(const bz_ising *model, double beta, int64_t n_samples,
                                   int64_t max_bits, uint64_t seed, int8_t *spins, int64_t n_spins,
                                   bz_progress_fn progress, void *user);

/* The exact density of states g(E) of a model with whole-number couplings and
 * fields by the transfer matrix over its frontier (the plan bz_ising_transfer_plan
 * reports, capped by max_bits as bz_ising_transfer's; 0: its default), as exact
 * integers: with x = e^(-beta) kept symbolic, x^B Z is a polynomial of degree 2B
 * (B = sum |J| + sum |h|) whose coefficients are found modulo about N / 62 primes, one
 * modular run of the recursion per point, and recovered by the Chinese remainder
 * theorem, checked against one more prime. Outputs as bz_ising_square_dos's:
 * energies[levels], log_g[levels] (may be NULL), counts[levels * words] (may be
 * NULL), the levels with g > 0 ascending, *out_levels of them;
 * bz_ising_transfer_dos_size gives the capacity (2B + 1 levels) and the words
 * (floor(N / 64) + 1). Work: the transfer matrix's, times about 2B x N / 62 (a
 * 40 x 6 +-J strip in a field in half a second). Progress counts evaluations;
 * bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (fractional couplings or
 *         fields, max_bits), SHAPE_MISMATCH (capacity or words below the size),
 *         LIMIT_EXCEEDED (the plan above max_bits, too many levels), OUT_OF_MEMORY,
 *         NOT_CONVERGED (the check failed: a bug to report), CANCELLED. */
bz_status bz_ising_transfer_dos_size(const bz_ising *model, int64_t *out_levels, int64_t *out_words);
bz_status bz_ising_transfer_dos(const bz_ising *model, int64_t max_bits, int64_t capacity,
                                int64_t words, double *energies, double *log_g, uint64_t *counts,
                                int64_t *out_levels, bz_progress_fn progress, void *user);

/* Exact thermodynamics of a zero-field square-lattice model (bz_ising_square or
 * bz_ising_edwards_anderson in 2D; any couplings; open, or periodic with both
 * sides >= 3) by the domain-wall expansion Z = 2 e^(beta sum J) sum_D prod_{e in D}
 * e^(-2 beta J_e) over the even subgraphs D of the dual lattice, the Pfaffian of a
 * Kasteleyn matrix (bz_ising_kasteleyn); on the torus a combination of four
 * Pfaffians. Nested dissection: O(N^1.5) time per beta (a 256 x 256 glass in about
 * a second), in log space. U and C are exact beta-derivatives of the same
 * elimination; when energy, entropy and heat_capacity are all NULL only log Z and F
 * are computed (a quarter of the work). Outputs [n_betas], each may be NULL.
 * Accuracy (measured against the transfer matrix and enumeration): open lattices
 * keep log Z to 1e-12 relative and C to 1e-7 up to |beta| J_rms = 3 in a frustrated
 * model (a plaquette with an odd number of negative couplings; J_rms the root mean
 * square coupling) and without limit otherwise; tori keep 1e-10, and when their four
 * Pfaffians cancel past 1 part in 1e4 (twisted boundary conditions dominating) the
 * call fails with UNSUPPORTED, as it does beyond the frustrated limit and beyond
 * 2 |beta| max |J| = 600, rather than return lost digits.
 * Any other planar graph, given its embedding (bz_ising_with_embedding; triangular,
 * honeycomb, diluted or random planar graphs, several components): the same
 * expansion on the dual, each face of walk length k a chain of k - 2 triangles
 * (the expanded dual of Schraudolph & Kamenetsky), about 6 nodes per spin, one
 * dense Pfaffian per connected component by blocked LU in parallel column blocks:
 * O(n^3) in its n nodes (a 900-spin triangular glass: log Z 1.4 s, with U and C
 * 5 s, on 2 cores; U and C need the inverse, about four times log Z's work),
 * n^2 doubles of memory (twice with U and C). Accuracy as an open lattice's, the
 * frustrated limit read from the faces (measured: random planar graphs against
 * enumeration to 1e-12 relative, a 40 x 7 triangular glass against the transfer
 * matrix to 1e-14, C to 1e-10 at beta J_rms = 2.9).
 * Progress counts fronts eliminated (n_betas x fronts; on an embedded graph, block
 * columns of the LU and of the inverse), metric NaN; bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (not a 2D square lattice
 *         and no planar embedding, a field, a periodic side below 3), NON_FINITE,
 *         UNSUPPORTED (beyond the accuracy limits above), LIMIT_EXCEEDED (an embedded
 *         component whose dense matrix would pass 16384 nodes, some 2,700 spins),
 *         NOT_CONVERGED (a front singular to working precision), OUT_OF_MEMORY,
 *         CANCELLED. */
bz_status bz_ising_planar(const bz_ising *model, const double *betas, int64_t n_betas,
                          double *log_z, double *free_energy, double *energy,
                          double *entropy, double *heat_capacity,
                          bz_progress_fn progress, void *user);

/* Nearest-neighbour correlations <s_i s_j> = d log Z / d(beta J_ij) of a zero-field
 * square-lattice model, open or periodic, or of an embedded planar graph (as
 * bz_ising_planar; there from the dense inverse, as U and C are), at beta, exactly:
 * correlations[n_couplings] in bz_ising_couplings' order (couplings of zero
 * included). Across each bond the dual's edge carries a domain wall with
 * probability P = K[u, v] (K^-1)[v, u], read from the inverse of the Kasteleyn matrix
 * on the nested dissection's fronts (selected inversion: about twice bz_ising_planar's
 * time for log Z, every front kept in memory); <s_i s_j> = 1 - 2 P in the gauge
 * bz_ising_planar measures from. On a torus the four Pfaffians' shares are combined
 * (five times the open lattice's work). Accuracy and limits as bz_ising_planar's
 * (matches enumeration to 1e-11 open, 1e-9 on tori; a torus whose four Pfaffians
 * cancel is refused, with no fallback). Progress counts fronts (twice each, five
 * times on a torus); bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (as bz_ising_planar),
 *         SHAPE_MISMATCH (n_couplings), NON_FINITE, UNSUPPORTED (beyond
 *         bz_ising_planar's accuracy limits), LIMIT_EXCEEDED (as bz_ising_planar),
 *         NOT_CONVERGED, OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_planar_correlations(const bz_ising *model, double beta, double *correlations,
                                       int64_t n_couplings, bz_progress_fn progress, void *user);

/* Exact, independent samples of the Boltzmann distribution at beta of a zero-field
 * model on an open square lattice (as bz_ising_planar; any couplings, any size the
 * Pfaffian reaches): each sample's domain walls are a perfect matching of the dual's
 * Fisher lattice, drawn top-down through the nested dissection (every separator's
 * nodes matched one at a time with probability K[u, v] (K^-1)[v, u] of what remains,
 * from the one bottom-up elimination's Schur complements; Wilson 1997, Thomas &
 * Middleton 2009), its spins read off the walls from a first spin of either sign.
 * spins [n_samples * n_spins] out, +-1, row-major. Sample r draws from stream r of
 * seed: the samples do not depend on the thread count or on n_samples. Work
 * O(N^1.5) per sample after one elimination (about 45 ms per sample for an open
 * 64 x 64 glass, 0.3 s for 128 x 128, on 2 cores); memory every front's Schur
 * complement. Precision: the conditioned inverses lose digits faster than log Z as
 * beta grows; every draw checks that its choices' probabilities sum to 1 and none
 * is negative, rebuilding the inverse from what remains past 1e-9 and refusing
 * (NOT_CONVERGED) a fresh one past 1e-6; the walls are measured from a low-energy
 * state past beta J_rms = 0.3. Measured: +-J glasses sample to beta 2 at 16 x 16,
 * 1.5 at 32 x 32 and 48 x 48, 1.25 at 64 x 64; Gaussian ones to beta 1.5 up to
 * 64 x 64. A torus is refused (its Z is a signed sum of four Pfaffians;
 * bz_ising_transfer_sample draws a narrow one). An embedded planar graph
 * (bz_ising_with_embedding) is sampled by sequential conditioning on its bonds:
 * bond (u, v)'s edge held with probability K[u, v] (K^-1)[v, u], each outcome a
 * rank-2 update of the dense inverse on the bonds still to come, O(m^3) per sample
 * for m = 2 x the bonds (a 10 x 10 triangular glass in 5 ms a sample, 16 x 16 in
 * 55 ms), the same precision check. Progress counts fronts (block columns on an
 * embedded graph), then samples; bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (as bz_ising_planar, a
 *         periodic lattice, n_samples outside [1, BZ_LIMIT_ITERATIONS]),
 *         SHAPE_MISMATCH (n_spins), NON_FINITE, UNSUPPORTED (beyond bz_ising_planar's
 *         accuracy limits), LIMIT_EXCEEDED, NOT_CONVERGED, OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_planar_sample(const bz_ising *model, double beta, int64_t n_samples, uint64_t seed,
                                 int8_t *spins, int64_t n_spins, bz_progress_fn progress, void *user);

/* The Kasteleyn matrix bz_ising_planar factorises, for an open L x W lattice at
 * beta, for use with other Pfaffian solvers: the dual lattice (the plaquettes, and
 * the outside as a path of cities around a frame) as an (L + 1) x (W + 1) Fisher
 * lattice, *out_nodes = 6 (L + 1)(W + 1) nodes (city r (W + 1) + c is nodes
 * 6 (r (W + 1) + c) + 0..5: ports north, east, south, west, then two inner nodes),
 * *out_count entries K[from[k], to[k]] = weight[k] with K[to[k], from[k]] =
 * -weight[k] (inner and frame edges weigh 1, the edge crossing bond e
 * e^(-2 beta J_e); zero weights left out), and log Z = *out_log_prefactor +
 * ln |Pf K| (the prefactor ln 2 + beta sum J). Call with capacity 0 (arrays may then
 * be NULL) to learn *out_count; the outputs may be NULL.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (as bz_ising_planar, or a
 *         periodic lattice), NON_FINITE, UNSUPPORTED (2 |beta| max |J| > 600 or the
 *         frustrated limit), SHAPE_MISMATCH (capacity below the count). */
bz_status bz_ising_kasteleyn(const bz_ising *model, double beta, int64_t capacity,
                             int64_t *from, int64_t *to, double *weight,
                             int64_t *out_count, int64_t *out_nodes,
                             double *out_log_prefactor);

/* Options of bz_ising_wang_landau (below) and of bz_ising_log_partition's
 * BZ_LOG_Z_WANG_LANDAU (versioned; NULL: the defaults): initialise with
 * bz_wang_landau_options_init, change fields. */
#define BZ_WANG_LANDAU_OPTIONS_VERSION 1
typedef struct bz_wang_landau_options {
    int32_t version;     /* BZ_WANG_LANDAU_OPTIONS_VERSION */
    int32_t runs;        /* independent runs, >= 2 (their spread is the error); 4 */
    double bin_width;    /* energy bin width, > 0, or 0 for exact levels (whole-number
                            couplings and fields only); 0 */
    double final_log_f;  /* a run ends when ln f = 1/t (t in sweeps) reaches this,
                            in (0, 1); 1e-6 */
    double flatness;     /* a histogram is flat when every visited bin holds this
                            fraction of the mean, in (0, 1); 0.8 */
    int64_t max_sweeps;  /* the most sweeps a run may take, >= 1; 100000000 */
    uint64_t seed;       /* run r draws from stream r; 0 */
} bz_wang_landau_options;

/* Fill options with the defaults above. Errors: NULL_POINTER. */
bz_status bz_wang_landau_options_init(bz_wang_landau_options *options);

/* Methods of bz_ising_log_partition. */
#define BZ_LOG_Z_AUTO      0  /* enumeration up to 24 spins, else the transfer matrix
                                 when its plan needs at most 2^16 states, else
                                 Kaufman's solution, else the planar Pfaffian (within
                                 its accuracy limit), else the
                                 transfer matrix when its plan fits max_bits, else AIS
                                 (the note says why) */
#define BZ_LOG_Z_ENUMERATE 1  /* all 2^N states (bz_ising_exact) */
#define BZ_LOG_Z_TRANSFER  2  /* the frontier's transfer matrix (bz_ising_transfer) */
#define BZ_LOG_Z_KAUFMAN   3  /* a periodic square lattice, sides >= 3, one coupling,
                                 no field (bz_ising_square_exact) */
#define BZ_LOG_Z_AIS       4  /* annealed importance sampling from beta = 0
                                 (bz_ising_ais), over n_betas evenly spaced betas */
#define BZ_LOG_Z_POPULATION 5 /* population annealing from beta = 0
                                 (bz_ising_population_annealing): runs replicas in
                                 each of populations populations, n_betas evenly
                                 spaced betas */
#define BZ_LOG_Z_PLANAR    6  /* the Kasteleyn Pfaffian of a zero-field square lattice
                                 or embedded planar graph (bz_ising_planar) */
#define BZ_LOG_Z_WANG_LANDAU 7 /* Wang-Landau's g(E) (bz_ising_wang_landau) with
                                 options->wang_landau: log Z = ln sum g e^(-beta E)
                                 averaged over its runs, the error their spread
                                 (bz_wang_landau_thermo) */

/* Options of bz_ising_log_partition (versioned): initialise with
 * bz_log_z_options_init, change fields. */
#define BZ_LOG_Z_OPTIONS_VERSION 2
typedef struct bz_log_z_options {
    int32_t version;    /* BZ_LOG_Z_OPTIONS_VERSION */
    int32_t method;     /* BZ_LOG_Z_*; BZ_LOG_Z_AUTO */
    int64_t max_spins;  /* enumeration's cap as bz_ising_exact's (0 for its default); 0 */
    int64_t max_bits;   /* the transfer matrix's cap as bz_ising_transfer's (0 for its
                           default); 0 */
    int64_t runs;       /* AIS runs, >= 2; 100 */
    int64_t n_betas;    /* AIS betas from 0 to beta, >= 2; 1000 */
    int64_t sweeps;     /* AIS sweeps at each beta, >= 1; 1 */
    int64_t populations; /* population annealing's independent populations, in [2, 4096]; 16 */
    int32_t algorithm;  /* AIS updates, BZ_MC_METROPOLIS or BZ_MC_HEAT_BATH; BZ_MC_METROPOLIS */
    uint64_t seed;      /* AIS streams; 0 */
    bz_wang_landau_options wang_landau; /* BZ_LOG_Z_WANG_LANDAU's options (their own
                                           seed and runs); bz_wang_landau_options_init */
} bz_log_z_options;

/* Fill options with the defaults above. Errors: NULL_POINTER. */
bz_status bz_log_z_options_init(bz_log_z_options *options);

/* log Z(beta) by options->method (NULL: the defaults): *out_value, its standard
 * error *out_error (0 for the exact methods), AIS's effective sample size *out_ess
 * (NaN for exact methods), the method used *out_method (BZ_LOG_Z_*), and in note
 * [note_size] (NUL-terminated, truncated to fit; may be NULL) why BZ_LOG_Z_AUTO used
 * no exact method ("" when it did), or that a Wang-Landau run stopped at max_sweeps
 * before final_log_f. Outputs may be NULL. Progress and interrupt as
 * the method used.
 * Errors: as the method used; INVALID_ARGUMENT for a method that does not apply
 *         (the message says why), a bad code or option; NON_FINITE (beta). */
bz_status bz_ising_log_partition(const bz_ising *model, double beta, const bz_log_z_options *options,
                                 double *out_value, double *out_error, double *out_ess,
                                 int32_t *out_method, char *note, int64_t note_size,
                                 bz_progress_fn progress, void *user);

/* Exact thermodynamics at n_betas inverse temperatures by the cheapest exact method
 * that applies: enumeration up to max_spins spins (0: bz_ising_enumeration_default_limit;
 * only it gives <|m|>), else the transfer matrix when its plan fits max_bits (0:
 * bz_ising_transfer_default_limit), else the planar Pfaffian when it applies at every
 * beta. Outputs as bz_ising_exact's, each [n_betas] or NULL (magnetisations NaN where
 * the method has none); *out_method the method used, BZ_LOG_Z_ENUMERATE, _TRANSFER or
 * _PLANAR (may be NULL). Progress and interrupt as the method used.
 * Errors: as the method used; INVALID_ARGUMENT (caps out of range); LIMIT_EXCEEDED
 *         when no exact method applies (the message names each one's obstacle). */
bz_status bz_ising_exact_auto(const bz_ising *model, const double *betas, int64_t n_betas,
                              int64_t max_spins, int64_t max_bits, double *log_z,
                              double *free_energy, double *energy, double *entropy,
                              double *heat_capacity, double *magnetization,
                              double *abs_magnetization, double *magnetization_sq,
                              int32_t *out_method, bz_progress_fn progress, void *user);

/* The ground-state energy (recomputed from the state, free of the walk's
 * rounding), its degeneracy (states within 1e-10 (sum|J| + sum|h|) of it;
 * exactly equal energies for whole-number parameters) and one ground state
 * spins [n_spins] (may be NULL).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *        LIMIT_EXCEEDED, CANCELLED. */
bz_status bz_ising_ground_state(const bz_ising *model, int64_t max_spins,
                                double *out_energy, int64_t *out_degeneracy,
                                int8_t *spins, int64_t n_spins,
                                bz_progress_fn progress, void *user);

/* The energy grid of the density of states, for whole-number couplings and
 * fields: bins for E = *out_min_energy + b, b in [0, *out_n_bins), covering
 * [-B, B] with B = sum|J| + sum|h|.
 * Errors: INVALID_ARGUMENT (a non-integer parameter), LIMIT_EXCEEDED (more than
 *         2^24 bins). */
bz_status bz_ising_dos_range(const bz_ising *model, int64_t *out_min_energy,
                             int64_t *out_n_bins);

/* The exact density of states g(E) (counts, summing to 2^N) on the grid of
 * bz_ising_dos_range:
 *   counts                   [n_bins] out
 *   counts_by_magnetization  [n_bins x (n_spins + 1)] out or NULL: g(E, M),
 *                            column c for M = 2c - N (needs n_bins (N + 1) <= 2^24)
 * Errors: as bz_ising_exact, and INVALID_ARGUMENT for non-integer parameters. */
bz_status bz_ising_density_of_states(const bz_ising *model, int64_t max_spins,
                                     int64_t *counts, int64_t n_bins,
                                     int64_t *counts_by_magnetization, int64_t n_spins,
                                     bz_progress_fn progress, void *user);

/* --- Exact solutions ------------------------------------------------------- */

/* The chain of n spins with uniform J and h by its 2x2 transfer matrix, for any
 * n up to 1e15 (O(log n) work; periodic needs n >= 2). Outputs [n_betas] or NULL:
 * whole-chain log Z, F, U, S, C; magnetization <m> per spin; nearest_neighbour
 * <s_i s_i+1> averaged over the n - 1 (open) or n (periodic) bonds. U, C and the
 * averages are exact derivatives of log Z, not finite differences.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_chain_exact(int64_t n, double coupling, double field, int32_t periodic,
                               const double *betas, int64_t n_betas, double *log_z,
                               double *free_energy, double *energy, double *entropy,
                               double *heat_capacity, double *magnetization,
                               double *nearest_neighbour);

/* Spin-spin correlations <s_0 s_r> [n_distances] of a periodic chain of n spins
 * (n = 0: infinite), from the transfer matrix's eigen-decomposition; at h = 0
 * and n infinite, tanh(beta J)^r. distances[k] in [0, n] (any r >= 0 when n = 0).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_chain_correlation(int64_t n, double coupling, double field,
                                     double beta, const int64_t *distances,
                                     int64_t n_distances, double *correlations);

/* Kaufman's exact finite-lattice solution of the periodic rows x columns square
 * lattice, uniform J, h = 0 (rows, columns in [2, BZ_LIMIT_UNITS]; 2mn bonds). Outputs as
 * bz_spectrum_thermo for the whole lattice; U and C are exact derivatives. Stable
 * for sides up to 1e4 and beta J up to 1e2 and beyond. beta J < 0 is accepted
 * when rows and columns are even (Z(K) = Z(-K) on a bipartite torus).
 * Errors: INVALID_ARGUMENT (side < 2, odd side with beta J < 0), NON_FINITE. */
bz_status bz_ising_square_exact(int64_t rows, int64_t columns, double coupling,
                                const double *betas, int64_t n_betas, double *log_z,
                                double *free_energy, double *energy, double *entropy,
                                double *heat_capacity);

/* Beale's exact density of states of the periodic rows x columns square lattice
 * with uniform coupling J != 0 and no field (rows, columns in [3, BZ_LIMIT_UNITS];
 * N = rows x columns spins): the number of states g(E) of every
 * energy that occurs, as exact integers. Kaufman's Z is a polynomial in
 * exp(-2 beta J) with whole-number coefficients; they are computed modulo about
 * N / 62 primes and recovered by the Chinese remainder theorem, checked against one
 * more prime. The levels are E = J (4k - 2N), k = 0 ... N (2k bonds unsatisfied);
 * those with g > 0 are written, ascending in E, *out_levels of them:
 *   energies[levels]        E
 *   log_g[levels]           ln g(E), to double precision (may be NULL)
 *   counts[levels * words]  g(E) in `words` 64-bit words, least significant first,
 *                           level after level, zero-padded (may be NULL)
 * bz_ising_square_dos_size gives the capacity (N + 1 levels) and the words
 * (floor(N / 64) + 1, as g <= 2^N) the arrays need. Cost O(N^2.5 / 62): a 64 x 64
 * torus in seconds on 2 cores. Progress counts primes; bz_interrupt_thread stops it.
 * Errors: NULL_POINTER, INVALID_ARGUMENT (sides, J = 0), NON_FINITE, SHAPE_MISMATCH
 *         (capacity or words below the size), LIMIT_EXCEEDED, OUT_OF_MEMORY,
 *         NOT_CONVERGED (the check prime disagreed: a bug to report), CANCELLED. */
bz_status bz_ising_square_dos_size(int64_t rows, int64_t columns, int64_t *out_levels,
                                   int64_t *out_words);
bz_status bz_ising_square_dos(int64_t rows, int64_t columns, double coupling,
                              int64_t capacity, int64_t words, double *energies,
                              double *log_g, uint64_t *counts, int64_t *out_levels,
                              bz_progress_fn progress, void *user);

/* Onsager's solution of the infinite square lattice, per site, at betas >= 0:
 * free energy f (NaN at beta = 0), energy u, heat capacity c (+inf at T_c
 * exactly), spontaneous magnetisation (Yang: (1 - sinh(2 beta|J|)^-4)^(1/8)
 * below T_c, 0 above; staggered for J < 0). Outputs [n_betas] or NULL.
 * Errors: INVALID_ARGUMENT (coupling 0, beta < 0), NON_FINITE. */
bz_status bz_ising_onsager(double coupling, const double *betas, int64_t n_betas,
                           double *free_energy, double *energy, double *heat_capacity,
                           double *magnetization);

/* T_c = 2|J| / ln(1 + sqrt 2) of the infinite square lattice.
 * Errors: INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_onsager_critical_temperature(double coupling, double *out_tc);

/* --- Mean field (Weiss) -------------------------------------------------------
 * Each spin feels the mean field z J m + h of its z neighbours, so
 *     m = tanh(beta (z J m + h)),
 * the stationary points of the free energy per spin
 *     phi(m) = -z J m^2/2 - h m - T [ln 2 - (1+m)/2 ln(1+m) - (1-m)/2 ln(1-m)];
 * a solution is stable where phi'' > 0. T_c = z J. beta > 0, z > 0. */

/* All solutions (1 to 3, increasing m) to full precision: magnetizations[3],
 * free_energies[3], stable[3] (1 or 0), of which the first *out_n_solutions are
 * written (outputs other than out_n_solutions may be NULL).
 * Errors: INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_mean_field(double beta, double coupling, double z, double field,
                              double *magnetizations, double *free_energies,
                              int32_t *stable, int64_t *out_n_solutions);

/* The equilibrium magnetisation m(beta) [n_betas] (the stable solution of least
 * phi; at h = 0 below T_c, the positive one): the order-parameter curve.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_mean_field_magnetization(double coupling, double z, double field,
                                            const double *betas, int64_t n_betas,
                                            double *magnetization);

/* Hysteresis: follow the stable branch as the field takes fields[0], fields[1],
 * ... in turn, starting at equilibrium. magnetization [n_fields] out; jumped
 * [n_fields] out or NULL: 1 where the followed branch ended (a spinodal) and m
 * jumped to the other one.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_hysteresis(double beta, double coupling, double z,
                              const double *fields, int64_t n_fields,
                              double *magnetization, int32_t *jumped);

/* The Curie-Weiss model (complete graph, couplings J/n, n <= BZ_LIMIT_SPINS) exactly, in
 * O(n) per beta by summing over the magnetisation with binomial weights:
 * whole-model log Z, F, U, S, C and <m>, <|m|>, <m^2>, each [n_betas] or NULL.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_ising_curie_weiss(int64_t n, double coupling, double field,
                               const double *betas, int64_t n_betas, double *log_z,
                               double *free_energy, double *energy, double *entropy,
                               double *heat_capacity, double *magnetization,
                               double *abs_magnetization, double *magnetization_sq);

/* ==========================================================================
 * Monte Carlo: Markov chains of an Ising model
 *
 * A bz_mc runs R independent chains of one model at one inverse temperature
 * beta >= 0, threaded over chains. Chain c draws from a random stream fixed by
 * (seed, c): same seed, same results for any thread count. Chains start hot
 * (each spin +-1 with probability 1/2) and keep their state from run to run.
 * The sampler holds its own reference to the model: freeing the bz_ising
 * afterwards is safe.
 *
 * Single-spin algorithms. Metropolis flips s_i with probability
 * min(1, exp(-beta dE)), dE = 2 s_i f_i with the local field
 * f_i = sum_j J_ij s_j + h_i; heat bath (Glauber, Gibbs, the p-bit update
 * m_i = sgn(tanh(beta f_i) - r), r ~ U(-1, 1)) sets s_i = +1 with probability
 * 1 / (1 + exp(-2 beta f_i)). Whole-number couplings and fields use exact
 * precomputed acceptance tables; real ones keep cached local fields, updated on
 * accepted flips and recomputed every 256 sweeps. A sweep is one update per
 * free (unclamped) spin: in index order (sequential), drawn at random, one
 * colour class of a bipartite graph then the other (checkerboard;
 * BZ_ERR_INVALID_ARGUMENT for a non-bipartite model), or the classes of a
 * greedy colouring in turn (colored: no two coupled spins share a class).
 * Checkerboard order on a periodic square lattice (both sides even and >= 4)
 * with one coupling and no field runs on byte spins, 16 sites per vector step,
 * with random row blocks of their own streams (one large chain uses several
 * threads); the chain and its exactness are the same. Clamps, bz_mc_sample and
 * correlations move it back to the general code, keeping the spins.
 * Metropolis in a fixed order (anything but random) takes a flip with dE = 0
 * with probability 1/2, not 1 ("lazy ties"; at beta = 0 every flip has
 * probability 1/2): taking such flips for certain makes a fixed-order sweep
 * deterministic on them, and a chain can then cycle forever through states of
 * equal energy (a 4 x 4 torus at beta = 0.7 measured e = -1.840 against the
 * exact -1.963; on a ring, domain walls ride the sweep). a(dE) = 1/2 at 0 keeps
 * detailed balance, a(dE) = exp(-beta dE) a(-dE), so every update still leaves
 * the Boltzmann distribution invariant. Real fields count |dE| <= 2^-29 F as 0
 * (F the largest sum_j |J_ij| + |h_i|: rounding drift). Random order is plain
 * Metropolis. The same holds in annealing, tempering and multi-spin coding.
 *
 * Multi-spin coding (BZ_MC_MULTISPIN): Metropolis on 64 replicas per 64-bit
 * word, bit r = replica r, swept in index order, for models where every spin
 * has 4 or 6 neighbours (periodic square and cubic lattices, every side >= 3),
 * all couplings of one magnitude |J| (uniform or +-J) and no field; chains must
 * be a multiple of 64. Each replica draws its own random bits (a lane's 64-bit
 * uniform is drawn one bit per random word until it is decided against the
 * threshold), so the replicas are independent chains, each exact to 2^-64.
 * BZ_MC_MULTISPIN_SHARED is the classic, faster variant: one uniform per site
 * shared by the 64 replicas. Each replica is still an exact chain, but the
 * replicas are correlated, so bz_mc_results averages each moment over the 64
 * replicas of a word and counts each word as one chain in its errors.
 * Clamps, correlations and bz_mc_sample are not available with either.
 *
 * Cluster algorithms, for ferromagnets without field only (every J_ij >= 0 and
 * h_i = 0; anything else is BZ_ERR_UNSUPPORTED): bonds between parallel spins
 * are activated with probability p_ij = 1 - exp(-2 beta J_ij). Swendsen-Wang
 * flips every cluster with probability 1/2: one update is a sweep. Wolff grows
 * and flips one cluster from a random site; during burn-in a sweep flips
 * clusters until N spins have flipped, while measuring it is a fixed number of
 * clusters, ceil(N / mean cluster size so far), set when the measurements
 * start; a chain with less than 10 such sweeps behind it first runs 10
 * unmeasured ones, then sizes from 10 more (sizing from a hot start, where
 * clusters are tiny, made later sweeps thousands of clusters long). order is
 * ignored.
 *
 * Threads: a bz_mc is mutated by bz_mc_run: use one from one thread at a time.
 * A call on a handle that is inside another call (from a progress callback, or
 * from another thread) returns BZ_ERR_BUSY.
 * ========================================================================== */

typedef struct bz_mc bz_mc;

#define BZ_MC_METROPOLIS     0
#define BZ_MC_HEAT_BATH      1
#define BZ_MC_WOLFF          2
#define BZ_MC_SWENDSEN_WANG  3
#define BZ_MC_MULTISPIN      4
#define BZ_MC_MULTISPIN_SHARED 5

#define BZ_ORDER_SEQUENTIAL   0
#define BZ_ORDER_RANDOM       1
#define BZ_ORDER_CHECKERBOARD 2
#define BZ_ORDER_COLORED      3

/* The observables of bz_mc_results, in order; per spin, e = E/N and m = M/N. */
#define BZ_OBS_ENERGY           0  /* <e> */
#define BZ_OBS_MAGNETIZATION    1  /* <m> */
#define BZ_OBS_ABS_MAGNETIZATION 2 /* <|m|> */
#define BZ_OBS_MAGNETIZATION_SQ 3  /* <m^2> */
#define BZ_OBS_MAGNETIZATION_4  4  /* <m^4> */
#define BZ_OBS_HEAT_CAPACITY    5  /* c = beta^2 N (<e^2> - <e>^2), per spin */
#define BZ_OBS_SUSCEPTIBILITY   6  /* chi = beta N (<m^2> - <|m|>^2), per spin */
#define BZ_OBS_BINDER           7  /* U4 = 1 - <m^4> / (3 <m^2>^2) */
#define BZ_MC_N_OBSERVABLES     8

/* The number of observables (BZ_MC_N_OBSERVABLES), for bindings. */
int64_t bz_mc_n_observables(void);

/* A sampler of model at beta with algorithm BZ_MC_*, order BZ_ORDER_*, chains
 * in [1, BZ_LIMIT_CHAINS] and seed. *out is NULL on failure.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (beta < 0, unknown
 *         algorithm or order, chains out of range, checkerboard on a
 *         non-bipartite model, multi-spin chains not a multiple of 64),
 *         NON_FINITE, UNSUPPORTED (a cluster algorithm on a model with a
 *         negative coupling or a field; multi-spin coding on a model it cannot
 *         code). */
bz_status bz_mc_create(bz_mc **out, const bz_ising *model, double beta, int32_t algorithm,
                       int32_t order, int64_t chains, uint64_t seed);

/* Free a sampler; NULL and stale handles are ignored. */
void bz_mc_free(bz_mc *mc);

/* The sampler's whole state as bytes, to pickle it or checkpoint a long run: beta,
 * algorithm, order, chains, seed, clamps, the correlation axis, every chain's spins,
 * cached fields and random-stream position, and the last run's measurements, in the
 * "BZMC" format: the magic "BZMC\r\n\x1a\0", a uint32 version (1), a CRC-32
 * fingerprint of the model's parameters, the fields, and a CRC-32 of every byte
 * before it. bz_mc_serialized_size gives the byte count; bz_mc_serialize writes
 * exactly that many. bz_mc_deserialize makes a new sampler of model (the same
 * couplings and fields; the model is not stored) in that state: its next run gives
 * the same bits as the original's would, on any thread count.
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY, SHAPE_MISMATCH (size), BAD_FORMAT
 *         (not a Monte Carlo state, damaged, or saved from another model),
 *         OUT_OF_MEMORY. */
bz_status bz_mc_serialized_size(const bz_mc *mc, int64_t *out);
bz_status bz_mc_serialize(const bz_mc *mc, uint8_t *out, int64_t size);
bz_status bz_mc_deserialize(bz_mc **out, const bz_ising *model, const uint8_t *bytes, int64_t size);

/* Sizes: the model's spin count, the chain count, and the number of
 * measurements per chain of the last run (0 before any). Any output may be NULL.
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_mc_size(const bz_mc *mc, int64_t *out_n_spins, int64_t *out_chains,
                     int64_t *out_n_measurements);

/* Change beta (>= 0, finite); the chains keep their states.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE, BUSY. */
bz_status bz_mc_set_beta(bz_mc *mc, double beta);

/* Clamp spins in every chain: spin indices[k] is held at values[k] (+1 or -1),
 * k < n, n >= 1. Clamps add to those already set (a later value for the same
 * spin wins). Sweeps then update only the free spins; observables still count
 * all N spins. Single-spin algorithms only.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (n < 1, an index
 *         outside [0, N), a value not +-1; nothing is clamped then),
 *         UNSUPPORTED (a cluster algorithm), BUSY. */
bz_status bz_mc_clamp(bz_mc *mc, const int64_t *indices, const int8_t *values, int64_t n);

/* Free every clamped spin. Errors: INVALID_HANDLE, BUSY. */
bz_status bz_mc_release_clamps(bz_mc *mc);

/* Run burn_in + sweeps sweeps on every chain, measuring e and m after every
 * measure_every-th sweep past the burn-in (sweeps / measure_every measurements
 * per chain), and replace the last run's measurements. sweeps >= 1, burn_in >= 0,
 * 1 <= measure_every <= sweeps, and chains * (sweeps / measure_every) <=
 * BZ_LIMIT_MEASUREMENTS (else LIMIT_EXCEEDED).
 * Progress counts sweeps over all chains (total chains * (burn_in + sweeps));
 * bz_interrupt(mc) stops the run (the chains keep the sweeps done).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, LIMIT_EXCEEDED,
 *         CANCELLED, BUSY, WRONG_STATE (every spin clamped). */
bz_status bz_mc_run(bz_mc *mc, int64_t sweeps, int64_t burn_in, int64_t measure_every,
                    bz_progress_fn progress, void *user);

/* Run burn_in sweeps, then n_samples x every sweeps, and write the state after
 * every every-th to spins [chains x n_samples x n_spins] (chain by chain, +-1),
 * n = chains * n_samples * n_spins. The last run's measurements are kept.
 * Progress counts sweeps over all chains; bz_interrupt(mc) stops the call.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (n_samples < 1,
 *         every < 1, burn_in < 0), SHAPE_MISMATCH, LIMIT_EXCEEDED (over 2^32
 *         bytes), CANCELLED, BUSY, WRONG_STATE (every spin clamped). */
bz_status bz_mc_sample(bz_mc *mc, int64_t n_samples, int64_t every, int64_t burn_in,
                       int8_t *spins, int64_t n, bz_progress_fn progress, void *user);

/* The last run's estimates, each [n] with n = BZ_MC_N_OBSERVABLES, indexed by
 * BZ_OBS_*; any output may be NULL. mean: the estimate over all chains. error:
 * its standard error; for the means sqrt(sum_c 2 tau_c var_c / n) / R with tau_c
 * each chain's integrated autocorrelation time (Sokal's automatic window, W >= 6
 * tau); for c, chi and U4 the jackknife over 16 blocks per chain. tau: the
 * chains' mean tau in measurements (for c that of e, for chi and U4 that of m^2).
 * binning_error: from bin means (bins of 1, 2, 4, ... measurements, the largest
 * over levels with >= 32 bins), a model-free check on error.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, WRONG_STATE (no run
 *         yet), BUSY. */
bz_status bz_mc_results(const bz_mc *mc, double *mean, double *error, double *tau,
                        double *binning_error, int64_t n);

/* Measure the spin-spin correlation C(r) = <s_i s_{i + r e_axis}>, averaged
 * over sites, along lattice axis axis (0 = the slowest-varying index) at every
 * measurement of later runs; axis -1 stops. *out_n_distances (may be NULL)
 * receives the number of distances r = 0, 1, ...: L/2 + 1 along a periodic
 * axis of length L, L along an open one (only pairs inside the lattice).
 * Errors: INVALID_HANDLE, INVALID_ARGUMENT (axis out of range), UNSUPPORTED
 *         (a model not built as a chain, square, cubic or Edwards-Anderson
 *         lattice), BUSY. */
bz_status bz_mc_set_correlation_axis(bz_mc *mc, int32_t axis, int64_t *out_n_distances);

/* The last run's C(r) [n = n_distances]: the mean over chains of each chain's
 * time average, and its standard error from the spread between the chains
 * (NaN with one chain). Either output may be NULL.
 * Errors: INVALID_HANDLE, SHAPE_MISMATCH, WRONG_STATE (no correlation
 *         measured), BUSY. */
bz_status bz_mc_correlation(const bz_mc *mc, double *mean, double *error, int64_t n);

/* An equilibration check on the last run: the estimate of observable
 * (BZ_OBS_ENERGY .. BZ_OBS_MAGNETIZATION_4) from the first and from the second
 * half of every chain's series, as {mean, error} in out_first[2] and
 * out_last[2], and z = |difference| / sqrt(error_1^2 + error_2^2) in *out_z;
 * z above 2-3 means the burn-in was too short. Any output may be NULL.
 * Errors: INVALID_HANDLE, INVALID_ARGUMENT, WRONG_STATE (fewer than 64
 *         measurements per chain), BUSY. */
bz_status bz_mc_equilibration(const bz_mc *mc, int32_t observable, double *out_z, double *out_first,
                              double *out_last);

/* The last run's series: energy and magnetization per spin, each [chains x
 * n_measurements] row-major (chain by chain), n = chains * n_measurements; either
 * may be NULL. Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, BUSY. */
bz_status bz_mc_series(const bz_mc *mc, double *energy, double *magnetization, int64_t n);

/* The chains' current spins [chains x n_spins], n = chains * n_spins.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, BUSY. */
bz_status bz_mc_spins(const bz_mc *mc, int8_t *spins, int64_t n);

/* ==========================================================================
 * Parallel tempering and simulated annealing
 *
 * A bz_pt runs one chain per beta of a strictly increasing ladder (user-given,
 * or from bz_beta_schedule), replicas independent ladders side by side, all
 * swept in parallel. Every swap_every sweeps, neighbouring betas propose to
 * exchange configurations, accepted with probability
 * min(1, exp((beta_{k+1} - beta_k)(E_{k+1} - E_k))); even pairs (0-1, 2-3, ...)
 * and odd pairs alternate from round to round. A walker makes a round trip when
 * it travels from beta_0 to beta_{K-1} and back. With replicas >= 2, ladders
 * 2p and 2p+1 give the overlap q = (1/N) sum_i s_i^a s_i^b at each beta (the
 * spin-glass order parameter; P(q) broadens below T_c). Chain (r, k) starts hot
 * from a stream fixed by (seed, r K + k); results do not depend on the thread
 * count. Busy and interrupt rules as for bz_mc.
 *
 * bz_anneal takes reads independent chains from hot starts through a beta
 * schedule, sweeps_per_beta sweeps at each beta, and returns their final states
 * and energies: the optimiser's use of the same dynamics.
 * Threads: a bz_pt is mutated by bz_pt_run: calls on one handle are serialised;
 * a call that finds it in use returns BZ_ERR_BUSY. bz_anneal takes a bz_ising,
 * which any number of calls may share.
 * ========================================================================== */

typedef struct bz_pt bz_pt;

#define BZ_SCHEDULE_LINEAR     0
#define BZ_SCHEDULE_GEOMETRIC  1

/* n betas from first to last (both >= 0, finite; > 0 for geometric): linear
 * first + (last - first) j / (n - 1), or geometric first (last/first)^(j/(n-1)),
 * j = 0..n-1, ending exactly at last (n = 1 gives last).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_beta_schedule(int32_t kind, double first, double last, int64_t n, double *betas);

/* A default annealing range from the model's scales: *out_hot = ln 2 / dE_max,
 * so the largest possible flip, dE_max = 2 max_i (sum_j |J_ij| + |h_i|), is
 * accepted half the time; *out_cold = ln 100 / dE_min, so the smallest,
 * dE_min = 2 min over nonzero |J_ij| and |h_i|, is accepted 1% of the time
 * (both 1 for a model without parameters). Either output may be NULL.
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_anneal_beta_range(const bz_ising *model, double *out_hot, double *out_cold);

/* A tempering sampler of model over betas [n_betas] (2 <= n_betas <= BZ_LIMIT_BETAS,
 * strictly increasing, >= 0) with algorithm BZ_MC_* (cluster algorithms under
 * their usual conditions), replicas ladders (replicas x n_betas <= BZ_LIMIT_CHAINS).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (a ladder that does
 *         not increase strictly, replicas out of range), NON_FINITE,
 *         UNSUPPORTED. */
bz_status bz_pt_create(bz_pt **out, const bz_ising *model, const double *betas, int64_t n_betas,
                       int32_t algorithm, int64_t replicas, uint64_t seed);

/* Free a tempering sampler; NULL and stale handles are ignored. */
void bz_pt_free(bz_pt *pt);

/* The sampler's whole state as bytes, to pickle it or checkpoint a long run: its
 * configuration, every chain's spins and random-stream position, the walkers and
 * swap streams, round trips, and the last run's measurements, in the "BZPT" format
 * (a magic, a version, a fingerprint of the model, a CRC-32; see bz_mc_serialize).
 * bz_pt_deserialize makes a new sampler of model (the same couplings and fields)
 * in that state: its next run gives the same bits as the original's would.
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY, SHAPE_MISMATCH (size), BAD_FORMAT
 *         (not a tempering state, damaged, or saved from another model),
 *         OUT_OF_MEMORY. */
bz_status bz_pt_serialized_size(const bz_pt *pt, int64_t *out);
bz_status bz_pt_serialize(const bz_pt *pt, uint8_t *out, int64_t size);
bz_status bz_pt_deserialize(bz_pt **out, const bz_ising *model, const uint8_t *bytes, int64_t size);

/* Sizes: spins, betas, replicas, and measurements per chain of the last run.
 * Any output may be NULL. Errors: INVALID_HANDLE, BUSY. */
bz_status bz_pt_size(const bz_pt *pt, int64_t *out_n_spins, int64_t *out_n_betas,
                     int64_t *out_replicas, int64_t *out_n_measurements);

/* Run in rounds of swap_every sweeps of every chain, each followed by a swap
 * pass: ceil(burn_in / swap_every) burn-in rounds, then sweeps / swap_every
 * rounds, each measured (e, m and q) before its swaps. swap_every >= 1,
 * sweeps >= swap_every, burn_in >= 0. Replaces the last run's measurements and
 * swap counts; round trips accumulate over runs.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, LIMIT_EXCEEDED,
 *         CANCELLED, BUSY. */
bz_status bz_pt_run(bz_pt *pt, int64_t sweeps, int64_t burn_in, int64_t swap_every,
                    bz_progress_fn progress, void *user);

/* The estimates at betas[beta_index] over the replicas, as bz_mc_results.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (beta_index),
 *         SHAPE_MISMATCH, WRONG_STATE (no run yet), BUSY. */
bz_status bz_pt_results(const bz_pt *pt, int64_t beta_index, double *mean, double *error,
                        double *tau, double *binning_error, int64_t n);

/* The last run's swap acceptance rate of each pair (k, k+1), [n = n_betas - 1],
 * and the round trips completed by all walkers over all runs (either output
 * may be NULL). Errors: INVALID_HANDLE, SHAPE_MISMATCH, WRONG_STATE, BUSY. */
bz_status bz_pt_swaps(const bz_pt *pt, double *acceptance, int64_t n, int64_t *out_round_trips);

/* P(q) at betas[beta_index]: probabilities [n = n_spins + 1] of the overlaps
 * q = -1 + 2j/N, j = 0..N, over all measurements of all ladder pairs.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *         WRONG_STATE (replicas < 2, or no run yet), BUSY. */
bz_status bz_pt_overlap_distribution(const bz_pt *pt, int64_t beta_index, double *probabilities,
                                     int64_t n);

/* The last run's series at betas[beta_index]: energy and magnetization per spin
 * [replicas x n_measurements], overlap [replicas/2 x n_measurements] (the rest
 * of its n entries untouched); n = replicas * n_measurements; any output may be
 * NULL. Errors: INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH, BUSY. */
bz_status bz_pt_series(const bz_pt *pt, int64_t beta_index, double *energy, double *magnetization,
                       double *overlap, int64_t n);

/* Every chain's spins [replicas x n_betas x n_spins], n = that product.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, BUSY. */
bz_status bz_pt_spins(const bz_pt *pt, int8_t *spins, int64_t n);

/* Simulated annealing: reads (in [1, BZ_LIMIT_CHAINS]) chains of algorithm BZ_MC_METROPOLIS
 * or BZ_MC_HEAT_BATH in sequential order (checkerboard order on the byte-spin
 * kernel for a periodic square lattice with one coupling and no field, as in
 * bz_mc; on a dense model -- a quarter of all pairs coupled, N <= 2048 -- local
 * fields are kept in single precision between exact recomputations every 256
 * sweeps, for twice the vector width), each from a hot start on stream
 * (seed, read), sweeps_per_beta sweeps at each of betas [n_betas] (each >= 0,
 * in the order given). spins [reads x n_spins] and energies [reads] receive
 * each read's final state and its energy; *out_best the index of the lowest
 * (first on ties). Any output may be NULL. Progress counts sweeps over all
 * reads; bz_interrupt(model) stops the call.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 *         UNSUPPORTED (a cluster algorithm), CANCELLED. */
bz_status bz_anneal(const bz_ising *model, const double *betas, int64_t n_betas,
                    int64_t sweeps_per_beta, int64_t reads, int32_t algorithm, uint64_t seed,
                    int8_t *spins, double *energies, int64_t *out_best,
                    bz_progress_fn progress, void *user);

/* bz_anneal from given starting states: read r starts from row r of initial
 * [reads x n_spins] (+-1; n_initial = reads * n_spins) instead of a hot start, and
 * otherwise draws what bz_anneal's read r draws. The rest as bz_anneal.
 * Errors: as bz_anneal; NULL_POINTER (initial), SHAPE_MISMATCH (n_initial),
 *         INVALID_ARGUMENT (an entry not +-1). */
bz_status bz_anneal_from(const bz_ising *model, const double *betas, int64_t n_betas,
                         int64_t sweeps_per_beta, int64_t reads, int32_t algorithm, uint64_t seed,
                         const int8_t *initial, int64_t n_initial, int8_t *spins, double *energies,
                         int64_t *out_best, bz_progress_fn progress, void *user);

/* log Z of any model by annealed importance sampling from beta = 0, where
 * Z = 2^N exactly and uniform spins are an exact sample: `runs` (>= 2) runs, run r
 * on stream (seed, r), each adding -(beta_k - beta_{k-1}) E(s) to its log weight at
 * step k and then taking `sweeps` sweeps of `algorithm` (BZ_MC_METROPOLIS or
 * BZ_MC_HEAT_BATH, in index order) at beta_k. betas [n_betas] start at 0 and
 * increase. At every beta of the schedule:
 *   log_z                  N ln 2 + log of the mean weight (biased low by about
 *                          half the squared relative error)
 *   standard_error         the delta-method error sd(w) / (sqrt(runs) mean(w))
 *   effective_sample_size  (sum w)^2 / sum w^2
 * each [n_betas] or NULL (entry 0: N ln 2, 0, runs). Results do not depend on the
 * thread count. Progress counts sweeps over all runs; bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (a schedule not starting at
 *         0 or not increasing, runs < 2), NON_FINITE, UNSUPPORTED (a cluster
 *         algorithm), OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_ais(const bz_ising *model, const double *betas, int64_t n_betas,
                       int64_t runs, int64_t sweeps, int32_t algorithm, uint64_t seed,
                       double *log_z, double *standard_error, double *effective_sample_size,
                       bz_progress_fn progress, void *user);

/* log Z and <E> of any model by population annealing from beta = 0: populations
 * (in [2, 4096]) independent populations of replicas (>= 2) replicas, each cooled
 * along betas [n_betas] (from 0, increasing): at each beta every replica is
 * reweighted by e^{-(beta_k - beta_{k-1}) E}, the population resampled in proportion
 * (systematic resampling: its size stays fixed) and each replica takes `sweeps`
 * sweeps of `algorithm` (BZ_MC_METROPOLIS or BZ_MC_HEAT_BATH, in index order). At
 * every beta of the schedule, each [n_betas] or NULL:
 *   log_z, log_z_error        log of the mean of the populations' Z estimates, and
 *                             its delta-method error across populations
 *   energy, energy_error      <E> over all replicas, and the standard error of the
 *                             mean of the populations' means
 *   family_entropy            -sum_i nu_i ln nu_i, nu_i the fraction of a population
 *                             descended from its initial replica i (averaged over
 *                             populations; ln replicas at beta = 0): an equilibration
 *                             diagnostic, e^S families survive
 *   effective_fraction        the reweighting's (sum w)^2 / sum w^2 over replicas
 * Replica r's sweeps at step k of population p draw from their own stream: results do
 * not depend on the thread count. Progress counts replica sweeps; bz_interrupt(model)
 * stops the call.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (a schedule not starting at
 *         0 or not increasing, replicas or populations out of range), NON_FINITE,
 *         UNSUPPORTED (a cluster algorithm), OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_population_annealing(const bz_ising *model, const double *betas, int64_t n_betas,
                                        int64_t replicas, int64_t populations, int64_t sweeps,
                                        int32_t algorithm, uint64_t seed, double *log_z,
                                        double *log_z_error, double *energy, double *energy_error,
                                        double *family_entropy, double *effective_fraction,
                                        bz_progress_fn progress, void *user);

/* The number of energy bins bz_ising_wang_landau may report for this bin width (0:
 * exact levels): the bins of [-B, B], B = sum |J| + sum |h|; the capacity its
 * outputs need. Errors: INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 * LIMIT_EXCEEDED (over 2^24 bins). */
bz_status bz_ising_wang_landau_bins(const bz_ising *model, double bin_width, int64_t *out_bins);

/* The density of states g(E) of any model by Wang-Landau sampling with Belardinelli
 * and Pereyra's 1/t refinement: options->runs independent walks of single-spin flips
 * accepted with min(1, g(E)/g(E')), ln f halved at each flat histogram until it falls
 * below 1/t, then 1/t until options->final_log_f. Each run's g is normalised to
 * sum g = 2^N over the bins every run visited (*out_bins of them, ascending):
 *   energies[bins]          bin centres (exact levels with bin_width 0)
 *   log_g[bins]             the mean of ln g over runs
 *   log_g_error[bins]       its standard error over runs
 *   run_log_g[runs * bins]  each run's ln g, row-major (may be NULL)
 *   sweeps[runs]            each run's sweeps (may be NULL)
 * *out_converged is 1 when every run reached final_log_f, 0 when one stopped at
 * max_sweeps (may be NULL). Arrays hold capacity bins (>= bz_ising_wang_landau_bins).
 * log Z(beta) with an error: bz_wang_landau_thermo. Runs go in parallel, each on its
 * own stream: results do not depend on the thread count. Progress counts sweeps
 * (against runs x min(max_sweeps, 4 / final_log_f)); bz_interrupt(model) stops it.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (options out of range, or
 *         bin_width 0 on a model with fractional parameters, a wrong
 *         options->version), NON_FINITE, SHAPE_MISMATCH (capacity below the bins), LIMIT_EXCEEDED,
 *         OUT_OF_MEMORY, CANCELLED. */
bz_status bz_ising_wang_landau(const bz_ising *model, const bz_wang_landau_options *options,
                               int64_t capacity, double *energies, double *log_g,
                               double *log_g_error, double *run_log_g, int64_t *sweeps,
                               int64_t *out_bins, int32_t *out_converged,
                               bz_progress_fn progress, void *user);

/* Thermodynamics from Wang-Landau runs (bz_ising_wang_landau's energies and
 * run_log_g, runs x bins): log Z(beta) = log sum_E g(E) e^(-beta E) per run,
 * averaged, with its standard error over runs (log_z_error); U and C from the mean
 * ln g. Outputs [n_betas], each may be NULL.
 * Errors: NULL_POINTER, INVALID_ARGUMENT (runs < 2, bins < 1, n_betas < 1),
 *         NON_FINITE. */
bz_status bz_wang_landau_thermo(const double *energies, const double *run_log_g, int64_t runs,
                                int64_t bins, const double *betas, int64_t n_betas,
                                double *log_z, double *log_z_error, double *energy,
                                double *heat_capacity);

/* ==========================================================================
 * Restricted Boltzmann machines
 *
 * An RBM with hidden units h in {0,1}^n_h and visible units of one of two kinds:
 *   BZ_RBM_BERNOULLI  v in {0,1}^n_v, E(v, h) = -b.v - c.h - v^T W h;
 *                     inputs in [0, 1] (values between are taken as probabilities);
 *   BZ_RBM_GAUSSIAN   v real, unit variance, E(v, h) = |v - b|^2/2 - c.h - v^T W h;
 *                     inputs any finite reals (standardise the data first).
 * Single-precision W (n_v x n_h, row-major), visible biases b, hidden biases c.
 * The free energy is F(v) = -b.v - sum_j softplus(c_j + (v^T W)_j) (Bernoulli)
 * or |v - b|^2/2 - sum_j softplus(...) (Gaussian), and p(v) = exp(-F(v)) / Z.
 * A bz_rbm also holds its training state (options, momentum, persistent chains,
 * a random stream seeded at creation), so bz_rbm_partial_fit continues where the
 * last call stopped. Threads: calls on one bz_rbm are serialised; a call that
 * finds it in use returns BZ_ERR_BUSY.
 * ========================================================================== */

typedef struct bz_rbm bz_rbm;

/* Visible unit kinds. */
#define BZ_RBM_BERNOULLI 0
#define BZ_RBM_GAUSSIAN  1

/* A machine with n_visible, n_hidden in [1, BZ_LIMIT_UNITS] units (n_v n_h <= BZ_LIMIT_BLAS) of
 * visible kind BZ_RBM_*, weights drawn from Normal(0, 0.01^2) with seed, zero
 * biases, default training options. Errors: NULL_POINTER, INVALID_ARGUMENT,
 * LIMIT_EXCEEDED. */
bz_status bz_rbm_create(bz_rbm **out, int64_t n_visible, int64_t n_hidden, int32_t visible_units,
                        uint64_t seed);

/* Free a machine; NULL and stale handles are ignored. */
void bz_rbm_free(bz_rbm *rbm);

/* Layer sizes (either output may be NULL). Errors: INVALID_HANDLE, BUSY. */
bz_status bz_rbm_size(const bz_rbm *rbm, int64_t *out_n_visible, int64_t *out_n_hidden);

/* The visible unit kind, BZ_RBM_*. Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_rbm_visible_units(const bz_rbm *rbm, int32_t *out);

/* Copy out W [n_visible x n_hidden], b [n_visible], c [n_hidden] (any may be
 * NULL); the sizes must be the machine's.
 * Errors: INVALID_HANDLE, SHAPE_MISMATCH, BUSY. */
bz_status bz_rbm_parameters(const bz_rbm *rbm, float *weights, float *visible_bias,
                            float *hidden_bias, int64_t n_visible, int64_t n_hidden);

/* Replace all parameters (all finite); the training momentum restarts. On
 * failure the machine is unchanged.
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, NON_FINITE, BUSY. */
bz_status bz_rbm_set_parameters(bz_rbm *rbm, const float *weights, const float *visible_bias,
                                const float *hidden_bias, int64_t n_visible, int64_t n_hidden);

/* E[h_j | v] = p(h_j = 1 | v) for n_rows >= 1 rows of visible [n_rows x n_visible]
 * into out [n_rows x n_hidden]; and E[v_i | h] from hidden rows (values in
 * [0, 1]) into out [n_rows x n_visible]: p(v_i = 1 | h) for Bernoulli units,
 * the mean b_i + (W h)_i for Gaussian ones. Errors: NULL_POINTER,
 * INVALID_HANDLE, INVALID_ARGUMENT (n_rows < 1, a value outside its domain),
 * NON_FINITE, BUSY. */
bz_status bz_rbm_hidden_probabilities(const bz_rbm *rbm, const float *visible, int64_t n_rows,
                                      float *out);
bz_status bz_rbm_visible_probabilities(const bz_rbm *rbm, const float *hidden, int64_t n_rows,
                                       float *out);

/* F(v) for each of n_rows visible rows, into out [n_rows] (pre-activations in
 * single precision, sums in double). Errors: as bz_rbm_hidden_probabilities. */
bz_status bz_rbm_free_energy(const bz_rbm *rbm, const float *visible, int64_t n_rows, double *out);

/* The pseudo-log-likelihood sum_i log p(v_i | v_-i) of each of n_rows visible
 * rows into out [n_rows], over every unit (scikit-learn's score_samples flips
 * one random unit and scales by n_visible: an unbiased estimate of this).
 * Errors: as bz_rbm_hidden_probabilities; UNSUPPORTED for Gaussian units. */
bz_status bz_rbm_pseudo_log_likelihood(const bz_rbm *rbm, const float *visible, int64_t n_rows,
                                       double *out);

/* The exact log Z: the smaller layer (at most 32 units; always the hidden one
 * for Gaussian visibles, which are integrated out) is enumerated in Gray-code
 * order with the other summed out analytically, threaded and bit-identical for
 * any thread count (cost 2^m x n_other). The mean log-likelihood of data is then
 * -mean F(v) - log Z. Progress counts states; bz_interrupt(rbm) stops the call.
 * Errors: NULL_POINTER, INVALID_HANDLE, LIMIT_EXCEEDED (the enumerated layer
 *         has more than 32 units), CANCELLED, BUSY. */
bz_status bz_rbm_log_partition_exact(const bz_rbm *rbm, double *out, bz_progress_fn progress,
                                     void *user);

/* log Z by Annealed Importance Sampling (Salakhutdinov & Murray 2008): runs in
 * [1, BZ_LIMIT_CHAINS] chains from a base model without weights, sampled exactly, through
 * betas [n_betas] (from 0 to 1, not decreasing; NULL: the paper's 14,501
 * values, 500 to 0.5, 4000 to 0.9, 10000 to 1), one Gibbs sweep per beta, all
 * runs of a group at once through sgemm. The base has visible biases base [n_visible]
 * (NULL: 0, the uniform model; pass log(p / (1 - p)) of the data's marginals
 * for a closer start) for Bernoulli units, and is Normal(b, 1) for Gaussian
 * ones (base must be NULL). *out_log_z: log Z_A + log mean w; *out_stderr (may
 * be NULL): its standard error, std(w) / (sqrt(runs) mean w); *out_ess (may be
 * NULL): (sum w)^2 / sum w^2. Runs go in fixed groups of at most 64, one
 * group per thread; the draws depend on seed only. Progress counts betas times
 * groups; bz_interrupt(rbm) stops the call.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 *         UNSUPPORTED, CANCELLED, BUSY. */
bz_status bz_rbm_log_partition_ais(const bz_rbm *rbm, int64_t runs, const double *betas,
                                   int64_t n_betas, const float *base, uint64_t seed,
                                   double *out_log_z, double *out_stderr, double *out_ess,
                                   bz_progress_fn progress, void *user);

/* What bz_rbm_fit reports per epoch. */
#define BZ_RBM_METRIC_NONE                  0
#define BZ_RBM_METRIC_RECONSTRUCTION        1  /* mean squared error of v against E[v | h],
                                                  h drawn from p(h | v) */
#define BZ_RBM_METRIC_PSEUDO_LOG_LIKELIHOOD 2  /* the mean over the training rows
                                                  (Bernoulli units only) */

/* Training options (versioned): initialise with bz_rbm_train_options_init, change
 * fields, hand them to bz_rbm_set_training. */
#define BZ_RBM_TRAIN_OPTIONS_VERSION 1
typedef struct bz_rbm_train_options {
    int32_t version;            /* BZ_RBM_TRAIN_OPTIONS_VERSION */
    double learning_rate;       /* SGD step, finite, > 0; 0.05 */
    double final_learning_rate; /* bz_rbm_fit's rate falls linearly from learning_rate
                                   at its first batch to this after its last (>= 0);
                                   negative = constant; -1 */
    int64_t k;                  /* Gibbs steps of the negative phase, in
                                   [1, BZ_LIMIT_STEPS]; 1 */
    int64_t persistent_chains;  /* 0: CD-k, chains restart at the data; > 0: PCD-k
                                   with that many fantasy chains (<= BZ_LIMIT_BATCH); 0 */
    double momentum;            /* in [0, 1); 0.5 */
    double weight_decay;        /* L2 on W, finite, >= 0; 0 */
    int64_t batch_size;         /* rows per step, in [1, BZ_LIMIT_BATCH]; 10 */
    int32_t metric;             /* BZ_RBM_METRIC_*; BZ_RBM_METRIC_RECONSTRUCTION */
} bz_rbm_train_options;

/* Fill options with the defaults above. Errors: NULL_POINTER. */
bz_status bz_rbm_train_options_init(bz_rbm_train_options *options);

/* Replace the machine's training options, checked as a whole first: on any
 * error nothing changes. Changing persistent_chains starts the chains afresh.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (a version this
 *         library does not know, or a value outside its domain), NON_FINITE,
 *         BUSY. */
bz_status bz_rbm_set_training(bz_rbm *rbm, const bz_rbm_train_options *options);

/* The machine's training options (the defaults until set).
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_rbm_get_training(const bz_rbm *rbm, bz_rbm_train_options *out);

/* Train on data [n_rows x n_visible] for epochs passes (in [1,
 * BZ_LIMIT_ITERATIONS]) with the machine's training options, starting afresh:
 * momentum zero, persistent chains seeded from the first batch, the random
 * stream reseeded with seed (the parameters are kept: call it again to train
 * further). Each pass visits the rows in a
 * fresh random order in batches of batch_size (the last may be shorter): SGD
 * on the log-likelihood, whose gradient <v h^T>_data - <v h^T>_model uses
 * hidden probabilities in the positive phase and, in the negative one, chains
 * that start from a hidden state (CD: a sample of p(h | batch); PCD: the
 * chains' own, kept as hidden samples as scikit-learn does) and make k steps
 * v ~ p(v | h), h ~ p(h | v). metrics [epochs] (may be NULL) receives each
 * epoch's metric (NaN for none); progress counts epochs, with that metric. A
 * stop (callback or bz_interrupt(rbm)) is honoured between batches and returns
 * BZ_ERR_CANCELLED with the machine as trained so far.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 *         UNSUPPORTED, CANCELLED, BUSY; the machine is unchanged on bad input. */
bz_status bz_rbm_fit(bz_rbm *rbm, const float *data, int64_t n_rows, int64_t epochs, uint64_t seed,
                     double *metrics, bz_progress_fn progress, void *user);

/* One gradient step on data [n_rows x n_visible] taken as one batch, at
 * learning_rate, continuing the momentum, chains and random stream of earlier
 * calls (scikit-learn's partial_fit). *out_error (may be NULL): the batch's
 * mean squared reconstruction error. Errors: as bz_rbm_fit, without CANCELLED. */
bz_status bz_rbm_partial_fit(bz_rbm *rbm, const float *data, int64_t n_rows, double *out_error);

/* Block-Gibbs sampling: n_chains in [1, BZ_LIMIT_BATCH] chains, from the rows of start
 * [n_chains x n_visible] (NULL: random states, fair coins or standard normals),
 * each making steps >= 0 sweeps h ~ p(h | v), v ~ p(v | h); out [n_chains x
 * n_visible] receives the final states, or with means != 0 E[v | h] of the last
 * sweep. The draws depend on seed only. Progress counts sweeps; bz_interrupt(rbm)
 * stops the call. Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT,
 * SHAPE_MISMATCH, NON_FINITE, LIMIT_EXCEEDED, CANCELLED, BUSY. */
bz_status bz_rbm_sample(const bz_rbm *rbm, int64_t n_chains, int64_t steps, const float *start,
                        int32_t means, uint64_t seed, float *out, bz_progress_fn progress,
                        void *user);

/* Persistence. The RBM format (version 1, little-endian): magic
 * "BZRBM\r\n\x1a" (8 bytes); uint32 format version; uint32 visible kind
 * (BZ_RBM_*); uint32 hidden kind (0, Bernoulli); uint32 reserved (0); uint64
 * n_visible; uint64 n_hidden; float32 W (row-major), b, c; uint32 CRC-32
 * (IEEE, as zlib's crc32) of every byte before it. Training state is not
 * stored. Saving follows the rules of "Model files" (core section): atomic,
 * crash-safe, permissions and symbolic links kept. Loading checks everything
 * (magic first, size, version, kinds, the reserved field, shapes, checksum,
 * finite values) and creates a new machine; nothing else is touched on
 * failure.
 * bz_rbm_serialized_size gives the byte count; bz_rbm_serialize writes exactly
 * that many into out [size].
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (empty path),
 *         SHAPE_MISMATCH (size), IO, BAD_FORMAT, BUSY. */
bz_status bz_rbm_save(const bz_rbm *rbm, const char *path);
bz_status bz_rbm_load(bz_rbm **out, const char *path);
bz_status bz_rbm_serialized_size(const bz_rbm *rbm, int64_t *out);
bz_status bz_rbm_serialize(const bz_rbm *rbm, uint8_t *out, int64_t size);
bz_status bz_rbm_deserialize(bz_rbm **out, const uint8_t *bytes, int64_t size);

/* Bars and stripes (MacKay 2003): every side x side binary image whose rows
 * are all constant or whose columns are all constant, each once, in
 * lexicographic order: 2^(side + 1) - 2 images (side in [1, 5]), whose best
 * possible mean log-likelihood is -log of that count. *out_rows (may be NULL)
 * gets the count; out (may be NULL, a size query) receives n_rows = that count
 * images of side^2 floats in {0, 1}.
 * Errors: INVALID_ARGUMENT, SHAPE_MISMATCH. */
bz_status bz_bars_and_stripes(int64_t side, int64_t *out_rows, float *out, int64_t n_rows);

/* ==========================================================================
 * Fully visible Boltzmann machines
 *
 * Learn the couplings J and fields h of an Ising model,
 * p(s) = exp(-E(s)) / Z with E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i,
 * from +-1 data by gradient ascent (Nesterov momentum) on the mean
 * log-likelihood, whose gradient is the Boltzmann-machine rule
 * dJ_ij = <s_i s_j>_data - <s_i s_j>_model, dh_i = <s_i>_data - <s_i>_model.
 * ========================================================================== */

/* Options of bz_bm_fit (versioned): initialise with bz_bm_options_init. */
#define BZ_BM_OPTIONS_VERSION 1
typedef struct bz_bm_options {
    int32_t version;        /* BZ_BM_OPTIONS_VERSION */
    double learning_rate;   /* gradient step, finite, > 0; 0.1 */
    double momentum;        /* heavy-ball momentum in [0, 1); 0.9 */
    int64_t iterations;     /* at most this many steps, in [1, BZ_LIMIT_ITERATIONS]; 2000 */
    double tolerance;       /* stop once every gradient component is below it (exact
                               statistics only), finite, >= 0; 1e-6 */
    int64_t chains;         /* 0: exact statistics over all 2^n_spins states
                               (n_spins <= 20); > 0: that many persistent heat-bath
                               chains (<= BZ_LIMIT_BATCH); 0 */
    int64_t sweeps;         /* sweeps of every chain per iteration, in
                               [1, BZ_LIMIT_STEPS]; 1 */
} bz_bm_options;

/* Fill options with the defaults above. Errors: NULL_POINTER. */
bz_status bz_bm_options_init(bz_bm_options *options);

/* Learn a model from spins [n_rows x n_spins] int8 in {-1, +1}, n_spins in
 * [1, BZ_LIMIT_PAIRWISE_UNITS], with options (NULL: the defaults); every draw
 * comes from seed. *out receives a new model, a bz_ising to free with
 * bz_ising_free; *out_iterations and *out_gradient (may be NULL) the steps taken
 * and the last gradient's largest component. Progress counts iterations
 * (metric: that component).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, SHAPE_MISMATCH,
 *         LIMIT_EXCEEDED, NOT_CONVERGED (diverged), CANCELLED. */
bz_status bz_bm_fit(bz_ising **out, const int8_t *spins, int64_t n_rows, int64_t n_spins,
                    const bz_bm_options *options, uint64_t seed, int64_t *out_iterations,
                    double *out_gradient, bz_progress_fn progress, void *user);

/* ==========================================================================
 * p-bits: invertible logic for probabilistic Ising machines
 *
 * A gate is a small Ising Hamiltonian whose ground states are exactly the rows
 * of its truth table (+1 = true, -1 = false), every other state at least 4
 * higher; a circuit sums its gates' Hamiltonians on shared nodes, so the
 * consistent assignments are its ground states (Camsari et al., PRX 7, 031014,
 * 2017). Sample its model with a bz_mc sampler: BZ_MC_HEAT_BATH is the p-bit
 * update and BZ_ORDER_COLORED the graph-coloured schedule; bz_mc_clamp the inputs to
 * compute forward, the outputs to sample the inputs.
 *
 * Terminals, in order: NOT (a, y); AND, OR, XOR (a, b, y); half adder (a, b,
 * sum, carry); full adder (a, b, carry in, sum, carry out). XOR adds one
 * auxiliary spin (no 3-spin pairwise XOR exists). Couplings and fields:
 *   NOT        J_ay = -2
 *   AND / OR   J_ab = -1, J_ay = J_by = 2; h = (1, 1, -2) / (-1, -1, 2)
 *   XOR        J = -2 among a, b, y, -4 from each to the auxiliary x;
 *              h = (-2, -2, -2, -4)
 *   half adder J_ab = -2, J_as = J_bs = 2, J_ac = J_bc = 4, J_sc = -4;
 *              h = (2, 2, -2, -4)
 *   full adder J = -2 among a, b, c, 2 from each to s, 4 from each to carry
 *              out, J_s,cout = -4; h = 0
 * Threads: a bz_circuit may be shared between threads (calls are serialised,
 * never refused).
 * ========================================================================== */

typedef struct bz_circuit bz_circuit;

#define BZ_GATE_NOT         0
#define BZ_GATE_AND         1
#define BZ_GATE_OR          2
#define BZ_GATE_XOR         3
#define BZ_GATE_HALF_ADDER  4
#define BZ_GATE_FULL_ADDER  5

/* A gate's number of terminals and of auxiliary spins (either output may be
 * NULL). Errors: INVALID_ARGUMENT (unknown gate). */
bz_status bz_gate_info(int32_t gate, int64_t *out_arity, int64_t *out_n_auxiliary);

/* An empty circuit. Errors: NULL_POINTER. */
bz_status bz_circuit_create(bz_circuit **out);

/* A bits x bits array multiplier, bits in [2, 32]: a on nodes 0..bits-1, b on
 * bits..2 bits-1, the product p = a b on 2 bits..4 bits-1 (least significant
 * first), internal nodes after. Partial products are AND gates, summed row by
 * row with ripples of half and full adders.
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
bz_status bz_circuit_create_multiplier(bz_circuit **out, int64_t bits);

/* Free a circuit; NULL and stale handles are ignored. */
void bz_circuit_free(bz_circuit *circuit);

/* Add a gate BZ_GATE_* on nodes [n_nodes] (its terminals, distinct, each in
 * [0, BZ_LIMIT_UNITS - 1); n_nodes = the gate's arity). Nodes at or past the circuit's
 * node count extend it. Auxiliary spins are appended after the last node;
 * *out_first_auxiliary (may be NULL) receives the first one's index, or -1.
 * On failure the circuit is unchanged.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH. */
bz_status bz_circuit_add_gate(bz_circuit *circuit, int32_t gate, const int64_t *nodes,
                              int64_t n_nodes, int64_t *out_first_auxiliary);

/* Node count (auxiliaries included) and gate count; either output may be NULL.
 * Errors: INVALID_HANDLE. */
bz_status bz_circuit_size(const bz_circuit *circuit, int64_t *out_n_nodes, int64_t *out_n_gates);

/* The circuit's Ising model (the sum of its gates' Hamiltonians), a new
 * bz_ising the caller frees. Errors: NULL_POINTER, INVALID_HANDLE,
 * INVALID_ARGUMENT (no gates). */
bz_status bz_circuit_model(bz_ising **out, const bz_circuit *circuit);

/* Factor n (in [4, 2^62)) with a bits x bits p-bit multiplier (bits = 0: the
 * smallest >= 2 whose largest product, (2^bits - 1)^2, reaches n; an explicit
 * bits whose largest product is below n is INVALID_ARGUMENT; factors above
 * 2^bits - 1 cannot be found, so a lopsided n may need more bits): the product
 * nodes clamped to n, chains heat-bath chains at beta in coloured order, sweeps sweeps each
 * from hot starts (seed fixes them). Every sweep's (a, b) is a sample.
 * Outputs (any may be NULL): the most frequent sampled pair with a b = n,
 * a <= b (0, 0 if none); the fraction of all samples with a b = n; the mean,
 * over chains that hit, of the sweep of the first hit (NaN if none); the
 * number of chains that hit. Progress counts sweeps over all chains.
 * Errors: INVALID_ARGUMENT, NON_FINITE, CANCELLED. */
bz_status bz_pbit_factor(int64_t n, int64_t bits, double beta, int64_t sweeps, int64_t chains,
                         uint64_t seed, int64_t *out_a, int64_t *out_b, double *out_probability,
                         double *out_mean_first_hit, int64_t *out_chains_hit,
                         bz_progress_fn progress, void *user);

/* ==========================================================================
 * Hopfield networks
 * N neurons s_i in {-1, +1} (int8_t, rows of n_neurons), couplings J
 * (symmetric, zero diagonal, single precision) learned from stored patterns,
 * thresholds theta, energy E(s) = -1/2 s^T J s + theta^T s, local fields
 * f_i = (J s)_i - theta_i. Rules:
 *   BZ_HOPFIELD_HEBB     J = (1/N) sum_mu xi^mu xi^mu^T (capacity alpha_c = P/N
 *                        about 0.138)
 *   BZ_HOPFIELD_STORKEY  Storkey's incremental rule (higher capacity; always
 *                        keeps the N x N matrix, N <= BZ_LIMIT_WIDTH)
 * Storage: BZ_HOPFIELD_MATRIX keeps J (N^2 floats, O(N) per flip);
 * BZ_HOPFIELD_PATTERNS computes fields from the patterns (Hebb only, O(P) per
 * update); BZ_HOPFIELD_AUTOMATIC (the default) takes the matrix for N <= 8192
 * and P > 32. Threads: a bz_hopfield is mutable (store, thresholds, storage);
 * calls on one handle are serialised (BZ_ERR_BUSY).
 * ========================================================================== */

typedef struct bz_hopfield bz_hopfield;

#define BZ_HOPFIELD_HEBB    0
#define BZ_HOPFIELD_STORKEY 1

#define BZ_HOPFIELD_AUTOMATIC 0
#define BZ_HOPFIELD_MATRIX    1
#define BZ_HOPFIELD_PATTERNS  2

/* Dynamics of bz_hopfield_recall. */
#define BZ_HOPFIELD_ASYNC   0  /* one neuron at a time, fresh random order each sweep,
                                  s_i <- sign(f_i) (0 keeps s_i); E never rises */
#define BZ_HOPFIELD_SYNC    1  /* all at once; 2-cycles detected */
#define BZ_HOPFIELD_GLAUBER 2  /* asynchronous, s_i = +1 with probability
                                  1 / (1 + exp(-2 f_i / T)) */

/* Outcomes of bz_hopfield_recall, per cue. */
#define BZ_RECALL_FIXED_POINT 0
#define BZ_RECALL_TWO_CYCLE   1
#define BZ_RECALL_SWEEP_LIMIT 2

/* An empty network of n_neurons in [2, BZ_LIMIT_SPINS] (Storkey: [2, BZ_LIMIT_WIDTH]) learning by
 * rule BZ_HOPFIELD_HEBB or _STORKEY, zero thresholds.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, LIMIT_EXCEEDED. */
bz_status bz_hopfield_create(bz_hopfield **out, int64_t n_neurons, int32_t rule);

/* Free a network; NULL and stale handles are ignored. */
void bz_hopfield_free(bz_hopfield *net);

/* Neuron count, stored pattern count, rule (any output may be NULL).
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_hopfield_size(const bz_hopfield *net, int64_t *out_n_neurons,
                           int64_t *out_n_patterns, int32_t *out_rule);

/* Store n_patterns more patterns [n_patterns x n_neurons], entries -1 or +1.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (an entry not +-1,
 * n_patterns <= 0), SHAPE_MISMATCH, LIMIT_EXCEEDED. Nothing changes on error. */
bz_status bz_hopfield_store(bz_hopfield *net, const int8_t *patterns, int64_t n_patterns,
                            int64_t n_neurons);

/* The stored patterns [n_patterns x n_neurons] (n_patterns as bz_hopfield_size
 * reports).
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, BUSY. */
bz_status bz_hopfield_patterns(const bz_hopfield *net, int8_t *patterns, int64_t n_patterns,
                               int64_t n_neurons);

/* Set the thresholds theta [n_neurons] (finite).
 * Errors: NULL_POINTER, INVALID_HANDLE, SHAPE_MISMATCH, NON_FINITE, BUSY. */
bz_status bz_hopfield_set_thresholds(bz_hopfield *net, const double *thresholds, int64_t n_neurons);

/* Choose the storage, BZ_HOPFIELD_AUTOMATIC, _MATRIX or _PATTERNS.
 * Errors: INVALID_ARGUMENT, UNSUPPORTED (PATTERNS with Storkey),
 * LIMIT_EXCEEDED (MATRIX above BZ_LIMIT_WIDTH neurons). */
bz_status bz_hopfield_set_storage(bz_hopfield *net, int32_t storage);

/* Whether local fields come from the matrix (1) or the patterns (0) now.
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_hopfield_uses_matrix(const bz_hopfield *net, int32_t *out_uses_matrix);

/* Recall: run `dynamics` (BZ_HOPFIELD_ASYNC, _SYNC, _GLAUBER at temperature > 0;
 * temperature is ignored otherwise) from each cue of states [n_states x n_neurons],
 * overwritten with the final states, for at most sweeps >= 1 sweeps (N updates
 * each); ASYNC and SYNC stop at a fixed point, SYNC also at a 2-cycle, GLAUBER
 * runs them all. The update order of each sweep is drawn from stream (seed, 0)
 * and shared by all cues; GLAUBER cue r draws its acceptances from stream
 * (seed, r + 1). So the result does not depend on the thread count, and an
 * ASYNC cue's recall not on the other cues (its starting fields come from a
 * BLAS product over the batch: with couplings that are not exact in float, a
 * field within rounding of zero may be decided differently under another
 * split, see "Reproducibility"). Optional outputs [n_states]:
 * outcomes BZ_RECALL_*, the sweeps each cue took. Progress counts cues; a
 * cancelled call leaves states unchanged.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE,
 * SHAPE_MISMATCH, CANCELLED, BUSY. */
bz_status bz_hopfield_recall(const bz_hopfield *net, int8_t *states, int64_t n_states,
                             int64_t n_neurons, int32_t dynamics, double temperature,
                             int64_t sweeps, uint64_t seed, int32_t *outcomes,
                             int64_t *sweeps_taken, bz_progress_fn progress, void *user);

/* Energies [n_states] of states [n_states x n_neurons] (double accumulation).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *        BUSY. */
bz_status bz_hopfield_energy(const bz_hopfield *net, const int8_t *states, int64_t n_states,
                             int64_t n_neurons, double *energies);

/* Overlaps m^mu = (1/N) xi^mu . s [n_states x n_patterns] of states
 * [n_states x n_neurons] with the stored patterns (n_patterns as stored).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *        BUSY. */
bz_status bz_hopfield_overlaps(const bz_hopfield *net, const int8_t *states, int64_t n_states,
                               int64_t n_neurons, double *overlaps, int64_t n_patterns);

/* The network as a new bz_ising model, which the caller frees: couplings J_ij, fields
 * h = -theta, so that its energies equal the network's; then Metropolis,
 * parallel tempering and exact enumeration apply. Errors: NULL_POINTER,
 * INVALID_HANDLE, LIMIT_EXCEEDED (more than 2^27 coupled pairs). */
bz_status bz_hopfield_to_ising(bz_ising **out, const bz_hopfield *net);

/* ==========================================================================
 * Dense (modern) Hopfield networks
 * n stored patterns X [n_patterns x dim] (single precision) and a separation
 * function:
 *   softmax (continuous states x in R^dim; Ramsauer et al. 2020):
 *     update   x <- X^T softmax(beta X x)
 *     energy   E(x) = -lse(beta, X x) + |x|^2 / 2 + log(n) / beta + M^2 / 2,
 *              lse(beta, z) = log(sum_j exp(beta z_j)) / beta, M the largest
 *              pattern norm (E >= 0; no update raises it)
 *   polynomial of degree k (states and patterns -1 or +1, as float;
 *   Krotov & Hopfield 2016):
 *     energy   E(s) = -sum_mu (xi^mu . s)^k
 *     update   one neuron at a time, i = 0 .. dim-1, to the sign that lowers E
 *              (degree 2 is the classical Hebbian network)
 * Queries are rows of states [n_states x dim], retrieved in batches through
 * BLAS; the softmax kernel is the one the empirical diffusion score uses.
 * Threads: calls on one bz_dense_hopfield are serialised; a call that finds it
 * in use returns BZ_ERR_BUSY.
 * ========================================================================== */

typedef struct bz_dense_hopfield bz_dense_hopfield;

#define BZ_DENSE_SOFTMAX    0
#define BZ_DENSE_POLYNOMIAL 1

/* A softmax network on a copy of patterns [n_patterns x dim] (finite) at
 * inverse temperature beta > 0.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, SHAPE_MISMATCH, NON_FINITE. */
bz_status bz_dense_hopfield_create(bz_dense_hopfield **out, const float *patterns,
                                   int64_t n_patterns, int64_t dim, double beta);

/* A polynomial network of degree in [2, 32] on a copy of patterns
 * [n_patterns x dim], entries -1 or +1.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, LIMIT_EXCEEDED (energies beyond
 * double precision). */
bz_status bz_dense_hopfield_create_polynomial(bz_dense_hopfield **out, const float *patterns,
                                              int64_t n_patterns, int64_t dim, int32_t degree);

/* Free a network; NULL and stale handles are ignored. */
void bz_dense_hopfield_free(bz_dense_hopfield *net);

/* Pattern count, dimension, separation (BZ_DENSE_*), beta (softmax; 1 for
 * polynomial) and degree (polynomial; 0 for softmax). Any output may be NULL.
 * Errors: NULL_POINTER, INVALID_HANDLE, BUSY. */
bz_status bz_dense_hopfield_info(const bz_dense_hopfield *net, int64_t *out_n_patterns,
                                 int64_t *out_dim, int32_t *out_separation,
                                 double *out_beta, int32_t *out_degree);

/* Set beta (finite, > 0) of a softmax network. Errors: NON_FINITE, UNSUPPORTED
 * (a polynomial network). */
bz_status bz_dense_hopfield_set_beta(bz_dense_hopfield *net, double beta);

/* Retrieve in place: `steps` updates of every row of states [n_states x dim]
 * (softmax), or up to `steps` sweeps, each row stopping at a sweep that flips
 * nothing (polynomial). Progress counts rows (times steps for softmax); on an
 * error or a cancel the states are left as they were.
 * Errors: INVALID_ARGUMENT, SHAPE_MISMATCH, NON_FINITE (also when beta x . xi
 * overflows single precision), CANCELLED. */
bz_status bz_dense_hopfield_retrieve(const bz_dense_hopfield *net, float *states,
                                     int64_t n_states, int64_t dim, int64_t steps,
                                     bz_progress_fn progress, void *user);

/* Energies [n_states] of states [n_states x dim], in double precision.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *        NON_FINITE, BUSY. */
bz_status bz_dense_hopfield_energy(const bz_dense_hopfield *net, const float *states,
                                   int64_t n_states, int64_t dim, double *energies);

/* ==========================================================================
 * Score-based diffusion
 * A forward process (bz_sde) noises data as x_t = alpha_t x_0 + sigma_t z on
 * t in [0, 1], the marginal of the SDE dx = f(t) x dt + g(t) dw:
 *   VP      beta(t) = beta_min + t (beta_max - beta_min) (defaults 0.1, 20)
 *   SUB_VP  VP's drift, g^2 = beta (1 - e^{-2B}), sigma_t = 1 - e^{-B}
 *   VE      sigma(t) = sigma_min (sigma_max / sigma_min)^t (defaults 0.01, 50),
 *           sigma_t^2 = sigma(t)^2 - sigma_min^2
 *   DDPM    T discrete steps, linear betas (1e-4 .. 0.02, T = 1000) or the
 *           cosine schedule; t = i / T, log alpha-bar linear between steps
 * A score model (bz_score) gives the denoiser D(x, t) = E[x_0 | x_t = x] and
 * the score grad log p_t = (alpha_t D - x) / sigma_t^2: the exact score of a
 * Gaussian mixture (double precision, the test oracle) or the optimal score of
 * a finite training set (memorises it; the dense Hopfield kernel computes it).
 * Samples are rows of float [n x dim]; row r draws its noise from stream
 * (seed, r), so results do not depend on the thread count, nor on the batch:
 * bit for bit with a Gaussian-mixture score, to float rounding with a learned or
 * empirical score, whose rows share BLAS products (see "Reproducibility").
 * Threads: a bz_sde is immutable (share it freely); a bz_score may be evaluated,
 * sampled and saved by any number of threads at once, also while one
 * bz_score_fit trains it (they see the model from before the fit, which
 * replaces it when it returns); a second fit at once returns BZ_ERR_BUSY.
 * ========================================================================== */

typedef struct bz_sde bz_sde;
typedef struct bz_score bz_score;

#define BZ_SDE_VP     0
#define BZ_SDE_SUB_VP 1
#define BZ_SDE_VE     2
#define BZ_SDE_DDPM   3

#define BZ_DDPM_LINEAR 0
#define BZ_DDPM_COSINE 1

/* VP or sub-VP (kind BZ_SDE_VP or BZ_SDE_SUB_VP) with 0 < beta_min <= beta_max.
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
bz_status bz_sde_create_vp(bz_sde **out, int32_t kind, double beta_min, double beta_max);

/* VE with 0 < sigma_min < sigma_max.
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
bz_status bz_sde_create_ve(bz_sde **out, double sigma_min, double sigma_max);

/* DDPM with `steps` steps: BZ_DDPM_LINEAR betas from a = beta_1 to b = beta_T
 * (0 < a <= b < 1), or BZ_DDPM_COSINE with offset a = s in (0, 1) (b unused).
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
bz_status bz_sde_create_ddpm(bz_sde **out, int64_t steps, int32_t schedule, double a, double b);

/* Free a process; NULL and stale handles are ignored. */
void bz_sde_free(bz_sde *sde);

/* The kind (BZ_SDE_*) and the documented default end time of sampling (1e-5
 * for VE, 1e-3 otherwise). Either output may be NULL.
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_sde_info(const bz_sde *sde, int32_t *out_kind, double *out_sampling_epsilon);

/* At each of times [n] (in [0, 1]): alpha_t, sigma_t, the drift coefficient
 * f(t) and the diffusion g(t) (any output [n] may be NULL).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT. */
bz_status bz_sde_coefficients(const bz_sde *sde, const double *times, int64_t n, double *alpha,
                              double *sigma, double *drift, double *diffusion);

/* The times [n] at which the signal-to-noise ratio alpha_t^2 / sigma_t^2 equals
 * snr[k] (> 0; clamped to [0, 1]).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT. */
bz_status bz_sde_time_of_snr(const bz_sde *sde, const double *snr, int64_t n, double *times);

/* Forward noising: x_t = alpha_t x_0 + sigma_t z for each row of x0 [n x dim] at
 * times[n] (in (0, 1]); z from stream (seed, r). Writes xt [n x dim] and, when
 * not NULL, noise [n x dim] (z).
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_sde_perturb(const bz_sde *sde, const float *x0, int64_t n, int64_t dim,
                         const double *times, uint64_t seed, float *xt, float *noise);

/* The exact score of the Gaussian mixture sum_k w_k N(mu_k, Sigma_k):
 * weights [n_components] (> 0, normalised here), means [n_components x dim],
 * covariances [n_components x dim] variances (diagonal = 1) or
 * [n_components x dim x dim] symmetric positive-definite matrices (diagonal = 0).
 * Errors: INVALID_ARGUMENT, NON_FINITE, NULL_POINTER. */
bz_status bz_score_create_gmm(bz_score **out, const double *weights, const double *means,
                              const double *covariances, int64_t n_components, int64_t dim,
                              int32_t diagonal);

/* A class-conditional mixture: bz_score_create_gmm's mixture whose components carry
 * classes [n_components] (labels 0 .. n_classes - 1, each used). p_0(x | y) is the
 * mixture of y's components, weights renormalised: the exact oracle of guided
 * sampling (bz_sampler_options.labels, .guidance).
 * Errors: INVALID_ARGUMENT, NON_FINITE, NULL_POINTER. */
bz_status bz_score_create_gmm_classes(bz_score **out, const double *weights, const double *means,
                                      const double *covariances, const int32_t *classes,
                                      int64_t n_components, int64_t dim, int32_t diagonal);

/* Gaussian-mixture models only: the component count and whether the covariances
 * are diagonal (either output may be NULL).
 * Errors: UNSUPPORTED (not a mixture). */
bz_status bz_score_gmm_info(const bz_score *score, int64_t *out_n_components, int32_t *out_diagonal);

/* Gaussian-mixture models only: the normalised weights [n_components], means
 * [n_components x dim], full covariances [n_components x dim x dim] and classes
 * [n_components] (-1 each when the mixture has none); any output may be NULL.
 * Errors: UNSUPPORTED (not a mixture). */
bz_status bz_score_gmm_parameters(const bz_score *score, double *weights, double *means, double *covariances,
                                  int32_t *classes);

/* Gaussian-mixture models only: the exact conditional p_0(x_F | x_O = values) of the
 * free coordinates F given the known ones O (known_mask [dim], 1 = known; values
 * [dim], read where known), a new mixture over the free coordinates (in order):
 * w'_k ~ w_k N(v; mu_O, S_OO), mu'_k = mu_F + S_FO S_OO^-1 (v - mu_O), S'_k = S_FF -
 * S_FO S_OO^-1 S_OF. Classes are kept. Exact inpainting for a mixture: the oracle of
 * the samplers' known values.
 * Errors: UNSUPPORTED (not a mixture), SHAPE_MISMATCH (dim), INVALID_ARGUMENT (no
 * free coordinate, a mask entry not 0 or 1), NON_FINITE. */
bz_status bz_score_gmm_condition(bz_score **out, const bz_score *score, const double *values,
                                 const uint8_t *known_mask, int64_t dim);

/* The number of classes of a score model (0: it has none).
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_score_classes(const bz_score *score, int64_t *out_n_classes);

/* The optimal score of the training points data [n x dim] (copied).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_score_create_empirical(bz_score **out, const float *data, int64_t n, int64_t dim);

/* A caller's score function for bz_score_create_callback. */
typedef int (*bz_score_fn)(void *user, const float *x, int64_t n, int64_t dim, double t, float *out);

/* A score computed by the caller for the library's samplers: fn writes the score
 * grad log p_t(x) of the n rows of x [n x dim] at time t to out [n x dim] (float32,
 * row-major) and returns 0, or nonzero to stop the call (BZ_ERR_CANCELLED). It is
 * called on the thread that called the library, once per score evaluation with the
 * whole batch (ode_rk45: once per group of rows at the same time); the denoiser
 * follows by Tweedie's formula. A NaN or infinity in out stops the call
 * (BZ_ERR_NON_FINITE). fn and user must stay valid while the handle lives.
 * Works with bz_diffusion_sample and bz_score_eval; it has no density (no
 * bz_langevin target) and does not train.
 * Errors: NULL_POINTER (out, fn), INVALID_ARGUMENT (dim out of [1, BZ_LIMIT_UNITS]). */
bz_status bz_score_create_callback(bz_score **out, int64_t dim, bz_score_fn fn, void *user);

/* Free a score model; NULL and stale handles are ignored. */
void bz_score_free(bz_score *score);

/* The model's dimension.
 * Errors: NULL_POINTER, INVALID_HANDLE. */
bz_status bz_score_dim(const bz_score *score, int64_t *out_dim);

/* Score [n x dim] and denoiser E[x_0 | x_t] [n x dim] (either may be NULL) at
 * the rows of x [n x dim] and time t in (0, 1].
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, SHAPE_MISMATCH,
 *        NON_FINITE. */
bz_status bz_score_eval(const bz_score *score, const bz_sde *sde, const float *x, int64_t n,
                        int64_t dim, double t, float *score_out, float *denoised);

/* Gaussian-mixture models only, in double precision: log p_t at the rows of
 * x [n x dim] into log_density [n] and, when not NULL, the score into
 * gradient [n x dim]. Errors: UNSUPPORTED (not a mixture). */
bz_status bz_score_gmm_log_density(const bz_score *score, const bz_sde *sde, const double *x,
                                   int64_t n, int64_t dim, double t, double *log_density,
                                   double *gradient);

/* Gaussian-mixture models only: n exact samples of p_0 into out [n x dim].
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT, UNSUPPORTED. */
bz_status bz_score_gmm_sample(const bz_score *score, int64_t n, uint64_t seed, float *out);

/* A learned score: an MLP s_theta(x, t) on [x, e(t)] (SiLU hidden layers of
 * widths hidden[n_hidden], float32), trained by denoising score matching with
 * bz_score_fit. The time features e(t) are embedding_size (even) values:
 * BZ_EMBEDDING_FOURIER, [sin 2 pi w_k t, cos 2 pi w_k t] with w_k ~ N(0,
 * embedding_scale^2) drawn from the seed (Song et al. use scale 16; default 4 for
 * 2D data), or BZ_EMBEDDING_SINUSOIDAL, the transformer's positions at 1000 t
 * (embedding_scale unused). The network predicts the added noise
 * (BZ_PREDICT_EPSILON: s = -o / sigma_t), the clean data (BZ_PREDICT_DATA) or
 * sigma_t times the score (BZ_PREDICT_SCORE), or EDM's preconditioned output
 * (BZ_PREDICT_EDM, see bz_score_create_mlp_ex). Weights ~ N(0, 1/fan_in), biases 0,
 * from the seed. Sample it with the process it was trained on.
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
#define BZ_EMBEDDING_FOURIER    0
#define BZ_EMBEDDING_SINUSOIDAL 1

#define BZ_PREDICT_EPSILON 0
#define BZ_PREDICT_DATA    1
#define BZ_PREDICT_SCORE   2
#define BZ_PREDICT_EDM     3

bz_status bz_score_create_mlp(bz_score **out, int64_t dim, const int64_t *hidden, int64_t n_hidden,
                              int32_t embedding, int64_t embedding_size, double embedding_scale,
                              int32_t prediction, uint64_t seed);

/* bz_score_create_mlp with what 3.2 added: EDM's preconditioning and classes.
 * BZ_PREDICT_EDM (Karras et al. 2022) works on the noise level sigma-hat =
 * sigma_t / alpha_t and x-hat = x / alpha_t: the network reads c_in x-hat and
 * D = c_skip x-hat + c_out o, with c_skip = sigma_data^2 / (sigma-hat^2 +
 * sigma_data^2), c_out = sigma-hat sigma_data / sqrt(sigma-hat^2 + sigma_data^2),
 * c_in = 1 / sqrt(sigma-hat^2 + sigma_data^2), so that the network's input and
 * target have unit variance at every noise level; BZ_WEIGHT_SIGMA2 then trains
 * with EDM's weighting (the loss is |o - target|^2). sigma_data (> 0) is the
 * data's scale (EDM: 0.5; the data's standard deviation is a good choice),
 * unused by the other predictions. With n_classes >= 1 the model is
 * class-conditional (n_classes = 0: unconditional). The network also reads its
 * label as n_classes + 1 one-hot inputs, [x, e(t), onehot(y)], the last slot
 * meaning "no label"; the first layer's rows for them are a learned label
 * embedding. Train it with bz_score_fit_labels, which drops each drawn label to
 * "no label" with probability bz_train_options.label_dropout, so that one network
 * learns the conditional and the unconditional score; sample it with
 * bz_sampler_options.labels and .guidance (classifier-free guidance). Calls
 * without labels (sampling without labels, the likelihood) use "no label".
 * bz_score_classes reports n_classes.
 * Errors: NULL_POINTER, INVALID_ARGUMENT. */
bz_status bz_score_create_mlp_ex(bz_score **out, int64_t dim, const int64_t *hidden, int64_t n_hidden,
                                 int32_t embedding, int64_t embedding_size, double embedding_scale,
                                 int32_t prediction, double sigma_data, int64_t n_classes, uint64_t seed);

/* A learned score's shape: the number of hidden layers, their widths into
 * hidden [hidden_capacity >= n_hidden] (when not NULL), the embedding
 * (BZ_EMBEDDING_*), its size and scale, the prediction (BZ_PREDICT_*), the
 * parameter count, and whether EMA parameters exist (1 after training with ema
 * > 0; sampling then uses them). Any output may be NULL.
 * Errors: UNSUPPORTED (not a learned score). */
bz_status bz_score_mlp_info(const bz_score *score, int64_t *out_n_hidden, int64_t *hidden,
                            int64_t hidden_capacity, int32_t *out_embedding,
                            int64_t *out_embedding_size, double *out_embedding_scale,
                            int32_t *out_prediction, int64_t *out_n_parameters,
                            int32_t *out_has_ema);

/* A learned score's data scale sigma_data, which BZ_PREDICT_EDM's preconditioning
 * uses (as given to bz_score_create_mlp_ex; 0.5 for models made otherwise, which
 * do not use it).
 * Errors: NULL_POINTER, INVALID_HANDLE, UNSUPPORTED (not a learned score). */
bz_status bz_score_mlp_sigma_data(const bz_score *score, double *out_sigma_data);

/* Loss weightings lambda(t) of denoising score matching. */
#define BZ_WEIGHT_SIGMA2 0  /* lambda = sigma_t^2: the loss is |sigma_t s + z|^2 */
#define BZ_WEIGHT_G2     1  /* lambda = g(t)^2, the likelihood weighting */

/* Options of bz_score_fit (versioned): initialise with bz_train_options_init. */
#define BZ_TRAIN_OPTIONS_VERSION 2  /* version 1 (without label_dropout) is still read */
typedef struct bz_train_options {
    int32_t version;       /* BZ_TRAIN_OPTIONS_VERSION */
    int64_t steps;         /* optimiser steps; 5000 */
    int64_t batch_size;    /* rows per step, drawn with replacement; 256 */
    double learning_rate;  /* Adam's rate after warm-up; 1e-3 */
    double final_learning_rate; /* the rate moves linearly to this at the last
                               step (>= 0); negative = constant; -1 */
    int64_t warmup;        /* steps of linear warm-up; 100 */
    double clip;           /* largest global gradient norm, 0 = none; 1 */
    double ema;            /* EMA decay of the sampling parameters in [0, 1), 0 = none (step
                              t of a call, from 1, decays by min(ema, t / (t + 9)), the warm-up
                              of diffusers' EMAModel, so that a short training does not sample
                              with an average of mostly the initial weights); 0.999 */
    double epsilon;        /* training times t ~ U(epsilon, 1), epsilon in (0, 1); 1e-5 */
    int32_t weighting;     /* BZ_WEIGHT_*; BZ_WEIGHT_SIGMA2 */
    double label_dropout;  /* class-conditional models: the probability in [0, 1) that a
                              drawn row's label becomes "no label"; 0.1 */
} bz_train_options;

/* Fill options with the defaults above.
 * Errors: NULL_POINTER. */
bz_status bz_train_options_init(bz_train_options *options);

/* Train a learned score on data [n x dim] (finite; n >= 1) by denoising score
 * matching on `sde`: each step draws batch_size rows, t ~ U(epsilon, 1) and
 * z ~ N(0, I), and descends mean lambda(t)/sigma_t^2 |sigma_t s(alpha_t x_0 +
 * sigma_t z, t) + z|^2 by Adam (0.9, 0.999) with warm-up and clipping, updating
 * the EMA. Every draw comes from `seed`: same seed, same result at any thread
 * count. Each call starts a fresh Adam and restarts the EMA's warm-up. options may be NULL
 * (defaults). losses [options->steps] (may be NULL) receives each step's mean
 * loss (NaN for steps not run). Progress counts steps; its metric is the step's
 * loss. Stopped (CANCELLED), the model keeps the steps done; on any other error
 * it is unchanged. Training while another call samples the same handle is safe
 * (the sampler keeps the model it started with); two fits at once get BUSY.
 * Errors: UNSUPPORTED (not a learned score), SHAPE_MISMATCH, NON_FINITE (data,
 * or the loss diverged: lower the learning rate), INVALID_ARGUMENT, CANCELLED. */
bz_status bz_score_fit(bz_score *score, const bz_sde *sde, const float *data, int64_t n, int64_t dim,
                       const bz_train_options *options, uint64_t seed, double *losses,
                       bz_progress_fn progress, void *user);

/* bz_score_fit for a class-conditional learned score (bz_score_create_mlp_ex):
 * labels [n] are the data rows' classes, each in [0, n_classes). Each step draws rows
 * with their labels and replaces a label by "no label" with probability
 * options->label_dropout. bz_score_fit refuses a class-conditional model, and this
 * call an unconditional one (INVALID_ARGUMENT).
 * Errors: as bz_score_fit; INVALID_ARGUMENT (a label out of range). */
bz_status bz_score_fit_labels(bz_score *score, const bz_sde *sde, const float *data, const int32_t *labels,
                              int64_t n, int64_t dim, const bz_train_options *options, uint64_t seed,
                              double *losses, bz_progress_fn progress, void *user);

/* Persistence of learned scores. The format (little-endian): magic
 * "BZMLP\r\n\x1a" (8 bytes); uint32 format version (1; 2 for a class-conditional
 * or BZ_PREDICT_EDM model); uint32 prediction (BZ_PREDICT_*); uint32 embedding (BZ_EMBEDDING_*);
 * uint32 has EMA (0, 1); uint64 dim; uint64 embedding size E; float64 embedding
 * scale; uint64 hidden layer count L; version 2 only: uint64 class count K
 * and float64 sigma_data; uint64 widths [L]; float64 embedding frequencies [E/2]; float32
 * parameters [P] (W_1, b_1, W_2, b_2, ...; W_l row-major, fan-in x fan-out);
 * float32 EMA parameters [P] when present; uint32 CRC-32 of every byte before
 * it. Adam's state and the forward process are not stored.
 * Saving follows the rules of "Model files" (core section): atomic,
 * crash-safe, permissions and symbolic links kept. Loading checks everything
 * (magic first, size, checksum, version, kinds, shapes, finite values). Errors: UNSUPPORTED (not a learned score), INVALID_ARGUMENT (empty
 * path), IO. */
bz_status bz_score_save(const bz_score *score, const char *path);

/* Load a learned score saved by bz_score_save. Errors: IO, BAD_FORMAT (not a
 * learned-score file, truncated, damaged, or of an unknown version). */
bz_status bz_score_load(bz_score **out, const char *path);

/* The learned score as bytes (the file format), for pickling: query the size,
 * then serialize into out [size]. Errors: UNSUPPORTED, SHAPE_MISMATCH (size). */
bz_status bz_score_serialized_size(const bz_score *score, int64_t *out_size);
bz_status bz_score_serialize(const bz_score *score, uint8_t *out, int64_t size);

/* A learned score from bytes [size] made by bz_score_serialize. Errors: BAD_FORMAT. */
bz_status bz_score_deserialize(bz_score **out, const uint8_t *bytes, int64_t size);

/* Samplers of bz_diffusion_sample. */
#define BZ_SAMPLE_EULER_MARUYAMA    0  /* the reverse SDE by Euler-Maruyama */
#define BZ_SAMPLE_PC                1  /* Langevin corrector + reverse-diffusion predictor */
#define BZ_SAMPLE_ODE_EULER         2  /* the probability-flow ODE, Euler */
#define BZ_SAMPLE_ODE_HEUN          3  /* the probability-flow ODE, Heun */
#define BZ_SAMPLE_ANCESTRAL         4  /* DDPM / SMLD ancestral sampling */
#define BZ_SAMPLE_ANNEALED_LANGEVIN 5  /* Langevin at each noise level (NCSN) */
#define BZ_SAMPLE_REVERSE_DIFFUSION 6  /* the reverse-diffusion predictor alone */
#define BZ_SAMPLE_ODE_RK45          7  /* the probability-flow ODE, adaptive Dormand-Prince
                                          5(4) with a step per sample (steps unused) */
#define BZ_SAMPLE_EDM_HEUN          8  /* Karras et al. 2022 (EDM): Heun on x/alpha against
                                          sigma/alpha; stochastic with s_churn > 0 */
#define BZ_SAMPLE_DDIM              9  /* DDIM (Song, Meng & Ermon 2021), eta in [0, 1] */
#define BZ_SAMPLE_DPM_SOLVER_2M    10  /* DPM-Solver++(2M) (Lu et al. 2022), multistep,
                                          data prediction */
#define BZ_SAMPLE_DPM_SOLVER_3M    11  /* DPM-Solver++(3M) */
#define BZ_SAMPLE_UNIPC            12  /* UniPC-2 (Zhao et al. 2023, bh2, data prediction):
                                          the 2M predictor and a corrector that reuses the
                                          next step's evaluation; third order */

/* Noise-level grids: how the steps + 1 times t_0 = 1 > ... > t_steps = epsilon are
 * spaced, through the noise level sigma-hat(t) = sigma_t / alpha_t. */
#define BZ_GRID_DEFAULT -1  /* the sampler's own: EDM for EDM_HEUN, DPM_SOLVER_2M and
                               UNIPC, LOG_SNR for DPM_SOLVER_3M, TIME for the others */
#define BZ_GRID_TIME     0  /* uniform in t */
#define BZ_GRID_LOG_SNR  1  /* uniform in lambda = log(alpha_t / sigma_t) */
#define BZ_GRID_EDM      2  /* sigma-hat_i = (s_max^(1/rho) + i/steps (s_min^(1/rho) -
                               s_max^(1/rho)))^rho, Karras et al.'s eq. 5 */

/* Options of bz_diffusion_sample (versioned, as libgit2's are): initialise with
 * bz_sampler_options_init, then change fields. Version 2 (library 3.0, ending at
 * atol) is still accepted: its later fields take their defaults.
 * `steps` means the same for every sampler: the steps of the grid from t = 1 to
 * epsilon. Each costs one score evaluation (NFE), two for ODE_HEUN and EDM_HEUN,
 * 1 + langevin_steps for PC and langevin_steps for ANNEALED_LANGEVIN; `denoise`
 * adds one. EDM, DDIM, DPM-Solver++ and UniPC end at noise 0 in their papers: that last
 * step is the denoising step here, on by default for them, so EDM's 18 noise
 * levels (35 NFE) are steps = 17. bz_diffusion_nfe gives the count. */
#define BZ_SAMPLER_OPTIONS_VERSION 3
typedef struct bz_sampler_options {
    int32_t version;        /* BZ_SAMPLER_OPTIONS_VERSION */
    int64_t steps;          /* grid steps (noise levels for annealed Langevin); 1000 */
    double epsilon;         /* end time in (0, 1), 0 for the process's own; 0 */
    double snr;             /* PC corrector signal-to-noise ratio; 0.16 */
    int64_t langevin_steps; /* corrector steps per step (PC), steps per level
                               (annealed Langevin); 1 */
    double step_size;       /* annealed Langevin's base step; 2e-5 */
    int32_t denoise;        /* 1: end with a Tweedie step x <- E[x_0 | x_eps]; 0: not;
                               -1: the sampler's own (1 for EDM_HEUN, DDIM,
                               DPM_SOLVER_* and UNIPC, 0 for the others); -1 */
    double rtol;            /* BZ_SAMPLE_ODE_RK45's relative tolerance (> 0); 1e-5 */
    double atol;            /* BZ_SAMPLE_ODE_RK45's absolute tolerance (> 0); 1e-5 */
    int32_t grid;           /* BZ_GRID_*; BZ_GRID_DEFAULT */
    double rho;             /* BZ_GRID_EDM's rho (> 0); 7 */
    double sigma_min;       /* the grid's lowest noise level sigma_t / alpha_t (> 0; it
                               replaces epsilon), 0 for the process's at epsilon; 0 */
    double sigma_max;       /* its highest (at most the process's at t = 1; a VE prior
                               is drawn at its time), 0 for the process's at t = 1; 0 */
    double s_churn;         /* EDM_HEUN's stochasticity S_churn (>= 0, 0 = Algorithm 1's
                               deterministic sampler); 0 */
    double s_tmin;          /* the noise levels [s_tmin, s_tmax] where it churns; 0 */
    double s_tmax;          /* INFINITY */
    double s_noise;         /* the churn's noise scale S_noise (>= 0); 1 */
    double eta;             /* DDIM's eta in [0, 1]: 0 deterministic, 1 ancestral; 0 */
    double *out_nfe;        /* when not NULL, receives the score evaluations per sample
                               the call made (their mean for ODE_RK45); NULL */
    const int32_t *labels;  /* [n] each row's class for a class-conditional score (0 ..
                               n_classes - 1, or -1 for none); NULL: unconditional; NULL */
    double guidance;        /* classifier-free guidance scale w, with labels: D = D(x) +
                               w (D(x | y) - D(x)); 0 unconditional, 1 conditional, > 1
                               sharper; other than 0 and 1 it costs 2 NFE a call; 1 */
    const float *known;     /* [n x dim] known values to clamp (inpainting): after every
                               step a known coordinate is replaced by alpha_s known +
                               sigma_s z, and the output carries it exactly; NULL */
    const uint8_t *known_mask; /* [n x dim] 1 where known, 0 where sampled (with known); NULL */
    int64_t resample;       /* RePaint's resampling (with known): each step done this many
                               times, noised back one step in between (>= 1); 1 */
} bz_sampler_options;

/* Fill options with the defaults above.
 * Errors: NULL_POINTER. */
bz_status bz_sampler_options_init(bz_sampler_options *options);

/* The score evaluations per sample (NFE) that bz_diffusion_sample makes with
 * `method` and options (NULL: defaults; labels only need to be non-NULL, marking
 * guided sampling, which costs 2 evaluations a call when guidance is not 0 or 1).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, UNSUPPORTED (ODE_RK45: adaptive, the
 * call reports its count in out_nfe). */
bz_status bz_diffusion_nfe(int32_t method, const bz_sampler_options *options, int64_t *out_nfe);

/* The options->steps + 1 times of the grid `method` uses on `sde` with options
 * (NULL: defaults) into times [n_times = steps + 1], from t_0 down to t_steps.
 * Errors: NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (sigma_min >= sigma_max,
 * a noise range outside the process's, n_times != steps + 1), UNSUPPORTED
 * (ODE_RK45). */
bz_status bz_diffusion_grid(const bz_sde *sde, int32_t method, const bz_sampler_options *options,
                            double *times, int64_t n_times);

/* n samples [n x dim] of the distribution `score` describes into out, by
 * `method` (BZ_SAMPLE_*) on `sde`, from its prior (N(0, I); N(0, sigma_t^2 I)
 * for VE at the grid's start) along the grid of options (see above). options
 * may be NULL (defaults). Optionally records the samples after
 * the grid steps record[n_record] (increasing, in [1, steps]) into trajectory
 * [n_record x n x dim] (not with BZ_SAMPLE_ODE_RK45). Progress counts steps
 * (BZ_SAMPLE_ODE_RK45: samples that have reached the end time).
 * Errors: INVALID_ARGUMENT (also s_churn without EDM_HEUN, eta without DDIM,
 * sigma_min >= sigma_max, guidance without labels, a label out of range, resample
 * without known values), SHAPE_MISMATCH, UNSUPPORTED (ancestral on sub-VP; a
 * trajectory, a grid, labels or known values with RK45; labels for a score without
 * classes; resample with a multistep sampler), NON_FINITE (samples diverged, a known
 * value), NOT_CONVERGED (RK45 needed over 100000 steps for a sample), CANCELLED. */
bz_status bz_diffusion_sample(const bz_score *score, const bz_sde *sde, int64_t n, int64_t dim,
                              int32_t method, const bz_sampler_options *options, uint64_t seed,
                              float *out, const int64_t *record, int64_t n_record,
                              float *trajectory, bz_progress_fn progress, void *user);

/* Divergence estimators of bz_diffusion_log_likelihood. */
#define BZ_DIVERGENCE_EXACT      0  /* tr(ds/dx): analytic for a mixture (double), dim
                                       vector-Jacobian products for a learned score */
#define BZ_DIVERGENCE_HUTCHINSON 1  /* u^T (ds/dx) u with a Rademacher probe u fixed along
                                       each solve (Grathwohl et al.'s FFJORD): unbiased */

/* Options of bz_diffusion_log_likelihood (versioned): initialise with
 * bz_likelihood_options_init. */
#define BZ_LIKELIHOOD_OPTIONS_VERSION 1
typedef struct bz_likelihood_options {
    int32_t version;    /* BZ_LIKELIHOOD_OPTIONS_VERSION */
    int32_t divergence; /* BZ_DIVERGENCE_*; BZ_DIVERGENCE_EXACT */
    int64_t probes;     /* independent solves per row, each with its own probe (HUTCHINSON;
                           1 for EXACT); 1 */
    double epsilon;     /* the data's time in (0, 1): x is taken as x_epsilon; 1e-5 */
    double rtol;        /* the adaptive solver's relative tolerance (> 0); 1e-5 */
    double atol;        /* its absolute tolerance (> 0); 1e-5 */
} bz_likelihood_options;

/* Fill options with the defaults above.
 * Errors: NULL_POINTER. */
bz_status bz_likelihood_options_init(bz_likelihood_options *options);

/* Log-likelihoods through the probability-flow ODE (Song et al. 2021): for each row
 * of x [n x dim], log p_epsilon(x) = log p_1(x_1) + integral_epsilon^1 div v dt along
 * dx/dt = v = f x - g^2 s / 2, div v = f dim - g^2 tr(ds/dx) / 2, integrated with the
 * augmented state by adaptive Dormand-Prince 5(4), a step per row. The prior term
 * is the model's own log p_1 for a Gaussian mixture (exact: the result is then the
 * mixture's log-density to the ODE tolerance), else N(0, I) (N(0, sigma_1^2 I) for
 * VE), the samplers' prior. Writes log_density [n] in nats (bits per dimension:
 * -log_density / (dim ln 2)) and, when not NULL, std_error [n]: 0 for EXACT, the
 * probes' spread over sqrt(probes) for HUTCHINSON (NaN with one probe). out_nfe (may
 * be NULL): evaluations per row and probe (each EXACT evaluation of a learned score
 * costs dim vector-Jacobian products). Row r's probes come from stream (seed, r).
 * options may be NULL (defaults). Progress counts rows x probes that have arrived.
 * Errors: UNSUPPORTED (a callback or empirical score: no Jacobian), INVALID_ARGUMENT,
 * SHAPE_MISMATCH, NON_FINITE, NOT_CONVERGED (over 100000 steps for a row),
 * LIMIT_EXCEEDED, CANCELLED. */
bz_status bz_diffusion_log_likelihood(const bz_score *score, const bz_sde *sde, const float *x, int64_t n,
                                      int64_t dim, const bz_likelihood_options *options, uint64_t seed,
                                      double *log_density, double *std_error, double *out_nfe,
                                      bz_progress_fn progress, void *user);

/* A user energy for bz_langevin: returns E(x) at x [dim] and writes grad E(x)
 * [dim] to gradient; the target density is exp(-E(x)) (fold a temperature into
 * E). Called from the calling thread only, one point at a time. */
typedef double (*bz_energy_fn)(void *user, const double *x, int64_t dim, double *gradient);

#define BZ_LANGEVIN_ULA  0  /* x <- x + h grad log p + sqrt(2h) z (biased at finite h) */
#define BZ_LANGEVIN_MALA 1  /* the same proposal, Metropolis-adjusted (unbiased) */

/* Langevin Monte Carlo: `steps` steps of size step_size > 0 for each of n_chains
 * chains, rows of states [n_chains x dim] (the starts, overwritten with the
 * final states; left unchanged on an error). The target is exp(-energy) (energy
 * and user given, score NULL) or the marginal p_t of a Gaussian-mixture score
 * under sde at time t (energy NULL). Chain r draws from stream (seed, r).
 * out_acceptance (may be NULL): the fraction of accepted MALA proposals (1 for
 * ULA). Progress counts chains.
 * Errors: INVALID_ARGUMENT (neither or both targets), UNSUPPORTED (a score
 * without a density), NON_FINITE (the target returned NaN or infinity),
 * CANCELLED. */
bz_status bz_langevin(bz_energy_fn energy, void *user, const bz_score *score, const bz_sde *sde,
                      double t, double *states, int64_t n_chains, int64_t dim, int32_t method,
                      int64_t steps, double step_size, uint64_t seed, double *out_acceptance,
                      bz_progress_fn progress, void *progress_user);

/* Ito calculus (Oksendal, "Stochastic Differential Equations", 4.1): on `paths`
 * Brownian paths of `steps` increments over [0, t], the mean and standard error of
 * sum_k W_k (W_{k+1} - W_k) - (W(t)^2/2 - t/2) (zero: Ito's identity) and of the
 * same sum - W(t)^2/2 (-t/2: ordinary calculus's answer is wrong). Any output may
 * be NULL.
 * Errors: INVALID_ARGUMENT, CANCELLED. */
bz_status bz_ito_integral(int64_t paths, int64_t steps, double t, uint64_t seed, double *out_ito_mean,
                          double *out_ito_stderr, double *out_naive_mean, double *out_naive_stderr);

/* Toy data sets: n rows of 2 floats of the kind BZ_TOY_* (eight Gaussians around
 * (2 cos(k pi/4), 2 sin(k pi/4)), two moons, a swiss roll, a checkerboard, rings);
 * scale is the noise (the eight Gaussians' standard deviation, default 0.1), < 0
 * for the kind's default.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
#define BZ_TOY_EIGHT_GAUSSIANS 0
#define BZ_TOY_TWO_MOONS       1
#define BZ_TOY_SWISS_ROLL      2
#define BZ_TOY_CHECKERBOARD    3
#define BZ_TOY_RINGS           4
bz_status bz_toy_data(int32_t kind, int64_t n, uint64_t seed, double scale, float *out);

/* ==========================================================================
 * Sample metrics
 * Two-sample distances between x [n x dim] and y [m x dim] (finite), in double:
 * read each beside its floor, the same distance between two true samples.
 * ========================================================================== */

/* Squared energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (unbiased within
 * terms; n, m >= 2).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, CANCELLED. */
bz_status bz_energy_distance(const float *x, int64_t n, const float *y, int64_t m, int64_t dim,
                             double *out);

/* Unbiased squared MMD with the kernel sum_b exp(-|u - v|^2 / (2 h_b^2)),
 * bandwidths h [n_bandwidths] > 0.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, CANCELLED. */
bz_status bz_mmd(const float *x, int64_t n, const float *y, int64_t m, int64_t dim,
                 const double *bandwidths, int64_t n_bandwidths, double *out);

/* Sliced 2-Wasserstein distance over `projections` random directions (seeded).
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE, CANCELLED. */
bz_status bz_sliced_wasserstein(const float *x, int64_t n, const float *y, int64_t m, int64_t dim,
                                int64_t projections, uint64_t seed, double *out);

/* Mode coverage: the fraction of samples [n x dim] within 3 standard deviations
 * of one of the modes means [n_modes x dim] (stds [n_modes] > 0), and when
 * weights [n_modes] is not NULL the fraction of samples assigned to each mode.
 * Errors: NULL_POINTER, INVALID_ARGUMENT, NON_FINITE. */
bz_status bz_mode_coverage(const float *samples, int64_t n, int64_t dim, const double *means,
                           const double *stds, int64_t n_modes, double *out_covered,
                           double *weights);

#ifdef __cplusplus
}
#endif

#endif /* BOLTZMANN_H */
