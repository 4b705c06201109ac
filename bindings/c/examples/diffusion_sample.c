/*
 * diffusion_sample.c -- sample eight Gaussians by score-based diffusion.
 *
 * The data: eight equal Gaussians of standard deviation 0.1 on the circle of
 * radius 2. Their exact score under the VP process is known in closed form
 * (bz_score_create_gmm), so the samplers can be judged alone: each draws 4000
 * points, and the program prints the mode coverage (the fraction within 3 standard
 * deviations of a mode; 0.989 for true samples), the squared energy distance, the
 * squared MMD and the sliced Wasserstein distance to 4000 true samples, beside the
 * same metrics between two independent true samples (the floor a perfect sampler
 * reaches at this n).
 *
 * Exits non-zero if a sampler covers less than 97%, or if its ED^2 or MMD^2 is
 * beyond 4e-3 (between two true samples of 4000, ED^2 scatters with sd ~1e-3).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define N 4000
#define MODES 8

static float truth[N * 2], other[N * 2], samples[N * 2];
static const double bandwidths[3] = {0.1, 0.5, 2.0};

/* Coverage, ED^2, MMD^2 and SW_2 of x against the true samples. */
static bz_status metrics(const float *x, const double *means, const double *stds, double out[4]) {
    bz_status status = bz_mode_coverage(x, N, 2, means, stds, MODES, &out[0], NULL);
    if (status == BZ_OK) status = bz_energy_distance(x, N, truth, N, 2, &out[1]);
    if (status == BZ_OK) status = bz_mmd(x, N, truth, N, 2, bandwidths, 3, &out[2]);
    if (status == BZ_OK) status = bz_sliced_wasserstein(x, N, truth, N, 2, 100, 1, &out[3]);
    return status;
}

int main(void) {
    double weights[MODES], means[MODES * 2], variances[MODES * 2], stds[MODES];
    eight_gaussians(weights, means, variances, stds);
    bz_score *score = NULL;
    bz_sde *sde = NULL;
    CHECK(bz_score_create_gmm(&score, weights, means, variances, MODES, 2, 1));
    CHECK(bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20.0));
    CHECK(bz_score_gmm_sample(score, N, 100, truth));
    CHECK(bz_score_gmm_sample(score, N, 101, other));

    double floor[4];
    CHECK(metrics(other, means, stds, floor));
    printf("eight Gaussians (std 0.1), VP process, exact score, %d samples each\n\n", N);
    printf("%-24s %9s %11s %11s %8s\n", "sampler", "coverage", "ED^2", "MMD^2", "SW_2");
    printf("%-24s %9.4f %11.2e %11.2e %8.4f\n", "true samples (floor)", floor[0], floor[1], floor[2], floor[3]);

    static const struct { const char *name; int32_t method; int64_t steps; } runs[] = {
        {"Euler-Maruyama, 100", BZ_SAMPLE_EULER_MARUYAMA, 100},
        {"PF-ODE Euler, 50", BZ_SAMPLE_ODE_EULER, 50},
        {"PF-ODE Heun, 50", BZ_SAMPLE_ODE_HEUN, 50},
        {"ancestral, 50", BZ_SAMPLE_ANCESTRAL, 50},
        {"predictor-corrector, 100", BZ_SAMPLE_PC, 100},
    };
    int failures = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        bz_sampler_options options;
        CHECK(bz_sampler_options_init(&options));
        options.steps = runs[r].steps;
        CHECK(bz_diffusion_sample(score, sde, N, 2, runs[r].method, &options, 7, samples, NULL, 0, NULL, NULL, NULL));
        double m[4];
        CHECK(metrics(samples, means, stds, m));
        printf("%-24s %9.4f %11.2e %11.2e %8.4f\n", runs[r].name, m[0], m[1], m[2], m[3]);
        if (m[0] < 0.97 || fabs(m[1]) > 4e-3 || fabs(m[2]) > 4e-3) failures++;
    }
    bz_sde_free(sde);
    bz_score_free(score);
    printf("\n%s\n", failures ? "a sampler strayed from the data" : "every sampler reached the data");
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
