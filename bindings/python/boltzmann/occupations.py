"""Level occupations: Fermi-Dirac, and the self-consistent mean field (the Hartree approximation)."""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import Result
from . import _arrays as arr
from ._lib import lib
from .errors import NotConverged

__all__ = ["fermi_dirac", "mean_field_occupations", "MeanFieldResult"]


def fermi_dirac(energies, beta, mu=0.0):
    """f = 1 / (1 + exp(beta (E - mu))), elementwise, shape of ``energies``; overflow-free."""
    e = np.asarray(energies, dtype=np.float64)
    flat = np.ascontiguousarray(e.ravel())
    out = np.empty(flat.size)
    lib.bz_fermi_dirac(arr.f64(flat), flat.size, float(beta), float(mu), arr.f64(out))
    return float(out[0]) if e.ndim == 0 else out.reshape(e.shape)


@dataclass(frozen=True, repr=False)
class MeanFieldResult(Result):
    """Self-consistent occupations: ``occupations`` (n_levels,), the ``iterations``
    performed, and the ``residual`` max_i |f_i - Phi(f)_i| of the returned f."""

    occupations: np.ndarray
    iterations: int
    residual: float


def mean_field_occupations(energies, U, beta, mu=0.0, damping=0.5, tol=1e-12, max_iter=10_000):
    """Occupations of interacting levels in the mean-field approximation.

    Solves f_i = 1 / (1 + exp(beta (E_i + U sum_{j != i} f_j - mu))) by damped
    iteration f <- damping f + (1 - damping) Phi(f), from the Fermi-Dirac start.

    Raises
    ------
    NotConverged
        When ``max_iter`` iterations pass first; its ``result`` attribute holds the
        last iterate as a :class:`MeanFieldResult`.
    """
    e = arr.vector(energies, "energies")
    f = np.empty(e.size)
    iterations, residual = ctypes.c_int64(), ctypes.c_double()
    try:
        lib.bz_mean_field_occupations(arr.f64(e), e.size, float(U), float(beta), float(mu),
                                      float(damping), float(tol), int(max_iter), arr.f64(f),
                                      ctypes.byref(iterations), ctypes.byref(residual))
    except NotConverged as error:
        error.result = MeanFieldResult(f, iterations.value, residual.value)
        raise
    return MeanFieldResult(f, iterations.value, residual.value)
