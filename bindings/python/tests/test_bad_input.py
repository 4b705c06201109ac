"""Every exported function, driven with bad input at the C boundary (raw ctypes).

Each call must return a named status (raised here as the matching exception) whose
message names the argument, must never crash the interpreter, and must leave the
handles it was given usable. `test_every_function_is_covered` keeps this table in
step with the header.
"""

import ctypes
import math

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import _lib
from boltzmann._arrays import f64, i64

lib = _lib.lib
NAN, INF = math.nan, math.inf


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
