/*
 * diffusion_conditional.c -- a class-conditional learned score, sampled with guidance.
 *
 * Each of the eight Gaussians (std 0.1 on the circle of radius 2) is a class. A
 * 3 x 128 SiLU network with EDM's preconditioning (BZ_PREDICT_EDM, sigma_data 1)
 * reads its label as one of 9 one-hot inputs (the ninth "no label") and is trained
 * by bz_score_fit_labels on 20000 labelled points, 4000 Adam steps, each drawn
 * label dropped to "no label" with probability 0.1 (label_dropout), so that one
 * network learns both the conditional and the unconditional score.
 *
 * Then 4000 samples (500 per class) by DPM-Solver++(2M), 24 steps, with
 * classifier-free guidance at w = 1 (the conditional model) and w = 3: the share of
 * samples within 0.5 of their requested mode (measured 100% at both). w = 0 is the
 * unconditional model, which ignores the labels: at most one sample in eight lands on
 * its requested mode (measured 6%: the "no label" slot sees only the dropped tenth
 * of the rows, so it is the less trained of the two). Finally the model is saved
 * (file format version 2: classes and sigma_data), loaded back, and must sample bit
 * for bit alike.
 *
 * Exits non-zero if fewer than 90% of the samples at w = 1, or 98% at w = 3, find
 * their mode, if w = 0 finds it more than 20% of the time, or if the reloaded model
 * differs.
 *
 * `diffusion_conditional STEPS` trains for fewer steps (at most 4000), draws 80
 * samples and checks only the reload: a quick run, as under valgrind.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define TRAIN 20000
#define N 4000
#define MODES 8
#define STEPS 4000

static float data[TRAIN * 2], samples[N * 2], again[N * 2];
static int32_t labels[TRAIN], requested[N];

/* The share of samples within 0.5 of their requested mode. */
static double on_requested_mode(const float *x, int n, const double *means) {
    int hits = 0;
    for (int r = 0; r < n; r++) {
        double dx = x[2 * r] - means[2 * requested[r]], dy = x[2 * r + 1] - means[2 * requested[r] + 1];
        hits += dx * dx + dy * dy < 0.25;
    }
    return (double)hits / n;
}

int main(int argc, char **argv) {
    long steps = training_steps(argc, argv, "diffusion_conditional", STEPS);
    if (steps < 0) return EXIT_FAILURE;
    int n = steps == STEPS ? N : 80;
    double weights[MODES], means[MODES * 2], variances[MODES * 2], stds[MODES];
    eight_gaussians(weights, means, variances, stds);
    bz_sde *sde = NULL;
    bz_score *model = NULL, *loaded = NULL;
    CHECK(bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20.0));
    CHECK(bz_toy_data(BZ_TOY_EIGHT_GAUSSIANS, TRAIN, 0, -1.0, data));
    /* A point's class: its nearest mode. */
    for (int r = 0; r < TRAIN; r++) {
        double best = INFINITY;
        for (int k = 0; k < MODES; k++) {
            double dx = data[2 * r] - means[2 * k], dy = data[2 * r + 1] - means[2 * k + 1];
            if (dx * dx + dy * dy < best) {
                best = dx * dx + dy * dy;
                labels[r] = k;
            }
        }
    }
    for (int r = 0; r < N; r++) requested[r] = r % MODES;

    const int64_t hidden[3] = {128, 128, 128};
    CHECK(bz_score_create_mlp_ex(&model, 2, hidden, 3, BZ_EMBEDDING_FOURIER, 16, 4.0, BZ_PREDICT_EDM, 1.0, MODES, 0));
    int64_t classes = 0;
    CHECK(bz_score_classes(model, &classes));
    printf("class-conditional MLP score, %lld classes, EDM preconditioning, VP process\n", (long long)classes);

    bz_train_options options;
    CHECK(bz_train_options_init(&options));
    options.steps = steps;
    options.learning_rate = 2e-3;
    options.final_learning_rate = 1e-5;
    options.label_dropout = 0.1;
    CHECK(bz_score_fit_labels(model, sde, data, labels, TRAIN, 2, &options, 0, NULL, NULL, NULL));

    bz_sampler_options sampling;
    CHECK(bz_sampler_options_init(&sampling));
    sampling.steps = 24;
    sampling.labels = requested;
    double shares[3], nfe = 0;
    const double guidance[3] = {0.0, 1.0, 3.0};
    sampling.out_nfe = &nfe;  /* each call's score evaluations per sample */
    for (int g = 0; g < 3; g++) {
        sampling.guidance = guidance[g];
        CHECK(bz_diffusion_sample(model, sde, n, 2, BZ_SAMPLE_DPM_SOLVER_2M, &sampling, 1, samples, NULL, 0, NULL, NULL, NULL));
        shares[g] = on_requested_mode(samples, n, means);
        printf("  guidance w = %.0f: %5.1f%% of %d samples at their requested mode (%.0f score evaluations each)\n",
               guidance[g], 100 * shares[g], n, nfe);
    }

    CHECK(bz_score_save(model, "diffusion_conditional.bzmlp"));
    CHECK(bz_score_load(&loaded, "diffusion_conditional.bzmlp"));
    CHECK(bz_diffusion_sample(loaded, sde, n, 2, BZ_SAMPLE_DPM_SOLVER_2M, &sampling, 1, again, NULL, 0, NULL, NULL, NULL));
    int same = 1;
    for (int k = 0; k < 2 * n; k++) same &= samples[k] == again[k];
    printf("saved and reloaded: %s\n", same ? "samples bit for bit alike" : "SAMPLES DIFFER");
    remove("diffusion_conditional.bzmlp");

    bz_score_free(loaded);
    bz_score_free(model);
    bz_sde_free(sde);
    int ok = same && (steps < STEPS || (shares[1] >= 0.9 && shares[2] >= 0.98 && shares[0] <= 0.2));
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
