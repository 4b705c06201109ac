/*
 * libFuzzer harness: every model constructor with fuzzed sizes, parameters and
 * choices (NaN, infinities, negative and out-of-range counts, unknown enums). Arrays
 * are exactly as long as the counts passed (a count the harness cannot back goes
 * with NULL): the library must answer each call with a status, and every model it
 * creates must answer a query and free cleanly.
 */
#include <stdlib.h>

#include "boltzmann.h"
#include "fuzz_input.h"

/* A size for a parameter that indexes no caller buffer: small, or an invalid edge. */
static int64_t next_size(struct input *in, int64_t small) {
    static const int64_t invalid[] = {-1, -5, (int64_t)1 << 40, INT64_MAX, INT64_MIN};
    uint8_t how = next_byte(in);
    if (how < 230) return (int64_t)(next_byte(in) % (small + 1));
    return invalid[next_byte(in) % (sizeof invalid / sizeof *invalid)];
}

static void ising(struct input *in) {
    bz_ising *model = NULL;
    double a = next_double(in), b = next_double(in);
    int32_t periodic = next_choice(in, 1);
    switch (next_byte(in) % 9) {
    case 0: bz_ising_create_chain(&model, next_size(in, 40), a, b, periodic); break;
    case 1: bz_ising_create_square(&model, next_size(in, 12), next_size(in, 12), a, b, periodic); break;
    case 2: bz_ising_create_cubic(&model, next_size(in, 6), next_size(in, 6), next_size(in, 6), a, b, periodic); break;
    case 3: bz_ising_create_complete(&model, next_size(in, 20), a, b); break;
    case 4: bz_ising_create_sk(&model, next_size(in, 20), a, b, next_raw(in, 8)); break;
    case 5: bz_ising_create_edwards_anderson(&model, next_size(in, 8), next_size(in, 8), next_size(in, 3), next_choice(in, 2), a, b,
                                             periodic, next_raw(in, 8)); break;
    case 6: {
        int64_t n = next_count(in, 8);
        double couplings[64], fields[8];
        next_doubles(in, couplings, 64);
        next_doubles(in, fields, 8);
        int fits = n >= 0 && n <= 8;
        bz_ising_create_dense(&model, fits ? couplings : NULL, fits ? fields : NULL, n);
        break;
    }
    case 7: {
        int64_t n = next_size(in, 10), edges = next_count(in, 16);
        int64_t first[16], second[16];
        double couplings[16], fields[10];
        for (int k = 0; k < 16; k++) { first[k] = minus_one(next_count(in, 11)); second[k] = minus_one(next_count(in, 11)); }
        next_doubles(in, couplings, 16);
        next_doubles(in, fields, 10);
        int fits = edges >= 0 && edges <= 16 && n >= 0 && n <= 10;
        bz_ising_create_edges(&model, n, fits ? first : NULL, fits ? second : NULL, fits ? couplings : NULL, edges,
                              next_byte(in) & 1 && fits ? fields : NULL);
        break;
    }
    default: {
        int64_t n = next_count(in, 8);
        double qubo[64], offset;
        next_doubles(in, qubo, 64);
        bz_ising_create_qubo(&model, n >= 0 && n <= 8 ? qubo : NULL, n, &offset);
    }
    }
    if (model) {
        double beta = next_double(in), log_z;
        bz_ising_exact(model, &beta, 1, 12, &log_z, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);  /* 2^12 states at most */
        bz_ising_free(model);
    }
}

static void spectrum(struct input *in) {
    bz_spectrum *s = NULL;
    /* max_states: small, or invalid; a huge valid cap (0, the default, included) allows
       legal but long walks (10 units on 16 levels: 3.3 million states), so 0 goes with
       few units. */
    int64_t n = next_count(in, 16), units = next_size(in, 30), states = next_byte(in) < 240 ? next_byte(in) * 4 : -1 - next_byte(in) % 4;
    if (states == 0 && units > 4) states = 4;
    double energies[16], degeneracies[16];
    next_doubles(in, energies, 16);
    next_doubles(in, degeneracies, 16);
    int fits = n >= 0 && n <= 16;
    switch (next_byte(in) % 3) {
    case 0: bz_spectrum_create(&s, fits ? energies : NULL, next_byte(in) & 1 && fits ? degeneracies : NULL, n); break;
    case 1: bz_spectrum_create_log(&s, fits ? energies : NULL, fits ? degeneracies : NULL, n); break;
    default: bz_spectrum_create_microcanonical(&s, units, fits ? energies : NULL, n, states);
    }
    if (s) {
        int64_t size;
        double beta = next_double(in), log_z;
        if (bz_spectrum_size(s, &size) != BZ_OK) __builtin_trap();
        bz_spectrum_thermo(s, &beta, 1, &log_z, NULL, NULL, NULL, NULL);
        bz_spectrum_free(s);
    }
}

static void machines(struct input *in) {
    switch (next_byte(in) % 4) {
    case 0: {
        bz_rbm *rbm = NULL;
        if (bz_rbm_create(&rbm, next_size(in, 40), next_size(in, 40), next_choice(in, 1), next_raw(in, 8)) == BZ_OK) bz_rbm_free(rbm);
        break;
    }
    case 1: {
        bz_hopfield *net = NULL;
        int64_t n = next_size(in, 24);
        if (bz_hopfield_create(&net, n, next_choice(in, 1)) != BZ_OK) return;
        int64_t p = next_count(in, 4), width = next_count(in, 24);
        int8_t patterns[4 * 24];
        for (int k = 0; k < 4 * 24; k++) patterns[k] = (int8_t)(next_byte(in) % 4 == 0 ? next_byte(in) : (next_byte(in) & 1 ? 1 : -1));
        int fits = p >= 0 && width >= 0 && p <= 4 && width <= 24;
        bz_hopfield_store(net, fits ? patterns : NULL, p, width);
        bz_hopfield_free(net);
        break;
    }
    case 2: {
        bz_dense_hopfield *net = NULL;
        int64_t p = next_count(in, 8), d = next_count(in, 8);
        float patterns[64];
        next_floats(in, patterns, 64);
        int fits = p >= 0 && d >= 0 && p <= 8 && d <= 8;
        if (next_byte(in) & 1) bz_dense_hopfield_create(&net, fits ? patterns : NULL, p, d, next_double(in));
        else bz_dense_hopfield_create_polynomial(&net, fits ? patterns : NULL, p, d, next_choice(in, 40));
        bz_dense_hopfield_free(net);
        break;
    }
    default: {
        bz_circuit *circuit = NULL;
        if (next_byte(in) & 1) {
            bz_circuit_create_multiplier(&circuit, next_size(in, 6));
        } else if (bz_circuit_create(&circuit) == BZ_OK) {
            for (int g = next_byte(in) % 4; g > 0; g--) {
                int64_t nodes[8], n = next_count(in, 8), first;
                for (int k = 0; k < 8; k++) nodes[k] = minus_one(next_count(in, 12));
                bz_circuit_add_gate(circuit, next_choice(in, 6), n >= 0 && n <= 8 ? nodes : NULL, n, &first);
            }
        }
        bz_circuit_free(circuit);
    }
    }
}

static void scores(struct input *in) {
    bz_sde *sde = NULL;
    switch (next_byte(in) % 3) {
    case 0: bz_sde_create_vp(&sde, next_choice(in, 2), next_double(in), next_double(in)); break;
    case 1: bz_sde_create_ve(&sde, next_double(in), next_double(in)); break;
    default: bz_sde_create_ddpm(&sde, next_size(in, 2000), next_choice(in, 2), next_double(in), next_double(in));
    }
    bz_sde_free(sde);
    bz_score *score = NULL;
    int64_t k = next_count(in, 4), d = next_count(in, 3);
    int fits = k >= 0 && d >= 0 && k <= 4 && d <= 3;
    switch (next_byte(in) % 3) {
    case 0: {
        double weights[4], means[12], covariances[36];
        next_doubles(in, weights, 4);
        next_doubles(in, means, 12);
        next_doubles(in, covariances, 36);
        bz_score_create_gmm(&score, fits ? weights : NULL, fits ? means : NULL, fits ? covariances : NULL, k, d, next_choice(in, 1));
        break;
    }
    case 1: {
        float data[12];
        next_floats(in, data, 12);
        bz_score_create_empirical(&score, fits ? data : NULL, k, d);
        break;
    }
    default: {
        int64_t hidden[3] = {next_size(in, 16), next_size(in, 16), next_size(in, 16)}, layers = next_count(in, 3);
        bz_score_create_mlp(&score, next_size(in, 4), layers >= 0 && layers <= 3 ? hidden : NULL, layers, next_choice(in, 2),
                            next_size(in, 8), next_double(in), next_choice(in, 3), next_raw(in, 8));
    }
    }
    if (score) {
        int64_t dim;
        if (bz_score_dim(score, &dim) != BZ_OK) __builtin_trap();
        bz_score_free(score);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct input in = {data, size, 0};
    switch (next_byte(&in) % 4) {
    case 0: ising(&in); break;
    case 1: spectrum(&in); break;
    case 2: machines(&in); break;
    default: scores(&in);
    }
    return 0;
}
