/*
 * hopfield_recall.c -- a Hopfield network remembers letters.
 *
 * Five letters drawn as 10 x 10 bitmaps (100 neurons, +1 ink, -1 paper) are stored
 * by Storkey's rule, which copes with correlated patterns better than Hebb's (the
 * letters share much of their paper). Each letter is then corrupted by flipping 20
 * of its 100 pixels at random, and asynchronous dynamics run from the corrupted cue
 * to a fixed point. The program prints the letter, the cue and the recalled state
 * side by side, with the energies E = -1/2 s^T J s of cue and result.
 *
 * Exits non-zero if a letter is not recalled exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define SIDE 10
#define N (SIDE * SIDE)
#define LETTERS 5
#define FLIPS 20

static const char *const bitmaps[LETTERS][SIDE] = {
    {"....##....", "...#..#...", "..#....#..", ".#......#.", ".#......#.",
     ".########.", ".#......#.", ".#......#.", ".#......#.", ".#......#."},
    {"##########", "##########", "....##....", "....##....", "....##....",
     "....##....", "....##....", "....##....", "....##....", "....##...."},
    {"..######..", ".#......#.", "#........#", "#........#", "#........#",
     "#........#", "#........#", "#........#", ".#......#.", "..######.."},
    {"#........#", ".#......#.", "..#....#..", "...#..#...", "....##....",
     "....##....", "...#..#...", "..#....#..", ".#......#.", "#........#"},
    {"##........", "##........", "##........", "##........", "##........",
     "##........", "##........", "##........", "##########", "##########"},
};

/* xorshift64: a small seeded generator for choosing the flipped pixels. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void print_row(const int8_t *state, int row) {
    for (int column = 0; column < SIDE; column++) putchar(state[row * SIDE + column] > 0 ? '#' : '.');
}

int main(void) {
    int8_t letters[LETTERS * N], cues[LETTERS * N], recalled[LETTERS * N];
    for (int l = 0; l < LETTERS; l++)
        for (int i = 0; i < N; i++) letters[l * N + i] = bitmaps[l][i / SIDE][i % SIDE] == '#' ? 1 : -1;

    /* Each cue: its letter with FLIPS distinct pixels flipped (a partial Fisher-Yates shuffle). */
    uint64_t random_state = 0x9E3779B97F4A7C15u;
    for (int l = 0; l < LETTERS; l++) {
        int order[N];
        for (int i = 0; i < N; i++) {
            order[i] = i;
            cues[l * N + i] = letters[l * N + i];
        }
        for (int k = 0; k < FLIPS; k++) {
            int j = k + (int)(next_random(&random_state) % (uint64_t)(N - k));
            int swap = order[k];
            order[k] = order[j];
            order[j] = swap;
            cues[l * N + order[k]] = (int8_t)-cues[l * N + order[k]];
        }
    }

    bz_hopfield *net = NULL;
    CHECK(bz_hopfield_create(&net, N, BZ_HOPFIELD_STORKEY));
    CHECK(bz_hopfield_store(net, letters, LETTERS, N));
    for (int i = 0; i < LETTERS * N; i++) recalled[i] = cues[i];
    int32_t outcomes[LETTERS];
    int64_t sweeps[LETTERS];
    CHECK(bz_hopfield_recall(net, recalled, LETTERS, N, BZ_HOPFIELD_ASYNC, 0.0, 100, 7, outcomes, sweeps, NULL, NULL));
    double cue_energy[LETTERS], recalled_energy[LETTERS];
    CHECK(bz_hopfield_energy(net, cues, LETTERS, N, cue_energy));
    CHECK(bz_hopfield_energy(net, recalled, LETTERS, N, recalled_energy));

    int exact = 0;
    printf("%d letters of %d x %d pixels, Storkey rule; each cue has %d%% of its pixels flipped\n\n",
           LETTERS, SIDE, SIDE, 100 * FLIPS / N);
    for (int l = 0; l < LETTERS; l++) {
        int wrong = 0;
        for (int i = 0; i < N; i++) wrong += recalled[l * N + i] != letters[l * N + i];
        exact += wrong == 0;
        printf("%-12s%-12s%s\n", "stored", "cue", "recalled");
        for (int row = 0; row < SIDE; row++) {
            print_row(letters + l * N, row);
            printf("  ");
            print_row(cues + l * N, row);
            printf("  ");
            print_row(recalled + l * N, row);
            putchar('\n');
        }
        printf("E: cue %.2f -> recalled %.2f after %lld sweeps (%s), %d pixels wrong\n\n", cue_energy[l],
               recalled_energy[l], (long long)sweeps[l], outcomes[l] == BZ_RECALL_FIXED_POINT ? "fixed point" : "no fixed point",
               wrong);
    }
    printf("%d of %d letters recalled exactly\n", exact, LETTERS);
    bz_hopfield_free(net);
    return exact == LETTERS ? EXIT_SUCCESS : EXIT_FAILURE;
}
