/*
 * common.h -- what every example shares.
 *
 * CHECK(call): run a bz_ call; on failure print the call, its status name and the
 * library's message (bz_last_error) to stderr and return EXIT_FAILURE from the
 * enclosing function (main, in the examples).
 *
 * eight_gaussians(...): the diffusion examples' data, eight equal Gaussians of
 * standard deviation 0.1 on the circle of radius 2 (bz_toy_data's BZ_TOY_EIGHT_GAUSSIANS):
 * weights [8], means [8 x 2], variances [8 x 2] for bz_score_create_gmm, and the
 * standard deviations [8] for bz_mode_coverage.
 */
#ifndef BOLTZMANN_EXAMPLES_COMMON_H
#define BOLTZMANN_EXAMPLES_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "boltzmann.h"

#define CHECK(call)                                                              \
    do {                                                                         \
        bz_status status_ = (call);                                              \
        if (status_ != BZ_OK) {                                                  \
            fprintf(stderr, "%s failed (%s): %s\n", #call,                       \
                    bz_status_string(status_), bz_last_error());                 \
            return EXIT_FAILURE;                                                 \
        }                                                                        \
    } while (0)

static inline void eight_gaussians(double weights[8], double means[16], double variances[16], double stds[8]) {
    for (int k = 0; k < 8; k++) {
        double angle = k * 3.14159265358979323846 / 4;
        weights[k] = 1;
        means[2 * k] = 2 * cos(angle);
        means[2 * k + 1] = 2 * sin(angle);
        variances[2 * k] = variances[2 * k + 1] = 0.01;
        stds[k] = 0.1;
    }
}

/* The training examples' optional argument: the number of training steps, 1 to
 * `most` (default `most`: the full run; fewer make a quick run, as under valgrind),
 * or -1 after printing a usage line for `program`. */
static inline long training_steps(int argc, char **argv, const char *program, long most) {
    long steps = argc > 1 ? strtol(argv[1], NULL, 10) : most;
    if (steps < 1 || steps > most) {
        fprintf(stderr, "usage: %s [steps, 1 to %ld]\n", program, most);
        return -1;
    }
    return steps;
}

#endif
