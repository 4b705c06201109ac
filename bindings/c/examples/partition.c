/*
 * partition.c -- thermodynamics tables from libboltzmann, checked against closed forms.
 *
 * 1. A two-level system with levels 0 and eps: Z = 1 + e^{-beta eps}.
 * 2. The seeds' system of ten distinguishable units on levels {0, 1, 2}: its
 *    microcanonical spectrum has log Z = 10 log z, z = 1 + e^{-beta} + e^{-2 beta};
 *    the macrostate (7, 2, 1) has W = 10!/(7! 2! 1!) = 360 and E = 4.
 *
 * Exits non-zero if any value disagrees with its closed form.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define N_BETAS 6

static int failures = 0;

/* Compare with a relative tolerance of `rtol`; count and report a mismatch. */
static void expect(const char *what, double beta, double got, double want, double rtol) {
    if (!(fabs(got - want) <= rtol * fabs(want))) {
        fprintf(stderr, "MISMATCH %s at beta %g: %.17g vs closed form %.17g\n", what, beta, got, want);
        failures++;
    }
}

static int two_level_table(void) {
    const double eps = 1.0;
    const double energies[2] = {0.0, eps};
    const double betas[N_BETAS] = {-1.0, 0.1, 0.5, 1.0, 2.0, 5.0};
    double log_z[N_BETAS], free_energy[N_BETAS], energy[N_BETAS], entropy[N_BETAS], heat[N_BETAS];
    bz_spectrum *two = NULL;
    int k;

    CHECK(bz_spectrum_create(&two, energies, NULL, 2));
    CHECK(bz_spectrum_thermo(two, betas, N_BETAS, log_z, free_energy, energy, entropy, heat));
    printf("Two-level system, levels 0 and %g\n", eps);
    printf("%8s %12s %12s %12s %12s %12s\n", "beta", "log Z", "F", "U", "S", "C");
    for (k = 0; k < N_BETAS; k++) {
        /* log1p: log(1 + x) would lose the digits of a small log Z. */
        const double b = betas[k], z = 1.0 + exp(-b * eps), logz = log1p(exp(-b * eps));
        const double u = eps * exp(-b * eps) / z;
        const double c = b * b * eps * eps * exp(-b * eps) / (z * z);
        printf("%8.3f %12.8f %12.8f %12.8f %12.8f %12.8f\n", b, log_z[k], free_energy[k], energy[k],
               entropy[k], heat[k]);
        expect("log Z", b, log_z[k], logz, 1e-14);
        expect("F", b, free_energy[k], -logz / b, 1e-14);
        expect("U", b, energy[k], u, 1e-14);
        expect("S", b, entropy[k], b * u + logz, 1e-13);
        expect("C", b, heat[k], c, 1e-13);
    }
    bz_spectrum_free(two);
    return EXIT_SUCCESS;
}

static int ten_units_table(void) {
    const double levels[3] = {0.0, 1.0, 2.0};
    const int64_t occupation[3] = {7, 2, 1};
    const double betas[N_BETAS] = {-1.0, 0.1, 0.5, 1.0, 2.0, 5.0};
    double log_z[N_BETAS], energy[N_BETAS], log_w, e;
    int64_t count, n_levels;
    bz_spectrum *units = NULL;
    int k;

    CHECK(bz_log_multiplicity(occupation, 3, &log_w));
    CHECK(bz_occupation_energy(occupation, levels, 3, &e));
    CHECK(bz_macrostate_count(10, 3, &count));
    printf("\nTen units on levels {0, 1, 2}: %lld macrostates\n", (long long)count);
    printf("occupation (7, 2, 1): W = %.0f, E = %g (seed 003 Example 10.1 prints 3; it is 4)\n",
           exp(log_w), e);
    expect("W(7,2,1)", 0.0, exp(log_w), 360.0, 1e-13);
    expect("E(7,2,1)", 0.0, e, 4.0, 0.0);
    expect("macrostates", 0.0, (double)count, 66.0, 0.0);

    CHECK(bz_spectrum_create_microcanonical(&units, 10, levels, 3, 0));
    CHECK(bz_spectrum_size(units, &n_levels));
    CHECK(bz_spectrum_thermo(units, betas, N_BETAS, log_z, NULL, energy, NULL, NULL));
    printf("microcanonical spectrum: %lld distinct energies\n", (long long)n_levels);
    printf("%8s %16s %16s %12s\n", "beta", "log Z", "10 log z", "U");
    for (k = 0; k < N_BETAS; k++) {
        const double b = betas[k], z = 1.0 + exp(-b) + exp(-2.0 * b);
        printf("%8.3f %16.12f %16.12f %12.8f\n", b, log_z[k], 10.0 * log(z), energy[k]);
        expect("log Z (10 units)", b, log_z[k], 10.0 * log(z), 1e-13);
        expect("U (10 units)", b, energy[k], 10.0 * (exp(-b) + 2.0 * exp(-2.0 * b)) / z, 1e-13);
    }
    bz_spectrum_free(units);
    return EXIT_SUCCESS;
}

int main(void) {
    printf("libboltzmann %s\n\n", bz_version_string());
    if (two_level_table() != EXIT_SUCCESS || ten_units_table() != EXIT_SUCCESS) return EXIT_FAILURE;
    if (failures) {
        fprintf(stderr, "%d value(s) disagree with their closed forms\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nall values agree with their closed forms\n");
    return EXIT_SUCCESS;
}
