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
    """ln W = ln N! - sum ln n_l! of one occupation vector (non-negative integers).

    >>> import boltzmann as bz, math
    >>> round(math.exp(bz.log_multiplicity([7, 2, 1])))  # 10! / (7! 2! 1!)
    360
    """
    n = arr.vector(occupations, "occupations", np.int64)
    return arr.outputs(lib.bz_log_multiplicity, arr.i64(n), n.size)


def occupation_energy(occupations, level_energies):
    """Total energy sum_l n_l e_l of one occupation vector."""
    n = arr.vector(occupations, "occupations", np.int64)
    e = arr.vector(level_energies, "level_energies")
    arr.same_length(n, e, "occupations", "level_energies")
    return arr.outputs(lib.bz_occupation_energy, arr.i64(n), arr.f64(e), n.size)


def macrostate_count(n_units, n_levels):
    """C(n_units + n_levels - 1, n_levels - 1), exactly."""
    return arr.outputs(lib.bz_macrostate_count, int(n_units), int(n_levels))


@dataclass(frozen=True, repr=False)
class Macrostates(Result):
    """Every macrostate of N units on L levels, in reverse lexicographic order.

    Attributes
    ----------
    occupations : ndarray of int64, shape (n_states, n_levels)
    energies : ndarray, shape (n_states,)
    log_multiplicities : ndarray, shape (n_states,)
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

    Raises :class:`LimitExceeded` when there are more than ``max_states`` macrostates
    (default ``bz_macrostates_default_limit()``, about four million).
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
    """
    e = arr.vector(level_energies, "level_energies")
    return Spectrum._new(lib.bz_spectrum_create_microcanonical, int(n_units), arr.f64(e), e.size, int(max_states or 0))
