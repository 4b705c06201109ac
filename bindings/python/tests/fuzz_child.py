"""Child process of test_fuzz.py: random calls to every fallible function with arguments
drawn from pools of valid and hostile values. It must finish (a trap would kill it)
and print how many calls returned each status.

Buffers are always at least as long as the counts passed, since reading past a
caller's buffer is the caller's bug, not something a library can detect.
"""

import ctypes
import random
import sys
from collections import Counter

import numpy as np

import boltzmann as bz
from boltzmann import _lib
from boltzmann._arrays import f64, i64

lib = _lib.lib
rng = random.Random(int(sys.argv[1]))
N_CALLS = int(sys.argv[2])

DOUBLES = [0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 5e-324, 1e300, -1e300, 1e308, -1e308,
           float("nan"), float("inf"), float("-inf")]
COUNTS = [-(2**62), -5, -1, 0, 1, 2, 3, 7, 2**50]
INTS = [-(2**62), -3, -1, 0, 1, 2, 5, 2**62]


def count():
    return rng.choice(COUNTS)


def doubles(n):
    size = max(n, 1) if n < 1000 else 1
    if rng.random() < 0.15:
        return None
    values = [rng.choice(DOUBLES) if rng.random() < 0.3 else rng.uniform(-5, 5) for _ in range(size)]
    return np.array(values)


def ints(n):
    size = max(n, 1) if n < 1000 else 1
    if rng.random() < 0.15:
        return None
    return np.array([rng.choice(INTS) if rng.random() < 0.3 else rng.randint(0, 6) for _ in range(size)],
                    dtype=np.int64)


def out_doubles(n):
    return None if rng.random() < 0.15 else np.empty(max(n, 1) if n < 1000 else 1)


live = []


def spectrum():
    r = rng.random()
    if r < 0.1:
        return None
    if r < 0.2:
        return ctypes.cast(ctypes.c_void_p(rng.randrange(1, 2**40)), _lib.spectrum_p)
    if r < 0.3 and live:
        dead = live.pop(rng.randrange(len(live)))
        lib.bz_spectrum_free(dead)
        return dead
    handle = _lib.spectrum_p()
    lib.bz_spectrum_create(ctypes.byref(handle), f64(np.array([0.0, 1.0, 3.0])), None, 3)
    live.append(handle)
    return handle


def new_out():
    return None if rng.random() < 0.1 else ctypes.byref(_lib.spectrum_p())


def sized(s):
    """A length for arrays tied to spectrum s: usually right, sometimes wrong."""
    return 3 if rng.random() < 0.7 else count()


def call():
    name = rng.choice(sorted(n for n, (r, _) in _lib.SIGNATURES.items() if r is _lib.Status))
    n, m = count(), count()
    d = ctypes.c_double()
    i = ctypes.c_int64()
    args = {
        "bz_set_num_threads": lambda: (rng.choice([-1, 0, 1, 2]),),
        "bz_spectrum_create": lambda: (new_out(), f64(doubles(n)), f64(doubles(n)), n),
        "bz_spectrum_create_log": lambda: (new_out(), f64(doubles(n)), f64(doubles(n)), n),
        "bz_spectrum_size": lambda: (spectrum(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_spectrum_levels": lambda: (spectrum(), f64(out_doubles(3)), f64(out_doubles(3)), sized(None)),
        "bz_spectrum_thermo": lambda: (spectrum(), f64(doubles(n)), n, *(f64(out_doubles(n)) for _ in range(5))),
        "bz_spectrum_probabilities": lambda: (spectrum(), rng.choice(DOUBLES), f64(out_doubles(3)), sized(None)),
        "bz_spectrum_solve_beta": lambda: (spectrum(), rng.choice(DOUBLES + [0.3, 1.7]), ctypes.byref(d)),
        "bz_spectrum_compose": lambda: (new_out(), spectrum(), spectrum(), rng.choice([-1, 0, 5, 9, 100])),
        "bz_log_multiplicity": lambda: (i64(ints(n)), n, ctypes.byref(d)),
        "bz_occupation_energy": lambda: (i64(ints(n)), f64(doubles(n)), n, ctypes.byref(d)),
        "bz_macrostate_count": lambda: (rng.choice(INTS), rng.choice(INTS), ctypes.byref(i)),
        "bz_macrostates": lambda: (rng.choice([-1, 0, 3, 6, 10**6]), f64(doubles(m)), m,
                                   rng.choice([-1, 0, 10, 1000]), None, f64(out_doubles(64)), None,
                                   rng.choice([-1, 0, 10, 28, 84])),
        "bz_spectrum_create_microcanonical": lambda: (new_out(), rng.choice([-1, 0, 3, 6, 10**6]), f64(doubles(m)),
                                                      m, rng.choice([-1, 0, 10, 1000])),
        "bz_fermi_dirac": lambda: (f64(doubles(n)), n, rng.choice(DOUBLES), rng.choice(DOUBLES), f64(out_doubles(n))),
        "bz_mean_field_occupations": lambda: (f64(doubles(n)), n, rng.choice(DOUBLES), rng.choice(DOUBLES),
                                              rng.choice(DOUBLES), rng.choice([0.0, 0.5, 0.99, 1.0, -0.5, float("nan")]),
                                              rng.choice([1e-12, 0.0, -1.0, 1e-3]), rng.choice([-1, 0, 1, 50]),
                                              f64(out_doubles(n)), None, None),
    }[name]()
    try:
        getattr(lib, name)(*args)
        return name, "ok"
    except bz.BoltzmannError as error:
        assert lib.bz_last_error(), name
        return name, type(error).__name__


tally = Counter(call()[1] for _ in range(N_CALLS))
# Every live handle still answers after all of that.
for handle in live:
    lib.bz_spectrum_size(handle, ctypes.byref(ctypes.c_int64()))
    lib.bz_spectrum_free(handle)
print(dict(tally))
