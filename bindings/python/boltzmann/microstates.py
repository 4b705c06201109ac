"""Microstates and multiplicities of N distinguishable units on L levels.

A macrostate is an occupation vector (n_0, ..., n_{L-1}) with sum n_l = N; its
energy is sum n_l e_l and its multiplicity W = N! / prod n_l! (Boltzmann 1877).
"""

from dataclasses import dataclass

import numpy as np

from ._display import Result
from . import _arrays as arr
from ._lib import lib
from .thermo import Spectrum

__all__ = ["Macrostates", "log_multiplicity", "occupation_energy", "macrostate_count",
           "macrostates", "microcanonical"]


def log_multiplicity(occupations):
    """ln W = ln N! - sum ln n_l! of one occupation vector.

    Parameters
    ----------
    occupations : array_like of int, shape (n_levels,)
        Units on each level (non-negative).

    Returns
    -------
    log_w : float
        The natural log of the number of microstates W.

    Examples
    --------
    >>> import boltzmann as bz, math
    >>> round(math.exp(bz.log_multiplicity([7, 2, 1])))  # 10! / (7! 2! 1!)
    360
    """
    n = arr.vector(occupations, "occupations", np.int64)
    return arr.outputs(lib.bz_log_multiplicity, arr.i64(n), n.size)


def occupation_energy(occupations, level_energies):
    """Total energy sum_l n_l e_l of one occupation vector.

    Parameters
    ----------
    occupations : array_like of int, shape (n_levels,)
        Units on each level (non-negative).
    level_energies : array_like, shape (n_levels,)
        Energy e_l of one unit on level l.

    Returns
    -------
    energy : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.occupation_energy([7, 2, 1], [0.0, 1.0, 2.0])  # 0*7 + 1*2 + 2*1
    4.0
    """
    n = arr.vector(occupations, "occupations", np.int64)
    e = arr.vector(level_energies, "level_energies")
    arr.same_length(n, e, "occupations", "level_energies")
    return arr.outputs(lib.bz_occupation_energy, arr.i64(n), arr.f64(e), n.size)


def macrostate_count(n_units, n_levels):
    """The number of macrostates of N units on L levels, C(N + L - 1, L - 1), exactly.

    Parameters
    ----------
    n_units : int
        N >= 0.
    n_levels : int
        L >= 1.

    Returns
    -------
    count : int

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.macrostate_count(10, 3)  # C(12, 2)
    66
    """
    return arr.outputs(lib.bz_macrostate_count, int(n_units), int(n_levels))


@dataclass(frozen=True, repr=False)
class Macrostates(Result):
    """Every macrostate of N units on L levels, in reverse lexicographic order.

    Attributes
    ----------
    occupations : ndarray of int64, shape (n_states, n_levels)
    energies : ndarray, shape (n_states,)
    log_multiplicities : ndarray, shape (n_states,)
        ln W of each macrostate; :attr:`multiplicities` is W.

    Examples
    --------
    >>> import boltzmann as bz
    >>> m = bz.macrostates(2, [0.0, 1.0])
    >>> m.occupations.tolist(), m.multiplicities.round().tolist()
    ([[2, 0], [1, 1], [0, 2]], [1.0, 2.0, 1.0])
    """

    occupations: np.ndarray
    energies: np.ndarray
    log_multiplicities: np.ndarray

    @property
    def multiplicities(self):
        """W = exp(ln W) (inf where W overflows a double)."""
        return np.exp(self.log_multiplicities)

    def __len__(self):
        return len(self.energies)


def macrostates(n_units, level_energies, max_states=None):
    """Enumerate every occupation of ``n_units`` over the levels, with energies and ln W.

    Parameters
    ----------
    n_units : int
        N >= 0.
    level_energies : array_like, shape (n_levels,)
        Energy of one unit on each level.
    max_states : int, optional
        Refuse more macrostates than this (default ``bz_macrostates_default_limit()``,
        about four million).

    Returns
    -------
    Macrostates

    Raises
    ------
    LimitExceeded
        When there are more than ``max_states`` macrostates.

    Examples
    --------
    >>> import boltzmann as bz
    >>> m = bz.macrostates(10, [0, 1, 2])
    >>> len(m), round(m.multiplicities.sum()) == 3**10
    (66, True)
    """
    e = arr.vector(level_energies, "level_energies")
    limit = int(max_states or 0)
    count = macrostate_count(n_units, e.size)
    if count > (limit or lib.bz_macrostates_default_limit()):
        # Let the library refuse (and word the message) before anything is allocated.
        lib.bz_macrostates(int(n_units), arr.f64(e), e.size, limit, None, None, None, count)
    occupations = np.empty((count, e.size), dtype=np.int64)
    energies, log_w = np.empty(count), np.empty(count)
    lib.bz_macrostates(int(n_units), arr.f64(e), e.size, limit,
                       arr.i64(occupations), arr.f64(energies), arr.f64(log_w), count)
    return Macrostates(occupations, energies, log_w)


def microcanonical(n_units, level_energies, max_states=None):
    """The spectrum of total energies of ``n_units`` units, with ln Omega(E) as log-degeneracy.

    Omega(E) sums W over the macrostates of energy E, so ln Omega is the
    microcanonical entropy; the spectrum's log Z is ``n_units`` times the one-unit log z.

    Parameters
    ----------
    n_units : int
        N >= 1.
    level_energies : array_like, shape (n_levels,)
        Energy of one unit on each level.
    max_states : int, optional
        As for :func:`macrostates`.

    Returns
    -------
    Spectrum
        Levels E with degeneracies Omega(E).

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> s = bz.microcanonical(10, [0.0, 1.0, 2.0])
    >>> z1 = 1 + np.exp(-0.7) + np.exp(-1.4)
    >>> bool(np.isclose(s.thermo(0.7).log_z, 10 * np.log(z1)))
    True
    """
    e = arr.vector(level_energies, "level_energies")
    return Spectrum._new(lib.bz_spectrum_create_microcanonical, int(n_units), arr.f64(e), e.size, int(max_states or 0))
