/*
 * Stopping long calls from another thread, as a C program's cancel button or Ctrl-C
 * handler thread would: bz_interrupt(handle) stops a handle's calls and
 * bz_interrupt_thread(tid) the calls of a thread (the only way for calls that take no
 * handle), each within 0.2 s; an interrupt sent to an idle handle stops the next call
 * only; the handles stay usable.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "boltzmann.h"

static int failures = 0;

/* BOLTZMANN_NO_TIMING set (valgrind, sanitizers): the latencies are not checked. */
static int timing(void) { return getenv("BOLTZMANN_NO_TIMING") == NULL; }

#define CHECK(condition, ...)                                        \
    do {                                                             \
        if (!(condition)) {                                          \
            fprintf(stderr, "FAILED %s:%d: ", __FILE__, __LINE__);   \
            fprintf(stderr, __VA_ARGS__);                            \
            fprintf(stderr, "\n");                                   \
            failures++;                                              \
        }                                                            \
    } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void pause_for(double seconds) {
    struct timespec t = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&t, NULL);
}

struct walk {
    bz_ising *model;
    bz_status status;
    double finished;
};

static void *enumerate(void *argument) {
    struct walk *walk = argument;
    double log_z;
    double beta = 1.0;
    walk->status = bz_ising_exact(walk->model, &beta, 1, 34, &log_z, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    walk->finished = now();
    return NULL;
}

struct distance {
    const float *x;
    int64_t rows;
    int64_t thread;
    bz_status status;
    double finished;
};

static void *measure(void *argument) {
    struct distance *d = argument;
    double out;
    d->thread = (int64_t)syscall(SYS_gettid);
    d->status = bz_energy_distance(d->x, d->rows, d->x, d->rows, 2, &out);
    d->finished = now();
    return NULL;
}

int main(void) {
    bz_ising *glass = NULL;
    CHECK(bz_ising_create_sk(&glass, 34, 1.0, 0.0, 1) == BZ_OK, "sk: %s", bz_last_error());

    /* Two threads on one handle: one interrupt stops both. */
    struct walk walks[2] = {{glass, BZ_OK, 0}, {glass, BZ_OK, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, enumerate, &walks[i]);
    pause_for(0.3);
    double sent = now();
    CHECK(bz_interrupt(glass) == BZ_OK, "interrupt");
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
        CHECK(walks[i].status == BZ_ERR_CANCELLED, "walk %d returned %d", i, walks[i].status);
        CHECK(!timing() || walks[i].finished - sent < 0.2, "walk %d stopped after %.3f s", i, walks[i].finished - sent);
        printf("bz_interrupt: walk %d stopped %.1f ms after the request\n", i, 1e3 * (walks[i].finished - sent));
    }

    /* Sent to an idle handle, the request stops the next call, and only that one. */
    bz_ising *small = NULL;
    CHECK(bz_ising_create_sk(&small, 12, 1.0, 0.0, 2) == BZ_OK, "sk 12");
    double beta = 0.5, log_z = 0;
    CHECK(bz_interrupt(small) == BZ_OK, "interrupt idle");
    CHECK(bz_ising_exact(small, &beta, 1, 0, &log_z, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == BZ_ERR_CANCELLED,
          "the next call is stopped");
    CHECK(bz_ising_exact(small, &beta, 1, 0, &log_z, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == BZ_OK && log_z > 0,
          "then the handle works: %s", bz_last_error());

    /* A call that takes no handle, stopped through its thread. */
    enum { ROWS = 60000 };
    float *x = malloc(sizeof(float) * 2 * ROWS);
    for (int i = 0; i < 2 * ROWS; i++) x[i] = (float)((i * 7919) % 1000) / 1000.0f;
    struct distance d = {x, ROWS, 0, BZ_OK, 0};
    pthread_t worker;
    pthread_create(&worker, NULL, measure, &d);
    pause_for(0.3);
    sent = now();
    CHECK(bz_interrupt_thread(d.thread) == BZ_OK, "interrupt thread: %s", bz_last_error());
    pthread_join(worker, NULL);
    CHECK(d.status == BZ_ERR_CANCELLED, "energy distance returned %d", d.status);
    CHECK(!timing() || d.finished - sent < 0.2, "energy distance stopped after %.3f s", d.finished - sent);
    printf("bz_interrupt_thread: energy distance stopped %.1f ms after the request\n", 1e3 * (d.finished - sent));
    CHECK(bz_interrupt_thread(0) == BZ_ERR_INVALID_ARGUMENT, "thread 0 is refused");

    free(x);
    bz_ising_free(small);
    bz_ising_free(glass);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("interrupt: all checks passed\n");
    return 0;
}
