/*
 * Turning a fuzzer's bytes into arguments: counts, choices and doubles drawn mostly
 * from values that sit on the library's edges (0, -1, limits, NaN, infinities), the
 * rest taken raw. Reading past the end yields zeros, so every input is a valid call.
 */
#ifndef BOLTZMANN_FUZZ_INPUT_H
#define BOLTZMANN_FUZZ_INPUT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct input {
    const uint8_t *data;
    size_t size, at;
};

static inline uint8_t next_byte(struct input *in) { return in->at < in->size ? in->data[in->at++] : 0; }

static inline uint64_t next_raw(struct input *in, int bytes) {
    uint64_t x = 0;
    for (int k = 0; k < bytes; k++) x |= (uint64_t)next_byte(in) << (8 * k);
    return x;
}

/* A count: small values most of the time (cheap calls), edges sometimes. */
static inline int64_t next_count(struct input *in, int64_t small) {
    static const int64_t edges[] = {0, -1, 1, 2, 3, 64, 65, 1 << 16, (int64_t)1 << 31, (int64_t)1 << 40, INT64_MAX, INT64_MIN};
    uint8_t how = next_byte(in);
    if (how < 200) return (int64_t)(next_byte(in) % (small + 1));
    if (how < 240) return edges[next_byte(in) % (sizeof edges / sizeof *edges)];
    return (int64_t)next_raw(in, 8);
}

static inline int32_t next_choice(struct input *in, int32_t options) {
    uint8_t how = next_byte(in);
    if (how < 240) return (int32_t)(next_byte(in) % (options + 1)) - (how < 8 ? 1 : 0);
    return (int32_t)next_raw(in, 4);
}

static inline double next_double(struct input *in) {
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 1e300, 1e-3, 10.0, NAN, INFINITY, -INFINITY, 4.9e-324};
    uint8_t how = next_byte(in);
    if (how < 100) return (double)(int8_t)next_byte(in) / 16.0;
    if (how < 220) return edges[next_byte(in) % (sizeof edges / sizeof *edges)];
    uint64_t bits = next_raw(in, 8);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* n doubles or floats into a caller's buffer. */
static inline void next_doubles(struct input *in, double *out, int64_t n) {
    for (int64_t k = 0; k < n; k++) out[k] = next_double(in);
}

/* As floats: doubles beyond float's range become infinities (the cast itself would be
   undefined behaviour in C). */
static inline void next_floats(struct input *in, float *out, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        double x = next_double(in);
        out[k] = isnan(x) ? NAN : fabs(x) > 3.4e38 ? (x > 0 ? INFINITY : -INFINITY) : (float)x;
    }
}

/* x - 1 without overflow (INT64_MIN stays itself). */
static inline int64_t minus_one(int64_t x) { return x == INT64_MIN ? x : x - 1; }

#endif
