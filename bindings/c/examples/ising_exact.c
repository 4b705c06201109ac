/*
 * ising_exact.c -- the 2D Ising heat-capacity peak, exactly, from libboltzmann.
 *
 * 1. Kaufman's finite-lattice solution of the periodic 32 x 32 square lattice:
 *    scan T, print the heat capacity per site and locate its peak, which sits a
 *    little above Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.269 (finite size).
 * 2. Cross-check: Kaufman's 4 x 4 log Z and C against enumerating all 2^16 states,
 *    with a progress callback that counts the states visited.
 *
 * Exits non-zero if a check fails.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define N_T 1001

/* Progress: remember the last count and the total (first call has done = 0). */
static int count_states(void *user, int64_t done, int64_t total, double metric) {
    int64_t *seen = user;
    (void)metric;
    seen[0] = done;
    seen[1] = total;
    return 0;
}

int main(void) {
    static double betas[N_T], heat[N_T];
    const int64_t side = 32;
    double tc;
    CHECK(bz_ising_onsager_critical_temperature(1.0, &tc));

    for (int k = 0; k < N_T; k++) betas[k] = 1.0 / (1.5 + 2.0 * k / (N_T - 1)); /* T in [1.5, 3.5] */
    CHECK(bz_ising_square_exact(side, side, 1.0, betas, N_T, NULL, NULL, NULL, NULL, heat));

    int peak = 0;
    for (int k = 1; k < N_T; k++) if (heat[k] > heat[peak]) peak = k;
    printf("32 x 32 periodic square lattice, Kaufman (exact):\n");
    printf("%8s %14s\n", "T", "C per site");
    for (int k = 0; k < N_T; k += 100) printf("%8.3f %14.6f\n", 1.0 / betas[k], heat[k] / (side * side));
    double t_peak = 1.0 / betas[peak];
    printf("peak: C/N = %.6f at T = %.4f (Onsager T_c = %.6f)\n", heat[peak] / (side * side), t_peak, tc);

    int failures = 0;
    if (!(t_peak > tc && t_peak < tc + 0.1)) {
        fprintf(stderr, "peak at T = %g is not just above T_c = %g\n", t_peak, tc);
        failures++;
    }

    /* 4 x 4: Kaufman against all 2^16 states. */
    bz_ising *model = NULL;
    CHECK(bz_ising_create_square(&model, 4, 4, 1.0, 0.0, 1));
    double beta = 0.44, kaufman_log_z, kaufman_c, log_z, c;
    int64_t seen[2] = {0, 0};
    CHECK(bz_ising_square_exact(4, 4, 1.0, &beta, 1, &kaufman_log_z, NULL, NULL, NULL, &kaufman_c));
    CHECK(bz_ising_exact(model, &beta, 1, 0, &log_z, NULL, NULL, NULL, &c, NULL, NULL, NULL,
                         count_states, seen));
    printf("4 x 4 at beta = %.2f: log Z = %.15f (Kaufman) vs %.15f (2^16 states, %lld visited)\n",
           beta, kaufman_log_z, log_z, (long long)seen[0]);
    if (fabs(kaufman_log_z - log_z) > 1e-12 * fabs(log_z) || fabs(kaufman_c - c) > 1e-10 * fabs(c)) {
        fprintf(stderr, "Kaufman and enumeration disagree\n");
        failures++;
    }
    if (seen[0] != seen[1] || seen[1] != 65536) {
        fprintf(stderr, "progress saw %lld of %lld states\n", (long long)seen[0], (long long)seen[1]);
        failures++;
    }
    bz_ising_free(model);
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
