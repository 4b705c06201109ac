"""Monte Carlo sampling of Ising models: Markov chains with honest error bars.

>>> import boltzmann as bz
>>> model = bz.IsingModel.square(8, 8)
>>> mc = bz.MonteCarlo(model, beta=0.3, chains=4, seed=1)
>>> r = mc.run(2000, burn_in=200)
>>> abs(r.energy.mean - (-0.65)) < 0.1
True

Every chain draws from its own random stream fixed by ``(seed, chain)``, so the
results do not depend on the thread count. Quantities are per spin (e = E/N, m = M/N).
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import Result
from . import _arrays as arr
from ._arrays import seed64
from ._handles import HandleOwner
from ._lib import i8p, lib
from ._progress import Progress

__all__ = ["MonteCarlo", "MonteCarloResults", "Estimate", "Equilibration", "ALGORITHMS", "ORDERS"]

#: Update rules by name: ``bz_mc_create``'s ``rule``.
ALGORITHMS = {"metropolis": 0, "heat_bath": 1, "wolff": 2, "swendsen_wang": 3, "multispin": 4,
              "multispin_shared": 5}
#: Sweep orders by name.
ORDERS = {"sequential": 0, "random": 1, "checkerboard": 2, "colored": 3}
_OBSERVABLES = ("energy", "magnetization", "abs_magnetization", "magnetization_sq",
                "magnetization_4", "heat_capacity", "susceptibility", "binder")


@dataclass(frozen=True, repr=False)
class Estimate(Result):
    """A Monte Carlo estimate: ``mean ± error``, printed as such.

    Attributes
    ----------
    mean : float
    error : float
        One standard error: from the integrated autocorrelation time ``tau``, or by the
        jackknife for the heat capacity, susceptibility and Binder cumulant.
    tau : float
        Integrated autocorrelation time in measurements (1/2 for independent samples).
    binning_error : float
        The model-free binning estimate of the same error, a check on it.

    Examples
    --------
    >>> import boltzmann as bz
    >>> e = bz.MonteCarlo(bz.IsingModel.square(8, 8), 0.2, chains=2, seed=1).run(500).energy
    >>> float(e) == e.mean and e.error > 0 and e.tau >= 0.5
    True
    """

    mean: float
    error: float
    tau: float
    binning_error: float

    def __float__(self):
        return self.mean

    def __str__(self):
        return f"{self.mean:.6g} ± {self.error:.2g}"


@dataclass(frozen=True, repr=False)
class MonteCarloResults(Result):
    """Estimates from one :meth:`MonteCarlo.run`, per spin, with their errors.

    Attributes
    ----------
    beta : float
    energy, magnetization, abs_magnetization, magnetization_sq, magnetization_4 : Estimate
        <e>, <m>, <``|m|``>, <m^2>, <m^4>.
    heat_capacity : Estimate
        beta^2 N var(e).
    susceptibility : Estimate
        beta N (<m^2> - <``|m|``>^2).
    binder : Estimate
        U4 = 1 - <m^4> / (3 <m^2>^2).
    energy_series, magnetization_series : ndarray, shape (chains, measurements), or None
        The measured series, with ``series=True``.
    correlation, correlation_error : ndarray or None
        C(r) along a lattice axis, when measured.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.MonteCarlo(bz.IsingModel.square(8, 8), 0.6, chains=2, seed=1).run(500, series=True)
    >>> r.energy_series.shape, r.abs_magnetization.mean > 0.9  # ordered: T < T_c
    ((2, 500), True)
    """

    beta: float
    energy: Estimate
    magnetization: Estimate
    abs_magnetization: Estimate
    magnetization_sq: Estimate
    magnetization_4: Estimate
    heat_capacity: Estimate
    susceptibility: Estimate
    binder: Estimate
    energy_series: np.ndarray = None
    magnetization_series: np.ndarray = None
    correlation: np.ndarray = None
    correlation_error: np.ndarray = None

    def plot(self, observable="energy", **options):
        """Draw the series and its autocorrelation (needs ``series=True``):
        :func:`boltzmann.plot.time_series` (its options)."""
        from .plot import time_series
        return time_series(self, observable, **options)


@dataclass(frozen=True, repr=False)
class Equilibration(Result):
    """:meth:`MonteCarlo.equilibration`: do the two halves of the last run agree?

    Attributes
    ----------
    observable : str
    z : float
        ``|difference|`` of the halves' means over their combined error.
    first_half, second_half : tuple of float
        (mean, error) of each half. :attr:`equilibrated` is z < 3.

    Examples
    --------
    >>> import boltzmann as bz
    >>> mc = bz.MonteCarlo(bz.IsingModel.square(8, 8), 0.2, chains=2, seed=1)
    >>> mc.run(2000, burn_in=100).energy.error > 0
    True
    >>> mc.equilibration("energy").equilibrated
    True
    """

    observable: str
    z: float
    first_half: tuple
    second_half: tuple

    @property
    def equilibrated(self):
        return self.z < 3


class MonteCarlo(HandleOwner):
    """Single-spin Markov chains of an :class:`~boltzmann.IsingModel` at inverse temperature ``beta``.

    Parameters
    ----------
    model : IsingModel
        The sampler keeps its own reference; closing the model afterwards is safe.
    beta : float
        Inverse temperature, >= 0.
    algorithm : {"metropolis", "heat_bath", "wolff", "swendsen_wang", "multispin", "multispin_shared"}
        Single-spin updates (heat bath is the p-bit rule); cluster updates for
        ferromagnets without field (others raise :class:`~boltzmann.Unsupported`);
        or Metropolis on 64 independent replicas per machine word (multi-spin coding:
        periodic square and cubic lattices, one coupling magnitude, no field;
        ``chains`` a multiple of 64); "multispin_shared" lets the 64 replicas of a word
        share each uniform (5x faster; errors then count a word as one chain).
        Metropolis in a fixed order takes a flip with dE = 0 with probability 1/2
        ("lazy ties"), so no sweep can cycle forever through states of equal energy.
    order : {"sequential", "random", "checkerboard", "colored"}
        Sites per sweep in turn, drawn at random, one colour of a bipartite graph
        then the other, or the classes of a greedy colouring in turn. Single-spin
        algorithms only.
    chains : int
        Independent chains, run in parallel; the errors combine them.
    seed : int

    Examples
    --------
    >>> import boltzmann as bz
    >>> mc = bz.MonteCarlo(bz.IsingModel.square(16, 16), beta=0.3, algorithm="wolff", chains=4, seed=1)
    >>> r = mc.run(2000, burn_in=200)
    >>> bool(abs(r.energy.mean - bz.ising.square_exact(16, 16, 0.3).energy / 256) < 5 * r.energy.error)
    True
    """

    _prefix = "mc"

    def __init__(self, model, beta, algorithm="metropolis", order="sequential", chains=1, seed=0):
        self._create(lib.bz_mc_create, model._h, float(beta), arr.code(ALGORITHMS, algorithm, "algorithm"),
                     arr.code(ORDERS, order, "order"), int(chains), seed64(seed))
        self.model = model
        self.algorithm, self.order = algorithm, order
        self._beta = float(beta)

    def _size(self):
        return arr.outputs(lib.bz_mc_size, self._h)

    @property
    def chains(self):
        return self._size()[1]

    @property
    def beta(self):
        return self._beta

    @beta.setter
    def beta(self, value):
        """Change the temperature; the chains keep their states."""
        lib.bz_mc_set_beta(self._h, float(value))
        self._beta = float(value)

    def measure_correlation(self, axis=0):
        """Measure C(r) = <s_i s_{i+r}> along lattice ``axis`` in later runs (None stops);
        results then carry ``correlation`` and ``correlation_error`` for r = 0, 1, ..."""
        self._distances = arr.outputs(lib.bz_mc_set_correlation_axis, self._h, -1 if axis is None else int(axis))
        return self

    def equilibration(self, observable="energy"):
        """Compare the first and second halves of the last run (see :class:`Equilibration`)."""
        z, first, last = ctypes.c_double(), np.empty(2), np.empty(2)
        lib.bz_mc_equilibration(self._h, arr.code({k: i for i, k in enumerate(_OBSERVABLES[:5])}, observable, "observable"),
                                ctypes.byref(z), arr.f64(first), arr.f64(last))
        return Equilibration(observable, z.value, tuple(first), tuple(last))

    def clamp(self, indices, values):
        """Hold spins ``indices`` at ``values`` (±1) in every chain; later sweeps update
        only the free spins. Adds to the clamps already set."""
        indices = arr.vector(indices, "indices", np.int64)
        values = arr.vector(values, "values", np.int8)
        arr.same_length(indices, values, "indices", "values")
        lib.bz_mc_clamp(self._h, arr.i64(indices), values.ctypes.data_as(i8p), indices.size)
        return self

    def release_clamps(self):
        """Free every clamped spin."""
        lib.bz_mc_release_clamps(self._h)
        return self

    def run(self, sweeps, burn_in=0, measure_every=1, series=False, progress=None):
        """Run ``burn_in + sweeps`` sweeps on every chain, measuring every ``measure_every``-th
        sweep after the burn-in, and return :class:`MonteCarloResults`.

        The chains continue from where the last run left them. ``series=True`` adds the
        measured e and m series (chains x measurements). ``progress``: a callable
        ``(done, total)`` over sweeps of all chains (return False to stop), True/False for a bar
        or none, None to follow :func:`boltzmann.set_progress`.
        """
        Progress(progress, unit="sweeps", what="MonteCarlo.run").run(lib.bz_mc_run, self._h, int(sweeps), int(burn_in),
                                                                     int(measure_every))
        return self.results(series=series)

    def sample(self, n_samples, every=1, burn_in=0, progress=None):
        """Run ``burn_in`` sweeps, then keep the state after every ``every``-th of the next
        ``n_samples * every`` sweeps: an int8 array (chains, n_samples, N) of ±1. The last
        run's results are kept."""
        n, chains, _ = self._size()
        out = np.empty((chains, int(n_samples), n), dtype=np.int8)
        Progress(progress, unit="sweeps", what="MonteCarlo.sample").run(lib.bz_mc_sample, self._h, int(n_samples), int(every), int(burn_in),
                                              out.ctypes.data_as(i8p), out.size)
        return out

    def results(self, series=False):
        """The last run's :class:`MonteCarloResults`."""
        k = lib.bz_mc_n_observables()
        out = np.empty((4, k))
        lib.bz_mc_results(self._h, *(arr.f64(row) for row in out), k)
        estimates = {name: Estimate(*map(float, out[:, i])) for i, name in enumerate(_OBSERVABLES)}
        extra = {}
        if series:
            _, chains, measurements = self._size()
            e = np.empty((chains, measurements))
            m = np.empty((chains, measurements))
            lib.bz_mc_series(self._h, arr.f64(e), arr.f64(m), e.size)
            extra = {"energy_series": e, "magnetization_series": m}
        if getattr(self, "_distances", 0):
            c, err = np.empty(self._distances), np.empty(self._distances)
            lib.bz_mc_correlation(self._h, arr.f64(c), arr.f64(err), c.size)
            extra.update(correlation=c, correlation_error=err)
        return MonteCarloResults(beta=self._beta, **estimates, **extra)

    @property
    def spins(self):
        """The chains' current spins, (chains, N) int8 of ±1."""
        n, chains, _ = self._size()
        out = np.empty((chains, n), dtype=np.int8)
        lib.bz_mc_spins(self._h, out.ctypes.data_as(i8p), out.size)
        return out

    def __reduce__(self):
        """Pickles the model and the sampler's whole state (``bz_mc_serialize``): the copy's
        next run gives the same bits as this one's would."""
        state = _state_bytes(lib.bz_mc_serialized_size, lib.bz_mc_serialize, self._h)
        attributes = {name: value for name, value in self.__dict__.items()
                      if name in ("algorithm", "order", "_beta", "_distances")}
        return (_restore_sampler, (MonteCarlo, self.model, state, attributes))

    def _summary(self):
        return [("beta", self._beta), ("algorithm", self.algorithm), ("order", self.order), ("chains", self.chains)]


def _state_bytes(size_fn, serialize_fn, handle):
    """A sampler's state from ``bz_<x>_serialized_size`` and ``bz_<x>_serialize``."""
    size = arr.outputs(size_fn, handle)
    out = (ctypes.c_uint8 * size)()
    serialize_fn(handle, out, size)
    return bytes(out)


def _restore_sampler(cls, model, state, attributes):
    """A sampler of ``model`` in a state from :func:`_state_bytes` (``bz_<x>_deserialize``)."""
    buffer = (ctypes.c_uint8 * max(len(state), 1)).from_buffer_copy(state or b"\0")
    sampler = cls._new(getattr(lib, f"bz_{cls._prefix}_deserialize"), model._h,
                       ctypes.cast(buffer, ctypes.POINTER(ctypes.c_uint8)), len(state))
    sampler.__dict__.update(attributes, model=model)
    return sampler
