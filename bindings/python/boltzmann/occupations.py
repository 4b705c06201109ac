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
    """Fermi-Dirac occupations f = 1 / (1 + exp(beta (E - mu))), elementwise and overflow-free.

    Parameters
    ----------
    energies : array_like
        Level energies E (any shape).
    beta : float
        Inverse temperature.
    mu : float
        Chemical potential.

    Returns
    -------
    f : ndarray or float
        Occupations in [0, 1], of ``energies``' shape (a float for a scalar).

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.fermi_dirac([-1.0, 0.0, 1e6], beta=2.0).round(6).tolist()
    [0.880797, 0.5, 0.0]
    """
    e = np.asarray(energies, dtype=np.float64)
    flat = np.ascontiguousarray(e.ravel())
    out = np.empty(flat.size)
    lib.bz_fermi_dirac(arr.f64(flat), flat.size, float(beta), float(mu), arr.f64(out))
    return float(out[0]) if e.ndim == 0 else out.reshape(e.shape)


@dataclass(frozen=True, repr=False)
class MeanFieldResult(Result):
    """Self-consistent occupations of :func:`mean_field_occupations`.

    Attributes
    ----------
    occupations : ndarray, shape (n_levels,)
        f_i.
    iterations : int
        Iterations performed.
    residual : float
        max_i of the absolute change of f_i under one more iteration.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.mean_field_occupations([0.0, 1.0], U=0.0, beta=1.0)
    >>> bool(r.residual < 1e-12)
    True
    """

    occupations: np.ndarray
    iterations: int
    residual: float


def mean_field_occupations(energies, U, beta, mu=0.0, damping=0.5, tol=1e-12, max_iter=10_000):
    """Occupations of interacting levels in the mean-field approximation.

    Solves f_i = 1 / (1 + exp(beta (E_i + U sum_{j != i} f_j - mu))) by damped
    iteration f <- damping f + (1 - damping) Phi(f), from the Fermi-Dirac start.

    Parameters
    ----------
    energies : array_like, shape (n_levels,)
        Bare level energies E_i.
    U : float
        Interaction energy with each other occupied level.
    beta : float
        Inverse temperature.
    mu : float
        Chemical potential.
    damping : float
        In [0, 1): the weight of the old iterate.
    tol : float
        Stop when the largest change is below this.
    max_iter : int
        Give up after this many iterations.

    Returns
    -------
    MeanFieldResult

    Raises
    ------
    NotConverged
        When ``max_iter`` iterations pass first; its ``result`` attribute holds the
        last iterate as a :class:`MeanFieldResult`.

    Examples
    --------
    With U = 0 the levels are independent: Fermi-Dirac.

    >>> import numpy as np, boltzmann as bz
    >>> r = bz.mean_field_occupations([0.0, 1.0, 2.0], U=0.0, beta=2.0, mu=1.0)
    >>> bool(np.allclose(r.occupations, bz.fermi_dirac([0.0, 1.0, 2.0], 2.0, 1.0)))
    True
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
