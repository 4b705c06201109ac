/*
 * common.h -- what every example shares.
 *
 * CHECK(call): run a bz_ call; on failure print the call, its status name and the
 * library's message (bz_last_error) to stderr and return EXIT_FAILURE from the
 * enclosing function (main, in the examples).
 */
#ifndef BOLTZMANN_EXAMPLES_COMMON_H
#define BOLTZMANN_EXAMPLES_COMMON_H

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

#endif
