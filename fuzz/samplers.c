/*
 * libFuzzer harness: the long calls with fuzzed counts, choices and options --
 * Monte Carlo, tempering, annealing, RBM training and sampling, Hopfield recall and
 * retrieval, diffusion sampling with every bz_sampler_options field fuzzed, score
 * training with every bz_train_options field fuzzed, Langevin, the sample metrics --
 * on small models made once. Buffers are as long as the counts passed; counts the
 * harness cannot back go with NULL. Every call must return a status and leave its
 * handle usable (a last, valid call on it must succeed).
 */
#include <stdlib.h>
#include <string.h>

#include "boltzmann.h"
#include "fuzz_input.h"

static bz_ising *model;
static bz_rbm *rbm;
static bz_hopfield *hopfield;
static bz_dense_hopfield *dense;
static bz_sde *sde;
static bz_score *mixture, *learned;

/* Steps, sweeps and the like: small, or an invalid edge (never a valid large count). */
static int64_t next_steps(struct input *in, int64_t small) {
    static const int64_t invalid[] = {-1, 0, (int64_t)1 << 41, INT64_MAX, INT64_MIN};
    uint8_t how = next_byte(in);
    if (how < 230) return 1 + (int64_t)(next_byte(in) % small);
    return invalid[next_byte(in) % (sizeof invalid / sizeof *invalid)];
}

static void setup(void) {
    if (model) return;
    bz_ising_create_square(&model, 4, 4, 1.0, 0.0, 1);
    bz_rbm_create(&rbm, 6, 4, BZ_RBM_BERNOULLI, 1);
    bz_hopfield_create(&hopfield, 16, BZ_HOPFIELD_HEBB);
    int8_t patterns[2 * 16];
    for (int k = 0; k < 32; k++) patterns[k] = (k * 7 % 3) ? 1 : -1;
    bz_hopfield_store(hopfield, patterns, 2, 16);
    float points[8 * 2] = {0, 1, 1, 0, -1, 0, 0, -1, 2, 2, -2, 2, 2, -2, -2, -2};
    bz_dense_hopfield_create(&dense, points, 8, 2, 1.0);
    bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20.0);
    double weights[2] = {1, 1}, means[4] = {-1, 0, 1, 0}, variances[4] = {0.1, 0.1, 0.1, 0.1};
    bz_score_create_gmm(&mixture, weights, means, variances, 2, 2, 1);
    int64_t hidden[1] = {8};
    bz_score_create_mlp(&learned, 2, hidden, 1, 0, 4, 1.0, 0, 1);
}

static double quadratic(void *user, const double *x, int64_t dim, double *gradient) {
    (void)user;
    double e = 0;
    for (int64_t k = 0; k < dim; k++) { e += 0.5 * x[k] * x[k]; gradient[k] = x[k]; }
    return e;
}

static void monte_carlo(struct input *in) {
    bz_mc *mc = NULL;
    int64_t chains = next_steps(in, 4);
    if (bz_mc_create(&mc, model, next_double(in), next_choice(in, 6), next_choice(in, 4), chains, next_raw(in, 8)) != BZ_OK) return;
    if (next_byte(in) & 1) {
        bz_mc_run(mc, next_steps(in, 20), minus_one(next_steps(in, 5)), next_steps(in, 4), NULL, NULL);
    } else {
        int64_t samples = next_steps(in, 4), every = next_steps(in, 3), n = 4 * 16 * 16;
        int8_t *spins = malloc((size_t)n);
        int fits = samples >= 1 && samples <= 4 && chains >= 1 && chains <= 4;
        bz_mc_sample(mc, samples, every, minus_one(next_steps(in, 5)), fits ? spins : NULL, fits ? chains * samples * 16 : next_count(in, 100),
                     NULL, NULL);
        free(spins);
    }
    double mean[BZ_MC_N_OBSERVABLES];
    bz_mc_results(mc, mean, NULL, NULL, NULL, BZ_MC_N_OBSERVABLES);
    bz_mc_free(mc);
}

static void tempering_and_annealing(struct input *in) {
    double betas[4];
    next_doubles(in, betas, 4);
    int64_t n_betas = next_count(in, 4);
    int fits = n_betas >= 0 && n_betas <= 4;
    if (next_byte(in) & 1) {
        bz_pt *pt = NULL;
        if (bz_pt_create(&pt, model, fits ? betas : NULL, n_betas, next_choice(in, 6), next_steps(in, 3), next_raw(in, 8)) == BZ_OK) {
            bz_pt_run(pt, next_steps(in, 20), minus_one(next_steps(in, 5)), next_steps(in, 4), NULL, NULL);
            bz_pt_free(pt);
        }
    } else {
        int64_t reads = next_steps(in, 4), best;
        int8_t spins[4 * 16];
        double energies[4];
        int room = reads >= 1 && reads <= 4;
        bz_anneal(model, fits ? betas : NULL, n_betas, next_steps(in, 4), reads, next_choice(in, 6), next_raw(in, 8),
                  room ? spins : NULL, room ? energies : NULL, &best, NULL, NULL);
    }
}

/* A count kept out of the legal-but-slow range (65 to 2^20 becomes 64); illegal ones stay. */
static int64_t legal_but_small(int64_t count) { return count > 64 && count <= 1 << 20 ? 64 : count; }

static void machines(struct input *in) {
    float data[8 * 6], out[8 * 6];
    next_floats(in, data, 8 * 6);
    int64_t rows = next_count(in, 8);
    int fits = rows >= 0 && rows <= 8;
    switch (next_byte(in) % 4) {
    case 0: {
        if (next_byte(in) % 2) {
            /* Valid but large chain counts, CD steps or batches are legal and merely slow. */
            bz_rbm_train_options options;
            bz_rbm_train_options_init(&options);
            options.version = next_byte(in) % 8 ? BZ_RBM_TRAIN_OPTIONS_VERSION : next_raw(in, 4);
            options.learning_rate = next_double(in);
            options.final_learning_rate = next_double(in);
            options.k = legal_but_small(next_count(in, 64));
            options.persistent_chains = legal_but_small(next_count(in, 64));
            options.momentum = next_double(in);
            options.weight_decay = next_double(in);
            options.batch_size = legal_but_small(next_count(in, 64));
            options.metric = (int32_t)next_choice(in, 4);
            bz_rbm_set_training(rbm, next_byte(in) % 8 ? &options : NULL);
        }
        double metrics[4];
        int64_t epochs = next_steps(in, 4);
        bz_rbm_fit(rbm, fits ? data : NULL, rows, epochs, next_raw(in, 8), epochs >= 1 && epochs <= 4 ? metrics : NULL, NULL, NULL);
        break;
    }
    case 1: {
        int64_t chains = next_count(in, 8);
        int room = chains >= 0 && chains <= 8;
        bz_rbm_sample(rbm, chains, minus_one(next_steps(in, 8)), next_byte(in) & 1 && room ? data : NULL, next_choice(in, 1), next_raw(in, 8),
                      room ? out : NULL, NULL, NULL);
        break;
    }
    case 2: {
        int8_t states[4 * 16];
        for (int k = 0; k < 64; k++) states[k] = (int8_t)(next_byte(in) % 8 == 0 ? next_byte(in) : (next_byte(in) & 1 ? 1 : -1));
        int64_t n = next_count(in, 4), width = next_byte(in) & 7 ? 16 : next_count(in, 20);
        int32_t outcomes[4];
        int64_t taken[4];
        int room = n >= 0 && n <= 4 && width == 16;
        bz_hopfield_recall(hopfield, room ? states : NULL, n, width, next_choice(in, 3), next_double(in), next_steps(in, 8),
                           next_raw(in, 8), room ? outcomes : NULL, room ? taken : NULL, NULL, NULL);
        break;
    }
    default: {
        int64_t n = next_count(in, 8), dim = next_byte(in) & 7 ? 2 : next_count(in, 4);
        int room = n >= 0 && n <= 8 && dim == 2;
        bz_dense_hopfield_retrieve(dense, room ? data : NULL, n, dim, next_steps(in, 4), NULL, NULL);
    }
    }
}

static void diffusion(struct input *in) {
    float x[8 * 2];
    next_floats(in, x, 16);
    int64_t n = next_count(in, 8), dim = next_byte(in) & 7 ? 2 : next_count(in, 4);
    int room = n >= 0 && n <= 8 && dim == 2;
    switch (next_byte(in) % 3) {
    case 0: {
        bz_sampler_options options;
        bz_sampler_options_init(&options);
        if (next_byte(in) & 1) options.version = next_choice(in, 4);
        options.steps = next_steps(in, 20);
        if (next_byte(in) & 1) options.epsilon = next_double(in);
        if (next_byte(in) & 1) options.snr = next_double(in);
        options.langevin_steps = next_steps(in, 3);
        if (next_byte(in) & 1) options.step_size = next_double(in);
        options.denoise = next_choice(in, 1);
        if (next_byte(in) & 1) {
            /* Valid but tiny tolerances are legal and merely slow (RK45 would take millions of steps). */
            options.rtol = next_double(in);
            options.atol = next_double(in);
            if (options.rtol > 0 && options.rtol < 1e-4) options.rtol = 1e-4;
            if (options.atol > 0 && options.atol < 1e-4) options.atol = 1e-4;
        }
        int64_t record[2] = {next_count(in, 20), next_count(in, 20)}, n_record = next_count(in, 2);
        float trajectory[2 * 8 * 2];
        int recorded = n_record >= 0 && n_record <= 2;
        bz_diffusion_sample(next_byte(in) & 1 ? mixture : learned, sde, n, dim, next_choice(in, 13), next_byte(in) & 7 ? &options : NULL,
                            next_raw(in, 8), room ? x : NULL, recorded ? record : NULL, n_record, room && recorded ? trajectory : NULL,
                            NULL, NULL);
        break;
    }
    case 1: {
        bz_train_options options;
        bz_train_options_init(&options);
        if (next_byte(in) & 1) options.version = next_choice(in, 3);
        options.steps = next_steps(in, 5);
        options.batch_size = next_steps(in, 8);
        if (next_byte(in) & 1) options.learning_rate = next_double(in);
        if (next_byte(in) & 1) options.final_learning_rate = next_double(in);
        options.warmup = minus_one(next_steps(in, 3));
        if (next_byte(in) & 1) options.clip = next_double(in);
        if (next_byte(in) & 1) options.ema = next_double(in);
        if (next_byte(in) & 1) options.epsilon = next_double(in);
        options.weighting = next_choice(in, 2);
        double losses[5];
        int steps_fit = options.steps >= 1 && options.steps <= 5;
        bz_score_fit(learned, sde, room ? x : NULL, n, dim, &options, next_raw(in, 8), steps_fit ? losses : NULL, NULL, NULL);
        break;
    }
    default: {
        double states[8 * 2], acceptance;
        next_doubles(in, states, 16);
        int64_t chains = next_count(in, 8);
        int fits = chains >= 0 && chains <= 8 && dim == 2;
        if (next_byte(in) & 1)
            bz_langevin(quadratic, NULL, NULL, NULL, 0, fits ? states : NULL, chains, dim, next_choice(in, 2), next_steps(in, 10),
                        next_double(in), next_raw(in, 8), &acceptance, NULL, NULL);
        else
            bz_langevin(NULL, NULL, mixture, sde, next_double(in), fits ? states : NULL, chains, dim, next_choice(in, 2), next_steps(in, 10),
                        next_double(in), next_raw(in, 8), &acceptance, NULL, NULL);
    }
    }
}

static void metrics(struct input *in) {
    float x[8 * 2], y[8 * 2];
    next_floats(in, x, 16);
    next_floats(in, y, 16);
    int64_t n = next_count(in, 8), m = next_count(in, 8), dim = next_byte(in) & 7 ? 2 : next_count(in, 3);
    int fits = n >= 0 && m >= 0 && dim >= 0 && n <= 8 && m <= 8 && dim <= 2;
    double out, bandwidths[2] = {next_double(in), next_double(in)};
    switch (next_byte(in) % 3) {
    case 0: bz_energy_distance(fits ? x : NULL, n, fits ? y : NULL, m, dim, &out); break;
    case 1: bz_mmd(fits ? x : NULL, n, fits ? y : NULL, m, dim, bandwidths, next_count(in, 2) % 3, &out); break;
    default: bz_sliced_wasserstein(fits ? x : NULL, n, fits ? y : NULL, m, dim, next_steps(in, 8), next_raw(in, 8), &out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    struct input in = {data, size, 0};
    switch (next_byte(&in) % 5) {
    case 0: monte_carlo(&in); break;
    case 1: tempering_and_annealing(&in); break;
    case 2: machines(&in); break;
    case 3: diffusion(&in); break;
    default: metrics(&in);
    }
    /* The handles stay usable. */
    int8_t state[16] = {1, -1, 1, 1, -1, -1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1};
    double energy;
    float h[6 * 4], v[6] = {1, 0, 1, 0, 1, 0};
    if (bz_ising_energy(model, state, 1, 16, &energy) != BZ_OK) __builtin_trap();
    if (bz_rbm_hidden_probabilities(rbm, v, 1, h) != BZ_OK) __builtin_trap();
    return 0;
}
