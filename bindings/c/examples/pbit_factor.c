/*
 * pbit_factor.c -- a p-bit Ising machine run forwards and backwards.
 *
 * 1. An invertible AND gate (Camsari et al. 2017) sampled by heat-bath p-bits
 *    at beta = 1: the fraction of samples on a truth-table row, against the
 *    exact Boltzmann value 4e^3 / (4e^3 + 3/e + e^-9) = 0.9864; then the output
 *    clamped to 1, which drives both inputs to 1.
 * 2. Factoring: a multiplier circuit with its product clamped to n samples the
 *    factors of 35, 143 and 323.
 *
 * Exits non-zero if a check fails.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define CHAINS 4
#define SAMPLES 20000

static int8_t samples[CHAINS * SAMPLES * 3];

/* Fraction of samples (a, b, y) with y = a AND b, and with a = b = +1. */
static void tally(double *valid, double *both_true) {
    int64_t ok = 0, both = 0;
    for (int64_t s = 0; s < CHAINS * SAMPLES; s++) {
        const int8_t *t = samples + 3 * s;
        ok += (t[2] == 1) == (t[0] == 1 && t[1] == 1);
        both += t[0] == 1 && t[1] == 1;
    }
    *valid = (double)ok / (CHAINS * SAMPLES);
    *both_true = (double)both / (CHAINS * SAMPLES);
}

int main(void) {
    bz_circuit *gate = NULL;
    bz_ising *model = NULL;
    bz_mc *pbits = NULL;
    const int64_t terminals[3] = {0, 1, 2}, output = 2;
    const int8_t one = 1;
    double valid, both_true, conditional;
    const double e3 = exp(3.0);
    const double exact = 4 * e3 / (4 * e3 + 3 / exp(1.0) + exp(-9.0));
    static const int64_t semiprimes[3] = {35, 143, 323};

    CHECK(bz_circuit_create(&gate));
    CHECK(bz_circuit_add_gate(gate, BZ_GATE_AND, terminals, 3, NULL));
    CHECK(bz_circuit_model(&model, gate));
    CHECK(bz_mc_create(&pbits, model, 1.0, BZ_MC_HEAT_BATH, BZ_ORDER_COLORED, CHAINS, 1));
    bz_ising_free(model);
    bz_circuit_free(gate);

    CHECK(bz_mc_sample(pbits, SAMPLES, 1, 100, samples, CHAINS * SAMPLES * 3, NULL, NULL));
    tally(&valid, &both_true);
    printf("AND gate, beta = 1: P(valid row) = %.4f sampled, %.4f exact\n", valid, exact);
    if (fabs(valid - exact) > 0.005) return EXIT_FAILURE;

    CHECK(bz_mc_clamp(pbits, &output, &one, 1));
    CHECK(bz_mc_sample(pbits, SAMPLES, 1, 100, samples, CHAINS * SAMPLES * 3, NULL, NULL));
    tally(&valid, &both_true);
    conditional = e3 / (e3 + 2 / exp(1.0) + exp(-9.0));
    printf("output clamped to 1: P(a = b = 1) = %.4f sampled, %.4f exact\n", both_true, conditional);
    bz_mc_free(pbits);
    if (fabs(both_true - conditional) > 0.005) return EXIT_FAILURE;

    for (int k = 0; k < 3; k++) {
        int64_t a, b, hit;
        double p, first;
        CHECK(bz_pbit_factor(semiprimes[k], 0, 1.0, 100000, CHAINS, 7, &a, &b, &p, &first, &hit, NULL, NULL));
        printf("%3lld = %2lld x %2lld   P(correct) = %.3f, first hit after %.0f sweeps (%lld of %d chains)\n",
               (long long)semiprimes[k], (long long)a, (long long)b, p, first, (long long)hit, CHAINS);
        if (a * b != semiprimes[k]) return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
