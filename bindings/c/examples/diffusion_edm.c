/*
 * diffusion_edm.c -- few-step diffusion samplers at equal numbers of score
 * evaluations (NFE): EDM's Heun (Karras et al. 2022), DPM-Solver++(2M) and (3M)
 * (Lu et al. 2022), UniPC (Zhao et al. 2023) and DDIM (Song, Meng & Ermon 2021).
 *
 * The data: eight Gaussians of standard deviation 0.1 on the circle of radius 2,
 * with their exact score under the VP process (bz_score_create_gmm), so the
 * samplers are judged alone. For each budget the program asks the library how
 * many grid steps fit it (bz_diffusion_nfe), samples 4000 points, reads back the
 * evaluations the call made (options.out_nfe), and prints the mode coverage (0.989
 * for true samples) and the squared energy distance to 4000 true samples. It also
 * prints the EDM grid's noise levels (bz_diffusion_grid), the log-likelihood of
 * exact samples through the probability-flow ODE (bz_diffusion_log_likelihood) beside
 * the mixture's own log-density, classifier-free guidance on a class-conditional
 * mixture, and inpainting: the exact conditional (bz_score_gmm_condition) beside the
 * samplers' replacement with resampling.
 *
 * Exits non-zero if a reported NFE differs from the planned one, or if EDM-Heun at
 * 35 NFE or DPM-Solver++(2M) at 20 NFE covers less than 97.5% or has ED^2 beyond
 * 4e-3 (between two true samples of 4000, ED^2 scatters with sd ~1e-3), or if the
 * ODE likelihood is off the mixture's density by over 1e-3 nats.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define N 4000
#define MODES 8

static float truth[N * 2], samples[N * 2];

int main(void) {
    double weights[MODES], means[MODES * 2], variances[MODES * 2], stds[MODES];
    eight_gaussians(weights, means, variances, stds);
    bz_score *score = NULL;
    bz_sde *sde = NULL;
    CHECK(bz_score_create_gmm(&score, weights, means, variances, MODES, 2, 1));
    CHECK(bz_sde_create_vp(&sde, BZ_SDE_VP, 0.1, 20.0));
    CHECK(bz_score_gmm_sample(score, N, 100, truth));

    /* The EDM grid of 17 steps: sigma_t / alpha_t from the process's largest to its
     * level at epsilon = 1e-3, then the denoising step to noise 0 (18 levels, 35 NFE). */
    bz_sampler_options options;
    CHECK(bz_sampler_options_init(&options));
    options.steps = 17;
    double times[18], alpha[18], sigma[18];
    CHECK(bz_diffusion_grid(sde, BZ_SAMPLE_EDM_HEUN, &options, times, 18));
    CHECK(bz_sde_coefficients(sde, times, 18, alpha, sigma, NULL, NULL));
    printf("EDM grid (rho = 7), noise levels sigma/alpha:\n ");
    for (int i = 0; i < 18; i++) printf(" %.3g", sigma[i] / alpha[i]);
    printf("  -> 0\n\n");

    printf("eight Gaussians (std 0.1), VP process, exact score, %d samples each\n\n", N);
    printf("%-30s %5s %5s %9s %11s\n", "sampler", "NFE", "steps", "coverage", "ED^2");
    static const struct { const char *name; int32_t method; int32_t grid; double churn, eta; int64_t nfe; } runs[] = {
        {"EDM-Heun", BZ_SAMPLE_EDM_HEUN, BZ_GRID_DEFAULT, 0, 0, 35},
        {"EDM-Heun, log-SNR grid", BZ_SAMPLE_EDM_HEUN, BZ_GRID_LOG_SNR, 0, 0, 35},
        {"EDM-Heun, S_churn = 40", BZ_SAMPLE_EDM_HEUN, BZ_GRID_DEFAULT, 40, 0, 35},
        {"DPM-Solver++(2M)", BZ_SAMPLE_DPM_SOLVER_2M, BZ_GRID_DEFAULT, 0, 0, 10},
        {"DPM-Solver++(2M)", BZ_SAMPLE_DPM_SOLVER_2M, BZ_GRID_DEFAULT, 0, 0, 20},
        {"DPM-Solver++(3M)", BZ_SAMPLE_DPM_SOLVER_3M, BZ_GRID_DEFAULT, 0, 0, 10},
        {"DPM-Solver++(3M)", BZ_SAMPLE_DPM_SOLVER_3M, BZ_GRID_DEFAULT, 0, 0, 20},
        {"UniPC", BZ_SAMPLE_UNIPC, BZ_GRID_DEFAULT, 0, 0, 10},
        {"UniPC", BZ_SAMPLE_UNIPC, BZ_GRID_DEFAULT, 0, 0, 20},
        {"DDIM", BZ_SAMPLE_DDIM, BZ_GRID_DEFAULT, 0, 0, 20},
        {"DDIM, eta = 1", BZ_SAMPLE_DDIM, BZ_GRID_DEFAULT, 0, 1, 20},
        {"PF-ODE Heun (uniform in t)", BZ_SAMPLE_ODE_HEUN, BZ_GRID_DEFAULT, 0, 0, 36},
    };
    int failures = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        CHECK(bz_sampler_options_init(&options));
        options.grid = runs[r].grid;
        options.s_churn = runs[r].churn;
        options.eta = runs[r].eta;
        /* The most steps within the budget: NFE is a steps + b for every sampler. */
        int64_t one = 0, two = 0, planned = 0;
        options.steps = 1;
        CHECK(bz_diffusion_nfe(runs[r].method, &options, &one));
        options.steps = 2;
        CHECK(bz_diffusion_nfe(runs[r].method, &options, &two));
        options.steps = (runs[r].nfe - (2 * one - two)) / (two - one);
        CHECK(bz_diffusion_nfe(runs[r].method, &options, &planned));
        double used = 0, covered = 0, distance = 0;
        options.out_nfe = &used;
        CHECK(bz_diffusion_sample(score, sde, N, 2, runs[r].method, &options, 7, samples, NULL, 0, NULL, NULL, NULL));
        CHECK(bz_mode_coverage(samples, N, 2, means, stds, MODES, &covered, NULL));
        CHECK(bz_energy_distance(samples, N, truth, N, 2, &distance));
        printf("%-30s %5.0f %5lld %9.4f %11.2e\n", runs[r].name, used, (long long)options.steps, covered, distance);
        if (used != (double)planned) failures++;
        int target = (runs[r].method == BZ_SAMPLE_EDM_HEUN && runs[r].churn == 0 && runs[r].nfe == 35)
                  || (runs[r].method == BZ_SAMPLE_DPM_SOLVER_2M && runs[r].nfe == 20);
        if (target && (covered < 0.975 || fabs(distance) > 4e-3)) failures++;
    }

    /* Exact likelihoods through the probability-flow ODE: with the mixture's exact score
     * the ODE's log p equals the mixture's log-density (to the solver's tolerance). */
    enum { M = 200 };
    static double points[M * 2], ode[M], direct[M], errors[M];
    CHECK(bz_score_gmm_sample(score, M, 300, samples));
    for (int k = 0; k < M * 2; k++) points[k] = samples[k];
    bz_likelihood_options likelihood;
    CHECK(bz_likelihood_options_init(&likelihood));
    likelihood.rtol = likelihood.atol = 1e-6;
    double evaluations = 0, worst = 0, mean = 0, estimate = 0, spread = 0;
    CHECK(bz_diffusion_log_likelihood(score, sde, samples, M, 2, &likelihood, 1, ode, NULL, &evaluations, NULL, NULL));
    CHECK(bz_score_gmm_log_density(score, sde, points, M, 2, likelihood.epsilon, direct, NULL));
    for (int r = 0; r < M; r++) {
        worst = fmax(worst, fabs(ode[r] - direct[r]));
        mean += ode[r] / M;
    }
    likelihood.divergence = BZ_DIVERGENCE_HUTCHINSON;
    likelihood.probes = 8;
    likelihood.rtol = likelihood.atol = 1e-5;
    CHECK(bz_diffusion_log_likelihood(score, sde, samples, M, 2, &likelihood, 2, ode, errors, NULL, NULL, NULL));
    for (int r = 0; r < M; r++) {
        estimate += ode[r] / M;
        spread += errors[r] * errors[r] / ((double)M * M);
    }
    printf("\nlog-likelihood of %d exact samples through the probability-flow ODE (rtol 1e-6):\n", M);
    printf("  exact divergence: mean %.4f nats (%.3f bits/dim), worst |error| against the mixture %.1e, %.0f NFE\n",
           mean, -mean / (2 * log(2.0)), worst, evaluations);
    printf("  Hutchinson, 8 probes: mean %.4f +- %.4f nats\n", estimate, sqrt(spread));
    if (worst > 1e-3 || fabs(estimate - mean) > 4 * sqrt(spread)) failures++;

    /* Classifier-free guidance on a class-conditional mixture (even modes class 0, odd
     * modes class 1): every row asks for class 1. */
    int32_t classes[MODES], wanted[N];
    for (int k = 0; k < MODES; k++) classes[k] = k % 2;
    for (int r = 0; r < N; r++) wanted[r] = 1;
    bz_score *labeled = NULL;
    CHECK(bz_score_create_gmm_classes(&labeled, weights, means, variances, classes, MODES, 2, 1));
    printf("\nclass-conditional mixture (odd modes = class 1), DPM-Solver++(2M), 30 steps:\n");
    for (int g = 0; g < 3; g++) {
        double per_mode[MODES], covered = 0, odd = 0, used = 0;
        CHECK(bz_sampler_options_init(&options));
        options.steps = 30;
        options.labels = wanted;
        options.guidance = (double[]){0.0, 1.0, 3.0}[g];
        options.out_nfe = &used;
        CHECK(bz_diffusion_sample(labeled, sde, N, 2, BZ_SAMPLE_DPM_SOLVER_2M, &options, 4, samples, NULL, 0, NULL, NULL, NULL));
        CHECK(bz_mode_coverage(samples, N, 2, means, stds, MODES, &covered, per_mode));
        for (int k = 1; k < MODES; k += 2) odd += per_mode[k];
        printf("  guidance w = %.0f (%.0f NFE): %5.1f%% of samples at class 1's modes\n", options.guidance, used, 100 * odd);
        if (options.guidance >= 1 ? odd < 0.97 : fabs(odd - 0.5) > 0.1) failures++;
    }
    bz_score_free(labeled);

    /* Inpainting: the exact conditional of the mixture given x = 2 (the modes at angle
     * 0, +-45 degrees contribute), against the samplers' replacement method. */
    const double at[2] = {2.0, 0.0};
    const uint8_t mask[2] = {1, 0};
    bz_score *conditional = NULL;
    CHECK(bz_score_gmm_condition(&conditional, score, at, mask, 2));
    int64_t kept = 0;
    CHECK(bz_score_gmm_info(conditional, &kept, NULL));
    static float free_samples[N], known[N * 2];
    static uint8_t known_mask[N * 2];
    for (int r = 0; r < N; r++) {
        known[2 * r] = 2.0f;
        known_mask[2 * r] = 1;
    }
    CHECK(bz_sampler_options_init(&options));
    options.steps = 300;
    CHECK(bz_diffusion_sample(conditional, sde, N, 1, BZ_SAMPLE_ANCESTRAL, &options, 5, free_samples, NULL, 0, NULL, NULL, NULL));
    options.known = known;
    options.known_mask = known_mask;
    options.resample = 5;
    CHECK(bz_diffusion_sample(score, sde, N, 2, BZ_SAMPLE_ANCESTRAL, &options, 5, samples, NULL, 0, NULL, NULL, NULL));
    double exact_mean = 0, repaint_mean = 0, exact_spread = 0, clamped = 1;
    for (int r = 0; r < N; r++) {
        exact_mean += free_samples[r] / N;
        repaint_mean += samples[2 * r + 1] / (double)N;
        exact_spread += free_samples[r] * free_samples[r] / N;
        if (samples[2 * r] != 2.0f) clamped = 0;
    }
    printf("\ninpainting y given x = 2 (the mode at (2, 0); a %lld-component conditional mixture):\n"
           "  exact conditional sampled: mean %.3f, rms %.3f; replacement with RePaint's resampling (300 steps x 5):\n"
           "  mean %.3f; x kept exactly: %s\n",
           (long long)kept, exact_mean, sqrt(exact_spread), repaint_mean, clamped ? "yes" : "no");
    if (!clamped || fabs(exact_mean) > 0.05 || fabs(repaint_mean) > 0.1) failures++;
    bz_score_free(conditional);

    bz_sde_free(sde);
    bz_score_free(score);
    printf("\n%s\n", failures ? "a few-step sampler or the likelihood missed its target"
                               : "the few-step samplers reached the data; the likelihoods are exact");
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
