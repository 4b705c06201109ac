/*
 * Threads from C: eight threads on distinct handles of several kinds get the serial
 * results bit for bit while another thread keeps changing bz_set_num_threads; eight
 * threads hammering one handle of each kind get BZ_OK or BZ_ERR_BUSY from every call.
 * `make check-tsan` also runs this program against a ThreadSanitizer build of the
 * library (the worker pool, the handle registry, busy flags, interrupts).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boltzmann.h"

enum { THREADS = 8, RESULTS = 5 * 64 };

static int failures = 0;
static pthread_mutex_t report = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(condition, ...)                                      \
    do {                                                           \
        if (!(condition)) {                                        \
            pthread_mutex_lock(&report);                           \
            fprintf(stderr, "FAILED %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                          \
            fprintf(stderr, " (%s)\n", bz_last_error());           \
            failures++;                                            \
            pthread_mutex_unlock(&report);                         \
        }                                                          \
    } while (0)

/* A mixture of two isotropic Gaussians in the plane. */
static bz_status two_gaussians(bz_score **out) {
    const double weights[2] = {0.5, 0.5}, means[4] = {-1, 0, 1, 0}, variances[4] = {0.1, 0.1, 0.1, 0.1};
    return bz_score_create_gmm(out, weights, means, variances, 2, 2, 1);
}

/* Seeded work on fresh handles; the results go to out [RESULTS]. */
static void work(uint64_t seed, double *out) {
    memset(out, 0, sizeof(double) * RESULTS);
    bz_ising *model = NULL;
    CHECK(bz_ising_create_sk(&model, 12, 1.0, 0.1, seed) == BZ_OK, "sk");
    double beta = 0.7;
    CHECK(bz_ising_exact(model, &beta, 1, 0, &out[0], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == BZ_OK, "exact");

    bz_mc *mc = NULL;
    CHECK(bz_mc_create(&mc, model, 0.7, BZ_MC_METROPOLIS, BZ_ORDER_RANDOM, 3, seed) == BZ_OK, "mc");
    CHECK(bz_mc_run(mc, 100, 10, 1, NULL, NULL) == BZ_OK, "mc run");
    double mean[BZ_MC_N_OBSERVABLES], error[BZ_MC_N_OBSERVABLES], tau[BZ_MC_N_OBSERVABLES], binning[BZ_MC_N_OBSERVABLES];
    CHECK(bz_mc_results(mc, mean, error, tau, binning, BZ_MC_N_OBSERVABLES) == BZ_OK, "mc results");
    memcpy(&out[1], mean, sizeof mean);

    int8_t spins[4 * 12];
    double energies[4];
    double betas[3] = {0.2, 1.0, 3.0};
    CHECK(bz_anneal(model, betas, 3, 5, 4, BZ_MC_METROPOLIS, seed, spins, energies, NULL, NULL, NULL) == BZ_OK, "anneal");
    memcpy(&out[16], energies, sizeof energies);

    bz_rbm *rbm = NULL;
    CHECK(bz_rbm_create(&rbm, 10, 6, BZ_RBM_BERNOULLI, seed) == BZ_OK, "rbm");
    float data[32 * 10];
    for (int i = 0; i < 32 * 10; i++) data[i] = (float)((i * 7 + (int)seed) % 3 == 0);
    double metrics[2];
    CHECK(bz_rbm_fit(rbm, data, 32, 2, seed, metrics, NULL, NULL) == BZ_OK, "rbm fit");
    CHECK(bz_rbm_log_partition_exact(rbm, &out[24], NULL, NULL) == BZ_OK, "rbm log Z");
    float sample[4 * 10];
    CHECK(bz_rbm_sample(rbm, 4, 10, NULL, 0, seed, sample, NULL, NULL) == BZ_OK, "rbm sample");
    for (int i = 0; i < 40; i++) out[32 + i] = sample[i];

    bz_sde *sde = NULL;
    bz_score *score = NULL;
    CHECK(bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20) == BZ_OK, "sde");
    CHECK(two_gaussians(&score) == BZ_OK, "score");
    float x[40 * 2];
    bz_sampler_options options;
    bz_sampler_options_init(&options);
    options.steps = 20;
    CHECK(bz_diffusion_sample(score, sde, 40, 2, BZ_SAMPLE_EULER_MARUYAMA, &options, seed, x, NULL, 0, NULL, NULL, NULL) == BZ_OK,
          "diffusion sample");
    for (int i = 0; i < 80; i++) out[80 + i] = x[i];

    bz_score_free(score);
    bz_sde_free(sde);
    bz_rbm_free(rbm);
    bz_mc_free(mc);
    bz_ising_free(model);
}

static double serial[THREADS][RESULTS], concurrent[THREADS][RESULTS];
static volatile int stop_varying = 0;

static void *worker(void *argument) {
    int k = (int)(intptr_t)argument;
    work((uint64_t)k + 1, concurrent[k]);
    return NULL;
}

static void *vary_threads(void *argument) {
    long *changes = argument;
    while (!stop_varying) {
        for (int n = 0; n <= 3; n++) bz_set_num_threads(n);
        (*changes)++;
    }
    bz_set_num_threads(0);
    return NULL;
}

struct shared {
    bz_mc *mc;
    bz_rbm *rbm;
    bz_score *score;
    bz_sde *sde;
    long ok, busy;
    pthread_mutex_t lock;
};

static void tally(struct shared *s, bz_status status, const char *what) {
    CHECK(status == BZ_OK || status == BZ_ERR_BUSY, "%s returned %d", what, status);
    pthread_mutex_lock(&s->lock);
    if (status == BZ_OK) s->ok++;
    else s->busy++;
    pthread_mutex_unlock(&s->lock);
}

static void *hammer(void *argument) {
    struct shared *s = argument;
    float data[16 * 10], hidden[16 * 6], x[8 * 2];
    for (int i = 0; i < 16 * 10; i++) data[i] = (float)(i % 2);
    bz_sampler_options options;
    bz_sampler_options_init(&options);
    options.steps = 5;
    for (int i = 0; i < 40; i++) {
        tally(s, bz_mc_run(s->mc, 20, 0, 1, NULL, NULL), "bz_mc_run");
        double error;
        tally(s, bz_rbm_partial_fit(s->rbm, data, 16, &error), "bz_rbm_partial_fit");
        tally(s, bz_rbm_hidden_probabilities(s->rbm, data, 16, hidden), "bz_rbm_hidden_probabilities");
        tally(s, bz_diffusion_sample(s->score, s->sde, 8, 2, BZ_SAMPLE_ODE_HEUN, &options, (uint64_t)i, x, NULL, 0, NULL, NULL, NULL),
              "bz_diffusion_sample");
    }
    return NULL;
}

int main(void) {
    for (int k = 0; k < THREADS; k++) work((uint64_t)k + 1, serial[k]);

    long changes = 0;
    pthread_t varying, threads[THREADS];
    pthread_create(&varying, NULL, vary_threads, &changes);
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < THREADS; k++) pthread_create(&threads[k], NULL, worker, (void *)(intptr_t)k);
        for (int k = 0; k < THREADS; k++) pthread_join(threads[k], NULL);
        for (int k = 0; k < THREADS; k++) CHECK(memcmp(serial[k], concurrent[k], sizeof serial[k]) == 0, "thread %d differs from serial", k);
    }
    stop_varying = 1;
    pthread_join(varying, NULL);
    printf("threads: 2 rounds x %d threads equal the serial results; bz_set_num_threads changed %ld x 4 times meanwhile\n",
           THREADS, changes);

    struct shared s = {NULL, NULL, NULL, NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    bz_ising *model = NULL;
    CHECK(bz_ising_create_square(&model, 12, 12, 1.0, 0.0, 1) == BZ_OK, "square");
    CHECK(bz_mc_create(&s.mc, model, 0.4, BZ_MC_METROPOLIS, BZ_ORDER_CHECKERBOARD, 2, 1) == BZ_OK, "mc");
    CHECK(bz_rbm_create(&s.rbm, 10, 6, BZ_RBM_BERNOULLI, 1) == BZ_OK, "rbm");
    CHECK(bz_sde_create_vp(&s.sde, BZ_SDE_VP, 0.1, 20) == BZ_OK, "sde");
    CHECK(two_gaussians(&s.score) == BZ_OK, "score");
    for (int k = 0; k < THREADS; k++) pthread_create(&threads[k], NULL, hammer, &s);
    for (int k = 0; k < THREADS; k++) pthread_join(threads[k], NULL);
    printf("threads: %d threads on one handle of each kind: %ld calls succeeded, %ld were busy\n", THREADS, s.ok, s.busy);
    CHECK(s.ok + s.busy == THREADS * 40 * 4, "every call accounted for");
    double mean[BZ_MC_N_OBSERVABLES];
    CHECK(bz_mc_run(s.mc, 10, 0, 1, NULL, NULL) == BZ_OK, "a run afterwards");
    CHECK(bz_mc_results(s.mc, mean, NULL, NULL, NULL, BZ_MC_N_OBSERVABLES) == BZ_OK && fabs(mean[0]) <= 2, "whole results");

    bz_score_free(s.score);
    bz_sde_free(s.sde);
    bz_rbm_free(s.rbm);
    bz_mc_free(s.mc);
    bz_ising_free(model);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("threads: all checks passed\n");
    return 0;
}
