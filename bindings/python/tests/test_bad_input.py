"""Every exported function, driven with bad input at the C boundary (raw ctypes).

Each call must return a named status (raised here as the matching exception) whose
message names the argument, must never crash the interpreter, and must leave the
handles it was given usable. `test_every_function_is_covered` keeps this table in
step with the header.
"""

import ctypes
import math
import os
import tempfile
import zlib

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import _lib
from boltzmann._arrays import f64, i64

lib = _lib.lib
NAN, INF = math.nan, math.inf


def struct_options(init, **fields):
    """An options struct at the library's defaults (``init``) but for ``fields`` (any values,
    out-of-range ones included: the library, not the binding, must refuse them)."""
    options = init.argtypes[0]._type_()
    init(ctypes.byref(options))
    for name, value in fields.items():
        setattr(options, name, value)
    return ctypes.byref(options)


def spin_buffer(n):
    """An int8_t * to n writable spins."""
    return np.empty(n, np.int8).ctypes.data_as(ctypes.POINTER(ctypes.c_int8))


def logz(**fields):
    return struct_options(lib.bz_log_z_options_init, **fields)


def wl(**fields):
    return struct_options(lib.bz_wang_landau_options_init, **fields)


def wl_struct(**fields):
    """A bz_wang_landau_options value (to embed in bz_log_z_options)."""
    return wl(**fields)._obj


def rbm_options(**fields):
    return struct_options(lib.bz_rbm_train_options_init, **fields)


def arr(*values):
    return np.array(values, dtype=np.float64)


def ints(*values):
    return np.array(values, dtype=np.int64)


@pytest.fixture()
def spectrum():
    handle = _lib.spectrum_p()
    e = arr(0.0, 1.0, 2.0)
    lib.bz_spectrum_create(ctypes.byref(handle), f64(e), None, 3)
    yield handle
    lib.bz_spectrum_free(handle)


def dead_spectrum():
    handle = _lib.spectrum_p()
    lib.bz_spectrum_create(ctypes.byref(handle), f64(arr(1.0)), None, 1)
    lib.bz_spectrum_free(handle)
    return handle


def forged_spectrum():
    return ctypes.cast(ctypes.c_void_p(0xDEAD0), _lib.spectrum_p)


def out_spectrum():
    return ctypes.byref(_lib.spectrum_p())


def ring():
    """A live 4-spin ferromagnetic ring (leaked on purpose: cases() builds a fresh one per call)."""
    handle = _lib.ising_p()
    lib.bz_ising_create_chain(ctypes.byref(handle), 4, 1.0, 0.0, 1)
    return handle


def dead_model():
    handle = ring()
    lib.bz_ising_free(handle)
    return handle


def out_model():
    return ctypes.byref(_lib.ising_p())


def spins8(*values):
    return np.array(values, dtype=np.int8).ctypes.data_as(_lib.i8p)


def stop_at_once(user, done, total, metric):
    return 1


STOP = _lib.bz_progress_fn(stop_at_once)
#: A score function that writes zeros (kept alive here: the library holds it).
ZERO_SCORE = _lib.bz_score_fn(lambda user, x, n, dim, t, out: ctypes.memset(out, 0, 4 * n * dim) and 0)
NOFN = _lib.bz_progress_fn()  # a NULL callback: ctypes wants the type, not None
D, L = ctypes.c_double, ctypes.c_int64
E3 = arr(0.0, 1.0, 2.0)


def cases(s):
    """(function, args, exception, words the message must contain)."""
    out3 = np.empty(3)
    return [
        ("bz_set_num_threads", (-1,), bz.InvalidArgument, "n_threads"),

        ("bz_spectrum_create", (None, f64(E3), None, 3), bz.NullPointerError, "out"),
        ("bz_spectrum_create", (out_spectrum(), None, None, 3), bz.NullPointerError, "energies"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), None, 0), bz.InvalidArgument, "n_levels"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), None, -3), bz.InvalidArgument, "-3"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), None, 1 << 50), bz.InvalidArgument, "n_levels"),
        ("bz_spectrum_create", (out_spectrum(), f64(arr(0, NAN, 1)), None, 3), bz.NumericError, "energies[1]"),
        ("bz_spectrum_create", (out_spectrum(), f64(arr(0, 1, INF)), None, 3), bz.NumericError, "energies[2]"),
        ("bz_spectrum_create", (out_spectrum(), f64(arr(-1e308, 1e308)), None, 2), bz.InvalidArgument, "span"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), f64(arr(1, 0, 1)), 3), bz.InvalidArgument, "degeneracies[1]"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), f64(arr(1, 1, -2)), 3), bz.InvalidArgument, "degeneracies[2]"),
        ("bz_spectrum_create", (out_spectrum(), f64(E3), f64(arr(NAN, 1, 1)), 3), bz.NumericError, "degeneracies[0]"),

        ("bz_spectrum_create_log", (None, f64(E3), None, 3), bz.NullPointerError, "out"),
        ("bz_spectrum_create_log", (out_spectrum(), None, None, 3), bz.NullPointerError, "energies"),
        ("bz_spectrum_create_log", (out_spectrum(), f64(E3), None, 0), bz.InvalidArgument, "n_levels"),
        ("bz_spectrum_create_log", (out_spectrum(), f64(E3), f64(arr(0, INF, 0)), 3), bz.NumericError, "log_degeneracies[1]"),

        ("bz_spectrum_size", (None, ctypes.byref(L())), bz.NullPointerError, "spectrum"),
        ("bz_spectrum_size", (dead_spectrum(), ctypes.byref(L())), bz.InvalidHandle, "bz_spectrum"),
        ("bz_spectrum_size", (forged_spectrum(), ctypes.byref(L())), bz.InvalidHandle, "bz_spectrum"),
        ("bz_spectrum_size", (s, None), bz.NullPointerError, "out_n_levels"),

        ("bz_spectrum_levels", (None, f64(out3), None, 3), bz.NullPointerError, "spectrum"),
        ("bz_spectrum_levels", (dead_spectrum(), f64(out3), None, 3), bz.InvalidHandle, "spectrum"),
        ("bz_spectrum_levels", (s, f64(out3), None, 4), bz.ShapeError, "n_levels"),
        ("bz_spectrum_levels", (s, f64(out3), None, -1), bz.ShapeError, "n_levels"),

        ("bz_spectrum_thermo", (None, f64(E3), 3, f64(out3), None, None, None, None), bz.NullPointerError, "spectrum"),
        ("bz_spectrum_thermo", (forged_spectrum(), f64(E3), 3, None, None, None, None, None), bz.InvalidHandle, "spectrum"),
        ("bz_spectrum_thermo", (s, None, 3, f64(out3), None, None, None, None), bz.NullPointerError, "betas"),
        ("bz_spectrum_thermo", (s, f64(E3), 0, f64(out3), None, None, None, None), bz.InvalidArgument, "n_betas"),
        ("bz_spectrum_thermo", (s, f64(E3), -7, f64(out3), None, None, None, None), bz.InvalidArgument, "n_betas"),
        ("bz_spectrum_thermo", (s, f64(arr(1, NAN, 1)), 3, f64(out3), None, None, None, None), bz.NumericError, "betas[1]"),
        ("bz_spectrum_thermo", (s, f64(arr(-INF)), 1, f64(out3), None, None, None, None), bz.NumericError, "betas[0]"),

        ("bz_spectrum_probabilities", (None, 1.0, f64(out3), 3), bz.NullPointerError, "spectrum"),
        ("bz_spectrum_probabilities", (s, NAN, f64(out3), 3), bz.NumericError, "beta"),
        ("bz_spectrum_probabilities", (s, 1.0, None, 3), bz.NullPointerError, "probabilities"),
        ("bz_spectrum_probabilities", (s, 1.0, f64(out3), 2), bz.ShapeError, "n_levels"),
        ("bz_spectrum_probabilities", (dead_spectrum(), 1.0, f64(out3), 1), bz.InvalidHandle, "spectrum"),

        ("bz_spectrum_solve_beta", (None, 1.0, ctypes.byref(D())), bz.NullPointerError, "spectrum"),
        ("bz_spectrum_solve_beta", (s, 1.0, None), bz.NullPointerError, "out_beta"),
        ("bz_spectrum_solve_beta", (s, 2.0, ctypes.byref(D())), bz.InvalidArgument, "target_mean"),
        ("bz_spectrum_solve_beta", (s, -5.0, ctypes.byref(D())), bz.InvalidArgument, "target_mean"),
        ("bz_spectrum_solve_beta", (s, NAN, ctypes.byref(D())), bz.NumericError, "target_mean"),
        ("bz_spectrum_solve_beta", (dead_spectrum(), 0.5, ctypes.byref(D())), bz.InvalidHandle, "spectrum"),

        ("bz_spectrum_compose", (None, s, s, 0), bz.NullPointerError, "out"),
        ("bz_spectrum_compose", (out_spectrum(), None, s, 0), bz.NullPointerError, "a"),
        ("bz_spectrum_compose", (out_spectrum(), s, dead_spectrum(), 0), bz.InvalidHandle, "b"),
        ("bz_spectrum_compose", (out_spectrum(), s, s, -1), bz.InvalidArgument, "max_levels"),
        ("bz_spectrum_compose", (out_spectrum(), s, s, 8), bz.LimitExceeded, "max_levels"),

        ("bz_log_multiplicity", (None, 3, ctypes.byref(D())), bz.NullPointerError, "occupations"),
        ("bz_log_multiplicity", (i64(ints(1, 2)), 0, ctypes.byref(D())), bz.InvalidArgument, "n_levels"),
        ("bz_log_multiplicity", (i64(ints(1, -2)), 2, ctypes.byref(D())), bz.InvalidArgument, "occupations[1]"),
        ("bz_log_multiplicity", (i64(ints(2**62, 2**62)), 2, ctypes.byref(D())), bz.InvalidArgument, "occupations"),
        ("bz_log_multiplicity", (i64(ints(1, 2)), 2, None), bz.NullPointerError, "out_log_multiplicity"),

        ("bz_occupation_energy", (None, f64(E3), 3, ctypes.byref(D())), bz.NullPointerError, "occupations"),
        ("bz_occupation_energy", (i64(ints(1, 2, 3)), None, 3, ctypes.byref(D())), bz.NullPointerError, "level_energies"),
        ("bz_occupation_energy", (i64(ints(1, 2, 3)), f64(arr(0, NAN, 1)), 3, ctypes.byref(D())), bz.NumericError, "level_energies[1]"),
        ("bz_occupation_energy", (i64(ints(1, -1, 3)), f64(E3), 3, ctypes.byref(D())), bz.InvalidArgument, "occupations[1]"),
        ("bz_occupation_energy", (i64(ints(1, 2, 3)), f64(E3), 3, None), bz.NullPointerError, "out_energy"),

        ("bz_macrostate_count", (-1, 3, ctypes.byref(L())), bz.InvalidArgument, "n_units"),
        ("bz_macrostate_count", (4, 0, ctypes.byref(L())), bz.InvalidArgument, "n_levels"),
        ("bz_macrostate_count", (1000, 1000, ctypes.byref(L())), bz.LimitExceeded, "macrostates"),
        ("bz_macrostate_count", (4, 3, None), bz.NullPointerError, "out_count"),

        ("bz_macrostates", (4, None, 3, 0, None, None, None, 15), bz.NullPointerError, "level_energies"),
        ("bz_macrostates", (4, f64(E3), 0, 0, None, None, None, 15), bz.InvalidArgument, "n_levels"),
        ("bz_macrostates", (-4, f64(E3), 3, 0, None, None, None, 15), bz.InvalidArgument, "n_units"),
        ("bz_macrostates", (4, f64(E3), 3, -2, None, None, None, 15), bz.InvalidArgument, "max_states"),
        ("bz_macrostates", (4, f64(E3), 3, 0, None, None, None, 14), bz.ShapeError, "n_states"),
        ("bz_macrostates", (4, f64(E3), 3, 10, None, None, None, 15), bz.LimitExceeded, "max_states"),
        ("bz_macrostates", (4, f64(arr(0, 1, NAN)), 3, 0, None, None, None, 15), bz.NumericError, "level_energies[2]"),

        ("bz_spectrum_create_microcanonical", (None, 4, f64(E3), 3, 0), bz.NullPointerError, "out"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), -4, f64(E3), 3, 0), bz.InvalidArgument, "n_units"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), 4, None, 3, 0), bz.NullPointerError, "level_energies"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), 4, f64(E3), 0, 0), bz.InvalidArgument, "n_levels"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), 100, f64(E3), 3, 50), bz.LimitExceeded, "max_states"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), 4, f64(arr(INF, 0, 1)), 3, 0), bz.NumericError, "level_energies[0]"),
        ("bz_spectrum_create_microcanonical", (out_spectrum(), 4, f64(arr(1e308, 0, 1)), 3, 0), bz.InvalidArgument, "overflow"),

        ("bz_fermi_dirac", (None, 3, 1.0, 0.0, f64(out3)), bz.NullPointerError, "energies"),
        ("bz_fermi_dirac", (f64(E3), 0, 1.0, 0.0, f64(out3)), bz.InvalidArgument, "n_levels"),
        ("bz_fermi_dirac", (f64(E3), 3, NAN, 0.0, f64(out3)), bz.NumericError, "beta"),
        ("bz_fermi_dirac", (f64(E3), 3, 1.0, INF, f64(out3)), bz.NumericError, "mu"),
        ("bz_fermi_dirac", (f64(arr(0, NAN, 0)), 3, 1.0, 0.0, f64(out3)), bz.NumericError, "energies[1]"),
        ("bz_fermi_dirac", (f64(E3), 3, 1.0, 0.0, None), bz.NullPointerError, "occupations"),

        ("bz_mean_field_occupations", (None, 3, 1.0, 1.0, 0.0, 0.5, 1e-9, 100, f64(out3), None, None), bz.NullPointerError, "energies"),
        ("bz_mean_field_occupations", (f64(E3), -1, 1.0, 1.0, 0.0, 0.5, 1e-9, 100, f64(out3), None, None), bz.InvalidArgument, "n_levels"),
        ("bz_mean_field_occupations", (f64(E3), 3, NAN, 1.0, 0.0, 0.5, 1e-9, 100, f64(out3), None, None), bz.NumericError, "interaction"),
        ("bz_mean_field_occupations", (f64(E3), 3, 1.0, INF, 0.0, 0.5, 1e-9, 100, f64(out3), None, None), bz.NumericError, "beta"),
        ("bz_mean_field_occupations", (f64(E3), 3, 1.0, 1.0, 0.0, 1.0, 1e-9, 100, f64(out3), None, None), bz.InvalidArgument, "damping"),
        ("bz_mean_field_occupations", (f64(E3), 3, 1.0, 1.0, 0.0, 0.5, 0.0, 100, f64(out3), None, None), bz.InvalidArgument, "tolerance"),
        ("bz_mean_field_occupations", (f64(E3), 3, 1.0, 1.0, 0.0, 0.5, 1e-9, 0, f64(out3), None, None), bz.InvalidArgument, "max_iterations"),
        ("bz_mean_field_occupations", (f64(E3), 3, 1.0, 1.0, 0.0, 0.5, 1e-9, 100, None, None, None), bz.NullPointerError, "occupations"),
        ("bz_mean_field_occupations", (f64(np.zeros(3)), 3, 5.0, 10.0, 1.0, 0.0, 1e-12, 5, f64(out3), None, None), bz.NotConverged, "converge"),
    ] + (ising_cases() + mc_cases() + tempering_cases() + pbit_cases() + rbm_cases() + hopfield_cases() + dense_cases()
         + diffusion_cases() + learned_score_cases())


def ising_cases():
    m, out4, i4 = ring(), np.empty(4), np.empty(4, np.int64)
    big = _lib.ising_p()
    lib.bz_ising_create_chain(ctypes.byref(big), 35, 1.0, 0.0, 0)
    real = _lib.ising_p()
    lib.bz_ising_create_chain(ctypes.byref(real), 4, 0.5, 0.0, 1)
    dense = _lib.ising_p()  # every pair coupled: a transfer-matrix frontier of 29
    lib.bz_ising_create_complete(ctypes.byref(dense), 30, 1.0, 0.0)
    grid, in_field, narrow_torus, torus = _lib.ising_p(), _lib.ising_p(), _lib.ising_p(), _lib.ising_p()
    lib.bz_ising_create_square(ctypes.byref(grid), 3, 4, 1.0, 0.0, 0)
    lib.bz_ising_create_square(ctypes.byref(in_field), 3, 4, 1.0, 0.2, 0)
    lib.bz_ising_create_square(ctypes.byref(narrow_torus), 2, 5, 1.0, 0.0, 1)
    lib.bz_ising_create_square(ctypes.byref(torus), 3, 3, 1.0, 0.0, 1)
    k4 = _lib.ising_p()
    lib.bz_ising_create_complete(ctypes.byref(k4), 4, 1.0, 0.0)
    ring_start, ring_neighbours = ints(0, 2, 4, 6, 8), ints(1, 3, 2, 0, 3, 1, 0, 2)
    ok = (f64(out4),) * 8
    wl_out = (f64(np.empty(64)), f64(np.empty(64)), f64(np.empty(64)), None, None, ctypes.byref(ctypes.c_int64()),
              ctypes.byref(ctypes.c_int32()))
    sym = arr(0, 1, 1, 0)
    return [
        ("bz_interrupt", (None,), bz.NullPointerError, "handle"),
        ("bz_interrupt", (ctypes.cast(dead_model(), ctypes.c_void_p),), bz.InvalidHandle, "handle"),
        ("bz_interrupt_thread", (0,), bz.InvalidArgument, "thread_id"),
        ("bz_interrupt_thread", (-5,), bz.InvalidArgument, "thread_id"),
        ("bz_interrupt_thread", (2**31,), bz.InvalidArgument, "thread_id"),

        ("bz_ising_create_dense", (None, f64(sym), None, 2), bz.NullPointerError, "out"),
        ("bz_ising_create_dense", (out_model(), None, None, 2), bz.NullPointerError, "couplings"),
        ("bz_ising_create_dense", (out_model(), f64(sym), None, 0), bz.InvalidArgument, "n_spins"),
        ("bz_ising_create_dense", (out_model(), f64(arr(0, 1, 2, 0)), None, 2), bz.InvalidArgument, "symmetric"),
        ("bz_ising_create_dense", (out_model(), f64(arr(1, 1, 1, 0)), None, 2), bz.InvalidArgument, "diagonal"),
        ("bz_ising_create_dense", (out_model(), f64(arr(0, NAN, NAN, 0)), None, 2), bz.NumericError, "couplings[1]"),
        ("bz_ising_create_dense", (out_model(), f64(sym), f64(arr(0, INF)), 2), bz.NumericError, "fields[1]"),

        ("bz_ising_create_edges", (out_model(), 3, i64(ints(0)), i64(ints(0)), f64(arr(1)), 1, None), bz.InvalidArgument, "self-coupling"),
        ("bz_ising_create_edges", (out_model(), 3, i64(ints(0)), i64(ints(3)), f64(arr(1)), 1, None), bz.InvalidArgument, "outside [0, 3)"),
        ("bz_ising_create_edges", (out_model(), 3, i64(ints(-1)), i64(ints(1)), f64(arr(1)), 1, None), bz.InvalidArgument, "index i"),
        ("bz_ising_create_edges", (out_model(), 3, i64(ints(0)), i64(ints(1)), f64(arr(NAN)), 1, None), bz.NumericError, "couplings[0]"),
        ("bz_ising_create_edges", (out_model(), 3, None, i64(ints(1)), f64(arr(1)), 1, None), bz.NullPointerError, "first"),
        ("bz_ising_create_edges", (out_model(), 3, i64(ints(0)), i64(ints(1)), f64(arr(1)), -1, None), bz.InvalidArgument, "n_edges"),
        ("bz_ising_create_edges", (out_model(), -3, None, None, None, 0, None), bz.InvalidArgument, "n_spins"),

        ("bz_ising_create_chain", (out_model(), 0, 1.0, 0.0, 1), bz.InvalidArgument, "n"),
        ("bz_ising_create_chain", (out_model(), 4, NAN, 0.0, 1), bz.NumericError, "coupling"),
        ("bz_ising_create_chain", (None, 4, 1.0, 0.0, 1), bz.NullPointerError, "out"),
        ("bz_ising_create_square", (out_model(), 4, -1, 1.0, 0.0, 1), bz.InvalidArgument, "columns"),
        ("bz_ising_create_square", (out_model(), 1 << 20, 1 << 20, 1.0, 0.0, 1), bz.LimitExceeded, "larger"),
        ("bz_ising_create_square", (out_model(), 4, 4, 1.0, INF, 1), bz.NumericError, "field"),
        ("bz_ising_create_cubic", (out_model(), 4, 4, 0, 1.0, 0.0, 1), bz.InvalidArgument, "d"),
        ("bz_ising_create_complete", (out_model(), 100000, 1.0, 0.0), bz.LimitExceeded, "couplings"),
        ("bz_ising_create_complete", (out_model(), 0, 1.0, 0.0), bz.InvalidArgument, "n"),
        ("bz_ising_create_sk", (out_model(), 10, -1.0, 0.0, 1), bz.InvalidArgument, "scale"),
        ("bz_ising_create_sk", (out_model(), 10, INF, 0.0, 1), bz.NumericError, "scale"),
        ("bz_ising_create_edwards_anderson", (out_model(), 4, 4, 1, 7, 1.0, 0.0, 1, 1), bz.InvalidArgument, "distribution"),
        ("bz_ising_create_edwards_anderson", (out_model(), 4, 4, 1, 0, 0.0, 0.0, 1, 1), bz.InvalidArgument, "scale"),
        ("bz_ising_create_qubo", (out_model(), None, 2, None), bz.NullPointerError, "qubo"),
        ("bz_ising_create_qubo", (out_model(), f64(arr(0, NAN, 0, 0)), 2, None), bz.NumericError, "qubo[1]"),
        ("bz_ising_create_qubo", (None, f64(sym), 2, None), bz.NullPointerError, "out"),
        ("bz_ising_with_fields", (out_model(), m, f64(arr(1, 2, 3)), 3), bz.ShapeError, "n_spins"),
        ("bz_ising_with_fields", (out_model(), m, f64(arr(1, 2, NAN, 3)), 4), bz.NumericError, "fields[2]"),
        ("bz_ising_with_fields", (out_model(), dead_model(), f64(out4), 4), bz.InvalidHandle, "model"),
        ("bz_ising_with_embedding", (None, m, i64(ring_start), 4, i64(ring_neighbours), 8), bz.NullPointerError, "out"),
        ("bz_ising_with_embedding", (out_model(), dead_model(), i64(ring_start), 4, i64(ring_neighbours), 8), bz.InvalidHandle, "model"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 5, i64(ring_neighbours), 8), bz.ShapeError, "n_spins"),
        ("bz_ising_with_embedding", (out_model(), m, None, 4, i64(ring_neighbours), 8), bz.NullPointerError, "neighbour_start"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 4, None, 8), bz.NullPointerError, "neighbours"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 4, i64(ring_neighbours), -1), bz.InvalidArgument, "n_entries"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 4, i64(ring_neighbours), 7), bz.InvalidArgument, "neighbour_start"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ints(0, 2, 1, 6, 8)), 4, i64(ring_neighbours), 8), bz.InvalidArgument, "must not decrease"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 4, i64(ints(1, 3, 2, 0, 3, 1, 0, 4)), 8), bz.InvalidArgument, "outside [0, 4)"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ring_start), 4, i64(ints(1, 3, 2, 0, 3, 1, 0, 0)), 8), bz.InvalidArgument, "listed twice"),
        ("bz_ising_with_embedding", (out_model(), m, i64(ints(0, 2, 4, 6, 7)), 4, i64(ints(1, 3, 2, 0, 3, 1, 0)), 7), bz.InvalidArgument, "not around spin 3"),
        ("bz_ising_with_embedding", (out_model(), k4, i64(ints(0, 3, 6, 9, 12)), 4, i64(ints(1, 2, 3, 2, 3, 0, 0, 3, 1, 0, 1, 2)), 12),
         bz.InvalidArgument, "not planar"),

        ("bz_ising_size", (None, None, None), bz.NullPointerError, "model"),
        ("bz_ising_size", (ctypes.cast(ctypes.c_void_p(0xDEAD0), _lib.ising_p), None, None), bz.InvalidHandle, "bz_ising"),
        ("bz_ising_couplings", (m, i64(i4), None, None, 3), bz.ShapeError, "n_couplings"),
        ("bz_ising_couplings", (dead_model(), None, None, None, 4), bz.InvalidHandle, "model"),
        ("bz_ising_fields", (m, f64(out4), 5), bz.ShapeError, "n_spins"),
        ("bz_ising_fields", (m, None, 4), bz.NullPointerError, "fields"),
        ("bz_ising_energy", (m, spins8(1, -1, 1, 0), 1, 4, f64(out4)), bz.InvalidArgument, "spins[0, 3]"),
        ("bz_ising_energy", (m, spins8(1, -1, 1, 1), 1, 3, f64(out4)), bz.ShapeError, "n_spins"),
        ("bz_ising_energy", (m, None, 1, 4, f64(out4)), bz.NullPointerError, "spins"),
        ("bz_ising_energy", (m, spins8(1, -1, 1, 1), 0, 4, f64(out4)), bz.InvalidArgument, "n_states"),
        ("bz_ising_energy", (m, spins8(1, -1, 1, 1), 1, 4, None), bz.NullPointerError, "energies"),
        ("bz_ising_local_fields", (m, spins8(2, -1, 1, 1), 1, 4, f64(out4)), bz.InvalidArgument, "spins[0, 0]"),
        ("bz_ising_local_fields", (dead_model(), spins8(1, -1, 1, 1), 1, 4, f64(out4)), bz.InvalidHandle, "model"),
        ("bz_ising_bipartition", (m, None, None, 4), bz.NullPointerError, "out_is_bipartite"),
        ("bz_ising_bipartition", (m, ctypes.byref(ctypes.c_int32()), None, 2), bz.ShapeError, "n_spins"),
        ("bz_ising_to_qubo", (m, f64(out4), 4, f64(out4), 3, None), bz.ShapeError, "n_couplings"),
        ("bz_ising_to_qubo", (m, f64(out4), 5, f64(out4), 4, None), bz.ShapeError, "n_spins"),

        ("bz_ising_exact", (big, f64(arr(1.0)), 1, 0, *ok, NOFN, None), bz.LimitExceeded, "pass max_spins = 35"),
        ("bz_ising_exact", (big, f64(arr(1.0)), 1, 41, *ok, NOFN, None), bz.InvalidArgument, "max_spins"),
        ("bz_ising_exact", (m, f64(arr(NAN)), 1, 0, *ok, NOFN, None), bz.NumericError, "betas[0]"),
        ("bz_ising_exact", (m, None, 1, 0, *ok, NOFN, None), bz.NullPointerError, "betas"),
        ("bz_ising_transfer_sample", (m, 1.0, 0, 0, 1, None, 4, NOFN, None), bz.InvalidArgument, "n_samples"),
        ("bz_ising_transfer_sample", (m, 1.0, 2, 0, 1, None, 4, NOFN, None), bz.NullPointerError, "spins"),
        ("bz_ising_transfer_sample", (m, 1.0, 2, 0, 1, spin_buffer(8), 3, NOFN, None), bz.ShapeError, "n_spins"),
        ("bz_ising_transfer_sample", (m, NAN, 2, 0, 1, spin_buffer(8), 4, NOFN, None), bz.NumericError, "beta"),
        ("bz_ising_transfer_sample", (m, 1.0, 2, 31, 1, spin_buffer(8), 4, NOFN, None), bz.InvalidArgument, "max_bits"),
        ("bz_ising_transfer_sample", (dense, 1.0, 2, 0, 1, spin_buffer(60), 30, NOFN, None), bz.LimitExceeded, "frontier"),
        ("bz_ising_transfer_sample", (dead_model(), 1.0, 2, 0, 1, spin_buffer(8), 4, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_exact_auto", (m, None, 1, 0, 0, *ok, None, NOFN, None), bz.NullPointerError, "betas"),
        ("bz_ising_exact_auto", (m, f64(arr(NAN)), 1, 0, 0, *ok, None, NOFN, None), bz.NumericError, "betas[0]"),
        ("bz_ising_exact_auto", (m, f64(arr(1.0)), 1, 41, 0, *ok, None, NOFN, None), bz.InvalidArgument, "max_spins"),
        ("bz_ising_exact_auto", (m, f64(arr(1.0)), 1, 0, 31, *ok, None, NOFN, None), bz.InvalidArgument, "max_bits"),
        ("bz_ising_exact_auto", (dense, f64(arr(1.0)), 1, 3, 0, *ok, None, NOFN, None), bz.LimitExceeded,
         "the planar Pfaffian: not a 2D square lattice"),
        ("bz_ising_exact_auto", (dead_model(), f64(arr(1.0)), 1, 0, 0, *ok, None, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_exact", (m, f64(arr(1.0)), 0, 0, *ok, NOFN, None), bz.InvalidArgument, "n_betas"),
        ("bz_ising_exact", (m, f64(arr(1.0)), 1, -1, *ok, NOFN, None), bz.InvalidArgument, "max_spins"),
        ("bz_ising_exact", (m, f64(arr(1.0)), 1, 0, *ok, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_ising_exact", (dead_model(), f64(arr(1.0)), 1, 0, *ok, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_transfer", (dense, f64(arr(1.0)), 1, 0, *ok, NOFN, None), bz.LimitExceeded, "frontier of 29 spins"),
        ("bz_ising_transfer", (dense, f64(arr(1.0)), 1, 31, *ok, NOFN, None), bz.InvalidArgument, "max_bits"),
        ("bz_ising_transfer", (m, f64(arr(1.0)), 1, -1, *ok, NOFN, None), bz.InvalidArgument, "max_bits"),
        ("bz_ising_transfer", (m, f64(arr(NAN)), 1, 0, *ok, NOFN, None), bz.NumericError, "betas[0]"),
        ("bz_ising_transfer", (m, None, 1, 0, *ok, NOFN, None), bz.NullPointerError, "betas"),
        ("bz_ising_transfer", (m, f64(arr(1.0)), 0, 0, *ok, NOFN, None), bz.InvalidArgument, "n_betas"),
        ("bz_ising_transfer", (m, f64(arr(1.0)), 1, 0, *ok, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_ising_transfer", (dead_model(), f64(arr(1.0)), 1, 0, *ok, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_planar", (m, f64(arr(1.0)), 1, *ok[:5], NOFN, None), bz.InvalidArgument, "not a 2D square lattice"),
        ("bz_ising_planar", (in_field, f64(arr(1.0)), 1, *ok[:5], NOFN, None), bz.InvalidArgument, "fields are not zero"),
        ("bz_ising_planar_correlations", (in_field, 1.0, f64(np.empty(17)), 17, NOFN, None), bz.InvalidArgument,
         "fields are not zero"),
        ("bz_ising_planar_correlations", (grid, 1.0, f64(np.empty(17)), 16, NOFN, None), bz.ShapeError, "n_couplings"),
        ("bz_ising_planar_correlations", (grid, 1.0, None, 17, NOFN, None), bz.NullPointerError, "correlations"),
        ("bz_ising_planar_correlations", (grid, NAN, f64(np.empty(17)), 17, NOFN, None), bz.NumericError, "beta"),
        ("bz_ising_planar_correlations", (narrow_torus, 1.0, f64(np.empty(15)), 15, NOFN, None), bz.InvalidArgument,
         "both sides >= 3"),
        ("bz_ising_planar_correlations", (grid, 400.0, f64(np.empty(17)), 17, NOFN, None), bz.Unsupported, "600"),
        ("bz_ising_planar_correlations", (dead_model(), 1.0, f64(np.empty(17)), 17, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_planar_sample", (in_field, 1.0, 2, 1, spin_buffer(24), 12, NOFN, None), bz.InvalidArgument,
         "fields are not zero"),
        ("bz_ising_planar_sample", (m, 1.0, 2, 1, spin_buffer(8), 4, NOFN, None), bz.InvalidArgument, "not a 2D square lattice"),
        ("bz_ising_planar_sample", (torus, 1.0, 2, 1, spin_buffer(18), 9, NOFN, None), bz.InvalidArgument, "open lattice"),
        ("bz_ising_planar_sample", (grid, 1.0, 0, 1, spin_buffer(24), 12, NOFN, None), bz.InvalidArgument, "n_samples"),
        ("bz_ising_planar_sample", (grid, 1.0, 2, 1, None, 12, NOFN, None), bz.NullPointerError, "spins"),
        ("bz_ising_planar_sample", (grid, 1.0, 2, 1, spin_buffer(24), 11, NOFN, None), bz.ShapeError, "n_spins"),
        ("bz_ising_planar_sample", (grid, NAN, 2, 1, spin_buffer(24), 12, NOFN, None), bz.NumericError, "beta"),
        ("bz_ising_planar_sample", (grid, 400.0, 2, 1, spin_buffer(24), 12, NOFN, None), bz.Unsupported, "600"),
        ("bz_ising_planar_sample", (grid, 1.0, 2, 1, spin_buffer(24), 12, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_ising_planar_sample", (dead_model(), 1.0, 2, 1, spin_buffer(24), 12, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_planar", (narrow_torus, f64(arr(1.0)), 1, *ok[:5], NOFN, None), bz.InvalidArgument, "both sides >= 3"),
        ("bz_ising_planar", (grid, f64(arr(NAN)), 1, *ok[:5], NOFN, None), bz.NumericError, "betas[0]"),
        ("bz_ising_planar", (grid, None, 1, *ok[:5], NOFN, None), bz.NullPointerError, "betas"),
        ("bz_ising_planar", (grid, f64(arr(1.0)), 0, *ok[:5], NOFN, None), bz.InvalidArgument, "n_betas"),
        ("bz_ising_planar", (grid, f64(arr(1.0)), 1, *ok[:5], STOP, None), bz.Cancelled, "progress callback"),
        ("bz_ising_planar", (dead_model(), f64(arr(1.0)), 1, *ok[:5], NOFN, None), bz.InvalidHandle, "model"),
        ("bz_ising_kasteleyn", (torus, 1.0, 0, None, None, None, None, None, None), bz.InvalidArgument, "four Pfaffians"),
        ("bz_ising_kasteleyn", (in_field, 1.0, 0, None, None, None, None, None, None), bz.InvalidArgument, "fields are not zero"),
        ("bz_ising_kasteleyn", (grid, NAN, 0, None, None, None, None, None, None), bz.NumericError, "beta"),
        ("bz_ising_kasteleyn", (grid, 1.0, -1, None, None, None, None, None, None), bz.InvalidArgument, "capacity"),
        ("bz_ising_kasteleyn", (grid, 1.0, 4, None, i64(i4), f64(out4), None, None, None), bz.NullPointerError, "from"),
        ("bz_ising_kasteleyn", (grid, 1.0, 4, i64(i4), i64(i4), f64(out4), None, None, None), bz.ShapeError, "capacity is 4"),
        ("bz_ising_kasteleyn", (dead_model(), 1.0, 0, None, None, None, None, None, None), bz.InvalidHandle, "model"),
        ("bz_ising_transfer_plan", (dead_model(), None, None), bz.InvalidHandle, "model"),
        ("bz_log_z_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_wang_landau_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_ising_wang_landau_bins", (m, 0.0, None), bz.NullPointerError, "out_bins"),
        ("bz_ising_wang_landau_bins", (m, -1.0, ctypes.byref(ctypes.c_int64())), bz.InvalidArgument, "bin_width"),
        ("bz_ising_wang_landau_bins", (m, NAN, ctypes.byref(ctypes.c_int64())), bz.NumericError, "bin_width"),
        ("bz_ising_wang_landau_bins", (m, 1e-30, ctypes.byref(ctypes.c_int64())), bz.LimitExceeded, "2^24 bins"),
        ("bz_ising_wang_landau_bins", (in_field, 0.0, ctypes.byref(ctypes.c_int64())), bz.InvalidArgument, "whole-number"),
        ("bz_ising_wang_landau_bins", (dead_model(), 0.0, ctypes.byref(ctypes.c_int64())), bz.InvalidHandle, "model"),
        ("bz_ising_wang_landau", (m, wl(version=9), 64, *wl_out, NOFN, None), bz.InvalidArgument, "BZ_WANG_LANDAU_OPTIONS_VERSION"),
        ("bz_ising_wang_landau", (m, wl(runs=1), 64, *wl_out, NOFN, None), bz.InvalidArgument, "runs"),
        ("bz_ising_wang_landau", (m, wl(final_log_f=1.0), 64, *wl_out, NOFN, None), bz.InvalidArgument, "final_log_f"),
        ("bz_ising_wang_landau", (m, wl(final_log_f=NAN), 64, *wl_out, NOFN, None), bz.NumericError, "final_log_f"),
        ("bz_ising_wang_landau", (m, wl(flatness=0.0), 64, *wl_out, NOFN, None), bz.InvalidArgument, "flatness"),
        ("bz_ising_wang_landau", (m, wl(max_sweeps=0), 64, *wl_out, NOFN, None), bz.InvalidArgument, "max_sweeps"),
        ("bz_ising_wang_landau", (m, None, 2, *wl_out, NOFN, None), bz.ShapeError, "capacity"),
        ("bz_ising_wang_landau", (m, None, 64, None, *wl_out[1:], NOFN, None), bz.NullPointerError, "energies"),
        ("bz_ising_wang_landau", (m, None, 64, *wl_out[:5], None, wl_out[6], NOFN, None), bz.NullPointerError, "out_bins"),
        ("bz_ising_wang_landau", (m, None, 64, *wl_out, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_ising_wang_landau", (dead_model(), None, 64, *wl_out, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_wang_landau_thermo", (f64(arr(0, 1)), f64(arr(0, 1)), 1, 2, f64(arr(1.0)), 1, None, None, None, None),
         bz.InvalidArgument, "runs"),
        ("bz_wang_landau_thermo", (f64(arr(0, 1)), f64(arr(0, 1, 0, 1)), 2, 0, f64(arr(1.0)), 1, None, None, None, None),
         bz.InvalidArgument, "bins"),
        ("bz_wang_landau_thermo", (None, f64(arr(0, 1, 0, 1)), 2, 2, f64(arr(1.0)), 1, None, None, None, None),
         bz.NullPointerError, "energies"),
        ("bz_wang_landau_thermo", (f64(arr(0, 1)), None, 2, 2, f64(arr(1.0)), 1, None, None, None, None),
         bz.NullPointerError, "run_log_g"),
        ("bz_wang_landau_thermo", (f64(arr(0, NAN)), f64(arr(0, 1, 0, 1)), 2, 2, f64(arr(1.0)), 1, None, None, None, None),
         bz.NumericError, "energies[1]"),
        ("bz_wang_landau_thermo", (f64(arr(0, 1)), f64(arr(0, 1, 0, 1)), 2, 2, f64(arr(INF)), 1, None, None, None, None),
         bz.NumericError, "betas[0]"),
        ("bz_ising_log_partition", (m, 1.0, logz(version=9), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "BZ_LOG_Z_OPTIONS_VERSION"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=8), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "BZ_LOG_Z_AIS (4)"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=7, wang_landau=wl_struct(version=9)), None, None, None, None,
                                    None, 0, NOFN, None), bz.InvalidArgument, "options.wang_landau.version"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=7, wang_landau=wl_struct(runs=1)), None, None, None, None,
                                    None, 0, NOFN, None), bz.InvalidArgument, "runs"),
        ("bz_ising_log_partition", (in_field, 1.0, logz(method=7), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "whole-number"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=3), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "not a periodic square lattice"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=4, runs=1), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "runs"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=4, n_betas=1), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "2 betas"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=4, sweeps=0), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "sweeps"),
        ("bz_ising_log_partition", (m, 1.0, logz(method=4, algorithm=9), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "options.algorithm"),
        ("bz_ising_log_partition", (m, 1.0, logz(max_bits=-1), None, None, None, None, None, 0, NOFN, None),
         bz.InvalidArgument, "max_bits"),
        ("bz_ising_log_partition", (m, NAN, None, None, None, None, None, None, 0, NOFN, None), bz.NumericError, "beta"),
        ("bz_ising_log_partition", (m, 1.0, None, None, None, None, None, ctypes.create_string_buffer(4), 0, NOFN, None),
         bz.InvalidArgument, "note_size"),
        ("bz_ising_log_partition", (dead_model(), 1.0, None, None, None, None, None, None, 0, NOFN, None),
         bz.InvalidHandle, "model"),
        ("bz_ising_ais", (m, f64(arr(0.0, 1.0)), 2, 10, 1, 0, 0, None, None, None, STOP, None), bz.Cancelled, "progress"),
        ("bz_ising_ais", (m, f64(arr(0.1, 1.0)), 2, 10, 1, 0, 0, None, None, None, NOFN, None), bz.InvalidArgument, "start at 0"),
        ("bz_ising_ais", (m, f64(arr(0.0, 1.0, 0.5)), 3, 10, 1, 0, 0, None, None, None, NOFN, None), bz.InvalidArgument,
         "must increase"),
        ("bz_ising_ais", (m, f64(arr(0.0, NAN)), 2, 10, 1, 0, 0, None, None, None, NOFN, None), bz.NumericError, "betas[1]"),
        ("bz_ising_ais", (m, f64(arr(0.0, 1.0)), 2, 10, 1, 2, 0, None, None, None, NOFN, None), bz.Unsupported, "single-spin"),
        ("bz_ising_ais", (m, None, 2, 10, 1, 0, 0, None, None, None, NOFN, None), bz.NullPointerError, "betas"),
        ("bz_ising_ais", (dead_model(), f64(arr(0.0, 1.0)), 2, 10, 1, 0, 0, None, None, None, NOFN, None),
         bz.InvalidHandle, "model"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1.0)), 2, 10, 1, 1, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidArgument, "populations must be in [2, 4096]"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1.0)), 2, 1, 4, 1, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidArgument, "replicas must be >= 2"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1.0)), 2, 10, 4, 0, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidArgument, "sweeps"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1e308)), 2, 10, 4, 1, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidArgument, "overflow"),
        ("bz_ising_population_annealing", (m, f64(arr(0.2, 1.0)), 2, 10, 4, 1, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidArgument, "start at 0"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1.0)), 2, 10, 4, 1, 3, 0, *(None,) * 6, NOFN, None),
         bz.Unsupported, "single-spin"),
        ("bz_ising_population_annealing", (m, f64(arr(0.0, 1.0)), 2, 10, 4, 1, 0, 0, *(None,) * 6, STOP, None),
         bz.Cancelled, "progress"),
        ("bz_ising_population_annealing", (dead_model(), f64(arr(0.0, 1.0)), 2, 10, 4, 1, 0, 0, *(None,) * 6, NOFN, None),
         bz.InvalidHandle, "model"),
        ("bz_ising_transfer_plan", (None, None, None), bz.NullPointerError, "model"),
        ("bz_ising_ground_state", (big, 0, None, None, None, 35, NOFN, None), bz.LimitExceeded, "2^35 = 34359738368 states"),
        ("bz_ising_ground_state", (m, 0, None, None, spins8(0, 0, 0), 3, NOFN, None), bz.ShapeError, "n_spins"),
        ("bz_ising_ground_state", (m, 0, None, None, None, 4, STOP, None), bz.Cancelled, "cancelled"),
        ("bz_ising_dos_range", (real, None, None), bz.InvalidArgument, "whole-number"),
        ("bz_ising_dos_range", (None, None, None), bz.NullPointerError, "model"),
        ("bz_ising_density_of_states", (m, 0, i64(np.empty(9, np.int64)), 8, None, 4, NOFN, None), bz.ShapeError, "n_bins"),
        ("bz_ising_density_of_states", (m, 0, None, 9, None, 4, NOFN, None), bz.NullPointerError, "counts"),
        ("bz_ising_density_of_states", (real, 0, i64(np.empty(9, np.int64)), 9, None, 4, NOFN, None), bz.InvalidArgument, "whole-number"),
        ("bz_ising_density_of_states", (m, 0, i64(np.empty(9, np.int64)), 9, i64(np.empty(45, np.int64)), 5, NOFN, None), bz.ShapeError, "n_spins"),

        ("bz_ising_chain_exact", (1, 1.0, 0.0, 1, f64(arr(1.0)), 1, *(None,) * 7), bz.InvalidArgument, "n must be >= 2"),
        ("bz_ising_chain_exact", (0, 1.0, 0.0, 0, f64(arr(1.0)), 1, *(None,) * 7), bz.InvalidArgument, "n must be >= 1"),
        ("bz_ising_chain_exact", (10, NAN, 0.0, 0, f64(arr(1.0)), 1, *(None,) * 7), bz.NumericError, "coupling"),
        ("bz_ising_chain_exact", (10, 1.0, 0.0, 0, f64(arr(INF)), 1, *(None,) * 7), bz.NumericError, "betas[0]"),
        ("bz_ising_chain_exact", (1 << 62, 1.0, 0.0, 0, f64(arr(1.0)), 1, *(None,) * 7), bz.InvalidArgument, "larger"),
        ("bz_ising_chain_correlation", (10, 1.0, 0.0, 1.0, i64(ints(11)), 1, f64(out4)), bz.InvalidArgument, "distances[0]"),
        ("bz_ising_chain_correlation", (-2, 1.0, 0.0, 1.0, i64(ints(1)), 1, f64(out4)), bz.InvalidArgument, "n"),
        ("bz_ising_chain_correlation", (10, 1.0, 0.0, 1.0, i64(ints(1)), 1, None), bz.NullPointerError, "correlations"),
        ("bz_ising_square_exact", (1, 4, 1.0, f64(arr(1.0)), 1, *(None,) * 5), bz.InvalidArgument, "rows and columns"),
        ("bz_ising_square_exact", (3, 4, -1.0, f64(arr(1.0)), 1, *(None,) * 5), bz.InvalidArgument, "frustrated"),
        ("bz_ising_square_exact", (4, 4, 1.0, f64(arr(NAN)), 1, *(None,) * 5), bz.NumericError, "betas[0]"),
        ("bz_ising_transfer_dos_size", (in_field, ctypes.byref(L()), ctypes.byref(L())), bz.InvalidArgument, "whole-number"),
        ("bz_ising_transfer_dos_size", (grid, None, ctypes.byref(L())), bz.NullPointerError, "out_levels"),
        ("bz_ising_transfer_dos_size", (dead_model(), ctypes.byref(L()), ctypes.byref(L())), bz.InvalidHandle, "model"),
        ("bz_ising_transfer_dos", (grid, 0, 34, 1, f64(np.empty(34)), None, None, ctypes.byref(L()), NOFN, None),
         bz.ShapeError, "bz_ising_transfer_dos_size"),
        ("bz_ising_transfer_dos", (grid, 0, 36, 0, f64(np.empty(36)), None, None, ctypes.byref(L()), NOFN, None),
         bz.ShapeError, "words"),
        ("bz_ising_transfer_dos", (grid, -1, 36, 1, f64(np.empty(36)), None, None, ctypes.byref(L()), NOFN, None),
         bz.InvalidArgument, "max_bits"),
        ("bz_ising_transfer_dos", (grid, 1, 36, 1, f64(np.empty(36)), None, None, ctypes.byref(L()), NOFN, None),
         bz.LimitExceeded, "frontier"),
        ("bz_ising_transfer_dos", (grid, 0, 36, 1, None, None, None, ctypes.byref(L()), NOFN, None),
         bz.NullPointerError, "energies"),
        ("bz_ising_transfer_dos", (in_field, 0, 36, 1, f64(np.empty(36)), None, None, ctypes.byref(L()), NOFN, None),
         bz.InvalidArgument, "whole-number"),
        ("bz_ising_square_dos_size", (2, 4, ctypes.byref(L()), ctypes.byref(L())), bz.InvalidArgument, "rows and columns"),
        ("bz_ising_square_dos_size", (2**13, 2**13, ctypes.byref(L()), ctypes.byref(L())), bz.LimitExceeded, "words"),
        ("bz_ising_square_dos_size", (4, 4, None, ctypes.byref(L())), bz.NullPointerError, "out_levels"),
        ("bz_ising_square_dos_size", (2**62, 4, ctypes.byref(L()), ctypes.byref(L())), bz.InvalidArgument, "rows"),
        ("bz_ising_square_dos", (4, 4, 0.0, 17, 1, f64(np.empty(17)), None, None, ctypes.byref(L()), NOFN, None),
         bz.InvalidArgument, "coupling"),
        ("bz_ising_square_dos", (4, 4, NAN, 17, 1, f64(np.empty(17)), None, None, ctypes.byref(L()), NOFN, None),
         bz.NumericError, "coupling"),
        ("bz_ising_square_dos", (4, 4, 1.0, 16, 1, f64(np.empty(17)), None, None, ctypes.byref(L()), NOFN, None),
         bz.ShapeError, "bz_ising_square_dos_size"),
        ("bz_ising_square_dos", (4, 4, 1.0, 17, 0, f64(np.empty(17)), None, None, ctypes.byref(L()), NOFN, None),
         bz.ShapeError, "words"),
        ("bz_ising_square_dos", (4, 4, 1.0, 17, 2**62, f64(np.empty(17)), None, None, ctypes.byref(L()), NOFN, None),
         bz.InvalidArgument, "levels x words"),
        ("bz_ising_square_dos", (4, 4, 1.0, 17, 1, None, None, None, ctypes.byref(L()), NOFN, None),
         bz.NullPointerError, "energies"),
        ("bz_ising_square_dos", (4, 4, 1.0, 17, 1, f64(np.empty(17)), None, None, None, NOFN, None),
         bz.NullPointerError, "out_levels"),
        ("bz_ising_onsager", (0.0, f64(arr(1.0)), 1, None, None, None, None), bz.InvalidArgument, "coupling"),
        ("bz_ising_onsager", (1.0, f64(arr(-1.0)), 1, None, None, None, None), bz.InvalidArgument, "betas[0]"),
        ("bz_ising_onsager_critical_temperature", (1.0, None), bz.NullPointerError, "out_tc"),
        ("bz_ising_onsager_critical_temperature", (NAN, ctypes.byref(D())), bz.NumericError, "coupling"),
        ("bz_ising_mean_field", (0.0, 1.0, 4.0, 0.0, None, None, None, ctypes.byref(L())), bz.InvalidArgument, "beta"),
        ("bz_ising_mean_field", (1.0, 1.0, -4.0, 0.0, None, None, None, ctypes.byref(L())), bz.InvalidArgument, "z"),
        ("bz_ising_mean_field", (1.0, 1.0, 4.0, 0.0, None, None, None, None), bz.NullPointerError, "out_n_solutions"),
        ("bz_ising_mean_field", (1e300, 1e300, 4.0, 0.0, None, None, None, ctypes.byref(L())), bz.NumericError, "overflows"),
        ("bz_ising_mean_field_magnetization", (1.0, 4.0, 0.0, f64(arr(1.0, 0.0)), 2, f64(out4)), bz.InvalidArgument, "beta"),
        ("bz_ising_mean_field_magnetization", (1.0, 4.0, 0.0, f64(arr(1.0)), 1, None), bz.NullPointerError, "magnetization"),
        ("bz_ising_hysteresis", (0.5, 1.0, 4.0, f64(arr(0.0, NAN)), 2, f64(out4), None), bz.NumericError, "fields[1]"),
        ("bz_ising_hysteresis", (0.5, 1.0, 4.0, f64(arr(0.0)), 0, f64(out4), None), bz.InvalidArgument, "n_fields"),
        ("bz_ising_curie_weiss", (0, 1.0, 0.0, f64(arr(1.0)), 1, *(None,) * 8), bz.InvalidArgument, "n"),
        ("bz_ising_curie_weiss", (10, 1e308, 1e308, f64(arr(1.0)), 1, *(None,) * 8), bz.NumericError, "overflow"),
        ("bz_ising_curie_weiss", (10, 1.0, 0.0, f64(arr(NAN)), 1, *(None,) * 8), bz.NumericError, "betas[0]"),
    ]


def mc_cases():
    m = ring()
    triangle = _lib.ising_p()
    lib.bz_ising_create_edges(ctypes.byref(triangle), 3, i64(ints(0, 1, 0)), i64(ints(1, 2, 2)), f64(arr(1, 1, 1)), 3,
                              f64(arr(0, 0.5, 0)))
    antiferro = _lib.ising_p()
    lib.bz_ising_create_chain(ctypes.byref(antiferro), 4, -1.0, 0.0, 1)
    wolff = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(wolff), m, 0.5, 2, 0, 1, 1)
    mc = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(mc), m, 0.5, 1, 0, 2, 1)
    glass = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(glass), triangle, 0.5, 0, 0, 1, 1)
    correlated = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(correlated), m, 0.5, 1, 0, 1, 1)
    lib.bz_mc_set_correlation_axis(correlated, 0, None)
    lib.bz_mc_run(correlated, 10, 0, 1, NOFN, None)
    fresh = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(fresh), m, 0.5, 1, 2, 1, 1)
    lib.bz_mc_run(mc, 10, 0, 1, NOFN, None)
    dead = _lib.mc_p()
    lib.bz_mc_create(ctypes.byref(dead), m, 0.5, 1, 0, 1, 1)
    lib.bz_mc_free(dead)
    out8, k = np.empty(8), lib.bz_mc_n_observables()

    def out_mc():
        return ctypes.byref(_lib.mc_p())

    return [
        ("bz_mc_create", (out_mc(), m, -0.5, 0, 0, 1, 1), bz.InvalidArgument, "beta"),
        ("bz_mc_create", (out_mc(), m, 0.5, 4, 0, 64, 1), bz.Unsupported, "multi-spin"),
        ("bz_mc_create", (out_mc(), m, 0.5, 4, 0, 63, 1), bz.InvalidArgument, "multiple of 64"),
        ("bz_mc_create", (out_mc(), m, NAN, 0, 0, 1, 1), bz.NumericError, "beta"),
        ("bz_mc_create", (out_mc(), m, 0.5, 9, 0, 1, 1), bz.InvalidArgument, "algorithm"),
        ("bz_mc_create", (out_mc(), m, 0.5, 0, 4, 1, 1), bz.InvalidArgument, "order"),
        ("bz_mc_create", (out_mc(), triangle, 0.5, 2, 0, 1, 1), bz.Unsupported, "Wolff"),
        ("bz_mc_create", (out_mc(), antiferro, 0.5, 3, 0, 1, 1), bz.Unsupported, "ferromagnet"),
        ("bz_mc_create", (out_mc(), m, 0.5, 0, 0, 0, 1), bz.InvalidArgument, "chains"),
        ("bz_mc_create", (out_mc(), triangle, 0.5, 0, 2, 1, 1), bz.InvalidArgument, "bipartite"),
        ("bz_mc_create", (out_mc(), dead_model(), 0.5, 0, 0, 1, 1), bz.InvalidHandle, "model"),
        ("bz_mc_create", (None, m, 0.5, 0, 0, 1, 1), bz.NullPointerError, "out"),
        ("bz_mc_size", (dead, None, None, None), bz.InvalidHandle, "mc"),
        ("bz_mc_set_beta", (mc, INF), bz.NumericError, "beta"),
        ("bz_mc_set_beta", (None, 1.0), bz.NullPointerError, "mc"),
        ("bz_mc_clamp", (mc, i64(ints(0)), spins8(1), 0), bz.InvalidArgument, "n"),
        ("bz_mc_clamp", (mc, None, spins8(1), 1), bz.NullPointerError, "indices"),
        ("bz_mc_clamp", (mc, i64(ints(0)), None, 1), bz.NullPointerError, "values"),
        ("bz_mc_clamp", (mc, i64(ints(0, 99)), spins8(1, 1), 2), bz.InvalidArgument, "indices[1]"),
        ("bz_mc_clamp", (mc, i64(ints(-1)), spins8(1), 1), bz.InvalidArgument, "indices[0]"),
        ("bz_mc_clamp", (mc, i64(ints(0)), spins8(0), 1), bz.InvalidArgument, "values[0]"),
        ("bz_mc_clamp", (wolff, i64(ints(0)), spins8(1), 1), bz.Unsupported, "single-spin"),
        ("bz_mc_clamp", (dead, i64(ints(0)), spins8(1), 1), bz.InvalidHandle, "mc"),
        ("bz_mc_release_clamps", (dead,), bz.InvalidHandle, "mc"),
        ("bz_mc_run", (mc, 0, 0, 1, NOFN, None), bz.InvalidArgument, "sweeps"),
        ("bz_mc_run", (mc, 10, -1, 1, NOFN, None), bz.InvalidArgument, "burn_in"),
        ("bz_mc_run", (mc, -(2**63), -1, 1, NOFN, None), bz.InvalidArgument, "sweeps"),
        ("bz_mc_run", (mc, 10, 0, 11, NOFN, None), bz.InvalidArgument, "measure_every"),
        ("bz_mc_run", (mc, 1 << 35, 0, 1, NOFN, None), bz.LimitExceeded, "measure_every"),
        ("bz_mc_run", (mc, 1000, 0, 1, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_mc_run", (dead, 10, 0, 1, NOFN, None), bz.InvalidHandle, "mc"),
        ("bz_mc_sample", (mc, 0, 1, 0, spins8(0), 0, NOFN, None), bz.InvalidArgument, "n_samples"),
        ("bz_mc_sample", (mc, 1, 0, 0, spins8(0), 8, NOFN, None), bz.InvalidArgument, "every"),
        ("bz_mc_sample", (mc, 1, 1, -1, spins8(*[1] * 8), 8, NOFN, None), bz.InvalidArgument, "burn_in"),
        ("bz_mc_sample", (mc, 2**20, 2**30, 0, spins8(0), 8 * 2**20, NOFN, None), bz.InvalidArgument, "every"),
        ("bz_mc_sample", (mc, 2, 1, 0, spins8(*[1] * 8), 8, NOFN, None), bz.ShapeError, "chains x n_samples"),
        ("bz_mc_sample", (mc, 1, 1, 0, None, 8, NOFN, None), bz.NullPointerError, "spins"),
        ("bz_mc_sample", (mc, 10**6, 1, 0, spins8(0), 8 * 10**6, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_mc_sample", (dead, 1, 1, 0, spins8(0), 8, NOFN, None), bz.InvalidHandle, "mc"),
        ("bz_mc_set_correlation_axis", (mc, 1, None), bz.InvalidArgument, "axis"),
        ("bz_mc_set_correlation_axis", (glass, 0, None), bz.Unsupported, "lattice"),
        ("bz_mc_set_correlation_axis", (dead, 0, None), bz.InvalidHandle, "mc"),
        ("bz_mc_correlation", (mc, f64(out8), None, 3), bz.WrongState, "set an axis"),
        ("bz_mc_correlation", (correlated, f64(out8), None, 8), bz.ShapeError, "distances"),
        ("bz_mc_equilibration", (mc, 5, None, None, None), bz.InvalidArgument, "observable"),
        ("bz_mc_equilibration", (mc, -1, None, None, None), bz.InvalidArgument, "observable"),
        ("bz_mc_equilibration", (mc, 0, None, None, None), bz.WrongState, "64 measurements"),
        ("bz_mc_equilibration", (dead, 0, None, None, None), bz.InvalidHandle, "mc"),
        ("bz_mc_results", (fresh, f64(out8), None, None, None, k), bz.WrongState, "call run first"),
        ("bz_mc_results", (mc, f64(out8), None, None, None, 7), bz.ShapeError, "BZ_MC_N_OBSERVABLES"),
        ("bz_mc_series", (mc, f64(np.empty(20)), None, 19), bz.ShapeError, "chains x n_measurements"),
        ("bz_mc_series", (dead, None, None, 0), bz.InvalidHandle, "mc"),
        ("bz_mc_spins", (mc, None, 8), bz.NullPointerError, "spins"),
        ("bz_mc_spins", (mc, spins8(0, 0, 0), 3), bz.ShapeError, "chains x n_spins"),
        *state_cases("mc", mc, dead, m, antiferro),
    ]


def state_cases(prefix, sampler, dead, model, other_model):
    """bz_<prefix>_serialized_size / _serialize / _deserialize: every way the bytes or
    the arguments can be wrong."""
    size = ctypes.c_int64()
    getattr(lib, f"bz_{prefix}_serialized_size")(sampler, ctypes.byref(size))
    good = (ctypes.c_uint8 * size.value)()
    getattr(lib, f"bz_{prefix}_serialize")(sampler, good, size.value)
    good = bytes(good)
    flipped = good[:40] + bytes([good[40] ^ 0x10]) + good[41:]
    kind = {"mc": "a Monte Carlo state", "pt": "a tempering state"}[prefix]

    def raw(b):
        return (ctypes.c_uint8 * max(len(b), 1)).from_buffer_copy(b or b"\0")

    def out():
        return ctypes.byref(getattr(_lib, f"{prefix}_p")())

    deserialize = f"bz_{prefix}_deserialize"
    return [
        (f"bz_{prefix}_serialized_size", (sampler, None), bz.NullPointerError, "out"),
        (f"bz_{prefix}_serialized_size", (dead, ctypes.byref(size)), bz.InvalidHandle, prefix),
        (f"bz_{prefix}_serialize", (sampler, raw(bytes(10)), 10), bz.ShapeError, "size"),
        (f"bz_{prefix}_serialize", (sampler, None, len(good)), bz.NullPointerError, "out"),
        (deserialize, (out(), model, raw(good[:30]), 30), bz.FormatError, "checksum"),
        (deserialize, (out(), model, raw(b""), 0), bz.FormatError, kind),
        (deserialize, (out(), model, raw(flipped), len(flipped)), bz.FormatError, "checksum"),
        (deserialize, (out(), model, raw(b"BZRBM\r\n\x1a" + good[8:]), len(good)), bz.FormatError, "magic"),
        (deserialize, (out(), other_model, raw(good), len(good)), bz.FormatError, "different model"),
        (deserialize, (out(), model, None, 10), bz.NullPointerError, "bytes"),
        (deserialize, (out(), model, raw(good), -1), bz.InvalidArgument, "size"),
        (deserialize, (out(), dead_model(), raw(good), len(good)), bz.InvalidHandle, "model"),
        (deserialize, (None, model, raw(good), len(good)), bz.NullPointerError, "out"),
    ]


def test_bad_input_is_reported_and_leaves_handles_usable(spectrum):
    for name, args, error, words in cases(spectrum):
        with pytest.raises(error) as info:
            getattr(lib, name)(*args)
        message = str(info.value)
        assert words in message, f"{name}: {message!r} does not name {words!r}"
        assert lib.bz_last_error().decode() == message
        # The spectrum given to the failing call still works.
        log_z = np.empty(1)
        lib.bz_spectrum_thermo(spectrum, f64(arr(0.0)), 1, f64(log_z), None, None, None, None)
        assert log_z[0] == pytest.approx(math.log(3))


def test_every_function_is_covered(header, spectrum):
    fallible = {name for name, (restype, _) in _lib.SIGNATURES.items() if restype is _lib.Status}
    covered = {name for name, *_ in cases(spectrum)}
    assert fallible <= covered, f"no bad-input case for {sorted(fallible - covered)}"


def test_infallible_functions_tolerate_anything():
    assert lib.bz_status_string(-1) == b"unknown status"
    lib.bz_free(None)
    lib.bz_spectrum_free(None)
    lib.bz_spectrum_free(forged_spectrum())
    dead = dead_spectrum()
    lib.bz_spectrum_free(dead)  # double free
    assert lib.bz_spectrum_compose_default_limit() > 0
    assert lib.bz_macrostates_default_limit() > 0
    assert lib.bz_ising_enumeration_default_limit() == 30
    lib.bz_ising_free(None)
    lib.bz_ising_free(ctypes.cast(ctypes.c_void_p(0xDEAD0), _lib.ising_p))
    dead = dead_model()
    lib.bz_ising_free(dead)


def test_wrong_handle_type_is_a_type_error():
    with pytest.raises(ctypes.ArgumentError):
        lib.bz_spectrum_size(ctypes.c_void_p(1), None)


def test_outputs_untouched_or_cleared_on_failure():
    handle = _lib.spectrum_p()
    with pytest.raises(bz.NumericError):
        lib.bz_spectrum_create(ctypes.byref(handle), f64(arr(NAN)), None, 1)
    assert not handle  # out is set to NULL on failure


def test_python_level_errors_name_arguments():
    with pytest.raises(bz.ShapeError, match="degeneracies"):
        bz.Spectrum([0, 1, 2], [1, 1])
    with pytest.raises(bz.ShapeError, match="1-D"):
        bz.Spectrum([[0, 1], [2, 3]])
    with pytest.raises(bz.NumericError, match=r"energies\[0\]"):
        bz.Spectrum([NAN])
    with pytest.raises(bz.InvalidArgument, match="occupations"):
        bz.log_multiplicity([3, -1])
    with pytest.raises(TypeError):
        bz.Spectrum([0.0]).compose([1.0])


def tempering_cases():
    m = ring()
    ferro = ring()
    pt = _lib.pt_p()
    lib.bz_pt_create(ctypes.byref(pt), m, f64(arr(0.5, 1.0)), 2, 1, 1, 1)
    fresh = _lib.pt_p()
    lib.bz_pt_create(ctypes.byref(fresh), m, f64(arr(0.5, 1.0)), 2, 1, 1, 1)
    lib.bz_pt_run(pt, 10, 0, 1, NOFN, None)
    dead = _lib.pt_p()
    lib.bz_pt_create(ctypes.byref(dead), m, f64(arr(0.5, 1.0)), 2, 1, 1, 1)
    lib.bz_pt_free(dead)
    other = _lib.ising_p()
    lib.bz_ising_create_chain(ctypes.byref(other), 4, -1.0, 0.0, 1)
    out8, k = np.empty(8), lib.bz_mc_n_observables()

    def out_pt():
        return ctypes.byref(_lib.pt_p())

    return [
        ("bz_pt_create", (out_pt(), m, f64(arr(1.0, 0.5)), 2, 0, 1, 1), bz.InvalidArgument, "increase strictly"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5, 0.5)), 2, 0, 1, 1), bz.InvalidArgument, "increase strictly"),
        ("bz_pt_create", (out_pt(), m, f64(arr(-0.5, 0.5)), 2, 0, 1, 1), bz.InvalidArgument, "betas[0]"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5, NAN)), 2, 0, 1, 1), bz.NumericError, "betas[1]"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5)), 1, 0, 1, 1), bz.InvalidArgument, "n_betas"),
        ("bz_pt_create", (out_pt(), m, None, 2, 0, 1, 1), bz.NullPointerError, "betas"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5, 1.0)), 2, 7, 1, 1), bz.InvalidArgument, "algorithm"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5, 1.0)), 2, 0, 0, 1), bz.InvalidArgument, "replicas"),
        ("bz_pt_create", (out_pt(), m, f64(arr(0.5, 1.0)), 2, 0, 40000, 1), bz.InvalidArgument, "replicas"),
        ("bz_pt_create", (None, ferro, f64(arr(0.5, 1.0)), 2, 0, 1, 1), bz.NullPointerError, "out"),
        ("bz_pt_create", (out_pt(), dead_model(), f64(arr(0.5, 1.0)), 2, 0, 1, 1), bz.InvalidHandle, "model"),
        ("bz_pt_size", (dead, None, None, None, None), bz.InvalidHandle, "pt"),
        ("bz_pt_run", (pt, 10, 0, 0, NOFN, None), bz.InvalidArgument, "swap_every"),
        ("bz_pt_run", (pt, 1, 0, 2, NOFN, None), bz.InvalidArgument, "sweeps"),
        ("bz_pt_run", (pt, 10, -1, 1, NOFN, None), bz.InvalidArgument, "burn_in"),
        ("bz_pt_run", (pt, 3, 3, 2**63 - 1, NOFN, None), bz.InvalidArgument, "swap_every"),  # overflowed the rounds
        ("bz_pt_run", (pt, 2**40, 0, 1, NOFN, None), bz.LimitExceeded, "swap_every"),
        ("bz_pt_run", (pt, 10**6, 0, 1, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_pt_run", (dead, 10, 0, 1, NOFN, None), bz.InvalidHandle, "pt"),
        ("bz_pt_results", (fresh, 0, f64(out8), None, None, None, k), bz.WrongState, "call run first"),
        ("bz_pt_results", (pt, 2, f64(out8), None, None, None, k), bz.InvalidArgument, "beta_index"),
        ("bz_pt_results", (pt, 0, f64(out8), None, None, None, 9), bz.ShapeError, "BZ_MC_N_OBSERVABLES"),
        ("bz_pt_swaps", (pt, f64(out8), 2, None), bz.ShapeError, "n_betas - 1"),
        ("bz_pt_swaps", (fresh, f64(out8), 1, None), bz.WrongState, "call run first"),
        ("bz_pt_overlap_distribution", (pt, 0, f64(out8), 5), bz.WrongState, "replicas >= 2"),
        ("bz_pt_overlap_distribution", (pt, 0, f64(out8), 3), bz.ShapeError, "n_spins + 1"),
        ("bz_pt_overlap_distribution", (pt, 0, None, 5), bz.NullPointerError, "probabilities"),
        ("bz_pt_series", (pt, -1, None, None, None, 10), bz.InvalidArgument, "beta_index"),
        ("bz_pt_series", (pt, 0, f64(np.empty(20)), None, None, 11), bz.ShapeError, "replicas x n_measurements"),
        ("bz_pt_spins", (pt, None, 16), bz.NullPointerError, "spins"),
        ("bz_pt_spins", (pt, spins8(0), 3), bz.ShapeError, "replicas x n_betas x n_spins"),
        ("bz_beta_schedule", (2, 0.0, 1.0, 3, f64(out8)), bz.InvalidArgument, "kind"),
        ("bz_beta_schedule", (1, 0.0, 1.0, 3, f64(out8)), bz.InvalidArgument, "geometric"),
        ("bz_beta_schedule", (0, 0.0, INF, 3, f64(out8)), bz.NumericError, "beta_last"),
        ("bz_beta_schedule", (0, -1.0, 1.0, 3, f64(out8)), bz.InvalidArgument, ">= 0"),
        ("bz_beta_schedule", (0, 0.0, 1.0, 0, f64(out8)), bz.InvalidArgument, "n"),
        ("bz_beta_schedule", (0, 0.0, 1.0, 3, None), bz.NullPointerError, "betas"),
        ("bz_anneal_beta_range", (dead_model(), None, None), bz.InvalidHandle, "model"),
        ("bz_anneal", (m, f64(arr(1.0)), 0, 1, 1, 0, 1, None, None, None, NOFN, None), bz.InvalidArgument, "n_betas"),
        ("bz_anneal", (m, None, 1, 1, 1, 0, 1, None, None, None, NOFN, None), bz.NullPointerError, "betas"),
        ("bz_anneal", (m, f64(arr(1.0, -1.0)), 2, 1, 1, 0, 1, None, None, None, NOFN, None), bz.InvalidArgument, "betas[1]"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 0, 1, 0, 1, None, None, None, NOFN, None), bz.InvalidArgument, "sweeps_per_beta"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 2**41, 1, 0, 1, None, None, None, NOFN, None), bz.InvalidArgument, "sweeps_per_beta"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 1, 0, 0, 1, None, None, None, NOFN, None), bz.InvalidArgument, "reads"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 1, 1, 3, 1, None, None, None, NOFN, None), bz.Unsupported, "single-spin"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 1, 1, 9, 1, None, None, None, NOFN, None), bz.InvalidArgument, "algorithm"),
        ("bz_anneal", (m, f64(arr(1.0)), 1, 10**7, 2, 0, 1, None, None, None, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_anneal", (dead_model(), f64(arr(1.0)), 1, 1, 1, 0, 1, None, None, None, NOFN, None), bz.InvalidHandle, "model"),
        ("bz_anneal_from", (m, f64(arr(1.0)), 1, 1, 1, 0, 1, None, 4, None, None, None, NOFN, None), bz.NullPointerError,
         "initial"),
        ("bz_anneal_from", (m, f64(arr(1.0)), 1, 1, 1, 0, 1, spins8(1, 1, 1), 3, None, None, None, NOFN, None),
         bz.ShapeError, "reads x n_spins"),
        ("bz_anneal_from", (m, f64(arr(1.0)), 1, 1, 1, 0, 1, spins8(1, 0, 1, 1), 4, None, None, None, NOFN, None),
         bz.InvalidArgument, "initial[0, 1]"),
        ("bz_anneal_from", (m, f64(arr(1.0)), 1, 1, 1, 0, 1, spins8(1, 1, 1, 1), -4, None, None, None, NOFN, None),
         bz.InvalidArgument, "n_initial"),
        ("bz_anneal_from", (m, f64(arr(1.0)), 1, 0, 1, 0, 1, spins8(1, 1, 1, 1), 4, None, None, None, NOFN, None),
         bz.InvalidArgument, "sweeps_per_beta"),
        *state_cases("pt", pt, dead, m, other),
    ]


def pbit_cases():
    circuit = _lib.circuit_p()
    lib.bz_circuit_create(ctypes.byref(circuit))
    lib.bz_circuit_add_gate(circuit, 1, i64(ints(0, 1, 2)), 3, None)
    empty = _lib.circuit_p()
    lib.bz_circuit_create(ctypes.byref(empty))
    dead = _lib.circuit_p()
    lib.bz_circuit_create(ctypes.byref(dead))
    lib.bz_circuit_free(dead)
    L = ctypes.c_int64

    def out_circuit():
        return ctypes.byref(_lib.circuit_p())

    def out_model():
        return ctypes.byref(_lib.ising_p())

    factor_outs = (None,) * 5
    return [
        ("bz_gate_info", (6, None, None), bz.InvalidArgument, "kind must be BZ_GATE_NOT (0)"),
        ("bz_gate_info", (-1, None, None), bz.InvalidArgument, "kind must be BZ_GATE_NOT (0)"),
        ("bz_circuit_create", (None,), bz.NullPointerError, "out"),
        ("bz_circuit_create_multiplier", (out_circuit(), 1), bz.InvalidArgument, "bits"),
        ("bz_circuit_create_multiplier", (out_circuit(), 33), bz.InvalidArgument, "bits"),
        ("bz_circuit_create_multiplier", (None, 3), bz.NullPointerError, "out"),
        ("bz_circuit_add_gate", (circuit, 9, i64(ints(0, 1, 2)), 3, None), bz.InvalidArgument, "kind must be BZ_GATE_NOT (0)"),
        ("bz_circuit_add_gate", (circuit, 1, i64(ints(0, 1)), 2, None), bz.ShapeError, "arity"),
        ("bz_circuit_add_gate", (circuit, 1, None, 3, None), bz.NullPointerError, "nodes"),
        ("bz_circuit_add_gate", (circuit, 1, i64(ints(0, 0, 2)), 3, None), bz.InvalidArgument, "repeats"),
        ("bz_circuit_add_gate", (circuit, 1, i64(ints(0, -4, 2)), 3, None), bz.InvalidArgument, "nodes[1]"),
        ("bz_circuit_add_gate", (circuit, 0, i64(ints(0, 2**40)), 2, None), bz.InvalidArgument, "nodes[1]"),
        ("bz_circuit_add_gate", (dead, 0, i64(ints(0, 1)), 2, None), bz.InvalidHandle, "circuit"),
        ("bz_circuit_size", (dead, None, None), bz.InvalidHandle, "circuit"),
        ("bz_circuit_size", (None, None, None), bz.NullPointerError, "circuit"),
        ("bz_circuit_model", (out_model(), empty), bz.InvalidArgument, "no gates"),
        ("bz_circuit_model", (None, circuit), bz.NullPointerError, "out"),
        ("bz_circuit_model", (out_model(), dead), bz.InvalidHandle, "circuit"),
        ("bz_pbit_factor", (3, 0, 1.0, 10, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "n must be"),
        ("bz_pbit_factor", (35, 2, 1.0, 10, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "largest product of a 2-bit"),
        ("bz_pbit_factor", (35, 40, 1.0, 10, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "bits"),
        ("bz_pbit_factor", (35, 0, NAN, 10, 1, 0, *factor_outs, NOFN, None), bz.NumericError, "beta"),
        ("bz_pbit_factor", (35, 0, -1.0, 10, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "beta"),
        ("bz_pbit_factor", (35, 0, 1.0, 0, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "sweeps"),
        ("bz_pbit_factor", (35, 0, 1.0, 10, 0, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "chains"),
        ("bz_pbit_factor", (35, 0, 1.0, 10**6, 1, 0, *factor_outs, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_pbit_factor", (2**62, 0, 1.0, 10, 1, 0, *factor_outs, NOFN, None), bz.InvalidArgument, "n must be"),
    ]


def rbm_cases():
    rbm = _lib.rbm_p()
    lib.bz_rbm_create(ctypes.byref(rbm), 3, 2, 0, 1)
    big = _lib.rbm_p()
    lib.bz_rbm_create(ctypes.byref(big), 40, 33, 0, 1)
    gaussian = _lib.rbm_p()
    lib.bz_rbm_create(ctypes.byref(gaussian), 3, 2, 1, 1)
    dead = _lib.rbm_p()
    lib.bz_rbm_create(ctypes.byref(dead), 3, 2, 0, 1)
    lib.bz_rbm_free(dead)
    saved = os.path.join(tempfile.mkdtemp(), "machine.rbm")
    lib.bz_rbm_save(rbm, saved.encode())
    good = open(saved, "rb").read()
    damaged = {"truncated": good[:-1], "flipped": good[:20] + bytes([good[20] ^ 1]) + good[21:], "magic": b"XX" + good[2:]}
    paths = {}
    for name, content in damaged.items():
        paths[name] = saved + "." + name
        with open(paths[name], "wb") as f:
            f.write(content)
    u8 = ctypes.POINTER(ctypes.c_uint8)

    def raw(b):
        return (ctypes.c_uint8 * len(b)).from_buffer_copy(b)

    spins = np.array([[1, -1], [-1, 1]], np.int8)
    bad_spins = np.array([[1, 0]], np.int8)

    def bm(data, rows, n, rate=0.1, momentum=0.5, iterations=10, tolerance=1e-6, chains=0, sweeps=1, out=True, version=1):
        options = _lib.bz_bm_options(version, rate, momentum, iterations, tolerance, chains, sweeps)
        return (ctypes.byref(_lib.ising_p()) if out else None, data.ctypes.data_as(_lib.i8p) if data is not None else None, rows,
                n, ctypes.byref(options), 1, None, None, NOFN, None)

    def f32(*values):
        return np.array(values, np.float32).ctypes.data_as(_lib.f32p)

    out = np.empty(16, np.float32).ctypes.data_as(_lib.f32p)
    D = ctypes.c_double

    def fit(data, rows, epochs=1):
        return (rbm, data, rows, epochs, 1, None, NOFN, None)

    def sample(n=2, steps=1, start=None, out=out, progress=NOFN):
        return (rbm, n, steps, start, 0, 1, out, progress, None)

    return [
        ("bz_rbm_create", (ctypes.byref(_lib.rbm_p()), 0, 2, 0, 1), bz.InvalidArgument, "n_visible"),
        ("bz_rbm_create", (ctypes.byref(_lib.rbm_p()), 3, 2**21, 0, 1), bz.InvalidArgument, "n_hidden"),
        ("bz_rbm_create", (ctypes.byref(_lib.rbm_p()), 2**20, 2**20, 0, 1), bz.LimitExceeded, "weights"),
        ("bz_rbm_create", (ctypes.byref(_lib.rbm_p()), 3, 2, 2, 1), bz.InvalidArgument, "visible_units"),
        ("bz_rbm_create", (None, 3, 2, 0, 1), bz.NullPointerError, "out"),
        ("bz_rbm_visible_units", (rbm, None), bz.NullPointerError, "out"),
        ("bz_rbm_visible_units", (dead, ctypes.byref(ctypes.c_int32())), bz.InvalidHandle, "rbm"),
        ("bz_rbm_size", (dead, None, None), bz.InvalidHandle, "rbm"),
        ("bz_rbm_parameters", (rbm, None, None, None, 3, 3), bz.ShapeError, "n_hidden"),
        ("bz_rbm_set_parameters", (rbm, None, f32(0, 0, 0), f32(0, 0), 3, 2), bz.NullPointerError, "weights"),
        ("bz_rbm_set_parameters", (rbm, f32(*[0] * 5, NAN), f32(0, 0, 0), f32(0, 0), 3, 2), bz.NumericError, "weights[5]"),
        ("bz_rbm_set_parameters", (rbm, f32(*[0] * 6), f32(0, 0, 0), f32(0, 0), 4, 2), bz.ShapeError, "n_visible"),
        ("bz_rbm_hidden_probabilities", (rbm, f32(0, 1, 2), 1, out), bz.InvalidArgument, "[0, 2]"),
        ("bz_rbm_hidden_probabilities", (rbm, f32(0, 1, NAN), 1, out), bz.NumericError, "finite"),
        ("bz_rbm_hidden_probabilities", (rbm, f32(0, 1, 1), 0, out), bz.InvalidArgument, "n_rows"),
        ("bz_rbm_hidden_probabilities", (rbm, None, 1, out), bz.NullPointerError, "visible"),
        ("bz_rbm_hidden_probabilities", (rbm, f32(0, 1, 1), 1, None), bz.NullPointerError, "out"),
        ("bz_rbm_visible_probabilities", (rbm, f32(0, -1), 1, out), bz.InvalidArgument, "hidden[1]"),
        ("bz_rbm_free_energy", (rbm, f32(0, 1, 1), 2**50, ctypes.byref(D())), bz.InvalidArgument, "n_rows"),
        ("bz_rbm_free_energy", (dead, f32(0, 1, 1), 1, ctypes.byref(D())), bz.InvalidHandle, "rbm"),
        ("bz_rbm_log_partition_exact", (big, ctypes.byref(D()), NOFN, None), bz.LimitExceeded, "AIS"),
        ("bz_rbm_log_partition_exact", (rbm, None, NOFN, None), bz.NullPointerError, "out"),
        ("bz_rbm_log_partition_ais", (rbm, 0, None, 0, None, 1, ctypes.byref(D()), None, None, NOFN, None),
         bz.InvalidArgument, "runs"),
        ("bz_rbm_log_partition_ais", (rbm, 5, f64(arr(0.0, 0.5)), 2, None, 1, ctypes.byref(D()), None, None, NOFN, None),
         bz.InvalidArgument, "from 0 to 1"),
        ("bz_rbm_log_partition_ais", (rbm, 5, f64(arr(0.0, 0.7, 0.5, 1.0)), 4, None, 1, ctypes.byref(D()), None, None, NOFN,
                                      None), bz.InvalidArgument, "betas[2]"),
        ("bz_rbm_log_partition_ais", (rbm, 5, f64(arr(0.0, 1.0)), 0, None, 1, ctypes.byref(D()), None, None, NOFN, None),
         bz.InvalidArgument, "n_betas"),
        ("bz_rbm_log_partition_ais", (rbm, 5, None, 0, f32(0, NAN, 0), 1, ctypes.byref(D()), None, None, NOFN, None),
         bz.NumericError, "base[1]"),
        ("bz_rbm_log_partition_ais", (rbm, 5, None, 0, None, 1, None, None, None, NOFN, None), bz.NullPointerError,
         "out_log_z"),
        ("bz_rbm_log_partition_ais", (rbm, 5, None, 0, None, 1, ctypes.byref(D()), None, None, STOP, None), bz.Cancelled,
         "progress callback"),
        ("bz_rbm_pseudo_log_likelihood", (rbm, f32(0, 1, 2), 1, ctypes.byref(D())), bz.InvalidArgument, "[0, 1]"),
        ("bz_rbm_pseudo_log_likelihood", (gaussian, f32(0, 1, 2), 1, ctypes.byref(D())), bz.Unsupported, "Bernoulli"),
        ("bz_rbm_log_partition_ais", (gaussian, 5, None, 0, f32(0, 0, 0), 1, ctypes.byref(D()), None, None, NOFN, None),
         bz.Unsupported, "base"),
        ("bz_limit", (17, ctypes.byref(ctypes.c_int64())), bz.InvalidArgument, "BZ_LIMIT_STORED_VALUES (16)"),
        ("bz_limit", (-1, ctypes.byref(ctypes.c_int64())), bz.InvalidArgument, "limit must be"),
        ("bz_limit", (0, None), bz.NullPointerError, "out"),
        ("bz_rbm_set_training", (rbm, None), bz.NullPointerError, "options"),
        ("bz_rbm_set_training", (rbm, rbm_options(version=99)), bz.InvalidArgument, "BZ_RBM_TRAIN_OPTIONS_VERSION"),
        ("bz_rbm_set_training", (rbm, rbm_options(learning_rate=NAN)), bz.NumericError, "learning_rate"),
        ("bz_rbm_set_training", (rbm, rbm_options(learning_rate=0.0)), bz.InvalidArgument, "learning_rate"),
        ("bz_rbm_set_training", (rbm, rbm_options(final_learning_rate=INF)), bz.NumericError, "final_learning_rate"),
        ("bz_rbm_set_training", (rbm, rbm_options(k=0)), bz.InvalidArgument, "k must"),
        ("bz_rbm_set_training", (rbm, rbm_options(k=2**21)), bz.InvalidArgument, "2^20"),
        ("bz_rbm_set_training", (rbm, rbm_options(persistent_chains=-1)), bz.InvalidArgument, "persistent_chains"),
        ("bz_rbm_set_training", (rbm, rbm_options(momentum=1.0)), bz.InvalidArgument, "momentum"),
        ("bz_rbm_set_training", (rbm, rbm_options(weight_decay=-1.0)), bz.InvalidArgument, "weight_decay"),
        ("bz_rbm_set_training", (rbm, rbm_options(batch_size=0)), bz.InvalidArgument, "batch_size"),
        ("bz_rbm_set_training", (rbm, rbm_options(metric=3)), bz.InvalidArgument, "metric"),
        ("bz_rbm_set_training", (dead, rbm_options()), bz.InvalidHandle, "rbm"),
        ("bz_rbm_train_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_rbm_get_training", (rbm, None), bz.NullPointerError, "out"),
        ("bz_rbm_fit", fit(f32(0, 1, 1), 1, epochs=0), bz.InvalidArgument, "epochs"),
        ("bz_rbm_fit", fit(f32(0, 1, 3), 1), bz.InvalidArgument, "data[0, 2]"),
        ("bz_rbm_fit", fit(f32(0, 1, NAN), 1), bz.NumericError, "data[0, 2]"),
        ("bz_rbm_fit", fit(None, 1), bz.NullPointerError, "data"),
        ("bz_rbm_fit", fit(f32(0, 1, 1), 0), bz.InvalidArgument, "n_rows"),
        ("bz_rbm_fit", (rbm, f32(*[1] * 3000), 1000, 10**6, 1, None, STOP, None), bz.Cancelled, "progress callback"),
        ("bz_rbm_partial_fit", (rbm, f32(0, 1, 3), 1, None), bz.InvalidArgument, "data[0, 2]"),
        ("bz_rbm_partial_fit", (rbm, None, 1, None), bz.NullPointerError, "data"),
        ("bz_rbm_partial_fit", (dead, f32(0, 1, 1), 1, None), bz.InvalidHandle, "rbm"),
        ("bz_rbm_sample", sample(n=0), bz.InvalidArgument, "n_chains"),
        ("bz_rbm_sample", sample(steps=-1), bz.InvalidArgument, "steps"),
        ("bz_rbm_sample", sample(start=f32(0, 1, 2, 0, 0, 0)), bz.InvalidArgument, "data[0, 2]"),
        ("bz_rbm_sample", sample(out=None), bz.NullPointerError, "out"),
        ("bz_rbm_sample", sample(steps=10**6, progress=STOP), bz.Cancelled, "progress callback"),
        ("bz_rbm_save", (rbm, None), bz.NullPointerError, "path"),
        ("bz_rbm_save", (rbm, b""), bz.InvalidArgument, "path"),
        ("bz_rbm_save", (rbm, b"/nonexistent/dir/x.rbm"), bz.BoltzmannIOError, "nonexistent"),
        ("bz_rbm_save", (dead, saved.encode()), bz.InvalidHandle, "rbm"),
        ("bz_rbm_load", (ctypes.byref(_lib.rbm_p()), b"/nonexistent/x.rbm"), bz.BoltzmannIOError, "nonexistent"),
        ("bz_rbm_load", (ctypes.byref(_lib.rbm_p()), paths["truncated"].encode()), bz.FormatError, "truncated"),
        ("bz_rbm_load", (ctypes.byref(_lib.rbm_p()), paths["flipped"].encode()), bz.FormatError, "checksum"),
        ("bz_rbm_load", (ctypes.byref(_lib.rbm_p()), paths["magic"].encode()), bz.FormatError, "magic"),
        ("bz_rbm_load", (None, saved.encode()), bz.NullPointerError, "out"),
        ("bz_rbm_serialized_size", (rbm, None), bz.NullPointerError, "out"),
        ("bz_rbm_serialize", (rbm, raw(bytes(10)), 10), bz.ShapeError, "size"),
        ("bz_rbm_serialize", (rbm, None, len(good)), bz.NullPointerError, "out"),
        ("bz_rbm_deserialize", (ctypes.byref(_lib.rbm_p()), raw(good[:30]), 30), bz.FormatError, "truncated"),
        ("bz_rbm_deserialize", (ctypes.byref(_lib.rbm_p()), None, 10), bz.NullPointerError, "bytes"),
        ("bz_rbm_deserialize", (ctypes.byref(_lib.rbm_p()), raw(good), -1), bz.InvalidArgument, "size"),
        ("bz_bars_and_stripes", (0, None, None, 0), bz.InvalidArgument, "side"),
        ("bz_bars_and_stripes", (3, None, out, 13), bz.ShapeError, "n_rows"),
        ("bz_bm_fit", bm(spins, 2, 2, rate=0.0), bz.InvalidArgument, "learning_rate"),
        ("bz_bm_fit", bm(spins, 2, 2, momentum=1.0), bz.InvalidArgument, "momentum"),
        ("bz_bm_fit", bm(spins, 2, 2, iterations=0), bz.InvalidArgument, "iterations"),
        ("bz_bm_fit", bm(spins, 2, 2, tolerance=NAN), bz.NumericError, "tolerance"),
        ("bz_bm_fit", bm(spins, 2, 2, version=0), bz.InvalidArgument, "BZ_BM_OPTIONS_VERSION"),
        ("bz_bm_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_bm_fit", bm(spins, 2, 2, chains=-1), bz.InvalidArgument, "chains"),
        ("bz_bm_fit", bm(spins, 2, 2, chains=2, sweeps=0), bz.InvalidArgument, "sweeps"),
        ("bz_bm_fit", bm(bad_spins, 1, 2), bz.InvalidArgument, "spins[0, 1]"),
        ("bz_bm_fit", bm(spins, 2, 0), bz.InvalidArgument, "n_spins"),
        ("bz_bm_fit", bm(spins, 0, 2), bz.InvalidArgument, "n_rows"),
        ("bz_bm_fit", bm(None, 2, 2), bz.NullPointerError, "spins"),
        ("bz_bm_fit", bm(spins, 2, 2, out=False), bz.NullPointerError, "out"),
        ("bz_bm_fit", bm(np.ones((1, 21), np.int8), 1, 21), bz.LimitExceeded, "chains > 0"),
    ]


def hopfield_cases():
    net = _lib.hopfield_p()
    lib.bz_hopfield_create(ctypes.byref(net), 4, 0)
    pattern = np.array([1, -1, 1, -1], np.int8)
    lib.bz_hopfield_store(net, pattern.ctypes.data_as(_lib.i8p), 1, 4)
    storkey = _lib.hopfield_p()
    lib.bz_hopfield_create(ctypes.byref(storkey), 4, 1)
    dead = _lib.hopfield_p()
    lib.bz_hopfield_create(ctypes.byref(dead), 4, 0)
    lib.bz_hopfield_free(dead)

    def i8(*values):
        return np.array(values, np.int8).ctypes.data_as(_lib.i8p)

    def recall(states=None, rows=1, n=4, dynamics=0, temperature=0.0, sweeps=10, handle=None):
        return (handle or net, states if states is not None else i8(1, 1, 1, 1), rows, n, dynamics, temperature, sweeps, 1,
                None, None, NOFN, None)

    e = np.empty(4).ctypes.data_as(_lib.f64p)
    return [
        ("bz_hopfield_create", (ctypes.byref(_lib.hopfield_p()), 1, 0), bz.InvalidArgument, "n_neurons"),
        ("bz_hopfield_create", (ctypes.byref(_lib.hopfield_p()), 4, 2), bz.InvalidArgument, "rule"),
        ("bz_hopfield_create", (ctypes.byref(_lib.hopfield_p()), 2**17, 1), bz.LimitExceeded, "matrix"),
        ("bz_hopfield_create", (None, 4, 0), bz.NullPointerError, "out"),
        ("bz_hopfield_size", (dead, None, None, None), bz.InvalidHandle, "net"),
        ("bz_hopfield_store", (net, i8(1, 0, 1, 1), 1, 4), bz.InvalidArgument, "patterns[0][1]"),
        ("bz_hopfield_store", (net, i8(1, 1, 1, 1), 1, 3), bz.ShapeError, "n_neurons"),
        ("bz_hopfield_store", (net, i8(1, 1, 1, 1), 0, 4), bz.InvalidArgument, "n_patterns"),
        ("bz_hopfield_store", (net, None, 1, 4), bz.NullPointerError, "patterns"),
        ("bz_hopfield_patterns", (net, i8(0, 0, 0, 0), 2, 4), bz.ShapeError, "n_patterns"),
        ("bz_hopfield_patterns", (net, None, 1, 4), bz.NullPointerError, "patterns"),
        ("bz_hopfield_set_thresholds", (net, arr(0, 0, NAN, 0).ctypes.data_as(_lib.f64p), 4), bz.NumericError, "thresholds[2]"),
        ("bz_hopfield_set_thresholds", (net, arr(0, 0, 0).ctypes.data_as(_lib.f64p), 3), bz.ShapeError, "n_neurons"),
        ("bz_hopfield_set_storage", (net, 7), bz.InvalidArgument, "storage"),
        ("bz_hopfield_set_storage", (storkey, 2), bz.Unsupported, "Hebb"),
        ("bz_hopfield_uses_matrix", (net, None), bz.NullPointerError, "out_uses_matrix"),
        ("bz_hopfield_recall", recall(dynamics=2, temperature=NAN), bz.NumericError, "temperature"),
        ("bz_hopfield_recall", recall(dynamics=2, temperature=0.0), bz.InvalidArgument, "temperature"),
        ("bz_hopfield_recall", recall(dynamics=3), bz.InvalidArgument, "dynamics"),
        ("bz_hopfield_recall", recall(sweeps=0), bz.InvalidArgument, "sweeps"),
        ("bz_hopfield_recall", recall(states=i8(1, 2, 1, 1)), bz.InvalidArgument, "states[0][1]"),
        ("bz_hopfield_recall", recall(n=5), bz.ShapeError, "n_neurons"),
        ("bz_hopfield_recall", recall(rows=0), bz.InvalidArgument, "n_states"),
        ("bz_hopfield_recall", (net, None, 1, 4, 0, 0.0, 10, 1, None, None, NOFN, None), bz.NullPointerError, "states"),
        ("bz_hopfield_recall", recall(handle=dead), bz.InvalidHandle, "net"),
        ("bz_hopfield_energy", (net, i8(1, 1, 1, 1), 1, 4, None), bz.NullPointerError, "energies"),
        ("bz_hopfield_energy", (net, i8(1, 1, 1, 1), 2**50, 4, e), bz.InvalidArgument, "n_states"),
        ("bz_hopfield_overlaps", (net, i8(1, 1, 1, 1), 1, 4, e, 3), bz.ShapeError, "n_patterns"),
        ("bz_hopfield_overlaps", (net, i8(1, 1, 1, 1), 1, 4, None, 1), bz.NullPointerError, "overlaps"),
        ("bz_hopfield_to_ising", (None, net), bz.NullPointerError, "out"),
        ("bz_hopfield_to_ising", (ctypes.byref(_lib.ising_p()), dead), bz.InvalidHandle, "net"),
    ]


def dense_cases():
    def f32(*values):
        return np.array(values, np.float32).ctypes.data_as(_lib.f32p)

    patterns = f32(1, -1, 1, -1, -1, 1)  # 2 x 3
    net, poly, dead = (_lib.dense_hopfield_p() for _ in range(3))
    lib.bz_dense_hopfield_create(ctypes.byref(net), patterns, 2, 3, 1.0)
    lib.bz_dense_hopfield_create_polynomial(ctypes.byref(poly), patterns, 2, 3, 3)
    lib.bz_dense_hopfield_create(ctypes.byref(dead), patterns, 2, 3, 1.0)
    lib.bz_dense_hopfield_free(dead)
    out = ctypes.byref(_lib.dense_hopfield_p())
    e = np.empty(4).ctypes.data_as(_lib.f64p)

    def retrieve(states=None, rows=1, dim=3, steps=1, handle=None):
        return (handle or net, states if states is not None else f32(1, 1, 1), rows, dim, steps, NOFN, None)

    return [
        ("bz_dense_hopfield_create", (out, patterns, 0, 3, 1.0), bz.InvalidArgument, "n_patterns"),
        ("bz_dense_hopfield_create", (out, patterns, 2, 0, 1.0), bz.InvalidArgument, "dim"),
        ("bz_dense_hopfield_create", (out, patterns, 2, 3, NAN), bz.NumericError, "beta"),
        ("bz_dense_hopfield_create", (out, patterns, 2, 3, 0.0), bz.NumericError, "beta"),
        ("bz_dense_hopfield_create", (out, f32(1, 2, 3, 4, NAN, 6), 2, 3, 1.0), bz.NumericError, "patterns[1][1]"),
        ("bz_dense_hopfield_create", (out, None, 2, 3, 1.0), bz.NullPointerError, "patterns"),
        ("bz_dense_hopfield_create", (None, patterns, 2, 3, 1.0), bz.NullPointerError, "out"),
        ("bz_dense_hopfield_create_polynomial", (out, f32(1, -1, 0.5, 1, 1, 1), 2, 3, 3), bz.InvalidArgument, "patterns[0][2]"),
        ("bz_dense_hopfield_create_polynomial", (out, patterns, 2, 3, 1), bz.InvalidArgument, "degree"),
        ("bz_dense_hopfield_create_polynomial", (out, patterns, 2, 3, 33), bz.InvalidArgument, "degree"),
        ("bz_dense_hopfield_info", (dead, None, None, None, None, None), bz.InvalidHandle, "net"),
        ("bz_dense_hopfield_set_beta", (net, INF), bz.NumericError, "beta"),
        ("bz_dense_hopfield_set_beta", (poly, 2.0), bz.Unsupported, "polynomial"),
        ("bz_dense_hopfield_retrieve", retrieve(dim=4), bz.ShapeError, "dim"),
        ("bz_dense_hopfield_retrieve", retrieve(rows=-1), bz.InvalidArgument, "n_states"),
        ("bz_dense_hopfield_retrieve", retrieve(steps=0), bz.InvalidArgument, "steps"),
        ("bz_dense_hopfield_retrieve", retrieve(states=f32(1, INF, 1)), bz.NumericError, "queries[0][1]"),
        ("bz_dense_hopfield_retrieve", retrieve(states=f32(1, 0.5, 1), handle=poly), bz.InvalidArgument, "queries[0][1]"),
        ("bz_dense_hopfield_retrieve", (net, None, 1, 3, 1, NOFN, None), bz.NullPointerError, "states"),
        ("bz_dense_hopfield_retrieve", retrieve(handle=dead), bz.InvalidHandle, "net"),
        ("bz_dense_hopfield_energy", (net, f32(1, 1, 1), 1, 3, None), bz.NullPointerError, "energies"),
        ("bz_dense_hopfield_energy", (net, f32(1, 1, 1), 2**50, 3, e), bz.InvalidArgument, "n_states"),
        ("bz_dense_hopfield_energy", (net, f32(1, NAN, 1), 1, 3, e), bz.NumericError, "states[0][1]"),
    ]


def learned_score_cases():
    """bz_score_create_mlp and the calls that train and persist learned scores."""
    def f32(*values):
        return np.array(values, np.float32).ctypes.data_as(_lib.f32p)

    sde, model, mixture, dead = _lib.sde_p(), _lib.score_p(), _lib.score_p(), _lib.score_p()
    lib.bz_sde_create_vp(ctypes.byref(sde), 0, 0.1, 20.0)
    widths = ints(8, 8)
    lib.bz_score_create_mlp(ctypes.byref(model), 2, widths.ctypes.data_as(_lib.i64p), 2, 0, 4, 1.0, 0, 1)
    lib.bz_score_create_mlp(ctypes.byref(dead), 2, widths.ctypes.data_as(_lib.i64p), 2, 0, 4, 1.0, 0, 1)
    lib.bz_score_free(dead)
    conditional = _lib.score_p()
    lib.bz_score_create_mlp_ex(ctypes.byref(conditional), 2, widths.ctypes.data_as(_lib.i64p), 2, 0, 4, 1.0, 3, 0.5, 3, 1)
    lib.bz_score_create_gmm(ctypes.byref(mixture), f64(arr(1.0)), f64(arr(0.0, 0.0)), f64(arr(1.0, 1.0)), 1, 2, 1)
    out = ctypes.byref(_lib.score_p())
    folder = tempfile.mkdtemp()
    saved = os.path.join(folder, "model.bzmlp")
    lib.bz_score_save(model, saved.encode())
    good = open(saved, "rb").read()
    future = good[:8] + bytes([3]) + good[9:-4]  # a later format version, checksummed as that version would be
    damaged = {"truncated": good[:-9], "checksum": good[:60] + bytes([good[60] ^ 1]) + good[61:], "magic": b"PK" + good[2:],
               "version": future + zlib.crc32(future).to_bytes(4, "little")}
    paths = {}
    for name, content in damaged.items():
        paths[name] = saved + "." + name
        with open(paths[name], "wb") as f:
            f.write(content)

    def raw(b):
        return (ctypes.c_uint8 * len(b)).from_buffer_copy(b)

    def options(**fields):
        return struct_options(lib.bz_train_options_init, **fields)

    data = f32(0, 0, 1, 1, -1, 0.5)
    losses = np.empty(4).ctypes.data_as(_lib.f64p)

    def fit(handle=None, opts=None, x=data, n=3, dim=2, progress=NOFN, sde_handle=None):
        return (handle or model, sde_handle or sde, x, n, dim, opts or options(steps=4, batch_size=2), 1, losses, progress, None)

    def create(dim=2, hidden=widths, n_hidden=2, embedding=0, size=4, scale=1.0, prediction=0, out_=out):
        return (out_, dim, None if hidden is None else hidden.ctypes.data_as(_lib.i64p), n_hidden, embedding, size, scale,
                prediction, 1)

    def info(handle=None, hidden=None, capacity=0):
        return (handle or model, None, hidden, capacity, None, None, None, None, None, None)

    def create_ex(sigma_data=0.5, classes=3, out_=out):
        return (out_, 2, widths.ctypes.data_as(_lib.i64p), 2, 0, 4, 1.0, 3, sigma_data, classes, 1)

    def i32(*values):
        return np.array(values, np.int32).ctypes.data_as(_lib.i32p)

    def fit_labels(handle=None, labels=i32(0, 1, 2), opts=None, x=data):
        return (handle or model, sde, x, labels, 3, 2, opts or options(steps=4, batch_size=2), 1, losses, NOFN, None)

    return [
        ("bz_score_create_mlp", create(dim=0), bz.InvalidArgument, "dim"),
        ("bz_score_create_mlp", create(n_hidden=0), bz.InvalidArgument, "n_hidden"),
        ("bz_score_create_mlp", create(hidden=None), bz.NullPointerError, "hidden"),
        ("bz_score_create_mlp", create(hidden=ints(8, 0)), bz.InvalidArgument, "hidden[1]"),
        ("bz_score_create_mlp", create(hidden=ints(65536, 65536)), bz.InvalidArgument, "parameters"),
        ("bz_score_create_mlp", create(embedding=2), bz.InvalidArgument, "embedding"),
        ("bz_score_create_mlp", create(size=3), bz.InvalidArgument, "embedding_size"),
        ("bz_score_create_mlp", create(scale=NAN), bz.InvalidArgument, "embedding_scale"),
        ("bz_score_create_mlp", create(scale=0.0), bz.InvalidArgument, "embedding_scale"),
        ("bz_score_create_mlp", create(prediction=4), bz.InvalidArgument, "prediction"),
        ("bz_score_create_mlp_ex", create_ex(classes=-1), bz.InvalidArgument, "n_classes"),
        ("bz_score_create_mlp_ex", create_ex(classes=70000), bz.InvalidArgument, "n_classes"),
        ("bz_score_create_mlp_ex", create_ex(sigma_data=0.0), bz.InvalidArgument, "sigma_data"),
        ("bz_score_create_mlp_ex", create_ex(sigma_data=NAN), bz.InvalidArgument, "sigma_data"),
        ("bz_score_create_mlp_ex", create_ex(out_=None), bz.NullPointerError, "out"),
        ("bz_score_create_mlp", create(out_=None), bz.NullPointerError, "out"),
        ("bz_score_mlp_info", info(handle=mixture), bz.Unsupported, "learned"),
        ("bz_score_mlp_info", info(hidden=np.empty(1, np.int64).ctypes.data_as(_lib.i64p), capacity=1), bz.ShapeError,
         "hidden_capacity"),
        ("bz_score_mlp_info", info(handle=dead), bz.InvalidHandle, "score"),
        ("bz_score_mlp_sigma_data", (mixture, ctypes.byref(ctypes.c_double())), bz.Unsupported, "learned"),
        ("bz_score_mlp_sigma_data", (model, None), bz.NullPointerError, "out_sigma_data"),
        ("bz_score_mlp_sigma_data", (dead, ctypes.byref(ctypes.c_double())), bz.InvalidHandle, "score"),
        ("bz_train_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_score_fit", fit(handle=mixture), bz.Unsupported, "learned"),
        ("bz_score_fit", fit(dim=3), bz.ShapeError, "dim"),
        ("bz_score_fit", fit(n=0), bz.InvalidArgument, "n"),
        ("bz_score_fit", fit(x=None), bz.NullPointerError, "data"),
        ("bz_score_fit", fit(x=f32(0, 0, 1, INF)), bz.NumericError, "data[1][1]"),
        ("bz_score_fit", fit(opts=options(version=7)), bz.InvalidArgument, "options.version"),
        ("bz_score_fit", fit(opts=options(steps=0)), bz.InvalidArgument, "steps"),
        ("bz_score_fit", fit(opts=options(batch_size=0)), bz.InvalidArgument, "batch_size"),
        ("bz_score_fit", fit(opts=options(learning_rate=-1.0)), bz.InvalidArgument, "learning_rate"),
        ("bz_score_fit", fit(opts=options(final_learning_rate=INF)), bz.InvalidArgument, "final_learning_rate"),
        ("bz_score_fit", fit(opts=options(warmup=-1)), bz.InvalidArgument, "warmup"),
        ("bz_score_fit", fit(opts=options(clip=NAN)), bz.InvalidArgument, "clip"),
        ("bz_score_fit", fit(opts=options(ema=1.0)), bz.InvalidArgument, "ema"),
        ("bz_score_fit", fit(opts=options(epsilon=0.0)), bz.InvalidArgument, "epsilon"),
        ("bz_score_fit", fit(opts=options(weighting=2)), bz.InvalidArgument, "options.weighting"),
        ("bz_score_fit", fit(opts=options(steps=4, batch_size=2, learning_rate=1e30, clip=0.0, warmup=0)), bz.NumericError,
         "diverged"),
        ("bz_score_fit", fit(progress=STOP, opts=options(steps=4, batch_size=2)), bz.Cancelled, "progress callback"),
        ("bz_score_fit", fit(sde_handle=ctypes.cast(dead, _lib.sde_p)), bz.InvalidHandle, "sde"),
        ("bz_score_fit", fit(handle=conditional), bz.InvalidArgument, "needs a label per data row"),
        ("bz_score_fit_labels", fit_labels(), bz.InvalidArgument, "no classes"),
        ("bz_score_fit_labels", fit_labels(handle=conditional, labels=None), bz.NullPointerError, "labels"),
        ("bz_score_fit_labels", fit_labels(handle=conditional, labels=i32(0, 3, 1)), bz.InvalidArgument, "labels[1]"),
        ("bz_score_fit_labels", fit_labels(handle=conditional, labels=i32(0, -1, 1)), bz.InvalidArgument, "labels[1]"),
        ("bz_score_fit_labels", fit_labels(handle=conditional, opts=options(label_dropout=1.0)), bz.InvalidArgument,
         "label_dropout"),
        ("bz_score_fit_labels", fit_labels(handle=conditional, x=None), bz.NullPointerError, "data"),
        ("bz_score_fit_labels", fit_labels(handle=mixture), bz.Unsupported, "learned"),
        ("bz_score_save", (model, None), bz.NullPointerError, "path"),
        ("bz_score_save", (model, b""), bz.InvalidArgument, "path"),
        ("bz_score_save", (model, b"/nonexistent/dir/x.bzmlp"), bz.BoltzmannIOError, "nonexistent"),
        ("bz_score_save", (mixture, saved.encode()), bz.Unsupported, "learned"),
        ("bz_score_load", (out, b"/nonexistent/x.bzmlp"), bz.BoltzmannIOError, "nonexistent"),
        ("bz_score_load", (out, paths["truncated"].encode()), bz.FormatError, "truncated"),
        ("bz_score_load", (out, paths["checksum"].encode()), bz.FormatError, "checksum"),
        ("bz_score_load", (out, paths["magic"].encode()), bz.FormatError, "magic"),
        ("bz_score_load", (out, paths["version"].encode()), bz.FormatError, "version 3"),
        ("bz_score_load", (None, saved.encode()), bz.NullPointerError, "out"),
        ("bz_score_serialized_size", (model, None), bz.NullPointerError, "out_size"),
        ("bz_score_serialized_size", (mixture, ctypes.byref(ctypes.c_int64())), bz.Unsupported, "learned"),
        ("bz_score_serialize", (model, raw(good), len(good) - 1), bz.ShapeError, "size"),
        ("bz_score_serialize", (model, None, len(good)), bz.NullPointerError, "out"),
        ("bz_score_deserialize", (out, raw(good[:40]), 40), bz.FormatError, "truncated"),
        ("bz_score_deserialize", (out, raw(good), -1), bz.InvalidArgument, "size"),
        ("bz_score_deserialize", (out, None, 4), bz.NullPointerError, "bytes"),
        ("bz_score_deserialize", (out, raw(b"BZRBM\r\n\x1a" + good[8:]), len(good)), bz.FormatError, "magic"),
    ]


def diffusion_cases():
    def f32(*values):
        return np.array(values, np.float32).ctypes.data_as(_lib.f32p)

    def f64s(*values):
        return np.array(values, np.float64).ctypes.data_as(_lib.f64p)

    def i32s(*values):
        return np.array(values, np.int32).ctypes.data_as(_lib.i32p)

    def u8s(*values):
        return np.array(values, np.uint8).ctypes.data_as(_lib.u8p)

    sde, score, empirical, dead = _lib.sde_p(), _lib.score_p(), _lib.score_p(), _lib.sde_p()
    lib.bz_sde_create_vp(ctypes.byref(sde), 0, 0.1, 20.0)
    lib.bz_sde_create_vp(ctypes.byref(dead), 0, 0.1, 20.0)
    lib.bz_sde_free(dead)
    lib.bz_score_create_gmm(ctypes.byref(score), f64s(1, 1), f64s(0, 0, 1, 1), f64s(0.1, 0.1, 0.1, 0.1), 2, 2, 1)
    lib.bz_score_create_empirical(ctypes.byref(empirical), f32(0, 0, 1, 1), 2, 2)
    subvp = _lib.sde_p()
    lib.bz_sde_create_vp(ctypes.byref(subvp), 1, 0.1, 20.0)
    out_sde, out_score = ctypes.byref(_lib.sde_p()), ctypes.byref(_lib.score_p())
    d = np.empty(4).ctypes.data_as(_lib.f64p)
    x = f32(0.5, 0.5, -0.5, 0.5)
    out = np.empty(64, np.float32).ctypes.data_as(_lib.f32p)
    options = _lib.bz_sampler_options()
    lib.bz_sampler_options_init(ctypes.byref(options))
    bad_version = _lib.bz_sampler_options()
    lib.bz_sampler_options_init(ctypes.byref(bad_version))
    bad_version.version = 99
    no_steps = _lib.bz_sampler_options()
    lib.bz_sampler_options_init(ctypes.byref(no_steps))
    no_steps.steps = 0
    record = np.array([5, 3], np.int64).ctypes.data_as(_lib.i64p)
    loose = _lib.bz_sampler_options()
    lib.bz_sampler_options_init(ctypes.byref(loose))
    loose.rtol = 0.0

    def changed(**fields):
        struct = _lib.bz_sampler_options()
        lib.bz_sampler_options_init(ctypes.byref(struct))
        for name, value in fields.items():
            setattr(struct, name, value)
        return struct

    inverted = changed(sigma_min=2.0, sigma_max=1.0)
    too_noisy = changed(sigma_max=1e6)
    churned, noisy_ddim, bad_grid, flat = changed(s_churn=5.0), changed(eta=1.5), changed(grid=3), changed(rho=0.0)
    times = np.empty(1001).ctypes.data_as(_lib.f64p)
    nfe = ctypes.byref(ctypes.c_int64())

    def likelihood_options(**fields):
        struct = _lib.bz_likelihood_options()
        lib.bz_likelihood_options_init(ctypes.byref(struct))
        for name, value in fields.items():
            setattr(struct, name, value)
        return ctypes.byref(struct)

    label_rows = np.zeros(2, np.int32)
    nan_rows = np.array([NAN, 0, 0, 0], np.float32)
    mask_rows = np.array([1, 0, 1, 0], np.uint8)
    labeled = changed(labels=label_rows.ctypes.data_as(_lib.i32p))
    guided_only = changed(guidance=2.0)
    half_known = changed(known=nan_rows.ctypes.data_as(_lib.f32p))
    bad_known = changed(known=nan_rows.ctypes.data_as(_lib.f32p), known_mask=mask_rows.ctypes.data_as(_lib.u8p))
    for struct in (labeled, half_known, bad_known):
        struct.arrays = (label_rows, nan_rows, mask_rows)  # the pointers' arrays live as long as the structs
    resampled = changed(resample=3)
    callback = _lib.score_p()
    lib.bz_score_create_callback(ctypes.byref(callback), 2, ZERO_SCORE, None)
    densities = np.empty(2).ctypes.data_as(_lib.f64p)

    def likelihood(handle=None, x_=None, n=2, dim=2, opts=None, out_=None):
        return (handle or score, sde, x if x_ is None else x_, n, dim, opts, 1, densities if out_ is None else out_, None, None,
                NOFN, None)

    def sample(handle=None, sde_handle=None, n=2, dim=2, method=0, opts=None, out_=None, rec=None, n_rec=0, traj=None):
        return (handle or score, sde_handle or sde, n, dim, method, ctypes.byref(opts or options), 1,
                out if out_ is None else out_, rec, n_rec, traj, NOFN, None)

    quadratic = _lib.bz_energy_fn(lambda user, x, dim, gradient: 0.0)
    not_a_number = _lib.bz_energy_fn(lambda user, x, dim, gradient: float("nan"))
    chains = np.zeros(4).ctypes.data_as(_lib.f64p)

    def langevin(energy=quadratic, handle=None, sde_handle=None, t=0.5, states=chains, n=2, dim=2, method=0, steps=3, h=0.1):
        return (energy, None, handle, sde_handle, t, states, n, dim, method, steps, h, 1, None, NOFN, None)

    return [
        ("bz_langevin", langevin(handle=score), bz.InvalidArgument, "exactly one target"),
        ("bz_langevin", langevin(energy=_lib.bz_energy_fn()), bz.InvalidArgument, "exactly one target"),
        ("bz_langevin", langevin(method=2), bz.InvalidArgument, "method"),
        ("bz_langevin", langevin(steps=0), bz.InvalidArgument, "steps"),
        ("bz_langevin", langevin(h=-1.0), bz.InvalidArgument, "step_size"),
        ("bz_langevin", langevin(n=0), bz.InvalidArgument, "n_chains"),
        ("bz_langevin", langevin(states=None), bz.NullPointerError, "states"),
        ("bz_langevin", langevin(states=f64s(0, NAN, 0, 0)), bz.NumericError, "states[0][1]"),
        ("bz_langevin", langevin(energy=not_a_number), bz.NumericError, "not finite"),
        ("bz_langevin", langevin(energy=_lib.bz_energy_fn(), handle=empirical, sde_handle=sde), bz.Unsupported, "density"),
        ("bz_langevin", langevin(energy=_lib.bz_energy_fn(), handle=score, sde_handle=sde, t=0.0), bz.InvalidArgument, "t must be in"),
        ("bz_langevin", langevin(energy=_lib.bz_energy_fn(), handle=score, sde_handle=dead), bz.InvalidHandle, "sde"),
        ("bz_ito_integral", (1, 10, 1.0, 1, None, None, None, None), bz.InvalidArgument, "paths"),
        ("bz_ito_integral", (10, 0, 1.0, 1, None, None, None, None), bz.InvalidArgument, "steps"),
        ("bz_ito_integral", (10, 10, NAN, 1, None, None, None, None), bz.InvalidArgument, "t must be"),
        ("bz_sde_create_vp", (out_sde, 2, 0.1, 20.0), bz.InvalidArgument, "kind"),
        ("bz_sde_create_vp", (out_sde, 0, -0.1, 20.0), bz.InvalidArgument, "beta_min"),
        ("bz_sde_create_vp", (out_sde, 0, 0.1, NAN), bz.InvalidArgument, "beta_max"),
        ("bz_sde_create_vp", (None, 0, 0.1, 20.0), bz.NullPointerError, "out"),
        ("bz_sde_create_ve", (out_sde, 1.0, 0.5), bz.InvalidArgument, "sigma_min < sigma_max"),
        ("bz_sde_create_ddpm", (out_sde, 0, 0, 1e-4, 0.02), bz.InvalidArgument, "steps"),
        ("bz_sde_create_ddpm", (out_sde, 100, 2, 1e-4, 0.02), bz.InvalidArgument, "schedule"),
        ("bz_sde_create_ddpm", (out_sde, 100, 0, 0.02, 1e-4), bz.InvalidArgument, "beta_start"),
        ("bz_sde_create_ddpm", (out_sde, 100, 1, 1.5, 0.0), bz.InvalidArgument, "offset"),
        ("bz_sde_info", (dead, None, None), bz.InvalidHandle, "sde"),
        ("bz_sde_coefficients", (sde, f64s(0.5, 1.5), 2, d, d, d, d), bz.InvalidArgument, "times[1]"),
        ("bz_sde_coefficients", (sde, None, 2, d, d, d, d), bz.NullPointerError, "times"),
        ("bz_sde_coefficients", (sde, f64s(0.5), 0, d, d, d, d), bz.InvalidArgument, "n"),
        ("bz_sde_time_of_snr", (sde, f64s(1.0, -1.0), 2, d), bz.InvalidArgument, "snr[1]"),
        ("bz_sde_time_of_snr", (sde, f64s(1.0), 1, None), bz.NullPointerError, "times"),
        ("bz_sde_perturb", (sde, x, 2, 2, f64s(0.5, 0.0), 1, out, None), bz.InvalidArgument, "times[1]"),
        # A dim past BZ_LIMIT_DIMENSION is refused before the 4-value buffer is read.
        ("bz_sde_perturb", (sde, x, 1, 2**30, f64s(0.5), 1, out, None), bz.InvalidArgument, "dim must be in [1, 2^24]"),
        ("bz_sde_perturb", (sde, f32(0, NAN, 0, 0), 2, 2, f64s(0.5, 0.5), 1, out, None), bz.NumericError, "x0[0][1]"),
        ("bz_sde_perturb", (sde, x, 2, 2, f64s(0.5, 0.5), 1, None, None), bz.NullPointerError, "xt"),
        ("bz_sde_perturb", (sde, x, 2, 0, f64s(0.5, 0.5), 1, out, None), bz.InvalidArgument, "dim"),
        ("bz_score_create_gmm", (out_score, f64s(1, -1), f64s(0, 0, 1, 1), f64s(1, 1, 1, 1), 2, 2, 1), bz.InvalidArgument, "weights[1]"),
        ("bz_score_create_gmm", (out_score, f64s(1, 1), f64s(0, 0, 1, 1), f64s(1, 0, 1, 1), 2, 2, 1), bz.InvalidArgument, "variance"),
        ("bz_score_create_gmm", (out_score, f64s(1), f64s(0, 0), f64s(1, 2, 2, 1), 1, 2, 0), bz.InvalidArgument, "positive definite"),
        ("bz_score_create_gmm", (out_score, f64s(1), f64s(0, 0), f64s(1, 0.5, 0.2, 1), 1, 2, 0), bz.InvalidArgument, "symmetric"),
        ("bz_score_create_gmm", (out_score, f64s(1), f64s(0, NAN), f64s(1, 1), 1, 2, 1), bz.NumericError, "means[1]"),
        ("bz_score_create_gmm", (out_score, f64s(1), f64s(0, 0), f64s(1, 1), 0, 2, 1), bz.InvalidArgument, "n_components"),
        ("bz_score_create_gmm", (out_score, f64s(1), f64s(0, 0), f64s(1, 1), 1, 2, 3), bz.InvalidArgument, "diagonal"),
        ("bz_score_create_gmm", (out_score, f64s(1), None, f64s(1, 1), 1, 2, 1), bz.NullPointerError, "means"),
        ("bz_score_create_empirical", (out_score, f32(0, INF), 1, 2), bz.NumericError, "data[0][1]"),
        ("bz_score_create_empirical", (out_score, x, 0, 2), bz.InvalidArgument, "n"),
        ("bz_score_create_empirical", (out_score, None, 1, 2), bz.NullPointerError, "data"),
        ("bz_score_create_callback", (out_score, 2, _lib.bz_score_fn(), None), bz.NullPointerError, "fn"),
        ("bz_score_create_callback", (out_score, 0, ZERO_SCORE, None), bz.InvalidArgument, "dim"),
        ("bz_score_create_callback", (None, 2, ZERO_SCORE, None), bz.NullPointerError, "out"),
        ("bz_score_dim", (score, None), bz.NullPointerError, "out_dim"),
        ("bz_score_dim", (ctypes.cast(dead, _lib.score_p), ctypes.byref(ctypes.c_int64())), bz.InvalidHandle, "score"),
        ("bz_score_eval", (score, sde, x, 2, 3, 0.5, out, None), bz.ShapeError, "dim"),
        ("bz_score_eval", (score, sde, x, 2, 2, 1.5, out, None), bz.InvalidArgument, "t must be in"),
        ("bz_score_eval", (score, sde, f32(0, NAN, 0, 0), 2, 2, 0.5, out, None), bz.NumericError, "x[0][1]"),
        ("bz_score_eval", (score, dead, x, 2, 2, 0.5, out, None), bz.InvalidHandle, "sde"),
        ("bz_score_gmm_log_density", (empirical, sde, f64s(0, 0), 1, 2, 0.5, d, None), bz.Unsupported, "mixture"),
        ("bz_score_gmm_log_density", (score, sde, f64s(0, 0), 1, 2, 0.5, None, None), bz.NullPointerError, "log_density"),
        ("bz_score_gmm_log_density", (score, sde, f64s(0, NAN), 1, 2, 0.5, d, None), bz.NumericError, "x[0][1]"),
        ("bz_score_gmm_sample", (score, -1, 1, out), bz.InvalidArgument, "n"),
        ("bz_score_gmm_sample", (score, 2, 1, None), bz.NullPointerError, "out"),
        ("bz_sampler_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_diffusion_sample", sample(method=-1), bz.InvalidArgument, "method"),
        ("bz_diffusion_sample", sample(dim=3), bz.ShapeError, "dim"),
        ("bz_diffusion_sample", sample(opts=bad_version), bz.InvalidArgument, "options.version"),
        ("bz_diffusion_sample", sample(opts=no_steps), bz.InvalidArgument, "steps"),
        ("bz_diffusion_sample", sample(n=-1), bz.InvalidArgument, "n"),
        ("bz_diffusion_sample", sample(out_=ctypes.POINTER(ctypes.c_float)()), bz.NullPointerError, "out"),
        ("bz_diffusion_sample", sample(rec=record, n_rec=2, traj=out), bz.InvalidArgument, "record"),
        ("bz_diffusion_sample", sample(rec=record, n_rec=1, traj=None), bz.NullPointerError, "trajectory"),
        ("bz_diffusion_sample", sample(method=4, sde_handle=subvp), bz.Unsupported, "sub-VP"),
        ("bz_diffusion_sample", sample(method=7, opts=loose), bz.InvalidArgument, "rtol"),
        ("bz_diffusion_sample", sample(method=7, rec=record, n_rec=1, traj=out), bz.Unsupported, "trajectory"),
        ("bz_diffusion_sample", sample(method=13), bz.InvalidArgument, "BZ_SAMPLE_UNIPC (12)"),
        ("bz_diffusion_sample", sample(method=8, opts=inverted), bz.InvalidArgument, "sigma_min must be below sigma_max"),
        ("bz_diffusion_sample", sample(method=8, opts=too_noisy), bz.InvalidArgument, "above the process's largest noise level"),
        ("bz_diffusion_sample", sample(method=9, opts=churned), bz.InvalidArgument, "s_churn is the EDM sampler's"),
        ("bz_diffusion_sample", sample(method=9, opts=noisy_ddim), bz.InvalidArgument, "eta must be in [0, 1]"),
        ("bz_diffusion_sample", sample(method=10, opts=bad_grid), bz.InvalidArgument, "options.grid"),
        ("bz_diffusion_sample", sample(method=8, opts=flat), bz.InvalidArgument, "rho"),
        ("bz_diffusion_sample", sample(method=7, opts=inverted), bz.Unsupported, "no grid"),
        ("bz_score_create_gmm_classes", (out_score, f64s(1, 1), f64s(0, 0, 1, 1), f64s(0.1, 0.1, 0.1, 0.1),
                                         i32s(0, 2), 2, 2, 1), bz.InvalidArgument, "classes[1] must be in"),
        ("bz_score_create_gmm_classes", (out_score, f64s(1, 1), f64s(0, 0, 1, 1), f64s(0.1, 0.1, 0.1, 0.1),
                                         i32s(1, 1), 2, 2, 1), bz.InvalidArgument, "every label"),
        ("bz_score_create_gmm_classes", (out_score, f64s(1, 1), f64s(0, 0, 1, 1), f64s(0.1, 0.1, 0.1, 0.1),
                                         None, 2, 2, 1), bz.NullPointerError, "classes"),
        ("bz_score_classes", (score, None), bz.NullPointerError, "out_n_classes"),
        ("bz_score_classes", (ctypes.cast(dead, _lib.score_p), ctypes.byref(ctypes.c_int64())), bz.InvalidHandle, "score"),
        ("bz_score_gmm_info", (empirical, None, None), bz.Unsupported, "mixture"),
        ("bz_score_gmm_parameters", (empirical, None, None, None, None), bz.Unsupported, "mixture"),
        ("bz_score_gmm_condition", (out_score, score, f64s(0, 0), u8s(1, 1), 2), bz.InvalidArgument, "nothing is left"),
        ("bz_score_gmm_condition", (out_score, score, f64s(0, 0), u8s(2, 0), 2), bz.InvalidArgument, "known_mask[0]"),
        ("bz_score_gmm_condition", (out_score, score, f64s(NAN, 0), u8s(1, 0), 2), bz.NumericError, "values[0]"),
        ("bz_score_gmm_condition", (out_score, score, f64s(0, 0), u8s(1, 0), 3), bz.ShapeError, "dim"),
        ("bz_score_gmm_condition", (out_score, empirical, f64s(0, 0), u8s(1, 0), 2), bz.Unsupported, "mixture"),
        ("bz_score_gmm_condition", (out_score, score, f64s(0, 0), None, 2), bz.NullPointerError, "known_mask"),
        ("bz_diffusion_sample", sample(opts=labeled), bz.Unsupported, "no classes"),
        ("bz_diffusion_sample", sample(opts=guided_only), bz.InvalidArgument, "guidance needs labels"),
        ("bz_diffusion_sample", sample(opts=half_known), bz.NullPointerError, "known_mask"),
        ("bz_diffusion_sample", sample(opts=bad_known), bz.NumericError, "known[0][0]"),
        ("bz_diffusion_sample", sample(opts=resampled), bz.InvalidArgument, "resample is for inpainting"),
        ("bz_likelihood_options_init", (None,), bz.NullPointerError, "options"),
        ("bz_diffusion_log_likelihood", likelihood(handle=callback), bz.Unsupported, "no Jacobian"),
        ("bz_diffusion_log_likelihood", likelihood(handle=empirical), bz.Unsupported, "no Jacobian"),
        ("bz_diffusion_log_likelihood", likelihood(dim=3), bz.ShapeError, "dim"),
        ("bz_diffusion_log_likelihood", likelihood(n=0), bz.InvalidArgument, "n"),
        ("bz_diffusion_log_likelihood", likelihood(x_=f32(0, NAN, 0, 0)), bz.NumericError, "x[0][1]"),
        ("bz_diffusion_log_likelihood", likelihood(x_=ctypes.POINTER(ctypes.c_float)()), bz.NullPointerError, "x"),
        ("bz_diffusion_log_likelihood", likelihood(out_=ctypes.POINTER(ctypes.c_double)()), bz.NullPointerError, "log_density"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(divergence=2)), bz.InvalidArgument, "options.divergence"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(probes=3)), bz.InvalidArgument, "probes is Hutchinson's"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(divergence=1, probes=0)), bz.InvalidArgument, "probes"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(epsilon=1.0)), bz.InvalidArgument, "epsilon"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(rtol=0.0)), bz.InvalidArgument, "rtol"),
        ("bz_diffusion_log_likelihood", likelihood(opts=likelihood_options(version=2)), bz.InvalidArgument, "options.version"),
        ("bz_diffusion_nfe", (8, ctypes.byref(options), None), bz.NullPointerError, "out_nfe"),
        ("bz_diffusion_nfe", (7, ctypes.byref(options), nfe), bz.Unsupported, "adaptive"),
        ("bz_diffusion_nfe", (8, ctypes.byref(no_steps), nfe), bz.InvalidArgument, "steps"),
        ("bz_diffusion_nfe", (13, ctypes.byref(options), nfe), bz.InvalidArgument, "method"),
        ("bz_diffusion_nfe", (8, ctypes.byref(bad_version), nfe), bz.InvalidArgument, "options.version"),
        ("bz_diffusion_grid", (sde, 8, ctypes.byref(options), times, 1000), bz.InvalidArgument, "n_times must be steps + 1 = 1001"),
        ("bz_diffusion_grid", (sde, 8, ctypes.byref(options), None, 1001), bz.NullPointerError, "times"),
        ("bz_diffusion_grid", (sde, 8, ctypes.byref(inverted), times, 1001), bz.InvalidArgument, "sigma_min"),
        ("bz_diffusion_grid", (sde, 7, ctypes.byref(options), times, 1001), bz.Unsupported, "no grid"),
        ("bz_diffusion_grid", (dead, 8, ctypes.byref(options), times, 1001), bz.InvalidHandle, "sde"),
        ("bz_toy_data", (7, 10, 1, -1.0, out), bz.InvalidArgument, "kind"),
        ("bz_toy_data", (0, -1, 1, -1.0, out), bz.InvalidArgument, "n"),
        ("bz_toy_data", (0, 10, 1, NAN, out), bz.NumericError, "scale"),
        ("bz_toy_data", (0, 10, 1, -1.0, None), bz.NullPointerError, "out"),
        ("bz_energy_distance", (x, 1, x, 2, 2, d), bz.InvalidArgument, "x needs at least 2"),
        ("bz_energy_distance", (x, 2, f32(0, NAN, 0, 0), 2, 2, d), bz.NumericError, "y[0][1]"),
        ("bz_energy_distance", (x, 2, x, 2, 2, None), bz.NullPointerError, "out"),
        ("bz_mmd", (x, 2, x, 2, 2, f64s(1.0, 0.0), 2, d), bz.InvalidArgument, "bandwidths[1]"),
        ("bz_mmd", (x, 2, x, 2, 2, None, 1, d), bz.NullPointerError, "bandwidths"),
        ("bz_mmd", (x, 2, None, 2, 2, f64s(1.0), 1, d), bz.NullPointerError, "y"),
        ("bz_sliced_wasserstein", (x, 2, x, 2, 2, 0, 1, d), bz.InvalidArgument, "projections"),
        ("bz_sliced_wasserstein", (x, 0, x, 2, 2, 10, 1, d), bz.InvalidArgument, "n must be"),
        ("bz_mode_coverage", (x, 2, 2, f64s(0, 0), f64s(-1.0), 1, d, None), bz.InvalidArgument, "stds[0]"),
        ("bz_mode_coverage", (x, 2, 2, f64s(0, 0), f64s(1.0), 0, d, None), bz.InvalidArgument, "n_modes"),
        ("bz_mode_coverage", (x, 2, 2, f64s(0, 0), f64s(1.0), 1, None, None), bz.NullPointerError, "out_covered"),
    ]
