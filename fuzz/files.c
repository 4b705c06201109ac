/*
 * libFuzzer harness: the model file formats and the sampler states. The input is a
 * file: the first byte chooses RBM or learned score (bit 0), and bytes or a file on
 * disk (bit 1); or, with bit 4 set, a Monte Carlo or tempering state (bit 0) of a
 * 5-spin ring or a 4 x 4 torus (bit 5). The rest is handed to bz_*_deserialize or
 * written to a file for bz_*_load. Whatever the bytes, the call returns a status; a
 * model or state that loads serialises, reloads and serialises again to the same
 * bytes, and a restored sampler runs. When the first byte asks for it (bit 2), the
 * harness first recomputes the trailing CRC-32, so that mutations reach the checks
 * behind the checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boltzmann.h"

static char path[64];

/* CRC-32 (IEEE, as zlib's crc32), bit by bit: the harness's own, independent of the library's. */
static uint32_t crc32(const uint8_t *bytes, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= bytes[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void check_rbm(bz_rbm *rbm) {
    int64_t size = 0;
    if (bz_rbm_serialized_size(rbm, &size) != BZ_OK || size <= 0) __builtin_trap();
    uint8_t *first = malloc((size_t)size), *second = malloc((size_t)size);
    if (bz_rbm_serialize(rbm, first, size) != BZ_OK) __builtin_trap();
    bz_rbm *again = NULL;
    if (bz_rbm_deserialize(&again, first, size) != BZ_OK) __builtin_trap();
    if (bz_rbm_serialize(again, second, size) != BZ_OK || memcmp(first, second, (size_t)size) != 0) __builtin_trap();
    bz_rbm_free(again);
    free(first);
    free(second);
}

static void check_score(bz_score *score) {
    int64_t size = 0;
    if (bz_score_serialized_size(score, &size) != BZ_OK || size <= 0) __builtin_trap();
    uint8_t *first = malloc((size_t)size), *second = malloc((size_t)size);
    if (bz_score_serialize(score, first, size) != BZ_OK) __builtin_trap();
    bz_score *again = NULL;
    if (bz_score_deserialize(&again, first, size) != BZ_OK) __builtin_trap();
    if (bz_score_serialize(again, second, size) != BZ_OK || memcmp(first, second, (size_t)size) != 0) __builtin_trap();
    bz_score_free(again);
    free(first);
    free(second);
}

/* A restored sampler state: round trip to the same bytes, then a short run. */
static void check_mc(bz_mc *mc, const bz_ising *model) {
    int64_t size = 0;
    if (bz_mc_serialized_size(mc, &size) != BZ_OK || size <= 0) __builtin_trap();
    uint8_t *first = malloc((size_t)size), *second = malloc((size_t)size);
    if (bz_mc_serialize(mc, first, size) != BZ_OK) __builtin_trap();
    bz_mc *again = NULL;
    if (bz_mc_deserialize(&again, model, first, size) != BZ_OK) __builtin_trap();
    if (bz_mc_serialize(again, second, size) != BZ_OK || memcmp(first, second, (size_t)size) != 0) __builtin_trap();
    bz_status ran = bz_mc_run(again, 4, 0, 1, NULL, NULL);
    if (ran != BZ_OK && ran != BZ_ERR_LIMIT_EXCEEDED) __builtin_trap();
    bz_mc_free(again);
    free(first);
    free(second);
}

static void check_pt(bz_pt *pt, const bz_ising *model) {
    int64_t size = 0;
    if (bz_pt_serialized_size(pt, &size) != BZ_OK || size <= 0) __builtin_trap();
    uint8_t *first = malloc((size_t)size), *second = malloc((size_t)size);
    if (bz_pt_serialize(pt, first, size) != BZ_OK) __builtin_trap();
    bz_pt *again = NULL;
    if (bz_pt_deserialize(&again, model, first, size) != BZ_OK) __builtin_trap();
    if (bz_pt_serialize(again, second, size) != BZ_OK || memcmp(first, second, (size_t)size) != 0) __builtin_trap();
    bz_status ran = bz_pt_run(again, 4, 0, 1, NULL, NULL);
    if (ran != BZ_OK && ran != BZ_ERR_LIMIT_EXCEEDED) __builtin_trap();
    bz_pt_free(again);
    free(first);
    free(second);
}

static void sampler_state(int tempering, int torus, const uint8_t *bytes, int64_t n) {
    bz_ising *model = NULL;
    if (torus ? bz_ising_create_square(&model, 4, 4, 1.0, 0.0, 1) : bz_ising_create_chain(&model, 5, 1.0, 0.0, 1)) __builtin_trap();
    if (tempering) {
        bz_pt *pt = NULL;
        bz_status status = bz_pt_deserialize(&pt, model, bytes, n);
        if (status == BZ_OK) check_pt(pt, model);
        else if (pt != NULL || status == BZ_ERR_INTERNAL) __builtin_trap();
        bz_pt_free(pt);
    } else {
        bz_mc *mc = NULL;
        bz_status status = bz_mc_deserialize(&mc, model, bytes, n);
        if (status == BZ_OK) check_mc(mc, model);
        else if (mc != NULL || status == BZ_ERR_INTERNAL) __builtin_trap();
        bz_mc_free(mc);
    }
    bz_ising_free(model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int kind = data[0] & 1, from_file = (data[0] >> 1) & 1, fix_checksum = (data[0] >> 2) & 1;
    int64_t n = (int64_t)size - 1;
    uint8_t *bytes = malloc(size);
    memcpy(bytes, data + 1, (size_t)n);
    if (fix_checksum && n >= 4) {
        uint32_t c = crc32(bytes, (size_t)n - 4);
        for (int k = 0; k < 4; k++) bytes[n - 4 + k] = (uint8_t)(c >> (8 * k));
    }
    if ((data[0] >> 4) & 1) {
        sampler_state(kind, (data[0] >> 5) & 1, bytes, n);
        free(bytes);
        return 0;
    }
    if (from_file) {
        if (!path[0]) snprintf(path, sizeof path, "/tmp/boltzmann-fuzz-%d.model", (int)getpid());
        FILE *f = fopen(path, "wb");
        if (!f) { free(bytes); return 0; }
        fwrite(bytes, 1, (size_t)n, f);
        fclose(f);
    }
    if (kind == 0) {
        bz_rbm *rbm = NULL;
        bz_status status = from_file ? bz_rbm_load(&rbm, path) : bz_rbm_deserialize(&rbm, bytes, n);
        if (status == BZ_OK) check_rbm(rbm);
        else if (rbm != NULL || status == BZ_ERR_INTERNAL) __builtin_trap();
        bz_rbm_free(rbm);
    } else {
        bz_score *score = NULL;
        bz_status status = from_file ? bz_score_load(&score, path) : bz_score_deserialize(&score, bytes, n);
        if (status == BZ_OK) check_score(score);
        else if (score != NULL || status == BZ_ERR_INTERNAL) __builtin_trap();
        bz_score_free(score);
    }
    free(bytes);
    return 0;
}
