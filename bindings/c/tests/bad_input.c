/*
 * bad_input.c -- the C boundary refuses bad input with a named status and a message,
 * never crashes, and leaves handles usable. (The Python suite drives every function;
 * this is the same contract seen from C.)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "boltzmann.h"

static int failures = 0;

static void expect_status(const char *call, bz_status got, bz_status want, const char *word) {
    const char *message = bz_last_error();
    if (got != want || (word != NULL && strstr(message, word) == NULL)) {
        fprintf(stderr, "FAIL %s: got %s (\"%s\"), want %s naming \"%s\"\n", call, bz_status_string(got),
                message, bz_status_string(want), word ? word : "");
        failures++;
    } else {
        printf("ok   %-58s -> %-16s %s\n", call, bz_status_string(got), want == BZ_OK ? "" : message);
    }
}

#define EXPECT(call, want, word) expect_status(#call, (call), (want), (word))

int main(void) {
    const double energies[3] = {0.0, 1.0, 2.0};
    const double with_nan[3] = {0.0, NAN, 2.0};
    const double zero_g[3] = {1.0, 0.0, 1.0};
    const double betas[2] = {0.5, INFINITY};
    const int64_t negative[2] = {3, -1};
    double out[3], beta;
    int64_t count;
    bz_spectrum *s = NULL, *dead = NULL, *other = NULL;

    if (bz_spectrum_create(&s, energies, NULL, 3) != BZ_OK) return 1;
    if (bz_spectrum_create(&dead, energies, NULL, 3) != BZ_OK) return 1;
    bz_spectrum_free(dead);

    EXPECT(bz_spectrum_create(NULL, energies, NULL, 3), BZ_ERR_NULL_POINTER, "out");
    EXPECT(bz_spectrum_create(&other, NULL, NULL, 3), BZ_ERR_NULL_POINTER, "energies");
    EXPECT(bz_spectrum_create(&other, energies, NULL, -3), BZ_ERR_INVALID_ARGUMENT, "n_levels");
    EXPECT(bz_spectrum_create(&other, with_nan, NULL, 3), BZ_ERR_NON_FINITE, "energies[1]");
    EXPECT(bz_spectrum_create(&other, energies, zero_g, 3), BZ_ERR_INVALID_ARGUMENT, "degeneracies[1]");
    EXPECT(bz_spectrum_thermo(s, betas, 2, out, NULL, NULL, NULL, NULL), BZ_ERR_NON_FINITE, "betas[1]");
    EXPECT(bz_spectrum_thermo(dead, betas, 1, out, NULL, NULL, NULL, NULL), BZ_ERR_INVALID_HANDLE, "bz_spectrum");
    EXPECT(bz_spectrum_probabilities(s, 1.0, out, 2), BZ_ERR_SHAPE_MISMATCH, "n_levels");
    EXPECT(bz_spectrum_solve_beta(s, 2.5, &beta), BZ_ERR_INVALID_ARGUMENT, "target_mean");
    EXPECT(bz_log_multiplicity(negative, 2, out), BZ_ERR_INVALID_ARGUMENT, "occupations[1]");
    EXPECT(bz_macrostate_count(1000, 1000, &count), BZ_ERR_LIMIT_EXCEEDED, "macrostates");
    EXPECT(bz_mean_field_occupations(energies, 3, 1.0, 1.0, 0.0, 1.5, 1e-9, 10, out, NULL, NULL),
           BZ_ERR_INVALID_ARGUMENT, "damping");
    if (other != NULL) {
        fprintf(stderr, "FAIL: a failed create left a handle in out\n");
        failures++;
    }

    /* Freeing NULL, twice, or a dead handle is harmless; the live handle still works. */
    bz_spectrum_free(NULL);
    bz_spectrum_free(dead);
    EXPECT(bz_spectrum_thermo(s, betas, 1, out, NULL, NULL, NULL, NULL), BZ_OK, NULL);
    if (fabs(out[0] - log(1.0 + exp(-0.5) + exp(-1.0))) > 1e-14) {
        fprintf(stderr, "FAIL: the handle gives a wrong log Z after the errors\n");
        failures++;
    }
    bz_spectrum_free(s);

    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
