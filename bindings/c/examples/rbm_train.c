/*
 * rbm_train.c -- train an RBM on bars and stripes, with honest log-likelihoods.
 *
 * The 14 images of 3 x 3 bars and stripes (side by side: every row constant, or
 * every column constant) are the data; a model that spreads its mass evenly over
 * them has the best possible mean log-likelihood, -ln 14 = -2.639. A 9 x 16 RBM is
 * trained by CD-5 with a learning rate decaying linearly to 0, and after every 100
 * epochs the program prints the exact mean log-likelihood (log Z by enumerating the
 * 2^9 visible states) beside the AIS estimate with its standard error. Then it saves
 * the machine, loads it back, and checks that the two agree bit for bit.
 *
 * Exits non-zero if a check fails.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define SIDE 3
#define PIXELS (SIDE * SIDE)
#define HIDDEN 16
#define COPIES 10   /* each epoch sees every image 10 times */
#define ROUNDS 10   /* 10 rounds of 100 epochs */

static float images[64 * PIXELS], data[COPIES * 64 * PIXELS];

/* The exact mean log-likelihood of the n images: -mean F(v) - log Z. */
static bz_status mean_log_likelihood(const bz_rbm *rbm, int64_t n, double *out) {
    double free_energy[64], log_z, sum = 0;
    bz_status status = bz_rbm_free_energy(rbm, images, n, free_energy);
    if (status == BZ_OK) status = bz_rbm_log_partition_exact(rbm, &log_z, NULL, NULL);
    if (status != BZ_OK) return status;
    for (int64_t i = 0; i < n; i++) sum += free_energy[i];
    *out = -sum / (double)n - log_z;
    return BZ_OK;
}

int main(void) {
    bz_rbm *rbm = NULL, *loaded = NULL;
    int64_t n = 0;
    CHECK(bz_bars_and_stripes(SIDE, &n, NULL, 0));
    CHECK(bz_bars_and_stripes(SIDE, NULL, images, n));
    for (int c = 0; c < COPIES; c++) memcpy(data + c * n * PIXELS, images, sizeof(float) * (size_t)(n * PIXELS));
    printf("%lld images of %d x %d; the optimum mean log-likelihood is -ln %lld = %.4f\n",
           (long long)n, SIDE, SIDE, (long long)n, -log((double)n));

    CHECK(bz_rbm_create(&rbm, PIXELS, HIDDEN, BZ_RBM_BERNOULLI, 1));
    bz_rbm_train_options options;
    CHECK(bz_rbm_train_options_init(&options));
    options.k = 5;
    options.batch_size = n;
    options.metric = BZ_RBM_METRIC_NONE;

    printf("epochs   exact LL     AIS LL (100 runs, 3000 betas)\n");
    double ll = 0, betas[3001];
    for (int k = 0; k <= 3000; k++) betas[k] = k / 3000.0;
    for (int round = 1; round <= ROUNDS; round++) {
        /* One schedule over the whole run: round r decays from its share of the rate. */
        options.learning_rate = 0.1 * (ROUNDS - round + 1) / ROUNDS;
        options.final_learning_rate = 0.1 * (ROUNDS - round) / ROUNDS;
        CHECK(bz_rbm_set_training(rbm, &options));
        CHECK(bz_rbm_fit(rbm, data, COPIES * n, 100, (uint64_t)round, NULL, NULL, NULL));
        CHECK(mean_log_likelihood(rbm, n, &ll));
        double log_z_ais, stderr_ais, log_z_exact, free_energy[64], mean_f = 0;
        CHECK(bz_rbm_log_partition_ais(rbm, 100, betas, 3001, NULL, 7, &log_z_ais, &stderr_ais, NULL, NULL, NULL));
        CHECK(bz_rbm_log_partition_exact(rbm, &log_z_exact, NULL, NULL));
        CHECK(bz_rbm_free_energy(rbm, images, n, free_energy));
        for (int64_t i = 0; i < n; i++) mean_f += free_energy[i] / (double)n;
        printf("%6d   %8.4f   %8.4f +- %.4f\n", round * 100, ll, -mean_f - log_z_ais, stderr_ais);
        if (fabs(log_z_ais - log_z_exact) > fmax(4 * stderr_ais, 1e-3) + 0.05) {
            fprintf(stderr, "AIS %.4f is far from the exact log Z %.4f\n", log_z_ais, log_z_exact);
            return EXIT_FAILURE;
        }
    }
    if (ll < -log((double)n) - 0.3) {
        fprintf(stderr, "training ended %.3f nats short of the optimum\n", -log((double)n) - ll);
        return EXIT_FAILURE;
    }

    /* Save, load, compare. */
    const char *path = "rbm_train.rbm";
    CHECK(bz_rbm_save(rbm, path));
    CHECK(bz_rbm_load(&loaded, path));
    float w1[PIXELS * HIDDEN], w2[PIXELS * HIDDEN], c1[HIDDEN], c2[HIDDEN];
    CHECK(bz_rbm_parameters(rbm, w1, NULL, c1, PIXELS, HIDDEN));
    CHECK(bz_rbm_parameters(loaded, w2, NULL, c2, PIXELS, HIDDEN));
    double reloaded = 0;
    CHECK(mean_log_likelihood(loaded, n, &reloaded));
    int same = memcmp(w1, w2, sizeof w1) == 0 && memcmp(c1, c2, sizeof c1) == 0 && reloaded == ll;
    printf("saved to %s and loaded back: %s (exact LL %.6f)\n", path, same ? "bit-identical" : "DIFFERENT", reloaded);
    remove(path);
    bz_rbm_free(loaded);
    bz_rbm_free(rbm);
    return same ? EXIT_SUCCESS : EXIT_FAILURE;
}
