"""Spectra: partition functions, thermodynamics, maximum entropy, composition.

Energies are in units where k_B = 1 and ``beta = 1/T``. See the "Thermodynamics"
section of ``include/boltzmann.h`` for the equations and their numerical guarantees.
"""

from dataclasses import dataclass

import numpy as np

from ._display import THERMO_LABELS, Result
from . import _arrays as arr
from ._handles import HandleOwner
from ._lib import lib
from .errors import InvalidArgument

__all__ = ["Spectrum", "Thermo", "LogEstimate", "solve_beta"]


@dataclass(frozen=True, repr=False)
class Thermo(Result):
    """Thermodynamic functions at the betas given, each an array of beta's shape.

    Printed, a table by beta; in Jupyter, an HTML table; :meth:`plot` draws a column.

    Attributes
    ----------
    beta : ndarray
        Inverse temperatures.
    log_z : ndarray
        log Z = log sum_i g_i exp(-beta E_i).
    free_energy : ndarray
        F = -log Z / beta (NaN at beta = 0, where it is undefined).
    energy : ndarray
        Mean energy U = <E>.
    entropy : ndarray
        S = beta U + log Z.
    heat_capacity : ndarray
        C = beta^2 Var(E).

    Examples
    --------
    >>> import boltzmann as bz
    >>> t = bz.Spectrum([0.0, 1.0]).thermo([0.0, 1.0])
    >>> t.log_z.round(6).tolist(), round(float(t.entropy[0]), 6)  # ln 2 at infinite temperature
    ([0.693147, 0.313262], 0.693147)
    """

    _table_axis = True
    _labels = THERMO_LABELS

    beta: np.ndarray
    log_z: np.ndarray
    free_energy: np.ndarray
    energy: np.ndarray
    entropy: np.ndarray
    heat_capacity: np.ndarray

    def plot(self, quantity="heat_capacity", **options):
        """Draw ``quantity`` against T or beta: :func:`boltzmann.plot.thermo` (its options)."""
        from .plot import thermo
        return thermo(self, quantity, **options)

    def __str__(self):
        """Every row of the table ``repr`` abridges."""
        return self._text_table(self._columns(), every_row=True)


class Spectrum(HandleOwner):
    """A discrete spectrum: levels with energies ``E_i`` and degeneracies ``g_i > 0``.

    Parameters
    ----------
    energies : array_like, shape (n_levels,)
        Finite level energies.
    degeneracies : array_like, shape (n_levels,), optional
        Finite degeneracies > 0; all 1 when omitted.
    log_degeneracies : array_like, shape (n_levels,), keyword-only, optional
        ``log g_i`` instead of ``degeneracies``, for counts that overflow a double.

    The spectrum is immutable and may be shared between threads. It holds a library
    handle, released by :meth:`close`, by ``with``, or when garbage-collected.

    Examples
    --------
    >>> import boltzmann as bz
    >>> two_level = bz.Spectrum([0.0, 1.0])
    >>> round(float(two_level.log_z(1.0)), 6)  # log(1 + e^-1)
    0.313262
    """

    _prefix = "spectrum"

    def __init__(self, energies, degeneracies=None, *, log_degeneracies=None):
        e = arr.vector(energies, "energies")
        if degeneracies is not None and log_degeneracies is not None:
            raise InvalidArgument("give degeneracies or log_degeneracies, not both")
        if log_degeneracies is not None:
            lg = arr.vector(log_degeneracies, "log_degeneracies")
            arr.same_length(e, lg, "energies", "log_degeneracies")
            self._create(lib.bz_spectrum_create_log, arr.f64(e), arr.f64(lg), len(e))
        else:
            g = None if degeneracies is None else arr.vector(degeneracies, "degeneracies")
            if g is not None:
                arr.same_length(e, g, "energies", "degeneracies")
            self._create(lib.bz_spectrum_create, arr.f64(e), arr.f64(g), len(e))


    def __len__(self):
        return arr.outputs(lib.bz_spectrum_size, self._h)

    @property
    def n_levels(self):
        """Number of levels."""
        return len(self)

    def _levels(self):
        n = len(self)
        e, lg = np.empty(n), np.empty(n)
        lib.bz_spectrum_levels(self._h, arr.f64(e), arr.f64(lg), n)
        return e, lg

    @property
    def energies(self):
        """Level energies, shape (n_levels,) (a copy)."""
        return self._levels()[0]

    @property
    def log_degeneracies(self):
        """log g_i, shape (n_levels,) (a copy)."""
        return self._levels()[1]

    @property
    def degeneracies(self):
        """g_i, shape (n_levels,); inf where log g_i > 709.78 (use ``log_degeneracies``)."""
        with np.errstate(over="ignore"):
            return np.exp(self.log_degeneracies)

    def thermo(self, beta):
        """log Z, F, U, S and C at every beta, in one pass over the levels.

        Parameters
        ----------
        beta : float or array_like
            Finite inverse temperatures, any sign.

        Returns
        -------
        Thermo
            Arrays of ``beta``'s shape.
        """
        b = np.asarray(beta, dtype=np.float64)
        flat = np.ascontiguousarray(b.ravel())
        out = np.empty((5, flat.size))
        lib.bz_spectrum_thermo(self._h, arr.f64(flat), flat.size, *(arr.f64(row) for row in out))
        return Thermo(b.copy(), *(row.reshape(b.shape) for row in out))

    def log_z(self, beta):
        """log Z at ``beta`` (float for a scalar, else an array of its shape)."""
        b = np.asarray(beta, dtype=np.float64)
        flat = np.ascontiguousarray(b.ravel())
        out = np.empty(flat.size)
        lib.bz_spectrum_thermo(self._h, arr.f64(flat), flat.size, arr.f64(out), None, None, None, None)
        return float(out[0]) if b.ndim == 0 else out.reshape(b.shape)

    def probabilities(self, beta):
        """Boltzmann probabilities of the levels at one beta, shape (n_levels,); they sum to 1."""
        p = np.empty(len(self))
        lib.bz_spectrum_probabilities(self._h, float(beta), arr.f64(p), p.size)
        return p

    def solve_beta(self, target_mean):
        """The maximum-entropy multiplier: the beta whose mean energy is ``target_mean``.

        Raises :class:`InvalidArgument` unless min(E) < target_mean < max(E).
        """
        return arr.outputs(lib.bz_spectrum_solve_beta, self._h, float(target_mean))

    def compose(self, other, max_levels=None):
        """The spectrum of this system and an independent ``other`` together.

        Levels are all sums ``E_i + E'_j`` with degeneracy ``g_i g'_j``, equal energies
        merged; log Z of the result is the sum of the parts'. Raises
        :class:`LimitExceeded` above ``max_levels`` products (default
        ``bz_spectrum_compose_default_limit()``).
        """
        if not isinstance(other, Spectrum):
            raise TypeError(f"can only compose with a Spectrum, not {type(other).__name__}")
        return Spectrum._new(lib.bz_spectrum_compose, self._h, other._h, int(max_levels or 0))

    def __reduce__(self):
        energies, log_g = self._levels()
        return (_rebuild, (energies, log_g))

    def _summary(self):
        return [("n_levels", self.energies.size), ("energies", self.energies), ("degeneracies", self.degeneracies)]


def _rebuild(energies, log_degeneracies):
    return Spectrum(energies, log_degeneracies=log_degeneracies)


def solve_beta(values, target_mean, degeneracies=None):
    """Maximum entropy: the beta with <f> = ``target_mean`` for p_i ∝ g_i exp(-beta f_i).

    Given only the mean of a quantity over states ``values``, the least-biased
    distribution is the Boltzmann one (Jaynes 1957); this returns its Lagrange
    multiplier.

    Parameters
    ----------
    values : array_like, shape (n,)
        The quantity f_i on each state (finite).
    target_mean : float
        The mean to reproduce, strictly between min(values) and max(values).
    degeneracies : array_like, shape (n,), optional
        g_i > 0 (all 1 when omitted).

    Returns
    -------
    beta : float
        The multiplier; negative when the target is above the unweighted mean.

    Raises
    ------
    InvalidArgument
        Unless min(values) < target_mean < max(values).

    Examples
    --------
    Jaynes' dice: a die whose mean roll is 4.5 instead of 3.5.

    >>> import numpy as np, boltzmann as bz
    >>> beta = bz.solve_beta([1, 2, 3, 4, 5, 6], target_mean=4.5)
    >>> p = np.exp(-beta * np.arange(1, 7)); p /= p.sum()
    >>> round(beta, 5), round(float(p @ np.arange(1, 7)), 12)
    (-0.37105, 4.5)
    """
    with Spectrum(values, degeneracies) as spectrum:
        return spectrum.solve_beta(target_mean)


@dataclass(frozen=True, repr=False)
class LogEstimate(Result):
    """A log-scale estimate ``value ± stderr``: log Z or a mean log-likelihood.

    Attributes
    ----------
    value : float
    stderr : float
        One standard error (0 for exact values).
    ess : float
        AIS's effective sample size (NaN for exact values).
    method : str
        How it was computed ("exact", "enumerate", "transfer", "kaufman", "ais").
    note : str
        Why no exact method was used, when one was asked for automatically ("" otherwise).

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> rbm = bz.RBM(3, random_state=1).initialize(6)
    >>> exact, ais = rbm.log_partition(), rbm.log_partition("ais", runs=100, seed=2)
    >>> exact.stderr, bool(abs(ais.value - exact.value) < 4 * ais.stderr + 1e-3)
    (0.0, True)
    """

    value: float
    stderr: float = 0.0
    ess: float = float("nan")
    method: str = ""
    note: str = ""

    def __float__(self):
        return self.value

    def __str__(self):
        return f"{self.value:.6g} ± {self.stderr:.2g}"
