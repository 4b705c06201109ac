"""Loading libboltzmann.so and declaring every C function it exports.

``SIGNATURES`` is the binding's whole view of ``include/boltzmann.h``;
``tests/test_header.py`` parses the header with pycparser and checks this table
against it, so the two cannot drift. Functions returning ``bz_status`` raise the
matching :mod:`boltzmann.errors` exception, with ``bz_last_error()`` as message,
through ctypes' ``errcheck``. ctypes releases the GIL during every call.
"""

import ctypes
import os
from ctypes import POINTER, c_char_p, c_double, c_int32, c_int64, c_void_p
from pathlib import Path

from .errors import error_for

#: The library major version and ABI version this binding speaks.
VERSION_MAJOR = 0
ABI_VERSION = 1


class bz_spectrum(ctypes.Structure):
    """Opaque ``bz_spectrum``: only pointers to it exist, so a wrong handle type is a TypeError."""


class Status:
    """Marker: the function returns ``bz_status`` (an ``int32_t`` checked by ``errcheck``)."""


f64p = POINTER(c_double)
i64p = POINTER(c_int64)
spectrum_p = POINTER(bz_spectrum)

SIGNATURES = {
    # core
    "bz_status_string": (c_char_p, [c_int32]),
    "bz_last_error": (c_char_p, []),
    "bz_version_number": (c_int32, []),
    "bz_version_string": (c_char_p, []),
    "bz_abi_version": (c_int32, []),
    "bz_set_num_threads": (Status, [c_int32]),
    "bz_get_num_threads": (c_int32, []),
    "bz_free": (None, [c_void_p]),
    # thermodynamics
    "bz_spectrum_create": (Status, [POINTER(spectrum_p), f64p, f64p, c_int64]),
    "bz_spectrum_create_log": (Status, [POINTER(spectrum_p), f64p, f64p, c_int64]),
    "bz_spectrum_free": (None, [spectrum_p]),
    "bz_spectrum_size": (Status, [spectrum_p, i64p]),
    "bz_spectrum_levels": (Status, [spectrum_p, f64p, f64p, c_int64]),
    "bz_spectrum_thermo": (Status, [spectrum_p, f64p, c_int64, f64p, f64p, f64p, f64p, f64p]),
    "bz_spectrum_probabilities": (Status, [spectrum_p, c_double, f64p, c_int64]),
    "bz_spectrum_solve_beta": (Status, [spectrum_p, c_double, f64p]),
    "bz_spectrum_compose_default_limit": (c_int64, []),
    "bz_spectrum_compose": (Status, [POINTER(spectrum_p), spectrum_p, spectrum_p, c_int64]),
    # microstates
    "bz_log_multiplicity": (Status, [i64p, c_int64, f64p]),
    "bz_occupation_energy": (Status, [i64p, f64p, c_int64, f64p]),
    "bz_macrostate_count": (Status, [c_int64, c_int64, i64p]),
    "bz_macrostates_default_limit": (c_int64, []),
    "bz_macrostates": (Status, [c_int64, f64p, c_int64, c_int64, i64p, f64p, f64p, c_int64]),
    "bz_spectrum_create_microcanonical": (Status, [POINTER(spectrum_p), c_int64, f64p, c_int64, c_int64]),
    # occupations
    "bz_fermi_dirac": (Status, [f64p, c_int64, c_double, c_double, f64p]),
    "bz_mean_field_occupations": (Status, [f64p, c_int64, c_double, c_double, c_double, c_double,
                                           c_double, c_int64, f64p, i64p, f64p]),
}


def _candidates():
    """Where to look for the library, in order: $BOLTZMANN_LIBRARY, beside this package
    (a wheel), then the repository's release build folder (a checkout after ``make``)."""
    env = os.environ.get("BOLTZMANN_LIBRARY")
    if env:
        yield Path(env)
        return
    package = Path(__file__).resolve().parent
    yield package / "libboltzmann.so"
    repo = package.parents[2]
    yield repo / ".build" / "release" / "libboltzmann.so"


def _load():
    tried = []
    for path in _candidates():
        if path.is_file():
            break
        tried.append(str(path))
    else:
        raise ImportError(
            "libboltzmann.so not found (looked in: " + ", ".join(tried) + "). "
            "Build it with `make` at the repository root, or point BOLTZMANN_LIBRARY at it.")
    lib = ctypes.CDLL(str(path))
    if not hasattr(lib, "bz_abi_version"):
        raise ImportError(f"{path} is not libboltzmann (no bz_abi_version)")
    lib.bz_abi_version.restype = c_int32
    lib.bz_version_number.restype = c_int32
    major, abi = lib.bz_version_number() // 10000, lib.bz_abi_version()
    if major != VERSION_MAJOR or abi != ABI_VERSION:
        raise ImportError(
            f"{path} is libboltzmann major version {major}, ABI {abi}; this binding needs "
            f"major {VERSION_MAJOR}, ABI {ABI_VERSION}. Rebuild the library or reinstall the binding.")
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        if restype is Status:
            fn.restype = c_int32
            fn.errcheck = _check
        else:
            fn.restype = restype
    lib.path = path
    return lib


def _check(status, fn, args):
    if status != 0:
        raise error_for(status, lib.bz_last_error().decode("utf-8", "replace"))
    return status


lib = _load()
