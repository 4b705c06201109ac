"""How fast the machine hands written memory from one core to another, for reading the
benches' 2-thread figures.

Every multi-threaded training step hands data between cores. Each thread's shard reads
the weights the other thread's Adam chunks just wrote, and Adam reads the other shard's
gradient: about 0.7 MB a step for a 175k-parameter network. On a VM the cost of that
handover changes with where the hypervisor places the vCPUs. When they share a cache
the handover is cheap. When a modified line has to cross between core complexes, it
costs about 30 ns a line, which was measured here. On the 2-core EPYC VM in December
2026 the same code scaled 1.9x in one minute and 1.35x in the next. Plain two-thread
sgemm ran at full speed either way.

`handover()` times the effect in C: one thread writes a 512 KB buffer, and then a second
thread, or the same one, reads every cache line of it. The C is compiled on first use
with the system's `cc`. Without a compiler it returns None.
"""

import ctypes
import os
import subprocess
import tempfile

_SOURCE = r"""
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

enum { BYTES = 512 * 1024, LINE = 64 };
static _Atomic int turn;
static volatile unsigned char buffer[BYTES];
static int rounds_;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

static void read_lines(void) {
    unsigned sum = 0;
    for (int k = 0; k < BYTES; k += LINE) sum += buffer[k];
    buffer[0] = (unsigned char)(sum & 0);
}

static void *reader(void *unused) {
    (void)unused;
    for (int i = 0; i < rounds_; i++) {
        while (atomic_load(&turn) != 1) {}
        read_lines();
        atomic_store(&turn, 0);
    }
    return NULL;
}

/* Seconds per round: write the buffer here, then read every line on another thread
   (remote = 1) or here (remote = 0). */
double handover(int rounds, int remote) {
    rounds_ = rounds;
    pthread_t thread;
    if (remote && pthread_create(&thread, NULL, reader, NULL) != 0) return -1;
    double start = now();
    for (int i = 0; i < rounds; i++) {
        memset((void *)buffer, i, BYTES);
        if (remote) {
            atomic_store(&turn, 1);
            while (atomic_load(&turn) != 0) {}
        } else {
            read_lines();
        }
    }
    double seconds = (now() - start) / rounds;
    if (remote) pthread_join(thread, NULL);
    return seconds;
}
"""

_LINES = 512 * 1024 // 64  # the C's BYTES / LINE
_library = None


def _load():
    global _library
    if _library is None:
        directory = tempfile.mkdtemp(prefix="bz-cores-")
        source, shared = os.path.join(directory, "cores.c"), os.path.join(directory, "cores.so")
        with open(source, "w") as file:
            file.write(_SOURCE)
        try:
            subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-pthread", source, "-o", shared], check=True,
                           capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            _library = False
            return None
        _library = ctypes.CDLL(shared)
        _library.handover.restype = ctypes.c_double
        _library.handover.argtypes = (ctypes.c_int, ctypes.c_int)
    return _library or None


def handover(rounds=2000):
    """(microseconds to read 512 KB written by another core, the same on one core), the
    best of three runs of `rounds` rounds each, or None without a C compiler."""
    library = _load()
    if library is None:
        return None
    remote = min(library.handover(rounds, 1) for _ in range(3))
    local = min(library.handover(rounds, 0) for _ in range(3))
    return 1e6 * remote, 1e6 * local


def describe(rounds=2000):
    """One line for a bench's output."""
    result = handover(rounds)
    if result is None:
        return "core-to-core handover: not measured (no C compiler)"
    remote, local = result
    return (f"core-to-core handover: 512 KB written on one core and read on the other in {remote:.0f} us "
            f"({1e3 * remote / _LINES:.0f} ns a line); on one core {local:.0f} us. A slow handover holds down "
            f"every 2-thread training figure (see bench/_cores.py).")


if __name__ == "__main__":
    print(describe())
