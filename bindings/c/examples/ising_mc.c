/*
 * ising_mc.c -- the 2D Ising transition, sampled, with honest error bars.
 *
 * A 32 x 32 periodic lattice scanned through T_c = 2.269 with Wolff cluster
 * updates (8 chains, threaded). Each temperature prints E/N, |M|/N, the heat
 * capacity per spin C and the Binder cumulant U4, each as mean +- standard error,
 * beside Kaufman's exact E/N and C for the same finite lattice; U4 crosses from
 * 0 (disorder) towards 2/3 (order). The chains carry on from one temperature to
 * the next, and an equilibration check compares each run's two halves.
 *
 * Exits non-zero if E/N or C strays beyond 5 standard errors of the exact values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define L 32
#define N_T 9

int main(void) {
    const double temperatures[N_T] = {1.8, 2.0, 2.1, 2.2, 2.269, 2.35, 2.45, 2.6, 3.0};
    double betas[N_T], exact_energy[N_T], exact_heat[N_T];
    double mean[BZ_MC_N_OBSERVABLES], error[BZ_MC_N_OBSERVABLES];
    bz_ising *lattice = NULL;
    bz_mc *mc = NULL;
    int failures = 0;

    for (int k = 0; k < N_T; k++) betas[k] = 1.0 / temperatures[k];
    CHECK(bz_ising_square_exact(L, L, 1.0, betas, N_T, NULL, NULL, exact_energy, NULL, exact_heat));
    CHECK(bz_ising_create_square(&lattice, L, L, 1.0, 0.0, 1));
    CHECK(bz_mc_create(&mc, lattice, betas[0], BZ_MC_WOLFF, BZ_ORDER_SEQUENTIAL, 8, 2026));
    bz_ising_free(lattice); /* the sampler keeps its own reference */

    printf("%d x %d torus, Wolff, 8 chains x 4000 sweeps per temperature\n", L, L);
    printf("    T        E/N (exact)              |M|/N        C (exact)             U4        z\n");
    for (int k = 0; k < N_T; k++) {
        double z;
        CHECK(bz_mc_set_beta(mc, betas[k]));
        CHECK(bz_mc_run(mc, 4000, 500, 1, NULL, NULL));
        CHECK(bz_mc_results(mc, mean, error, NULL, NULL, BZ_MC_N_OBSERVABLES));
        CHECK(bz_mc_equilibration(mc, BZ_OBS_ENERGY, &z, NULL, NULL));
        const double e = exact_energy[k] / (L * L), c = exact_heat[k] / (L * L);
        printf("%6.3f  %8.5f+-%.5f (%8.5f)  %6.4f+-%.4f  %6.3f+-%.3f (%6.3f)  %6.4f+-%.4f  %4.1f\n",
               temperatures[k], mean[BZ_OBS_ENERGY], error[BZ_OBS_ENERGY], e,
               mean[BZ_OBS_ABS_MAGNETIZATION], error[BZ_OBS_ABS_MAGNETIZATION],
               mean[BZ_OBS_HEAT_CAPACITY], error[BZ_OBS_HEAT_CAPACITY], c,
               mean[BZ_OBS_BINDER], error[BZ_OBS_BINDER], z);
        if (fabs(mean[BZ_OBS_ENERGY] - e) > 5 * error[BZ_OBS_ENERGY]) failures++;
        if (fabs(mean[BZ_OBS_HEAT_CAPACITY] - c) > 5 * error[BZ_OBS_HEAT_CAPACITY]) failures++;
    }
    bz_mc_free(mc);
    if (failures) fprintf(stderr, "%d estimates beyond 5 standard errors of Kaufman\n", failures);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
