/*
 * ising_partition.c -- exact partition functions beyond enumeration, from libboltzmann.
 *
 * 1. A 2D Edwards-Anderson spin glass with Gaussian couplings and random fields on a
 *    100 x 10 open strip (1000 spins: 2^1000 states) by the transfer matrix over the
 *    frontier of its last 10 spins: log Z and the heat capacity C(T) per spin, with
 *    its peak.
 * 2. Checks: the transfer matrix against enumerating all 2^20 states of a 4 x 5 strip
 *    with fields, and against Kaufman's exact solution on a periodic 8 x 6 torus
 *    (which it sums by conditioning on the first row).
 * 3. The planar Pfaffian (bz_ising_planar): a 64 x 64 open glass without field, far
 *    beyond any transfer matrix, exactly -- log Z and C(T) -- checked against the
 *    transfer matrix on a 32 x 12 glass, whose exact bond correlations
 *    (bz_ising_planar_correlations) sum to its energy, and its exact samples
 *    (bz_ising_planar_sample) average to it. Then any planar graph given its
 *    embedding (bz_ising_with_embedding): a triangular +-J glass, checked against the
 *    transfer matrix.
 * 4. One front door, bz_ising_log_partition: the automatic method on a periodic
 *    64 x 64 lattice (Kaufman), on a 24 x 24 periodic glass (the planar Pfaffian), and
 *    on that glass in a field, where no exact method applies and annealed importance
 *    sampling estimates log Z with an error (checked against the transfer matrix on a
 *    24 x 8 open strip of the same kind).
 * 5. Beale's exact density of states of the 32 x 32 torus (bz_ising_square_dos): every
 *    g(E) as an exact integer of up to 1,024 bits, summing to 2^1024, and log Z from
 *    it against Kaufman's.
 * 6. A +-J strip in a field: its exact g(E) by the transfer matrix
 *    (bz_ising_transfer_dos: the ground level's degeneracy) and exact samples
 *    (bz_ising_transfer_sample) whose mean energy matches U.
 *
 * Usage: ising_partition [side]   (side of the planar glass in 3; default 64)
 * Exits non-zero if a check fails.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define N_T 12

static int close_to(double a, double b, double rtol) { return fabs(a - b) <= rtol * fabs(b); }

int main(int argc, char **argv) {
    int failures = 0;
    int side = argc > 1 ? atoi(argv[1]) : 64;
    if (side < 2 || side > 1024) {
        fprintf(stderr, "usage: ising_partition [side in 2..1024]\n");
        return EXIT_FAILURE;
    }

    /* 1. The 100 x 10 glass: rows of 10, numbered row by row, so the frontier is 10 spins. */
    bz_ising *glass = NULL, *fielded = NULL;
    CHECK(bz_ising_create_edwards_anderson(&glass, 100, 10, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 0, 7));
    int64_t n = 0, frontier = 0, conditioned = 0;
    CHECK(bz_ising_size(glass, &n, NULL));
    static double fields[1000];
    srand(7);
    for (int64_t i = 0; i < n; i++) fields[i] = 0.4 * ((double)rand() / RAND_MAX - 0.5);
    CHECK(bz_ising_with_fields(&fielded, glass, fields, n));
    CHECK(bz_ising_transfer_plan(fielded, &frontier, &conditioned));
    double betas[N_T], log_z[N_T], heat[N_T];
    for (int k = 0; k < N_T; k++) betas[k] = 1.0 / (0.25 + 0.25 * k); /* T = 0.25 .. 3 */
    CHECK(bz_ising_transfer(fielded, betas, N_T, 0, log_z, NULL, NULL, NULL, heat, NULL, NULL, NULL, NULL, NULL));
    printf("100 x 10 Gaussian spin glass with fields (%lld spins; frontier %lld, %lld conditioned):\n",
           (long long)n, (long long)frontier, (long long)conditioned);
    printf("%8s %16s %12s\n", "T", "log Z per spin", "C per spin");
    int peak = 0;
    for (int k = 0; k < N_T; k++) {
        printf("%8.2f %16.10f %12.6f\n", 1.0 / betas[k], log_z[k] / n, heat[k] / n);
        if (heat[k] > heat[peak]) peak = k;
    }
    printf("C per spin peaks near T = %.2f\n", 1.0 / betas[peak]);
    if (frontier != 10 || conditioned != 0 || !(log_z[N_T - 1] > n * log(2.0))) {
        fprintf(stderr, "unexpected plan or log Z\n");
        failures++;
    }

    /* 2a. A 4 x 5 strip with the same kind of couplings and fields: all 2^20 states. */
    bz_ising *strip = NULL, *strip_fielded = NULL;
    CHECK(bz_ising_create_edwards_anderson(&strip, 4, 5, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 0, 3));
    CHECK(bz_ising_with_fields(&strip_fielded, strip, fields, 20));
    double beta = 1.3, by_transfer[3], by_enumeration[3];
    CHECK(bz_ising_transfer(strip_fielded, &beta, 1, 0, &by_transfer[0], NULL, &by_transfer[1], NULL, &by_transfer[2],
                            NULL, NULL, NULL, NULL, NULL));
    CHECK(bz_ising_exact(strip_fielded, &beta, 1, 0, &by_enumeration[0], NULL, &by_enumeration[1], NULL,
                         &by_enumeration[2], NULL, NULL, NULL, NULL, NULL));
    printf("4 x 5 strip at beta = %.1f: log Z = %.15f (transfer) vs %.15f (2^20 states)\n", beta, by_transfer[0],
           by_enumeration[0]);
    if (!close_to(by_transfer[0], by_enumeration[0], 1e-12) || !close_to(by_transfer[1], by_enumeration[1], 1e-9)
        || !close_to(by_transfer[2], by_enumeration[2], 1e-9)) {
        fprintf(stderr, "the transfer matrix and enumeration disagree\n");
        failures++;
    }

    /* 2b. The periodic 8 x 6 torus against Kaufman. */
    bz_ising *torus = NULL;
    CHECK(bz_ising_create_square(&torus, 8, 6, 1.0, 0.0, 1));
    double kaufman[2], transfer[2];
    beta = 0.44;
    CHECK(bz_ising_square_exact(8, 6, 1.0, &beta, 1, &kaufman[0], NULL, NULL, NULL, &kaufman[1]));
    CHECK(bz_ising_transfer(torus, &beta, 1, 0, &transfer[0], NULL, NULL, NULL, &transfer[1], NULL, NULL, NULL,
                            NULL, NULL));
    printf("8 x 6 torus at beta = %.2f: log Z = %.15f (transfer) vs %.15f (Kaufman)\n", beta, transfer[0], kaufman[0]);
    if (!close_to(transfer[0], kaufman[0], 1e-12) || !close_to(transfer[1], kaufman[1], 1e-9)) {
        fprintf(stderr, "the transfer matrix and Kaufman disagree\n");
        failures++;
    }

    /* 3. The planar Pfaffian: a side x side (64 x 64) open Gaussian glass, C(T) per spin. */
    bz_ising *wide = NULL, *check = NULL;
    CHECK(bz_ising_create_edwards_anderson(&wide, side, side, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 0, 11));
    /* T = 0.5 .. 3: at T = 0.25 (beta J_rms = 4, past the frustrated limit of 3) the
       elimination's digits run out, and bz_ising_planar says so (UNSUPPORTED). */
    CHECK(bz_ising_planar(wide, betas + 1, N_T - 1, log_z + 1, NULL, NULL, NULL, heat + 1, NULL, NULL));
    failures += bz_ising_planar(wide, betas, 1, log_z, NULL, NULL, NULL, NULL, NULL, NULL) != BZ_ERR_UNSUPPORTED;
    double spins = (double)side * side;
    printf("%d x %d open Gaussian glass (%.0f spins), exact by the planar Pfaffian:\n", side, side, spins);
    printf("%8s %16s %12s\n", "T", "log Z per spin", "C per spin");
    for (int k = 1; k < N_T; k++) printf("%8.2f %16.10f %12.6f\n", 1.0 / betas[k], log_z[k] / spins, heat[k] / spins);
    double planar[2], strip_exact[2];
    beta = 1.5;
    CHECK(bz_ising_create_edwards_anderson(&check, 32, 12, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 0, 11));
    CHECK(bz_ising_planar(check, &beta, 1, &planar[0], NULL, NULL, NULL, &planar[1], NULL, NULL));
    CHECK(bz_ising_transfer(check, &beta, 1, 0, &strip_exact[0], NULL, NULL, NULL, &strip_exact[1], NULL, NULL, NULL,
                            NULL, NULL));
    printf("32 x 12 glass at beta = %.1f: log Z = %.12f (Pfaffian) vs %.12f (transfer)\n", beta, planar[0], strip_exact[0]);
    if (!close_to(planar[0], strip_exact[0], 1e-12) || !close_to(planar[1], strip_exact[1], 1e-8)) {
        fprintf(stderr, "the Pfaffian and the transfer matrix disagree\n");
        failures++;
    }
    /* Its exact <s_i s_j> on every bond (selected inversion): sum J <s_i s_j> = -U. */
    int64_t n_spins = 0, n_couplings = 0;
    CHECK(bz_ising_size(check, &n_spins, &n_couplings));
    double *correlation = malloc((size_t)n_couplings * sizeof *correlation);
    double *coupling = malloc((size_t)n_couplings * sizeof *coupling);
    if (!correlation || !coupling) return EXIT_FAILURE;
    CHECK(bz_ising_couplings(check, NULL, NULL, coupling, n_couplings));
    CHECK(bz_ising_planar_correlations(check, beta, correlation, n_couplings, NULL, NULL));
    double bond_energy = 0, planar_energy;
    for (int64_t e = 0; e < n_couplings; e++) bond_energy -= coupling[e] * correlation[e];
    CHECK(bz_ising_planar(check, &beta, 1, NULL, NULL, &planar_energy, NULL, NULL, NULL, NULL));
    printf("  its %lld bonds' exact <s_i s_j>: -sum J <s_i s_j> = %.10f, U = %.10f\n", (long long)n_couplings, bond_energy,
           planar_energy);
    failures += !close_to(bond_energy, planar_energy, 1e-10);
    /* And exact independent samples of it (perfect matchings of the dual drawn
     * top-down through the nested dissection): their mean energy within 5 standard
     * errors of U. */
    const int N_PLANAR = side < 64 ? 50 : 2000;  /* fewer under valgrind */
    int8_t *planar_spins = malloc((size_t)(N_PLANAR * n_spins));
    double *planar_energies = malloc((size_t)N_PLANAR * sizeof *planar_energies);
    if (!planar_spins || !planar_energies) return EXIT_FAILURE;
    CHECK(bz_ising_planar_sample(check, beta, N_PLANAR, 7, planar_spins, n_spins, NULL, NULL));
    CHECK(bz_ising_energy(check, planar_spins, N_PLANAR, n_spins, planar_energies));
    double sample_mean = 0, sample_sq = 0;
    for (int r = 0; r < N_PLANAR; r++) { sample_mean += planar_energies[r]; sample_sq += planar_energies[r] * planar_energies[r]; }
    sample_mean /= N_PLANAR;
    double sample_error = sqrt((sample_sq / N_PLANAR - sample_mean * sample_mean) / N_PLANAR);
    printf("  %d exact samples: <E> = %.3f +- %.3f (U = %.3f)\n", N_PLANAR, sample_mean, sample_error, planar_energy);
    failures += fabs(sample_mean - planar_energy) > 5 * sample_error;
    free(planar_energies);
    free(planar_spins);
    free(coupling);
    free(correlation);

    /* 3b. Any planar graph, given its embedding: a triangular +-J glass (squares with
     * one diagonal, drawn with x = c - r / 2, y = -r) of rows x 8 spins. Each spin's
     * neighbours counter-clockwise from east: E, NE, NW, W, SW, SE. Checked against
     * the transfer matrix, whose frontier is 9 spins. */
    {
        enum { W = 8 };
        const int rows = side < 64 ? 10 : 30;  /* smaller under valgrind */
        const int64_t spins = (int64_t)rows * W;
        int64_t *first = malloc(3 * (size_t)spins * sizeof *first), *second = malloc(3 * (size_t)spins * sizeof *second);
        double *coupling3 = malloc(3 * (size_t)spins * sizeof *coupling3);
        int64_t *start = malloc((size_t)(spins + 1) * sizeof *start), *around = malloc(6 * (size_t)spins * sizeof *around);
        if (!first || !second || !coupling3 || !start || !around) return EXIT_FAILURE;
        int64_t m = 0, k = 0;
        srand(11);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < W; c++) {
                const int64_t s = (int64_t)r * W + c;
                if (c + 1 < W) { first[m] = s; second[m] = s + 1; coupling3[m++] = rand() % 2 ? 1.0 : -1.0; }
                if (r + 1 < rows) { first[m] = s; second[m] = s + W; coupling3[m++] = rand() % 2 ? 1.0 : -1.0; }
                if (r + 1 < rows && c + 1 < W) { first[m] = s; second[m] = s + W + 1; coupling3[m++] = rand() % 2 ? 1.0 : -1.0; }
                const int dr[6] = {0, -1, -1, 0, 1, 1}, dc[6] = {1, 0, -1, -1, 0, 1};
                start[s] = k;
                for (int d = 0; d < 6; d++) {
                    const int rr = r + dr[d], cc = c + dc[d];
                    if (rr >= 0 && rr < rows && cc >= 0 && cc < W) around[k++] = (int64_t)rr * W + cc;
                }
            }
        }
        start[spins] = k;
        bz_ising *triangular = NULL, *embedded = NULL;
        CHECK(bz_ising_create_edges(&triangular, spins, first, second, coupling3, m, NULL));
        CHECK(bz_ising_with_embedding(&embedded, triangular, start, spins, around, k));
        const double tri_betas[3] = {0.5, 1.0, 2.0};
        double tri_log_z[3], tri_energy[3], tri_heat[3], ref_log_z[3], ref_energy[3], ref_heat[3];
        CHECK(bz_ising_planar(embedded, tri_betas, 3, tri_log_z, NULL, tri_energy, NULL, tri_heat, NULL, NULL));
        CHECK(bz_ising_transfer(triangular, tri_betas, 3, 0, ref_log_z, NULL, ref_energy, NULL, ref_heat, NULL, NULL, NULL,
                                NULL, NULL));
        printf("%d x %d triangular +-J glass (%lld spins, embedded): planar Pfaffian against the transfer matrix\n", rows, W,
               (long long)spins);
        for (int b = 0; b < 3; b++) {
            printf("  beta %.1f: log Z %.10f / %.10f, C %.8f / %.8f\n", tri_betas[b], tri_log_z[b], ref_log_z[b], tri_heat[b],
                   ref_heat[b]);
            failures += !close_to(tri_log_z[b], ref_log_z[b], 1e-12) || !close_to(tri_energy[b], ref_energy[b], 1e-10) ||
                        !close_to(tri_heat[b], ref_heat[b], 1e-8);
        }
        double *tri_correlation = malloc((size_t)m * sizeof *tri_correlation);
        if (!tri_correlation) return EXIT_FAILURE;
        CHECK(bz_ising_planar_correlations(embedded, 1.0, tri_correlation, m, NULL, NULL));
        double tri_bond_energy = 0;
        CHECK(bz_ising_couplings(embedded, NULL, NULL, coupling3, m));
        for (int64_t e = 0; e < m; e++) tri_bond_energy -= coupling3[e] * tri_correlation[e];
        printf("  its bonds' exact <s_i s_j> at beta 1: -sum J <s_i s_j> = %.10f, U = %.10f\n", tri_bond_energy, tri_energy[1]);
        failures += !close_to(tri_bond_energy, tri_energy[1], 1e-10);
        free(tri_correlation);
        free(first); free(second); free(coupling3); free(start); free(around);
        bz_ising_free(embedded);
        bz_ising_free(triangular);
    }

    /* 4. The front door. */
    bz_log_z_options options;
    CHECK(bz_log_z_options_init(&options));
    bz_ising *big_torus = NULL, *periodic_glass = NULL, *in_field = NULL, *open_glass = NULL;
    CHECK(bz_ising_create_square(&big_torus, 64, 64, 1.0, 0.0, 1));
    double value, error, ess;
    int32_t method;
    char note[512];
    CHECK(bz_ising_log_partition(big_torus, 0.44, &options, &value, &error, NULL, &method, note, sizeof note, NULL, NULL));
    printf("64 x 64 torus at beta = 0.44: log Z = %.10f +- %g by method %d (BZ_LOG_Z_KAUFMAN = %d)\n", value, error,
           (int)method, BZ_LOG_Z_KAUFMAN);
    failures += method != BZ_LOG_Z_KAUFMAN || error != 0;

    CHECK(bz_ising_create_edwards_anderson(&periodic_glass, 24, 24, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 1, 5));
    CHECK(bz_ising_log_partition(periodic_glass, 1.0, &options, &value, &error, NULL, &method, note, sizeof note, NULL, NULL));
    printf("24 x 24 periodic glass at beta = 1: log Z = %.10f +- %g by method %d (BZ_LOG_Z_PLANAR = %d)\n", value, error,
           (int)method, BZ_LOG_Z_PLANAR);
    failures += method != BZ_LOG_Z_PLANAR || error != 0;

    static double small_fields[576];
    for (int i = 0; i < 576; i++) small_fields[i] = fields[i];
    CHECK(bz_ising_with_fields(&in_field, periodic_glass, small_fields, 576));
    options.n_betas = 2000;
    CHECK(bz_ising_log_partition(in_field, 1.0, &options, &value, &error, &ess, &method, note, sizeof note, NULL, NULL));
    printf("24 x 24 periodic glass in a field at beta = 1: log Z = %.4f +- %.4f by AIS (ESS %.0f of %lld runs)\n  why: %s\n", value,
           error, ess, (long long)options.runs, note);
    failures += method != BZ_LOG_Z_AIS || !(error > 0);

    double exact;
    CHECK(bz_ising_create_edwards_anderson(&open_glass, 24, 8, 1, BZ_COUPLINGS_GAUSSIAN, 1.0, 0.0, 0, 5));
    options.method = BZ_LOG_Z_TRANSFER;
    CHECK(bz_ising_log_partition(open_glass, 1.0, &options, &exact, NULL, NULL, NULL, NULL, 0, NULL, NULL));
    options.method = BZ_LOG_Z_AIS;
    CHECK(bz_ising_log_partition(open_glass, 1.0, &options, &value, &error, NULL, NULL, NULL, 0, NULL, NULL));
    printf("24 x 8 open glass at beta = 1: AIS %.4f +- %.4f, exact %.4f (%.1f standard errors)\n", value, error, exact,
           (value - exact) / error);
    if (!(fabs(value - exact) <= 4 * error)) {
        fprintf(stderr, "AIS is more than 4 standard errors from the exact log Z\n");
        failures++;
    }

    /* 5. Beale's exact g(E) of the 32 x 32 torus: levels E = 4k - 2048, counts as words. */
    int64_t levels = 0, words = 0, found = 0;
    CHECK(bz_ising_square_dos_size(32, 32, &levels, &words));
    double *dos_energies = malloc((size_t)levels * sizeof *dos_energies);
    double *dos_log_g = malloc((size_t)levels * sizeof *dos_log_g);
    uint64_t *counts = malloc((size_t)(levels * words) * sizeof *counts);
    uint64_t *total = calloc((size_t)words + 1, sizeof *total);
    if (!dos_energies || !dos_log_g || !counts || !total) return EXIT_FAILURE;
    CHECK(bz_ising_square_dos(32, 32, 1.0, levels, words, dos_energies, dos_log_g, counts, &found, NULL, NULL));
    for (int64_t k = 0; k < found; k++) {  /* total += g(E_k), word by word with carries */
        uint64_t carry = 0;
        for (int64_t w = 0; w <= words; w++) {
            uint64_t add = w < words ? counts[k * words + w] : 0;
            uint64_t sum = total[w] + add;
            uint64_t carried = sum + carry;
            carry = (sum < add) + (carried < sum);
            total[w] = carried;
        }
    }
    int sums_to_two_to_the_n = 1;  /* 2^1024 is word 16 = 1, the rest 0 */
    for (int64_t w = 0; w <= words; w++) sums_to_two_to_the_n &= total[w] == (w == 16 ? 1u : 0u);
    beta = 0.44;
    double top = -INFINITY, sum = 0, kaufman_log_z;
    for (int64_t k = 0; k < found; k++) top = fmax(top, dos_log_g[k] - beta * dos_energies[k]);
    for (int64_t k = 0; k < found; k++) sum += exp(dos_log_g[k] - beta * dos_energies[k] - top);
    CHECK(bz_ising_square_exact(32, 32, 1.0, &beta, 1, &kaufman_log_z, NULL, NULL, NULL, NULL));
    printf("32 x 32 torus, Beale's exact g(E): %lld levels, g(-2048) = %llu, g(-2040) = %llu, ln g(0) = %.6f,\n"
           "  sum g = 2^1024 exactly: %s; log Z(0.44) = %.12f from g(E) vs %.12f (Kaufman)\n",
           (long long)found, (unsigned long long)counts[0], (unsigned long long)counts[words], dos_log_g[found / 2],
           sums_to_two_to_the_n ? "yes" : "NO", top + log(sum), kaufman_log_z);
    failures += !sums_to_two_to_the_n || counts[0] != 2 || counts[words] != 2048 || !close_to(top + log(sum), kaufman_log_z, 1e-12);
    free(total);
    free(counts);
    free(dos_log_g);
    free(dos_energies);

    /* 6. A 40 x 5 +-J strip in a field of 1 (200 spins): its exact g(E) by the transfer
       matrix (counts as words: the ground level and its degeneracy), and exact samples
       (forward filtering, backward sampling) whose mean energy matches U. */
    bz_ising *strip_pm = NULL;
    CHECK(bz_ising_create_edwards_anderson(&strip_pm, 40, 5, 1, BZ_COUPLINGS_BIMODAL, 1.0, 1.0, 0, 1));
    CHECK(bz_ising_transfer_dos_size(strip_pm, &levels, &words));
    double *strip_energies = malloc((size_t)levels * sizeof *strip_energies);
    uint64_t *strip_counts = malloc((size_t)(levels * words) * sizeof *strip_counts);
    enum { N_SAMPLES = 2000 };
    int8_t *samples = malloc((size_t)N_SAMPLES * 200);
    if (!strip_energies || !strip_counts || !samples) return EXIT_FAILURE;
    CHECK(bz_ising_transfer_dos(strip_pm, 0, levels, words, strip_energies, NULL, strip_counts, &found, NULL, NULL));
    beta = 0.5;
    double strip_u, mean_energy = 0, energy_sq = 0;
    CHECK(bz_ising_transfer(strip_pm, &beta, 1, 0, NULL, NULL, &strip_u, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK(bz_ising_transfer_sample(strip_pm, beta, N_SAMPLES, 0, 7, samples, 200, NULL, NULL));
    for (int r = 0; r < N_SAMPLES; r++) {
        double e;
        CHECK(bz_ising_energy(strip_pm, samples + r * 200, 1, 200, &e));
        mean_energy += e / N_SAMPLES;
        energy_sq += e * e / N_SAMPLES;
    }
    double energy_error = sqrt((energy_sq - mean_energy * mean_energy) / N_SAMPLES);
    printf("40 x 5 +-J strip in a field: %lld energy levels, ground level E = %.0f with %llu states;\n"
           "  %d exact samples at beta = %.1f: <E> = %.3f +- %.3f, U = %.3f\n", (long long)found, strip_energies[0],
           (unsigned long long)strip_counts[0], N_SAMPLES, beta, mean_energy, energy_error, strip_u);
    failures += strip_counts[0] != 3808 || !(fabs(mean_energy - strip_u) < 5 * energy_error);
    free(samples);
    free(strip_counts);
    free(strip_energies);
    bz_ising_free(strip_pm);

    bz_ising_free(open_glass);
    bz_ising_free(in_field);
    bz_ising_free(periodic_glass);
    bz_ising_free(check);
    bz_ising_free(wide);
    bz_ising_free(big_torus);
    bz_ising_free(torus);
    bz_ising_free(strip_fielded);
    bz_ising_free(strip);
    bz_ising_free(fielded);
    bz_ising_free(glass);
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
