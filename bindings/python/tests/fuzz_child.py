"""Child process of test_fuzz.py: random calls to every fallible function with arguments
drawn from pools of valid and hostile values. It must finish (a trap would kill it)
and print how many calls returned each status.

Buffers are always at least as long as the counts passed, since reading past a
caller's buffer is the caller's bug, not something a library can detect.
"""

import atexit
import ctypes
import os
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
live_models = []


def pooled(pool, pointer_type, create, free):
    """A handle: usually a live one (kept in `pool`), sometimes NULL, forged or freed."""
    r = rng.random()
    if r < 0.1:
        return None
    if r < 0.2:
        return ctypes.cast(ctypes.c_void_p(rng.randrange(1, 2**40)), pointer_type)
    if r < 0.3 and pool:
        dead = pool.pop(rng.randrange(len(pool)))
        free(dead)
        return dead
    handle = pointer_type()
    create(handle)
    pool.append(handle)
    return handle


def spectrum():
    return pooled(live, _lib.spectrum_p,
                  lambda h: lib.bz_spectrum_create(ctypes.byref(h), f64(np.array([0.0, 1.0, 3.0])), None, 3),
                  lib.bz_spectrum_free)


def model():
    """An Ising model handle; the live ones are 5-spin rings, some with a planar
    embedding (so the planar functions take their graph path)."""
    def create(h):
        lib.bz_ising_create_chain(ctypes.byref(h), 5, 1.0, rng.choice([0.0, 0.5]), 1)
        if rng.random() < 0.3:
            ring = ctypes.cast(h, _lib.ising_p)
            around = np.array([[(i + 1) % 5, (i + 4) % 5] for i in range(5)], dtype=np.int64).ravel()
            lib.bz_ising_with_embedding(ctypes.byref(h), ring, i64(np.arange(0, 12, 2, dtype=np.int64)), 5, i64(around), 10)
            lib.bz_ising_free(ring)
    return pooled(live_models, _lib.ising_p, create, lib.bz_ising_free)


live_squares = []


def open_square():
    """A 3 x 3 open square lattice (12 couplings), usually live."""
    return pooled(live_squares, _lib.ising_p,
                  lambda h: lib.bz_ising_create_square(ctypes.byref(h), 3, 3, rng.choice([1.0, -1.0]), 0.0, 0),
                  lib.bz_ising_free)


live_samplers = []
live_circuits = []
live_temperers = []
live_machines = []
live_networks = []
live_dense = []
live_sdes = []
live_scores = []


def machine():
    """An RBM handle, 4 visible x 3 hidden (or NULL, forged, freed)."""
    return pooled(live_machines, _lib.rbm_p, lambda h: lib.bz_rbm_create(ctypes.byref(h), 4, 3, rng.randrange(2), 1), lib.bz_rbm_free)


def network():
    """A Hopfield handle of 6 neurons, Hebb or Storkey, with one pattern (or NULL, forged, freed)."""
    def create(h):
        lib.bz_hopfield_create(ctypes.byref(h), 6, rng.randrange(2))
        lib.bz_hopfield_store(h, np.array([1, -1, 1, 1, -1, -1], np.int8).ctypes.data_as(_lib.i8p), 1, 6)
    return pooled(live_networks, _lib.hopfield_p, create, lib.bz_hopfield_free)


def dense():
    """A dense Hopfield handle on 3 patterns of dim 6, softmax or polynomial (or NULL, forged, freed)."""
    patterns = np.array([[1, -1, 1, 1, -1, -1], [1, 1, 1, -1, -1, -1], [-1, 1, -1, 1, -1, 1]], np.float32)

    def create(h):
        if rng.random() < 0.5:
            lib.bz_dense_hopfield_create(ctypes.byref(h), patterns.ctypes.data_as(_lib.f32p), 3, 6, 2.0)
        else:
            lib.bz_dense_hopfield_create_polynomial(ctypes.byref(h), patterns.ctypes.data_as(_lib.f32p), 3, 6, 3)
    return pooled(live_dense, _lib.dense_hopfield_p, create, lib.bz_dense_hopfield_free)


def sde():
    """A forward process handle: VP, sub-VP, VE or DDPM (or NULL, forged, freed)."""
    def create(h):
        kind = rng.randrange(4)
        if kind < 2:
            lib.bz_sde_create_vp(ctypes.byref(h), kind, 0.1, 20.0)
        elif kind == 2:
            lib.bz_sde_create_ve(ctypes.byref(h), 0.01, 10.0)
        else:
            lib.bz_sde_create_ddpm(ctypes.byref(h), 50, rng.randrange(2), 1e-4 if rng.random() < 0.5 else 0.008, 0.02)
    return pooled(live_sdes, _lib.sde_p, create, lib.bz_sde_free)


MLP_WIDTHS = np.array([6, 5], np.int64)


def score_model():
    """A 2-dimensional score model: a 2-component mixture, 3 training points or a small
    learned score, unconditional or of 3 classes (or NULL, forged, freed)."""
    def create(h):
        r = rng.random()
        if r < 0.2:
            lib.bz_score_create_mlp(ctypes.byref(h), 2, MLP_WIDTHS.ctypes.data_as(_lib.i64p), 2, rng.randrange(2), 4, 2.0, rng.randrange(4), 5)
        elif r < 0.3:
            lib.bz_score_create_mlp_ex(ctypes.byref(h), 2, MLP_WIDTHS.ctypes.data_as(_lib.i64p), 2, rng.randrange(2), 4, 2.0,
                                       rng.randrange(4), 0.5, 3, 5)
        elif r < 0.65:
            lib.bz_score_create_gmm(ctypes.byref(h), f64(np.array([1.0, 2.0])), f64(np.array([0.0, 0.0, 1.0, 1.0])),
                                    f64(np.array([0.1, 0.2, 0.3, 0.1])), 2, 2, 1)
        else:
            lib.bz_score_create_empirical(ctypes.byref(h), np.array([0, 0, 1, 1, -1, 0.5], np.float32).ctypes.data_as(_lib.f32p), 3, 2)
    return pooled(live_scores, _lib.score_p, create, lib.bz_score_free)


def two():
    """A width for arrays tied to a 2-dimensional model: usually right, sometimes wrong."""
    return 2 if rng.random() < 0.7 else count()


def float_rows(m, width):
    """floats as long as m x width (when plausible), with the odd hostile value."""
    return floats(m * width if 0 < m < 1000 and 0 < width < 1000 else 1)


#: An energy for bz_langevin: a quadratic bowl, or one that answers NaN.
BOWL = _lib.bz_energy_fn(lambda user, x, dim, gradient: 0.0)
NAN_ENERGY = _lib.bz_energy_fn(lambda user, x, dim, gradient: float("nan"))


#: Arrays the option structs point to, kept alive for the run.
KEEP = []


def i32(a):
    KEEP.append(a)
    return a.ctypes.data_as(_lib.i32p)


def u8(a):
    KEEP.append(a)
    return a.ctypes.data_as(_lib.u8p)


def sampler_options():
    options = _lib.bz_sampler_options()
    lib.bz_sampler_options_init(ctypes.byref(options))
    options.steps = rng.choice([-1, 0, 1, 3, 2**30])
    options.epsilon = rng.choice([0.0, 1e-3, -1.0, 1.5, float("nan")])
    options.snr = rng.choice([0.16, 0.0, -1.0, float("inf")])
    options.langevin_steps = rng.choice([0, 1, 2, 2**40])
    options.denoise = rng.choice([0, 1, 2])
    options.rtol = rng.choice([1e-5, 1e-3, 0.0, -1.0, float("nan"), float("inf")])
    options.atol = rng.choice([1e-5, 1e-2, 0.0, float("nan")])
    options.denoise = rng.choice([-1, 0, 1, 2])
    options.grid = rng.choice([-2, -1, 0, 1, 2, 3])
    options.rho = rng.choice([7.0, 0.0, -1.0, 1e300, float("nan")])
    options.sigma_min = rng.choice([0.0, 0.0, 1e-3, 5.0, -1.0, 1e300, float("nan")])
    options.sigma_max = rng.choice([0.0, 0.0, 1.0, 1e6, -1.0, float("inf")])
    options.s_churn = rng.choice([0.0, 0.0, 10.0, -1.0, float("nan")])
    options.s_tmin = rng.choice([0.0, 0.5, -1.0, float("nan")])
    options.s_tmax = rng.choice([float("inf"), 0.1, float("nan")])
    options.s_noise = rng.choice([1.0, 0.0, -1.0, float("inf")])
    options.eta = rng.choice([0.0, 0.0, 1.0, 2.0, -0.5, float("nan")])
    options.out_nfe = ctypes.pointer(ctypes.c_double()) if rng.random() < 0.5 else None
    # Per-row arrays long enough for the n x dim the fuzzer can pass with dim = 2 (n <= 7);
    # larger n are refused before they are read.
    if rng.random() < 0.3:
        labels = np.array([rng.choice([-2, -1, 0, 1, 5]) for _ in range(8)], np.int32)
        KEEP.append(labels)
        options.labels = labels.ctypes.data_as(_lib.i32p)
    options.guidance = rng.choice([1.0, 1.0, 0.0, 3.0, float("nan")])
    if rng.random() < 0.3:
        known = np.array([rng.choice([0.0, 1.0, float("nan")]) for _ in range(16)], np.float32)
        mask = np.array([rng.choice([0, 1, 1, 2]) for _ in range(16)], np.uint8)
        KEEP.extend([known, mask])
        options.known = known.ctypes.data_as(_lib.f32p) if rng.random() < 0.9 else None
        options.known_mask = mask.ctypes.data_as(_lib.u8p) if rng.random() < 0.9 else None
    options.resample = rng.choice([1, 1, 0, 3, -1, 2**40])
    if rng.random() < 0.1:
        options.version = rng.choice([7, 1, 2])  # unknown versions refused; 2 read as the 3.0 layout
    return None if rng.random() < 0.2 else ctypes.byref(options)


def likelihood_options():
    options = _lib.bz_likelihood_options()
    lib.bz_likelihood_options_init(ctypes.byref(options))
    options.divergence = rng.choice([-1, 0, 1, 1, 2])
    options.probes = rng.choice([0, 1, 2, 3, -1, 2**40])
    options.epsilon = rng.choice([1e-5, 1e-3, 0.0, 1.0, float("nan")])
    options.rtol = rng.choice([1e-3, 1e-5, 0.0, float("inf")])
    options.atol = rng.choice([1e-3, 1e-5, -1.0, float("nan")])
    if rng.random() < 0.1:
        options.version = rng.choice([0, 2])
    return None if rng.random() < 0.2 else ctypes.byref(options)


def dense_rows(m):
    """(states, m, width) for a dense call: states as long as m x width when plausible, values
    +-1 with the odd hostile one, or floats."""
    width = six()
    if rng.random() < 0.15:
        return None, m, width
    size = m * width if 0 < m < 1000 and 0 < width < 1000 else 1
    values = [rng.choice([-1.0, 1.0, 0.5, 1e30, float("nan"), float("inf")]) if rng.random() < 0.1 else rng.choice([-1.0, 1.0])
              for _ in range(size)]
    return np.array(values, np.float32).ctypes.data_as(_lib.f32p), m, width


def six():
    """A width for arrays tied to a 6-neuron network: usually right, sometimes wrong."""
    return 6 if rng.random() < 0.7 else count()


#: A file the RBM save and load calls may write and read.
SCRATCH = b"/tmp/boltzmann-fuzz-%d.rbm" % os.getpid()
atexit.register(lambda: os.path.exists(SCRATCH) and os.unlink(SCRATCH))
#: 64 valid spins, for calls that should sometimes get past validation.
SPINS64 = np.where(np.arange(64) % 3 == 0, 1, -1).astype(np.int8).ctypes.data_as(_lib.i8p)


def random_bytes(n):
    """n bytes that are sometimes a valid RBM file (a live machine's), sometimes noise."""
    data = bytearray(rng.randbytes(n))
    if rng.random() < 0.5:
        good = bz.RBM(3).initialize(4).to_bytes()
        data[:len(good)] = good
        if rng.random() < 0.5:
            data[rng.randrange(len(good))] ^= 1
    return (ctypes.c_uint8 * n).from_buffer(data)


def score_bytes(n):
    """n bytes that are sometimes a valid learned-score file, sometimes damaged or noise."""
    data = bytearray(rng.randbytes(n))
    if rng.random() < 0.6:
        good = bz.diffusion.MLPScore(2, hidden=(6, 5), embedding_size=4).to_bytes()
        data = bytearray(good + bytes(max(0, n - len(good))))[:n]
        if rng.random() < 0.5:
            data[rng.randrange(n)] ^= 1 << rng.randrange(8)
    return (ctypes.c_uint8 * n).from_buffer_copy(bytes(data))


def state_arguments(prefix):
    """(bytes, size) for bz_<prefix>_deserialize: sometimes a valid sampler state of a
    5-spin ring (the models model() hands out), sometimes damaged, cut short or noise."""
    data = bytearray(rng.randbytes(1500))
    size = rng.choice([-1, 0, 30, 700, 1500])
    if rng.random() < 0.6:
        ring = bz.IsingModel.chain(5, 1.0, rng.choice([0.0, 0.5]))
        sampler = (bz.MonteCarlo(ring, 0.5, "heat_bath", chains=2, seed=1) if prefix == "mc"
                   else bz.ParallelTempering(ring, [0.2, 1.0], replicas=1, seed=1))
        sampler.run(3)
        good = sampler.__reduce__()[1][2]  # (restore, (class, model, state, attributes))
        data[:len(good)] = good
        size = rng.choice([len(good), len(good), len(good) - 1, len(good) + 1, size])
        if rng.random() < 0.5:
            data[rng.randrange(len(good))] ^= 1 << rng.randrange(8)
    return (ctypes.c_uint8 * len(data)).from_buffer_copy(bytes(data)), size


#: A score function writing zeros, for callback scores the fuzzer makes.
ZERO_SCORE = _lib.bz_score_fn(lambda user, x, n, dim, t, out: ctypes.memset(out, 0, 4 * n * dim) and 0)


def train_options():
    options = _lib.bz_train_options()
    lib.bz_train_options_init(ctypes.byref(options))
    options.steps = rng.choice([-1, 0, 1, 3, 2**31])
    options.batch_size = rng.choice([-1, 0, 1, 4, 2**21])
    options.learning_rate = rng.choice(DOUBLES)
    options.final_learning_rate = rng.choice([-1.0, 0.0, 1e-3, float("nan"), float("inf")])
    options.warmup = rng.choice([-1, 0, 1, 2**40])
    options.clip = rng.choice([0.0, 1.0, -1.0, float("nan")])
    options.ema = rng.choice([0.0, 0.9, 1.0, -0.5, float("nan")])
    options.epsilon = rng.choice([1e-5, 0.0, 1.0, float("nan")])
    options.weighting = rng.choice([-1, 0, 1, 2])
    options.version = 1 if rng.random() < 0.9 else 2
    return options


def bm_options():
    """Fully visible learning options, some out of range."""
    options = _lib.bz_bm_options(1 if rng.random() < 0.9 else 7, rng.choice([0.1, -1.0, float("nan")]),
                                 rng.choice([0.0, 0.9, 1.0]), rng.choice([-1, 0, 5]), rng.choice([0.0, 1e-6, float("nan")]),
                                 rng.choice([-1, 0, 4]), rng.choice([0, 1]))
    return ctypes.byref(options)


def rbm_options():
    """Training options, most fields in range, some not (legal but slow values stay small)."""
    options = _lib.bz_rbm_train_options()
    lib.bz_rbm_train_options_init(ctypes.byref(options))
    options.learning_rate = rng.choice([0.05, 0.0, -1.0, 1e40, float("nan"), float("inf")])
    options.final_learning_rate = rng.choice([-1.0, 0.0, 1e-3, float("nan"), float("inf")])
    options.k = rng.choice([-1, 0, 1, 3, 2**21])
    options.persistent_chains = rng.choice([-1, 0, 1, 4, 2**21])
    options.momentum = rng.choice([0.0, 0.5, 1.0, -0.5, float("nan")])
    options.weight_decay = rng.choice([0.0, 1e-4, -1.0, float("inf")])
    options.batch_size = rng.choice([-1, 0, 1, 4, 2**21])
    options.metric = rng.choice([-1, 0, 1, 2, 3])
    options.version = 1 if rng.random() < 0.9 else 2
    return ctypes.byref(options)


LABELS_KEEP = []


def fit_arguments(m):
    """bz_score_fit's arguments for m rows: losses as long as the steps (NULL options: 5000)."""
    w, options = two(), train_options() if rng.random() < 0.97 else None
    steps = options.steps if options is not None else 5000
    losses = f64(np.empty(steps)) if 0 < steps < 10_000 and rng.random() < 0.7 else None
    FIT_KEEP.append(options)
    return (score_model(), sde(), float_rows(m, w), m, w, None if options is None else ctypes.byref(options), 3, losses,
            progress(), None)


def fit_labels_arguments(m):
    """bz_score_fit_labels's arguments: bz_score_fit's with labels [m] (in range or not) after the data."""
    arguments = fit_arguments(m)
    count = m if 0 < m < 1000 else 1  # as float_rows sizes the data
    labels = None if rng.random() < 0.05 else np.array([rng.choice([-1, 0, 1, 2, 3]) for _ in range(count)], np.int32)
    LABELS_KEEP.append(labels)
    return arguments[:3] + (None if labels is None else labels.ctypes.data_as(_lib.i32p),) + arguments[3:]


FIT_KEEP = []  # options structs referenced by pending calls


SCORE_SCRATCH = b"/tmp/boltzmann-fuzz-%d.bzmlp" % os.getpid()
atexit.register(lambda: os.path.exists(SCORE_SCRATCH) and os.unlink(SCORE_SCRATCH))


def bytes_out(n):
    return None if rng.random() < 0.15 else (ctypes.c_uint8 * n)()


def floats(n):
    """float32 values with the odd hostile one, as long as n (when plausible)."""
    if rng.random() < 0.15:
        return None
    size = max(n, 1) if n < 1000 else 1
    values = [rng.choice([0.0, 1.0, 0.5, 2.0, -1.0, float("nan"), float("inf")]) if rng.random() < 0.2 else rng.random()
              for _ in range(size)]
    return np.array(values, np.float32).ctypes.data_as(_lib.f32p)


def floats_out(n):
    return None if rng.random() < 0.15 else np.empty(max(n, 1) if n < 1000 else 1, np.float32).ctypes.data_as(_lib.f32p)


def temperer():
    """A tempering handle on a live 5-spin ring (or NULL, forged, freed)."""
    def create(h):
        ring = _lib.ising_p()
        lib.bz_ising_create_chain(ctypes.byref(ring), 5, 1.0, 0.0, 1)
        lib.bz_pt_create(ctypes.byref(h), ring, f64(np.array([0.2, 0.6, 1.0])), 3, rng.choice([1, 2, 3]), rng.choice([1, 2]), 3)
        lib.bz_ising_free(ring)
    return pooled(live_temperers, _lib.pt_p, create, lib.bz_pt_free)


def circuit():
    """A circuit handle: an AND gate or a 2-bit multiplier (or NULL, forged, freed)."""
    def create(h):
        if rng.random() < 0.5:
            lib.bz_circuit_create(ctypes.byref(h))
            lib.bz_circuit_add_gate(h, 1, i64(np.array([0, 1, 2], np.int64)), 3, None)
        else:
            lib.bz_circuit_create_multiplier(ctypes.byref(h), 2)
    return pooled(live_circuits, _lib.circuit_p, create, lib.bz_circuit_free)


def sampler():
    """A Monte Carlo handle on a live 5-spin ring (or NULL, forged, freed)."""
    def create(h):
        ring = _lib.ising_p()
        algorithm = rng.choice([0, 1, 2, 3, 4])
        if algorithm == 4:  # multi-spin coding: a torus, 64 replicas
            lib.bz_ising_create_square(ctypes.byref(ring), 4, 4, 1.0, 0.0, 1)
        else:
            lib.bz_ising_create_chain(ctypes.byref(ring), 5, 1.0, 0.0 if algorithm >= 2 else rng.choice([0.0, 0.5]), 1)
        order = 1 if algorithm == 0 else rng.choice([0, 1, 3])  # fixed-order Metropolis is refused on rings
        lib.bz_mc_create(ctypes.byref(h), ring, 0.5, algorithm, order, 64 if algorithm == 4 else 2, 7)
        lib.bz_ising_free(ring)
    return pooled(live_samplers, _lib.mc_p, create, lib.bz_mc_free)


def new_model_out():
    return None if rng.random() < 0.1 else ctypes.byref(_lib.ising_p())


def spins(states, n):
    """+-1 spins with the odd hostile value, as long as states x n (when plausible)."""
    if rng.random() < 0.15:
        return None
    size = states * n if 0 < states < 1000 and 0 < n < 1000 else 1
    values = [rng.choice([-1, 1, 1, -1, 0, 5]) if rng.random() < 0.1 else rng.choice([-1, 1]) for _ in range(size)]
    return np.array(values, dtype=np.int8).ctypes.data_as(_lib.i8p)


def spins_out(n):
    return None if rng.random() < 0.15 else np.empty(max(n, 1) if n < 1000 else 1, np.int8).ctypes.data_as(_lib.i8p)


def int32_out(n):
    return None if rng.random() < 0.15 else np.empty(max(n, 1) if n < 1000 else 1, np.int32).ctypes.data_as(_lib.i32p)


def ints_out(n):
    return None if rng.random() < 0.15 else i64(np.empty(max(n, 1) if n < 1000 else 1, np.int64))


def ring_start():
    """Offsets of a 5-spin ring's neighbour lists: usually right, sometimes hostile."""
    return np.arange(0, 12, 2, dtype=np.int64) if rng.random() < 0.6 else ints(6)


def ring_neighbours():
    """A 5-spin ring's neighbour lists and their count: right, shuffled or hostile."""
    right = np.array([[(i + 1) % 5, (i + 4) % 5] for i in range(5)], dtype=np.int64).ravel()
    roll = rng.random()
    if roll < 0.4:
        return i64(right), 10
    if roll < 0.6:
        return i64(np.array(rng.sample(right.tolist(), 10), dtype=np.int64)), 10
    k = rng.choice([0, 3, 9, 10, -1, 2**50])
    return i64(ints(k)), k


def five():
    """A length for arrays tied to a 5-spin ring: usually right, sometimes wrong."""
    return 5 if rng.random() < 0.7 else count()


def stop_early(user, done, total, metric):
    return rng.random() < 0.3


PROGRESS = _lib.bz_progress_fn(stop_early)
NOFN = _lib.bz_progress_fn()


def progress():
    return NOFN if rng.random() < 0.5 else PROGRESS


def transfer_dos_arguments():
    """bz_ising_transfer_dos on a 3 x 3 open square (J = +-1: 25 levels, 1 word) or a
    5-spin ring, outputs sized as claimed."""
    capacity, words = rng.choice([-1, 0, 1, 25, 40]), rng.choice([-1, 0, 1, 2])
    counts = None if rng.random() < 0.3 else np.empty(max(capacity * words, 1), np.uint64)
    return (open_square() if rng.random() < 0.5 else model(), rng.choice([0, 0, 1, 4, 31, -1]), capacity, words,
            f64(out_doubles(max(capacity, 0))), f64(out_doubles(max(capacity, 0))),
            None if counts is None else counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)),
            None if rng.random() < 0.1 else ctypes.byref(ctypes.c_int64()), progress(), None)


def square_dos_arguments():
    """bz_ising_square_dos on a small torus (4 x 6: 25 levels of 1 word) or a bad one,
    with outputs sized as claimed (sometimes too small, sometimes NULL)."""
    capacity, words = rng.choice([-1, 0, 1, 25, 40]), rng.choice([-1, 0, 1, 2])
    counts = None if rng.random() < 0.3 else np.empty(max(capacity * words, 1), np.uint64)
    return (rng.choice(INTS + [4, 4]), rng.choice(INTS + [6, 6]), rng.choice(DOUBLES + [1.0, -2.0]), capacity, words,
            f64(out_doubles(max(capacity, 0))), f64(out_doubles(max(capacity, 0))),
            None if counts is None else counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)),
            None if rng.random() < 0.1 else ctypes.byref(ctypes.c_int64()), progress(), None)


def new_out():
    return None if rng.random() < 0.1 else ctypes.byref(_lib.spectrum_p())


def sized(s):
    """A length for arrays tied to spectrum s: usually right, sometimes wrong."""
    return 3 if rng.random() < 0.7 else count()


def macrostates_arguments(m):
    """bz_macrostates writes n_states energies: the buffer holds them (the library cannot
    check a length it is not given; a shorter buffer was this harness's own overflow)."""
    states = rng.choice([-1, 0, 10, 28, 84])
    return (rng.choice([-1, 0, 3, 6, 10**6]), f64(doubles(m)), m, rng.choice([-1, 0, 10, 1000]), None,
            f64(out_doubles(max(states, 1))), None, states)


def wang_landau_options():
    """NULL, the defaults with a short run, or random fields (refused ones included)."""
    if rng.random() < 0.1:
        return None
    options = _lib.bz_wang_landau_options()
    lib.bz_wang_landau_options_init(ctypes.byref(options))
    options.final_log_f, options.max_sweeps = 1e-2, 200
    if rng.random() < 0.7:
        options.version = rng.choice([1, 1, 1, 0, 2])
        options.runs = rng.choice([-1, 0, 1, 2, 3, 2**31 - 1])
        options.bin_width = rng.choice([0.0, 0.5, 1.0, -1.0, 1e-30, float("nan")])
        options.final_log_f = rng.choice([0.0, 1e-3, 0.5, 1.0, float("nan")])
        options.flatness = rng.choice([0.0, 0.8, 1.0, float("inf")])
        options.max_sweeps = rng.choice([-1, 0, 1, 500])
        options.seed = rng.randrange(2**64)
    return ctypes.byref(options)


def log_z_options():
    """NULL, the defaults, or the defaults with random fields (small counts or refused ones)."""
    if rng.random() < 0.2:
        return None
    options = _lib.bz_log_z_options()
    lib.bz_log_z_options_init(ctypes.byref(options))
    if rng.random() < 0.8:
        options.version = rng.choice([2, 2, 2, 0, 1])
        options.method = rng.choice([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8])
        walks = options.wang_landau  # kept short: a few sweeps at most
        walks.version = rng.choice([1, 1, 1, 0, 2])
        walks.runs = rng.choice([-1, 1, 2, 3])
        walks.bin_width = rng.choice([0.0, 0.0, 0.5, -1.0, float("nan"), 1e-30])
        walks.final_log_f = rng.choice([0.1, 0.1, 0.0, 1.0, float("nan")])
        walks.flatness = rng.choice([0.8, 0.8, 0.0, 1.0, float("nan")])
        walks.max_sweeps = rng.choice([-1, 0, 1, 50, 50])
        options.max_spins, options.max_bits = rng.choice(INTS), rng.choice(INTS)
        options.runs, options.n_betas, options.populations = count(), count(), count()
        options.sweeps = rng.choice([-1, 0, 1, 2**50])
        options.algorithm = rng.choice([-1, 0, 1, 2, 9])
        options.seed = rng.randrange(2**64)
    return ctypes.byref(options)


def note_buffer():
    """A note buffer and its size: NULL, or a small buffer with a right, zero or wrong size."""
    if rng.random() < 0.3:
        return None, rng.choice([-1, 0, 5])
    size = rng.choice([1, 2, 16, 300])
    return ctypes.create_string_buffer(size), rng.choice([size, size, 0, -1])


def anneal_arguments(n, i):
    """bz_anneal writes reads x n_spins states and reads energies (live models have 5
    spins): buffers that hold them, or NULL."""
    reads = rng.choice(COUNTS)
    room = 0 < reads <= 7
    return (model(), f64(doubles(n)), n, rng.choice([-1, 0, 1, 3, 2**50]), reads, rng.choice([-1, 0, 1, 2, 7]), 5,
            spins_out(5 * reads) if room else None, f64(out_doubles(reads)) if room else None, ctypes.byref(i),
            progress(), None)


def call():
    name = rng.choice(sorted(n for n, (r, _) in _lib.SIGNATURES.items() if r is _lib.Status))
    n, m = count(), count()
    d = ctypes.c_double()
    i = ctypes.c_int64()
    args = {
        "bz_set_num_threads": lambda: (rng.choice([-1, 0, 1, 2]),),
        "bz_limit": lambda: (rng.choice([-1, 0, 5, 16, 17, 2**31 - 1]), ctypes.byref(i) if rng.random() < 0.9 else None),
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
        "bz_macrostates": lambda: macrostates_arguments(m),
        "bz_spectrum_create_microcanonical": lambda: (new_out(), rng.choice([-1, 0, 3, 6, 10**6]), f64(doubles(m)),
                                                      m, rng.choice([-1, 0, 10, 1000])),
        "bz_fermi_dirac": lambda: (f64(doubles(n)), n, rng.choice(DOUBLES), rng.choice(DOUBLES), f64(out_doubles(n))),
        "bz_mean_field_occupations": lambda: (f64(doubles(n)), n, rng.choice(DOUBLES), rng.choice(DOUBLES),
                                              rng.choice(DOUBLES), rng.choice([0.0, 0.5, 0.99, 1.0, -0.5, float("nan")]),
                                              rng.choice([1e-12, 0.0, -1.0, 1e-3]), rng.choice([-1, 0, 1, 50]),
                                              f64(out_doubles(n)), None, None),
        "bz_interrupt": lambda: (ctypes.cast(model(), ctypes.c_void_p) if rng.random() < 0.5
                                 else ctypes.cast(spectrum(), ctypes.c_void_p),),
        "bz_interrupt_thread": lambda: (rng.choice([-1, 0, 1, os.getpid(), 2**31 - 1, 2**31, -2**63]),),
        "bz_ising_create_dense": lambda: (new_model_out(), f64(doubles(n * n if 0 < n < 30 else n)), f64(doubles(n)), n),
        "bz_ising_create_edges": lambda: (new_model_out(), n, i64(ints(m)), i64(ints(m)), f64(doubles(m)), m, f64(doubles(n))),
        "bz_ising_create_chain": lambda: (new_model_out(), n, rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice([0, 1, -1])),
        "bz_ising_create_square": lambda: (new_model_out(), n, m, rng.choice(DOUBLES), rng.choice(DOUBLES), 1),
        "bz_ising_create_cubic": lambda: (new_model_out(), n, m, rng.choice([1, 2, 3, -1]), rng.choice(DOUBLES), 0.0, 1),
        "bz_ising_create_complete": lambda: (new_model_out(), n, rng.choice(DOUBLES), rng.choice(DOUBLES)),
        "bz_ising_create_sk": lambda: (new_model_out(), n, rng.choice(DOUBLES), rng.choice(DOUBLES), rng.randrange(2**64)),
        "bz_ising_create_edwards_anderson": lambda: (new_model_out(), n, m, rng.choice([1, 2, -1]), rng.choice([0, 1, 2, -1]),
                                                     rng.choice(DOUBLES), 0.0, 1, rng.randrange(2**64)),
        "bz_ising_create_qubo": lambda: (new_model_out(), f64(doubles(n * n if 0 < n < 30 else n)), n, ctypes.byref(d)),
        "bz_ising_with_fields": lambda: (new_model_out(), model(), f64(doubles(5)), five()),
        "bz_ising_with_embedding": lambda: (new_model_out(), model(), i64(ring_start()), five(), *ring_neighbours()),
        "bz_ising_size": lambda: (model(), ctypes.byref(i), None),
        "bz_ising_couplings": lambda: (model(), ints_out(5), ints_out(5), f64(out_doubles(5)), five()),
        "bz_ising_fields": lambda: (model(), f64(out_doubles(5)), five()),
        "bz_ising_energy": lambda: (model(), spins(n, 5), n, five(), f64(out_doubles(n))),
        "bz_ising_local_fields": lambda: (model(), spins(n, 5), n, five(), f64(out_doubles(5 * n if 0 < n < 1000 else 1))),
        "bz_ising_bipartition": lambda: (model(), ctypes.byref(ctypes.c_int32()), spins_out(5), five()),
        "bz_ising_to_qubo": lambda: (model(), f64(out_doubles(5)), five(), f64(out_doubles(5)), five(), ctypes.byref(d)),
        "bz_ising_exact": lambda: (model(), f64(doubles(n)), n, rng.choice([-1, 0, 3, 30, 41]),
                                   *(f64(out_doubles(n)) for _ in range(8)), progress(), None),
        "bz_ising_exact_auto": lambda: (model(), f64(doubles(n)), n, rng.choice([-1, 0, 3, 41]), rng.choice([-1, 0, 1, 31]),
                                        *(f64(out_doubles(n)) if rng.random() < 0.8 else None for _ in range(8)),
                                        int32_out(1) if rng.random() < 0.8 else None, progress(), None),
        "bz_ising_transfer_sample": lambda: (model(), rng.choice(DOUBLES), rng.choice([-1, 0, 1, 3]), rng.choice([-1, 0, 1, 31]),
                                             rng.randrange(2**64), spins_out(15) if rng.random() < 0.9 else None,
                                             rng.choice([5, 5, 4, -1]), progress(), None),
        "bz_ising_transfer": lambda: (model(), f64(doubles(n)), n, rng.choice([-1, 0, 1, 3, 24, 31]),
                                      *(f64(out_doubles(n)) if rng.random() < 0.8 else None for _ in range(8)), progress(), None),
        "bz_ising_planar": lambda: (model(), f64(doubles(n)), n,
                                    *(f64(out_doubles(n)) if rng.random() < 0.8 else None for _ in range(5)), progress(), None),
        "bz_ising_planar_correlations": lambda: (open_square() if rng.random() < 0.5 else model(),
                                                 rng.choice([0.0, 1.0, -2.0, 400.0, float("nan")]), f64(out_doubles(12)),
                                                 rng.choice([12, 12, 5, 0, -1]), progress(), None),
        "bz_ising_planar_sample": lambda: (open_square() if rng.random() < 0.5 else model(),
                                           rng.choice([0.0, 1.0, -2.0, 400.0, float("nan")]), rng.choice([-1, 0, 1, 3]),
                                           rng.randrange(2**64), spins_out(36) if rng.random() < 0.9 else None,
                                           rng.choice([9, 9, 5, 0, -1]), progress(), None),
        "bz_ising_kasteleyn": lambda: (model(), rng.choice([0.0, 1.0, float("nan")]), count(), ints_out(5), ints_out(5), f64(out_doubles(5)),
                                       ctypes.byref(i) if rng.random() < 0.8 else None, None, ctypes.byref(d)),
        "bz_ising_transfer_plan": lambda: (model(), ctypes.byref(i) if rng.random() < 0.8 else None, None),
        "bz_ising_ais": lambda: (model(), f64(doubles(n)), n, count(), rng.choice([-1, 0, 1, 3, 2**50]), rng.choice([-1, 0, 1, 2, 7]),
                                 5, *(f64(out_doubles(n)) for _ in range(3)), progress(), None),
        "bz_ising_population_annealing": lambda: (model(), f64(doubles(n)), n, count(), count(), rng.choice([-1, 0, 1, 2**50]),
                                                  rng.choice([-1, 0, 1, 2, 7]), 5, *(f64(out_doubles(n)) for _ in range(6)),
                                                  progress(), None),
        "bz_wang_landau_options_init": lambda: (None if rng.random() < 0.2 else ctypes.byref(_lib.bz_wang_landau_options()),),
        "bz_ising_wang_landau_bins": lambda: (model(), rng.choice([0.0, 0.5, -1.0, float("nan")]), ctypes.byref(i) if rng.random() < 0.8 else None),
        "bz_ising_wang_landau": lambda: (model(), wang_landau_options(), rng.choice([-1, 0, 5, 64]), f64(out_doubles(64)),
                                         f64(out_doubles(64)), f64(out_doubles(64)), None, ints_out(4), ctypes.byref(i),
                                         None, progress(), None),
        "bz_wang_landau_thermo": lambda: (f64(doubles(n)), f64(doubles(2 * n)), rng.choice([-1, 0, 1, 2]), n, f64(doubles(m)), m,
                                          *(f64(out_doubles(m)) for _ in range(4))),
        "bz_log_z_options_init": lambda: (None if rng.random() < 0.2 else ctypes.byref(_lib.bz_log_z_options()),),
        "bz_ising_log_partition": lambda: (model(), rng.choice(DOUBLES), log_z_options(), ctypes.byref(d), None,
                                           ctypes.byref(ctypes.c_double()), None, *note_buffer(), progress(), None),
        "bz_ising_ground_state": lambda: (model(), rng.choice([-1, 0, 3, 41]), ctypes.byref(d), ctypes.byref(i),
                                          spins_out(5), five(), progress(), None),
        "bz_ising_dos_range": lambda: (model(), ctypes.byref(i), ctypes.byref(ctypes.c_int64())),
        "bz_ising_density_of_states": lambda: (model(), rng.choice([-1, 0, 3]), ints_out(n), n,
                                               ints_out(6 * n if 0 < n < 100 else 1), five(), progress(), None),
        "bz_ising_chain_exact": lambda: (rng.choice(INTS + [10**12]), rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice([0, 1]),
                                         f64(doubles(m)), m, *(f64(out_doubles(m)) for _ in range(7))),
        "bz_ising_chain_correlation": lambda: (rng.choice(INTS), rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice(DOUBLES),
                                               i64(ints(m)), m, f64(out_doubles(m))),
        "bz_ising_square_exact": lambda: (rng.choice(INTS), rng.choice(INTS), rng.choice(DOUBLES), f64(doubles(m)), m,
                                          *(f64(out_doubles(m)) for _ in range(5))),
        "bz_ising_square_dos_size": lambda: (rng.choice(INTS + [4]), rng.choice(INTS + [6]),
                                             None if rng.random() < 0.1 else ctypes.byref(i),
                                             None if rng.random() < 0.1 else ctypes.byref(ctypes.c_int64())),
        "bz_ising_square_dos": lambda: square_dos_arguments(),
        "bz_ising_transfer_dos_size": lambda: (open_square() if rng.random() < 0.5 else model(),
                                               None if rng.random() < 0.1 else ctypes.byref(i),
                                               None if rng.random() < 0.1 else ctypes.byref(ctypes.c_int64())),
        "bz_ising_transfer_dos": lambda: transfer_dos_arguments(),
        "bz_ising_onsager": lambda: (rng.choice(DOUBLES), f64(doubles(m)), m, *(f64(out_doubles(m)) for _ in range(4))),
        "bz_ising_onsager_critical_temperature": lambda: (rng.choice(DOUBLES), ctypes.byref(d)),
        "bz_ising_mean_field": lambda: (rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice(DOUBLES + [4.0]), rng.choice(DOUBLES),
                                        f64(out_doubles(3)), f64(out_doubles(3)), int32_out(3), ctypes.byref(i)),
        "bz_ising_mean_field_magnetization": lambda: (rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice(DOUBLES),
                                                      f64(doubles(m)), m, f64(out_doubles(m))),
        "bz_ising_hysteresis": lambda: (rng.choice(DOUBLES), rng.choice(DOUBLES), rng.choice(DOUBLES), f64(doubles(m)), m,
                                        f64(out_doubles(m)), int32_out(m)),
        "bz_ising_curie_weiss": lambda: (rng.choice(INTS), rng.choice(DOUBLES), rng.choice(DOUBLES), f64(doubles(m)), m,
                                         *(f64(out_doubles(m)) for _ in range(8))),
        "bz_mc_create": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.mc_p()), model(), rng.choice(DOUBLES), rng.choice([-1, 0, 1, 2, 4, 9]), rng.choice([-1, 0, 1, 2, 3]),
                                 rng.choice(COUNTS), rng.choice(INTS) & (2**64 - 1)),
        "bz_mc_clamp": lambda: (sampler(), i64(ints(m)), spins(1, m), m),
        "bz_mc_release_clamps": lambda: (sampler(),),
        "bz_mc_set_correlation_axis": lambda: (sampler(), rng.choice([-5, -1, 0, 1, 2**31 - 1]), ctypes.byref(i)),
        "bz_mc_correlation": lambda: (sampler(), f64(out_doubles(m)), f64(out_doubles(m)), m),
        "bz_mc_equilibration": lambda: (sampler(), rng.choice([-1, 0, 4, 5, 7]), ctypes.byref(d), f64(out_doubles(2)),
                                        f64(out_doubles(2))),
        "bz_mc_sample": lambda: (sampler(), rng.choice(COUNTS), rng.choice(COUNTS), rng.choice([-1, 0, 3]), spins_out(m), m,
                                 progress(), None),
        "bz_beta_schedule": lambda: (rng.choice([-1, 0, 1, 2]), rng.choice(DOUBLES), rng.choice(DOUBLES), n, f64(out_doubles(n))),
        "bz_anneal_beta_range": lambda: (model(), ctypes.byref(d), None),
        "bz_anneal": lambda: anneal_arguments(n, i),
        "bz_anneal_from": lambda: (lambda a, k: (*a[:7], spins(k, 5), rng.choice([-1, 0, 5 * k, 5 * k]), *a[7:]))(
            anneal_arguments(n, i), rng.choice([1, 2, 3])),
        "bz_pt_create": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.pt_p()), model(), f64(doubles(n)), n, rng.choice([-1, 0, 1, 2, 9]), rng.choice(COUNTS),
                                 rng.choice(INTS) & (2**64 - 1)),
        "bz_pt_size": lambda: (temperer(), ctypes.byref(i), None, None, ctypes.byref(i)),
        "bz_pt_serialized_size": lambda: (temperer(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_pt_serialize": lambda: (temperer(), bytes_out(2000), rng.choice([-1, 0, 10, 1000, 2000])),
        "bz_pt_deserialize": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.pt_p()), model(),
                                      *state_arguments("pt")),
        "bz_mc_serialized_size": lambda: (sampler(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_mc_serialize": lambda: (sampler(), bytes_out(2000), rng.choice([-1, 0, 10, 1000, 2000])),
        "bz_mc_deserialize": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.mc_p()), model(),
                                      *state_arguments("mc")),
        "bz_pt_run": lambda: (temperer(), rng.choice(COUNTS), rng.choice([-1, 0, 2, 2**50]), rng.choice(COUNTS),
                              progress(), None),
        "bz_pt_results": lambda: (temperer(), rng.choice([-1, 0, 2, 3]), *(f64(out_doubles(8)) for _ in range(4)),
                                  rng.choice([-1, 0, 8])),
        "bz_pt_swaps": lambda: (temperer(), f64(out_doubles(m)), m, ctypes.byref(i)),
        "bz_pt_overlap_distribution": lambda: (temperer(), rng.choice([-1, 0, 2, 3]), f64(out_doubles(m)), m),
        "bz_pt_series": lambda: (temperer(), rng.choice([-1, 0, 2, 3]), f64(out_doubles(m)), f64(out_doubles(m)),
                                 f64(out_doubles(m)), m),
        "bz_pt_spins": lambda: (temperer(), spins_out(m), m),
        "bz_rbm_create": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.rbm_p()), rng.choice([-1, 0, 1, 4, 2**21]), rng.choice([-1, 0, 3, 40, 2**21]), rng.choice([-1, 0, 1, 2]),
                                  1),
        "bz_rbm_visible_units": lambda: (machine(), ctypes.byref(ctypes.c_int32()) if rng.random() < 0.9 else None),
        "bz_rbm_pseudo_log_likelihood": lambda: (machine(), floats(4 * max(m, 1)), m, f64(out_doubles(m))),
        "bz_rbm_set_training": lambda: (machine(), rbm_options() if rng.random() < 0.9 else None),
        "bz_rbm_get_training": lambda: (machine(), ctypes.byref(_lib.bz_rbm_train_options()) if rng.random() < 0.9 else None),
        "bz_rbm_train_options_init": lambda: (ctypes.byref(_lib.bz_rbm_train_options()) if rng.random() < 0.9 else None,),
        "bz_rbm_partial_fit": lambda: (machine(), floats(4 * max(m, 1)), m, ctypes.byref(d)),
        "bz_rbm_sample": lambda: (machine(), rng.choice([-1, 0, 1, 2, 2**21]), rng.choice([-1, 0, 1, 3]),
                                  floats(4 * 2) if rng.random() < 0.3 else None, rng.choice([0, 1]), 5,
                                  floats_out(4 * 2) if rng.random() < 0.9 else None, progress(), None),
        "bz_rbm_save": lambda: (machine(), rng.choice([None, b"", b"/nonexistent/x.rbm", SCRATCH])),
        "bz_rbm_load": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.rbm_p()), rng.choice([None, b"", b"/nonexistent/x.rbm", SCRATCH, b"/dev/null"])),
        "bz_rbm_serialized_size": lambda: (machine(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_rbm_serialize": lambda: (machine(), bytes_out(200), rng.choice([-1, 0, 10, 128, 200])),
        "bz_rbm_deserialize": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.rbm_p()), random_bytes(200), rng.choice([-1, 0, 30, 120, 200])),
        "bz_bars_and_stripes": lambda: (rng.choice([-1, 0, 1, 3, 6]), ctypes.byref(i),
                                        np.empty(62 * 25, np.float32).ctypes.data_as(_lib.f32p) if rng.random() < 0.5 else None,
                                        rng.choice([-1, 0, 2, 14, 62])),
        "bz_hopfield_create": lambda: (ctypes.byref(_lib.hopfield_p()) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 2, 6, 2**17, 2**27]), rng.choice([-1, 0, 1, 2])),
        "bz_hopfield_size": lambda: (network(), ctypes.byref(i) if rng.random() < 0.5 else None, None, None),
        "bz_hopfield_store": lambda: (network(), spins(m, 6), m, six()),
        "bz_hopfield_patterns": lambda: (network(), spins_out(6 * max(m, 1) if m < 100 else 1), m, six()),
        "bz_hopfield_set_thresholds": lambda: (network(), f64(doubles(6)), six()),
        "bz_hopfield_set_storage": lambda: (network(), rng.choice([-1, 0, 1, 2, 3])),
        "bz_hopfield_uses_matrix": lambda: (network(), int32_out(1)),
        "bz_hopfield_recall": lambda: (network(), spins(m, 6), m, six(), rng.choice([-1, 0, 1, 2, 3]),
                                       rng.choice([0.0, 0.5, -1.0, float("nan"), float("inf")]), rng.choice([-1, 0, 1, 5, 2**31]),
                                       7, int32_out(m), ints_out(m), progress(), None),
        "bz_hopfield_energy": lambda: (network(), spins(m, 6), m, six(), f64(out_doubles(m))),
        "bz_hopfield_overlaps": lambda: (network(), spins(m, 6), m, six(), f64(out_doubles(m * 4 if 0 < m < 100 else 1)),
                                         rng.choice([0, 1, 2])),
        "bz_hopfield_to_ising": lambda: (ctypes.byref(_lib.ising_p()) if rng.random() < 0.9 else None, network()),
        "bz_dense_hopfield_create": lambda: (ctypes.byref(_lib.dense_hopfield_p()) if rng.random() < 0.9 else None, *dense_rows(m), rng.choice(DOUBLES)),
        "bz_dense_hopfield_create_polynomial": lambda: (ctypes.byref(_lib.dense_hopfield_p()) if rng.random() < 0.9 else None, *dense_rows(m), rng.choice([-1, 0, 1, 2, 3, 32, 33, 2**31 - 1])),
        "bz_dense_hopfield_info": lambda: (dense(), ctypes.byref(i) if rng.random() < 0.5 else None, None,
                                           ctypes.byref(ctypes.c_int32()), ctypes.byref(d), None),
        "bz_dense_hopfield_set_beta": lambda: (dense(), rng.choice(DOUBLES)),
        "bz_dense_hopfield_retrieve": lambda: (dense(), *dense_rows(m), rng.choice([-1, 0, 1, 3, 2**21]), progress(), None),
        "bz_dense_hopfield_energy": lambda: (dense(), *dense_rows(m), f64(out_doubles(m))),
        "bz_sde_create_vp": lambda: (ctypes.byref(_lib.sde_p()) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 2]), rng.choice(DOUBLES), rng.choice(DOUBLES)),
        "bz_sde_create_ve": lambda: (ctypes.byref(_lib.sde_p()) if rng.random() < 0.9 else None, rng.choice(DOUBLES), rng.choice(DOUBLES)),
        "bz_sde_create_ddpm": lambda: (ctypes.byref(_lib.sde_p()) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 10, 2**21]), rng.choice([-1, 0, 1, 2]), rng.choice(DOUBLES),
                                       rng.choice(DOUBLES)),
        "bz_sde_info": lambda: (sde(), ctypes.byref(ctypes.c_int32()) if rng.random() < 0.5 else None, ctypes.byref(d)),
        "bz_sde_coefficients": lambda: (sde(), f64(doubles(n)), n, f64(out_doubles(n)), None, f64(out_doubles(n)), None),
        "bz_sde_time_of_snr": lambda: (sde(), f64(doubles(n)), n, f64(out_doubles(n))),
        "bz_sde_perturb": lambda: (lambda w: (sde(), float_rows(m, w), m, w, f64(doubles(m)), 7,
                                              floats_out(m * w if 0 < m < 1000 and 0 < w < 1000 else 1), None))(two()),
        "bz_score_create_gmm": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, f64(doubles(n)), f64(doubles(2 * n)), f64(doubles(4 * n)), n, rng.choice([-1, 0, 1, 2]),
                                        rng.choice([-1, 0, 1])),
        "bz_score_create_callback": lambda: ((ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None),
                                             rng.choice([-1, 0, 1, 2, 2**40]),
                                             ZERO_SCORE if rng.random() < 0.9 else _lib.bz_score_fn(), None),
        "bz_score_create_empirical": lambda: ((ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None,)
                                              + (lambda w: (float_rows(m, w), m, w))(two())),
        "bz_score_dim": lambda: (score_model(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_score_eval": lambda: (score_model(), sde(), *((lambda w: (float_rows(m, w), m, w))(two())),
                                  rng.choice([0.5, 0.0, 1.0, 2.0, -1.0, float("nan")]), floats_out(2 * m if 0 < m < 1000 else 1),
                                  floats_out(2 * m if 0 < m < 1000 else 1)),
        "bz_score_gmm_log_density": lambda: (score_model(), sde(), f64(doubles(2 * m)), m, two(),
                                             rng.choice([0.5, 0.0, 2.0, float("nan")]), f64(out_doubles(m)), f64(out_doubles(2 * m))),
        "bz_score_gmm_sample": lambda: (score_model(), m, 3, floats_out(2 * m if 0 < m < 1000 else 1)),
        "bz_score_create_mlp": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 2, 2**17]), i64(ints(3)), rng.choice([-1, 0, 1, 2, 3, 65]),
                                        rng.choice([-1, 0, 1, 2]), rng.choice([-2, 0, 1, 2, 4, 5, 8194]), rng.choice(DOUBLES),
                                        rng.choice([-1, 0, 1, 2, 3]), 3),
        "bz_score_mlp_info": lambda: (score_model(), ctypes.byref(i) if rng.random() < 0.5 else None,
                                      i64(np.empty(2, np.int64)) if rng.random() < 0.5 else None, rng.choice([-1, 0, 1, 2]),
                                      ctypes.byref(ctypes.c_int32()), ctypes.byref(ctypes.c_int64()), ctypes.byref(d), None,
                                      ctypes.byref(ctypes.c_int64()) if rng.random() < 0.5 else None, None),
        "bz_score_mlp_sigma_data": lambda: (score_model(), ctypes.byref(d) if rng.random() < 0.9 else None),
        "bz_train_options_init": lambda: (ctypes.byref(_lib.bz_train_options()) if rng.random() < 0.9 else None,),
        "bz_score_fit": lambda: fit_arguments(m),
        "bz_score_create_mlp_ex": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 2, 2**17]), i64(ints(3)), rng.choice([-1, 0, 1, 2, 3, 65]),
                                           rng.choice([-1, 0, 1, 2]), rng.choice([-2, 0, 1, 2, 4, 5, 8194]), rng.choice(DOUBLES),
                                           rng.choice([-1, 0, 1, 2, 3, 4]), rng.choice(DOUBLES), rng.choice([-1, 0, 1, 3, 2**17]), 3),
        "bz_score_fit_labels": lambda: fit_labels_arguments(m),
        "bz_score_save": lambda: (score_model(), rng.choice([None, b"", b"/nonexistent/x.bzmlp", SCORE_SCRATCH])),
        "bz_score_load": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, rng.choice([None, b"", b"/nonexistent/x.bzmlp", SCORE_SCRATCH, SCRATCH, b"/dev/null"])),
        "bz_score_serialized_size": lambda: (score_model(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_score_serialize": lambda: (score_model(), bytes_out(400), rng.choice([-1, 0, 10, 300, 400])),
        "bz_score_deserialize": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, score_bytes(400), rng.choice([-1, 0, 30, 200, 400])),
        "bz_sampler_options_init": lambda: (ctypes.byref(_lib.bz_sampler_options()) if rng.random() < 0.9 else None,),
        # As bz_score_create_gmm's entry: n components of dim <= 2, full covariances fit 4 n.
        "bz_score_create_gmm_classes": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None,
                                                f64(doubles(n)), f64(doubles(2 * n)), f64(doubles(4 * n)),
                                                i32(np.array([rng.choice([-1, 0, 1, 3]) for _ in range(max(n, 1) if n < 1000 else 1)],
                                                             np.int32)) if rng.random() < 0.9 else None,
                                                n, rng.choice([-1, 0, 1, 2]), rng.choice([-1, 0, 1])),
        "bz_score_classes": lambda: (score_model(), ctypes.byref(i) if rng.random() < 0.9 else None),
        "bz_score_gmm_info": lambda: (score_model(), ctypes.byref(i) if rng.random() < 0.7 else None, None),
        "bz_score_gmm_parameters": lambda: (score_model(), f64(out_doubles(2)), f64(out_doubles(4)), f64(out_doubles(8)),
                                            i32(np.empty(2, np.int32)) if rng.random() < 0.5 else None),
        "bz_score_gmm_condition": lambda: (ctypes.byref(_lib.score_p()) if rng.random() < 0.9 else None, score_model(),
                                           f64(doubles(2)), u8(np.array([rng.choice([0, 1, 1, 2]) for _ in range(2)], np.uint8))
                                           if rng.random() < 0.9 else None, two()),
        "bz_diffusion_nfe": lambda: (rng.choice([-1, 0, 1, 3, 5, 7, 8, 11, 12]), sampler_options(),
                                     ctypes.byref(i) if rng.random() < 0.9 else None),
        # times is as long as n_times says (1001 matches the default 1000 steps), or NULL.
        "bz_diffusion_grid": lambda: (lambda n: (sde(), rng.choice([-1, 0, 7, 8, 9, 10, 11, 12]), sampler_options(),
                                                 f64(np.empty(max(n, 1) if n <= 1001 else 1) if rng.random() < 0.9 else None),
                                                 n))(rng.choice([-1, 0, 1, 2, 4, 1001, 2**40])),
        "bz_diffusion_sample": lambda: (score_model(), sde(), m, two(), rng.choice(range(-1, 13)), sampler_options(), 5,
                                        floats_out(2 * m if 0 < m < 1000 else 1), None, rng.choice([0, 0, 1, -1]),
                                        None, progress(), None),
        "bz_likelihood_options_init": lambda: (ctypes.byref(_lib.bz_likelihood_options()) if rng.random() < 0.9 else None,),
        "bz_diffusion_log_likelihood": lambda: (score_model(), sde(), floats(2 * m if 0 < m < 1000 else 1), m, two(),
                                                likelihood_options(), 5, f64(out_doubles(m)), f64(out_doubles(m)) if rng.random() < 0.5 else None,
                                                ctypes.byref(d) if rng.random() < 0.5 else None, progress(), None),
        "bz_langevin": lambda: (lambda w: (rng.choice([BOWL, NAN_ENERGY, _lib.bz_energy_fn()]), None,
                                           score_model() if rng.random() < 0.5 else None, sde(), rng.choice([0.5, 0.0, 2.0]),
                                           f64(doubles(m * w if 0 < m < 1000 and 0 < w < 1000 else 1)), m, w,
                                           rng.choice([-1, 0, 1, 2]), rng.choice([-1, 0, 1, 3]), rng.choice(DOUBLES), 3,
                                           ctypes.byref(d) if rng.random() < 0.5 else None, progress(), None))(two()),
        "bz_ito_integral": lambda: (rng.choice([-1, 0, 1, 2, 10]), rng.choice([-1, 0, 1, 5]), rng.choice(DOUBLES), 3,
                                    ctypes.byref(d), None, None, None),
        "bz_toy_data": lambda: (rng.choice([-1, 0, 1, 2, 3, 4, 5]), m, 3, rng.choice(DOUBLES), floats_out(2 * m if 0 < m < 1000 else 1)),
        "bz_energy_distance": lambda: (float_rows(n, 2), n, float_rows(m, 2), m, rng.choice([2, 2, 1, 0, -1]), f64(out_doubles(1))),
        "bz_mmd": lambda: (float_rows(n, 2), n, float_rows(m, 2), m, rng.choice([2, 2, 1, 0]), f64(doubles(3)), rng.choice([-1, 0, 1, 3]),
                           f64(out_doubles(1))),
        "bz_sliced_wasserstein": lambda: (float_rows(n, 2), n, float_rows(m, 2), m, rng.choice([2, 1, 0]), rng.choice([-1, 0, 1, 5]), 3,
                                          f64(out_doubles(1))),
        "bz_mode_coverage": lambda: (float_rows(m, 2), m, rng.choice([2, 1, 0]), f64(doubles(2 * n)), f64(doubles(n)), n,
                                     f64(out_doubles(1)), f64(out_doubles(n))),
        "bz_bm_fit": lambda: (ctypes.byref(_lib.ising_p()) if rng.random() < 0.9 else None, SPINS64 if rng.random() < 0.5 else spins_out(64) if rng.random() < 0.9 else None, rng.choice([-1, 0, 1, 2]), rng.choice([-1, 0, 3, 21]),
                              bm_options() if rng.random() < 0.9 else None, 3, ctypes.byref(i), None, progress(), None),
        "bz_bm_options_init": lambda: (ctypes.byref(_lib.bz_bm_options()) if rng.random() < 0.9 else None,),
        "bz_rbm_size": lambda: (machine(), ctypes.byref(i), None),
        "bz_rbm_parameters": lambda: (machine(), floats_out(12), floats_out(4), None, rng.choice([-1, 0, 4]), rng.choice([0, 3])),
        "bz_rbm_set_parameters": lambda: (machine(), floats(12), floats(4), floats(3), rng.choice([-1, 4]), rng.choice([3, 5])),
        "bz_rbm_hidden_probabilities": lambda: (machine(), floats(4 * max(m, 1)), m, floats_out(3 * max(m, 1))),
        "bz_rbm_visible_probabilities": lambda: (machine(), floats(3 * max(m, 1)), m, floats_out(4 * max(m, 1))),
        "bz_rbm_free_energy": lambda: (machine(), floats(4 * max(m, 1)), m, f64(out_doubles(m))),
        "bz_rbm_log_partition_exact": lambda: (machine(), ctypes.byref(d) if rng.random() < 0.9 else None, progress(), None),
        "bz_rbm_log_partition_ais": lambda: (machine(), rng.choice([-1, 0, 1, 3, 2**20]), f64(doubles(n)) if rng.random() < 0.5
                                             else None, n, floats(4), 3, ctypes.byref(d) if rng.random() < 0.9 else None,
                                             None, ctypes.byref(d), progress(), None),
        "bz_rbm_fit": lambda: (machine(), floats(4 * max(m, 1)), m, rng.choice([-1, 0, 1, 2]), 7, f64(out_doubles(2)),
                               progress(), None),
        "bz_gate_info": lambda: (rng.choice([-1, 0, 3, 5, 6, 2**31 - 1]), ctypes.byref(i), None),
        "bz_circuit_create": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.circuit_p()),),
        "bz_circuit_create_multiplier": lambda: (None if rng.random() < 0.1 else ctypes.byref(_lib.circuit_p()), rng.choice([-1, 0, 1, 2, 3, 33, 2**40])),
        "bz_circuit_add_gate": lambda: (circuit(), rng.choice([-1, 0, 1, 3, 5, 6]), i64(ints(n)), n, ctypes.byref(i)),
        "bz_circuit_size": lambda: (circuit(), ctypes.byref(i), None),
        "bz_circuit_model": lambda: (new_model_out(), circuit()),
        "bz_pbit_factor": lambda: (rng.choice([-1, 0, 4, 35, 143, 2**62, 2**63 - 1]), rng.choice([-1, 0, 2, 3, 31, 40]),
                                   rng.choice(DOUBLES), rng.choice([-1, 0, 1, 50]), rng.choice([-1, 0, 1, 2, 2**40]),
                                   rng.choice(INTS) & (2**64 - 1), ctypes.byref(i), None, ctypes.byref(d), None, None,
                                   progress(), None),
        "bz_mc_size": lambda: (sampler(), ctypes.byref(i), None, ctypes.byref(i)),
        "bz_mc_set_beta": lambda: (sampler(), rng.choice(DOUBLES)),
        "bz_mc_run": lambda: (sampler(), rng.choice(COUNTS), rng.choice([-1, 0, 2, 2**50]), rng.choice(COUNTS),
                              progress(), None),
        "bz_mc_results": lambda: (sampler(), *(f64(out_doubles(8)) for _ in range(4)), rng.choice([-1, 0, 7, 8])),
        "bz_mc_series": lambda: (sampler(), f64(out_doubles(m)), f64(out_doubles(m)), m),
        "bz_mc_spins": lambda: (sampler(), spins_out(10), rng.choice([0, 5, 10, 11])),
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
for handle in live_models:
    lib.bz_ising_size(handle, ctypes.byref(ctypes.c_int64()), None)
    lib.bz_ising_free(handle)
for handle in live_machines:
    lib.bz_rbm_size(handle, None, None)
    lib.bz_rbm_free(handle)
for handle in live_networks:
    lib.bz_hopfield_size(handle, None, None, None)
    lib.bz_hopfield_free(handle)
for handle in live_scores:
    lib.bz_score_dim(handle, ctypes.byref(ctypes.c_int64()))
    lib.bz_score_free(handle)
for handle in live_sdes:
    lib.bz_sde_info(handle, None, None)
    lib.bz_sde_free(handle)
for handle in live_dense:
    lib.bz_dense_hopfield_info(handle, None, None, None, None, None)
    lib.bz_dense_hopfield_free(handle)
for handle in live_temperers:
    lib.bz_pt_size(handle, None, None, None, None)
    lib.bz_pt_free(handle)
for handle in live_circuits:
    lib.bz_circuit_size(handle, None, None)
    lib.bz_circuit_free(handle)
for handle in live_samplers:
    lib.bz_mc_size(handle, None, None, None)
    lib.bz_mc_free(handle)
print(dict(tally))
