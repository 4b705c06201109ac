/*
 * diffusion_train.c -- learn the score of eight Gaussians, sample it, save it.
 *
 * A 3 x 128 SiLU network (Gaussian Fourier time features, predicting the added
 * noise) is trained by denoising score matching on 20000 points of eight
 * Gaussians (std 0.1 on the circle of radius 2) under the VP process: 10000 Adam
 * steps of 256 rows, the rate decaying linearly from 3e-3 to 0, with an EMA of
 * the weights. The loss is printed every 1000 steps from the progress callback.
 * Then 4000 samples by Euler-Maruyama with 100 steps, judged against 4000 true
 * samples: mode coverage (0.989 for true samples) and the squared energy distance.
 * Finally the model is saved, loaded back, and must sample bit for bit alike.
 *
 * Exits non-zero if coverage is below 0.95, |ED^2| above 4e-3 (true-vs-true at
 * this n scatters with sd ~1e-3), or the reloaded model differs.
 *
 * `diffusion_train STEPS` trains for fewer steps (at most 10000), draws 200
 * samples, and then checks only the reload: a quick run, as under valgrind
 * (scripts/check-valgrind).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define TRAIN 20000
#define N 4000
#define MODES 8
#define STEPS 10000

static float data[TRAIN * 2], truth[N * 2], samples[N * 2], again[N * 2];
static double losses[STEPS];

/* Progress after each step (and once before the first and after the last, with a
 * NaN metric): print the mean loss of every 1000 steps. */
static int report(void *user, int64_t done, int64_t total, double loss) {
    double *sum = user;
    if (isnan(loss)) return 0;
    *sum += loss;
    if (done % 1000 == 0) {
        printf("  step %5lld / %lld   mean loss %.4f\n", (long long)done, (long long)total, *sum / 1000);
        *sum = 0;
    }
    return 0;
}

int main(int argc, char **argv) {
    long steps = training_steps(argc, argv, "diffusion_train", STEPS);
    if (steps < 0) return EXIT_FAILURE;
    int n = steps == STEPS ? N : 200;
    double weights[MODES], means[MODES * 2], variances[MODES * 2], stds[MODES];
    eight_gaussians(weights, means, variances, stds);
    bz_sde *sde = NULL;
    bz_score *exact = NULL, *model = NULL, *loaded = NULL;
    CHECK(bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20.0));
    CHECK(bz_toy_data(BZ_TOY_EIGHT_GAUSSIANS, TRAIN, 0, -1.0, data));
    CHECK(bz_score_create_gmm(&exact, weights, means, variances, MODES, 2, 1));
    CHECK(bz_score_gmm_sample(exact, N, 100, truth));

    const int64_t hidden[3] = {128, 128, 128};
    CHECK(bz_score_create_mlp(&model, 2, hidden, 3, BZ_EMBEDDING_FOURIER, 16, 4.0, BZ_PREDICT_EPSILON, 0));
    int64_t parameters = 0;
    CHECK(bz_score_mlp_info(model, NULL, NULL, 0, NULL, NULL, NULL, NULL, &parameters, NULL));
    printf("MLP score 2+16 -> 128 -> 128 -> 128 -> 2 (%lld parameters), VP process\n", (long long)parameters);

    bz_train_options options;
    CHECK(bz_train_options_init(&options));
    options.steps = steps;
    options.batch_size = 256;
    options.learning_rate = 3e-3;
    options.final_learning_rate = 0.0;
    options.ema = 0.999;
    double window = 0;
    CHECK(bz_score_fit(model, sde, data, TRAIN, 2, &options, 0, losses, report, &window));

    bz_sampler_options sampling;
    CHECK(bz_sampler_options_init(&sampling));
    sampling.steps = 100;
    CHECK(bz_diffusion_sample(model, sde, n, 2, BZ_SAMPLE_EULER_MARUYAMA, &sampling, 1, samples, NULL, 0, NULL,
                              NULL, NULL));
    double covered, energy;
    CHECK(bz_mode_coverage(samples, n, 2, means, stds, MODES, &covered, NULL));
    CHECK(bz_energy_distance(samples, n, truth, n, 2, &energy));
    printf("\nEuler-Maruyama, 100 steps, %d samples: coverage %.4f (true samples: 0.989), ED^2 %.2e\n", n, covered,
           energy);

    const char *path = "diffusion_train.bzmlp";
    CHECK(bz_score_save(model, path));
    CHECK(bz_score_load(&loaded, path));
    CHECK(bz_diffusion_sample(loaded, sde, n, 2, BZ_SAMPLE_EULER_MARUYAMA, &sampling, 1, again, NULL, 0, NULL,
                              NULL, NULL));
    int same = memcmp(samples, again, sizeof(float) * 2 * (size_t)n) == 0;
    printf("saved to %s, reloaded: samples %s\n", path, same ? "identical" : "DIFFER");
    remove(path);

    bz_score_free(loaded);
    bz_score_free(model);
    bz_score_free(exact);
    bz_sde_free(sde);
    if (!same || (steps == STEPS && (covered < 0.95 || fabs(energy) > 4e-3))) {
        fprintf(stderr, "FAILED: the learned score is off the mark\n");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
